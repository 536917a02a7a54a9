"""Helpers every PostgreSQL adapter uses inside its own transactions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeAlias

import asyncpg
from pydantic import BaseModel

from adapters.errors import Refusal
from adapters.postgres.line import ledger as line_ledger

# Re-exported: adapters owe signals through here.
from adapters.postgres.outbox.owed_signals import enqueue_signal as enqueue_signal
from domain.line import SupplyCreated
from domain.supply_plan import PeggedDocument, quantities_to_keep

Connection: TypeAlias = asyncpg.Connection | asyncpg.pool.PoolConnectionProxy


async def flag_parameter(conn: Connection, name: str, *, default: bool) -> bool:
    """An order management parameter that is on or off, as setup last set it."""
    value = await conn.fetchval("SELECT value FROM parameters WHERE name = $1", name)
    return default if value is None else bool(value)


async def append_event(
    conn: Connection,
    *,
    key: str,
    type: str,
    order_number: str | None,
    line_number: int | None,
    data: dict[str, Any] | None = None,
) -> None:
    """Write a business event once: the key makes a retried step add nothing."""
    await conn.execute(
        "INSERT INTO business_events (idempotency_key, type, order_number, line_number, data)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING",
        key,
        type,
        order_number,
        line_number,
        data or {},
    )


async def claim_scan(
    conn: Connection, *, scan_id: str, kind: str, request: dict[str, Any]
) -> tuple[int, dict[str, Any]] | None:
    """Record a scan before acting on it. Returns the earlier answer when the scan_id was
    seen before; a concurrent twin waits on the unique key until the first one commits."""
    claimed = await conn.fetchval(
        "INSERT INTO scans (scan_id, kind, request) VALUES ($1, $2, $3)"
        " ON CONFLICT (scan_id) DO NOTHING RETURNING scan_id",
        scan_id,
        kind,
        request,
    )
    if claimed is not None:
        return None
    row = await conn.fetchrow("SELECT status_code, response FROM scans WHERE scan_id = $1", scan_id)
    return int(row["status_code"]), dict(row["response"])


async def answer_scan(
    conn: Connection, *, scan_id: str, status_code: int, response: dict[str, Any]
) -> None:
    await conn.execute(
        "UPDATE scans SET status_code = $2, response = $3 WHERE scan_id = $1",
        scan_id,
        status_code,
        response,
    )


async def lock_line(conn: Connection, order_number: str, line_number: int) -> Any:
    """Row-lock a fulfillment line: scans, pick waves and cancels of one line serialize here."""
    return await conn.fetchrow(
        "SELECT * FROM fulfillment_lines WHERE order_number = $1 AND line_number = $2 FOR UPDATE",
        order_number,
        line_number,
    )


async def lock_scanned_line(conn: Connection, order_number: str, line_number: int) -> Any:
    """`lock_line` for a scan, in the same read: the row also carries its item's unit of
    measure and quantity decimal places (`item_uom`, `item_decimal_places`), which the
    scan's quantities are checked against (`input_checks.refuse_imprecise_for`)."""
    return await conn.fetchrow(
        "SELECT l.*, i.uom AS item_uom, i.quantity_decimal_places AS item_decimal_places"
        " FROM fulfillment_lines l LEFT JOIN items i ON i.number = l.item_number"
        " WHERE l.order_number = $1 AND l.line_number = $2 FOR UPDATE OF l",
        order_number,
        line_number,
    )


ScanOutcome = tuple[int, dict[str, Any], list[int]]


async def run_scan(
    pool: asyncpg.Pool,
    scan: BaseModel,
    *,
    kind: str,
    apply: Callable[[Connection], Awaitable[tuple[dict[str, Any], list[int]]]],
) -> ScanOutcome:
    """Claim the scan, apply it, and store the answer, all in one transaction.

    A refusal rolls that transaction back whole; the scan is then claimed again with its
    refusal as its answer, so the scanner's retry of the same scan_id hears the same
    refusal (a twin that was answered in between has its answer given instead). Returns
    the HTTP status, the answer and the outbox ids to deliver after commit.
    """
    scan_id: str = scan.scan_id  # type: ignore[attr-defined]
    request = scan.model_dump(mode="json")
    try:
        async with pool.acquire() as conn, conn.transaction():
            earlier = await claim_scan(conn, scan_id=scan_id, kind=kind, request=request)
            if earlier is not None:
                return earlier[0], earlier[1], []
            body, outbox = await apply(conn)
            body = {"scan_id": scan_id, **body}
            await answer_scan(conn, scan_id=scan_id, status_code=200, response=body)
            return 200, body, outbox
    except Refusal as refusal:
        # The answers' refusal shape, as every other refusal: detail, reason, field.
        refused = {
            "scan_id": scan_id,
            "accepted": False,
            "detail": refusal.reason,
            "reason": refusal.reason,
            "field": refusal.field,
        }
        status = refusal.status
    async with pool.acquire() as conn, conn.transaction():
        earlier = await claim_scan(conn, scan_id=scan_id, kind=kind, request=request)
        if earlier is not None:
            return earlier[0], earlier[1], []
        await answer_scan(conn, scan_id=scan_id, status_code=status, response=refused)
        return status, refused, []


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
