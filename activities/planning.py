"""Planning: scheduling a line onto a supply source."""

from __future__ import annotations

from temporalio import activity

from activities.payloads import LineStep
from adapters.protocols import MasterDataReader
from domain.models import SourcingDecision
from domain.sourcing import choose_source


class PlanningActivities:
    def __init__(self, master_data: MasterDataReader) -> None:
        self._master_data = master_data

    @activity.defn(name="schedule_line")
    async def schedule_line(self, step: LineStep) -> SourcingDecision:
        """Apply the sourcing rules to the line's item at its fulfillment organization."""
        line = step.line
        inputs = await self._master_data.sourcing_inputs(line.item_number, line.organization)
        return choose_source(
            item_number=line.item_number,
            organization=line.organization,
            quantity=line.quantity,
            **inputs,
        )
