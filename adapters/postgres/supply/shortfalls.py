"""Shortfalls: quantities a supplier cut or rejected, owed to their pegged lines until the
line's sourcing covers them again (RESOURCED) or a person cancels them (CANCELED)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from adapters.postgres.common import Connection
from adapters.postgres.outbox.events import append_event
from domain.acknowledgments import shortfall_words
from domain.statuses import EventType


async def record_shortfall(
    conn: Connection,
    *,
    shortfall_id: str,
    acknowledgment_id: str,
    pol: Any,
    peg: Any,
    supplier: str,
    quantity: Decimal,
    action: str,
    reason: str,
) -> str:
    """Write the shortfall and its SUPPLY_SHORTFALL event; answers it in words."""
    row = await conn.fetchrow(
        "INSERT INTO supply_shortfalls (shortfall_id, acknowledgment_id, po_number, po_line,"
        " order_number, line_number, supplier, quantity, action, reason)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *",
        shortfall_id,
        acknowledgment_id,
        pol["po_number"],
        pol["po_line"],
        peg["order_number"],
        peg["line_number"],
        supplier,
        quantity,
        action,
        reason,
    )
    words = words_of(row)
    await append_event(
        conn,
        key=f"shortfall:{shortfall_id}",
        type=EventType.SUPPLY_SHORTFALL,
        order_number=peg["order_number"],
        line_number=peg["line_number"],
        data={
            "shortfall_id": shortfall_id,
            "po_number": pol["po_number"],
            "po_line": pol["po_line"],
            "supplier": supplier,
            "quantity": str(quantity),
            "action": action,
            "reason": reason,
            "detail": words,
        },
    )
    return words


async def shortfalls_of_line(conn: Connection, order_number: str, line_number: int) -> list[Any]:
    """Every shortfall of a line, oldest first (settled ones too: their suppliers stay out
    of the line's sourcing)."""
    return list(
        await conn.fetch(
            "SELECT * FROM supply_shortfalls WHERE order_number = $1 AND line_number = $2"
            " ORDER BY created_at, shortfall_id",
            order_number,
            line_number,
        )
    )


def words_of(shortfall: Any) -> str:
    """A `supply_shortfalls` row in words."""
    return shortfall_words(
        quantity=shortfall["quantity"],
        po_number=shortfall["po_number"],
        po_line=shortfall["po_line"],
        supplier=shortfall["supplier"],
        action=shortfall["action"],
        reason=shortfall["reason"],
    )


def open_words(shortfalls: list[Any]) -> list[str]:
    """The line's unsettled shortfalls, in words."""
    return [words_of(s) for s in shortfalls if s["settled_at"] is None]


async def settle_shortfalls(
    conn: Connection,
    *,
    key: str,
    order_number: str,
    line_number: int,
    settlement: str,
    documents: list[str],
) -> list[str]:
    """Settle a line's open shortfalls (RESOURCED by `documents`, or CANCELED), with one
    event; answers their ids."""
    settled = [
        r["shortfall_id"]
        for r in await conn.fetch(
            "UPDATE supply_shortfalls SET settled_at = now(), settlement = $3"
            " WHERE order_number = $1 AND line_number = $2 AND settled_at IS NULL"
            " RETURNING shortfall_id",
            order_number,
            line_number,
            settlement,
        )
    ]
    if settled:
        resourced = settlement == "RESOURCED"
        await append_event(
            conn,
            key=f"{key}:shortfalls-{settlement.lower()}",
            type=EventType.LINE_RESOURCED if resourced else EventType.SHORTFALL_CANCELED,
            order_number=order_number,
            line_number=line_number,
            data={"shortfall_ids": sorted(settled), "documents": documents},
        )
    return sorted(settled)
