"""What a line's ledger shows in the line view of the contract (`GET
/orders/{n}/lines/{l}`): its status and quantities, the same whoever reads them (the line's
workflow, or the API reading a newer stored version)."""

from __future__ import annotations

from decimal import Decimal

from domain.line.ledger import ZERO, Ledger
from domain.line.status import line_status
from domain.pricing import line_amount


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
