"""`BareLineWorkflow`: a line's orchestration with none of its work. Its module imports
Temporal only, so that the workflow sandbox re-imports as little as possible per run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from temporalio import activity, workflow

BARE_SIGNAL = "bare_signal"
BARE_STAGE_QUERY = "bare_stage"
BARE_ACTIVITY_TIMEOUT = timedelta(seconds=30)


@dataclass
class BarePlan:
    """The shape of a line: activities before its first signal, signals, the rest."""

    pre_activities: int
    signals: int
    post_activities: int

    @property
    def activities(self) -> int:
        return self.pre_activities + self.post_activities


# Fixed, so that a cheaper product line does not make the yardstick cheaper too: the Buy
# line's shape when the yardstick was fixed (4 activities until its PO awaits receipt, the
# receipt, pick release, pick and ship signals, then 5 activities to close it).
BARE_PLAN = BarePlan(pre_activities=4, signals=4, post_activities=5)


@activity.defn(name="bare_noop")
async def bare_noop(step: str) -> None:
    """Does nothing: stands in for one product activity."""


@workflow.defn(name="BareLineWorkflow")
class BareLineWorkflow:
    """A product line's orchestration with none of its work: activities, then signals in
    turn, then activities."""

    def __init__(self) -> None:
        self._stage = "STARTED"
        self._signals = 0

    @workflow.signal(name=BARE_SIGNAL)
    def bare_signal(self, index: int) -> None:
        self._signals += 1

    @workflow.query(name=BARE_STAGE_QUERY)
    def bare_stage(self) -> str:
        return self._stage

    @workflow.run
    async def run(self, plan: BarePlan) -> str:
        for i in range(plan.pre_activities):
            await workflow.execute_activity(
                bare_noop, f"pre-{i}", start_to_close_timeout=BARE_ACTIVITY_TIMEOUT
            )
        self._stage = "AWAITING_SIGNALS"
        for k in range(plan.signals):
            await workflow.wait_condition(cast("Callable[[], bool]", lambda k=k: self._signals > k))
        for i in range(plan.post_activities):
            await workflow.execute_activity(
                bare_noop, f"post-{i}", start_to_close_timeout=BARE_ACTIVITY_TIMEOUT
            )
        self._stage = "CLOSED"
        return self._stage
