"""What a supplier's acknowledgment of one PO line does (contract: "Supplier acknowledgments
and changes"): one pure decision per line, taken before anything is written.

- `ACCEPT`: the line is acknowledged; a promised date, when given, becomes its expected
  date.
- `CHANGE`: a new quantity (what the PO line brings in all, received included) and/or a new
  promised date. Below what was received, or above what is ordered: refused.
- `REJECT`: the supplier will not deliver what is still open on the line.
- A closed or canceled PO line refuses every action; a refused line changes nothing.

Invariants (tests/unit/test_acknowledgments.py, with a property test):

- `0 <= cut <= ordered - received`: a cut never takes what arrived, and never more than
  was ordered;
- an accepted decision always names the new acknowledgment status; a refused one has a
  reason, no cut and no status;
- `ACCEPT` never cuts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from workflows.legacy.release2.domain.quantities import json_quantity

ZERO = Decimal(0)


class AckAction(StrEnum):
    ACCEPT = "ACCEPT"
    CHANGE = "CHANGE"
    REJECT = "REJECT"


class AckStatus(StrEnum):
    UNACKNOWLEDGED = "UNACKNOWLEDGED"
    ACCEPTED = "ACCEPTED"
    CHANGED = "CHANGED"
    REJECTED = "REJECTED"


_STATUS_OF = {
    AckAction.ACCEPT: AckStatus.ACCEPTED,
    AckAction.CHANGE: AckStatus.CHANGED,
    AckAction.REJECT: AckStatus.REJECTED,
}


@dataclass(frozen=True)
class PoLineNow:
    """A PO line as it stands: `ordered` is its quantity less what was canceled."""

    label: str  # "PO-000012 line 1", for the reasons
    status: str  # OPEN, CLOSED, CANCELED
    ordered: Decimal
    received: Decimal


@dataclass(frozen=True)
class AckDecision:
    accepted: bool
    reason: str | None = None
    status: AckStatus | None = None
    promised_date: date | None = None  # None keeps the date the line has
    cut: Decimal = ZERO

    @staticmethod
    def refused(reason: str) -> AckDecision:
        return AckDecision(accepted=False, reason=reason)


def decide(
    line: PoLineNow,
    action: AckAction,
    *,
    quantity: Decimal | None = None,
    promised_date: date | None = None,
) -> AckDecision:
    """What the acknowledgment of `line` does, or why it is refused."""
    if line.status in ("CLOSED", "CANCELED"):
        return AckDecision.refused(f"{line.label} is {line.status.lower()}")
    status = _STATUS_OF[action]
    if action is AckAction.ACCEPT:
        return AckDecision(accepted=True, status=status, promised_date=promised_date)
    if action is AckAction.REJECT:
        open_ = line.ordered - line.received
        if open_ <= 0:
            return AckDecision.refused(
                f"everything ordered on {line.label} was received; nothing is left to reject"
            )
        return AckDecision(accepted=True, status=status, cut=open_)
    if quantity is None:
        return AckDecision(accepted=True, status=status, promised_date=promised_date)
    if quantity > line.ordered:
        return AckDecision.refused(
            f"quantity {json_quantity(quantity)} is more than the {json_quantity(line.ordered)}"
            f" ordered on {line.label}; a supplier cannot raise a PO line"
        )
    if quantity < line.received:
        return AckDecision.refused(
            f"quantity {json_quantity(quantity)} is below the {json_quantity(line.received)}"
            f" already received on {line.label}"
        )
    return AckDecision(
        accepted=True, status=status, promised_date=promised_date, cut=line.ordered - quantity
    )


def shortfall_words(
    *, quantity: Decimal, po_number: str, po_line: int, supplier: str, action: str, reason: str
) -> str:
    """A shortfall as the line's narrative and its manual action name it."""
    did = "rejected" if action == AckAction.REJECT else "cut"
    return (
        f"shortfall of {json_quantity(quantity)}: {supplier} {did} {po_number} line {po_line}"
        f" ({reason})"
    )
