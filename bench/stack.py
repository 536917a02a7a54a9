"""The stack a bench run starts and stops: embedded PostgreSQL, the Temporal dev server and
worker processes, each known by its pid so that it can be measured and stopped."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from temporalio.client import Client
    from temporalio.testing import WorkflowEnvironment

    from runtime.database import EmbeddedPostgres

REPO = Path(__file__).parents[1]
DATABASE = "b2b_bench"


def proc_status_kib(pid: int, key: str) -> int | None:
    """One figure of /proc/<pid>/status (VmRSS, VmHWM), in KiB; None once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for row in status.splitlines():
        if row.startswith(f"{key}:"):
            return int(row.split()[1])
    return None


def memory_mib(pids: Sequence[int]) -> dict[str, float | None]:
    """VmRSS and VmHWM summed over the processes, in MiB (None when none answered)."""
    figures: dict[str, float | None] = {}
    for key in ("VmRSS", "VmHWM"):
        values = [v for v in (proc_status_kib(p, key) for p in pids) if v is not None]
        figures[key] = round(sum(values) / 1024, 1) if values else None
    return figures


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (PostgreSQL: the postmaster and its backends)."""
    import psutil

    try:
        root = psutil.Process(pid)
        return [pid, *(child.pid for child in root.children(recursive=True))]
    except psutil.Error:
        return []


def cpu_seconds(pids: Sequence[int], *, reaped: bool = False) -> float:
    """User and system CPU seconds of the processes (with `reaped`, also of the children
    they waited for: PostgreSQL backends that exited)."""
    import psutil

    total = 0.0
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
        if reaped:
            total += times.children_user + times.children_system
    return total


def cpu_sample(parts: Parts, workers: Sequence[WorkerProcess]) -> dict[str, float]:
    """CPU seconds so far of each part: the dev server, PostgreSQL, the workers, and this
    process (the driver, and the API it serves in-process on the product side)."""
    return {
        **parts.cpu(),
        "workers": cpu_seconds([w.pid for w in workers]),
        "driver": time.process_time(),
    }


def cpu_ms_per_line(
    before: dict[str, float], after: dict[str, float], lines: int
) -> dict[str, float]:
    spent = {part: (after[part] - before[part]) * 1000 / lines for part in before}
    return {**{p: round(v, 1) for p, v in spent.items()}, "total": round(sum(spent.values()), 1)}


async def database_bytes(url: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval("SELECT pg_database_size(current_database())"))
    finally:
        await conn.close()


@dataclass
class WorkerProcess:
    """A worker started as a child process, its output kept in a log file."""

    name: str
    process: asyncio.subprocess.Process
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def peak_rss_mib(self) -> float | None:
        """VmHWM (peak resident set) in MiB; None once the process is gone."""
        kib = proc_status_kib(self.pid, "VmHWM")
        return None if kib is None else kib / 1024

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    async def stop(self, timeout: float = 30) -> None:
        """SIGTERM, then wait (SIGKILL if it does not stop in time)."""
        if self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


async def start_worker_process(
    name: str, args: Sequence[str], env: dict[str, str], folder: Path
) -> WorkerProcess:
    log_path = folder / f"{name}.log"
    with log_path.open("ab") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *args,
            cwd=REPO,
            env={**os.environ, **env},
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log_file,
            stderr=log_file,
        )
    return WorkerProcess(name=name, process=process, log_path=log_path)


async def wait_for_pollers(
    client: Client, task_queue: str, workers: Sequence[WorkerProcess], timeout: float = 60
) -> None:
    """Wait until every worker polls both task queues (a poller is known by its identity,
    `pid@host`, so a worker that polled before a restart does not count)."""
    deadline = time.monotonic() + timeout
    identities = {f"{w.pid}@" for w in workers}
    while time.monotonic() < deadline:
        for w in workers:
            if w.process.returncode is not None:
                raise RuntimeError(f"{w.name} exited with {w.process.returncode}:\n{w.log_tail()}")
        if await _polling(client, task_queue, identities):
            return
        await asyncio.sleep(0.2)
    tails = "\n".join(f"--- {w.name}\n{w.log_tail()}" for w in workers)
    raise RuntimeError(f"the workers did not poll {task_queue} within {timeout}s:\n{tails}")


async def _polling(client: Client, task_queue: str, prefixes: set[str]) -> bool:
    from temporalio.api.enums.v1 import TaskQueueType
    from temporalio.api.taskqueue.v1 import TaskQueue
    from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

    for kind in (TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY):
        response = await client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=client.namespace,
                task_queue=TaskQueue(name=task_queue),
                task_queue_type=kind,
            )
        )
        polling = {p.identity for p in response.pollers}
        if not all(any(i.startswith(prefix) for i in polling) for prefix in prefixes):
            return False
    return True


@dataclass
class Parts:
    """PostgreSQL and the Temporal dev server, in one folder, so that they can be stopped
    and started again on the same files."""

    folder: Path
    postgres: EmbeddedPostgres | None = None
    env: WorkflowEnvironment | None = None
    database_url: str = ""
    temporal_port: int | None = None
    temporal_pid: int | None = None

    async def start(self) -> None:
        from runtime.database import EmbeddedPostgres, ensure_database, migrate

        self.postgres = EmbeddedPostgres(self.folder / "pgdata", log=self.folder / "pg.log")
        await ensure_database(self.postgres.url(), DATABASE)
        self.database_url = self.postgres.url(DATABASE)
        await migrate(self.database_url)
        await self._start_temporal()

    async def _start_temporal(self) -> None:
        import psutil
        from temporalio.contrib.pydantic import pydantic_data_converter
        from temporalio.testing import WorkflowEnvironment

        from domain import search_attributes as sa
        from runtime.temporal import DEV_SERVER_ARGS, temporal_binary

        before = {p.pid for p in psutil.Process().children()}
        self.env = await WorkflowEnvironment.start_local(
            dev_server_existing_path=temporal_binary(),
            dev_server_database_filename=str(self.folder / "temporal.db"),
            search_attributes=sa.ALL,
            data_converter=pydantic_data_converter,
            dev_server_extra_args=DEV_SERVER_ARGS,
            port=self.temporal_port,
        )
        self.temporal_port = int(self.temporal_address.rsplit(":", 1)[1])
        started = [p for p in psutil.Process().children() if p.pid not in before]
        servers = [p.pid for p in started if p.name().startswith("temporal")]
        self.temporal_pid = servers[0] if servers else None

    async def restart(self) -> None:
        """Stop both and start them again on the same data folder and SQLite file."""
        from runtime.database import EmbeddedPostgres

        await self.stop()
        self.postgres = EmbeddedPostgres(self.folder / "pgdata", log=self.folder / "pg.log")
        await self._start_temporal()

    @property
    def client(self) -> Client:
        assert self.env is not None
        return self.env.client

    @property
    def temporal_address(self) -> str:
        return self.client.service_client.config.target_host

    def memory(self) -> dict[str, dict[str, float | None]]:
        """RSS of the dev server and of PostgreSQL (postmaster and backends summed)."""
        pg_pid = self.postgres.pid if self.postgres is not None else None
        return {
            "temporal": memory_mib([self.temporal_pid] if self.temporal_pid else []),
            "postgresql": memory_mib(process_tree(pg_pid) if pg_pid else []),
        }

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far of the dev server and of PostgreSQL (its whole tree)."""
        pg_pid = self.postgres.pid if self.postgres is not None else None
        temporal = [self.temporal_pid] if self.temporal_pid else []
        return {
            "temporal": cpu_seconds(temporal),
            "postgresql": cpu_seconds(process_tree(pg_pid) if pg_pid else [], reaped=True),
        }

    async def stop(self) -> None:
        if self.env is not None:
            await self.env.shutdown()
            self.env = None
        if self.postgres is not None:
            self.postgres.stop()
            self.postgres = None


