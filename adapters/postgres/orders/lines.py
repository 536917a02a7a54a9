"""An order whose workflow starts its lines from their rows (large orders): the lines'
workflow inputs read back in batches, its shipment sets released once every open member is
staged, and its close (lock order: `adapters/postgres/line/order_progress.py`)."""

from __future__ import annotations

from typing import Any

import asyncpg

from adapters.errors import NotFound
from adapters.postgres.line.ledger import ledger_of
from adapters.postgres.line.order_progress import OPEN, lock_order
from adapters.postgres.orders.booking import line_input_of
from adapters.postgres.orders.credit import close_authorization
from adapters.postgres.outbox.events import append_event
from domain.backorders import shipment_sets
from domain.models.order_run import LineStarts, OrderClosing, ShipmentSetState
from domain.models.payloads import LineToStart
from domain.statuses import TERMINAL_LINE_STATUSES, EventType, LineStatus


class OrderLines:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def to_start(self, batch: LineStarts) -> tuple[list[LineToStart], int | None]:
        """The open lines of the batch as workflow inputs, and the batch's last line number.
        Lines canceled before their workflow started get none: what they were owed has no
        workflow to reach, and is settled. On credit hold, a line still held starts with
        its stored ledger (a line released meanwhile starts as booked)."""
        async with self._pool.acquire() as conn, conn.transaction():
            order = await conn.fetchrow(
                "UPDATE orders SET starts_lines = true WHERE order_number = $1 RETURNING *",
                batch.order_number,
            )
            if order is None:
                raise NotFound(f"order {batch.order_number}")
            if batch.line_numbers:
                rows = await conn.fetch(
                    "SELECT * FROM fulfillment_lines WHERE order_number = $1"
                    " AND line_number = ANY($2::int[]) ORDER BY line_number",
                    batch.order_number,
                    batch.line_numbers,
                )
            else:
                rows = await conn.fetch(
                    "SELECT * FROM fulfillment_lines WHERE order_number = $1"
                    " AND line_number > $2 ORDER BY line_number LIMIT $3",
                    batch.order_number,
                    batch.after,
                    batch.limit,
                )
            finished = [r["workflow_id"] for r in rows if r["status"] in TERMINAL_LINE_STATUSES]
            if finished:
                await conn.execute(
                    "UPDATE signal_outbox SET delivered_at = now() WHERE delivered_at IS NULL"
                    " AND workflow_id = ANY($1::text[])",
                    finished,
                )
        inputs = [
            LineToStart(
                line=line_input_of(r, order),
                held_ledger=ledger_of(r)
                if batch.credit_hold and r["status"] == LineStatus.MANUAL_ACTION_REQUIRED
                else None,
            )
            for r in rows
            if r["status"] not in TERMINAL_LINE_STATUSES
        ]
        # A batch shorter than its limit is the order's last: no empty batch is asked for.
        last = bool(batch.line_numbers) or len(rows) >= batch.limit
        return inputs, (rows[-1]["line_number"] if rows and last else None)

    async def release_ready_sets(
        self, *, key: str, order_number: str
    ) -> dict[str, ShipmentSetState]:
        """Release each shipment set of the order whose open lines are all staged (the
        warehouse's view, `domain.backorders.shipment_sets`); answers every set's state."""
        async with self._pool.acquire() as conn, conn.transaction():
            await lock_order(conn, order_number)
            members = await conn.fetch(
                "SELECT line_number, shipment_set, status FROM fulfillment_lines"
                " WHERE order_number = $1 AND shipment_set IS NOT NULL ORDER BY line_number",
                order_number,
            )
            released = await conn.fetchval(
                "SELECT coalesce(array_agg(shipment_set), '{}') FROM shipment_set_releases"
                " WHERE order_number = $1",
                order_number,
            )
            states: dict[str, ShipmentSetState] = {}
            for s in shipment_sets([dict(m) for m in members], list(released)):
                name, lines = str(s["shipment_set"]), list(s["lines"])  # type: ignore[call-overload]
                waiting = [h["line_number"] for h in s["held_by"]]  # type: ignore[attr-defined]
                ready = not s["released"] and bool(lines) and not waiting
                if ready:
                    await record_set_release(
                        conn, key=f"{key}:{name}", order_number=order_number, name=name, lines=lines
                    )
                states[name] = ShipmentSetState(
                    lines=lines,
                    staged=list(s["staged"]),  # type: ignore[call-overload]
                    released=bool(s["released"]) or ready,
                    waiting_for=waiting,
                )
            return states

    async def close(self, *, key: str, order_number: str) -> OrderClosing:
        """Close the order once none of its lines is open: its credit authorization no
        longer counts, ORDER_CLOSED is recorded, and revisions can add no line to it."""
        async with self._pool.acquire() as conn, conn.transaction():
            await lock_order(conn, order_number)
            counts = await conn.fetchrow(
                f"SELECT count(*) FILTER (WHERE {OPEN}) AS open,"
                " count(*) FILTER (WHERE status = $2) AS closed,"
                " count(*) FILTER (WHERE status = $3) AS canceled"
                " FROM fulfillment_lines WHERE order_number = $1",
                order_number,
                LineStatus.CLOSED,
                LineStatus.CANCELED,
            )
            if counts["open"]:
                return OrderClosing(closed=False)
            await conn.execute(
                "UPDATE orders SET closed_at = coalesce(closed_at, now()) WHERE order_number = $1",
                order_number,
            )
            await close_authorization(conn, key=f"{key}:credit", order_number=order_number)
            closing = OrderClosing(
                closed=True, closed_lines=counts["closed"], canceled_lines=counts["canceled"]
            )
            await append_event(
                conn,
                key=key,
                type=EventType.ORDER_CLOSED,
                order_number=order_number,
                line_number=None,
                data={
                    "closed_lines": closing.closed_lines,
                    "canceled_lines": closing.canceled_lines,
                },
            )
            return closing


async def record_set_release(
    conn: Any, *, key: str, order_number: str, name: str, lines: list[int]
) -> None:
    """The order released shipment set `name`: its lines may ship."""
    await conn.execute(
        "INSERT INTO shipment_set_releases (order_number, shipment_set, lines)"
        " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        order_number,
        name,
        lines,
    )
    await append_event(
        conn,
        key=key,
        type=EventType.SHIPMENT_SET_RELEASED,
        order_number=order_number,
        line_number=None,
        data={"shipment_set": name, "lines": lines},
    )
