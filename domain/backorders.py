"""Cancel Backorders and Enforce Single Shipment (seed 004): what shipping cancels on a
line when it finds too little, or after the first shipment.

Shipping cancels only backordered quantity (and, with single shipment, whatever is still
open after the first ship confirm); a line without Cancel Backorders keeps its backorder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from domain.kits import whole_kits

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


def at_confirm(flags: LineFlags, *, backordered: Decimal) -> Decimal:
    """Quantity to cancel when a pick or ship confirm reports `backordered`."""
    return backordered if flags.cancel_backorders else ZERO


def after_shipment(
    flags: LineFlags,
    *,
    open_quantity: Decimal,
    shipped: Decimal,
    under_tolerance_pct: Decimal = ZERO,
) -> Decimal:
    """What a ship confirm cancels of what stays open: all of it with single shipment (even
    when stock is there), or when what shipped is within the line's under tolerance."""
    rest = max(open_quantity - shipped, ZERO)
    if flags.enforce_single_shipment:
        return rest
    if rest > 0 and shipped >= open_quantity * (1 - under_tolerance_pct / 100):
        return rest
    return ZERO


def shipment_sets(lines: list[dict[str, object]], released: list[str]) -> list[dict[str, object]]:
    """Each shipment set of an order as the warehouse sees it: its lines, which are staged,
    which hold it (open lines not staged yet), and whether its order released it for
    shipping. Canceled lines are out of their set."""
    done = {"CANCELED", "SHIPPED", "AWAITING_BILLING", "CLOSED"}
    sets: dict[str, list[dict[str, object]]] = {}
    for line in lines:
        if line.get("shipment_set") and line["status"] != "CANCELED":
            sets.setdefault(str(line["shipment_set"]), []).append(line)
    return [
        {
            "shipment_set": name,
            "lines": [li["line_number"] for li in members],
            "staged": [li["line_number"] for li in members if li["status"] == "STAGED"],
            "held_by": [
                {"line_number": li["line_number"], "status": li["status"]}
                for li in members
                if li["status"] not in done and li["status"] != "STAGED"
            ],
            "released": name in released,
        }
        for name, members in sorted(sets.items())
    ]


@dataclass(frozen=True)
class WaveLine:
    """A line of an order a pick wave looks at, as its row stands under the wave's lock."""

    order_number: str
    line_number: int
    shipment_set: str | None
    flags: LineFlags
    to_ship: Decimal  # open and not shipped
    reserved: Decimal
    candidate: bool  # ready to release, or waiting for stock at the wave's organization
    # What is on hand for the line and not released yet (all of it when nothing is).
    releasable: Decimal | None = None
    # May ship what has arrived: not in a shipment set, no single shipment, its order not
    # shipped complete.
    in_parts: bool = False
    # Why a hold keeps the line from pick release (domain.holds.held_because); None: free.
    held: str | None = None
    # A kit's component: its kit line's number and its quantity per kit.
    kit: tuple[int, Decimal] | None = None

    @property
    def ready(self) -> Decimal:
        if self.releasable is None:
            return min(self.reserved, self.to_ship)
        return self.releasable

    @property
    def key(self) -> tuple[str, int]:
        return (self.order_number, self.line_number)


@dataclass
class WavePlan:
    release: dict[tuple[str, int], Decimal]
    cancel: dict[tuple[str, int], Decimal]  # backorder cancels
    waiting: dict[tuple[str, int], Decimal]  # short without Cancel Backorders: left to wait
    canceled_sets: set[tuple[str, str]]
    # Left by the wave for a hold: the line's own, or a held line of its shipment set.
    held: dict[tuple[str, int], str] = field(default_factory=dict)
    # Whole kits canceled, per kit line (its components' cancels are in `cancel`).
    kit_cancels: dict[tuple[str, int], Decimal] = field(default_factory=dict)


