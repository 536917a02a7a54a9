"""A line's merged steps: each is one transaction of the system of record, idempotent by
the keys of the single steps it is made of."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from temporalio import activity

from activities.outcomes import LineBilled, SourcingOutcome
from activities.payloads import CloseStep, LineRef, PurchaseOrderRef, SourceStep
from domain.line import Ledger
from domain.models import LineInput
from domain.statuses import SupplyType


class LineStepsSystem(Protocol):
    async def source_line(
        self, *, key: str, line: LineInput, workflow_id: str, today: date
    ) -> SourcingOutcome: ...

    async def cancel_shortfalls(
        self, *, key: str, order_number: str, line_number: int
    ) -> Ledger: ...

    async def bill_and_close(
        self,
        *,
        key: str,
        line: LineInput,
        purchase_orders: list[PurchaseOrderRef],
        supply_types: list[SupplyType],
    ) -> LineBilled: ...


class LineActivities:
    def __init__(self, steps: LineStepsSystem) -> None:
        self._steps = steps

    @activity.defn(name="source_line")
    async def source_line(self, step: SourceStep) -> SourcingOutcome:
        """The sourcing rules applied to `step.line.quantity`, and the documents made."""
        return await self._steps.source_line(
            key=step.key, line=step.line, workflow_id=step.workflow_id, today=step.today
        )

    @activity.defn(name="cancel_shortfalls")
    async def cancel_shortfalls(self, step: LineRef) -> Ledger:
        """The line's open shortfalls canceled by a person: it leaves manual action."""
        return await self._steps.cancel_shortfalls(
            key=step.key, order_number=step.order_number, line_number=step.line_number
        )

    @activity.defn(name="bill_and_close")
    async def bill_and_close(self, step: CloseStep) -> LineBilled:
        """Billing, AR and AP invoices, supply closed, line closed."""
        return await self._steps.bill_and_close(
            key=step.key,
            line=step.line,
            purchase_orders=step.purchase_orders,
            supply_types=step.supply_types,
        )
