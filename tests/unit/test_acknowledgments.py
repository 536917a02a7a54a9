"""A supplier's acknowledgment of one PO line, as a table, and random acknowledgments that
never break the decision's invariants (domain/acknowledgments.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.acknowledgments import AckAction, AckStatus, PoLineNow, decide, shortfall_words

D = Decimal
DAY = date(2026, 12, 20)


def po_line(ordered: str = "10", received: str = "0", status: str = "OPEN") -> PoLineNow:
    return PoLineNow(label="PO-1 line 1", status=status, ordered=D(ordered), received=D(received))


@pytest.mark.parametrize(
    ("line", "action", "quantity", "promised", "accepted", "status", "cut", "reason"),
    [
        (po_line(), AckAction.ACCEPT, None, DAY, True, AckStatus.ACCEPTED, "0", None),
        (po_line(), AckAction.ACCEPT, None, None, True, AckStatus.ACCEPTED, "0", None),
        (po_line(), AckAction.CHANGE, "6", None, True, AckStatus.CHANGED, "4", None),
        (po_line(), AckAction.CHANGE, None, DAY, True, AckStatus.CHANGED, "0", None),
        (po_line(), AckAction.CHANGE, "10", DAY, True, AckStatus.CHANGED, "0", None),
        (po_line(received="3"), AckAction.CHANGE, "3", None, True, AckStatus.CHANGED, "7", None),
        (po_line(received="3"), AckAction.CHANGE, "2", None, False, None, "0", "below the 3"),
        (po_line(), AckAction.CHANGE, "11", None, False, None, "0", "more than the 10"),
        (po_line(), AckAction.REJECT, None, None, True, AckStatus.REJECTED, "10", None),
        (po_line(received="4"), AckAction.REJECT, None, None, True, AckStatus.REJECTED, "6", None),
        (po_line(received="10"), AckAction.REJECT, None, None, False, None, "0", "nothing is left"),
        (po_line(status="CANCELED"), AckAction.ACCEPT, None, None, False, None, "0", "canceled"),
        (po_line(status="CLOSED"), AckAction.CHANGE, "5", None, False, None, "0", "closed"),
    ],
)
def test_the_decision_as_a_table(
    line: PoLineNow,
    action: AckAction,
    quantity: str | None,
    promised: date | None,
    accepted: bool,
    status: AckStatus | None,
    cut: str,
    reason: str | None,
) -> None:
    decision = decide(
        line, action, quantity=D(quantity) if quantity else None, promised_date=promised
    )
    assert (decision.accepted, decision.status, decision.cut) == (accepted, status, D(cut))
    if reason is None:
        assert decision.reason is None
        assert decision.promised_date == (promised if action is not AckAction.REJECT else None)
    else:
        assert reason in (decision.reason or "")


quantities = st.decimals(min_value=0, max_value=1000, places=2)


@given(
    ordered=quantities,
    received_share=st.floats(min_value=0, max_value=1),
    action=st.sampled_from(list(AckAction)),
    quantity=st.none() | quantities,
    status=st.sampled_from(["OPEN", "CLOSED", "CANCELED"]),
)
def test_a_cut_never_takes_what_arrived(
    ordered: Decimal,
    received_share: float,
    action: AckAction,
    quantity: Decimal | None,
    status: str,
) -> None:
    received = (ordered * D(str(received_share))).quantize(D("0.01"))
    decision = decide(
        PoLineNow(label="PO-1 line 1", status=status, ordered=ordered, received=received),
        action,
        quantity=quantity if action is AckAction.CHANGE else None,
    )
    assert D(0) <= decision.cut <= ordered - received
    if decision.accepted:
        assert decision.status is not None and decision.reason is None
    else:
        assert decision.reason and decision.status is None and decision.cut == 0
    if action is AckAction.ACCEPT:
        assert decision.cut == 0


def test_a_shortfall_in_words_names_the_supplier_the_po_and_the_reason() -> None:
    words = shortfall_words(
        quantity=D("4.0000"),
        po_number="PO-9",
        po_line=1,
        supplier="SUP-ACME",
        action="REJECT",
        reason="discontinued",
    )
    assert words == "shortfall of 4: SUP-ACME rejected PO-9 line 1 (discontinued)"
