"""FulfillmentLineWorkflowV3: one sales-order line through the back-to-back cycle.

    wait out the order's credit hold -> supply: the sourcing rules and the documents they
    ask for (purchase order, work order, transfer order) pegged in one step, or stock
    reserved -> fulfil: arrivals reserved through the peg, pick waves, picks and shipments,
    supply again for what the ledger lacks -> bill and close in one step

PostgreSQL applies every quantity fact to the line's ledger and the signal or step result
that follows carries it; the state keeps the newest, and the status is `line_status(ledger)`.
What the cycle does next is `domain.line.progress.next_step`. A cancel can arrive at any
point: the cycle compensates what exists (reduce the documents, release reservations).

The line's state (`line_state.py`) is one model, which is also the input of its next run: a
line that keeps receiving facts continues as new once its history is long. What the line
shows is `line_publish.py`; what each signal does to it, `line_signals.py`; the jeopardy
watch beside the cycle, `line_jeopardy.py`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.inventory import InventoryActivities
    from activities.payloads import LineRef, LineStep
    from activities.shipping import ShippingActivities
    from domain import signals
    from domain.identity import order_workflow_id
    from domain.line.progress import Step, next_step
    from domain.models import (
        ApprovalSignal,
        CancelSignal,
        CreditReleasedSignal,
        HoldsChangedSignal,
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
    )
    from domain.models import json_quantity as _q
    from domain.models.acknowledgments import SupplyAcknowledgedSignal
    from domain.models.drop_ship import DropShippedSignal
    from domain.models.line_signals import ShipDateChangedSignal
    from domain.statuses import EventType, LineStatus
    from workflows import (
        line_jeopardy,
        line_publish,
        line_signals,
        line_steps,
        steps,
    )
    from workflows.line_state import CREDIT_HOLD, LineCarry

T = TypeVar("T")


class LineCanceled(Exception):
    """Unwinds the cycle once nothing is open on the line."""


@workflow.defn(name="FulfillmentLineWorkflowV3")
class FulfillmentLineWorkflowV3:
    @workflow.init
    def __init__(self, line: LineInput, carry: LineCarry | None = None) -> None:
        self._line = line
        self._carry = carry or LineCarry()
        self._s = self._carry.state_of(line)
        self._logged: LineStatus | None = None
        self._watch: asyncio.Task[None] | None = None
        # While the watch records a jeopardy change, the line does not continue as new.
        self.recording_jeopardy = False

    # ------------------------------------------------------------------ signals and query

    @workflow.signal(name=signals.RECEIPT_RECORDED)
    def receipt_recorded(self, receipt: ReceiptSignal) -> None:
        line_signals.receipt(self._s, receipt, workflow.now())

    @workflow.signal(name=signals.PURCHASE_ORDER_APPROVED)
    def purchase_order_approved(self, approval: ApprovalSignal) -> None:
        line_signals.approval(self._s, approval, workflow.now())

    @workflow.signal(name=signals.STOCK_RESERVED)
    def stock_reserved(self, stock: StockReservedSignal) -> None:
        line_signals.stock_reserved(self._s, stock, workflow.now())

    @workflow.signal(name=signals.PICK_RELEASED)
    def pick_released(self, release: PickReleaseSignal) -> None:
        line_signals.pick_released(self._s, release, workflow.now())

    @workflow.signal(name=signals.PICK_CONFIRMED)
    def pick_confirmed(self, pick: PickConfirmSignal) -> None:
        line_signals.pick_confirmed(self._s, pick, workflow.now())

    @workflow.signal(name=signals.SHIP_CONFIRMED)
    def ship_confirmed(self, ship: ShipConfirmSignal) -> None:
        line_signals.ship_confirmed(self._s, ship, workflow.now())

    @workflow.signal(name=signals.DROP_SHIPPED)
    def drop_shipped(self, notice: DropShippedSignal) -> None:
        line_signals.drop_shipped(self._s, self._line, notice, workflow.now())

    @workflow.signal(name=signals.CANCEL_REQUESTED)
    def cancel_requested(self, cancel: CancelSignal) -> None:
        line_signals.cancel_requested(self._s, cancel)

    @workflow.signal(name=signals.QUANTITY_INCREASED)
    def quantity_increased(self, increase: QuantityIncreasedSignal) -> None:
        line_signals.quantity_increased(self._s, increase, workflow.now())

    @workflow.signal(name=signals.RETRY_REQUESTED)
    def retry_requested(self, retry: RetrySignal) -> None:
        line_signals.retry_requested(self._s, retry)

    @workflow.signal(name=signals.CREDIT_RELEASED)
    def credit_released(self, released: CreditReleasedSignal) -> None:
        line_signals.credit_released(self._s, released)

    @workflow.signal(name=signals.HOLDS_CHANGED)
    def holds_changed(self, change: HoldsChangedSignal) -> None:
        line_signals.holds_changed(self._s, change)
        workflow.set_current_details(line_publish.details(self._line, self._s))

    @workflow.signal(name=signals.SUPPLY_ACKNOWLEDGED)
    def supply_acknowledged(self, ack: SupplyAcknowledgedSignal) -> None:
        line_signals.supply_acknowledged(self._s, ack, workflow.now())

    @workflow.signal(name=signals.REQUESTED_SHIP_DATE_CHANGED)
    def requested_ship_date_changed(self, change: ShipDateChangedSignal) -> None:
        line_signals.ship_date_changed(self._s, change, workflow.now())

    @workflow.query(name=signals.LINE_STATUS_QUERY)
    def line_status(self) -> LineView:
        return line_publish.view(self._line, self._s, workflow.info().workflow_id)

    # ------------------------------------------------------------------ the cycle

    @workflow.run
    async def run(self, line: LineInput, carry: LineCarry | None = None) -> LineView:
        resumed = self._carry.state is not None
        if not resumed:
            for rule in line.applied_rules:  # order rules that set this line's flags
                self.event(EventType.ORDER_RULE_APPLIED, rule)
        self.publish()
        if resumed and self._s.documents:  # the watch of the run before goes on
            self._watch = asyncio.create_task(line_jeopardy.watch(self, self._s))
        try:
            if not resumed:
                await self._wait_out_credit_hold()
                await self._supply()
            await self._fulfil()
            await line_steps.bill_and_close(self, self._s)
        except LineCanceled:
            self.event(EventType.LINE_CANCELED, self._s.cancel_reason or "canceled")
        self.publish()
        return self.line_status()

    async def _wait_out_credit_hold(self) -> None:
        """A line started while its order is on credit hold waits for the credit release
        (or a cancel) before anything is sourced or reserved."""
        while self._s.status is LineStatus.MANUAL_ACTION_REQUIRED:
            await self._apply_cancels()
            await self._wait_for_change()
        if self._s.manual_reason == CREDIT_HOLD:
            self._s.manual_reason = None
            self.event(EventType.CREDIT_AUTHORIZED, "the order's credit is authorized")

    async def _supply(self) -> None:
        """The line's first supply: documents from the sourcing rules, or stock reserved."""
        s = self._s
        if self._line.back_to_back:
            await line_steps.source(self, s, self._line.quantity)
        else:
            await self._reserve_from_stock()
        s.supplied_once = True
        if s.documents:
            self._watch = asyncio.create_task(line_jeopardy.watch(self, s))

    async def _fulfil(self) -> None:
        """Until everything open has shipped: supply what the ledger lacks, tell the order
        when a set line is staged, bill each shipment, and wait for the warehouse."""
        while True:
            await self._apply_cancels()
            step = next_step(self._s.progress(self._line))
            if step is Step.SHIPPED:
                return
            if step is Step.BILL_SHIPMENT:
                await line_steps.bill_shipment(self, self._s)
            elif step is Step.SUPPLY_MORE:
                await line_steps.source(self, self._s, self._s.progress(self._line).need)
            elif step is Step.TELL_STAGED:
                await self._tell_order_staged()
            else:
                await self._continue_as_new_if_long()
                await self._wait_for_change()

    # ------------------------------------------------------------------ supply

    async def _reserve_from_stock(self) -> None:
        """A line that is not back-to-back ships from stock: what is free is reserved now,
        the rest waits as a backorder, served in booking order as stock arrives."""
        line, s = self._line, self._s
        reservation = await self.activity(
            InventoryActivities.reserve_on_hand,
            LineStep(key=steps.key("reserve-on-hand"), line=line),
            summary=f"Reserve {_q(line.quantity)} {line.item_number} from stock at "
            f"{line.organization}",
        )
        s.adopt(reservation.ledger)
        s.add_reservation(line, reservation.reservation_number)
        self.event(
            EventType.SUPPLY_RESERVED,
            f"{_q(reservation.quantity)} reserved from stock ({reservation.reservation_number})",
        )
        if s.ledger.to_supply > 0:
            short = s.ledger.to_supply
            self.event(EventType.LINE_BACKORDERED, f"{_q(short)} short, waiting for stock")

    # ------------------------------------------------------------------ cancels and waits

    async def _apply_cancels(self) -> None:
        """Compensate what exists for each cancel; a line with nothing open unwinds."""
        await line_steps.compensate(self, self._s)
        if self._s.ledger.open <= 0:
            raise LineCanceled

    async def wait_until_canceled(self, why: str) -> None:
        """The system of record made no document because nothing is open: the cancel that
        did it is on its way and unwinds the line."""
        self.event(EventType.LINE_SCHEDULED, why)
        while True:
            await self._apply_cancels()
            await self._wait_for_change()

    async def manual_action(
        self, reason: str, *, attempt: str, settled: Callable[[], bool] | None = None
    ) -> bool:
        """Park the line with the reason until a person retries it (or cancels it). With
        `settled`, a cancel that makes it true also ends the wait: answers False then, True
        after a retry."""
        s = self._s
        s.manual_reason = reason
        self.event(EventType.MANUAL_ACTION_REQUIRED, reason)
        retries = s.retries
        ledger = await self.activity(
            ShippingActivities.enter_line_phase,
            steps.phase(
                self._line,
                LineStatus.MANUAL_ACTION_REQUIRED,
                f"manual-action-{attempt}",
                EventType.MANUAL_ACTION_REQUIRED,
                {"reason": reason},
            ),
            summary=f"Record line status {LineStatus.MANUAL_ACTION_REQUIRED}",
        )
        s.adopt(ledger)
        while s.retries == retries:
            await self._apply_cancels()
            if settled is not None and settled():
                return False
            await self._wait_for_change()
        s.manual_reason = None
        self.event(EventType.LINE_RETRIED, "retried after manual action")
        return True

    async def _wait_for_change(self) -> None:
        """Until a signal changes something (a fact, a cancel, an approval, a retry)."""
        changes = self._s.changes
        self.publish()
        await workflow.wait_condition(lambda: self._s.changes != changes)

    async def _continue_as_new_if_long(self) -> None:
        """Waiting for the warehouse with nothing else under way, a long run hands its state
        to the next one (same id, same type)."""
        info = workflow.info()
        long = info.is_continue_as_new_suggested() or (
            info.get_current_history_length() >= self._carry.history_bound
        )
        if long and self._nothing_under_way():
            await workflow.wait_condition(workflow.all_handlers_finished)
            if self._nothing_under_way():
                self.publish()
                runs = self._carry.runs + 1
                carry = self._carry.model_copy(update={"state": self._s, "runs": runs})
                workflow.continue_as_new(args=[self._line, carry])

    def _nothing_under_way(self) -> bool:
        """What the next run needs is all in the state: no jeopardy being recorded, no
        manual action, no cancel to compensate."""
        s = self._s
        return (
            not self.recording_jeopardy
            and s.manual_reason is None
            and not s.cancels
            and s.status is not LineStatus.MANUAL_ACTION_REQUIRED
        )

    # ------------------------------------------------------------------ shipping

    async def _tell_order_staged(self) -> None:
        """A line of a shipment set tells its order it is staged: the order holds the set and
        releases it once every open line of it is staged."""
        line, q = self._line, self._s.ledger
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

    # ------------------------------------------------------------------ what the steps share

    async def activity(
        self, method: Callable[[Any, Any], Awaitable[T]], arg: Any, *, summary: str
    ) -> T:
        """A step as an activity task, the line published first (once per activation)."""
        self.publish()
        return await steps.activity(method, arg, summary=summary)

    def ref(self, step: str) -> LineRef:
        line = self._line
        return LineRef(
            key=steps.key(step), order_number=line.order_number, line_number=line.line_number
        )

    def event(self, type_: EventType, detail: str) -> None:
        self._s.event(workflow.now(), type_, detail)

    def publish(self) -> None:
        """Keep the Web UI's search attributes and details in step with the line: only what
        changed is upserted (each upsert is an event in the history)."""
        line, s = self._line, self._s
        changed = line_publish.changed_search_attributes(line, s)
        if changed:
            s.published.update(changed)
            workflow.upsert_search_attributes(line_publish.upserts(changed))
        status = s.status
        if status != self._logged:
            self._logged = status
            # workflow.logger is replay-safe: nothing is logged again while replaying.
            workflow.logger.info(
                "line status %s",
                status.value,
                extra={
                    "order_number": line.order_number,
                    "line_number": line.line_number,
                    "status": status.value,
                    "open_quantity": str(s.ledger.open),
                },
            )
        workflow.set_current_details(line_publish.details(line, s))

    @property
    def line(self) -> LineInput:
        return self._line
