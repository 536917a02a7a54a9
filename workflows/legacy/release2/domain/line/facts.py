"""The facts that change a line's ledger, and `apply`, the only way they change it.

`apply(ledger, fact)` gives the next ledger (version raised by one, invariants checked) or a
`Refused` naming the rule and, where there is one, the field; a refusal changes nothing.
Adapters record the fact's other effects (documents, on-hand, events, signals) in the same
transaction and store the new ledger through one writer.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from workflows.legacy.release2.domain.line.ledger import (
    ZERO,
    Ledger,
    LedgerBroken,
    Phase,
    violations,
)
from workflows.legacy.release2.domain.line.status import line_status
from workflows.legacy.release2.domain.quantities import json_quantity as _q
from workflows.legacy.release2.domain.statuses import LineStatus


class Refusal(StrEnum):
    """Why a fact cannot happen: the input is wrong, or the line is not in a state for it."""

    INVALID = "INVALID"
    CONFLICT = "CONFLICT"


@dataclass(frozen=True)
class Refused:
    kind: Refusal
    reason: str
    field: str | None = None


@dataclass(frozen=True)
class SupplyCreated:
    """A supply document was pegged to the line."""


@dataclass(frozen=True)
class Arrive:
    """Goods arrived on a pegged document (a receipt, a completion, a transfer receipt) and
    are reserved to the line; `document_open` is what that document still brings."""

    quantity: Decimal
    document: str
    document_open: Decimal


@dataclass(frozen=True)
class ReserveStock:
    """Free on-hand reserved to a line shipped from stock (possibly none, at scheduling)."""

    quantity: Decimal


@dataclass(frozen=True)
class ReleaseExcess:
    """What is reserved beyond what is still to ship goes back to free stock."""


@dataclass(frozen=True)
class Release:
    """A pick wave released `quantity` to the warehouse."""

    quantity: Decimal


@dataclass(frozen=True)
class Pick:
    """A pick confirmation: picked, and backordered (kept open or canceled)."""

    picked: Decimal
    kept: Decimal = ZERO
    canceled: Decimal = ZERO


@dataclass(frozen=True)
class Ship:
    """A ship confirmation: shipped, backordered (kept open or canceled), and what the
    line's policy cancels of the rest (single shipment, under-ship tolerance)."""

    shipped: Decimal
    kept: Decimal = ZERO
    canceled: Decimal = ZERO
    rest_canceled: Decimal = ZERO


@dataclass(frozen=True)
class DropShip:
    """The supplier of a drop-ship PO shipped `quantity` straight to the customer: the line
    counts it received and shipped at once (nothing is reserved, released or picked in a
    warehouse of ours); `document_open` is what that PO line still brings."""

    quantity: Decimal
    document: str
    document_open: Decimal


@dataclass(frozen=True)
class KitShipped:
    """A kit line's components shipped `quantity` more whole kits: the kit line counts them
    shipped (its goods are its components', reserved, released and picked on their lines)."""

    quantity: Decimal


@dataclass(frozen=True)
class Cancel:
    quantity: Decimal


@dataclass(frozen=True)
class Increase:
    quantity: Decimal


@dataclass(frozen=True)
class Invoice:
    quantity: Decimal


@dataclass(frozen=True)
class EnterPhase:
    """The line's cycle moved on by itself (manual action, retry, credit, billing, close)."""

    phase: Phase


Fact = (
    SupplyCreated
    | Arrive
    | ReserveStock
    | ReleaseExcess
    | Release
    | Pick
    | Ship
    | DropShip
    | KitShipped
    | Cancel
    | Increase
    | Invoice
    | EnterPhase
)


def apply(ledger: Ledger, fact: Fact) -> Ledger | Refused:
    """The ledger after `fact`, or why the fact is refused."""
    result = _transition(ledger, fact)
    if isinstance(result, Refused):
        return result
    result = result.model_copy(update={"version": ledger.version + 1})
    broken = violations(result)
    if broken:
        raise LedgerBroken(f"{type(fact).__name__} on {ledger!r} breaks {', '.join(broken)}")
    return result


