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
from domain.identity import line_workflow_id, order_workflow_id
from domain.line import Ledger
from domain.models import LineInput, OrderInput
from domain.models.order_run import OrderState
from workflows.kit_line import KitLineWorkflow
from workflows.line import FulfillmentLineWorkflowV3
from workflows.line_publish import initial_search_attributes
from workflows.line_publish import summary as line_summary
from workflows.line_state import LineCarry
from workflows.order import SalesOrderWorkflow
from workflows.order_publish import summary as order_summary

# Seconds one call to Temporal may take: a hanging call must not hold rows for long.
RPC_TIMEOUT = 10.0


async def start_order_workflow(client: Client, order: OrderInput, *, task_queue: str) -> str:
    """Start `order-{n}` once: starting an order that runs, or that ran and closed, is a
    no-op (two relays, or the API and a relay, may both start it)."""
    workflow_id = order_workflow_id(order.order_number)
    count = order.line_count or len(order.lines)
    try:
        # The lines stay in their rows: the workflow starts them from there.
        await client.start_workflow(
            SalesOrderWorkflow.run,
            order.model_copy(
                update={"lines": [], "line_count": count, "carried": order.carried or OrderState()}
            ),
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
            static_summary=order_summary(order, count),
            rpc_timeout=timedelta(seconds=RPC_TIMEOUT),
        )
    except WorkflowAlreadyStartedError:
        pass
    return workflow_id


async def start_line_workflow(
    client: Client, line: LineInput, *, task_queue: str, held_ledger: Ledger | None = None
) -> None:
    """Start `order-{n}-line-{l}` once, like an order: a line that runs or ran is left as it
    is (a retried batch of starts starts nothing twice)."""
    # A kit line runs its own type (its components run as lines); the others the newest
    # line type, which takes its carry (none at the start) as well.
    run = KitLineWorkflow.run if line.kit_components else FulfillmentLineWorkflowV3.run
    try:
        await client.start_workflow(
            run,
            args=[
                line.model_copy(update={"credit_hold": True}) if held_ledger else line,
                LineCarry(held_ledger=held_ledger),
            ],
            id=line_workflow_id(line.order_number, line.line_number),
            task_queue=task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=initial_search_attributes(line),
            static_summary=line_summary(line),
            rpc_timeout=timedelta(seconds=RPC_TIMEOUT),
            # Started from a worker's own client (the order's `start_lines`), the first
            # workflow task comes back with the start: no task queue round trip.
            request_eager_start=True,
        )
    except WorkflowAlreadyStartedError:
        pass


def refused_for_good(err: BaseException) -> bool:
    """A request Temporal will refuse however often it is sent: the item itself is bad (an
    input over the size limits, an invalid argument)."""
    if not isinstance(err, RPCError):
        return False
    if err.status == RPCStatusCode.INVALID_ARGUMENT:
        return True
    return err.status == RPCStatusCode.RESOURCE_EXHAUSTED and "larger than max" in str(err)
