"""`python -m worker`: connect to Temporal and PostgreSQL, migrate, run until stopped."""

from __future__ import annotations

import asyncio
import signal

import structlog

from runtime.config import Settings
from runtime.database import create_pool, migrate
from runtime.logging import configure_logging
from runtime.temporal import connect
from worker.app import build_worker, relay
from worker.metrics import metrics_port, metrics_runtime, refresh_business_gauges

log = structlog.get_logger("worker")


async def main() -> None:
    configure_logging()
    settings = Settings()
    if not settings.database_url:
        raise SystemExit("B2B_DATABASE_URL is not set (the dev stack sets it for the worker)")
    await migrate(settings.database_url)
    pool = await create_pool(settings.database_url)
    metrics = metrics_runtime(metrics_port())
    client = await connect(settings, wait_seconds=60, runtime=metrics)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    worker = build_worker(client, pool, task_queue=settings.task_queue)
    log.info(
        "worker started",
        task_queue=settings.task_queue,
        temporal=settings.effective_temporal_address,
    )
    async with worker:
        tasks = [
            asyncio.create_task(relay(pool, client, task_queue=settings.task_queue, stop=stop))
        ]
        if metrics is not None:
            tasks.append(
                asyncio.create_task(refresh_business_gauges(pool, metrics.metric_meter, stop=stop))
            )
            log.info("worker metrics", url=f"http://localhost:{metrics_port()}/metrics")
        await stop.wait()
        await asyncio.gather(*tasks)
    await pool.close()
    log.info("worker stopped")


if __name__ == "__main__":
    asyncio.run(main())
