"""An order's own steps when it starts its lines from their rows: the lines' workflows
started in batches, shipment sets released, the order closed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from contextlib import suppress
from typing import TypeVar

from temporalio import activity
from temporalio.client import Client

from activities.payloads import OrderStep
from adapters.protocols import OrderLinesStore
from domain.models.order_run import LinesStarted, LineStarts, OrderClosing, ShipmentSetState
from runtime.orchestration import start_line_workflow

T = TypeVar("T")
# Starts in flight at once: enough to keep the frontend busy, few enough not to swamp it.
STARTS_IN_FLIGHT = 32


class WorkerStopping(Exception):
    """The worker is stopping: the batch is left, to run again (nothing starts twice)."""


async def until_worker_stops(work: Awaitable[T]) -> T:
    """`work`, cut short when the worker is told to stop. A local activity is not cancelled
    by the worker's shutdown, which waits for it: starts against an unreachable Temporal
    would keep a stopped worker alive for their whole timeouts."""
    task = asyncio.ensure_future(work)
    stopping = asyncio.ensure_future(activity.wait_for_worker_shutdown())
    try:
        await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if not task.done():
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        raise WorkerStopping("the worker is stopping; the batch runs again")
    return task.result()


class OrderActivities:
    def __init__(self, lines: OrderLinesStore, client: Client, *, task_queue: str) -> None:
        self._lines = lines
        self._client = client
        self._task_queue = task_queue

    @activity.defn(name="start_lines")
    async def start_lines(self, batch: LineStarts) -> LinesStarted:
        """Start the workflow of each open line of the batch, once: a line already running
        or closed is left as it is, so a retried batch starts nothing twice."""
        # Run as a local activity (orders from this release on), it has nobody to beat to.
        beat = (lambda *_: None) if activity.info().is_local else activity.heartbeat
        beat()
        inputs, last_line = await self._lines.to_start(batch)
        slots = asyncio.Semaphore(STARTS_IN_FLIGHT)

        async def start(index: int) -> None:
            async with slots:
                await start_line_workflow(
                    self._client,
                    inputs[index].line,
                    task_queue=self._task_queue,
                    held_ledger=inputs[index].held_ledger,
                )
                beat(index)  # the SDK sends at most one per interval

        await until_worker_stops(asyncio.gather(*(start(i) for i in range(len(inputs)))))
        return LinesStarted(started=len(inputs), last_line=last_line)

    @activity.defn(name="release_ready_shipment_sets")
    async def release_ready_shipment_sets(self, step: OrderStep) -> dict[str, ShipmentSetState]:
        """Release the order's shipment sets whose open lines are all staged."""
        return await self._lines.release_ready_sets(key=step.key, order_number=step.order_number)

    @activity.defn(name="close_order")
    async def close_order(self, step: OrderStep) -> OrderClosing:
        """Close the order if none of its lines is open any more."""
        return await self._lines.close(key=step.key, order_number=step.order_number)