def _transition(q: Ledger, fact: Fact) -> Ledger | Refused:
    match fact:
        case SupplyCreated():
            return _supplying(q)
        case Arrive(quantity, document, document_open):
            return _arrive(q, quantity, document, document_open)
        case ReserveStock(quantity):
            return _reserve_stock(q, quantity)
        case ReleaseExcess():
            return _settle(q, reserved=q.reserved - q.excess_reserved)
        case Release(quantity):
            return _release(q, quantity)
        case Pick():
            return _pick(q, fact)
        case Ship():
            return _ship(q, fact)
        case DropShip(quantity, document, document_open):
            return _drop_ship(q, quantity, document, document_open)
        case KitShipped(quantity):
            return _drop_ship(q, quantity, "its components", q.to_supply)
        case Cancel(quantity):
            return _cancel(q, quantity)
        case Increase(quantity):
            if quantity <= 0:
                return Refused(Refusal.INVALID, "quantity: must be greater than 0", "quantity")
            return _settle(q, ordered=q.ordered + quantity)
        case Invoice(quantity):
            return _invoice(q, quantity)
        case EnterPhase(phase):
            return _settle(q, phase=phase)


def _reserve_stock(q: Ledger, quantity: Decimal) -> Ledger | Refused:
    if quantity < 0 or quantity > q.to_supply:
        return Refused(
            Refusal.CONFLICT,
            f"{_q(quantity)} cannot be reserved: {_q(q.to_supply)} to supply",
        )
    return _settle(_supplying(q), reserved=q.reserved + quantity)


def _release(q: Ledger, quantity: Decimal) -> Ledger | Refused:
    if quantity <= 0 or quantity > q.releasable:
        return Refused(
            Refusal.CONFLICT,
            f"{_q(quantity)} cannot be released: {_q(q.releasable)} reserved, open and not"
            " released",
        )
    return _settle(q, released=q.released + quantity)


def _invoice(q: Ledger, quantity: Decimal) -> Ledger | Refused:
    if quantity < 0 or q.invoiced + quantity > q.shipped:
        return Refused(
            Refusal.CONFLICT,
            f"{_q(quantity)} cannot be invoiced: {_q(q.shipped - q.invoiced)} shipped and"
            " not invoiced",
        )
    return _settle(q, invoiced=q.invoiced + quantity)


def _settle(q: Ledger, **changes: object) -> Ledger:
    """Apply `changes`; a backorder kept open never exceeds what is left to supply."""
    moved = q.model_copy(update=changes)
    return moved.model_copy(update={"backordered": min(moved.backordered, moved.to_supply)})


def _supplying(q: Ledger) -> Ledger:
    return q.model_copy(update={"phase": Phase.SUPPLYING}) if q.phase is Phase.BOOKED else q


def _arrive(
    q: Ledger, quantity: Decimal, document: str, document_open: Decimal
) -> Ledger | Refused:
    # What the line still lacks: goods lost on a backorder it keeps open are owed again.
    room = min(document_open, q.to_supply)
    if quantity > room:
        return Refused(
            Refusal.CONFLICT,
            f"over-receipt: {_q(quantity)} received but only {_q(room)} open on {document}",
        )
    return _settle(_supplying(q), received=q.received + quantity, reserved=q.reserved + quantity)


def _drop_ship(
    q: Ledger, quantity: Decimal, document: str, document_open: Decimal
) -> Ledger | Refused:
    room = min(document_open, q.to_supply)
    if quantity <= 0:
        return Refused(Refusal.INVALID, "quantity: must be greater than 0", "quantity")
    if quantity > room:
        return Refused(
            Refusal.CONFLICT,
            f"quantity: {_q(quantity)} shipped but only {_q(room)} open on {document}",
            "quantity",
        )
    # Released and picked count shipped goods too (shipped <= picked <= released).
    return _settle(
        _supplying(q),
        received=q.received + quantity,
        released=q.released + quantity,
        picked=q.picked + quantity,
        shipped=q.shipped + quantity,
    )


