"""Dates and jeopardy of a `FulfillmentLineWorkflowV3` line (contract: "Dates and
jeopardy"): the line assesses jeopardy from every supply document it has, by each one's
expected date (promised, else its lead time) against the requested ship date and today
(`domain/jeopardy.py`), again whenever a fact or a date changes, and on the next day time
alone could change it. Lines whose sourcing answered no `jeopardy_terms` (older histories)
keep V2's watch of their first documents."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.legacy.release2.activities.payloads import LineStatusChange
    from workflows.legacy.release2.activities.shipping import ShippingActivities
    from workflows.legacy.release2.domain import signals
    from workflows.legacy.release2.domain.jeopardy import Jeopardy, assess, next_check
    from workflows.legacy.release2.domain.models.line_signals import ShipDateChangedSignal
    from workflows.legacy.release2.domain.statuses import EventType
    from workflows.legacy.release2.line_v3_steps import MergedSteps


class DatedSteps(MergedSteps):
    _recording_jeopardy: bool = False

    @workflow.signal(name=signals.REQUESTED_SHIP_DATE_CHANGED)
    def requested_ship_date_changed(self, change: ShipDateChangedSignal) -> None:
        s = self._s
        if s.first_time(f"ship-date:{change.request_id}"):
            s.requested_ship_date = change.requested_ship_date
            self._event(
                EventType.ORDER_REVISED,
                f"requested ship date moved to {change.requested_ship_date}",
            )

    async def _watch_jeopardy(self) -> None:
        if self._s.jeopardy_terms is None:
            await super()._watch_jeopardy()
        else:
            await self._watch_dates()

    async def _watch_dates(self) -> None:
        """Runs beside the cycle for the rest of the line's run. One timer at a time, kept
        while the day it waits for stays the same (a receipt does not restart it)."""
        s = self._s
        assert s.jeopardy_terms is not None
        waiting_for: date | None = None
        timer: asyncio.Task[None] | None = None
        while True:
            found, check = Jeopardy(), None
            # All still to ship on hand: no document can make the line late.
            if not s.ledger.supplied:
                documents, today = s.document_dates(), workflow.now().date()
                requested, terms = s.requested_ship_date, s.jeopardy_terms
                found = assess(documents, requested=requested, today=today, terms=terms)
                check = next_check(documents, requested=requested, today=today, terms=terms)
            if not found.same_as(self._recorded()):
                await self._record_jeopardy(found)
            elif found.raised:
                s.jeopardy_reason = found.why  # the days late grow while it is overdue
            if check != waiting_for or (timer is not None and timer.done()):
                if timer is not None:
                    timer.cancel()
                waiting_for, timer = check, None
                if check is not None:
                    timer = asyncio.create_task(self._sleep_until(check))
            await self._next_fact_or(timer)

    async def _next_fact_or(self, timer: asyncio.Task[None] | None) -> None:
        """Until a signal, a new document, or the timer."""
        s = self._s
        seen = (s.changes, len(s.supply))

        def moved() -> bool:
            return (s.changes, len(s.supply)) != seen or (timer is not None and timer.done())

        await workflow.wait_condition(moved)

    async def _sleep_until(self, day: date) -> None:
        at = datetime(day.year, day.month, day.day, tzinfo=UTC)
        await workflow.sleep(
            max(at - workflow.now(), timedelta(0)), summary=f"Jeopardy check on {day}"
        )

    def _recorded(self) -> Jeopardy:
        s = self._s
        return Jeopardy(
            document=s.jeopardy_document, days_late=int(s.jeopardy), priority=s.jeopardy_priority
        )

    async def _record_jeopardy(self, found: Jeopardy) -> None:
        """A change of jeopardy: raised (again, on another document or at another priority)
        or cleared, with the document and its dates."""
        s = self._s
        self._recording_jeopardy = True
        try:
            was = s.jeopardy_reason
            s.jeopardy, s.jeopardy_priority = found.raised, found.priority
            s.jeopardy_document, s.jeopardy_reason = found.document, found.why or None
            s.jeopardy_changes += 1
            event = EventType.JEOPARDY_RAISED if found.raised else EventType.JEOPARDY_CLEARED
            detail = f"{found.why} ({found.priority})" if found.raised else f"cleared (was: {was})"
            self._event(event, detail)
            self._publish()
            data: dict[str, object] = {
                "detail": detail,
                "document": found.document,
                "expected_date": found.expected.isoformat() if found.expected else None,
                "requested_ship_date": s.requested_ship_date.isoformat()
                if s.requested_ship_date
                else None,
                "days_late": found.days_late,
                "priority": found.priority,
            }
            await self._run_local(
                ShippingActivities.record_line_event,
                LineStatusChange(
                    key=self._key(f"jeopardy-{s.jeopardy_changes}"),
                    order_number=s.line.order_number,
                    line_number=s.line.line_number,
                    status=s.status,
                    event=event,
                    data=data,
                ),
                summary="Record jeopardy" if found.raised else "Record jeopardy cleared",
            )
        finally:
            self._recording_jeopardy = False
