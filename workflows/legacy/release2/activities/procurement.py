"""Procurement: supply orders, requisitions and purchase orders for back-to-back lines.

Frozen as release 2's workflows call them: the activities' names and types.
The live implementations in `activities/` run them."""

from __future__ import annotations

from temporalio import activity

from workflows.legacy.release2.activities.payloads import LineRef, SupplyStep
from workflows.legacy.release2.domain.models import (
    PurchaseOrderResult,
    RequisitionResult,
    SupplyChange,
    SupplyOrderResult,
)


class ProcurementActivities:
    @activity.defn(name="create_supply_order")
    async def create_supply_order(self, step: SupplyStep) -> SupplyOrderResult:
        raise NotImplementedError()

    @activity.defn(name="create_requisition")
    async def create_requisition(self, step: SupplyStep) -> RequisitionResult:
        raise NotImplementedError()

    @activity.defn(name="create_purchase_order")
    async def create_purchase_order(self, step: SupplyStep) -> PurchaseOrderResult | None:
        raise NotImplementedError()

    @activity.defn(name="reduce_supply")
    async def reduce_supply(self, ref: LineRef) -> list[SupplyChange]:
        """Bring the line's supply documents down to what the line still needs."""
        raise NotImplementedError()

    @activity.defn(name="close_supply")
    async def close_supply(self, ref: LineRef) -> None:
        raise NotImplementedError()
