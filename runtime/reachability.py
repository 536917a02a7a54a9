"""Telling a dependency that cannot be reached from a request it refuses: the one rule the
API (503), the relay (pause, count nothing against the item) and the worker's gauges share."""

from __future__ import annotations

from typing import Literal

import asyncpg
from temporalio.service import RPCError, RPCStatusCode

Dependency = Literal["postgresql", "temporal"]
NAMES: dict[str, str] = {"postgresql": "PostgreSQL", "temporal": "Temporal"}

# Statuses that say Temporal could not be reached (or did not answer in time), not that it
# refused this request.
_TEMPORAL_DOWN = {RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED}
# A connection broken in the middle of a call comes back as these, naming the transport;
# a call whose own `rpc_timeout` passed (nothing answered it: a query with no worker
# polling) comes back CANCELLED, "Timeout expired".
_TEMPORAL_CUT = {RPCStatusCode.UNKNOWN, RPCStatusCode.CANCELLED}
_TRANSPORT_WORDS = ("transport", "connection", "broken pipe", "tcp connect", "timeout expired")

# Raised while PostgreSQL is down, restarting or refusing connections.
_POSTGRES_DOWN = (
    OSError,  # refused, reset, socket gone; TimeoutError (connect, pool acquire) is one too
    asyncpg.PostgresConnectionError,  # class 08, a connection lost mid-query included
    asyncpg.CannotConnectNowError,  # class 57: starting up
    asyncpg.AdminShutdownError,  # shutting down
    asyncpg.CrashShutdownError,
    # A pooled connection whose operation the server's death cut off keeps the protocol
    # state of that operation ("cannot switch to state 15; another operation (2) is in
    # progress"); a misuse of a healthy connection is an InterfaceError instead.
    asyncpg.InternalClientError,
)


def temporal_unreachable(err: BaseException) -> bool:
    if isinstance(err, RPCError):
        text = str(err).lower()
        cut = err.status in _TEMPORAL_CUT and any(word in text for word in _TRANSPORT_WORDS)
        return err.status in _TEMPORAL_DOWN or cut
    # What the client raises when it cannot connect at all.
    return isinstance(err, RuntimeError) and "Failed client connect" in str(err)


def postgres_unreachable(err: BaseException) -> bool:
    if isinstance(err, asyncpg.InterfaceError):
        # The connection or pool closed under the query; any other is a misuse, not an outage.
        return any(word in str(err) for word in ("closed", "closing", "released"))
    return isinstance(err, _POSTGRES_DOWN)


def unreachable_dependency(err: BaseException) -> Dependency | None:
    """The dependency `err` shows cannot be reached, else None."""
    if temporal_unreachable(err):
        return "temporal"
    if postgres_unreachable(err):
        return "postgresql"
    return None
