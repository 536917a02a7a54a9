"""Transfers: transfer orders from another organization for back-to-back lines.

Frozen as release 2's workflows call them: the activities' names and types.
The live implementations in `activities/` run them."""

from __future__ import annotations

from temporalio import activity

from workflows.legacy.release2.activities.payloads import LineRef, SupplyStep
from workflows.legacy.release2.domain.models import SupplyChange, TransferOrderResult


class TransferActivities:
    @activity.defn(name="create_transfer_order")
    async def create_transfer_order(self, step: SupplyStep) -> TransferOrderResult | None:
        raise NotImplementedError()

    @activity.defn(name="reduce_transfer_order")
    async def reduce_transfer_order(self, ref: LineRef) -> list[SupplyChange]:
        """Send what the line no longer needs back to the source organization."""
        raise NotImplementedError()

    @activity.defn(name="close_transfer_order")
    async def close_transfer_order(self, ref: LineRef) -> None:
        raise NotImplementedError()
