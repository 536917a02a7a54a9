"""A line's jeopardy, watched beside its cycle (contract: "Dates and jeopardy"): assessed
from every supply document's expected date (promised, else its lead time) against the
requested ship date and today (`domain/jeopardy.py`), again whenever a fact or a date
changes, and on the next day time alone could change it. One timer at a time, kept while
the day it waits for stays the same."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.shipping import ShippingActivities
    from domain.jeopardy import Jeopardy, assess, next_check
    from domain.statuses import EventType
    from workflows import steps
    from workflows.line_state import LineState
    from workflows.line_steps import Cycle


async def watch(cycle: Cycle, s: LineState) -> None:
    """Runs for the rest of the line's run (a line whose sourcing gave no terms has nothing
    to assess)."""
    if s.jeopardy_terms is None:
        return
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
        if not found.same_as(s.recorded_jeopardy()):
            await _record(cycle, s, found)
        elif found.raised:
            s.jeopardy_reason = found.why  # the days late grow while it is overdue
        if check != waiting_for or (timer is not None and timer.done()):
            if timer is not None:
                timer.cancel()
            waiting_for, timer = check, None
            if check is not None:
                timer = asyncio.create_task(_sleep_until(check))
        await _next_fact_or(s, timer)


async def _next_fact_or(s: LineState, timer: asyncio.Task[None] | None) -> None:
    """Until a signal, a new document, or the timer."""
    seen = (s.changes, len(s.supply))

    def moved() -> bool:
        return (s.changes, len(s.supply)) != seen or (timer is not None and timer.done())

    await workflow.wait_condition(moved)


async def _sleep_until(day: date) -> None:
    at = datetime(day.year, day.month, day.day, tzinfo=UTC)
    await workflow.sleep(max(at - workflow.now(), timedelta(0)), summary=f"Jeopardy check on {day}")


async def _record(cycle: Cycle, s: LineState, found: Jeopardy) -> None:
    """A change of jeopardy: raised (again, on another document or at another priority) or
    cleared, with the document and its dates."""
    cycle.recording_jeopardy = True
    try:
        was = s.jeopardy_reason
        s.record_jeopardy(found)
        event = EventType.JEOPARDY_RAISED if found.raised else EventType.JEOPARDY_CLEARED
        detail = f"{found.why} ({found.priority})" if found.raised else f"cleared (was: {was})"
        cycle.event(event, detail)
        cycle.publish()
        line = cycle.line
        await steps.local(
            ShippingActivities.record_line_event,
            steps.phase(
                line,
                s.status,
                f"jeopardy-{s.jeopardy_changes}",
                event,
                {
                    "detail": detail,
                    "document": found.document,
                    "expected_date": found.expected.isoformat() if found.expected else None,
                    "requested_ship_date": s.requested_ship_date.isoformat()
                    if s.requested_ship_date
                    else None,
                    "days_late": found.days_late,
                    "priority": found.priority,
                },
            ),
            summary="Record jeopardy" if found.raised else "Record jeopardy cleared",
        )
    finally:
        cycle.recording_jeopardy = False
