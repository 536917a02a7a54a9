"""Units of measure: how many decimal places a quantity of an item may have.

Counted units are whole: 0.0001 of an `Ea` item would become a purchase order for 0.0001
laptops. An item's setup may say how many places its quantities take
(`quantity_decimal_places`); otherwise its unit of measure decides, and a unit not listed
here takes the four places quantities are stored with.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from domain.quantities import json_quantity

STORED_DECIMAL_PLACES = 4

# Counted units, case-insensitive: whole quantities only.
COUNTED_UNITS = frozenset(
    {"ea", "each", "pc", "pcs", "piece", "unit", "box", "bx", "case", "cs", "pack", "pk",
     "pair", "pr", "set", "dz", "dozen", "roll", "kit", "pallet", "plt", "bag", "can"}
)  # fmt: skip


def decimal_places(uom: str, item_places: int | None = None) -> int:
    """The decimal places a quantity of an item in `uom` may have: the item's own setting
    when it has one, else 0 for a counted unit and 4 for any other."""
    if item_places is not None:
        return item_places
    return 0 if uom.strip().casefold() in COUNTED_UNITS else STORED_DECIMAL_PLACES


def places_of(quantity: Decimal) -> int:
    """How many decimal places `quantity` really has (trailing zeros do not count)."""
    exponent = quantity.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else STORED_DECIMAL_PLACES + 1


def precision_problem(quantity: Decimal, *, uom: str, places: int) -> str | None:
    """Why `quantity` is not a quantity of this unit, or None when it is."""
    if places_of(quantity) <= places:
        return None
    allowed = "whole units" if places == 0 else f"at most {places} decimal places"
    return (
        f"{json_quantity(quantity)} is not a valid quantity of {uom}: a quantity of this"
        f" item takes {allowed}"
    )


def first_precision_problem(
    quantities: Mapping[str, Decimal | None], *, uom: str, places: int
) -> tuple[str, str] | None:
    """The first field whose quantity breaks the unit's precision, with why."""
    for field, quantity in quantities.items():
        if quantity is None:
            continue
        problem = precision_problem(quantity, uom=uom, places=places)
        if problem is not None:
            return field, problem
    return None
