"""What a line's ledger shows in the line view of the contract (`GET
/orders/{n}/lines/{l}`): its status, its quantities and what its stock reservation says,
the same whoever reads them (the line's workflow, or the API reading a newer stored
version)."""

from __future__ import annotations

from decimal import Decimal

from domain.line.ledger import ZERO, Ledger
from domain.line.status import line_status
from domain.models.views import SupplyView
from domain.pricing import line_amount
from domain.statuses import SupplyStatus, SupplyType


def ledger_fields(
    ledger: Ledger, *, unit_price: Decimal, unit_discount: Decimal, drop_ship: bool
) -> dict[str, object]:
    """The contract's quantities of the line. A drop-ship line's supplier ships straight to
    the customer: nothing is received into a warehouse of ours, released or picked there.
    Its ledger counts the shipped goods in those too (so that `shipped <= picked <=
    released` holds for every line); the view shows them 0."""
    q = ledger
    return {
        "status": line_status(q),
        "ordered_quantity": q.ordered,
        "canceled_quantity": q.canceled,
        "reserved_quantity": q.reserved,
        "received_quantity": ZERO if drop_ship else q.received,
        "picked_quantity": ZERO if drop_ship else q.picked,
        "shipped_quantity": q.shipped,
        "invoiced_quantity": q.invoiced,
        "line_amount": line_amount(q.open, unit_price, unit_discount),
        "open_quantity": q.open,
        "released_quantity": ZERO if drop_ship else q.released - q.shipped,
        "awaiting_supply_quantity": q.to_supply,
        "backordered_quantity": q.backordered,
        "ledger_version": q.version,
    }


def reservation_status(ledger: Ledger) -> SupplyStatus:
    """A stock reservation's status follows what it reserves: RECEIVED once nothing is left
    to supply (all that is still to ship is on hand for the line), AWAITING_RECEIPT while
    stock is awaited, CLOSED once everything open has shipped, CANCELED with nothing open."""
    q = ledger
    if q.open <= 0:
        return SupplyStatus.CANCELED
    if q.shipped >= q.open:
        return SupplyStatus.CLOSED
    return SupplyStatus.AWAITING_RECEIPT if q.to_supply > 0 else SupplyStatus.RECEIVED


def with_reservation_status(supply: list[SupplyView], ledger: Ledger) -> list[SupplyView]:
    """The line's supply with its stock reservation's status as its ledger says; the
    documents' statuses are their own."""
    status = reservation_status(ledger)
    return [
        s.model_copy(update={"status": status}) if s.type is SupplyType.ON_HAND else s
        for s in supply
    ]
