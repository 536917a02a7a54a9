"""A dependency killed under the API: 503 naming it with Retry-After, nothing half written,
and the API answering again by itself once it is back. Each test kills parts of its own
(an embedded PostgreSQL, a Temporal dev server), never the session's shared servers."""

from __future__ import annotations

import asyncio
import shutil
import socket
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil
import pytest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from domain import search_attributes as sa
from runtime.database import EmbeddedPostgres, create_pool, migrate
from runtime.generations import live_task_queue
from runtime.temporal import API_RETRY, DEV_SERVER_ARGS, temporal_binary
from starter.api import AppContext, create_app
from tests.conftest import TOKENS, auth, order_number, poll
from tests.fixtures import demo_setup, laptop_order
from worker.app import relay

pytestmark = pytest.mark.slow


@asynccontextmanager
async def api_on(pool: asyncpg.Pool, client: Client) -> AsyncIterator[httpx.AsyncClient]:
    base = f"tq-down-{order_number()}"
    ctx = AppContext(
        pool=pool,
        client=client,
        task_queue=live_task_queue(base),
        base_task_queue=base,
        tokens={token: {role} for role, token in TOKENS.items()},
    )
    app = create_app(ctx)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://b2b") as api:
            yield api


async def call(api: httpx.AsyncClient, method: str, path: str, json: Any = None) -> httpx.Response:
    return await api.request(method, path, json=json, headers=auth("admin"))


def assert_unavailable(response: httpx.Response, dependency: str) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["dependency"] == dependency
    assert "unavailable" in response.json()["detail"]


def kill(pid: int) -> None:
    process = psutil.Process(pid)
    process.kill()
    process.wait(10)


def scan(so: str) -> dict[str, Any]:
    return {"scan_id": f"{so}-r", "po_number": "PO-NONE", "po_line": 1, "quantity": 1}


async def test_postgresql_down_answers_503_writes_nothing_and_recovers(client: Client) -> None:
    folder = Path(tempfile.mkdtemp(prefix="b2b-down-pg-"))
    server = EmbeddedPostgres(folder / "pgdata")
    pool = None
    try:
        url = server.url()
        await migrate(url)
        pool = await create_pool(url, min_size=1, max_size=4)
        async with api_on(pool, client) as api:
            await postgresql_outage(api, server)
    finally:
        if pool is not None:
            pool.terminate()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


async def postgresql_outage(api: httpx.AsyncClient, server: EmbeddedPostgres) -> None:
    booked, refused = order_number(), order_number()
    assert (await call(api, "PUT", "/setup", demo_setup())).status_code == 200
    assert (await call(api, "POST", "/orders", laptop_order(booked))).status_code == 202
    assert server.pid is not None
    kill(server.pid)

    started = time.monotonic()
    assert_unavailable(await call(api, "POST", "/orders", laptop_order(refused)), "postgresql")
    assert_unavailable(await call(api, "GET", f"/orders/{booked}"), "postgresql")
    assert_unavailable(await call(api, "GET", "/events"), "postgresql")
    assert_unavailable(await call(api, "PUT", "/setup", demo_setup()), "postgresql")
    assert_unavailable(await call(api, "POST", "/scans/receipts", scan(booked)), "postgresql")
    health = await call(api, "GET", "/health")
    assert health.status_code == 503
    assert health.json()["status"] == "degraded"
    assert health.json()["postgresql"].startswith("unreachable")
    assert time.monotonic() - started < 20

    await restart_postgres(server)
    answer = await poll(lambda: call(api, "GET", f"/orders/{booked}"), ok, timeout=30)
    assert answer.json()["order_number"] == booked
    # The booking refused during the outage left nothing behind.
    missing = await call(api, "GET", f"/orders/{refused}")
    assert missing.status_code == 404, missing.text
    again = await call(api, "POST", "/orders", laptop_order(refused))
    assert again.status_code == 202, again.text


def ok(response: httpx.Response) -> bool:
    return response.status_code in (200, 202)


