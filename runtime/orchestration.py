"""Starting order workflows (from the API, and again by the relay if a start was lost)."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
)

from domain import search_attributes as sa
from domain.identity import order_workflow_id
from domain.models import OrderInput
from workflows.order import SalesOrderWorkflow


async def start_order_workflow(client: Client, order: OrderInput, *, task_queue: str) -> str:
    """Start `order-{n}`; starting an order that already runs is a no-op."""
    workflow_id = order_workflow_id(order.order_number)
    lines = ", ".join(f"{li.quantity} {li.item_number}" for li in order.lines)
    await client.start_workflow(
        SalesOrderWorkflow.run,
        order,
        id=workflow_id,
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        search_attributes=TypedSearchAttributes(
            [
                SearchAttributePair(sa.ORDER_NUMBER, order.order_number),
                SearchAttributePair(sa.CUSTOMER_NUMBER, order.customer_number),
            ]
        ),
        static_summary=f"Sales order {order.order_number} for {order.customer_number}: {lines}",
    )
    return workflow_id
