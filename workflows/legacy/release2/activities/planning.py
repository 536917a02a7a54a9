"""Planning: scheduling a line onto a supply source.

Frozen as release 2's workflows call them: the activities' names and types.
The live implementations in `activities/` run them."""

from __future__ import annotations

from temporalio import activity

from workflows.legacy.release2.activities.payloads import LineStep
from workflows.legacy.release2.domain.models import SourcingDecision


class PlanningActivities:
    @activity.defn(name="schedule_line")
    async def schedule_line(self, step: LineStep) -> SourcingDecision:
        """Apply the sourcing rules to the line's item at its fulfillment organization."""
        raise NotImplementedError()
