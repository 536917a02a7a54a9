"""The yardstick's worker (`python -m bench.run --bare-worker`) and its driver."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from bench.api import bounded, poll
from bench.bare_workflow import (
    BARE_PLAN,
    BARE_SIGNAL,
    BARE_STAGE_QUERY,
    BareLineWorkflow,
    BarePlan,
    bare_noop,
)

if TYPE_CHECKING:
    from temporalio.client import Client

__all__ = ["BARE_PLAN", "BarePlan", "Timing", "bare_run", "run_bare_worker"]


@dataclass
class Timing:
    """When one line was booked (or started) and when it was seen closed."""

    started: float
    closed: float


async def run_bare_worker() -> None:
    """`--bare-worker`: serve BareLineWorkflow on B2B_TASK_QUEUE until SIGTERM."""
    from temporalio.client import Client
    from temporalio.contrib.pydantic import pydantic_data_converter
    from temporalio.worker import Worker

    client = await Client.connect(
        os.environ["TEMPORAL_ADDRESS"], data_converter=pydantic_data_converter
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    worker = Worker(
        client,
        task_queue=os.environ["B2B_TASK_QUEUE"],
        workflows=[BareLineWorkflow],
        activities=[bare_noop],
        max_concurrent_activities=50,
    )
    async with worker:
        await stop.wait()


async def bare_line(
    client: Client,
    workflow_id: str,
    plan: BarePlan,
    task_queue: str,
    *,
    interval: float,
    timeout: float,
) -> Timing:
    """One bare line: start, wait for its first activities, signal in turn, wait closed."""
    started = time.monotonic()
    handle = await client.start_workflow(
        "BareLineWorkflow", plan, id=workflow_id, task_queue=task_queue
    )

    def stage() -> Awaitable[str]:
        return handle.query(BARE_STAGE_QUERY, result_type=str)

    await poll(
        stage,
        lambda s: s in ("AWAITING_SIGNALS", "CLOSED"),
        what=f"{workflow_id} AWAITING_SIGNALS",
        timeout=timeout,
        interval=interval,
    )
    for k in range(plan.signals):
        await handle.signal(BARE_SIGNAL, k)
    await poll(
        stage,
        lambda s: s == "CLOSED",
        what=f"{workflow_id} CLOSED",
        timeout=timeout,
        interval=interval,
    )
    return Timing(started=started, closed=time.monotonic())


async def bare_run(
    client: Client,
    task_queue: str,
    plan: BarePlan,
    *,
    lines: int,
    concurrency: int,
    interval: float,
    timeout: float,
    run_id: str,
) -> tuple[list[str], list[Timing]]:
    ids = [f"bare-{run_id}-{i:05d}" for i in range(1, lines + 1)]
    timings = await bounded(
        concurrency,
        [
            partial(bare_line, client, wid, plan, task_queue, interval=interval, timeout=timeout)
            for wid in ids
        ],
    )
    return ids, timings
