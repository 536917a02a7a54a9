"""Line prices and amounts."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def volume_unit_discount(quantity: Decimal, tiers: list[tuple[Decimal, Decimal]]) -> Decimal:
    """The unit discount of the highest tier the booked quantity reaches.

    It is fixed at booking: later cancellations do not take it away (seed 004).
    """
    reached = [discount for minimum, discount in tiers if quantity >= minimum]
    return max(reached, default=Decimal("0"))


def line_amount(quantity: Decimal, unit_price: Decimal, unit_discount: Decimal) -> Decimal:
    """Amount of the open quantity at the net unit price, rounded to cents."""
    net = max(unit_price - unit_discount, Decimal("0"))
    return (quantity * net).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