def worker_env(parts: Parts, task_queue: str) -> dict[str, str]:
    return {
        "B2B_DATABASE_URL": parts.database_url,
        "TEMPORAL_ADDRESS": parts.temporal_address,
        "B2B_TASK_QUEUE": task_queue,
        "B2B_LOG_LEVEL": "WARNING",
        "B2B_LOG_FORMAT": "json",
        # Off: several workers (and other stacks) on one machine would share its port.
        "B2B_WORKER_METRICS_PORT": "0",
    }


async def start_product_workers(
    parts: Parts, task_queue: str, count: int, folder: Path
) -> list[WorkerProcess]:
    """`count` product worker processes on one task queue family (the live queue is the
    one they start on), polling once this returns."""
    from runtime.generations import live_task_queue

    workers: list[WorkerProcess] = []
    try:
        for n in range(1, count + 1):
            name = "worker" if count == 1 else f"worker-{n}"
            env = worker_env(parts, task_queue)
            workers.append(await start_worker_process(name, ["-m", "worker"], env, folder))
        await wait_for_pollers(parts.client, live_task_queue(task_queue), workers)
    except BaseException:
        await stop_all(workers)
        raise
    return workers


async def stop_all(workers: Sequence[WorkerProcess]) -> None:
    for w in workers:
        await w.stop()
