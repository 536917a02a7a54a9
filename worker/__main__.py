"""`python -m worker`: connect to Temporal and PostgreSQL, migrate, run until stopped.

A dependency that is not reachable yet is waited for with backoff, with one log line when
the wait starts and one when it ends. Should the Temporal worker itself fail, the process
exits with status 1 for its supervisor (the dev stack, Kubernetes, compose) to restart it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog
from temporalio.client import Client
from temporalio.runtime import Runtime

from runtime.config import Settings
from runtime.database import Pool, create_pool, migrate
from runtime.failing_workflows import FailingWorkflows
from runtime.logging import configure_logging
from runtime.reachability import unreachable_dependency
from runtime.temporal import connect
from runtime.waiting import wait_unless_stopped
from worker.app import build_workers, relay
from worker.legacy_orders import read_release2_orders
from worker.metrics import (
    logging_runtime,
    metrics_port,
    metrics_runtime,
    refresh_business_gauges,
)

log = structlog.get_logger("worker")
T = TypeVar("T")


async def wait_for(
    dependency: str, attempt: Callable[[], Awaitable[T]], stop: asyncio.Event
) -> T | None:
    """`attempt()` until it succeeds, backing off from 0.5 s to 30 s; None once stopped."""
    delay, down = 0.5, False
    while not stop.is_set():
        try:
            result = await attempt()
        except Exception as error:
            if unreachable_dependency(error) is None:
                raise
            if not down:
                log.warning("waiting for a dependency", dependency=dependency, error=str(error))
                down = True
            await wait_unless_stopped(stop, delay)
            delay = min(delay * 2, 30)
            continue
        if down:
            log.info("dependency reachable", dependency=dependency)
        return result
    return None


async def _prepare(url: str) -> Pool:
    await migrate(url)
    return await create_pool(url)


def side_tasks(
    client: Client, pool: Pool, settings: Settings, metrics: Runtime | None, stop: asyncio.Event
) -> list[asyncio.Task[None]]:
    """The signal relay and, with metrics on, the business gauges' refresh."""
    relaying = relay(pool, client, task_queue=settings.live_task_queue, stop=stop)
    tasks = [asyncio.create_task(relaying)]
    if metrics is not None:
        failing = FailingWorkflows(client, settings.task_queue)
        gauges = refresh_business_gauges(pool, metrics.metric_meter, stop=stop, failing=failing)
        tasks.append(asyncio.create_task(gauges))
        log.info("worker metrics", url=f"http://localhost:{metrics_port()}/metrics")
    return tasks


async def serve(
    client: Client, pool: Pool, settings: Settings, metrics: Runtime | None, stop: asyncio.Event
) -> int:
    """Run the Temporal workers (one per generation), the signal relay and the gauges until
    stopped (0) or until a worker fails (1)."""
    await read_release2_orders(client, base_task_queue=settings.task_queue)
    workers = build_workers(client, pool, base_task_queue=settings.task_queue)
    running = {asyncio.create_task(worker.run()) for worker in workers}
    others = side_tasks(client, pool, settings, metrics, stop)
    log.info(
        "worker started",
        task_queues=[worker.task_queue for worker in workers],
        temporal=settings.effective_temporal_address,
    )
    stopped = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({*running, stopped}, return_when=asyncio.FIRST_COMPLETED)
    status = 0
    failed = [task for task in running if task in done]
    for task in failed:
        log.error("the Temporal worker stopped", error=repr(task.exception()))
        status = 1
    await asyncio.gather(*(w.shutdown() for w in workers), return_exceptions=True)
    await asyncio.gather(*running, return_exceptions=True)
    stop.set()
    relaying, *gauges = others
    for task in gauges:  # they only read: a refresh under way is not waited for
        task.cancel()
    await asyncio.gather(*gauges, return_exceptions=True)
    await relaying
    return status


async def main() -> int:
    configure_logging()
    settings = Settings()
    if not settings.database_url:
        raise SystemExit("B2B_DATABASE_URL is not set (the dev stack sets it for the worker)")
    url = settings.database_url
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    pool = await wait_for("PostgreSQL", lambda: _prepare(url), stop)
    if pool is None:
        return 0
    metrics = metrics_runtime(metrics_port())
    # Without metrics too, the SDK core's log lines go through the project's logging.
    runtime = metrics or logging_runtime()
    try:
        client = await wait_for("Temporal", lambda: connect(settings, runtime=runtime), stop)
        status = 0 if client is None else await serve(client, pool, settings, metrics, stop)
    finally:
        await pool.close()
    log.info("worker stopped")
    return status


def exit_now(status: int) -> None:
    """Exit once everything is stopped and flushed. The Temporal runtime forwards its core's
    log lines to Python; at interpreter exit it would wait for the core's last retries (a
    completion to a Temporal that is gone: about 10 s) to hand over their warnings, keeping
    a stopped worker alive that long."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    exit_now(asyncio.run(main()))