def _cancel(q: Ledger, quantity: Decimal) -> Ledger | Refused:
    if quantity > q.to_ship:
        shipped = f" ({_q(q.shipped)} shipped)" if q.shipped else ""
        return Refused(
            Refusal.INVALID,
            f"quantity: {_q(quantity)} is more than the {_q(q.to_ship)} open on the line" + shipped,
            "quantity",
        )
    if quantity < 0:
        return Refused(Refusal.INVALID, "quantity: must be greater than 0", "quantity")
    remaining = q.open - quantity
    # Released and picked count shipped goods too; neither can exceed what stays open.
    return _settle(
        q,
        canceled=q.canceled + quantity,
        released=min(q.released, remaining),
        picked=min(q.picked, remaining),
    )


def _keep_backorder(q: Ledger, kept: Decimal, *, picked: bool) -> Ledger:
    """Goods the warehouse backordered and the line keeps open leave its reservation (and
    its release; at ship confirm its pick too) and are owed to it again."""
    if kept <= 0:
        return q
    return q.model_copy(
        update={
            "reserved": q.reserved - kept,
            "released": q.released - kept,
            "picked": q.picked - kept if picked else q.picked,
            "backordered": q.backordered + kept,
        }
    )


def _pick(q: Ledger, pick: Pick) -> Ledger | Refused:
    backordered = pick.kept + pick.canceled
    if q.in_pick <= 0:
        return Refused(
            Refusal.CONFLICT,
            f"line is {line_status(q)}, not {LineStatus.PICK_RELEASED}: nothing released to pick",
        )
    if pick.picked <= 0 and backordered <= 0:
        return Refused(
            Refusal.INVALID, "picked_quantity: must be greater than 0", "picked_quantity"
        )
    if (
        pick.picked < 0
        or pick.kept < 0
        or pick.canceled < 0
        or pick.picked + backordered > q.in_pick
    ):
        return Refused(
            Refusal.CONFLICT,
            f"picked_quantity: {_q(pick.picked)} picked and {_q(backordered)} backordered is"
            f" more than the {_q(q.in_pick)} released and not yet picked",
            "picked_quantity",
        )
    # Canceled first: what stays open bounds the release before the pick counts.
    canceled = _cancel(q, pick.canceled)
    if isinstance(canceled, Refused):
        return canceled
    kept = _keep_backorder(canceled, pick.kept, picked=False)
    return _settle(kept, picked=kept.picked + pick.picked)


def _ship(q: Ledger, ship: Ship) -> Ledger | Refused:
    backordered = ship.kept + ship.canceled
    if ship.shipped <= 0:
        return Refused(
            Refusal.INVALID, "shipped_quantity: must be greater than 0", "shipped_quantity"
        )
    if q.staged <= 0:
        return Refused(Refusal.CONFLICT, f"line is {line_status(q)}: nothing is staged to ship")
    if ship.kept < 0 or ship.canceled < 0 or ship.shipped + backordered > q.staged:
        return Refused(
            Refusal.CONFLICT,
            f"shipped_quantity: {_q(ship.shipped)} shipped and {_q(backordered)} backordered"
            f" is more than the {_q(q.staged)} picked and staged",
            "shipped_quantity",
        )
    kept = _keep_backorder(q, ship.kept, picked=True)
    canceled = _cancel(kept, ship.canceled + ship.rest_canceled)
    if isinstance(canceled, Refused):
        return canceled
    # Shipping consumes the reservation the goods were part of.
    return _settle(
        canceled,
        shipped=canceled.shipped + ship.shipped,
        reserved=canceled.reserved - ship.shipped,
    )
