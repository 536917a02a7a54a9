"""Pegs: the supply documents hard-pegged to a line, what a new one is for, what each keeps
when the line needs less, and their close once it has shipped, inside the caller's
transaction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from adapters.postgres.common import Connection
from adapters.postgres.line import ledger as line_ledger
from adapters.postgres.outbox.events import append_event
from domain.line import SupplyCreated
from domain.supply_plan import PeggedDocument, quantities_to_keep


async def pegs_of_line(
    conn: Connection, order_number: str, line_number: int, document_type: str
) -> list[Any]:
    """The supply documents of one type pegged to a line."""
    return list(
        await conn.fetch(
            "SELECT * FROM pegs WHERE order_number = $1 AND line_number = $2"
            " AND document_type = $3 ORDER BY document_number, document_line",
            order_number,
            line_number,
            document_type,
        )
    )


def quantity_to_supply(line: Any, share: Decimal | None) -> Decimal:
    """What a new supply document for a locked line is for: the line's open quantity, or
    the share a source of a split line supplies (never more than is open)."""
    open_quantity = line_ledger.ledger_of(line).open
    if share is None:
        return open_quantity
    return min(share, open_quantity)


async def supply_to_keep(
    conn: Connection, order_number: str, line_number: int
) -> dict[tuple[str, int], Decimal]:
    """What each supply document pegged to a locked line keeps of its quantity now that the
    line needs `ordered - canceled` (see domain/supply_plan.py), across document types."""
    line = await conn.fetchrow(
        "SELECT ordered_quantity - canceled_quantity FROM fulfillment_lines"
        " WHERE order_number = $1 AND line_number = $2",
        order_number,
        line_number,
    )
    rows = await conn.fetch(
        "SELECT p.document_type, p.document_number, p.document_line, d.quantity,"
        " d.canceled_quantity, d.arrived_quantity FROM pegs p JOIN LATERAL ("
        "  SELECT quantity, canceled_quantity, received_quantity AS arrived_quantity"
        "  FROM purchase_order_lines WHERE p.document_type = 'PURCHASE_ORDER'"
        "  AND po_number = p.document_number AND po_line = p.document_line"
        " UNION ALL SELECT quantity, canceled_quantity, completed_quantity FROM work_orders"
        "  WHERE p.document_type = 'WORK_ORDER' AND work_order_number = p.document_number"
        " UNION ALL SELECT quantity, canceled_quantity, received_quantity FROM transfer_orders"
        "  WHERE p.document_type = 'TRANSFER_ORDER'"
        "  AND transfer_order_number = p.document_number"
        ") d ON true WHERE p.order_number = $1 AND p.line_number = $2"
        " ORDER BY p.supply_order_number, p.document_number, p.document_line",
        order_number,
        line_number,
    )
    return quantities_to_keep(line[0], [PeggedDocument(**dict(r)) for r in rows])


async def close_pegged_document(
    conn: Connection, *, key: str, peg: Any, table: str, number_column: str
) -> None:
    """A shipped line's work or transfer order and its supply order are done; a canceled
    one stays canceled. `table` and `number_column` are this module's own constants."""
    await conn.execute(
        f"UPDATE {table} SET status = 'CLOSED' WHERE {number_column} = $1 AND status <> 'CANCELED'",
        peg["document_number"],
    )
    await conn.execute(
        "UPDATE supply_orders SET status = 'CLOSED' WHERE supply_order_number = $1"
        " AND status <> 'CANCELED'",
        peg["supply_order_number"],
    )
    await append_event(
        conn,
        key=f"{key}:{peg['document_number']}",
        type="SUPPLY_CLOSED",
        order_number=peg["order_number"],
        line_number=peg["line_number"],
        data={
            number_column: peg["document_number"],
            "supply_order_number": peg["supply_order_number"],
        },
    )


async def peg_to_line(
    conn: Connection,
    *,
    locked: Any,
    document_type: str,
    document_number: str,
    supply_order_number: str,
    workflow_id: str,
    supply_status: str,
) -> Any:
    """Hard-peg a new supply document to its line, `locked` (the caller's row lock, taken
    before the document was made): the supply order takes the document's status and the
    line, if just booked, now awaits supply. Returns the line's row after."""
    await conn.execute(
        "INSERT INTO pegs (document_type, document_number, document_line,"
        " supply_order_number, order_number, line_number, workflow_id)"
        " VALUES ($1, $2, 1, $3, $4, $5, $6)",
        document_type,
        document_number,
        supply_order_number,
        locked["order_number"],
        locked["line_number"],
        workflow_id,
    )
    await conn.execute(
        "UPDATE supply_orders SET status = $2 WHERE supply_order_number = $1",
        supply_order_number,
        supply_status,
    )
    return await line_ledger.record(conn, locked, SupplyCreated())
