"""Order workflows whose start was lost (the API commits the order first, then starts its
workflow): started again by the relay, one order at a time, with backoff and parking."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

import asyncpg
import structlog

from adapters.postgres.orders.orders import Orders
from domain.models import OrderInput
from domain.relay import RetryPolicy, after_item_failure, failure_reason
from runtime.orchestration import refused_for_good
from runtime.reachability import unreachable_dependency

log = structlog.get_logger(__name__)

StartOutcome = Literal["started", "retry", "parked", "taken"]


class OrderStarts:
    def __init__(self, pool: asyncpg.Pool, *, policy: RetryPolicy | None = None) -> None:
        self._pool = pool
        self._orders = Orders(pool)
        self._policy = policy or RetryPolicy()

    async def due(self, *, older_than_seconds: float, limit: int = 100) -> list[str]:
        """Orders booked a while ago whose workflow is not started, not parked, and whose
        next attempt is due (the oldest first)."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT o.order_number FROM orders o"
                " LEFT JOIN order_start_failures f USING (order_number)"
                " WHERE o.workflow_started_at IS NULL"
                " AND o.booked_at < now() - make_interval(secs => $1)"
                " AND (f.order_number IS NULL"
                "      OR (f.parked_at IS NULL AND f.next_attempt_at <= now()))"
                " ORDER BY o.booked_at LIMIT $2",
                older_than_seconds,
                limit,
            )
        return [r["order_number"] for r in rows]

    async def start(
        self, order_number: str, start: Callable[[OrderInput], Awaitable[object]]
    ) -> StartOutcome:
        """Start one order's workflow under a lock on its row, so that two relays never
        start it at once; marked started only once Temporal accepted it. A failure is
        recorded on the order (retried later, or parked); Temporal being unreachable
        raises and counts nothing."""
        async with self._pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                "SELECT o.order_number, coalesce(f.attempts, 0) AS attempts FROM orders o"
                " LEFT JOIN order_start_failures f USING (order_number)"
                " WHERE o.order_number = $1 AND o.workflow_started_at IS NULL"
                " AND (f.order_number IS NULL OR f.parked_at IS NULL)"
                " FOR NO KEY UPDATE OF o SKIP LOCKED",
                order_number,
            )
            if row is None:
                return "taken"
            try:
                async with conn.transaction():  # a bad row must not abort the outer one
                    order = await self._orders.input_on(conn, order_number)
                await start(order)
            except Exception as err:
                if unreachable_dependency(err) is not None:
                    raise
                return await self._record_failure(conn, order_number, row["attempts"], err)
            await self._orders.mark_started_on(conn, order_number)
        log.info("order workflow started by relay", order_number=order_number)
        return "started"

    async def _record_failure(
        self, conn: asyncpg.Connection, order_number: str, attempts: int, err: Exception
    ) -> StartOutcome:
        outcome = after_item_failure(attempts, permanent=refused_for_good(err), policy=self._policy)
        reason = failure_reason(err)
        await conn.execute(
            "INSERT INTO order_start_failures"
            " (order_number, attempts, last_error, next_attempt_at, parked_at)"
            " VALUES ($1, $2, $3, now() + make_interval(secs => $4),"
            "         CASE WHEN $5 THEN now() END)"
            " ON CONFLICT (order_number) DO UPDATE SET attempts = excluded.attempts,"
            " last_error = excluded.last_error, next_attempt_at = excluded.next_attempt_at,"
            " parked_at = excluded.parked_at",
            order_number,
            outcome.attempts,
            reason,
            outcome.retry_in,
            outcome.parked,
        )
        (log.warning if outcome.parked else log.info)(
            "order start parked" if outcome.parked else "order start failed; will retry",
            order_number=order_number,
            attempts=outcome.attempts,
            retry_in=outcome.retry_in,
            error=reason,
        )
        return "parked" if outcome.parked else "retry"
