"""Holds on orders and lines (contract: "Holds"): applied and released under the lines'
row locks, taken in (order, line) order like pick waves and cancels, so that a hold and a
wave racing for a line have one winner: the wave that locked first released the line (the
hold then blocks its shipping), or the hold came first and the wave leaves the line."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import asyncpg

from adapters.errors import NotFound, Refusal
from adapters.postgres.common import Connection
from adapters.postgres.line.ledger import public_ids
from adapters.postgres.outbox.events import append_event
from adapters.postgres.outbox.owed_signals import enqueue_signal
from domain.holds import ActiveHold, HoldStep, held_because
from domain.kits import kit_component_of
from domain.models import HoldIn, HoldsChangedSignal
from domain.models.views import HoldView
from domain.signals import HOLDS_CHANGED
from domain.statuses import TERMINAL_LINE_STATUSES, EventType


async def active_holds(conn: Connection, order_numbers: Iterable[str]) -> list[dict[str, Any]]:
    """The active holds of the orders (order-wide and per line), with what they block."""
    return list(
        await conn.fetch(
            "SELECT h.hold_id, h.order_number, h.line_number, h.hold_code, h.reason, c.blocks"
            " FROM holds h JOIN hold_codes c ON c.code = h.hold_code"
            " WHERE h.released_at IS NULL AND h.order_number = ANY($1::text[])"
            " ORDER BY h.hold_id",
            list(order_numbers),
        )
    )


def holds_on_line(rows: Iterable[Any], order_number: str, line_number: int) -> list[ActiveHold]:
    """Of `active_holds`' rows, those holding one line: its own and its order's; a kit's
    component is held by its kit line's holds too."""
    kit = kit_component_of(line_number)
    covering = (None, line_number, kit[0] if kit is not None else None)
    return [
        ActiveHold(
            hold_id=r["hold_id"],
            hold_code=r["hold_code"],
            reason=r["reason"],
            blocks=frozenset(HoldStep(b) for b in r["blocks"]),
            line_number=r["line_number"],
        )
        for r in rows
        if r["order_number"] == order_number and r["line_number"] in covering
    ]


async def line_holds(conn: Connection, order_number: str, line_number: int) -> list[ActiveHold]:
    return holds_on_line(await active_holds(conn, [order_number]), order_number, line_number)


async def refuse_if_held(conn: Connection, line: Any, step: HoldStep) -> None:
    """409 naming each hold that blocks `step` on the locked line."""
    held = held_because(await line_holds(conn, line["order_number"], line["line_number"]), step)
    if held is not None:
        raise Refusal(
            409,
            f"line {line['line_number']} of order {line['order_number']} is {held};"
            " release the hold first",
        )


async def _lock_lines(conn: Connection, order_number: str, line_number: int | None) -> list[Any]:
    """The lines a hold covers (a kit line's components with it), row-locked in line
    order; NotFound for an unknown one."""
    lines = await conn.fetch(
        "SELECT * FROM fulfillment_lines WHERE order_number = $1"
        " AND ($2::integer IS NULL OR line_number = $2 OR kit_line_number = $2)"
        " ORDER BY line_number FOR UPDATE",
        order_number,
        line_number,
    )
    if not lines:
        raise NotFound(
            f"order {order_number}" + (f" line {line_number}" if line_number is not None else "")
        )
    return list(lines)


def _answer(hold: Any, lines: list[Any]) -> dict[str, Any]:
    return {
        "hold_id": hold["hold_id"],
        "order_number": hold["order_number"],
        "line_number": hold["line_number"],
        "hold_code": hold["hold_code"],
        "reason": hold["reason"],
        "applied_at": hold["applied_at"].isoformat(),
        "released_at": hold["released_at"].isoformat() if hold["released_at"] else None,
        "release_reason": hold["release_reason"],
        "lines": [{**public_ids(r), "status": r["status"]} for r in lines],
    }


async def _tell_lines(conn: Connection, lines: list[Any]) -> list[int]:
    """Owe each open line its active holds now (`holds_changed`); returns the outbox ids."""
    outbox: list[int] = []
    if not lines:
        return outbox
    active = await active_holds(conn, {row["order_number"] for row in lines})
    for row in lines:
        if row["status"] in TERMINAL_LINE_STATUSES:
            continue
        holds = holds_on_line(active, row["order_number"], row["line_number"])
        outbox.append(
            await enqueue_signal(
                conn,
                workflow_id=row["workflow_id"],
                signal=HOLDS_CHANGED,
                payload=HoldsChangedSignal(
                    holds=[HoldView.model_validate(h.view()) for h in holds]
                ),
            )
        )
    return outbox


class Holds:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def apply(self, order_number: str, body: HoldIn) -> tuple[dict[str, Any], list[int]]:
        """Put a hold on the order or one line; the same code already active there is
        answered as it is (applied once). Returns the answer and the outbox ids of the
        signals owed to the lines."""
        async with self._pool.acquire() as conn, conn.transaction():
            lines = await _lock_lines(conn, order_number, body.line_number)
            if all(r["status"] in TERMINAL_LINE_STATUSES for r in lines):
                what = "line" if body.line_number is not None else "order"
                raise Refusal(409, f"the {what} has nothing open to hold")
            if not await conn.fetchval("SELECT 1 FROM hold_codes WHERE code = $1", body.hold_code):
                raise Refusal(
                    422, f"hold_code: unknown hold code {body.hold_code!r}", field="hold_code"
                )
            active = await conn.fetchrow(
                "SELECT * FROM holds WHERE order_number = $1 AND line_number IS NOT DISTINCT"
                " FROM $2 AND hold_code = $3 AND released_at IS NULL",
                order_number,
                body.line_number,
                body.hold_code,
            )
            if active is not None:
                return _answer(active, lines), []
            hold = await conn.fetchrow(
                "INSERT INTO holds (hold_id, order_number, line_number, hold_code, reason)"
                " VALUES (document_number($1), $2, $3, $4, $5) RETURNING *",
                "HLD",
                order_number,
                body.line_number,
                body.hold_code,
                body.reason,
            )
            await append_event(
                conn,
                key=f"hold-{hold['hold_id']}:applied",
                type=EventType.HOLD_APPLIED,
                order_number=order_number,
                line_number=body.line_number,
                data={
                    "hold_id": hold["hold_id"],
                    "hold_code": body.hold_code,
                    "reason": body.reason,
                },
            )
            return _answer(hold, lines), await _tell_lines(conn, lines)

    async def release(
        self, order_number: str, hold_id: str, reason: str
    ) -> tuple[dict[str, Any], list[int]]:
        """Release a hold; a hold already released is answered as it was released."""
        async with self._pool.acquire() as conn, conn.transaction():
            hold = await conn.fetchrow(
                "SELECT * FROM holds WHERE hold_id = $1 AND order_number = $2",
                hold_id,
                order_number,
            )
            if hold is None:
                raise NotFound(f"hold {hold_id} on order {order_number}")
            lines = await _lock_lines(conn, order_number, hold["line_number"])
            if hold["released_at"] is not None:
                return _answer(hold, lines), []
            hold = await conn.fetchrow(
                "UPDATE holds SET released_at = now(), release_reason = $2"
                " WHERE hold_id = $1 RETURNING *",
                hold_id,
                reason,
            )
            await append_event(
                conn,
                key=f"hold-{hold_id}:released",
                type=EventType.HOLD_RELEASED,
                order_number=order_number,
                line_number=hold["line_number"],
                data={"hold_id": hold_id, "hold_code": hold["hold_code"], "reason": reason},
            )
            return _answer(hold, lines), await _tell_lines(conn, lines)
