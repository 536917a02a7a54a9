"""The recipe of a write that tells a workflow: the fact is recorded (on the line's ledger
through `line.ledger.record`, or on its document), its business event is added and the
signal that tells the workflow is owed, all in the caller's transaction.

The caller records the fact and its other effects under the line's row lock; `tell` then
writes the event under the write's idempotency key (a retried write adds nothing) and owes
the signal, from the same row, so the two never name different lines and one is never
written without the other. A write that tells no workflow adds its event alone
(`append_event`); a signal that is not a fact's own (a line telling its order, a moved ship
date) is owed alone (`enqueue_signal`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from adapters.postgres.common import Connection
from adapters.postgres.outbox.events import append_event
from adapters.postgres.outbox.owed_signals import enqueue_signal
from domain.identity import order_workflow_id
from domain.statuses import EventType


async def tell(
    conn: Connection,
    about: Any,
    *,
    key: str,
    event: EventType,
    data: dict[str, Any],
    signal: str,
    payload: BaseModel,
) -> int:
    """Add the business event of a fact just recorded about `about` (a line's row or its
    peg, read after the fact; or `about_order`) under `key`, and owe its workflow `signal`
    with `payload`; answers the outbox id, delivered after the commit."""
    await append_event(
        conn,
        key=key,
        type=event,
        order_number=about["order_number"],
        line_number=about["line_number"],
        data=data,
    )
    return await enqueue_signal(
        conn, workflow_id=about["workflow_id"], signal=signal, payload=payload
    )


def about_order(order_number: str) -> dict[str, Any]:
    """An order as `tell` takes it: its event names no line, its signal goes to the order's
    workflow."""
    return {
        "order_number": order_number,
        "line_number": None,
        "workflow_id": order_workflow_id(order_number),
    }
