"""Telling a dependency that cannot be reached from a request it refuses."""

from __future__ import annotations

import asyncpg

from runtime.orchestration import temporal_unreachable

# Raised while PostgreSQL is down, restarting or refusing connections.
_POSTGRES_DOWN = (
    OSError,  # connection refused, socket gone
    TimeoutError,  # no answer to connect
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
)


def postgres_unreachable(err: BaseException) -> bool:
    if isinstance(err, asyncpg.InterfaceError):
        # The connection or pool closed under the query; any other is a misuse, not an outage.
        return any(word in str(err) for word in ("closed", "closing", "released"))
    return isinstance(err, _POSTGRES_DOWN)


def unreachable_dependency(err: BaseException) -> str | None:
    """ "PostgreSQL" or "Temporal" when `err` says it cannot be reached, else None."""
    if temporal_unreachable(err):
        return "Temporal"
    if postgres_unreachable(err):
        return "PostgreSQL"
    return None
