"""Real parts for the suite: one embedded PostgreSQL (or B2B_DATABASE_URL) and one Temporal
dev server per session; a fresh database and task queue per test."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from domain import search_attributes as sa
from runtime.database import EmbeddedPostgres, create_pool, migrate
from runtime.generations import live_task_queue
from runtime.temporal import DEV_SERVER_ARGS, temporal_binary
from starter.api import AppContext, create_app
from starter.auth import ROLES, parse_tokens
from worker.app import WORKFLOWS, build_worker, relay

TEMPLATE_DB = "b2b_test_template"


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def postgres_url() -> Any:
    external = os.environ.get("B2B_DATABASE_URL")
    if external:
        yield external
        return
    folder = Path(tempfile.mkdtemp(prefix="b2b-test-pg-"))
    server = EmbeddedPostgres(folder / "pgdata")
    yield server.url()
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
async def template_database(postgres_url: str) -> str:
    conn = await asyncpg.connect(postgres_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}"')
        await conn.execute(f'CREATE DATABASE "{TEMPLATE_DB}"')
    finally:
        await conn.close()
    await migrate(with_database(postgres_url, TEMPLATE_DB))
    return TEMPLATE_DB


@pytest.fixture
async def database_url(postgres_url: str, template_database: str) -> AsyncIterator[str]:
    """A fresh, migrated database for one test (copied from the template: fast)."""
    name = f"b2b_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(postgres_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"')
    finally:
        await conn.close()
    yield with_database(postgres_url, name)
    conn = await asyncpg.connect(postgres_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    p = await create_pool(database_url, min_size=1, max_size=10)
    yield p
    await p.close()


@pytest.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(),
        search_attributes=sa.ALL,
        data_converter=pydantic_data_converter,
        dev_server_extra_args=DEV_SERVER_ARGS,
    )
    yield env
    await env.shutdown()


@pytest.fixture
async def client(temporal_env: WorkflowEnvironment) -> Client:
    return temporal_env.client


TOKENS = {role: f"{role}-test-token" for role in ROLES}


def auth(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[role]}"}


@dataclass
class Stack:
    """The product wired to the session's real servers, for one test."""

    api: httpx.AsyncClient
    pool: asyncpg.Pool
    client: Client
    task_queue: str
    database_url: str
    # The family a worker process takes as B2B_TASK_QUEUE: its live queue is `task_queue`.
    base_task_queue: str = ""
    worker: Worker | None = None
    _worker_task: asyncio.Task[None] | None = None
    _relay_task: asyncio.Task[None] | None = None
    _stop_relay: asyncio.Event | None = None

    async def start_worker(self) -> None:
        """Run the worker and the signal relay in this process."""
        self.worker = build_worker(self.client, self.pool, task_queue=self.task_queue)
        self._worker_task = asyncio.create_task(self.worker.run())
        self._stop_relay = asyncio.Event()
        self._relay_task = asyncio.create_task(
            relay(
                self.pool,
                self.client,
                task_queue=self.task_queue,
                stop=self._stop_relay,
                interval=0.2,
            )
        )

    async def stop_worker(self) -> None:
        if self._stop_relay is not None and self._relay_task is not None:
            self._stop_relay.set()
            await self._relay_task
        if self.worker is not None and self._worker_task is not None:
            await self.worker.shutdown()
            await self._worker_task
        self.worker = self._worker_task = self._relay_task = self._stop_relay = None

    async def call(
        self,
        method: str,
        path: str,
        *,
        role: str = "admin",
        json: Any = None,
        expect: int | None = 200,
    ) -> Any:
        response = await self.api.request(method, path, json=json, headers=auth(role))
        if expect is not None:
            assert response.status_code == expect, (
                f"{method} {path} -> {response.status_code}: {response.text}"
            )
        return response.json()

    async def line(self, order_number: str, line_number: int = 1) -> dict[str, Any]:
        return await self.call("GET", f"/orders/{order_number}/lines/{line_number}")

    async def wait_line(
        self,
        order_number: str,
        line_number: int = 1,
        *,
        until: Callable[[dict[str, Any]], bool],
        timeout: float = 30,
    ) -> dict[str, Any]:
        return await poll(lambda: self.line(order_number, line_number), until, timeout=timeout)

    async def wait_status(
        self, order_number: str, status: str, line_number: int = 1, timeout: float = 30
    ) -> dict[str, Any]:
        return await self.wait_line(
            order_number, line_number, until=lambda v: v["status"] == status, timeout=timeout
        )

    async def wait_order_closed(self, order_number: str, timeout: float = 30) -> Any:
        """The order workflow has completed (and recorded ORDER_CLOSED)."""
        handle = self.client.get_workflow_handle(f"order-{order_number}")
        return await asyncio.wait_for(handle.result(), timeout)

    async def receive(
        self,
        order_number: str,
        po_number: str,
        quantity: int,
        scan: str,
        *,
        expect: int | None = 200,
    ) -> Any:
        """A receipt scan against line 1 of the PO."""
        return await self.call(
            "POST",
            "/scans/receipts",
            role="scanner",
            expect=expect,
            json={
                "scan_id": f"{order_number}-{scan}",
                "po_number": po_number,
                "po_line": 1,
                "quantity": quantity,
            },
        )

    async def ship(self, order_number: str, quantity: int) -> Any:
        """From AWAITING_SHIPPING: pick wave, pick, ship the whole line; returns it CLOSED."""
        await self.wait_status(order_number, "AWAITING_SHIPPING")
        await self.call(
            "POST",
            "/pick-waves",
            role="scanner",
            json={"organization": "M1", "order_number": order_number},
        )
        await self.call(
            "POST",
            "/scans/picks",
            role="scanner",
            json={
                "scan_id": f"{order_number}-p",
                "order_number": order_number,
                "line_number": 1,
                "picked_quantity": quantity,
            },
        )
        await self.wait_status(order_number, "STAGED")
        await self.call(
            "POST",
            "/scans/shipments",
            role="scanner",
            json={
                "scan_id": f"{order_number}-s",
                "order_number": order_number,
                "line_number": 1,
                "shipped_quantity": quantity,
            },
        )
        return await self.wait_status(order_number, "CLOSED")

    async def scalar(self, sql: str, *args: Any) -> Any:
        async with self.pool.acquire() as conn:
            return await conn.fetchval(sql, *args)


