"""Jeopardy from the documents' dates (domain/jeopardy.py): as a table, and random
documents for which the invariants hold, the next check included."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.jeopardy import (
    DocumentDates,
    JeopardyPriority,
    JeopardyTerms,
    assess,
    line_ship_date,
    next_check,
    priority_of,
)

TERMS = JeopardyTerms(medium_days=3, high_days=7)
DAY = date(2026, 12, 10)


def doc(number: str, expected: date, open_: bool = True) -> DocumentDates:
    return DocumentDates(number=number, expected=expected, open=open_)


def days(n: int) -> date:
    return DAY + timedelta(days=n)


@pytest.mark.parametrize(
    ("documents", "requested", "today", "document", "late", "priority"),
    [
        # on time, before the requested ship date: nothing
        ([doc("PO-1", days(0))], days(5), days(-3), None, 0, None),
        # expected the day it is requested: not late
        ([doc("PO-1", days(5))], days(5), days(0), None, 0, None),
        # expected after the requested ship date: late by the difference, at once
        ([doc("PO-1", days(7))], days(5), days(0), "PO-1", 2, JeopardyPriority.LOW),
        ([doc("PO-1", days(9))], days(5), days(0), "PO-1", 4, JeopardyPriority.MEDIUM),
        ([doc("PO-1", days(12))], days(5), days(0), "PO-1", 7, JeopardyPriority.HIGH),
        # past its expected date and not complete, no requested date
        ([doc("PO-1", days(0))], None, days(1), "PO-1", 1, JeopardyPriority.LOW),
        ([doc("PO-1", days(0))], None, days(0), None, 0, None),
        # overdue weighs more than the days after the request, once it is more
        ([doc("PO-1", days(6))], days(5), days(10), "PO-1", 4, JeopardyPriority.MEDIUM),
        # arrived or canceled documents are not watched
        ([doc("PO-1", days(0), False)], days(-5), days(9), None, 0, None),
        # every document counts; the most late names it (the first on a tie)
        (
            [doc("PO-1", days(0)), doc("WO-2", days(8))],
            days(5),
            days(0),
            "WO-2",
            3,
            JeopardyPriority.MEDIUM,
        ),
        (
            [doc("PO-1", days(8)), doc("PO-2", days(8))],
            days(5),
            days(0),
            "PO-1",
            3,
            JeopardyPriority.MEDIUM,
        ),
    ],
)
def test_the_assessment_as_a_table(
    documents: list[DocumentDates],
    requested: date | None,
    today: date,
    document: str | None,
    late: int,
    priority: JeopardyPriority | None,
) -> None:
    found = assess(documents, requested=requested, today=today, terms=TERMS)
    assert (found.document, found.days_late, found.priority) == (document, late, priority)
    assert found.raised is (late > 0)


def test_the_reason_names_the_document_and_the_dates() -> None:
    after = assess([doc("PO-1", days(7))], requested=days(5), today=days(0), terms=TERMS)
    assert after.why == (
        "PO-1 expected 2026-12-17, 2 days after the requested ship date 2026-12-15"
    )
    overdue = assess([doc("PO-1", days(0))], requested=None, today=days(1), terms=TERMS)
    assert overdue.why == "PO-1 expected 2026-12-10 is 1 day late"


@pytest.mark.parametrize(
    ("late", "priority"),
    [(0, None), (1, "LOW"), (2, "LOW"), (3, "MEDIUM"), (6, "MEDIUM"), (7, "HIGH"), (40, "HIGH")],
)
def test_priority_by_days_late(late: int, priority: str | None) -> None:
    assert priority_of(late, TERMS) == priority


documents = st.lists(
    st.builds(
        doc,
        st.sampled_from(["PO-1", "PO-2", "WO-3", "TO-4"]),
        st.integers(-10, 20).map(days),
        st.booleans(),
    ),
    max_size=4,
)
terms = st.tuples(st.integers(1, 10), st.integers(0, 10)).map(
    lambda t: JeopardyTerms(medium_days=t[0], high_days=t[0] + t[1])
)


@given(
    docs=documents,
    requested=st.none() | st.integers(-5, 15).map(days),
    today=st.integers(-5, 25).map(days),
    terms=terms,
)
def test_nothing_recorded_changes_before_the_next_check(
    docs: list[DocumentDates], requested: date | None, today: date, terms: JeopardyTerms
) -> None:
    now = assess(docs, requested=requested, today=today, terms=terms)
    assert now.raised is (now.days_late > 0)
    if now.raised:
        assert now.document is not None and now.priority is not None
    if not any(d.open for d in docs):
        assert not now.raised
    check = next_check(docs, requested=requested, today=today, terms=terms)
    assert check is None or check > today
    last = check or today + timedelta(days=60)
    day = today + timedelta(days=1)
    while day < last:
        later = assess(docs, requested=requested, today=day, terms=terms)
        assert later.same_as(now), (day, later, now)
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("own", "order", "requested"),
    [
        (None, None, None),
        (None, DAY, DAY),  # booked: the order's date
        (days(5), DAY, days(5)),  # a revision gave the line a date of its own
        (days(5), None, days(5)),
    ],
)
def test_a_lines_requested_ship_date_is_its_own_else_its_orders(
    own: date | None, order: date | None, requested: date | None
) -> None:
    assert line_ship_date(own, order) == requested
