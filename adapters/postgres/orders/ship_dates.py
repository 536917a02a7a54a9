"""A revision's requested ship dates: the order's (for each of its lines without a date of
its own) and single lines'. Each open line whose date moves is told, and its workflow
assesses jeopardy against the new date."""

from __future__ import annotations

from datetime import date
from typing import Any

from adapters.postgres.common import Connection
from adapters.postgres.outbox.owed_signals import enqueue_signal
from domain.jeopardy import line_ship_date
from domain.models import RevisionIn
from domain.models.line_signals import ShipDateChangedSignal
from domain.signals import REQUESTED_SHIP_DATE_CHANGED
from domain.statuses import SHIPPED_LINE_STATUSES, TERMINAL_LINE_STATUSES

DONE = TERMINAL_LINE_STATUSES | SHIPPED_LINE_STATUSES


async def move_ship_dates(
    conn: Connection,
    order: Any,
    lines: dict[int, Any],
    revision: RevisionIn,
    request_id: str,
) -> tuple[list[dict[str, Any]], list[int]]:
    """Store the revision's dates on the locked order and lines; answers each open line
    whose date moved (`line_number`, `requested_ship_date`) and the outbox ids owed."""
    order_date = order["requested_ship_date"]
    if revision.requested_ship_date is not None:
        order_date = revision.requested_ship_date
        await conn.execute(
            "UPDATE orders SET requested_ship_date = $2 WHERE order_number = $1",
            order["order_number"],
            order_date,
        )
    own: dict[int, date] = {}
    for change in revision.change_lines:
        if change.requested_ship_date is not None:
            own[change.line_number] = change.requested_ship_date
            await conn.execute(
                "UPDATE fulfillment_lines SET requested_ship_date = $3"
                " WHERE order_number = $1 AND line_number = $2",
                order["order_number"],
                change.line_number,
                change.requested_ship_date,
            )
    await _keep_done_dates(conn, order, lines, order_date)
    moved: list[dict[str, Any]] = []
    outbox: list[int] = []
    for number, line in sorted(lines.items()):
        before = line_ship_date(line["requested_ship_date"], order["requested_ship_date"])
        after = line_ship_date(own.get(number) or line["requested_ship_date"], order_date)
        if after is None or after == before or line["status"] in DONE:
            continue
        moved.append({"line_number": number, "requested_ship_date": after.isoformat()})
        outbox.append(
            await enqueue_signal(
                conn,
                workflow_id=line["workflow_id"],
                signal=REQUESTED_SHIP_DATE_CHANGED,
                payload=ShipDateChangedSignal(request_id=request_id, requested_ship_date=after),
            )
        )
    return moved, outbox


async def _keep_done_dates(
    conn: Connection, order: Any, lines: dict[int, Any], order_date: date | None
) -> None:
    """A line done (shipped, closed, canceled) keeps the date it had when the order's moves:
    one that followed its order's date gets it as its own."""
    if order_date == order["requested_ship_date"] or order["requested_ship_date"] is None:
        return
    done = [
        number
        for number, line in lines.items()
        if line["status"] in DONE and line["requested_ship_date"] is None
    ]
    if done:
        await conn.execute(
            "UPDATE fulfillment_lines SET requested_ship_date = $3"
            " WHERE order_number = $1 AND line_number = ANY($2::int[])",
            order["order_number"],
            done,
            order["requested_ship_date"],
        )
