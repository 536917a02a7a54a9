"""The quantity ledger of one fulfillment line: what it stores, what follows from it, and
the invariants that always hold.

Stored (cumulative where it says so, everything in the line's unit of measure):

- ``ordered``, ``canceled``;
- ``received``: arrived on the line's pegged supply documents (cumulative);
- ``reserved``: on hand and reserved to the line now;
- ``released`` and ``picked``: released to and picked by the warehouse (cumulative,
  shipped included; a backorder the warehouse keeps open takes them back down);
- ``shipped``, ``invoiced`` (cumulative);
- ``backordered``: what the warehouse backordered and the line keeps open, until it is
  reserved again or canceled;
- ``version``: raised by one on every write, so readers keep the newest snapshot.

Derived buckets: each open unit sits in exactly one of them::

    open      = ordered - canceled
    to_supply = max(open - shipped - reserved, 0)   # not on hand: awaiting supply or stock
    ready     = reserved - (released - shipped)     # on hand, reserved, not released
    in_pick   = released - picked
    staged    = picked - shipped
    to_supply + ready + in_pick + staged + shipped == open   (while reserved <= open - shipped)

A cancel may leave ``reserved`` above what is open for a moment: the excess goes back to
stock in a step of its own (``ReleaseExcess``), and until then ``to_supply`` is zero.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

ZERO = Decimal(0)


class Phase(StrEnum):
    """What the quantities cannot tell: where the line's own cycle is."""

    BOOKED = "BOOKED"  # no supply yet
    SUPPLYING = "SUPPLYING"  # supply exists (a document, a reservation): quantities decide
    MANUAL = "MANUAL"  # parked for a person (setup, credit)
    BILLING = "BILLING"  # shipped; invoices being made
    CLOSED = "CLOSED"


class Ledger(BaseModel):
    """One line's quantities; immutable, changed only by `domain.line.facts.apply`."""

    model_config = ConfigDict(frozen=True)

    ordered: Decimal
    canceled: Decimal = ZERO
    received: Decimal = ZERO
    reserved: Decimal = ZERO
    released: Decimal = ZERO
    picked: Decimal = ZERO
    shipped: Decimal = ZERO
    invoiced: Decimal = ZERO
    backordered: Decimal = ZERO
    phase: Phase = Phase.BOOKED
    back_to_back: bool = True
    version: int = 1

    # ------------------------------------------------------------------ derived buckets

    @property
    def open(self) -> Decimal:
        return self.ordered - self.canceled

    @property
    def to_ship(self) -> Decimal:
        """Open and not shipped yet."""
        return self.open - self.shipped

    @property
    def to_supply(self) -> Decimal:
        """Open, not shipped and not on hand for the line: awaiting supply or stock."""
        return max(self.to_ship - self.reserved, ZERO)

    @property
    def excess_reserved(self) -> Decimal:
        """Reserved beyond what is still to ship: goes back to free stock."""
        return max(self.reserved - max(self.to_ship, ZERO), ZERO)

    @property
    def ready(self) -> Decimal:
        """On hand and reserved, not released to the warehouse."""
        return self.reserved - (self.released - self.shipped)

    @property
    def releasable(self) -> Decimal:
        """What a pick wave may release: ready, and still open (not an excess reservation
        a cancel left behind)."""
        return min(self.ready, self.to_ship - (self.released - self.shipped))

    @property
    def in_pick(self) -> Decimal:
        return self.released - self.picked

    @property
    def staged(self) -> Decimal:
        return self.picked - self.shipped

    @property
    def supplied(self) -> bool:
        """Everything still to ship is on hand for the line."""
        return self.reserved >= self.to_ship


def violations(ledger: Ledger) -> list[str]:
    """The invariants the ledger breaks (none, always; checked after every transition and
    mirrored by CHECK constraints on `fulfillment_lines`)."""
    q = ledger
    rules = [
        (q.ordered > 0, "ordered > 0"),
        (ZERO <= q.canceled <= q.ordered - q.shipped, "0 <= canceled <= ordered - shipped"),
        (ZERO <= q.shipped <= q.picked, "0 <= shipped <= picked"),
        (q.picked <= q.released, "picked <= released"),
        (q.released <= q.open, "released <= open"),
        (q.ready >= 0, "reserved >= released - shipped (ready >= 0)"),
        (q.received >= 0, "received >= 0"),
        (ZERO <= q.invoiced <= q.shipped, "0 <= invoiced <= shipped"),
        (ZERO <= q.backordered <= q.to_supply, "0 <= backordered <= to_supply"),
        (q.version >= 1, "version >= 1"),
    ]
    return [rule for holds, rule in rules if not holds]


class LedgerBroken(AssertionError):
    """A transition produced a ledger that breaks an invariant: a bug, never bad input."""
