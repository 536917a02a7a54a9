"""Receipts split between the pegged line and free on-hand: the over-receipt tolerance as a
table, and random receipts that never break the split's invariants."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.line import Refusal, Refused
from domain.receiving import ReceiptSplit, over_receipt_allowance, split_receipt

D = Decimal


@pytest.mark.parametrize(
    ("quantity", "document_open", "ordered", "over_received", "pct", "expected"),
    [
        # within what is open: all to the line, whatever the tolerance
        ("30", "50", "50", "0", "0", ReceiptSplit(D("30"), D("0"))),
        ("50", "50", "50", "0", "0", ReceiptSplit(D("50"), D("0"))),
        # no tolerance: one more is refused
        ("51", "50", "50", "0", "0", None),
        # 10 % of 50 is 5 more: 55 is taken, 56 is not
        ("55", "50", "50", "0", "10", ReceiptSplit(D("50"), D("5"))),
        ("56", "50", "50", "0", "10", None),
        # the PO line already filled: an over-receipt only, within what is left of it
        ("2", "0", "50", "3", "10", ReceiptSplit(D("0"), D("2"))),
        ("3", "0", "50", "3", "10", None),
        # part open, part over
        ("8", "5", "50", "0", "10", ReceiptSplit(D("5"), D("3"))),
    ],
)
def test_the_split_as_a_table(
    quantity: str,
    document_open: str,
    ordered: str,
    over_received: str,
    pct: str,
    expected: ReceiptSplit | None,
) -> None:
    result = split_receipt(
        D(quantity),
        document_open=D(document_open),
        ordered=D(ordered),
        over_received=D(over_received),
        tolerance_pct=D(pct),
        document="PO-1 line 1",
    )
    if expected is None:
        assert isinstance(result, Refused)
        assert result.kind is Refusal.CONFLICT and result.field == "quantity"
        assert "tolerance" in result.reason and "PO-1 line 1" in result.reason
    else:
        assert result == expected


quantities = st.integers(min_value=0, max_value=200).map(D)


@settings(max_examples=300, deadline=None)
@given(
    quantity=st.integers(min_value=1, max_value=200).map(D),
    ordered=st.integers(min_value=1, max_value=100).map(D),
    received=quantities,
    over_received=st.integers(min_value=0, max_value=20).map(D),
    pct=st.integers(min_value=0, max_value=50).map(D),
)
def test_no_split_breaks_an_invariant(
    quantity: Decimal, ordered: Decimal, received: Decimal, over_received: Decimal, pct: Decimal
) -> None:
    document_open = max(ordered - received, D(0))
    result = split_receipt(
        quantity,
        document_open=document_open,
        ordered=ordered,
        over_received=over_received,
        tolerance_pct=pct,
        document="PO-1 line 1",
    )
    allowance = over_receipt_allowance(ordered, pct)
    if isinstance(result, Refused):
        # Refused only when the part beyond the open quantity does not fit.
        assert quantity - document_open > allowance - over_received
        return
    assert result.to_line + result.over == quantity
    assert result.to_line >= 0 and result.over >= 0
    assert result.to_line <= document_open
    assert result.over == 0 or result.to_line == document_open
    assert result.over == 0 or over_received + result.over <= allowance