async def poll(
    fetch: Callable[[], Awaitable[Any]],
    until: Callable[[Any], bool],
    *,
    timeout: float = 30,
    interval: float = 0.1,
) -> Any:
    """Poll with a deadline: the suite never sleeps to synchronise."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = await fetch()
        except AssertionError as err:  # a transient answer while a workflow starts
            last = err
        else:
            if until(last):
                return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s; last seen: {last}")


@asynccontextmanager
async def stack_on(pool: asyncpg.Pool, client: Client, database_url: str) -> AsyncIterator[Stack]:
    """The API on a fresh database against a Temporal client, with no worker yet."""
    base_task_queue = f"tq-{uuid.uuid4()}"
    task_queue = live_task_queue(base_task_queue)
    ctx = AppContext(
        pool=pool,
        client=client,
        task_queue=task_queue,
        base_task_queue=base_task_queue,
        tokens=parse_tokens(",".join(f"{r}:{t}" for r, t in TOKENS.items())),
    )
    app = create_app(ctx)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://b2b") as api:
            stack = Stack(
                api=api,
                pool=pool,
                client=client,
                task_queue=task_queue,
                database_url=database_url,
                base_task_queue=base_task_queue,
            )
            try:
                yield stack
            finally:
                await stack.stop_worker()
            await replay_histories(client, task_queue)


async def replay_histories(client: Client, task_queue: str) -> None:
    """Every workflow an end-to-end test ran replays on today's code: each scenario of the
    suite is recorded and replayed, beside the histories kept under tests/histories."""
    replayer = Replayer(workflows=list(WORKFLOWS), data_converter=pydantic_data_converter)
    async for execution in client.list_workflows(f"TaskQueue = '{task_queue}'"):
        handle = client.get_workflow_handle(execution.id, run_id=execution.run_id)
        history = await handle.fetch_history()
        await replayer.replay_workflow(history, raise_on_replay_failure=True)


@pytest.fixture
async def idle_stack(pool: asyncpg.Pool, client: Client, database_url: str) -> AsyncIterator[Stack]:
    """The API on a fresh database, with no worker polling yet (tests start it)."""
    async with stack_on(pool, client, database_url) as stack:
        yield stack


@pytest.fixture(scope="session")
async def skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """A second dev server whose workflows skip time while they only wait on timers."""
    env = await WorkflowEnvironment.start_time_skipping_v2(
        dev_server_existing_path=temporal_binary(),
        search_attributes=sa.ALL,
        data_converter=pydantic_data_converter,
        dev_server_extra_args=[
            *DEV_SERVER_ARGS,
            "--dynamic-config-value",
            "frontend.WorkflowTimeSkippingEnabled=true",
        ],
    )
    yield env
    await env.shutdown()


@pytest.fixture
async def skipping_stack(
    pool: asyncpg.Pool, skipping_env: WorkflowEnvironment, database_url: str
) -> AsyncIterator[Stack]:
    """The product on a time-skipping server: long waits on timers pass at once."""
    async with stack_on(pool, skipping_env.client, database_url) as stack:
        await stack.start_worker()
        yield stack


@pytest.fixture
async def stack(idle_stack: Stack) -> Stack:
    await idle_stack.start_worker()
    return idle_stack


def order_number() -> str:
    """Workflow ids are global to the dev server: every test books its own numbers."""
    return f"SO-{uuid.uuid4().hex[:10].upper()}"
