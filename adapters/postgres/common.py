"""Helpers every PostgreSQL adapter uses inside its own transactions: the connection type,
a line's row lock, scans claimed and answered once, and on/off parameters. It imports no
other adapter module, so every one can import it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

import asyncpg
from pydantic import BaseModel

from adapters.errors import Refusal

Connection: TypeAlias = asyncpg.Connection | asyncpg.pool.PoolConnectionProxy


async def flag_parameter(conn: Connection, name: str, *, default: bool) -> bool:
    """An order management parameter that is on or off, as setup last set it."""
    value = await conn.fetchval("SELECT value FROM parameters WHERE name = $1", name)
    return default if value is None else bool(value)


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
    scan's quantities are checked against (`setup.input_checks.refuse_imprecise_for`)."""
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
