"""Manufacturing: work orders for back-to-back lines made in-house.

Frozen as release 2's workflows call them: the activities' names and types.
The live implementations in `activities/` run them."""

from __future__ import annotations

from temporalio import activity

from workflows.legacy.release2.activities.payloads import LineRef, SupplyStep
from workflows.legacy.release2.domain.models import SupplyChange, WorkOrderResult


class ManufacturingActivities:
    @activity.defn(name="create_work_order")
    async def create_work_order(self, step: SupplyStep) -> WorkOrderResult | None:
        raise NotImplementedError()

    @activity.defn(name="reduce_work_order")
    async def reduce_work_order(self, ref: LineRef) -> list[SupplyChange]:
        """Bring the line's work orders down to what the line still needs."""
        raise NotImplementedError()

    @activity.defn(name="close_work_order")
    async def close_work_order(self, ref: LineRef) -> None:
        raise NotImplementedError()
