"""A workflow whose task keeps failing, made for real: it ran under one class, then a worker
with another class under the same type name meets its history (a nondeterminism error).
The worker's gauge counts it, the API and `b2b workflows failing` list it with the error,
and the SDK core's warning comes out as one JSON line."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import pytest
import structlog
from temporalio import activity, workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from runtime.failing_workflows import FailingWorkflows
from runtime.logging import CORE_LOGGER, stdlib_handler
from tests.conftest import Stack, poll, stack_on
from tests.served_api import b2b, free_port, served
from tests.test_worker_metrics import samples
from worker.metrics import metrics_runtime, refresh_business_gauges

PROBE = "ReplenishmentProbeWorkflow"
TIMEOUT = timedelta(seconds=10)


@activity.defn
async def count_stock() -> None:
    """A step that does nothing: only its place in the history matters."""


@workflow.defn(name=PROBE)
class ProbeAsReleased:
    """Counts stock as an activity, then waits to be told to go on."""

    def __init__(self) -> None:
        self.resumed = False

    @workflow.run
    async def run(self) -> None:
        await workflow.execute_activity(count_stock, start_to_close_timeout=TIMEOUT)
        await workflow.wait_condition(lambda: self.resumed)

    @workflow.signal
    def resume(self) -> None:
        self.resumed = True


@workflow.defn(name=PROBE)
class ProbeChangedWithoutPatch:
    """The same type counting stock as a local activity: its histories no longer replay."""

    def __init__(self) -> None:
        self.resumed = False

    @workflow.run
    async def run(self) -> None:
        await workflow.execute_local_activity(count_stock, start_to_close_timeout=TIMEOUT)
        await workflow.wait_condition(lambda: self.resumed)

    @workflow.signal
    def resume(self) -> None:
        self.resumed = True


@pytest.fixture
def core_lines() -> Iterator[io.StringIO]:
    """What the SDK core forwards to Python logging, rendered as the JSON logs render it."""
    stream, core = io.StringIO(), logging.getLogger(CORE_LOGGER)
    handler = stdlib_handler(structlog.processors.JSONRenderer(), stream)
    core.addHandler(handler)
    yield stream
    core.removeHandler(handler)


def probe_worker(client: Client, task_queue: str, probe: type) -> Worker:
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[probe],
        activities=[count_stock],
        workflow_runner=UnsandboxedWorkflowRunner(),
        # No cached run: the next task goes to whichever worker polls the queue.
        max_cached_workflows=0,
    )


async def waiting_for_signal(handle: WorkflowHandle[Any, Any]) -> bool:
    events = [e.event_type for e in (await handle.fetch_history()).events]
    return (
        EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED in events
        and events[-1] == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
    )


@asynccontextmanager
async def failing_probe(stack: Stack) -> AsyncIterator[WorkflowHandle[Any, Any]]:
    """A probe whose tasks fail from now on. On the family's base queue (release 2's), so
    the stack's replay of its live queue leaves it alone."""
    queue, client = stack.base_task_queue, stack.client
    async with probe_worker(client, queue, ProbeAsReleased):
        handle = await client.start_workflow(PROBE, id=f"probe-{uuid.uuid4()}", task_queue=queue)
        await poll(lambda: waiting_for_signal(handle), bool)
    try:
        async with probe_worker(client, queue, ProbeChangedWithoutPatch):
            await handle.signal(ProbeAsReleased.resume)
            yield handle
    finally:
        await handle.terminate(reason="test over")


async def scrape(port: int) -> dict[str, float]:
    async with httpx.AsyncClient() as http:
        return samples((await http.get(f"http://127.0.0.1:{port}/metrics")).text)


async def test_a_workflow_whose_task_keeps_failing_is_counted_listed_and_logged(
    pool: asyncpg.Pool,
    temporal_env: WorkflowEnvironment,
    database_url: str,
    core_lines: io.StringIO,
) -> None:
    port = free_port()
    runtime = metrics_runtime(port, host="127.0.0.1")
    assert runtime is not None
    target = temporal_env.client.service_client.config.target_host
    client = await Client.connect(target, data_converter=pydantic_data_converter, runtime=runtime)
    stop = asyncio.Event()
    async with stack_on(pool, client, database_url) as stack:
        failing = FailingWorkflows(client, stack.base_task_queue)
        gauges = asyncio.create_task(
            refresh_business_gauges(
                pool, runtime.metric_meter, stop=stop, interval=0.2, failing=failing
            )
        )
        try:
            before = await poll(lambda: scrape(port), lambda m: "b2b_workflows_failing" in m)
            assert before["b2b_workflows_failing"] == 0
            async with failing_probe(stack) as probe:
                listed = await poll(
                    lambda: stack.call("GET", "/operations/workflows/failing", role="viewer"),
                    # Visibility counts and lists apart: both must have seen it.
                    lambda a: a["count"] == 1 and len(a["failing"]) == 1,
                )
                assert_lists_probe(listed, probe, stack)
                metrics = await poll(
                    lambda: scrape(port), lambda m: m["b2b_workflows_failing"] == 1
                )
                async with served(stack) as url:
                    code, printed = await b2b(url, "workflows", "failing")
        finally:
            stop.set()
            await gauges
    assert metrics["b2b_workflows_failing"] == 1
    assert code == 0 and [f["workflow_id"] for f in printed["failing"]] == [probe.id]
    assert_core_warning_is_one_json_line(core_lines.getvalue(), probe)


def assert_lists_probe(listed: Any, probe: WorkflowHandle[Any, Any], stack: Stack) -> None:
    (found,) = listed["failing"]
    assert found["workflow_id"] == probe.id and found["workflow_type"] == PROBE
    assert found["task_queue"] == stack.base_task_queue
    assert "Nondeterminism" in found["error"] and "ActivityTaskScheduled" in found["error"]
    assert found["cause"] == "NON_DETERMINISTIC_ERROR" and found["failed_at"]
    assert "category=WorkflowTaskFailed" in found["reported_problems"]
    assert "TemporalReportedProblems IS NOT NULL" in listed["query"]


def assert_core_warning_is_one_json_line(text: str, probe: WorkflowHandle[Any, Any]) -> None:
    lines = [json.loads(line) for line in text.splitlines()]  # each line is one JSON object
    failing = [x for x in lines if x["event"] == "Failing workflow task"]
    assert failing, f"no forwarded warning among {lines}"
    first = failing[0]
    assert first["level"] == "warning" and first["logger"] == CORE_LOGGER
    assert first["target"].startswith("temporalio_sdk_core")
    assert first["run_id"] == probe.result_run_id
    assert "Nondeterminism" in first["failure"]