def plan_wave(lines: list[WaveLine]) -> WavePlan:
    """What a pick wave releases and cancels (seed 004's shipment set table). A short line
    that cancels backorders: outside a shipment set, what is there is released and the rest
    canceled; inside one, every line of its set is canceled (all lines in one set: the whole
    order; each line its own set: that line only). Lines of a canceled set are not released.
    A short line that ships in parts and keeps its backorders: what is there is released,
    the rest waits for a later wave. A kit is judged whole (`_plan_kits`)."""
    plan = WavePlan(release={}, cancel={}, waiting={}, canceled_sets=set())
    held_sets: dict[tuple[str, str | None], int] = {
        (line.order_number, line.shipment_set): line.line_number
        for line in lines
        if line.held is not None and line.shipment_set is not None
    }
    judged = _plan_kits(lines, plan)
    for line in lines:
        if not line.candidate or line.key in judged:
            continue
        if line.held is not None:
            plan.held[line.key] = line.held
            continue
        if (line.order_number, line.shipment_set) in held_sets:  # sets are judged whole
            held = held_sets[(line.order_number, line.shipment_set)]
            plan.held[line.key] = f"shipment set {line.shipment_set}: line {held} is on hold"
            continue
        short = max(line.to_ship - line.reserved, ZERO)
        if short == 0:
            plan.release[line.key] = line.ready
        elif not line.flags.cancel_backorders:
            plan.waiting[line.key] = short
            if line.in_parts and line.ready > 0:  # ship what has arrived; the rest waits
                plan.release[line.key] = line.ready
        elif line.shipment_set is not None:
            plan.canceled_sets.add((line.order_number, line.shipment_set))
        else:
            plan.cancel[line.key] = short
            if line.ready > 0:
                plan.release[line.key] = line.ready
    for line in lines:
        if line.key in plan.held or line.held is not None:
            continue
        if (line.order_number, line.shipment_set) in plan.canceled_sets and line.to_ship > 0:
            plan.release.pop(line.key, None)
            plan.waiting.pop(line.key, None)
            plan.cancel[line.key] = line.to_ship
    return plan


def _plan_kits(lines: list[WaveLine], plan: WavePlan) -> set[tuple[str, int]]:
    """A kit is judged whole (seed 004: Cancel Backorders cancels whole kits, never a
    component). All there: each component releases what is ready. Short, with the flag,
    before any of it went to the warehouse: the whole kits on hand are released and the
    others canceled on every component. Otherwise (not one whole kit on hand, part of it
    already released, or no flag) it waits. A kit with a held component is left to the
    hold (its set is held). Answers the components judged here."""
    kits: dict[tuple[str, int], list[WaveLine]] = {}
    for line in lines:
        if line.kit is not None and line.to_ship > 0:
            kits.setdefault((line.order_number, line.kit[0]), []).append(line)
    judged: set[tuple[str, int]] = set()
    for kit_key, members in kits.items():
        if any(m.held is not None for m in members):
            continue
        judged |= {m.key for m in members}
        shares = [(m, m.kit[1]) for m in members if m.kit is not None]
        open_kits = whole_kits([(m.to_ship, per_kit) for m, per_kit in shares])
        on_hand = whole_kits([(min(m.reserved, m.to_ship), per_kit) for m, per_kit in shares])
        started = any(m.reserved > m.ready for m in members)  # released, not yet shipped
        if on_hand >= open_kits:
            for m in members:
                if m.candidate and m.ready > 0:
                    plan.release[m.key] = m.ready
        elif on_hand == 0 or started or not members[0].flags.cancel_backorders:
            for m in members:
                plan.waiting[m.key] = max(m.to_ship - m.reserved, ZERO)
        else:
            plan.kit_cancels[kit_key] = open_kits - on_hand
            for m, per_kit in shares:
                plan.release[m.key] = on_hand * per_kit
                plan.cancel[m.key] = m.to_ship - on_hand * per_kit
    return judged
