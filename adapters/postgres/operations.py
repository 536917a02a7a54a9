"""Figures an operator watches (the worker publishes them as gauges), read from the system
of record."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from adapters.postgres.outbox.relay_parking import ParkedKind, parked_counts
from domain.statuses import TERMINAL_LINE_STATUSES, EventType, LineStatus

# A line's jeopardy is its latest JEOPARDY_RAISED or JEOPARDY_CLEARED event, while it is open.
_IN_JEOPARDY = """
SELECT count(*) FROM (
    SELECT DISTINCT ON (order_number, line_number) order_number, line_number, type
    FROM business_events WHERE type IN ($1, $2)
    ORDER BY order_number, line_number, cursor DESC
) latest JOIN fulfillment_lines l USING (order_number, line_number)
WHERE latest.type = $1 AND l.status <> ALL($3::text[])
"""


@dataclass(frozen=True)
class OperationsFigures:
    lines_by_status: dict[str, int]
    lines_in_jeopardy: int
    lines_waiting_for_manual_action: int
    # Signals still to deliver (parked ones are counted in `parked` instead).
    oldest_undelivered_signal_seconds: float
    parked: dict[ParkedKind, int]


class Operations:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def figures(self) -> OperationsFigures:
        """Every figure from one snapshot: read statement by statement, a signal the relay
        parked (or a write that owed signals) committing in between would show in one figure
        and not in another (a parked signal beside an outbox that looks empty)."""
        async with (
            self._pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            by_status = await conn.fetch(
                "SELECT status, count(*) AS n FROM fulfillment_lines GROUP BY status"
            )
            jeopardy = await conn.fetchval(
                _IN_JEOPARDY,
                EventType.JEOPARDY_RAISED.value,
                EventType.JEOPARDY_CLEARED.value,
                [status.value for status in TERMINAL_LINE_STATUSES],
            )
            oldest = await conn.fetchval(
                "SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8"
                " FROM signal_outbox WHERE delivered_at IS NULL AND parked_at IS NULL"
            )
            parked = await parked_counts(conn)
        counts = {status.value: 0 for status in LineStatus}
        counts.update({r["status"]: r["n"] for r in by_status})
        return OperationsFigures(
            lines_by_status=counts,
            lines_in_jeopardy=jeopardy,
            lines_waiting_for_manual_action=counts[LineStatus.MANUAL_ACTION_REQUIRED.value],
            oldest_undelivered_signal_seconds=oldest,
            parked=parked,
        )
