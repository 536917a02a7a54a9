"""The relay's decisions, without Temporal or PostgreSQL: an item's backoff and parking, and
the pause while a dependency is unreachable."""

from __future__ import annotations

import asyncpg
import pytest
from temporalio.service import RPCError, RPCStatusCode

from domain.relay import (
    ItemOutcome,
    Notice,
    RelayState,
    RetryPolicy,
    after_item_failure,
    after_round,
)
from runtime.orchestration import refused_for_good
from runtime.reachability import temporal_unreachable, unreachable_dependency

POLICY = RetryPolicy(first_delay=1.0, max_delay=300.0, max_attempts=10)


@pytest.mark.parametrize(
    ("attempts_before", "permanent", "expected"),
    [
        (0, False, ItemOutcome(attempts=1, parked=False, retry_in=1.0)),
        (1, False, ItemOutcome(attempts=2, parked=False, retry_in=2.0)),
        (4, False, ItemOutcome(attempts=5, parked=False, retry_in=16.0)),
        (8, False, ItemOutcome(attempts=9, parked=False, retry_in=256.0)),
        (9, False, ItemOutcome(attempts=10, parked=True, retry_in=0.0)),
        (0, True, ItemOutcome(attempts=1, parked=True, retry_in=0.0)),
        (3, True, ItemOutcome(attempts=4, parked=True, retry_in=0.0)),
    ],
)
def test_an_item_backs_off_then_parks(
    attempts_before: int, permanent: bool, expected: ItemOutcome
) -> None:
    assert after_item_failure(attempts_before, permanent=permanent, policy=POLICY) == expected


def test_the_backoff_is_capped() -> None:
    policy = RetryPolicy(first_delay=1.0, max_delay=300.0, max_attempts=50)
    assert after_item_failure(20, permanent=False, policy=policy).retry_in == 300.0


def test_the_defaults_give_up_after_ten_attempts_within_minutes() -> None:
    waited, attempts, outcome = 0.0, 0, ItemOutcome(0, False, 0.0)
    while not outcome.parked:
        outcome = after_item_failure(attempts, permanent=False, policy=RetryPolicy())
        attempts, waited = outcome.attempts, waited + outcome.retry_in
    assert attempts == 10
    assert waited == 511.0  # 1 + 2 + ... + 256 seconds


DOWN_PG = RelayState(unreachable="PostgreSQL", failed_rounds=1)


@pytest.mark.parametrize(
    ("state", "unreachable", "notice", "after", "wait"),
    [
        (RelayState(), None, Notice.NONE, RelayState(), 1.0),
        (RelayState(), "PostgreSQL", Notice.PAUSED, DOWN_PG, 1.0),
        (DOWN_PG, "PostgreSQL", Notice.STILL_PAUSED, RelayState("PostgreSQL", 2), 2.0),
        (
            RelayState("PostgreSQL", 4),
            "PostgreSQL",
            Notice.STILL_PAUSED,
            RelayState("PostgreSQL", 5),
            16.0,
        ),
        (
            RelayState("PostgreSQL", 9),
            "PostgreSQL",
            Notice.STILL_PAUSED,
            RelayState("PostgreSQL", 10),
            30.0,
        ),
        (RelayState("PostgreSQL", 9), None, Notice.RESUMED, RelayState(), 1.0),
        (DOWN_PG, "Temporal", Notice.PAUSED, RelayState("Temporal", 2), 2.0),
    ],
)
def test_the_relay_pauses_quietly(
    state: RelayState, unreachable: str | None, notice: Notice, after: RelayState, wait: float
) -> None:
    step = after_round(state, unreachable, interval=1.0)
    assert (step.notice, step.state, step.wait) == (notice, after, wait)


def test_an_outage_logs_once_when_it_goes_and_once_when_it_comes_back() -> None:
    rounds = [None, "Temporal", "Temporal", "Temporal", "Temporal", None, None]
    state, notices, waits = RelayState(), [], []
    for unreachable in rounds:
        step = after_round(state, unreachable, interval=0.5)
        state = step.state
        notices.append(step.notice)
        waits.append(step.wait)
    logged = [n for n in notices if n in (Notice.PAUSED, Notice.RESUMED)]
    assert logged == [Notice.PAUSED, Notice.RESUMED]
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0, 0.5, 0.5]


@pytest.mark.parametrize(
    ("err", "unreachable", "for_good"),
    [
        (RPCError("unavailable", RPCStatusCode.UNAVAILABLE, b""), True, False),
        (RPCError("deadline", RPCStatusCode.DEADLINE_EXCEEDED, b""), True, False),
        (RPCError("transport error: broken pipe", RPCStatusCode.UNKNOWN, b""), True, False),
        (
            RPCError("Blob data size exceeds limit.", RPCStatusCode.INVALID_ARGUMENT, b""),
            False,
            True,
        ),
        (
            RPCError(
                "grpc: received message after decompression larger than max 4194304",
                RPCStatusCode.RESOURCE_EXHAUSTED,
                b"",
            ),
            False,
            True,
        ),
        (RPCError("namespace rate limit", RPCStatusCode.RESOURCE_EXHAUSTED, b""), False, False),
        (RPCError("not found", RPCStatusCode.NOT_FOUND, b""), False, False),
        (RuntimeError("Failed client connect: Server connection error"), True, False),
        (ValueError("bad row"), False, False),
    ],
)
def test_temporal_errors_are_told_apart(
    err: BaseException, unreachable: bool, for_good: bool
) -> None:
    assert (temporal_unreachable(err), refused_for_good(err)) == (unreachable, for_good)


@pytest.mark.parametrize(
    ("err", "dependency"),
    [
        (ConnectionRefusedError(), "postgresql"),
        (FileNotFoundError(), "postgresql"),  # the Unix socket is gone
        (asyncpg.CannotConnectNowError("starting up"), "postgresql"),
        (asyncpg.ConnectionDoesNotExistError("lost"), "postgresql"),
        (
            asyncpg.InternalClientError(
                "cannot switch to state 15; another operation (2) is in progress"
            ),
            "postgresql",
        ),
        (RPCError("unavailable", RPCStatusCode.UNAVAILABLE, b""), "temporal"),
        (RPCError("Timeout expired", RPCStatusCode.CANCELLED, b""), "temporal"),
        (asyncpg.UniqueViolationError("dup"), None),
        (KeyError("x"), None),
    ],
)
def test_the_unreachable_dependency_is_named(err: BaseException, dependency: str | None) -> None:
    assert unreachable_dependency(err) == dependency


def test_a_misused_connection_is_not_an_outage() -> None:
    closed = asyncpg.InterfaceError("cannot call Connection.fetch(): connection has been closed")
    busy = asyncpg.InterfaceError("cannot perform operation: another operation is in progress")
    assert (unreachable_dependency(closed), unreachable_dependency(busy)) == ("postgresql", None)
