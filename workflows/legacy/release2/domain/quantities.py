"""How quantities and amounts read in JSON answers, events and messages."""

from __future__ import annotations

from decimal import Decimal


def json_quantity(value: Decimal) -> int | float:
    """A quantity as a JSON number: 50, not "50.0000"."""
    normalized = value.normalize()
    if normalized == normalized.to_integral_value():
        return int(normalized)
    return float(normalized)


def json_money(value: Decimal) -> str:
    """An amount or price as a string with cents: "1450.00"."""
    return format(value.quantize(Decimal("0.01")), "f")
