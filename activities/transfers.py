"""Transfers: transfer orders from another organization for back-to-back lines."""

from __future__ import annotations

from temporalio import activity

from activities.payloads import LineRef, SupplyStep
from adapters.protocols import TransferSystem
from domain.models import SupplyChange, TransferOrderResult


class TransferActivities:
    def __init__(self, transfers: TransferSystem) -> None:
        self._transfers = transfers

    @activity.defn(name="create_transfer_order")
    async def create_transfer_order(self, step: SupplyStep) -> TransferOrderResult | None:
        assert step.supply_order_number and step.today
        return await self._transfers.create_transfer_order(
            key=step.key,
            line=step.line,
            decision=step.decision,
            supply_order_number=step.supply_order_number,
            workflow_id=step.workflow_id,
            today=step.today,
        )

    @activity.defn(name="reduce_transfer_order")
    async def reduce_transfer_order(self, ref: LineRef) -> list[SupplyChange]:
        """Send what the line no longer needs back to the source organization."""
        return await self._transfers.reduce_for_line(
            key=ref.key, order_number=ref.order_number, line_number=ref.line_number
        )

    @activity.defn(name="close_transfer_order")
    async def close_transfer_order(self, ref: LineRef) -> None:
        await self._transfers.close_for_line(
            key=ref.key, order_number=ref.order_number, line_number=ref.line_number
        )
