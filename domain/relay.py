"""What the relay does after a failure: retry an item later or park it, and pause the
whole relay while a dependency is unreachable."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff for one item (an order start or a signal): the first retry after
    `first_delay` seconds, doubling up to `max_delay`; parked after `max_attempts` failed
    attempts (about 8.5 minutes of retrying with the defaults), or at once when the failure
    can never succeed (the item itself is refused, e.g. an input over Temporal's size
    limits)."""

    first_delay: float = 1.0
    max_delay: float = 300.0
    max_attempts: int = 10


@dataclass(frozen=True)
class ItemOutcome:
    attempts: int
    parked: bool
    retry_in: float  # seconds until the next attempt (0 once parked)


# How much of a failure's text is kept on the item for an operator.
MAX_REASON_LENGTH = 1000


def failure_reason(err: BaseException) -> str:
    """What an operator reads on a failed or parked item."""
    return f"{type(err).__name__}: {err}"[:MAX_REASON_LENGTH]


def after_item_failure(
    attempts_before: int, *, permanent: bool, policy: RetryPolicy
) -> ItemOutcome:
    """The item failed once more: when to try it again, or park it."""
    attempts = attempts_before + 1
    if permanent or attempts >= policy.max_attempts:
        return ItemOutcome(attempts=attempts, parked=True, retry_in=0.0)
    delay = min(policy.first_delay * 2 ** (attempts - 1), policy.max_delay)
    return ItemOutcome(attempts=attempts, parked=False, retry_in=delay)


class Notice(StrEnum):
    """What the relay says about a round, once per change rather than once per round."""

    NONE = "none"
    PAUSED = "paused"  # a dependency went: one warning
    STILL_PAUSED = "still_paused"  # still gone: nothing logged
    RESUMED = "resumed"  # it came back: one info


@dataclass(frozen=True)
class RelayState:
    """`unreachable` names the dependency the last round could not reach (None: all well);
    `failed_rounds` counts the rounds in a row that could not reach it."""

    unreachable: str | None = None
    failed_rounds: int = 0


@dataclass(frozen=True)
class PauseStep:
    state: RelayState
    notice: Notice
    wait: float  # seconds before the next round


def after_round(
    state: RelayState,
    unreachable: str | None,
    *,
    interval: float,
    first_pause: float = 1.0,
    max_pause: float = 30.0,
) -> PauseStep:
    """The relay's next wait and what to log, given which dependency (if any) the round
    just found unreachable. While paused it backs off from `first_pause` doubling to
    `max_pause`."""
    if unreachable is None:
        notice = Notice.RESUMED if state.unreachable is not None else Notice.NONE
        return PauseStep(RelayState(), notice, interval)
    failed = state.failed_rounds + 1
    notice = Notice.STILL_PAUSED if state.unreachable == unreachable else Notice.PAUSED
    wait = min(first_pause * 2 ** (failed - 1), max_pause)
    return PauseStep(RelayState(unreachable=unreachable, failed_rounds=failed), notice, wait)
