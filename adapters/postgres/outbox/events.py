"""Business events: each written once by its idempotency key, in the caller's transaction,
and read back as one ordered feed."""

from __future__ import annotations

from typing import Any

import asyncpg

from adapters.postgres.common import Connection


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


class BusinessEvents:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def after(
        self, cursor: int, *, limit: int, order_number: str | None = None
    ) -> list[dict[str, Any]]:
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT cursor, type, order_number, line_number, at, data FROM business_events"
                " WHERE cursor > $1 AND ($3::text IS NULL OR order_number = $3)"
                " ORDER BY cursor LIMIT $2",
                cursor,
                limit,
                order_number,
            )
        return [dict(r) for r in rows]
