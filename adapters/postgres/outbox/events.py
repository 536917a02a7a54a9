"""The ordered feed of business events."""

from __future__ import annotations

from typing import Any

import asyncpg


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
