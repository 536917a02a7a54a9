"""Procurement: supply orders, requisitions and purchase orders for back-to-back lines."""

from __future__ import annotations

from temporalio import activity

from activities.payloads import LineRef, SupplyStep
from adapters.protocols import ProcurementSystem
from domain.models import PurchaseOrderResult, RequisitionResult, SupplyChange, SupplyOrderResult


class ProcurementActivities:
    def __init__(self, procurement: ProcurementSystem) -> None:
        self._procurement = procurement

    @activity.defn(name="create_supply_order")
    async def create_supply_order(self, step: SupplyStep) -> SupplyOrderResult:
        return await self._procurement.create_supply_order(
            key=step.key, line=step.line, decision=step.decision
        )

    @activity.defn(name="create_requisition")
    async def create_requisition(self, step: SupplyStep) -> RequisitionResult:
        assert step.supply_order_number is not None
        return await self._procurement.create_requisition(
            key=step.key,
            supply_order_number=step.supply_order_number,
            line=step.line,
            decision=step.decision,
        )

    @activity.defn(name="create_purchase_order")
    async def create_purchase_order(self, step: SupplyStep) -> PurchaseOrderResult | None:
        assert step.supply_order_number and step.requisition_number and step.today
        return await self._procurement.create_purchase_order(
            key=step.key,
            line=step.line,
            decision=step.decision,
            supply_order_number=step.supply_order_number,
            requisition_number=step.requisition_number,
            workflow_id=step.workflow_id,
            today=step.today,
        )

    @activity.defn(name="reduce_supply")
    async def reduce_supply(self, ref: LineRef) -> list[SupplyChange]:
        """Bring the line's supply documents down to what the line still needs."""
        return await self._procurement.reduce_for_line(
            key=ref.key, order_number=ref.order_number, line_number=ref.line_number
        )

    @activity.defn(name="close_supply")
    async def close_supply(self, ref: LineRef) -> None:
        await self._procurement.close_for_line(
            key=ref.key, order_number=ref.order_number, line_number=ref.line_number
        )
