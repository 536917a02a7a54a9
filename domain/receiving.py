"""A receipt on a purchase order line, split between the pegged line and free on-hand.

Goods up to the PO line's open quantity are the line's (the ledger decides whether the line
can take them). What comes beyond it is an over-receipt: accepted while the PO line's
over-received total stays within its agreement's `over_receipt_tolerance_pct` of the
ordered quantity, and put on free on-hand, never on the line. Beyond the tolerance the
receipt is refused whole.

Invariants (tests/unit/test_receiving.py, with a property test):

- `to_line + over == quantity`, both at least 0;
- `to_line <= document_open` (the line never gets more than its PO line brings);
- `over > 0` only when `to_line == document_open` (the PO line is filled first);
- `over_received + over <= ordered * tolerance_pct / 100` whenever the receipt is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.line.facts import Refusal, Refused
from domain.quantities import json_quantity

HUNDRED = Decimal("100")


@dataclass(frozen=True)
class ReceiptSplit:
    to_line: Decimal
    over: Decimal


def over_receipt_allowance(ordered: Decimal, tolerance_pct: Decimal) -> Decimal:
    """How much a PO line may receive beyond what was ordered, in all."""
    return ordered * tolerance_pct / HUNDRED


def split_receipt(
    quantity: Decimal,
    *,
    document_open: Decimal,
    ordered: Decimal,
    over_received: Decimal,
    tolerance_pct: Decimal,
    document: str,
) -> ReceiptSplit | Refused:
    """Split `quantity` received on `document` (a PO line with `document_open` still to
    come, `ordered` in all, `over_received` beyond it so far)."""
    open_now = max(document_open, Decimal(0))
    to_line = min(quantity, open_now)
    over = quantity - to_line
    if over <= 0:
        return ReceiptSplit(to_line=to_line, over=Decimal(0))
    allowance = over_receipt_allowance(ordered, tolerance_pct)
    room = max(allowance - over_received, Decimal(0))
    if over > room:
        return Refused(
            Refusal.CONFLICT,
            f"over-receipt: {json_quantity(quantity)} received but {json_quantity(open_now)}"
            f" open on {document}; its over-receipt tolerance of"
            f" {json_quantity(tolerance_pct)}% takes {json_quantity(room)} more",
            "quantity",
        )
    return ReceiptSplit(to_line=to_line, over=over)
