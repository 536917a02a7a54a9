"""KitLineWorkflow: a kit line (pick-to-order, seed 004), `order-{n}-line-{l}`.

    components run as lines of their own (`order-{n}-line-{l}-component-{c}`), supplied,
    picked and shipped together as the kit's shipment set -> once every component is done:
    the whole kits they shipped recorded, the rest canceled -> AR for the kits shipped at the
    kit's price -> closed

The kit decides nothing about its components: the system of record cancels whole kits on
them (a person's cancel, Cancel Backorders at pick release) and tells the kit when one
finishes; the kit only waits, then closes. Its steps are local activities, each one
transaction idempotent by its key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from temporalio import workflow
from temporalio.common import RawValue

with workflow.unsafe.imports_passed_through():
    from workflows.legacy.release2.activities.kits import KitActivities
    from workflows.legacy.release2.activities.payloads import LineRef, LineStatusChange, LineStep
    from workflows.legacy.release2.activities.shipping import ShippingActivities
    from workflows.legacy.release2.domain import search_attributes as sa
    from workflows.legacy.release2.domain import signals
    from workflows.legacy.release2.domain.line import Ledger, line_status
    from workflows.legacy.release2.domain.line.view import ledger_fields
    from workflows.legacy.release2.domain.models import (
        CancelSignal,
        LineEvent,
        LineInput,
        LineView,
        QuantityIncreasedSignal,
        json_money,
    )
    from workflows.legacy.release2.domain.models import json_quantity as _q
    from workflows.legacy.release2.domain.models.kits import KitComponentFinished
    from workflows.legacy.release2.domain.statuses import EventType, LineStatus
    from workflows.legacy.release2.line_steps import run_local


@workflow.defn(name="KitLineWorkflow")
class KitLineWorkflow:
    @workflow.init
    def __init__(self, line: LineInput, carry: Any = None) -> None:
        self._line = line
        self._ledger = Ledger(ordered=line.quantity, back_to_back=True)
        self._wakes = 0
        self._looked = 0  # the wakes the last count saw
        self._seen: set[str] = set()
        self._events: list[LineEvent] = []
        self._invoices: list[dict[str, object]] = []
        self._published: LineStatus | None = LineStatus.BOOKED

    # ------------------------------------------------------------------ signals and queries

    @workflow.signal(name=signals.KIT_COMPONENT_FINISHED)
    def component_finished(self, finished: KitComponentFinished) -> None:
        self._wakes += 1
        self._event(
            EventType.KIT_COMPONENT_FINISHED,
            f"component {finished.component} {finished.status.value.lower()}",
        )

    @workflow.signal(name=signals.CANCEL_REQUESTED)
    def cancel_requested(self, cancel: CancelSignal) -> None:
        if self._first_time(f"cancel:{cancel.request_id}"):
            self._adopt(cancel.ledger)
            event = EventType.BACKORDER_CANCELED if cancel.backorder else EventType.LINE_CANCELED
            if not cancel.full and not cancel.backorder:
                event = EventType.LINE_QUANTITY_REDUCED
            self._event(event, f"{_q(cancel.quantity)} kit(s) canceled: {cancel.reason}")

    @workflow.signal(name=signals.QUANTITY_INCREASED)
    def quantity_increased(self, increase: QuantityIncreasedSignal) -> None:
        if self._first_time(f"increase:{increase.request_id}"):
            self._adopt(increase.ledger)
            self._event(
                EventType.LINE_QUANTITY_INCREASED,
                f"raised by {_q(increase.quantity)} kit(s) to {_q(self._ledger.ordered)}",
            )

    @workflow.signal(dynamic=True)
    def other_signal(self, name: str, args: Sequence[RawValue]) -> None:
        """What lines are told beside (holds, dates, credit) concerns the kit's components,
        which are told too; the kit only looks at its row again (a credit release moves
        it on)."""
        self._wakes += 1

    @workflow.query(name=signals.LINE_STATUS_QUERY)
    def line_status(self) -> LineView:
        line, q = self._line, self._ledger
        return LineView(
            order_number=line.order_number,
            line_number=line.line_number,
            item_number=line.item_number,
            customer_number=line.customer_number,
            organization=line.organization,
            unit_price=line.unit_price,
            cancel_reason=None,
            requested_ship_date=line.requested_ship_date,
            back_to_back=True,
            back_to_back_reason=line.back_to_back_reason,
            waiting_for=self._waiting_for(),
            invoices=list(self._invoices),
            events=list(self._events),
            workflow_id=workflow.info().workflow_id,
            **ledger_fields(q, unit_price=line.unit_price, unit_discount=line.unit_discount),
        )

    # ------------------------------------------------------------------ the cycle

    @workflow.run
    async def run(self, line: LineInput, carry: Any = None) -> LineView:
        self._event(
            EventType.LINE_SCHEDULED,
            f"a kit of {line.kit_components} component(s): each is a line of its own",
        )
        await self._wait_for_components()
        closed = await run_local(
            KitActivities.close_kit,
            LineStep(key=self._key("close"), line=line),
            summary="Record the whole kits shipped and bill them",
        )
        self._adopt(closed.ledger)
        if closed.canceled > 0:
            self._event(
                EventType.LINE_QUANTITY_REDUCED if closed.shipped > 0 else EventType.LINE_CANCELED,
                f"{_q(closed.canceled)} kit(s) canceled: its components did not ship them",
            )
        if closed.ar_invoice is not None:
            ar = closed.ar_invoice
            self._invoices.append(ar.customer_entry())
            self._event(
                EventType.AR_INVOICE_CREATED,
                f"{ar.invoice_number} for {_q(closed.shipped)} kit(s), {json_money(ar.amount)}",
            )
        if self._ledger.shipped > 0:
            ledger = await run_local(
                ShippingActivities.enter_line_phase,
                LineStatusChange(
                    key=self._key("closed"),
                    order_number=line.order_number,
                    line_number=line.line_number,
                    status=LineStatus.CLOSED,
                    event=EventType.LINE_CLOSED,
                ),
                summary="Close the kit line",
            )
            self._adopt(ledger)
            self._event(EventType.LINE_CLOSED, f"{_q(closed.shipped)} kit(s) shipped and invoiced")
        self._publish()
        return self.line_status()

    async def _wait_for_components(self) -> None:
        """Until every component is done: the system of record counts them, on each
        component that finishes."""
        line = self._line
        while True:
            wakes = self._wakes
            progress = await run_local(
                KitActivities.kit_progress,
                LineRef(
                    key=self._key(f"progress-{wakes}"),
                    order_number=line.order_number,
                    line_number=line.line_number,
                ),
                summary="Count the kit's open components",
            )
            self._adopt(progress.ledger)
            self._publish(f"{progress.open_components} of {line.kit_components} component(s) open")
            if progress.open_components == 0:
                return
            self._looked = wakes
            await workflow.wait_condition(lambda: self._wakes != self._looked)

    # ------------------------------------------------------------------ helpers

    def _key(self, step: str) -> str:
        return f"{workflow.info().workflow_id}:{step}"

    def _first_time(self, key: str) -> bool:
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def _adopt(self, ledger: Ledger | None) -> None:
        if ledger is not None and ledger.version >= self._ledger.version:
            self._ledger = ledger

    def _event(self, type_: EventType, detail: str) -> None:
        self._events.append(LineEvent(at=workflow.now(), type=type_, detail=detail))

    def _waiting_for(self) -> str | None:
        status = line_status(self._ledger)
        if status in (LineStatus.CLOSED, LineStatus.CANCELED):
            return None
        return "Waiting for its components to ship, together"

    def _publish(self, details: str | None = None) -> None:
        status = line_status(self._ledger)
        if status != self._published:
            self._published = status
            workflow.upsert_search_attributes([sa.LINE_STATUS.value_set(status.value)])
        workflow.set_current_details(
            f"Kit of {self._line.kit_components} component(s): {status.value}"
            + (f" · {details}" if details else "")
        )
