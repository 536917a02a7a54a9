"""Phases a line reaches on its own (manual action, retry, billing, closed), recorded
inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from adapters.postgres.common import Connection, lock_line
from adapters.postgres.line import ledger as line_ledger
from adapters.postgres.line.ledger import ledger_of
from adapters.postgres.outbox.events import append_event
from domain.line import EnterPhase, Ledger, Phase
from domain.statuses import EventType, LineStatus

# The phase a status the workflow reaches on its own puts the line's ledger in.
_PHASE_OF = {
    LineStatus.MANUAL_ACTION_REQUIRED: Phase.MANUAL,
    LineStatus.AWAITING_BILLING: Phase.BILLING,
    LineStatus.CLOSED: Phase.CLOSED,
    LineStatus.BOOKED: Phase.BOOKED,
}


async def enter_phase_in(
    conn: Connection,
    *,
    key: str,
    order_number: str,
    line_number: int,
    status: LineStatus,
    event: EventType | None = None,
    data: dict[str, Any] | None = None,
    locked: Any = None,
) -> Ledger:
    """Record a status the workflow reached on its own (manual action, billing, closed);
    answers the line's ledger after it. `locked`: the line's row when the caller holds its
    lock already (not read again)."""
    line = locked if locked is not None else await lock_line(conn, order_number, line_number)
    if line["status"] != LineStatus.CANCELED:
        line = await line_ledger.record(conn, line, EnterPhase(_PHASE_OF[status]))
    if event is not None:
        await append_event(
            conn,
            key=key,
            type=event,
            order_number=order_number,
            line_number=line_number,
            data=data,
        )
    return ledger_of(line)
