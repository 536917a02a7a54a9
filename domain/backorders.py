"""Cancel Backorders and Enforce Single Shipment (seed 004): what shipping cancels on a
line when it finds too little, or after the first shipment.

Shipping cancels only backordered quantity (and, with single shipment, whatever is still
open after the first ship confirm); a line without Cancel Backorders keeps its backorder.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# The predefined reason of cancels made by shipping; people may not choose it, so reports
# can tell shipping's cancels from theirs.
CANCEL_BACKORDERS_REASON = "Cancel Backorders"
RESERVED_REASONS = frozenset({CANCEL_BACKORDERS_REASON.casefold(), "ora_cancel_backorders"})

ZERO = Decimal(0)


def is_reserved_reason(reason: str | None) -> bool:
    return reason is not None and reason.strip().casefold() in RESERVED_REASONS


def backorder_reason(person_reason: str | None) -> str:
    """A reason a person gave on the line is kept for later backorder cancels."""
    return person_reason or CANCEL_BACKORDERS_REASON


@dataclass(frozen=True)
class LineFlags:
    cancel_backorders: bool
    enforce_single_shipment: bool


def at_pick_release(flags: LineFlags, *, to_ship: Decimal, reserved: Decimal) -> Decimal:
    """Quantity to cancel when a pick wave finds only `reserved` of `to_ship`."""
    if not flags.cancel_backorders:
        return ZERO
    return max(to_ship - reserved, ZERO)


def at_confirm(flags: LineFlags, *, backordered: Decimal) -> Decimal:
    """Quantity to cancel when a pick or ship confirm reports `backordered`."""
    return backordered if flags.cancel_backorders else ZERO


def after_shipment(flags: LineFlags, *, open_quantity: Decimal, shipped: Decimal) -> Decimal:
    """With single shipment, whatever is still open after a ship confirm is canceled, even
    when stock is there."""
    if not flags.enforce_single_shipment:
        return ZERO
    return max(open_quantity - shipped, ZERO)
