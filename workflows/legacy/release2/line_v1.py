"""FulfillmentLineWorkflow: one sales-order line through the back-to-back cycle.

    schedule -> supply order -> requisition -> purchase order (pegged) -> [approval]
    -> receipts (reserved through the peg) -> pick release -> pick confirm -> ship confirm
    -> AR invoice, AP invoice -> close

Warehouse facts (receipts, picks, shipments, cancellations) are committed in PostgreSQL
first and arrive here as signals, each carrying the id that makes a second copy harmless.
A cancellation can arrive at any point; it is compensated at the next wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributePair, TypedSearchAttributes

with workflow.unsafe.imports_passed_through():
    from workflows.legacy.release2.activities.payloads import (
        ApInvoiceStep,
        LineRef,
        LineStatusChange,
        LineStep,
        SupplyStep,
    )
    from workflows.legacy.release2.domain import search_attributes as sa
    from workflows.legacy.release2.domain import signals
    from workflows.legacy.release2.domain.identity import order_workflow_id
    from workflows.legacy.release2.domain.models import (
        ApprovalSignal,
        CancelSignal,
        InvoiceResult,
        LineEvent,
        LineInput,
        LineStagedSignal,
        LineView,
        PickConfirmSignal,
        PickReleaseSignal,
        PurchaseOrderResult,
        QuantityIncreasedSignal,
        ReceiptSignal,
        RequisitionResult,
        RetrySignal,
        ShipConfirmSignal,
        SourcingDecision,
        StockReservation,
        StockReservedSignal,
        SupplyChange,
        SupplyOrderResult,
        SupplyView,
        TransferOrderResult,
        WorkOrderResult,
        json_money,
        json_quantity,
    )
    from workflows.legacy.release2.domain.pricing import line_amount
    from workflows.legacy.release2.domain.statuses import (
        DocumentType,
        EventType,
        LineStatus,
        SupplyStatus,
        SupplyType,
    )

# Each activity is one short transaction; a lost worker is noticed within this time.
ACTIVITY_TIMEOUT = timedelta(seconds=10)
# Business systems may be down for a while; keep retrying with a capped backoff.
ACTIVITY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=60)
)
ZERO = Decimal("0")
# workflow.patched ids: never reuse or remove while histories with them may replay.
SHIP_FROM_STOCK = "ship-from-stock"
JEOPARDY = "jeopardy"
SET_STAGED = "set-staged"
_q = json_quantity  # quantities in details read "30", not "30.0000"
_SEARCH_ATTRIBUTES: dict[str, Any] = {key.name: key for key in sa.ALL}


@dataclass(frozen=True)
class DocumentSteps:
    """The activities that reduce and close one kind of pegged supply document."""

    reduce: str
    close: str
    changed: EventType


_DOCUMENT_STEPS = {
    SupplyType.BUY: DocumentSteps(
        "reduce_supply", "close_supply", EventType.PURCHASE_ORDER_CHANGED
    ),
    SupplyType.MAKE: DocumentSteps(
        "reduce_work_order", "close_work_order", EventType.WORK_ORDER_CHANGED
    ),
    SupplyType.TRANSFER: DocumentSteps(
        "reduce_transfer_order", "close_transfer_order", EventType.TRANSFER_ORDER_CHANGED
    ),
}


class LineCanceled(Exception):
    """Unwinds the cycle once the whole line is canceled."""


@workflow.defn(name="FulfillmentLineWorkflow")
class FulfillmentLineWorkflow:
    @workflow.init
    def __init__(self, line: LineInput) -> None:
        self._line = line
        self._status = LineStatus.BOOKED
        self._canceled = ZERO
        self._received = ZERO
        self._reserved = ZERO
        self._released = ZERO
        self._picked = ZERO
        self._shipped = ZERO
        self._invoiced = ZERO
        self._cancel_reason: str | None = None
        self._manual_reason: str | None = None
        self._waiting_for: str | None = None
        # What the line waits for, computed afresh so the Web UI shows current counts.
        self._waiting_fn: Callable[[], str] | None = None
        self._approved = False
        self._supply: list[SupplyView] = []
        self._invoices: list[dict[str, object]] = []
        self._events: list[LineEvent] = []
        self._seen: set[str] = set()
        self._pending_cancels: list[CancelSignal] = []
        self._po: PurchaseOrderResult | None = None
        # A line split across sources may have several POs, approved and received apart.
        self._pos: list[PurchaseOrderResult] = []
        self._approved_pos: set[str] = set()
        self._arrived: dict[str, Decimal] = {}
        # Revisions that raised the quantity; a back-to-back line owes supply for them once
        # its first supply exists (`_supply_ready`).
        self._increased = ZERO
        self._increase_requests = 0
        self._increases_supplied = 0
        self._increase_rounds = 0
        self._supply_ready = False
        self._increasing = False
        self._past_supply = False
        # Backordered at pick or ship confirm and kept open: owed supply again.
        self._backorder_open = ZERO
        self._waves = 0  # pick waves that released this line
        self._logged_status: LineStatus | None = None
        self._retries = 0
        # What the search attributes hold now; the line starts as BOOKED (set at start).
        self._published: dict[str, Any] = {
            sa.LINE_STATUS.name: LineStatus.BOOKED.value,
            sa.JEOPARDY.name: False,
        }
        self._jeopardy = False
        self._jeopardy_watch: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ signals and queries

    def _first_time(self, key: str) -> bool:
        """Signals are delivered at least once; each is applied once."""
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    @workflow.signal(name=signals.RECEIPT_RECORDED)
    def receipt_recorded(self, receipt: ReceiptSignal) -> None:
        if not self._first_time(f"scan:{receipt.scan_id}"):
            return
        self._received += receipt.quantity
        self._reserved += receipt.reserved_quantity
        self._event(
            EventType.RECEIPT_RECORDED,
            f"{_q(receipt.quantity)} received on {receipt.document_number} line "
            f"{receipt.document_line} ({receipt.receipt_number}), reserved to this line",
        )
        self._arrived[receipt.document_number] = (
            self._arrived.get(receipt.document_number, ZERO) + receipt.quantity
        )
        if len(self._supply) > 1:
            self._document_arrived(receipt.document_number)
        elif self._supply and self._received >= self._supply[0].quantity:
            self._set_supply_status(SupplyStatus.RECEIVED)
        self._resupplied()
        self._show_details()

    @workflow.signal(name=signals.PURCHASE_ORDER_APPROVED)
    def purchase_order_approved(self, approval: ApprovalSignal) -> None:
        if not self._first_time(f"approval:{approval.po_number}"):
            return
        self._approved = True
        self._approved_pos.add(approval.po_number)
        self._event(
            EventType.PURCHASE_ORDER_APPROVED,
            f"{approval.po_number} approved by {approval.approved_by}",
        )

    @workflow.signal(name=signals.PICK_RELEASED)
    def pick_released(self, release: PickReleaseSignal) -> None:
        if not self._first_time(f"wave:{release.wave_number}"):
            return
        # Counts up like the warehouse's: a line back from a backorder is released again.
        self._released = self._shipped + release.quantity
        self._waves += 1
        self._event(
            EventType.PICK_RELEASED,
            f"{_q(release.quantity)} released to the warehouse in {release.wave_number}",
        )

    @workflow.signal(name=signals.PICK_CONFIRMED)
    def pick_confirmed(self, pick: PickConfirmSignal) -> None:
        if not self._first_time(f"scan:{pick.scan_id}"):
            return
        self._picked += pick.picked_quantity
        self._event(EventType.PICK_CONFIRMED, f"{_q(pick.picked_quantity)} picked and staged")
        if pick.kept_backordered_quantity > 0:
            self._released -= pick.kept_backordered_quantity
            self._keep_backorder(pick.kept_backordered_quantity, "not found at pick confirm")
        self._show_details()

    @workflow.signal(name=signals.SHIP_CONFIRMED)
    def ship_confirmed(self, ship: ShipConfirmSignal) -> None:
        if not self._first_time(f"scan:{ship.scan_id}"):
            return
        self._shipped += ship.shipped_quantity
        self._reserved -= ship.shipped_quantity
        self._event(
            EventType.LINE_SHIPPED, f"{_q(ship.shipped_quantity)} shipped on {ship.shipment_number}"
        )
        if ship.kept_backordered_quantity > 0:
            self._picked -= ship.kept_backordered_quantity
            self._released -= ship.kept_backordered_quantity
            self._keep_backorder(ship.kept_backordered_quantity, "not shipped at ship confirm")
        self._show_details()

    def _keep_backorder(self, quantity: Decimal, why: str) -> None:
        """The warehouse backordered goods this line had reserved and the line keeps the
        backorder: they are no longer reserved to it and will be supplied again."""
        self._reserved -= quantity
        self._backorder_open += quantity
        self._event(
            EventType.LINE_BACKORDERED,
            f"{_q(quantity)} {why}: kept open as a backorder, to be supplied again",
        )

    def _stalled(self) -> bool:
        """Everything released was picked and shipped, and a backorder is still open."""
        return (
            self._backorder_open > 0
            and self._picked <= self._shipped
            and self._released <= self._picked
        )

    @workflow.signal(name=signals.CANCEL_REQUESTED)
    def cancel_requested(self, cancel: CancelSignal) -> None:
        if not self._first_time(f"cancel:{cancel.request_id}"):
            return
        self._pending_cancels.append(cancel)

    @workflow.signal(name=signals.STOCK_RESERVED)
    def stock_reserved(self, stock: StockReservedSignal) -> None:
        if not self._first_time(f"stock:{stock.reservation_number}"):
            return
        self._reserved += stock.quantity
        self._event(
            EventType.SUPPLY_RESERVED,
            f"{_q(stock.quantity)} reserved from arriving stock ({stock.reservation_number})",
        )
        self._resupplied()
        self._show_details()

    @workflow.signal(name=signals.QUANTITY_INCREASED)
    def quantity_increased(self, increase: QuantityIncreasedSignal) -> None:
        if not self._first_time(f"increase:{increase.request_id}"):
            return
        self._increased += increase.quantity
        self._reserved += increase.reserved_quantity
        detail = (
            f"quantity raised by {_q(increase.quantity)} to "
            f"{_q(self._line.quantity + self._increased)}"
        )
        if increase.reserved_quantity > 0:
            detail += f", {_q(increase.reserved_quantity)} reserved from stock"
        self._event(EventType.LINE_QUANTITY_INCREASED, detail)
        if self._line.back_to_back:
            self._increase_requests += 1
        if self._past_supply and not self._supplied():
            self._status = (
                LineStatus.AWAITING_SUPPLY if self._line.back_to_back else LineStatus.BACKORDERED
            )
            self._publish()
        self._show_details()

    def _resupplied(self) -> None:
        """A line sent back for more supply (a revision, a backorder) is ready to ship again."""
        if (
            self._past_supply
            and self._status in (LineStatus.AWAITING_SUPPLY, LineStatus.BACKORDERED)
            and self._supplied()
        ):
            self._status = LineStatus.AWAITING_SHIPPING
            self._publish()

    @workflow.signal(name=signals.RETRY_REQUESTED)
    def retry_requested(self, retry: RetrySignal) -> None:
        if self._first_time(f"retry:{retry.request_id}"):
            self._retries += 1

    @workflow.query(name=signals.LINE_STATUS_QUERY)
    def line_status(self) -> LineView:
        line = self._line
        return LineView(
            order_number=line.order_number,
            line_number=line.line_number,
            item_number=line.item_number,
            customer_number=line.customer_number,
            organization=line.organization,
            status=self._status,
            ordered_quantity=line.quantity + self._increased,
            canceled_quantity=self._canceled,
            reserved_quantity=self._reserved,
            received_quantity=self._received,
            picked_quantity=self._picked,
            shipped_quantity=self._shipped,
            invoiced_quantity=self._invoiced,
            unit_price=line.unit_price,
            line_amount=line_amount(self._open, line.unit_price, line.unit_discount),
            cancel_reason=self._cancel_reason,
            jeopardy=self._jeopardy,
            back_to_back=line.back_to_back,
            back_to_back_reason=line.back_to_back_reason,
            manual_action_reason=self._manual_reason,
            waiting_for=self._waiting_fn() if self._waiting_fn else self._waiting_for,
            supply=list(self._supply),
            invoices=list(self._invoices),
            events=list(self._events),
            workflow_id=workflow.info().workflow_id,
        )

    # ------------------------------------------------------------------ the cycle

    @workflow.run
    async def run(self, line: LineInput) -> LineView:
        for rule in line.applied_rules:  # order rules that set this line's flags at booking
            self._event(EventType.ORDER_RULE_APPLIED, rule)
        try:
            await self._fulfill()
        except LineCanceled:
            self._status = LineStatus.CANCELED
            self._waiting_for = None
            self._publish()
            self._event(EventType.LINE_CANCELED, self._cancel_reason or "canceled")
        return self.line_status()

    async def _fulfill(self) -> None:
        line = self._line
        self._publish()
        if not line.back_to_back and workflow.patched(SHIP_FROM_STOCK):
            await self._reserve_from_stock()
            await self._ship()
            await self._bill_and_close()
            return
        if not line.back_to_back:
            # Lines booked before shipping from stock existed keep their old path.
            await self._manual_action(
                f"item {line.item_number} is not back-to-back for this line "
                f"({line.back_to_back_reason}); fulfillment from stock is not handled by "
                "this release, so the line needs a person"
            )
            return
        attempt = 0
        while True:
            decision = await self._activity(
                "schedule_line",
                LineStep(
                    key=self._key("schedule" if attempt == 0 else f"schedule-{attempt}"), line=line
                ),
                SourcingDecision,
                summary=f"Apply sourcing rules for {line.item_number}",
            )
            for reason in decision.explanation:
                self._event(EventType.LINE_SCHEDULED, reason)
            reason = decision.manual_action_reason or "no supply source"
            if decision.parts:
                break
            if decision.supply_type is SupplyType.TRANSFER:
                if await self._create_transfer_supply(decision, attempt):
                    break
                reason = (
                    f"the free stock at {decision.source_organization} was taken before the"
                    " transfer could ship; retry to source the line again"
                )
            elif decision.supply_type is not None:
                break
            # Not ready: a person fixes the setup and retries, or cancels the line.
            await self._manual_action(reason, attempt=attempt)
            attempt += 1
        if decision.parts:
            await self._create_split_supply(decision)
        elif decision.supply_type is SupplyType.MAKE:
            await self._create_make_supply(decision)
        elif decision.supply_type is SupplyType.BUY:
            await self._create_buy_supply(decision)
        self._supply_ready = True
        await self._supply_increases()
        await self._await_supply()
        await self._ship()
        await self._bill_and_close()

    async def _create_split_supply(self, decision: SourcingDecision) -> None:
        """One pegged document per source of a split line, each for its share; then wait
        for the POs that need a buyer's approval."""
        for index, part in enumerate(decision.parts, start=1):
            part_key = f"-part-{index}"
            if part.supply_type is SupplyType.BUY:
                await self._create_buy_supply(part, part_key=part_key, wait_for_approval=False)
            elif part.supply_type is SupplyType.MAKE:
                await self._create_make_supply(part, part_key=part_key)
            else:
                while not await self._create_transfer_supply(
                    part, self._retries, part_key=part_key
                ):
                    await self._manual_action(
                        f"the free stock at {part.source_organization} was taken before the"
                        f" transfer of {_q(part.quantity or ZERO)} could ship; retry to try"
                        " the transfer again",
                        attempt=self._retries,
                    )
        if self._canceled > 0:
            # A cancel that came while the parts were made: bring them to what is open.
            await self._reduce_supply("split-settle")
        for supply in self._supply:
            if supply.status is SupplyStatus.AWAITING_APPROVAL:
                number = supply.document_number
                await self._wait(
                    cast("Callable[[], bool]", lambda number=number: number in self._approved_pos),
                    f"Waiting for a buyer to approve {number}",
                )
                supply.status = SupplyStatus.AWAITING_RECEIPT
                self._publish()

    async def _open_supply_order(
        self, decision: SourcingDecision, summary: str, *, part_key: str = ""
    ) -> tuple[SupplyStep, SupplyOrderResult]:
        """The supply order every supply type starts with (cancellations first and after)."""
        await self._apply_cancels()
        step = SupplyStep(
            key=self._key(f"supply-order{part_key}"), line=self._line, decision=decision
        )
        supply_order = await self._activity(
            "create_supply_order", step, SupplyOrderResult, summary=summary
        )
        await self._apply_cancels()
        return step, supply_order

    async def _create_buy_supply(
        self, decision: SourcingDecision, *, part_key: str = "", wait_for_approval: bool = True
    ) -> None:
        line = self._line
        step, supply_order = await self._open_supply_order(
            decision,
            f"Supply order: BUY {line.item_number} from {decision.supplier}",
            part_key=part_key,
        )
        self._event(EventType.SUPPLY_ORDER_CREATED, supply_order.supply_order_number)
        requisition = await self._activity(
            "create_requisition",
            step.model_copy(
                update={
                    "key": self._key(f"requisition{part_key}"),
                    "supply_order_number": supply_order.supply_order_number,
                }
            ),
            RequisitionResult,
            summary=f"Requisition for {supply_order.supply_order_number}",
        )
        self._event(EventType.REQUISITION_CREATED, requisition.requisition_number)
        await self._apply_cancels()
        po = await self._activity(
            "create_purchase_order",
            step.model_copy(
                update={
                    "key": self._key(f"purchase-order{part_key}"),
                    "supply_order_number": supply_order.supply_order_number,
                    "requisition_number": requisition.requisition_number,
                    "workflow_id": workflow.info().workflow_id,
                    "today": workflow.now().date(),
                }
            ),
            PurchaseOrderResult,
            summary=f"Purchase order to {decision.supplier} on {decision.agreement}",
        )
        if po is None:
            # The system of record says the line was canceled before its PO could be made;
            # the cancellation's signal is on its way and carries the reason.
            await self._wait(lambda: False, "Canceled before the purchase order was made")
        if self._po is None:
            self._po = po
        self._pos.append(po)
        self._approved = po.status == "OPEN"
        if self._approved:
            self._approved_pos.add(po.po_number)
        self._supply.append(
            SupplyView(
                type=SupplyType.BUY,
                status=SupplyStatus.AWAITING_RECEIPT
                if self._approved
                else SupplyStatus.AWAITING_APPROVAL,
                document_type=DocumentType.PURCHASE_ORDER,
                document_number=po.po_number,
                document_line=po.po_line,
                quantity=po.quantity,
                supplier=po.supplier,
                organization=line.organization,
                supply_order_number=supply_order.supply_order_number,
                requisition_number=requisition.requisition_number,
                need_by_date=po.need_by_date,
            )
        )
        self._supply_created(
            EventType.PURCHASE_ORDER_CREATED,
            f"{po.po_number} line {po.po_line}: {_q(po.quantity)} at "
            f"{json_money(po.unit_price)} from {po.supplier}, {po.status}",
        )
        if not self._approved and wait_for_approval:
            await self._wait(
                lambda: self._approved, f"Waiting for a buyer to approve {po.po_number}"
            )
            self._set_supply_status(SupplyStatus.AWAITING_RECEIPT)

    async def _reserve_from_stock(self) -> None:
        """A line that is not back-to-back ships from stock: reserve what is free now; the
        rest waits as a backorder until stock arrives (served in booking order)."""
        line = self._line
        reservation = await self._activity(
            "reserve_on_hand",
            LineStep(key=self._key("reserve-on-hand"), line=line),
            StockReservation,
            summary=f"Reserve {_q(line.quantity)} {line.item_number} from stock at "
            f"{line.organization}",
        )
        self._reserved += reservation.quantity
        self._supply.append(
            SupplyView(
                type=SupplyType.ON_HAND,
                status=SupplyStatus.AWAITING_RECEIPT,
                document_type=DocumentType.RESERVATION,
                document_number=reservation.reservation_number,
                quantity=line.quantity,
                organization=line.organization,
            )
        )
        self._event(
            EventType.SUPPLY_RESERVED,
            f"{_q(reservation.quantity)} reserved from stock ({reservation.reservation_number})",
        )
        short = self._open - self._shipped - self._reserved
        if short > 0:
            self._status = LineStatus.BACKORDERED
            self._event(EventType.LINE_BACKORDERED, f"{_q(short)} short, waiting for stock")
            self._publish()
        await self._wait(
            lambda: self._reserved >= self._open - self._shipped,
            lambda: (
                f"Backordered: waiting for stock at {line.organization}, "
                f"{_q(self._reserved)} of {_q(self._open)} reserved"
            ),
        )
        self._set_supply_status(SupplyStatus.RECEIVED)
        self._status = LineStatus.AWAITING_SHIPPING
        self._past_supply = True
        self._publish()

    async def _create_transfer_supply(
        self, decision: SourcingDecision, attempt: int, *, part_key: str = ""
    ) -> bool:
        """Ship a transfer order from the source organization; False when the source's
        free stock was taken since scheduling (nothing was changed then)."""
        line = self._line
        step, supply_order = await self._open_supply_order(
            decision,
            f"Supply order: TRANSFER {line.item_number} from {decision.source_organization}",
            part_key=part_key,
        )
        transfer = await self._activity(
            "create_transfer_order",
            step.model_copy(
                update={
                    "key": self._key(
                        f"transfer-order{part_key}"
                        if attempt == 0
                        else f"transfer-order{part_key}-{attempt}"
                    ),
                    "supply_order_number": supply_order.supply_order_number,
                    "workflow_id": workflow.info().workflow_id,
                    "today": workflow.now().date(),
                }
            ),
            TransferOrderResult,
            summary=f"Transfer order from {decision.source_organization} to {line.organization}",
        )
        if transfer is None:
            await self._wait(lambda: False, "Canceled before the transfer order was made")
        if transfer.short:
            return False
        self._event(EventType.SUPPLY_ORDER_CREATED, supply_order.supply_order_number)
        self._supply.append(
            SupplyView(
                type=SupplyType.TRANSFER,
                status=SupplyStatus.IN_TRANSIT,
                document_type=DocumentType.TRANSFER_ORDER,
                document_number=transfer.transfer_order_number,
                quantity=transfer.quantity,
                organization=transfer.from_organization,
                supply_order_number=supply_order.supply_order_number,
                need_by_date=transfer.expected_arrival,
            )
        )
        self._supply_created(
            EventType.TRANSFER_ORDER_CREATED,
            f"{transfer.transfer_order_number}: {_q(transfer.quantity)} shipped from "
            f"{transfer.from_organization} at {json_money(transfer.transfer_price)} each, "
            f"due {transfer.expected_arrival}",
        )
        return True

    async def _create_make_supply(self, decision: SourcingDecision, *, part_key: str = "") -> None:
        line = self._line
        step, supply_order = await self._open_supply_order(
            decision,
            f"Supply order: MAKE {line.item_number} at {line.organization}",
            part_key=part_key,
        )
        self._event(EventType.SUPPLY_ORDER_CREATED, supply_order.supply_order_number)
        work_order = await self._activity(
            "create_work_order",
            step.model_copy(
                update={
                    "key": self._key(f"work-order{part_key}"),
                    "supply_order_number": supply_order.supply_order_number,
                    "workflow_id": workflow.info().workflow_id,
                    "today": workflow.now().date(),
                }
            ),
            WorkOrderResult,
            summary=f"Work order for {line.item_number} at {line.organization}",
        )
        if work_order is None:
            await self._wait(lambda: False, "Canceled before the work order was made")
        self._supply.append(
            SupplyView(
                type=SupplyType.MAKE,
                status=SupplyStatus.IN_PRODUCTION,
                document_type=DocumentType.WORK_ORDER,
                document_number=work_order.work_order_number,
                quantity=work_order.quantity,
                organization=work_order.organization,
                supply_order_number=supply_order.supply_order_number,
                need_by_date=work_order.need_by_date,
            )
        )
        self._supply_created(
            EventType.WORK_ORDER_CREATED,
            f"{work_order.work_order_number}: make {_q(work_order.quantity)} at "
            f"{work_order.organization} by {work_order.need_by_date}",
        )

    async def _await_supply(self) -> None:
        if len(self._supply) > 1:
            await self._await_split_supply()
            return
        supply = self._supply[0]
        if supply.need_by_date is not None and workflow.patched(JEOPARDY):
            self._jeopardy_watch = asyncio.create_task(self._watch_jeopardy(supply))
        arrivals = "completions" if supply.type is SupplyType.MAKE else "receipts"
        source = f" from {supply.supplier}" if supply.supplier else ""
        await self._wait(
            lambda: self._reserved >= self._open - self._shipped,
            lambda: (
                f"Waiting for {arrivals} on {supply.document_number} line "
                f"{supply.document_line}{source}: {_q(self._received)} of "
                f"{_q(self._open)} received"
            ),
        )
        self._status = LineStatus.AWAITING_SHIPPING
        self._past_supply = True
        self._publish()

    async def _await_split_supply(self) -> None:
        """A split line is supplied when all its documents together cover it; it is late
        once the last expected date has passed."""
        dated = [s for s in self._supply if s.need_by_date is not None]
        if dated:
            latest = max(dated, key=lambda s: s.need_by_date or date.min)
            self._jeopardy_watch = asyncio.create_task(self._watch_jeopardy(latest))

        def waiting() -> str:
            documents = ", ".join(
                f"{s.document_number} {_q(self._arrived.get(s.document_number, ZERO))} of "
                f"{_q(s.quantity)}"
                for s in self._supply
                if s.status is not SupplyStatus.CANCELED
            )
            return (
                f"Waiting for supply from {len(self._supply)} sources ({documents}): "
                f"{_q(self._received)} of {_q(self._open)} received"
            )

        await self._wait(self._supplied, waiting)
        self._status = LineStatus.AWAITING_SHIPPING
        self._past_supply = True
        self._publish()

    def _document_arrived(self, document_number: str) -> None:
        arrived = self._arrived.get(document_number, ZERO)
        for supply in self._supply:
            if supply.document_number == document_number and arrived >= supply.quantity:
                supply.status = SupplyStatus.RECEIVED
        self._publish()

    def _supplied(self) -> bool:
        return self._reserved >= self._open - self._shipped

    async def _watch_jeopardy(self, supply: SupplyView) -> None:
        """Raise jeopardy when the supply is not complete by its expected date (lead time
        of the agreement or work definition, transit days); clear it when it arrives."""
        assert supply.need_by_date is not None
        due = datetime(
            supply.need_by_date.year,
            supply.need_by_date.month,
            supply.need_by_date.day,
            tzinfo=UTC,
        ) + timedelta(days=1)  # late once the whole expected day has passed
        try:
            await workflow.wait_condition(
                self._supplied, timeout=max(due - workflow.now(), timedelta(seconds=1))
            )
            return
        except TimeoutError:
            pass
        await self._set_jeopardy(
            True,
            f"{supply.document_number} expected by {supply.need_by_date} is late: "
            f"{_q(self._received)} of {_q(self._open)} received",
        )
        await workflow.wait_condition(self._supplied)
        await self._set_jeopardy(False, f"{supply.document_number} arrived")

    async def _set_jeopardy(self, raised: bool, detail: str) -> None:
        self._jeopardy = raised
        event = EventType.JEOPARDY_RAISED if raised else EventType.JEOPARDY_CLEARED
        self._event(event, detail)
        self._publish()
        await self._activity(
            "record_line_event",
            LineStatusChange(
                key=self._key(f"jeopardy-{'raised' if raised else 'cleared'}"),
                order_number=self._line.order_number,
                line_number=self._line.line_number,
                status=self._status,
                event=event,
                data={"detail": detail},
            ),
            type(None),
            summary="Record jeopardy" if raised else "Record jeopardy cleared",
        )

    async def _ship(self) -> None:
        """Pick release, pick, ship; a backorder kept open at pick or ship confirm sends the
        line back for supply (`_resupply_backorder`) and round again."""
        org = self._line.organization
        waves_done = 0  # waves of earlier rounds; the signals of a round may all come at once
        while True:
            await self._wait(
                cast(
                    "Callable[[], bool]",
                    lambda waves_done=waves_done: (
                        self._waves > waves_done or self._stalled() or self._shipped >= self._open
                    ),
                ),
                lambda: (
                    f"Reserved; waiting for a pick wave at {org}"
                    if self._supplied()
                    else f"Waiting for supply of the raised quantity: {_q(self._reserved)} of "
                    f"{_q(self._open - self._shipped)} reserved"
                ),
            )
            # No new wave: what was left of a partly shipped line was canceled.
            released_again = self._waves > waves_done
            if not self._stalled() and released_again:
                self._status = LineStatus.PICK_RELEASED
                self._publish()
                await self._wait(
                    cast(
                        "Callable[[], bool]",
                        lambda waves_done=waves_done: (
                            (self._waves > waves_done and self._picked >= self._released)
                            or self._stalled()
                        ),
                    ),
                    lambda: (
                        f"Waiting for pick confirmation: {_q(self._picked)} of "
                        f"{_q(self._released)} picked"
                    ),
                )
            if not self._stalled() and released_again:
                self._status = LineStatus.STAGED
                self._publish()
                await self._tell_order_staged()
                await self._wait(
                    lambda: self._shipped >= self._open or self._stalled(),
                    lambda: (
                        f"Staged; waiting for ship confirmation: {_q(self._shipped)} of "
                        f"{_q(self._open)} shipped"
                    ),
                )
            if self._shipped >= self._open:
                break
            waves_done = self._waves
            await self._resupply_backorder()
        self._status = LineStatus.SHIPPED
        self._publish()

    async def _tell_order_staged(self) -> None:
        """A line of a shipment set tells its order it is staged: the order workflow holds
        the set and releases it once every open line of it is staged."""
        line = self._line
        if line.shipment_set is None or not workflow.patched(SET_STAGED):
            return
        await workflow.get_external_workflow_handle(order_workflow_id(line.order_number)).signal(
            signals.LINE_STAGED,
            LineStagedSignal(
                line_number=line.line_number,
                shipment_set=line.shipment_set,
                staged_quantity=self._picked - self._shipped,
            ),
        )

    async def _resupply_backorder(self) -> None:
        """Supply what the warehouse backordered: back-to-back lines through the sourcing
        rules again, lines shipped from stock from stock as it arrives."""
        line = self._line
        self._backorder_open = ZERO
        self._status = LineStatus.AWAITING_SUPPLY if line.back_to_back else LineStatus.BACKORDERED
        self._publish()
        if line.back_to_back:
            self._increase_requests += 1
            await self._supply_increases()
        await self._wait(
            self._supplied,
            lambda: (
                f"Backordered: waiting for {'supply' if line.back_to_back else 'stock'} at "
                f"{line.organization}, {_q(self._reserved)} of "
                f"{_q(self._open - self._shipped)} reserved"
            ),
        )
        self._status = LineStatus.AWAITING_SHIPPING
        self._publish()

    async def _bill_and_close(self) -> None:
        line = self._line
        self._status = LineStatus.AWAITING_BILLING
        self._waiting_for = "Creating the AR and AP invoices"
        self._publish()
        await self._record_status(LineStatus.AWAITING_BILLING, "billing", None)
        ar = await self._activity(
            "create_ar_invoice",
            LineStep(key=self._key("ar-invoice"), line=line),
            InvoiceResult,
            summary=f"AR invoice to {line.customer_number}",
        )
        self._invoiced = self._shipped
        self._invoices.append(
            {
                "kind": "AR",
                "invoice_number": ar.invoice_number,
                "amount": str(ar.amount),
                "status": ar.status,
            }
        )
        self._event(
            EventType.AR_INVOICE_CREATED, f"{ar.invoice_number} for {json_money(ar.amount)}"
        )
        for index, po in enumerate(self._pos):
            if index > 0 and self._arrived.get(po.po_number, ZERO) <= 0:
                continue  # a later PO canceled before anything arrived: nothing to bill
            ap = await self._activity(
                "create_ap_invoice",
                ApInvoiceStep(
                    key=self._key("ap-invoice" if index == 0 else f"ap-invoice-{po.po_number}"),
                    order_number=line.order_number,
                    line_number=line.line_number,
                    po_number=po.po_number,
                    po_line=po.po_line,
                ),
                InvoiceResult,
                summary=f"AP invoice from {po.supplier}",
            )
            self._invoices.append(
                {
                    "kind": "AP",
                    "invoice_number": ap.invoice_number,
                    "amount": str(ap.amount),
                    "status": ap.status,
                    "hold_reason": ap.hold_reason,
                }
            )
            detail = f"{ap.invoice_number} for {json_money(ap.amount)}, {ap.status}"
            if ap.hold_reason:
                detail += f": {ap.hold_reason}"
            self._event(EventType.AP_INVOICE_CREATED, detail)
        for document in self._pegged_documents:
            await self._activity(
                _DOCUMENT_STEPS[document.type].close,
                self._ref("close-supply"),
                type(None),
                summary=f"Close {document.document_number}",
            )
        if self._supply:  # the document is done, or the stock reservation shipped
            self._set_supply_status(SupplyStatus.CLOSED)
        await self._record_status(LineStatus.CLOSED, "closed", EventType.LINE_CLOSED)
        self._status = LineStatus.CLOSED
        self._waiting_for = None
        self._event(EventType.LINE_CLOSED, "shipped, invoiced and closed")
        self._publish()

    async def _manual_action(self, reason: str, *, attempt: int | None = None) -> None:
        """Park the line with the reason. With an attempt number the line can be retried
        (its setup was the problem) and this returns once it is; otherwise only a
        cancellation ends the wait."""
        self._manual_reason = reason
        self._status = LineStatus.MANUAL_ACTION_REQUIRED
        self._event(EventType.MANUAL_ACTION_REQUIRED, reason)
        self._publish()
        await self._record_status(
            LineStatus.MANUAL_ACTION_REQUIRED,
            "manual-action" if not attempt else f"manual-action-{attempt}",
            EventType.MANUAL_ACTION_REQUIRED,
            {"reason": reason},
        )
        if attempt is None:
            await self._wait(lambda: False, f"Manual action required: {reason}")
            return
        await self._wait(
            lambda: self._retries > attempt,
            f"Manual action required: {reason}. Fix the setup, then retry the line",
        )
        self._manual_reason = None
        self._status = LineStatus.BOOKED
        self._event(EventType.LINE_RETRIED, "retried after manual action")
        self._publish()

    # ------------------------------------------------------------------ cancellations

    @property
    def _open(self) -> Decimal:
        return self._line.quantity + self._increased - self._canceled

    def _increase_pending(self) -> bool:
        return (
            self._supply_ready
            and not self._increasing
            and self._increase_requests > self._increases_supplied
        )

    async def _supply_increases(self) -> None:
        """Supply what revisions added beyond the line's documents: the sourcing rules for
        the difference, then one pegged document per source, like a split line."""
        if not self._increase_pending():
            return
        self._increasing = True
        try:
            while self._increase_requests > self._increases_supplied:
                target = self._increase_requests
                attempt = self._increase_rounds
                self._increase_rounds += 1
                # What no document still brings and no reservation or shipment covers.
                outstanding = sum(
                    (
                        max(s.quantity - self._arrived.get(s.document_number, ZERO), ZERO)
                        for s in self._supply
                        if s.status is not SupplyStatus.CANCELED and s.type in _DOCUMENT_STEPS
                    ),
                    ZERO,
                )
                needed = self._open - self._shipped - self._reserved - outstanding
                if needed <= 0:
                    self._increases_supplied = target
                    continue
                decision = await self._activity(
                    "schedule_line",
                    LineStep(
                        key=self._key(f"schedule-increase-{attempt}"),
                        line=self._line.model_copy(update={"quantity": needed}),
                    ),
                    SourcingDecision,
                    summary=f"Apply sourcing rules for {_q(needed)} more {self._line.item_number}",
                )
                for reason in decision.explanation:
                    self._event(EventType.LINE_SCHEDULED, f"increase: {reason}")
                parts = decision.parts or (
                    [decision.model_copy(update={"quantity": needed})]
                    if decision.supply_type is not None
                    else []
                )
                for index, part in enumerate(parts, start=1):
                    part_key = f"-increase-{attempt}-{index}"
                    if part.supply_type is SupplyType.BUY:
                        await self._create_buy_supply(
                            part, part_key=part_key, wait_for_approval=False
                        )
                    elif part.supply_type is SupplyType.MAKE:
                        await self._create_make_supply(part, part_key=part_key)
                    elif not await self._create_transfer_supply(part, 0, part_key=part_key):
                        parts = []  # the source's stock went meanwhile: source it again
                        break
                if not parts:
                    await self._manual_action(
                        decision.manual_action_reason
                        or "the increased quantity found no source that can supply it",
                        attempt=self._retries,
                    )
                    continue
                self._increases_supplied = target
        finally:
            self._increasing = False

    async def _wait(self, done: Callable[[], bool], waiting_for: str | Callable[[], str]) -> None:
        """Wait until `done()` holds, compensating any cancellation that arrives first."""
        while True:
            await self._apply_cancels()
            await self._supply_increases()
            if done():
                self._waiting_fn = None
                self._waiting_for = None
                return
            self._waiting_fn = waiting_for if callable(waiting_for) else lambda: str(waiting_for)
            self._show_details()
            await workflow.wait_condition(
                lambda: done() or bool(self._pending_cancels) or self._increase_pending()
            )

    async def _apply_cancels(self) -> None:
        """Compensate what exists for each cancellation, then unwind if nothing is left.

        The system of record already holds the new quantity; the compensations read it, so
        they are right whichever order the cancel and the supply steps happened in.
        """
        while self._pending_cancels:
            cancel = self._pending_cancels.pop(0)
            self._canceled += cancel.quantity
            self._cancel_reason = cancel.reason
            # Released and picked count up, shipped included (as in the warehouse's rows).
            self._released = min(self._released, self._open)
            self._picked = min(self._picked, self._open)
            if cancel.backorder:
                event = EventType.BACKORDER_CANCELED
            else:
                event = EventType.LINE_CANCELED if cancel.full else EventType.LINE_QUANTITY_REDUCED
            self._event(event, f"{_q(cancel.quantity)} canceled: {cancel.reason}")
            key = f"cancel-{cancel.request_id}"
            if cancel.reduce_supply:
                await self._reduce_supply(key)
            elif kept := [s.document_number for s in self._supply if s.type in _DOCUMENT_STEPS]:
                self._event(
                    EventType.SUPPLY_KEPT_FOR_REVIEW,
                    f"Cancel Supply When Canceling Backorders is off: {', '.join(kept)} kept"
                    " as they are and listed for review",
                )
            released = await self._activity(
                "release_excess_reservation",
                self._ref(f"{key}:release"),
                Decimal,
                summary="Release reservations beyond the open quantity",
            )
            if released > 0:
                self._reserved -= released
                self._event(EventType.RESERVATION_RELEASED, f"{_q(released)} released to stock")
            self._publish()
            self._resupplied()  # a smaller line may be covered by what it already has
        if self._open <= 0:
            raise LineCanceled

    async def _reduce_supply(self, key: str) -> None:
        """Bring every pegged supply document down to what the line still needs."""
        for document in self._pegged_documents:
            steps = _DOCUMENT_STEPS[document.type]
            changes = await self._activity(
                steps.reduce,
                self._ref(f"{key}:reduce-supply"),
                list[SupplyChange],
                summary=f"Reduce {document.document_number} after cancellation",
            )
            self._apply_supply_changes(steps.changed, changes)

    @property
    def _pegged_documents(self) -> list[SupplyView]:
        """The first supply document of each type pegged to the line: each type's reduce
        and close steps cover all of the line's documents of that type (a stock
        reservation is none)."""
        first: dict[SupplyType, SupplyView] = {}
        for supply in self._supply:
            if supply.type in _DOCUMENT_STEPS:
                first.setdefault(supply.type, supply)
        return list(first.values())

    def _supply_created(self, event: EventType, detail: str) -> None:
        """The line's supply document exists: the line now awaits supply."""
        self._event(event, detail)
        self._status = LineStatus.AWAITING_SUPPLY
        self._publish()

    def _apply_supply_changes(self, event: EventType, changes: list[SupplyChange]) -> None:
        for change in changes:
            self._event(
                event,
                f"{change.document_number}: {_q(change.remaining_quantity)} left, "
                f"{change.document_status}",
            )
            for supply in self._supply:
                if supply.document_number == change.document_number:
                    supply.quantity = change.remaining_quantity
                    if change.document_status == "CANCELED":
                        supply.status = SupplyStatus.CANCELED

    # ------------------------------------------------------------------ helpers

    def _key(self, step: str) -> str:
        return f"{workflow.info().workflow_id}:{step}"

    def _ref(self, step: str) -> LineRef:
        return LineRef(
            key=self._key(step),
            order_number=self._line.order_number,
            line_number=self._line.line_number,
        )

    async def _activity(self, name: str, arg: object, result_type: Any, *, summary: str) -> Any:
        return await workflow.execute_activity(
            name,
            arg,
            result_type=result_type,
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
            summary=summary,
        )

    async def _record_status(
        self,
        status: LineStatus,
        step: str,
        event: EventType | None,
        data: dict[str, object] | None = None,
    ) -> None:
        await self._activity(
            "record_line_status",
            LineStatusChange(
                key=self._key(step),
                order_number=self._line.order_number,
                line_number=self._line.line_number,
                status=status,
                event=event,
                data=data or {},
            ),
            type(None),
            summary=f"Record line status {status}",
        )

    def _event(self, type_: EventType, detail: str) -> None:
        self._events.append(LineEvent(at=workflow.now(), type=type_, detail=detail))

    def _set_supply_status(self, status: SupplyStatus) -> None:
        for supply in self._supply:
            if supply.status not in (SupplyStatus.CANCELED, SupplyStatus.CLOSED):
                supply.status = status
        self._publish()

    def _publish(self) -> None:
        """Keep the Web UI's search attributes and current details in step with the line."""
        values: dict[str, Any] = {
            sa.LINE_STATUS.name: self._status.value,
            sa.JEOPARDY.name: self._jeopardy,
        }
        if self._supply:
            values[sa.SUPPLY_TYPE.name] = self._supply[0].type.value
            values[sa.SUPPLY_STATUS.name] = self._supply[-1].status.value
            values[sa.SUPPLY_DOCUMENTS.name] = [s.document_number for s in self._supply]
            suppliers = sorted({s.supplier for s in self._supply if s.supplier})
            if suppliers:
                values[sa.SUPPLIER.name] = suppliers[0]
        # Upsert only what changed: each upsert is an event in the line's history.
        changed = {k: v for k, v in values.items() if self._published.get(k) != v}
        if changed:
            self._published.update(changed)
            workflow.upsert_search_attributes(
                [_SEARCH_ATTRIBUTES[name].value_set(value) for name, value in changed.items()]
            )
        if self._status != self._logged_status:
            self._logged_status = self._status
            # workflow.logger is replay-safe: nothing is logged again while replaying.
            workflow.logger.info(
                "line status %s",
                self._status.value,
                extra={
                    "order_number": self._line.order_number,
                    "line_number": self._line.line_number,
                    "status": self._status.value,
                    "open_quantity": str(self._open),
                },
            )
        self._show_details()

    def _show_details(self) -> None:
        """The Web UI's current details: status, open quantity, what the line waits for."""
        if self._waiting_fn is not None:
            self._waiting_for = self._waiting_fn()
        details = f"**{self._status.value}** · {_q(self._open)} {self._line.item_number}"
        if self._waiting_for and self._status not in (LineStatus.CLOSED, LineStatus.CANCELED):
            details += f" · {self._waiting_for}"
        workflow.set_current_details(details)


def initial_search_attributes(line: LineInput) -> TypedSearchAttributes:
    """Search attributes a line starts with (set by whoever starts the workflow)."""
    pairs: list[SearchAttributePair[Any]] = [
        SearchAttributePair(sa.ORDER_NUMBER, line.order_number),
        SearchAttributePair(sa.CUSTOMER_NUMBER, line.customer_number),
        SearchAttributePair(sa.ITEM_NUMBER, line.item_number),
        SearchAttributePair(sa.WAREHOUSE, line.organization),
        SearchAttributePair(sa.LINE_STATUS, LineStatus.BOOKED.value),
        SearchAttributePair(sa.JEOPARDY, False),
    ]
    if line.requested_ship_date is not None:
        day = line.requested_ship_date
        pairs.append(
            SearchAttributePair(
                sa.REQUESTED_SHIP_DATE, datetime(day.year, day.month, day.day, tzinfo=UTC)
            )
        )
    return TypedSearchAttributes(pairs)
