"""Delivering the signals owed to workflows, at least once, in the order they were owed."""

from __future__ import annotations

import asyncpg
import structlog
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

log = structlog.get_logger(__name__)


class SignalOutbox:
    def __init__(self, pool: asyncpg.Pool, client: Client) -> None:
        self._pool = pool
        self._client = client

    async def deliver(self, ids: list[int] | None = None, *, older_than_seconds: float = 0) -> int:
        """Send pending signals (the given ids, or every one older than the threshold).

        A signal is marked delivered only after Temporal accepted it; the workflows ignore
        a second copy by its scan or request id. Rows are locked while sent so two relays
        never send the same row at once.
        """
        delivered = 0
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                "SELECT id, workflow_id, signal, payload FROM signal_outbox"
                " WHERE delivered_at IS NULL AND ($1::bigint[] IS NULL OR id = ANY($1))"
                " AND created_at <= now() - make_interval(secs => $2)"
                " ORDER BY id LIMIT 500 FOR UPDATE SKIP LOCKED",
                ids,
                older_than_seconds,
            )
            for row in rows:
                handle = self._client.get_workflow_handle(row["workflow_id"])
                try:
                    await handle.signal(row["signal"], row["payload"])
                except RPCError as err:
                    if err.status != RPCStatusCode.NOT_FOUND:
                        log.warning(
                            "signal not delivered",
                            workflow_id=row["workflow_id"],
                            signal=row["signal"],
                            error=str(err),
                        )
                        continue
                    if not await self._closed(row["workflow_id"]):
                        continue  # not started yet (its order is still starting it)
                    # The workflow has closed: nothing is waiting for this signal any more.
                    log.info(
                        "signal dropped for closed workflow",
                        workflow_id=row["workflow_id"],
                        signal=row["signal"],
                    )
                await conn.execute(
                    "UPDATE signal_outbox SET delivered_at = now() WHERE id = $1", row["id"]
                )
                delivered += 1
        return delivered

    async def _closed(self, workflow_id: str) -> bool:
        try:
            description = await self._client.get_workflow_handle(workflow_id).describe()
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                return False
            raise
        return description.close_time is not None
