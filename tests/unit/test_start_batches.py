"""A batch of line starts is cut short when its worker is told to stop (a local activity is
not cancelled by the worker's shutdown, which would wait for it), and otherwise answers what
it started."""

from __future__ import annotations

import asyncio

import pytest
from temporalio import activity
from temporalio.testing import ActivityEnvironment

from activities.orders import WorkerStopping, until_worker_stops


async def test_a_batch_stops_with_its_worker() -> None:
    env = ActivityEnvironment()
    started = asyncio.Event()

    @activity.defn
    async def starts() -> str:
        async def hanging() -> str:  # starts against an unreachable Temporal
            started.set()
            await asyncio.Event().wait()
            return "never"

        return await until_worker_stops(hanging())

    running = asyncio.ensure_future(env.run(starts))
    await asyncio.wait_for(started.wait(), 5)
    env.worker_shutdown()
    with pytest.raises(WorkerStopping):
        await asyncio.wait_for(running, 5)


async def test_a_batch_that_finishes_answers_its_result() -> None:
    @activity.defn
    async def starts() -> int:
        async def quick() -> int:
            return 100

        return await until_worker_stops(quick())

    assert await ActivityEnvironment().run(starts) == 100
