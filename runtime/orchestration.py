"""Starting order workflows (from the API, and again by the relay if a start was lost), and
telling Temporal being unreachable from a request it refuses."""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import Client
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from domain import search_attributes as sa
from domain.identity import order_workflow_id
from domain.models import OrderInput
from workflows.order import SalesOrderWorkflow

# Seconds one call to Temporal may take: a hanging call must not hold rows for long.
RPC_TIMEOUT = 10.0


async def start_order_workflow(client: Client, order: OrderInput, *, task_queue: str) -> str:
    """Start `order-{n}` once: starting an order that runs, or that ran and closed, is a
    no-op (two relays, or the API and a relay, may both start it)."""
    workflow_id = order_workflow_id(order.order_number)
    lines = ", ".join(f"{li.quantity} {li.item_number}" for li in order.lines)
    try:
        await client.start_workflow(
            SalesOrderWorkflow.run,
            order,
            id=workflow_id,
            task_queue=task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            # A closed order is never started again as a new run.
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(sa.ORDER_NUMBER, order.order_number),
                    SearchAttributePair(sa.CUSTOMER_NUMBER, order.customer_number),
                ]
            ),
            static_summary=f"Sales order {order.order_number} for {order.customer_number}: {lines}",
            rpc_timeout=timedelta(seconds=RPC_TIMEOUT),
        )
    except WorkflowAlreadyStartedError:
        pass
    return workflow_id


def refused_for_good(err: BaseException) -> bool:
    """A request Temporal will refuse however often it is sent: the item itself is bad (an
    input over the size limits, an invalid argument)."""
    if not isinstance(err, RPCError):
        return False
    if err.status == RPCStatusCode.INVALID_ARGUMENT:
        return True
    return err.status == RPCStatusCode.RESOURCE_EXHAUSTED and "larger than max" in str(err)
