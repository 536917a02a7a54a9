"""SalesOrderWorkflow continues as new before its history grows long, and keeps every
guarantee across the switch: the credit decision and shipment sets still answer its query,
added lines are started once however often their signal is delivered (before, during or
after the switch), and every run replays. On the dev server with stub activities and the
history bound lowered."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer, Worker

from activities.payloads import OrderStep
from domain import signals
from domain.credit import CreditDecision
from domain.models import LinesAddedSignal, LineStagedSignal, OrderInput
from domain.models.order_run import (
    LineFinishedSignal,
    LinesStarted,
    LineStarts,
    OrderClosing,
    OrderState,
    ShipmentSetState,
)
from domain.statuses import CreditStatus, LineStatus
from tests.conftest import poll
from workflows.order import SalesOrderWorkflow


class Record:
    """What the order's stub activities were asked."""

    def __init__(self) -> None:
        self.started: list[int] = []
        self.set_checks = 0

    def activities(self) -> list[Any]:
        @activity.defn(name="authorize_credit")
        async def authorize_credit(step: Any) -> CreditDecision:
            return CreditDecision(
                status=CreditStatus.AUTHORIZED, amount=10, reason="fits", open_lines=[1, 2]
            )

        @activity.defn(name="start_lines")
        async def start_lines(batch: LineStarts) -> LinesStarted:
            if batch.line_numbers:
                self.started += batch.line_numbers
                return LinesStarted(started=len(batch.line_numbers), last_line=None)
            if batch.after >= 2:
                return LinesStarted(started=0, last_line=None)
            self.started += [1, 2]
            return LinesStarted(started=2, last_line=2)

        @activity.defn(name="release_ready_shipment_sets")
        async def release_ready_shipment_sets(step: OrderStep) -> dict[str, ShipmentSetState]:
            self.set_checks += 1
            return {"S": ShipmentSetState(lines=[1, 2], staged=[1], released=False)}

        @activity.defn(name="close_order")
        async def close_order(step: OrderStep) -> OrderClosing:
            return OrderClosing(closed=True, closed_lines=len(self.started), canceled_lines=0)

        return [authorize_credit, start_lines, release_ready_shipment_sets, close_order]


async def runs(handle: WorkflowHandle[Any, Any]) -> int:
    """How many runs the workflow id has had."""
    count = 0
    async for _ in handle._client.list_workflows(f"WorkflowId = '{handle.id}'"):
        count += 1
    return count


async def test_the_order_continues_as_new_and_keeps_its_guarantees(client: Client) -> None:
    record = Record()
    task_queue = f"tq-{uuid.uuid4()}"
    so = f"SO-{uuid.uuid4().hex[:8]}"
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[SalesOrderWorkflow],
        activities=record.activities(),
    ):
        handle = await client.start_workflow(
            SalesOrderWorkflow.run,
            OrderInput(
                order_number=so,
                customer_number="CUST-100",
                lines=[],
                line_count=2,
                carried=OrderState(history_bound=40),
            ),
            id=f"order-{so}",
            task_queue=task_queue,
        )
        await poll(lambda: asyncio.sleep(0, record.started), lambda s: s == [1, 2])
        added = LinesAddedSignal(request_id="r1", lines=[], line_numbers=[3])
        staged = LineStagedSignal(line_number=1, shipment_set="S", staged_quantity=1)
        # Each staged line makes the order look at its sets: enough to pass the bound. The
        # added lines' signal comes before, during and after the switch.
        await handle.signal(signals.LINES_ADDED, added)
        for _ in range(12):
            await handle.signal(signals.LINE_STAGED, staged)
            await handle.signal(signals.LINES_ADDED, added)
        await poll(lambda: runs(handle), lambda n: n >= 2, timeout=30)
        await handle.signal(signals.LINES_ADDED, added)
        query = await poll(
            lambda: handle.query(signals.ORDER_STATUS_QUERY),
            lambda q: q["shipment_sets"] != {},
        )
        assert query["credit_authorization"]["status"] == "AUTHORIZED"
        assert query["shipment_sets"] == {"S": {"lines": [1, 2], "staged": [1], "released": False}}
        await handle.signal(
            signals.LINE_FINISHED,
            LineFinishedSignal(line_number=3, status=LineStatus.CLOSED, open_lines=0),
        )
        result = await asyncio.wait_for(handle.result(), 20)

    assert result["status"] == "CLOSED"
    assert record.started == [1, 2, 3]  # line 3 once, whatever the copies of its signal
    assert record.set_checks >= 2
    replayer = Replayer(workflows=[SalesOrderWorkflow], data_converter=pydantic_data_converter)
    continued = scheduled = 0
    async for execution in client.list_workflows(f"WorkflowId = 'order-{so}'"):
        history = await client.get_workflow_handle(
            execution.id, run_id=execution.run_id
        ).fetch_history()
        await replayer.replay_workflow(history, raise_on_replay_failure=True)
        last = history.events[-1].event_type
        continued += last == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
        assert len(history.events) < 80
        scheduled += any(
            e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED for e in history.events
        )
    assert continued >= 1
    assert scheduled == 0  # every step of every run is a local activity
