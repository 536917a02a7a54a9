"""FulfillmentLineWorkflowV2: one sales-order line through the back-to-back cycle.

    source (sourcing rules) -> supply: purchase order / work order / transfer order, pegged
    (or a reservation of stock) -> arrivals reserved through the peg -> pick waves, picks,
    shipments -> AR invoice, AP invoices -> close

PostgreSQL applies every fact to the line's ledger (`domain/line`) and the signal or
activity result that follows carries the new ledger with its version; the workflow keeps the
newest (`LineState.adopt`) and never counts quantities itself. The status is
`line_status(ledger)`. The workflow keeps what only it knows: the documents it made,
approvals, the narrative of events, manual-action reasons, jeopardy. What it does next is
`domain.line.progress.next_step`.

Lines started before this type finish on `workflows/line_v1.py` (`FulfillmentLineWorkflow`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.legacy.release2.activities.billing import BillingActivities
    from workflows.legacy.release2.activities.inventory import InventoryActivities
    from workflows.legacy.release2.activities.payloads import LineStep
    from workflows.legacy.release2.activities.planning import PlanningActivities
    from workflows.legacy.release2.domain import search_attributes as sa
    from workflows.legacy.release2.domain import signals
    from workflows.legacy.release2.domain.identity import order_workflow_id
    from workflows.legacy.release2.domain.line import ZERO
    from workflows.legacy.release2.domain.line.progress import Step, next_step
    from workflows.legacy.release2.domain.models import (
        ApprovalSignal,
        CancelSignal,
        InvoiceResult,
        LineInput,
        LineStagedSignal,
        LineView,
        PickConfirmSignal,
        PickReleaseSignal,
        QuantityIncreasedSignal,
        ReceiptSignal,
        RetrySignal,
        ShipConfirmSignal,
        StockReservedSignal,
        json_money,
    )
    from workflows.legacy.release2.domain.models import json_quantity as _q
    from workflows.legacy.release2.domain.statuses import (
        EventType,
        LineStatus,
        SupplyStatus,
        SupplyType,
    )
    from workflows.legacy.release2.line_state import LineState
    from workflows.legacy.release2.line_supply import CLOSE, SupplySteps


class LineCanceled(Exception):
    """Unwinds the cycle once nothing is open on the line."""


@workflow.defn(name="FulfillmentLineWorkflowV2")
class FulfillmentLineWorkflowV2(SupplySteps):
    @workflow.init
    def __init__(self, line: LineInput) -> None:
        self._s = LineState.booked(line)
        # What the search attributes hold now: the starter sets these (initial_search_attributes).
        self._published: dict[str, Any] = {
            sa.LINE_STATUS.name: LineStatus.BOOKED.value,
            sa.JEOPARDY.name: False,
        }
        self._logged: LineStatus | None = None
        self._jeopardy_watch: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ signals and queries

    @workflow.signal(name=signals.RECEIPT_RECORDED)
    def receipt_recorded(self, receipt: ReceiptSignal) -> None:
        s = self._s
        if not s.first_time(f"scan:{receipt.scan_id}"):
            return
        s.adopt(receipt.ledger)
        number = receipt.document_number
        s.count_arrival(number, receipt.quantity)
        self._event(
            EventType.RECEIPT_RECORDED,
            f"{_q(receipt.quantity)} received on {number} line {receipt.document_line}"
            f" ({receipt.receipt_number}), reserved to this line",
        )

    @workflow.signal(name=signals.PURCHASE_ORDER_APPROVED)
    def purchase_order_approved(self, approval: ApprovalSignal) -> None:
        s = self._s
        if not s.first_time(f"approval:{approval.po_number}"):
            return
        s.approved.add(approval.po_number)
        for supply in s.supply:
            if (
                supply.document_number == approval.po_number
                and supply.status is SupplyStatus.AWAITING_APPROVAL
            ):
                supply.status = SupplyStatus.AWAITING_RECEIPT
        self._event(
            EventType.PURCHASE_ORDER_APPROVED,
            f"{approval.po_number} approved by {approval.approved_by}",
        )

    @workflow.signal(name=signals.STOCK_RESERVED)
    def stock_reserved(self, stock: StockReservedSignal) -> None:
        if self._s.first_time(f"stock:{stock.reservation_number}"):
            self._s.adopt(stock.ledger)
            self._event(
                EventType.SUPPLY_RESERVED,
                f"{_q(stock.quantity)} reserved from arriving stock ({stock.reservation_number})",
            )

    @workflow.signal(name=signals.PICK_RELEASED)
    def pick_released(self, release: PickReleaseSignal) -> None:
        if self._s.first_time(f"wave:{release.wave_number}"):
            self._s.adopt(release.ledger)
            self._event(
                EventType.PICK_RELEASED,
                f"{_q(release.quantity)} released to the warehouse in {release.wave_number}",
            )

    @workflow.signal(name=signals.PICK_CONFIRMED)
    def pick_confirmed(self, pick: PickConfirmSignal) -> None:
        if self._s.first_time(f"scan:{pick.scan_id}"):
            self._s.adopt(pick.ledger)
            self._event(EventType.PICK_CONFIRMED, f"{_q(pick.picked_quantity)} picked and staged")
            self._backordered(pick.kept_backordered_quantity, "not found at pick confirm")

    @workflow.signal(name=signals.SHIP_CONFIRMED)
    def ship_confirmed(self, ship: ShipConfirmSignal) -> None:
        if self._s.first_time(f"scan:{ship.scan_id}"):
            self._s.adopt(ship.ledger)
            self._event(
                EventType.LINE_SHIPPED,
                f"{_q(ship.shipped_quantity)} shipped on {ship.shipment_number}",
            )
            self._backordered(ship.kept_backordered_quantity, "not shipped at ship confirm")

    def _backordered(self, quantity: Decimal, why: str) -> None:
        if quantity > 0:
            self._event(
                EventType.LINE_BACKORDERED,
                f"{_q(quantity)} {why}: kept open as a backorder, to be supplied again",
            )

    @workflow.signal(name=signals.CANCEL_REQUESTED)
    def cancel_requested(self, cancel: CancelSignal) -> None:
        if self._s.first_time(f"cancel:{cancel.request_id}"):
            self._s.cancels.append(cancel)

    @workflow.signal(name=signals.QUANTITY_INCREASED)
    def quantity_increased(self, increase: QuantityIncreasedSignal) -> None:
        s = self._s
        if not s.first_time(f"increase:{increase.request_id}"):
            return
        s.adopt(increase.ledger)
        detail = f"quantity raised by {_q(increase.quantity)} to {_q(s.ledger.ordered)}"
        if increase.reserved_quantity > 0:
            detail += f", {_q(increase.reserved_quantity)} reserved from stock"
        self._event(EventType.LINE_QUANTITY_INCREASED, detail)

    @workflow.signal(name=signals.RETRY_REQUESTED)
    def retry_requested(self, retry: RetrySignal) -> None:
        if self._s.first_time(f"retry:{retry.request_id}"):
            self._s.adopt(retry.ledger)
            self._s.retries += 1

    @workflow.query(name=signals.LINE_STATUS_QUERY)
    def line_status(self) -> LineView:
        return self._s.view(workflow.info().workflow_id)

    # ------------------------------------------------------------------ the cycle

    @workflow.run
    async def run(self, line: LineInput) -> LineView:
        for rule in line.applied_rules:  # order rules that set this line's flags at booking
            self._event(EventType.ORDER_RULE_APPLIED, rule)
        self._publish()
        try:
            await self._supply()
            await self._fulfil()
            await self._bill_and_close()
        except LineCanceled:
            self._event(EventType.LINE_CANCELED, self._s.cancel_reason or "canceled")
        self._publish()
        return self.line_status()

    async def _supply(self) -> None:
        """The line's first supply: stock reserved, or documents from the sourcing rules."""
        if self._s.line.back_to_back:
            await self._source(self._s.line.quantity)
        else:
            await self._reserve_from_stock()
        self._s.supplied_once = True
        if self._s.documents:
            self._jeopardy_watch = asyncio.create_task(self._watch_jeopardy())

    async def _fulfil(self) -> None:
        """Until everything open has shipped: supply what the ledger lacks, tell the order
        when a set line is staged, and wait for the warehouse."""
        while True:
            await self._apply_cancels()
            step = next_step(self._s.progress())
            if step is Step.SHIPPED:
                return
            if step is Step.BILL_SHIPMENT:
                await self._bill_shipment()
            elif step is Step.SUPPLY_MORE:
                await self._source(self._s.progress().need)
            elif step is Step.TELL_STAGED:
                await self._tell_order_staged()
            else:
                await self._wait_for_change()

    # ------------------------------------------------------------------ sourcing

    async def _source(self, quantity: Decimal) -> None:
        """Apply the sourcing rules to `quantity` and peg one document per source; a setup
        that cannot supply it parks the line for a person, who fixes it and retries."""
        line = self._s.line
        round_ = self._s.sourcing_rounds
        self._s.sourcing_rounds += 1
        attempt = 0
        while True:
            decision = await self._run(
                PlanningActivities.schedule_line,
                LineStep(
                    key=self._key(f"schedule-{round_}-{attempt}"),
                    line=line.model_copy(update={"quantity": quantity}),
                ),
                summary=f"Apply sourcing rules for {_q(quantity)} {line.item_number}",
            )
            for reason in decision.explanation:
                self._event(EventType.LINE_SCHEDULED, reason)
            parts = decision.parts or (
                [decision.model_copy(update={"quantity": quantity})]
                if decision.supply_type is not None
                else []
            )
            reason = decision.manual_action_reason or "no supply source"
            made = [
                await self._create_document(part, f"-{round_}-{attempt}-{index}")
                for index, part in enumerate(parts, start=1)
            ]
            if parts and all(made):
                return
            if parts:
                reason = (
                    f"the free stock at {decision.source_organization} was taken before the"
                    " transfer could ship; retry to source the line again"
                )
            await self._manual_action(reason, attempt=f"{round_}-{attempt}")
            attempt += 1
            if any(made):  # what was made stays; source the rest
                quantity = self._s.progress().need
                if quantity <= 0:
                    return

    # ------------------------------------------------------------------ shipping and billing

    async def _tell_order_staged(self) -> None:
        """A line of a shipment set tells its order it is staged: the order workflow holds
        the set and releases it once every open line of it is staged."""
        line, q = self._s.line, self._s.ledger
        assert line.shipment_set is not None
        self._s.told_staged = True
        await workflow.get_external_workflow_handle(order_workflow_id(line.order_number)).signal(
            signals.LINE_STAGED,
            LineStagedSignal(
                line_number=line.line_number,
                shipment_set=line.shipment_set,
                staged_quantity=q.staged,
            ),
        )

    async def _bill_shipment(self) -> None:
        """An AR invoice for what shipped and is not invoiced yet, at the booked net price
        (keyed by the quantity shipped so far: one per ship confirm)."""
        s, line = self._s, self._s.line
        ar = await self._run(
            BillingActivities.create_ar_invoice,
            LineStep(key=self._key(f"ar-invoice-{s.ledger.shipped}"), line=line),
            summary=f"AR invoice to {line.customer_number}",
        )
        s.adopt(ar.ledger)
        if not ar.invoice_number:
            return  # billed already
        self._record_ar_invoice(ar)

    def _record_ar_invoice(self, ar: InvoiceResult) -> None:
        self._s.invoices.append(ar.customer_entry())
        self._event(
            EventType.AR_INVOICE_CREATED, f"{ar.invoice_number} for {json_money(ar.amount)}"
        )

    async def _bill_and_close(self) -> None:
        s = self._s
        await self._enter_phase(LineStatus.AWAITING_BILLING, "billing", None)
        if s.ledger.shipped > s.ledger.invoiced:
            await self._bill_shipment()
        for index, po in enumerate(d for d in s.documents if d.type is SupplyType.BUY):
            if index > 0 and s.arrived.get(po.document_number, ZERO) <= 0:
                continue  # a later PO canceled before anything arrived: nothing to bill
            await self._bill_supplier(po)
        for type_ in dict.fromkeys(d.type for d in s.documents):
            await self._run(
                CLOSE[type_], self._ref("close-supply"), summary=f"Close {type_} supply"
            )
        if s.supply:  # the documents are done, or the stock reservation shipped
            s.set_supply_status(SupplyStatus.CLOSED)
        await self._enter_phase(LineStatus.CLOSED, "closed", EventType.LINE_CLOSED)
        self._event(EventType.LINE_CLOSED, "shipped, invoiced and closed")

    # ------------------------------------------------------------------ cancels, waits, manual

    async def _apply_cancels(self) -> None:
        """Compensate what exists for each cancel (the ledger already holds it): reduce the
        supply documents by the parameter, give back reservations beyond what is open."""
        s = self._s
        while s.cancels:
            cancel = s.cancels.pop(0)
            s.cancel_reason = cancel.reason
            if cancel.backorder:
                event = EventType.BACKORDER_CANCELED
            else:
                event = EventType.LINE_CANCELED if cancel.full else EventType.LINE_QUANTITY_REDUCED
            self._event(event, f"{_q(cancel.quantity)} canceled: {cancel.reason}")
            key = f"cancel-{cancel.request_id}"
            if cancel.reduce_supply:
                await self._reduce_supply(key)
            elif s.documents:
                kept = ", ".join(d.document_number for d in s.documents)
                self._event(
                    EventType.SUPPLY_KEPT_FOR_REVIEW,
                    f"Cancel Supply When Canceling Backorders is off: {kept} kept as they are"
                    " and listed for review",
                )
            released = await self._run(
                InventoryActivities.release_line_excess,
                self._ref(f"{key}:release"),
                summary="Release reservations beyond the open quantity",
            )
            # The line shows the cancel once what it compensates is done.
            s.adopt(released.ledger)
            s.adopt(cancel.ledger)
            if released.quantity > 0:
                self._event(
                    EventType.RESERVATION_RELEASED, f"{_q(released.quantity)} released to stock"
                )
        if s.ledger.open <= 0:
            raise LineCanceled

    async def _wait_until_canceled(self, why: str) -> None:
        """The system of record refused to make a document because nothing is open: the
        cancel that did it is on its way and unwinds the line."""
        self._event(EventType.LINE_SCHEDULED, why)
        while True:
            await self._apply_cancels()
            await self._wait_for_change()

    async def _manual_action(
        self, reason: str, *, attempt: str, settled: Callable[[], bool] | None = None
    ) -> bool:
        """Park the line with the reason until a person retries it (or cancels it). With
        `settled`, a cancel that makes it true also ends the wait: answers False then, True
        after a retry."""
        s = self._s
        s.manual_reason = reason
        self._event(EventType.MANUAL_ACTION_REQUIRED, reason)
        retries = s.retries
        await self._enter_phase(
            LineStatus.MANUAL_ACTION_REQUIRED,
            f"manual-action-{attempt}",
            EventType.MANUAL_ACTION_REQUIRED,
            {"reason": reason},
        )
        while s.retries == retries:
            await self._apply_cancels()
            if settled is not None and settled():
                return False
            await self._wait_for_change()
        s.manual_reason = None
        self._event(EventType.LINE_RETRIED, "retried after manual action")
        return True
