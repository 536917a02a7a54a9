"""What the relay gave up on (parked order starts and signals), for an operator to see and
send again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import asyncpg

from adapters.errors import NotFound

ParkedKind = Literal["order_start", "signal"]


@dataclass(frozen=True)
class ParkedItem:
    """One parked item. `id` is what `retry` takes: `order:{order_number}` for an order
    start, `signal:{outbox id}` for a signal."""

    id: str
    kind: ParkedKind
    workflow_id: str
    signal: str | None
    reason: str
    attempts: int
    owed_since: datetime  # when the order was booked, or the signal owed
    parked_at: datetime
    age_seconds: float  # since owed_since


_PARKED = """
SELECT 'order:' || o.order_number AS id, 'order_start' AS kind,
       'order-' || o.order_number AS workflow_id, NULL::text AS signal,
       f.last_error AS reason, f.attempts, o.booked_at AS owed_since, f.parked_at
FROM order_start_failures f JOIN orders o USING (order_number)
WHERE f.parked_at IS NOT NULL AND o.workflow_started_at IS NULL
UNION ALL
SELECT 'signal:' || id, 'signal', workflow_id, signal, coalesce(last_error, ''), attempts,
       created_at, parked_at
FROM signal_outbox WHERE parked_at IS NOT NULL AND delivered_at IS NULL
"""


async def parked_counts(conn: asyncpg.Connection) -> dict[ParkedKind, int]:
    """Parked items by kind, read on the caller's connection (and in its snapshot)."""
    rows = await conn.fetch(f"SELECT kind, count(*) AS n FROM ({_PARKED}) p GROUP BY kind")
    counts: dict[ParkedKind, int] = {"order_start": 0, "signal": 0}
    counts.update({r["kind"]: r["n"] for r in rows})
    return counts


class RelayParking:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def parked(self, *, item_id: str | None = None, limit: int = 1000) -> list[ParkedItem]:
        """Parked items (or the one with this id), the longest parked first."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT *, extract(epoch FROM now() - owed_since)::float8 AS age_seconds"
                f" FROM ({_PARKED}) parked WHERE $1::text IS NULL OR id = $1"
                f" ORDER BY parked_at, id LIMIT $2",
                item_id,
                limit,
            )
        return [ParkedItem(**dict(r)) for r in rows]

    async def count(self) -> dict[ParkedKind, int]:
        async with self._pool.acquire() as conn:
            return await parked_counts(conn)

    async def retry(self, item_id: str) -> ParkedItem:
        """Unpark an item: the relay tries it again at its next round, with a fresh count
        of attempts. Raises NotFound for an id that is not parked."""
        found = await self.parked(item_id=item_id)
        if not found:
            raise NotFound(f"parked item {item_id}")
        kind, _, key = item_id.partition(":")
        async with self._pool.acquire() as conn:
            if kind == "order":
                await conn.execute("DELETE FROM order_start_failures WHERE order_number = $1", key)
            else:
                await conn.execute(
                    "UPDATE signal_outbox SET parked_at = NULL, attempts = 0,"
                    " next_attempt_at = NULL WHERE id = $1",
                    int(key),
                )
        return found[0]
