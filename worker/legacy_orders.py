"""Before the worker polls: which open orders of release 2 ran their steps as activities
(efdb803) rather than as local activities (18993cf). Their starts look alike; their
histories do not (`workflows/legacy/release2/order_steps.py`). Only orders that began before
local starts carry the `lines-from-rows` patch marker, so only those are read, once."""

from __future__ import annotations

import structlog
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from runtime.generations import task_queue_of
from workflows.legacy.release2 import order_steps

log = structlog.get_logger(__name__)

QUERY = (
    "WorkflowType = 'SalesOrderWorkflow' AND ExecutionStatus = 'Running'"
    " AND TaskQueue = '{queue}' AND TemporalChangeVersion = 'lines-from-rows'"
)


async def steps_as_activities(client: Client, workflow_id: str, run_id: str | None) -> bool:
    """From the run's history, or the runs before it while a run has reached no step yet."""
    while True:
        handle = client.get_workflow_handle(workflow_id, run_id=run_id)
        try:
            history = await handle.fetch_history()
        except RPCError as err:
            if err.status is not RPCStatusCode.NOT_FOUND:
                raise
            return False  # a run before this one, past retention: the released kind
        found = order_steps.steps_ran_as_activities(history.events)
        if found is not None:
            return found
        started = history.events[0].workflow_execution_started_event_attributes
        if not started.continued_execution_run_id:
            return False
        run_id = started.continued_execution_run_id


async def read_release2_orders(client: Client, *, base_task_queue: str) -> int:
    """Record the open release-2 orders whose steps ran as activities; returns how many."""
    queue = task_queue_of(base_task_queue, 2)
    found = 0
    async for execution in client.list_workflows(QUERY.format(queue=queue)):
        as_activities = await steps_as_activities(client, execution.id, execution.run_id)
        order_steps.record(execution.id, steps_as_activities=as_activities)
        found += as_activities
    if found:
        log.info("release-2 orders whose steps ran as activities", orders=found)
    return found
