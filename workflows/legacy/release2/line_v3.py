"""FulfillmentLineWorkflowV3: the V2 cycle (`workflows/line.py`) with fewer, larger steps,
and a history that stays bounded.

- Sourcing and every document it asks for are one activity, billing through closing
  another (`line_v3_steps.py`): a Buy line runs two activities where V2 ran nine.
- A line that keeps receiving facts (thousands of partial scans) continues as new at a
  safe wait point once its history passes `HISTORY_BOUND` events or the server suggests
  it, carrying its whole state (`line_v3_state.py`): queries, signal dedupe, narrative
  and ledger go on in the next run, same workflow id, same type.

A new type because the command sequence differs from V2's: lines started on V2 finish on
V2, unchanged.
"""

from __future__ import annotations

import asyncio

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.legacy.release2.domain import signals
    from workflows.legacy.release2.domain.line import ZERO
    from workflows.legacy.release2.domain.models import (
        CreditReleasedSignal,
        HoldsChangedSignal,
        LineInput,
        LineView,
    )
    from workflows.legacy.release2.domain.models import json_quantity as _q
    from workflows.legacy.release2.domain.models.acknowledgments import SupplyAcknowledgedSignal
    from workflows.legacy.release2.domain.models.drop_ship import DropShippedSignal
    from workflows.legacy.release2.domain.statuses import EventType, LineStatus, SupplyStatus
    from workflows.legacy.release2.line import LineCanceled
    from workflows.legacy.release2.line_v3_dates import DatedSteps
    from workflows.legacy.release2.line_v3_state import LineCarry, LineSnapshot


CREDIT_HOLD = (
    "the order is on credit hold; raise the customer's credit limit and retry the order's"
    " credit, or cancel the order"
)


