"""What an order that starts its lines from their rows learns from its lines' own writes.

Lock order: a line's row, then its order's row. A line that finishes (its write, through
`ledger.record`) takes the order's row to see whether any line is still open; the
order's close and a revision adding lines take the same row, so a line is never added to an
order that has just closed, and the last line to finish always tells the order.
"""

from __future__ import annotations

from typing import Any

from adapters.postgres.outbox.owed_signals import enqueue_signal
from domain.identity import line_workflow_id, order_workflow_id
from domain.models.kits import KitComponentFinished
from domain.models.order_run import LineFinishedSignal
from domain.signals import KIT_COMPONENT_FINISHED, LINE_FINISHED
from domain.statuses import TERMINAL_LINE_STATUSES, LineStatus

# The lines an order still waits for; the same predicate as the partial index
# fulfillment_lines_open (migrations/011_large_orders.sql), so that it is used.
OPEN = "status NOT IN ({})".format(", ".join(f"'{s}'" for s in sorted(TERMINAL_LINE_STATUSES)))


async def lock_order(conn: Any, order_number: str) -> Any:
    """The order's row, locked against a close and a revision adding lines (not against
    rows that merely reference it)."""
    return await conn.fetchrow(
        "SELECT * FROM orders WHERE order_number = $1 FOR NO KEY UPDATE", order_number
    )


async def tell_kit_component_finished(conn: Any, line: Any) -> None:
    """`line`, a kit's component, closed or was canceled: its kit line's workflow looks
    whether every component is done."""
    await enqueue_signal(
        conn,
        workflow_id=line_workflow_id(line["order_number"], line["kit_line_number"]),
        signal=KIT_COMPONENT_FINISHED,
        payload=KitComponentFinished(
            component=line["component"], status=LineStatus(line["status"])
        ),
    )


async def tell_order_line_finished(conn: Any, line: Any) -> None:
    """`line` (its row, just written) closed or was canceled. Its order's workflow is told
    when the line was in a shipment set (the set may be ready now) or was its last open
    line (the order may close). Orders whose workflow holds its lines learn it otherwise."""
    order = await lock_order(conn, line["order_number"])
    if order is None or not order["starts_lines"]:
        return
    open_lines = await conn.fetchval(
        f"SELECT count(*) FROM fulfillment_lines WHERE order_number = $1 AND {OPEN}",
        line["order_number"],
    )
    if open_lines and line["shipment_set"] is None:
        return
    await enqueue_signal(
        conn,
        workflow_id=order_workflow_id(line["order_number"]),
        signal=LINE_FINISHED,
        payload=LineFinishedSignal(
            line_number=line["line_number"],
            status=LineStatus(line["status"]),
            shipment_set=line["shipment_set"],
            open_lines=open_lines,
        ),
    )
