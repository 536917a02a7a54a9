"""The relay's decisions, without Temporal or PostgreSQL: an item's backoff and parking, and
the pause while a dependency is unreachable."""

from __future__ import annotations

import pytest

from domain.relay import (
    ItemOutcome,
    Notice,
    RelayState,
    RetryPolicy,
    after_item_failure,
    after_round,
)

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
