"""Drop ship: which lines are drop shipped, and what such a line may not ask for.

A line is drop shipped when it asks for it (`drop_ship: true`) or when the best rank of the
sourcing rule that applies to it has only DROP_SHIP sources: its supplier then ships
straight to the customer, and nothing passes through a warehouse of ours. Seed 004: Cancel
Backorders (and so Enforce Single Shipment) cannot be used with a drop shipment; and since
nothing of it is ever staged, it cannot wait in a shipment set either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.models import LineInput
from domain.sourcing import applicable_sources
from domain.statuses import SupplyType

NO_BACKORDERS = "Cancel Backorders and Enforce Single Shipment do not apply to drop-ship lines"
NO_SHIPMENT_SET = (
    "a drop-ship line ships from its supplier, never staged with other lines: it cannot be in"
    " a shipment set"
)


def drop_shipped_by_rule(
    local_sources: list[dict[str, Any]] | None, global_sources: list[dict[str, Any]] | None
) -> bool:
    """The rule that applies (the organization's, else the global one) drop ships: every
    source of its best rank is DROP_SHIP."""
    sources, _ = applicable_sources(local_sources=local_sources, global_sources=global_sources)
    if not sources:
        return False
    best = min(int(s.get("rank", 1)) for s in sources)
    return all(s["type"] == SupplyType.DROP_SHIP for s in sources if int(s.get("rank", 1)) == best)


@dataclass(frozen=True)
class FlagRefused:
    field: str
    reason: str


def refused_flags(
    *, cancel_backorders: bool, enforce_single_shipment: bool, shipment_set: str | None
) -> FlagRefused | None:
    """What a drop-ship line asks for that it cannot have (the first such field)."""
    if cancel_backorders:
        return FlagRefused("cancel_backorders", NO_BACKORDERS)
    if enforce_single_shipment:
        return FlagRefused("enforce_single_shipment", NO_BACKORDERS)
    if shipment_set is not None:
        return FlagRefused("shipment_set", NO_SHIPMENT_SET)
    return None


def why_not_drop_shipped(line: LineInput) -> str | None:
    """Why a booked line may not be supplied by a DROP_SHIP source, if it may not (sourcing
    passes such a source of a lower rank over, with this reason)."""
    refused = refused_flags(
        cancel_backorders=line.cancel_backorders,
        enforce_single_shipment=line.enforce_single_shipment,
        shipment_set=line.shipment_set,
    )
    return refused.reason if refused is not None else None
