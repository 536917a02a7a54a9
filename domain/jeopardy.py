"""Whether a line is in jeopardy, and how badly (contract: "Dates and jeopardy"): one pure
decision over the line's open supply documents, its requested ship date and today.

A document is late by the more of:

- the days it is expected after the line's requested ship date (none without one);
- the days it is past its expected date, not complete yet.

The line is in jeopardy when any open document is late; the most late one names it (the
first of the line's documents on a tie). Its priority is `HIGH` from `high_days` late,
`MEDIUM` from `medium_days`, else `LOW`.

Invariants (tests/unit/test_jeopardy.py, with a property test):

- raised exactly when `days_late > 0`, and then `document` and `priority` are set;
- no open document (all arrived or canceled): never raised;
- `next_check` is after today, or None when time alone changes nothing: on any day before
  it, with nothing else changed, the assessment records the same (raised, document,
  priority) as today's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel


class JeopardyPriority(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


class JeopardyTerms(BaseModel):
    """The parameters `jeopardy_medium_days` and `jeopardy_high_days`."""

    medium_days: int = 3
    high_days: int = 7


@dataclass(frozen=True)
class DocumentDates:
    number: str
    expected: date
    open: bool  # not canceled, not all arrived


@dataclass(frozen=True)
class Jeopardy:
    document: str | None = None
    expected: date | None = None
    days_late: int = 0
    priority: JeopardyPriority | None = None
    why: str = ""

    @property
    def raised(self) -> bool:
        return self.days_late > 0

    def same_as(self, other: Jeopardy) -> bool:
        """What is recorded as a change: raised or not, the document, the priority."""
        return (self.raised, self.document, self.priority) == (
            other.raised,
            other.document,
            other.priority,
        )


def _late(document: DocumentDates, requested: date | None, today: date) -> tuple[int, str]:
    after_request = (document.expected - requested).days if requested is not None else 0
    overdue = (today - document.expected).days
    expected = f"{document.number} expected {document.expected}"
    if overdue > 0 and overdue >= after_request:
        return overdue, f"{expected} is {overdue} day{'s' * (overdue != 1)} late"
    if after_request > 0:
        return after_request, (
            f"{expected}, {after_request} day{'s' * (after_request != 1)} after the requested"
            f" ship date {requested}"
        )
    return 0, ""


def priority_of(days_late: int, terms: JeopardyTerms) -> JeopardyPriority | None:
    if days_late <= 0:
        return None
    if days_late >= terms.high_days:
        return JeopardyPriority.HIGH
    if days_late >= terms.medium_days:
        return JeopardyPriority.MEDIUM
    return JeopardyPriority.LOW


def assess(
    documents: Sequence[DocumentDates],
    *,
    requested: date | None,
    today: date,
    terms: JeopardyTerms,
) -> Jeopardy:
    worst = Jeopardy()
    for document in documents:
        if not document.open:
            continue
        days, why = _late(document, requested, today)
        if days > worst.days_late:
            worst = Jeopardy(
                document=document.number,
                expected=document.expected,
                days_late=days,
                priority=priority_of(days, terms),
                why=why,
            )
    return worst


def next_check(
    documents: Sequence[DocumentDates],
    *,
    requested: date | None,
    today: date,
    terms: JeopardyTerms,
) -> date | None:
    """The next day on which time alone may change what is recorded: an open document
    falls due, an overdue one reaches MEDIUM or HIGH, or comes to outweigh another one. (Its
    days late grow every day in between; they are counted again at each assessment, not on
    a timer of their own.)"""
    open_ = [d for d in documents if d.open]
    # An overdue document may also come to outweigh another one: the days it passes each
    # lateness there is now.
    lateness = {_late(d, requested, today)[0] for d in open_}
    steps = {1, terms.medium_days, terms.high_days} | {v + e for v in lateness for e in (0, 1)}
    days = {d.expected + timedelta(days=step) for d in open_ for step in steps}
    later = [day for day in days if day > today]
    return min(later) if later else None


def line_ship_date(own: date | None, order: date | None) -> date | None:
    """A line's requested ship date: its own, once a revision gave it one, else its order's
    (the booked one, or the one a revision moved it to). The line's row stores only its own
    date, so that a revision of the order's date moves every line without one."""
    return own or order
