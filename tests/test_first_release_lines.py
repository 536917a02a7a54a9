"""Lines of the first release (`FulfillmentLineWorkflow`), still open after the upgrades and
run by release 2's frozen code on its task queue, as the API shows them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from adapters.postgres.orders.booking import line_input_of
from adapters.postgres.orders.orders import Orders
from domain.identity import line_workflow_id
from domain.models import OrderIn
from tests.conftest import Stack, order_number
from tests.fixtures import demo_setup, laptop_order
from worker.app import CARRIED_WORKFLOWS, build_worker
from workflows.legacy.release2.domain.models import LineInput
from workflows.legacy.release2.line_state import initial_search_attributes
from workflows.legacy.release2.line_v1 import FulfillmentLineWorkflow


@asynccontextmanager
async def first_release_line(stack: Stack, order: dict[str, object]) -> AsyncIterator[str]:
    """The order booked, and its line 1 started as release 1's order started its lines: a
    `FulfillmentLineWorkflow` under the line's workflow id, on the queue that release 2's
    workers poll (a worker of release 2's workflows on it). Its order workflow is not run."""
    so = str(order["order_number"])
    await Orders(stack.pool).book(OrderIn.model_validate(order))
    async with stack.pool.acquire() as conn:
        header = await conn.fetchrow("SELECT * FROM orders WHERE order_number = $1", so)
        row = await conn.fetchrow(
            "SELECT * FROM fulfillment_lines WHERE order_number = $1 AND line_number = 1", so
        )
    line = LineInput.model_validate(line_input_of(dict(row), header).model_dump())
    worker = build_worker(
        stack.client, stack.pool, task_queue=stack.base_task_queue, workflows=CARRIED_WORKFLOWS[2]
    )
    async with worker:
        handle = await stack.client.start_workflow(
            FulfillmentLineWorkflow.run,
            line,
            id=line_workflow_id(so, 1),
            task_queue=stack.base_task_queue,
            search_attributes=initial_search_attributes(line),
        )
        try:
            yield so
        finally:
            await handle.terminate("the test is over")


async def test_a_first_release_line_shows_its_requested_ship_date(idle_stack: Stack) -> None:
    stack = idle_stack
    await stack.call("PUT", "/setup", json=demo_setup())
    order = {**laptop_order(order_number(), 5), "requested_ship_date": "2027-03-01"}
    order["lines"].append({**order["lines"][0], "line_number": 2})
    async with first_release_line(stack, order) as so:
        line = await stack.wait_status(so, "AWAITING_SUPPLY")
        assert line["ledger_version"] is None  # run by the first release's line type
        assert line["requested_ship_date"] == "2027-03-01"
        cancel = {"reason": "not needed"}
        await stack.call("POST", f"/orders/{so}/lines/2/cancel", role="orders", json=cancel)
        # A revision moves the order's date, then the line's own: the line shows each at once;
        # the canceled line keeps the date it had.
        revise = f"/orders/{so}/revisions"
        await stack.call("POST", revise, role="orders", json={"requested_ship_date": "2027-04-01"})
        assert (await stack.line(so))["requested_ship_date"] == "2027-04-01"
        assert (await stack.line(so, 2))["requested_ship_date"] == "2027-03-01"
        change = {"line_number": 1, "requested_ship_date": "2027-04-15"}
        await stack.call("POST", revise, role="orders", json={"change_lines": [change]})
        assert (await stack.line(so))["requested_ship_date"] == "2027-04-15"
