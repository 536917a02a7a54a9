"""KitLineWorkflow: a kit line (pick-to-order, seed 004), `order-{n}-line-{l}`.

    components run as lines of their own (`order-{n}-line-{l}-component-{c}`), supplied,
    picked and shipped together as the kit's shipment set -> once every component is done:
    the whole kits they shipped recorded, the rest canceled -> AR for the kits shipped at the
    kit's price -> closed

The kit decides nothing about its components: the system of record cancels whole kits on
them (a person's cancel, Cancel Backorders at pick release) and tells the kit when one
finishes; the kit only waits, then closes. Its steps are local activities, each one
transaction idempotent by its key; it keeps its ledger and applies signals by the line's own
rules (`domain.line.newest`, `line_state.first_time`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RawValue

with workflow.unsafe.imports_passed_through():
    from activities.kits import KitActivities
    from activities.payloads import LineRef, LineStep
    from activities.shipping import ShippingActivities
    from domain import search_attributes as sa
    from domain import signals
    from domain.line import Ledger, line_status, newest
    from domain.models import (
        CancelSignal,
        LineEvent,
        LineInput,
        LineView,
        QuantityIncreasedSignal,
        json_money,
    )
    from domain.models import json_quantity as _q
    from domain.models.kits import KitComponentFinished
    from domain.statuses import EventType, LineStatus
    from workflows import line_publish, steps
    from workflows.line_state import LineCarry, first_time
    from workflows.line_steps import cancel_event


class KitState(BaseModel):
    ledger: Ledger
    seen: set[str] = set()
    events: list[LineEvent] = []
    invoices: list[dict[str, Any]] = []
    # Raised by every component that finishes (and by what its lines are told beside).
    wakes: int = 0
    # The kit's status its search attribute holds.
    published: LineStatus = LineStatus.BOOKED


@workflow.defn(name="KitLineWorkflow")
class KitLineWorkflow:
    @workflow.init
    def __init__(self, line: LineInput, carry: LineCarry | None = None) -> None:
        self._line = line
        self._s = KitState(ledger=Ledger(ordered=line.quantity, back_to_back=True))

    # ------------------------------------------------------------------ signals and query

    @workflow.signal(name=signals.KIT_COMPONENT_FINISHED)
    def component_finished(self, finished: KitComponentFinished) -> None:
        self._s.wakes += 1
        self._event(
            EventType.KIT_COMPONENT_FINISHED,
            f"component {finished.component} {finished.status.value.lower()}",
        )

    @workflow.signal(name=signals.CANCEL_REQUESTED)
    def cancel_requested(self, cancel: CancelSignal) -> None:
        if first_time(self._s.seen, f"cancel:{cancel.request_id}"):
            self._s.ledger = newest(self._s.ledger, cancel.ledger)
            self._event(
                cancel_event(cancel), f"{_q(cancel.quantity)} kit(s) canceled: {cancel.reason}"
            )

    @workflow.signal(name=signals.QUANTITY_INCREASED)
    def quantity_increased(self, increase: QuantityIncreasedSignal) -> None:
        if first_time(self._s.seen, f"increase:{increase.request_id}"):
            self._s.ledger = newest(self._s.ledger, increase.ledger)
            self._event(
                EventType.LINE_QUANTITY_INCREASED,
                f"raised by {_q(increase.quantity)} kit(s) to {_q(self._s.ledger.ordered)}",
            )

    @workflow.signal(dynamic=True)
    def other_signal(self, name: str, args: Sequence[RawValue]) -> None:
        """What lines are told beside (holds, dates, credit) concerns the kit's components,
        which are told too; the kit only looks at its row again (a credit release moves
        it on)."""
        self._s.wakes += 1

    @workflow.query(name=signals.LINE_STATUS_QUERY)
    def line_status(self) -> LineView:
        s = self._s
        return line_publish.kit_view(
            self._line,
            s.ledger,
            events=s.events,
            invoices=s.invoices,
            workflow_id=workflow.info().workflow_id,
        )

    # ------------------------------------------------------------------ the cycle

    @workflow.run
    async def run(self, line: LineInput, carry: LineCarry | None = None) -> LineView:
        self._event(
            EventType.LINE_SCHEDULED,
            f"a kit of {line.kit_components} component(s): each is a line of its own",
        )
        await self._wait_for_components()
        await self._bill_and_close()
        self._publish()
        return self.line_status()

    async def _wait_for_components(self) -> None:
        """Until every component is done: the system of record counts them, on each
        component that finishes."""
        line, s = self._line, self._s
        while True:
            wakes = s.wakes
            progress = await steps.local(
                KitActivities.kit_progress,
                LineRef(
                    key=steps.key(f"progress-{wakes}"),
                    order_number=line.order_number,
                    line_number=line.line_number,
                ),
                summary="Count the kit's open components",
            )
            s.ledger = newest(s.ledger, progress.ledger)
            self._publish(f"{progress.open_components} of {line.kit_components} component(s) open")
            if progress.open_components == 0:
                return
            await self._wait_for_wake_after(wakes)

    async def _wait_for_wake_after(self, wakes: int) -> None:
        await workflow.wait_condition(lambda: self._s.wakes != wakes)

    async def _bill_and_close(self) -> None:
        """The whole kits shipped recorded and billed at the kit's price, the rest canceled;
        closed once anything shipped (else the kit is canceled)."""
        line, s = self._line, self._s
        closed = await steps.local(
            KitActivities.close_kit,
            LineStep(key=steps.key("close"), line=line),
            summary="Record the whole kits shipped and bill them",
        )
        s.ledger = newest(s.ledger, closed.ledger)
        if closed.canceled > 0:
            self._event(
                EventType.LINE_QUANTITY_REDUCED if closed.shipped > 0 else EventType.LINE_CANCELED,
                f"{_q(closed.canceled)} kit(s) canceled: its components did not ship them",
            )
        if (ar := closed.ar_invoice) is not None:
            s.invoices.append(ar.customer_entry())
            self._event(
                EventType.AR_INVOICE_CREATED,
                f"{ar.invoice_number} for {_q(closed.shipped)} kit(s), {json_money(ar.amount)}",
            )
        if s.ledger.shipped <= 0:
            return
        ledger = await steps.local(
            ShippingActivities.enter_line_phase,
            steps.phase(line, LineStatus.CLOSED, "closed", EventType.LINE_CLOSED),
            summary="Close the kit line",
        )
        s.ledger = newest(s.ledger, ledger)
        self._event(EventType.LINE_CLOSED, f"{_q(closed.shipped)} kit(s) shipped and invoiced")

    # ------------------------------------------------------------------ helpers

    def _event(self, type_: EventType, detail: str) -> None:
        self._s.events.append(LineEvent(at=workflow.now(), type=type_, detail=detail))

    def _publish(self, progress: str | None = None) -> None:
        s = self._s
        status = line_status(s.ledger)
        if status != s.published:
            s.published = status
            workflow.upsert_search_attributes([sa.LINE_STATUS.value_set(status.value)])
        workflow.set_current_details(line_publish.kit_details(self._line, s.ledger, progress))
