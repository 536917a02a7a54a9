"""The worker's Prometheus endpoint, scraped: the Temporal SDK's metrics and the business
gauges, which match the database."""

from __future__ import annotations

import asyncio
import re
import socket
from decimal import Decimal

import asyncpg
import httpx
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from adapters.postgres.operations import Operations
from adapters.postgres.outbox.events import append_event
from adapters.postgres.outbox.owed_signals import enqueue_signal
from domain.models import CancelSignal
from domain.statuses import EventType
from tests.conftest import order_number, poll, stack_on
from tests.fixtures import demo_setup, laptop_order
from worker.metrics import metrics_runtime, refresh_business_gauges


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def samples(text: str) -> dict[str, float]:
    """`name{labels}` -> value, without the service_name label the SDK adds to each."""
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            name = re.sub(r',?service_name="[^"]*"', "", name).replace("{,", "{")
            found[name.removesuffix("{}")] = float(value)
    return found


async def test_the_worker_exports_sdk_metrics_and_business_gauges(
    pool: asyncpg.Pool, temporal_env: WorkflowEnvironment, database_url: str
) -> None:
    port = free_port()
    runtime = metrics_runtime(port, host="127.0.0.1")
    assert runtime is not None
    target = temporal_env.client.service_client.config.target_host
    client = await Client.connect(target, data_converter=pydantic_data_converter, runtime=runtime)
    stop = asyncio.Event()
    gauges = asyncio.create_task(
        refresh_business_gauges(pool, runtime.metric_meter, stop=stop, interval=0.2)
    )
    try:
        async with stack_on(pool, client, database_url) as stack:
            await stack.start_worker()
            await stack.call("PUT", "/setup", json=demo_setup())
            so = order_number()
            await stack.call("POST", "/orders", json=laptop_order(so), role="orders", expect=202)
            await stack.wait_status(so, "AWAITING_SUPPLY")
            await owe_facts(pool, so)
            url = f"http://127.0.0.1:{port}/metrics"

            async def scrape() -> dict[str, float]:
                async with httpx.AsyncClient() as http:
                    return samples((await http.get(url)).text)

            # One refresh that saw the owed facts (the line may be in jeopardy before them:
            # its requested ship date has passed). The parked signal was owed in the same
            # transaction as the aged one, and a refresh reads both from one snapshot.
            metrics = await poll(
                scrape,
                lambda m: (
                    m.get("b2b_lines_in_jeopardy") == 1
                    and m.get('b2b_relay_parked{kind="signal"}') == 1
                ),
            )
    finally:
        stop.set()
        await gauges

    assert metrics['b2b_lines{status="AWAITING_SUPPLY"}'] == 1
    assert metrics['b2b_lines{status="CLOSED"}'] == 0
    assert metrics["b2b_lines_manual_action"] == 0
    assert metrics['b2b_relay_parked{kind="signal"}'] == 1
    assert metrics['b2b_relay_parked{kind="order_start"}'] == 0
    # The undelivered signal was owed ten minutes ago.
    assert 600 <= metrics["b2b_outbox_oldest_undelivered_seconds"] < 660
    # The SDK's own metrics, on the same endpoint.
    assert any(name.startswith("temporal_request{") for name in metrics)
    assert any(name.startswith("temporal_worker_task_slots_available") for name in metrics)


async def test_the_figures_come_from_one_snapshot(pool: asyncpg.Pool) -> None:
    """Facts committed while the figures are being read show in all of them or in none: a
    reading held up before its count of parked items, while a parked signal and an aged one
    are owed together, shows neither."""
    locker = await pool.acquire()
    try:
        await locker.execute("BEGIN; LOCK TABLE order_start_failures IN ACCESS EXCLUSIVE MODE")
        reading = asyncio.create_task(Operations(pool).figures())
        await poll(lambda: waiting_on_a_lock(pool, "SELECT kind"), lambda waiting: waiting)
        await owe_facts(pool, order_number())
        await locker.execute("COMMIT")
        figures = await asyncio.wait_for(reading, 10)
    finally:
        await pool.release(locker)
    assert figures.parked == {"order_start": 0, "signal": 0}
    assert figures.oldest_undelivered_signal_seconds == 0
    # Read again, both are there.
    figures = await Operations(pool).figures()
    assert figures.parked["signal"] == 1
    assert figures.oldest_undelivered_signal_seconds >= 600


async def waiting_on_a_lock(pool: asyncpg.Pool, statement: str) -> bool:
    async with pool.acquire() as conn:
        waiting = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND query LIKE $1",
            statement + "%",
        )
    return bool(waiting)


def test_a_taken_port_leaves_the_worker_without_metrics() -> None:
    port = free_port()
    first = metrics_runtime(port, host="127.0.0.1")
    assert first is not None
    assert metrics_runtime(port, host="127.0.0.1") is None
    assert metrics_runtime(0) is None


async def owe_facts(pool: asyncpg.Pool, so: str) -> None:
    """Jeopardy raised on the line; a signal owed ten minutes ago to a workflow that is not
    there (so the relay keeps it), and one the relay parked."""
    payload = CancelSignal(request_id="r", quantity=Decimal(1), reason="test", full=True)
    async with pool.acquire() as conn, conn.transaction():
        await append_event(
            conn,
            key=f"{so}:jeopardy-test",
            type=EventType.JEOPARDY_RAISED,
            order_number=so,
            line_number=1,
        )
        for name in ("missing", "parked"):
            outbox_id = await enqueue_signal(
                conn, workflow_id=f"{name}-{so}", signal="cancel_requested", payload=payload
            )
            await conn.execute(
                "UPDATE signal_outbox SET created_at = now() - interval '10 minutes',"
                " next_attempt_at = now() + interval '1 hour',"
                " parked_at = CASE WHEN $2 THEN now() END WHERE id = $1",
                outbox_id,
                name == "parked",
            )
