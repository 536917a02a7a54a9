"""What a line's ledger shows in the line view of the contract (`GET
/orders/{n}/lines/{l}`): its status and quantities, the same whoever reads them (the line's
workflow, or the API reading a newer stored version)."""

from __future__ import annotations

from decimal import Decimal

from workflows.legacy.release2.domain.line.ledger import Ledger
from workflows.legacy.release2.domain.line.status import line_status
from workflows.legacy.release2.domain.pricing import line_amount


def ledger_fields(
    ledger: Ledger, *, unit_price: Decimal, unit_discount: Decimal
) -> dict[str, object]:
    q = ledger
    return {
        "status": line_status(q),
        "ordered_quantity": q.ordered,
        "canceled_quantity": q.canceled,
        "reserved_quantity": q.reserved,
        "received_quantity": q.received,
        "picked_quantity": q.picked,
        "shipped_quantity": q.shipped,
        "invoiced_quantity": q.invoiced,
        "line_amount": line_amount(q.open, unit_price, unit_discount),
        "open_quantity": q.open,
        "released_quantity": q.released - q.shipped,
        "awaiting_supply_quantity": q.to_supply,
        "backordered_quantity": q.backordered,
        "ledger_version": q.version,
    }