@workflow.defn(name="FulfillmentLineWorkflowV3")
class FulfillmentLineWorkflowV3(DatedSteps):
    @workflow.init
    def __init__(self, line: LineInput, carry: LineCarry | None = None) -> None:
        super().__init__(line)
        self._carry = carry or LineCarry()
        self._one_upsert_at_close = self._carry.one_upsert_at_close
        snapshot = self._carry.snapshot
        if snapshot is not None:
            self._s = snapshot.state(line)
            self._published = dict(snapshot.published)
        elif self._carry.held_ledger is not None:
            # Started while its order is on credit hold: the line shows the hold.
            self._s.adopt(self._carry.held_ledger)
            self._s.manual_reason = CREDIT_HOLD
        # Continuing as new waits while these are under way (they are not carried).
        self._in_fulfil = False
        self._awaiting_cancel = False
        self._recording_jeopardy = False

    @workflow.run
    async def run(self, line: LineInput, carry: LineCarry | None = None) -> LineView:
        if self._carry.snapshot is None:
            return await super().run(line)
        self._publish()
        if self._s.documents and (
            not self._s.ledger.supplied or self._s.jeopardy_terms is not None
        ):
            self._jeopardy_watch = asyncio.create_task(self._resume_jeopardy_watch())
        try:
            await self._fulfil()
            await self._bill_and_close()
        except LineCanceled:
            self._event(EventType.LINE_CANCELED, self._s.cancel_reason or "canceled")
        self._publish()
        return self.line_status()

    # ------------------------------------------------------------------ credit hold

    @workflow.signal(name=signals.HOLDS_CHANGED)
    def holds_changed(self, change: HoldsChangedSignal) -> None:
        # The whole list each time, delivered in order: the last one is the truth.
        self._s.holds = change.holds
        self._s.holds_changes += 1
        workflow.set_current_details(self._s.details())

    @workflow.signal(name=signals.SUPPLY_ACKNOWLEDGED)
    def supply_acknowledged(self, ack: SupplyAcknowledgedSignal) -> None:
        """What the supplier said of a PO line: its status and promised date on the line's
        document; a cut leaves the document bringing less, and the cycle sources the
        shortfall again (without that supplier) as soon as it looks."""
        s = self._s
        if not s.first_time(f"acknowledgment:{ack.acknowledgment_id}:{ack.po_line}"):
            return
        for document in s.documents:
            if (document.document_number, document.document_line) == (ack.po_number, ack.po_line):
                document.acknowledgment_status = ack.status.value
                document.promised_date = ack.promised_date
                document.quantity = ack.quantity
                if ack.quantity <= 0:
                    document.status = SupplyStatus.CANCELED
                elif s.arrived.get(ack.po_number, ZERO) >= ack.quantity:
                    document.status = SupplyStatus.RECEIVED
        said = f"{ack.po_number} line {ack.po_line} {ack.status.value.lower()} by {ack.supplier}"
        if ack.promised_date is not None:
            said += f", promised for {ack.promised_date}"
        self._event(EventType.PURCHASE_ORDER_ACKNOWLEDGED, said)
        if ack.cut > 0 and ack.shortfall:
            self._event(EventType.SUPPLY_SHORTFALL, ack.shortfall)

    @workflow.signal(name=signals.DROP_SHIPPED)
    def drop_shipped(self, notice: DropShippedSignal) -> None:
        """The supplier of the line's drop-ship PO shipped some of it to the customer: the
        line shows it shipped, and the cycle bills it."""
        s = self._s
        if not s.first_time(f"ship-notice:{notice.ship_notice_id}"):
            return
        s.adopt(notice.ledger)
        number = notice.po_number
        s.count_arrival(number, notice.quantity)
        tracking = f", tracking {notice.tracking_number}" if notice.tracking_number else ""
        self._event(
            EventType.LINE_SHIPPED,
            f"{_q(notice.quantity)} shipped by {notice.supplier} straight to"
            f" {s.line.customer_number} on {number} line {notice.po_line}"
            f" ({notice.ship_notice_id}, {notice.shipped_date}{tracking})",
        )

    @workflow.signal(name=signals.CREDIT_RELEASED)
    def credit_released(self, released: CreditReleasedSignal) -> None:
        if self._s.first_time(f"credit:{released.request_id}"):
            self._s.adopt(released.ledger)

    async def _supply(self) -> None:
        """A line held with its order waits for the credit release (or a cancel) before
        anything is sourced or reserved."""
        while self._s.status is LineStatus.MANUAL_ACTION_REQUIRED:
            await self._apply_cancels()
            await self._wait_for_change()
        if self._s.manual_reason == CREDIT_HOLD:
            self._s.manual_reason = None
            self._event(EventType.CREDIT_AUTHORIZED, "the order's credit is authorized")
        await super()._supply()

    # ------------------------------------------------------------------ continue as new

    async def _fulfil(self) -> None:
        self._in_fulfil = True
        try:
            await super()._fulfil()
        finally:
            self._in_fulfil = False

    async def _wait_until_canceled(self, why: str) -> None:
        self._awaiting_cancel = True
        await super()._wait_until_canceled(why)

    async def _set_jeopardy(self, raised: bool, detail: str) -> None:
        self._recording_jeopardy = True
        try:
            await super()._set_jeopardy(raised, detail)
        finally:
            self._recording_jeopardy = False

    async def _wait_for_change(self) -> None:
        if self._long() and self._safe_to_continue():
            await workflow.wait_condition(workflow.all_handlers_finished)
            if self._safe_to_continue():
                self._continue_as_new()
        await super()._wait_for_change()

    def _long(self) -> bool:
        info = workflow.info()
        return (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() >= self._carry.history_bound
        )

    def _safe_to_continue(self) -> bool:
        """Waiting in the fulfilment loop for the warehouse, nothing else under way: what
        the next run needs is all in the state."""
        s = self._s
        return (
            self._in_fulfil
            and not self._awaiting_cancel
            and not self._recording_jeopardy
            and s.manual_reason is None
            and not s.cancels
            and s.status is not LineStatus.MANUAL_ACTION_REQUIRED
        )

    def _continue_as_new(self) -> None:
        self._publish()
        snapshot = LineSnapshot.of(self._s, self._published)
        workflow.continue_as_new(
            args=[
                self._s.line,
                self._carry.model_copy(update={"snapshot": snapshot, "runs": self._carry.runs + 1}),
            ]
        )

    async def _resume_jeopardy_watch(self) -> None:
        """The watch of the run before: raised jeopardy waits to be cleared; otherwise the
        watch starts again from the documents' dates (a line that assesses all its
        documents' dates just starts again)."""
        if not self._s.jeopardy or self._s.jeopardy_terms is not None:
            await self._watch_jeopardy()
            return
        await workflow.wait_condition(lambda: self._s.ledger.supplied)
        late = ", ".join(d.document_number for d in self._s.documents)
        await self._set_jeopardy(False, f"{late} arrived")
