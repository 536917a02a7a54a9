"""SalesOrderWorkflow: books the lines of an order as child workflows and closes the order
when every line is closed or canceled."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.payloads import OrderEvent
    from domain import signals
    from domain.identity import line_workflow_id
    from domain.models import LineInput, LineView, OrderInput
    from domain.statuses import EventType, LineStatus
    from workflows.line import FulfillmentLineWorkflow, initial_search_attributes


def line_summary(line: LineInput) -> str:
    return (
        f"Order {line.order_number} line {line.line_number}: {line.quantity} "
        f"{line.item_number} for {line.customer_number} from {line.organization}"
    )


@workflow.defn(name="SalesOrderWorkflow")
class SalesOrderWorkflow:
    @workflow.init
    def __init__(self, order: OrderInput) -> None:
        self._order = order
        self._status = "OPEN"
        self._lines: dict[int, str] = {
            li.line_number: LineStatus.BOOKED.value for li in order.lines
        }

    @workflow.query(name=signals.ORDER_STATUS_QUERY)
    def order_status(self) -> dict[str, Any]:
        return {
            "order_number": self._order.order_number,
            "status": self._status,
            "lines": dict(self._lines),
        }

    @workflow.run
    async def run(self, order: OrderInput) -> dict[str, Any]:
        workflow.set_current_details(f"{len(order.lines)} line(s) in fulfillment")
        results = await asyncio.gather(*(self._run_line(line) for line in order.lines))
        closed = sum(1 for r in results if r.status == LineStatus.CLOSED)
        canceled = len(results) - closed
        self._status = "CLOSED" if closed else "CANCELED"
        await workflow.execute_activity(
            "record_order_event",
            OrderEvent(
                key=f"{workflow.info().workflow_id}:closed",
                order_number=order.order_number,
                event=EventType.ORDER_CLOSED,
                data={"closed_lines": closed, "canceled_lines": canceled},
            ),
            start_to_close_timeout=timedelta(seconds=30),
            summary="Record order closed",
        )
        workflow.set_current_details(f"{self._status}: {closed} closed, {canceled} canceled")
        return self.order_status()

    async def _run_line(self, line: LineInput) -> LineView:
        # Lines are independent durable units: they outlive their order workflow.
        result: LineView = await workflow.execute_child_workflow(
            FulfillmentLineWorkflow.run,
            line,
            id=line_workflow_id(line.order_number, line.line_number),
            parent_close_policy=workflow.ParentClosePolicy.ABANDON,
            search_attributes=initial_search_attributes(line),
            static_summary=line_summary(line),
        )
        self._lines[line.line_number] = result.status.value
        return result
