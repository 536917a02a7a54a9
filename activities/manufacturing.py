"""Manufacturing: work orders for back-to-back lines made in-house."""

from __future__ import annotations

from temporalio import activity

from activities.payloads import LineRef, SupplyStep
from adapters.protocols import ManufacturingSystem
from domain.models import SupplyChange, WorkOrderResult


class ManufacturingActivities:
    def __init__(self, manufacturing: ManufacturingSystem) -> None:
        self._manufacturing = manufacturing

    @activity.defn(name="create_work_order")
    async def create_work_order(self, step: SupplyStep) -> WorkOrderResult | None:
        assert step.supply_order_number and step.today
        return await self._manufacturing.create_work_order(
            key=step.key,
            line=step.line,
            lead_time_days=step.decision.lead_time_days,
            supply_order_number=step.supply_order_number,
            workflow_id=step.workflow_id,
            today=step.today,
            quantity=step.decision.quantity,
        )

    @activity.defn(name="reduce_work_order")
    async def reduce_work_order(self, ref: LineRef) -> list[SupplyChange]:
        """Bring the line's work orders down to what the line still needs."""
        return await self._manufacturing.reduce_for_line(
            key=ref.key, order_number=ref.order_number, line_number=ref.line_number
        )

    @activity.defn(name="close_work_order")
    async def close_work_order(self, ref: LineRef) -> None:
        await self._manufacturing.close_for_line(
            key=ref.key, order_number=ref.order_number, line_number=ref.line_number
        )
