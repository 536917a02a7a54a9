"""Which failures mean a dependency is down (503 naming it) and which are bugs (500)."""

from __future__ import annotations

import asyncpg
import pytest
from temporalio.service import RPCError, RPCStatusCode

from starter.http.errors import down_dependency


def rpc(status: RPCStatusCode, message: str = "") -> RPCError:
    return RPCError(message, status, b"")


@pytest.mark.parametrize(
    ("error", "dependency"),
    [
        (ConnectionRefusedError(111, "Connection refused"), "postgresql"),
        (FileNotFoundError(2, "No such file or directory: /tmp/.s.PGSQL.5432"), "postgresql"),
        (ConnectionResetError(104, "Connection reset by peer"), "postgresql"),
        (TimeoutError(), "postgresql"),  # a pool acquire that timed out
        (asyncpg.ConnectionDoesNotExistError("connection was closed in the middle"), "postgresql"),
        (asyncpg.CannotConnectNowError("the database system is starting up"), "postgresql"),
        (asyncpg.AdminShutdownError("terminating connection"), "postgresql"),
        (asyncpg.InterfaceError("cannot perform operation: connection is closed"), "postgresql"),
        (asyncpg.InterfaceError("pool is closing"), "postgresql"),
        (rpc(RPCStatusCode.UNAVAILABLE, "tcp connect error"), "temporal"),
        (rpc(RPCStatusCode.DEADLINE_EXCEEDED, "deadline"), "temporal"),
        (rpc(RPCStatusCode.UNKNOWN, "transport error"), "temporal"),
        (rpc(RPCStatusCode.CANCELLED, "connection closed"), "temporal"),
        (RuntimeError("Failed client connect: Server connection error"), "temporal"),
        # Not outages: answered as before (a 404 fallback, or a logged 500).
        (rpc(RPCStatusCode.NOT_FOUND, "workflow not found"), None),
        (rpc(RPCStatusCode.INVALID_ARGUMENT, "bad query"), None),
        (rpc(RPCStatusCode.UNKNOWN, "something else"), None),
        (
            asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
            None,
        ),
        (asyncpg.UniqueViolationError("duplicate key"), None),
        (asyncpg.CharacterNotInRepertoireError("invalid byte sequence"), None),
        (ZeroDivisionError(), None),
        (RuntimeError("anything"), None),
    ],
)
def test_failure_names_the_dependency_down(error: BaseException, dependency: str | None) -> None:
    assert down_dependency(error) == dependency
