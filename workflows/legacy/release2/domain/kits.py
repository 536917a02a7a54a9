"""Kits (pick-to-order, seed 004): a kit line and its component lines.

A kit item's setup lists its components, each with a quantity per kit. Booking a kit line
makes one fulfillment line per component, supplied like any item and pegged to its own
documents; the components ship together, as a shipment set of their own. Seed 004's rules:
Cancel Backorders cancels whole kits, never a single component; a component backordered at
pick confirm is kept open. The kit line carries the price and bills whole kits shipped.

A component's line is stored beside the order's lines under a number no order line can
have (order lines are 1..99,999): `100,000 + kit line × 100 + component`
(`domain/identity.py`). Its workflow id is then the contract's
`order-{n}-line-{l}-component-{c}`, whatever computes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

# The numbering of component lines is the ids' (re-exported for the kit's readers).
from workflows.legacy.release2.domain.identity import MAX_COMPONENTS as MAX_COMPONENTS
from workflows.legacy.release2.domain.identity import component_line_number as component_line_number
from workflows.legacy.release2.domain.identity import kit_component_of as kit_component_of
from workflows.legacy.release2.domain.line import Ledger
from workflows.legacy.release2.domain.statuses import LineStatus

ZERO = Decimal(0)


def kit_set(kit_line: int, shipment_set: str | None) -> str:
    """The shipment set a kit's components ship in: the kit line's own set, else one of the
    kit's own (its ':' is never in a set name an order gives)."""
    return shipment_set or f"kit:{kit_line}"


@dataclass(frozen=True)
class KitComponent:
    """One component of a kit item's setup."""

    component: int
    item: str
    per_kit: Decimal


def setup_refusal(kit_item: str, components: Sequence[str], kits: Mapping[str, bool]) -> str | None:
    """Why a kit's components cannot be set up, if they cannot: a kit never contains itself,
    nor another kit (so no kit contains itself through another). `kits` tells, per item
    named, whether it is a kit."""
    for item in components:
        if item == kit_item:
            return f"kit {kit_item} cannot contain itself"
        if kits.get(item, False):
            return f"{item} is a kit: a kit component cannot be a kit"
    return None


def whole_kits(quantities: Sequence[tuple[Decimal, Decimal]]) -> Decimal:
    """How many whole kits `(quantity, per kit)` of every component make: the fewest."""
    if not quantities:
        return ZERO
    return min(
        (quantity / per_kit).to_integral_value(rounding=ROUND_FLOOR)
        for quantity, per_kit in quantities
    )


@dataclass(frozen=True)
class KitQuantities:
    """A kit line's quantities in whole kits."""

    ordered: Decimal
    canceled: Decimal
    shipped: Decimal

    @property
    def open(self) -> Decimal:
        return self.ordered - self.canceled


def kit_quantities(kit: Ledger, components: Sequence[tuple[Decimal, Ledger]]) -> KitQuantities:
    """The kit's whole kits: ordered and canceled as its own line holds them, shipped as its
    components shipped them (`(per kit, ledger)` of each)."""
    return KitQuantities(
        ordered=kit.ordered,
        canceled=kit.canceled,
        shipped=whole_kits([(q.shipped, per_kit) for per_kit, q in components]),
    )


# The cycle's steps in order: a kit is where its least advanced open component is.
_PROGRESS = (
    LineStatus.MANUAL_ACTION_REQUIRED,
    LineStatus.BOOKED,
    LineStatus.BACKORDERED,
    LineStatus.AWAITING_SUPPLY,
    LineStatus.AWAITING_SHIPPING,
    LineStatus.PICK_RELEASED,
    LineStatus.STAGED,
    LineStatus.SHIPPED,
    LineStatus.AWAITING_BILLING,
    LineStatus.CLOSED,
)


def kit_status(kit_stored: LineStatus, components: Sequence[LineStatus]) -> LineStatus:
    """The kit line's status: its own once it is billing, closed or canceled; before, the
    status of its least advanced open component (a component waiting for a person makes
    the kit wait for one too), at most SHIPPED: the kit bills and closes itself."""
    if kit_stored in (LineStatus.AWAITING_BILLING, LineStatus.CLOSED, LineStatus.CANCELED):
        return kit_stored
    open_ = [s for s in components if s is not LineStatus.CANCELED]
    if not open_:
        return kit_stored
    least = min(open_, key=_PROGRESS.index)
    return min(least, LineStatus.SHIPPED, key=_PROGRESS.index)