async def restart_postgres(server: EmbeddedPostgres) -> None:
    """Start the killed server again on its data folder (its stale postmaster.pid is
    ignored); its orphaned backends may hold shared memory for a moment, so retry."""
    deadline = time.monotonic() + 30
    while True:
        try:
            await asyncio.to_thread(server.start)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def start_temporal(port: int, db: Path) -> WorkflowEnvironment:
    return await WorkflowEnvironment.start_local(
        port=port,
        dev_server_existing_path=temporal_binary(),
        dev_server_database_filename=str(db),
        search_attributes=sa.ALL,
        data_converter=pydantic_data_converter,
        dev_server_extra_args=DEV_SERVER_ARGS,
    )


def temporal_pid(port: int) -> int:
    for child in psutil.Process().children(recursive=True):
        if f"--port {port}" in " ".join(child.cmdline()) or str(port) in child.cmdline():
            return child.pid
    raise AssertionError(f"no Temporal dev server on port {port}")


async def test_temporal_down_answers_503_keeps_bookings_and_recovers(
    pool: asyncpg.Pool,
) -> None:
    folder = Path(tempfile.mkdtemp(prefix="b2b-down-temporal-"))
    port = free_port()
    envs = [await start_temporal(port, folder / "temporal.db")]
    try:
        client = await Client.connect(
            f"127.0.0.1:{port}", data_converter=pydantic_data_converter, retry_config=API_RETRY
        )
        async with api_on(pool, client) as api:
            await temporal_outage(api, pool, client, port, envs, folder)
    finally:
        for env in envs:
            try:
                await env.shutdown()
            except RuntimeError:
                pass  # the killed one has no process left to stop
        shutil.rmtree(folder, ignore_errors=True)


async def temporal_outage(
    api: httpx.AsyncClient,
    pool: asyncpg.Pool,
    client: Client,
    port: int,
    envs: list[WorkflowEnvironment],
    folder: Path,
) -> None:
    first, during = order_number(), order_number()
    assert (await call(api, "PUT", "/setup", demo_setup())).status_code == 200
    assert (await call(api, "POST", "/orders", laptop_order(first))).status_code == 202
    kill(temporal_pid(port))

    started = time.monotonic()
    # The order is read from PostgreSQL alone; a line's detail asks its workflow.
    order = await call(api, "GET", f"/orders/{first}")
    assert order.status_code == 200 and [x["line_number"] for x in order.json()["lines"]] == [1]
    assert_unavailable(await call(api, "GET", f"/orders/{first}/lines/1"), "temporal")
    assert_unavailable(await call(api, "GET", "/lines"), "temporal")
    # Booking writes PostgreSQL first: it stands, answered, and the relay starts it later.
    booking = await call(api, "POST", "/orders", laptop_order(during))
    assert booking.status_code == 202, booking.text
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT workflow_started_at FROM orders WHERE order_number = $1", during
        )
    assert row is not None and row["workflow_started_at"] is None
    await write_stands_without_temporal(api, pool, first)
    health = await call(api, "GET", "/health")
    assert health.status_code == 503 and health.json()["temporal"].startswith("unreachable")
    assert time.monotonic() - started < 30

    envs.append(await start_temporal(port, folder / "temporal.db"))
    answer = await poll(lambda: call(api, "GET", f"/orders/{first}/lines/1"), ok, timeout=30)
    assert answer.json()["order_number"] == first
    await relay_starts(pool, client, during)


async def write_stands_without_temporal(
    api: httpx.AsyncClient, pool: asyncpg.Pool, so: str
) -> None:
    """A write that needs only PostgreSQL is stored and answered; its signal waits in the
    outbox for the relay."""
    cancel = await call(api, "POST", f"/orders/{so}/lines/1/cancel", {"quantity": 1})
    assert cancel.status_code == 200, cancel.text
    async with pool.acquire() as conn:
        pending = await conn.fetchval(
            "SELECT count(*) FROM signal_outbox WHERE workflow_id LIKE $1 AND delivered_at IS NULL",
            f"%{so}%",
        )
    assert pending >= 1


async def relay_starts(pool: asyncpg.Pool, client: Client, so: str) -> None:
    """The worker's relay starts the order whose start Temporal could not take."""
    stop = asyncio.Event()
    task = asyncio.create_task(relay(pool, client, task_queue="tq-relay", stop=stop, interval=0.2))
    try:

        async def described() -> Any:
            try:
                return await client.get_workflow_handle(f"order-{so}").describe()
            except RPCError:
                return None

        await poll(described, lambda d: d is not None, timeout=30)
    finally:
        stop.set()
        await task
