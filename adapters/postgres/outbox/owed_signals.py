"""The signal outbox's one insert: a signal owed to a workflow, written in the caller's
transaction and delivered by the relay once it commits."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


async def enqueue_signal(conn: Any, *, workflow_id: str, signal: str, payload: BaseModel) -> int:
    """Owe a workflow a signal; delivered after the transaction commits."""
    return await conn.fetchval(
        "INSERT INTO signal_outbox (workflow_id, signal, payload) VALUES ($1, $2, $3) RETURNING id",
        workflow_id,
        signal,
        payload.model_dump(mode="json"),
    )
