"""The steps every `FulfillmentLineWorkflowV2` builds on: typed activity calls, the
narrative of events, one publish of the Web UI's search attributes and details, phases the
line records itself, waiting for the next fact, and the jeopardy watch."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.legacy.release2.activities.payloads import LineRef, LineStatusChange
    from workflows.legacy.release2.activities.shipping import ShippingActivities
    from workflows.legacy.release2.domain.models import LineEvent
    from workflows.legacy.release2.domain.models import json_quantity as _q
    from workflows.legacy.release2.domain.statuses import EventType, LineStatus
    from workflows.legacy.release2.line_state import SEARCH_ATTRIBUTES, LineState

# Each activity is one short transaction; a lost worker is noticed within this time.
ACTIVITY_TIMEOUT = timedelta(seconds=10)
# Business systems may be down for a while; keep retrying with a capped backoff.
ACTIVITY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=60)
)
# A local activity retries inside its workflow task while its backoff stays below this;
# beyond it, a timer waits and the task completes. A system of record that is down then
# holds no workflow task open, and a worker told to stop is not kept by retries.
LOCAL_RETRY_THRESHOLD = timedelta(seconds=1.5)
T = TypeVar("T")


async def run_local(activity: Callable[[Any, Any], Awaitable[T]], arg: Any, *, summary: str) -> T:
    """One short step of a line as a local activity: one transaction, idempotent by its
    key; one marker in the history and no task queue round trip."""
    return await workflow.execute_local_activity_method(
        activity,
        arg,
        start_to_close_timeout=ACTIVITY_TIMEOUT,
        retry_policy=ACTIVITY_RETRY,
        local_retry_threshold=LOCAL_RETRY_THRESHOLD,
        summary=summary,
    )


class LineSteps:
    """State and helpers of a line workflow (the workflow class sets them in its init)."""

    _s: LineState
    _published: dict[str, Any]
    _logged: LineStatus | None
    _jeopardy_watch: asyncio.Task[None] | None

    def _key(self, step: str) -> str:
        return f"{workflow.info().workflow_id}:{step}"

    def _ref(self, step: str) -> LineRef:
        line = self._s.line
        return LineRef(
            key=self._key(step), order_number=line.order_number, line_number=line.line_number
        )

    async def _run(
        self, activity: Callable[[Any, Any], Awaitable[T]], arg: Any, *, summary: str
    ) -> T:
        """Run one activity of the line (its state published first: once per activation)."""
        self._publish()
        return await workflow.execute_activity_method(
            activity,
            arg,
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
            summary=summary,
        )

    def _event(self, type_: EventType, detail: str) -> None:
        self._s.events.append(LineEvent(at=workflow.now(), type=type_, detail=detail))

    def _publish(self) -> None:
        """Keep the Web UI's search attributes and details in step with the line: only what
        changed is upserted (each upsert is an event in the history)."""
        values = self._s.search_attributes()
        changed = {k: v for k, v in values.items() if self._published.get(k) != v}
        if changed:
            self._published.update(changed)
            workflow.upsert_search_attributes(
                [
                    SEARCH_ATTRIBUTES[name].value_unset()
                    if value is None
                    else SEARCH_ATTRIBUTES[name].value_set(value)
                    for name, value in changed.items()
                ]
            )
        status = self._s.status
        if status != self._logged:
            self._logged = status
            # workflow.logger is replay-safe: nothing is logged again while replaying.
            workflow.logger.info(
                "line status %s",
                status.value,
                extra={
                    "order_number": self._s.line.order_number,
                    "line_number": self._s.line.line_number,
                    "status": status.value,
                    "open_quantity": str(self._s.ledger.open),
                },
            )
        workflow.set_current_details(self._s.details())

    async def _enter_phase(
        self,
        status: LineStatus,
        step: str,
        event: EventType | None,
        data: dict[str, object] | None = None,
    ) -> None:
        ledger = await self._run(
            ShippingActivities.enter_line_phase,
            LineStatusChange(
                key=self._key(step),
                order_number=self._s.line.order_number,
                line_number=self._s.line.line_number,
                status=status,
                event=event,
                data=data or {},
            ),
            summary=f"Record line status {status}",
        )
        self._s.adopt(ledger)

    async def _wait_for_change(self) -> None:
        """Until a signal changes something (a fact, a cancel, an approval, a retry)."""
        changes = self._s.changes
        self._publish()
        await workflow.wait_condition(lambda: self._s.changes != changes)

    async def _watch_jeopardy(self) -> None:
        """Raise jeopardy when the line's supply is not all there by the last expected date
        of its documents (lead time, transit days); clear it when it is."""
        dates = [d.need_by_date for d in self._s.documents if d.need_by_date is not None]
        if not dates:
            return
        day = max(dates)
        due = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)

        def supplied() -> bool:
            return self._s.ledger.supplied

        try:
            await workflow.wait_condition(
                supplied, timeout=max(due - workflow.now(), timedelta(seconds=1))
            )
            return
        except TimeoutError:
            pass
        late = ", ".join(d.document_number for d in self._s.documents)
        q = self._s.ledger
        await self._set_jeopardy(
            True, f"{late} expected by {day} is late: {_q(q.received)} of {_q(q.open)} received"
        )
        await workflow.wait_condition(supplied)
        await self._set_jeopardy(False, f"{late} arrived")

    async def _set_jeopardy(self, raised: bool, detail: str) -> None:
        self._s.jeopardy = raised
        event = EventType.JEOPARDY_RAISED if raised else EventType.JEOPARDY_CLEARED
        self._event(event, detail)
        self._publish()
        await self._run(
            ShippingActivities.record_line_event,
            LineStatusChange(
                key=self._key(f"jeopardy-{'raised' if raised else 'cleared'}"),
                order_number=self._s.line.order_number,
                line_number=self._s.line.line_number,
                status=self._s.status,
                event=event,
                data={"detail": detail},
            ),
            summary="Record jeopardy" if raised else "Record jeopardy cleared",
        )
