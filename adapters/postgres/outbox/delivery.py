"""Delivering the signals owed to workflows, at least once, in the order they were owed."""

from __future__ import annotations

from datetime import timedelta
from itertools import groupby
from typing import Any, Literal

import asyncpg
import structlog
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from domain.relay import RetryPolicy, after_item_failure, failure_reason
from runtime.orchestration import RPC_TIMEOUT, refused_for_good
from runtime.reachability import temporal_unreachable

log = structlog.get_logger(__name__)

# Rows read per round; each is then sent and marked in a transaction of its own.
BATCH = 500

Result = Literal["delivered", "retry", "parked", "taken"]


class SignalNotDelivered(Exception):
    """The workflow is not there to take the signal yet."""


class SignalOutbox:
    def __init__(
        self, pool: asyncpg.Pool, client: Client, *, policy: RetryPolicy | None = None
    ) -> None:
        self._pool = pool
        self._client = client
        self._policy = policy or RetryPolicy()

    async def deliver(self, ids: list[int] | None = None, *, older_than_seconds: float = 0) -> int:
        """Send pending signals (the given ids, or every one due and older than the
        threshold); returns how many were delivered.

        Each row is locked and marked delivered in its own transaction, committed only after
        Temporal accepted it: a relay killed mid-batch leaves the rest pending, and a slow
        call holds one row. The workflows ignore a second copy by its scan or request id.
        A workflow's signals go in the order owed: one that fails holds back the later ones
        of its workflow until it is delivered or parked; the other workflows go on.
        Temporal being unreachable raises (nothing is counted against the rows).
        """
        if ids is not None:
            return await self._deliver_owed(ids)
        rows = await self._pending(ids, older_than_seconds)
        delivered = 0
        async with self._pool.acquire() as conn:
            for _, group in groupby(rows, key=lambda r: r["workflow_id"]):
                for row in group:
                    result = await self._deliver_one(conn, row["id"])
                    delivered += result == "delivered"
                    # Later signals of the workflow wait while this one is to be retried,
                    # or while another relay has the workflow's signals in hand.
                    if result in ("retry", "taken"):
                        break
        return delivered

    async def _deliver_owed(self, ids: list[int]) -> int:
        """The signals a write just owed, in the order owed (an answer's own delivery):
        the first that is not delivered now leaves the rest to the relay, which keeps each
        workflow's order."""
        delivered = 0
        async with self._pool.acquire() as conn:
            for outbox_id in sorted(ids):
                if await self._deliver_one(conn, outbox_id) != "delivered":
                    break
                delivered += 1
        return delivered

    async def _pending(self, ids: list[int] | None, older_than_seconds: float) -> list[Any]:
        """Signals due now, by workflow then id. One waiting for its retry is left out with
        the later ones of its workflow, so that rows in backoff never fill the batch."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT s.id, s.workflow_id FROM signal_outbox s"
                " WHERE s.delivered_at IS NULL AND s.parked_at IS NULL"
                " AND ($1::bigint[] IS NULL OR s.id = ANY($1))"
                " AND s.created_at <= now() - make_interval(secs => $2)"
                " AND (s.next_attempt_at IS NULL OR s.next_attempt_at <= now())"
                " AND NOT EXISTS (SELECT 1 FROM signal_outbox e"
                "   WHERE e.workflow_id = s.workflow_id AND e.id < s.id"
                "   AND e.delivered_at IS NULL AND e.parked_at IS NULL"
                "   AND e.next_attempt_at > now())"
                " ORDER BY s.id LIMIT $3",
                ids,
                older_than_seconds,
                BATCH,
            )
        return sorted(rows, key=lambda r: (r["workflow_id"], r["id"]))

    async def _deliver_one(self, conn: asyncpg.Connection, outbox_id: int) -> Result:
        """Delivered (or no longer needed), failed and to be retried, parked, or taken or
        settled by someone else."""
        # Marked delivered and locked in one statement, sent, then committed: a failure
        # before the commit (Temporal unreachable, a lost worker) leaves it undelivered.
        # Not taken: one in someone else's hands, in backoff, or behind a signal of its
        # workflow that is.
        async with conn.transaction():
            row = await conn.fetchrow(
                "UPDATE signal_outbox SET delivered_at = now() WHERE id = ("
                " SELECT s.id FROM signal_outbox s WHERE s.id = $1"
                " AND s.delivered_at IS NULL AND s.parked_at IS NULL"
                " AND (s.next_attempt_at IS NULL OR s.next_attempt_at <= now())"
                " AND NOT EXISTS (SELECT 1 FROM signal_outbox e"
                "   WHERE e.workflow_id = s.workflow_id AND e.id < s.id"
                "   AND e.delivered_at IS NULL AND e.parked_at IS NULL"
                "   AND e.next_attempt_at > now())"
                " FOR UPDATE SKIP LOCKED)"
                " RETURNING id, workflow_id, signal, payload, attempts",
                outbox_id,
            )
            if row is None:
                return "taken"
            try:
                await self._send(row)
            except Exception as err:
                if temporal_unreachable(err):
                    raise
                parked = await self._record_failure(conn, row, err)
                return "parked" if parked else "retry"
            return "delivered"

    async def _send(self, row: Any) -> None:
        handle = self._client.get_workflow_handle(row["workflow_id"])
        try:
            await handle.signal(
                row["signal"], row["payload"], rpc_timeout=timedelta(seconds=RPC_TIMEOUT)
            )
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
            if not await self._closed(row["workflow_id"]):
                # Its order has not started it yet: retried with backoff like a failure.
                raise SignalNotDelivered(f"workflow {row['workflow_id']} is not running") from err
            # The workflow has closed: nothing is waiting for this signal any more.
            log.info(
                "signal dropped for closed workflow",
                workflow_id=row["workflow_id"],
                signal=row["signal"],
            )

    async def _record_failure(self, conn: asyncpg.Connection, row: Any, err: Exception) -> bool:
        outcome = after_item_failure(
            row["attempts"], permanent=refused_for_good(err), policy=self._policy
        )
        reason = failure_reason(err)
        await conn.execute(
            "UPDATE signal_outbox SET delivered_at = NULL, attempts = $2, last_error = $3,"
            " first_failed_at = coalesce(first_failed_at, now()),"
            " next_attempt_at = now() + make_interval(secs => $4),"
            " parked_at = CASE WHEN $5 THEN now() END WHERE id = $1",
            row["id"],
            outcome.attempts,
            reason,
            outcome.retry_in,
            outcome.parked,
        )
        (log.warning if outcome.parked else log.info)(
            "signal parked" if outcome.parked else "signal not delivered; will retry",
            outbox_id=row["id"],
            workflow_id=row["workflow_id"],
            signal=row["signal"],
            attempts=outcome.attempts,
            retry_in=outcome.retry_in,
            error=reason,
        )
        return outcome.parked

    async def _closed(self, workflow_id: str) -> bool:
        try:
            description = await self._client.get_workflow_handle(workflow_id).describe(
                rpc_timeout=timedelta(seconds=RPC_TIMEOUT)
            )
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                return False
            raise
        return description.close_time is not None
