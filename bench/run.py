"""Throughput of the Buy flow end to end, against a bare workflow of the same shape.

    python -m bench.run [--lines N] [--concurrency C]

Starts its own embedded PostgreSQL, Temporal dev server and worker process in a temporary
folder, drives N one-line orders through the HTTP API (in-process, over httpx's ASGI
transport) with at most C in flight, then runs N `BareLineWorkflow`s (no-op activities,
the same number of activities and signals as one product line) on a second worker
process. Prints figures; it asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from temporalio import activity, workflow

if TYPE_CHECKING:
    import httpx
    from temporalio.client import Client
    from temporalio.testing import WorkflowEnvironment

    from runtime.database import EmbeddedPostgres

REPO = Path(__file__).parents[1]
ITEM = "LAPTOP-X1"
ORGANIZATION = "M1"
BARE_SIGNAL = "bare_signal"
BARE_STAGE_QUERY = "bare_stage"
BARE_ACTIVITY_TIMEOUT = timedelta(seconds=30)


# --------------------------------------------------------------------------- the bare workflow


@dataclass
class BarePlan:
    """The shape of one product line: activities before its first signal, signals, the rest."""

    pre_activities: int
    signals: int
    post_activities: int


@activity.defn(name="bare_noop")
async def bare_noop(step: str) -> None:
    """Does nothing: stands in for one product activity."""


@workflow.defn(name="BareLineWorkflow")
class BareLineWorkflow:
    """A product line's orchestration with none of its work: activities, then signals in
    turn, then activities."""

    def __init__(self) -> None:
        self._stage = "STARTED"
        self._signals = 0

    @workflow.signal(name=BARE_SIGNAL)
    def bare_signal(self, index: int) -> None:
        self._signals += 1

    @workflow.query(name=BARE_STAGE_QUERY)
    def bare_stage(self) -> str:
        return self._stage

    @workflow.run
    async def run(self, plan: BarePlan) -> str:
        for i in range(plan.pre_activities):
            await workflow.execute_activity(
                bare_noop, f"pre-{i}", start_to_close_timeout=BARE_ACTIVITY_TIMEOUT
            )
        self._stage = "AWAITING_SIGNALS"
        for k in range(plan.signals):
            await workflow.wait_condition(cast("Callable[[], bool]", lambda k=k: self._signals > k))
        for i in range(plan.post_activities):
            await workflow.execute_activity(
                bare_noop, f"post-{i}", start_to_close_timeout=BARE_ACTIVITY_TIMEOUT
            )
        self._stage = "CLOSED"
        return self._stage


async def run_bare_worker() -> None:
    """`--bare-worker`: serve BareLineWorkflow on B2B_TASK_QUEUE until SIGTERM."""
    from temporalio.client import Client
    from temporalio.contrib.pydantic import pydantic_data_converter
    from temporalio.worker import Worker

    # Imported by its module name, not as __main__, so the sandbox can re-import it.
    from bench.run import BareLineWorkflow, bare_noop

    client = await Client.connect(
        os.environ["TEMPORAL_ADDRESS"], data_converter=pydantic_data_converter
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    worker = Worker(
        client,
        task_queue=os.environ["B2B_TASK_QUEUE"],
        workflows=[BareLineWorkflow],
        activities=[bare_noop],
        max_concurrent_activities=50,
    )
    async with worker:
        await stop.wait()


# --------------------------------------------------------------------------- real parts


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
        """VmHWM (peak resident set) from /proc, in MiB; None once the process is gone."""
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return None
        for row in status.splitlines():
            if row.startswith("VmHWM:"):
                return int(row.split()[1]) / 1024
        return None

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
    with log_path.open("wb") as log_file:
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
    client: Client, task_queue: str, worker: WorkerProcess, timeout: float = 60
) -> None:
    """Wait until the worker polls both the workflow and the activity task queue."""
    from temporalio.api.enums.v1 import TaskQueueType
    from temporalio.api.taskqueue.v1 import TaskQueue
    from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

    deadline = time.monotonic() + timeout
    kinds = (TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)
    while time.monotonic() < deadline:
        if worker.process.returncode is not None:
            raise RuntimeError(
                f"{worker.name} exited with {worker.process.returncode}:\n{worker.log_tail()}"
            )
        polled = 0
        for kind in kinds:
            response = await client.workflow_service.describe_task_queue(
                DescribeTaskQueueRequest(
                    namespace=client.namespace,
                    task_queue=TaskQueue(name=task_queue),
                    task_queue_type=kind,
                )
            )
            polled += bool(response.pollers)
        if polled == len(kinds):
            return
        await asyncio.sleep(0.2)
    raise RuntimeError(
        f"{worker.name} did not poll {task_queue} within {timeout}s:\n{worker.log_tail()}"
    )


@dataclass
class Parts:
    """What the bench started, so that it can stop all of it."""

    folder: Path
    postgres: EmbeddedPostgres | None = None
    env: WorkflowEnvironment | None = None
    database_url: str = ""

    async def start(self) -> None:
        from temporalio.contrib.pydantic import pydantic_data_converter
        from temporalio.testing import WorkflowEnvironment

        from domain import search_attributes as sa
        from runtime.database import EmbeddedPostgres, ensure_database, migrate
        from runtime.temporal import DEV_SERVER_SQLITE_PRAGMAS, temporal_binary

        self.postgres = EmbeddedPostgres(self.folder / "pgdata")
        await ensure_database(self.postgres.url(), "b2b_bench")
        self.database_url = self.postgres.url("b2b_bench")
        await migrate(self.database_url)
        self.env = await WorkflowEnvironment.start_local(
            dev_server_existing_path=temporal_binary(),
            dev_server_database_filename=str(self.folder / "temporal.db"),
            search_attributes=sa.ALL,
            data_converter=pydantic_data_converter,
            dev_server_extra_args=DEV_SERVER_SQLITE_PRAGMAS,
        )

    @property
    def client(self) -> Client:
        assert self.env is not None
        return self.env.client

    @property
    def temporal_address(self) -> str:
        return self.client.service_client.config.target_host

    async def stop(self) -> None:
        if self.env is not None:
            await self.env.shutdown()
            self.env = None
        if self.postgres is not None:
            self.postgres.stop()
            self.postgres = None


# --------------------------------------------------------------------------- polling


async def poll(
    fetch: Callable[[], Awaitable[Any]],
    until: Callable[[Any], bool],
    *,
    what: str,
    timeout: float,
    interval: float,
) -> Any:
    """Poll with a deadline; an error while a workflow starts counts as 'not yet'."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = await fetch()
        except Exception as err:
            last = err
        else:
            if until(last):
                return last
        await asyncio.sleep(interval)
    raise RuntimeError(f"{what}: not reached within {timeout}s; last seen: {last!r}")


# --------------------------------------------------------------------------- the product run


@dataclass
class Timing:
    """When one line was booked (or started) and when it was seen closed."""

    started: float
    closed: float


@dataclass
class Api:
    """The product's HTTP API, served in-process."""

    http: httpx.AsyncClient
    tokens: dict[str, str]
    interval: float
    timeout: float

    async def call(
        self, method: str, path: str, *, role: str, body: Any = None, ok: Sequence[int] = (200,)
    ) -> Any:
        response = await self.http.request(
            method, path, json=body, headers={"Authorization": f"Bearer {self.tokens[role]}"}
        )
        if response.status_code not in ok:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text}")
        return response.json()

    async def wait_status(self, order_number: str, status: str) -> dict[str, Any]:
        async def fetch() -> dict[str, Any]:
            return await self.call("GET", f"/orders/{order_number}/lines/1", role="viewer")

        return await poll(
            fetch,
            lambda v: v["status"] == status,
            what=f"{order_number} line 1 {status}",
            timeout=self.timeout,
            interval=self.interval,
        )


def order_body(order_number: str, quantity: int) -> dict[str, Any]:
    return {
        "order_number": order_number,
        "customer_number": "CUST-100",
        "customer_po_number": "BENCH",
        "currency": "USD",
        "requested_ship_date": (date.today() + timedelta(days=30)).isoformat(),
        "lines": [{"line_number": 1, "item_number": ITEM, "quantity": quantity, "uom": "Ea"}],
    }


async def product_line(api: Api, so: str, quantity: int) -> Timing:
    """One order of one line through the Buy flow, the way the warehouse would drive it."""
    started = time.monotonic()
    await api.call("POST", "/orders", role="orders", body=order_body(so, quantity), ok=(202,))
    line = await api.wait_status(so, "AWAITING_SUPPLY")
    po = line["supply"][0]
    receipt = await api.call(
        "POST",
        "/scans/receipts",
        role="scanner",
        body={
            "scan_id": f"{so}-r1",
            "po_number": po["document_number"],
            "po_line": po["document_line"],
            "quantity": po["quantity"],
        },
    )
    if receipt.get("line_status") != "AWAITING_SHIPPING":
        raise RuntimeError(f"{so}: the receipt left the line {receipt.get('line_status')}")
    wave = await api.call(
        "POST",
        "/pick-waves",
        role="scanner",
        body={"organization": ORGANIZATION, "order_number": so},
    )
    if not wave["lines"]:
        raise RuntimeError(f"{so}: the pick wave released nothing: {wave}")
    released = wave["lines"][0]["released_quantity"]
    await api.call(
        "POST",
        "/scans/picks",
        role="scanner",
        body={
            "scan_id": f"{so}-p1",
            "order_number": so,
            "line_number": 1,
            "picked_quantity": released,
        },
    )
    await api.call(
        "POST",
        "/scans/shipments",
        role="scanner",
        body={
            "scan_id": f"{so}-s1",
            "order_number": so,
            "line_number": 1,
            "shipped_quantity": released,
        },
    )
    await api.wait_status(so, "CLOSED")
    return Timing(started=started, closed=time.monotonic())


async def bounded(
    concurrency: int, jobs: Sequence[Callable[[], Awaitable[Timing]]]
) -> list[Timing]:
    """Run the jobs with at most `concurrency` in flight."""
    gate = asyncio.Semaphore(concurrency)

    async def one(job: Callable[[], Awaitable[Timing]]) -> Timing:
        async with gate:
            return await job()

    return list(await asyncio.gather(*(one(job) for job in jobs)))


async def product_run(
    parts: Parts,
    worker: WorkerProcess,
    task_queue: str,
    *,
    lines: int,
    concurrency: int,
    quantity: int,
    interval: float,
    timeout: float,
    run_id: str,
) -> tuple[list[str], list[Timing]]:
    """Apply the demo setup and drive `lines` orders; returns the order numbers and timings."""
    from importlib import resources

    import httpx
    import yaml

    from runtime.database import create_pool
    from starter.api import AppContext, create_app
    from starter.auth import ROLES, parse_tokens

    tokens = {role: f"{role}-bench-{run_id}" for role in ROLES}
    pool = await create_pool(parts.database_url)
    try:
        ctx = AppContext(
            pool=pool,
            client=parts.client,
            task_queue=task_queue,
            tokens=parse_tokens(",".join(f"{r}:{t}" for r, t in tokens.items())),
        )
        app = create_app(ctx)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://b2b", timeout=timeout
            ) as http:
                api = Api(http=http, tokens=tokens, interval=interval, timeout=timeout)
                setup = yaml.safe_load((resources.files("starter") / "demo_setup.yaml").read_text())
                await api.call("PUT", "/setup", role="admin", body=setup)
                numbers = [f"SO-B{run_id}-{i:05d}" for i in range(1, lines + 1)]
                try:
                    timings = await bounded(
                        concurrency,
                        [partial(product_line, api, so, quantity) for so in numbers],
                    )
                except Exception:
                    print(f"--- {worker.name} log (tail) ---\n{worker.log_tail()}", file=sys.stderr)
                    raise
        return numbers, timings
    finally:
        await pool.close()


# --------------------------------------------------------------------------- the bare run


async def bare_line(
    client: Client,
    workflow_id: str,
    plan: BarePlan,
    task_queue: str,
    *,
    interval: float,
    timeout: float,
) -> Timing:
    """One bare line: start, wait for its first activities, signal in turn, wait closed."""
    started = time.monotonic()
    handle = await client.start_workflow(
        "BareLineWorkflow", plan, id=workflow_id, task_queue=task_queue
    )

    def stage() -> Awaitable[str]:
        return handle.query(BARE_STAGE_QUERY, result_type=str)

    await poll(
        stage,
        lambda s: s in ("AWAITING_SIGNALS", "CLOSED"),
        what=f"{workflow_id} AWAITING_SIGNALS",
        timeout=timeout,
        interval=interval,
    )
    for k in range(plan.signals):
        await handle.signal(BARE_SIGNAL, k)
    await poll(
        stage,
        lambda s: s == "CLOSED",
        what=f"{workflow_id} CLOSED",
        timeout=timeout,
        interval=interval,
    )
    return Timing(started=started, closed=time.monotonic())


async def bare_run(
    client: Client,
    task_queue: str,
    plan: BarePlan,
    *,
    lines: int,
    concurrency: int,
    interval: float,
    timeout: float,
    run_id: str,
) -> tuple[list[str], list[Timing]]:
    ids = [f"bare-{run_id}-{i:05d}" for i in range(1, lines + 1)]
    timings = await bounded(
        concurrency,
        [
            partial(bare_line, client, wid, plan, task_queue, interval=interval, timeout=timeout)
            for wid in ids
        ],
    )
    return ids, timings


# --------------------------------------------------------------------------- figures


@dataclass
class HistoryStats:
    """What one closed workflow cost Temporal."""

    events: int
    activities: int
    signals: int
    pre_signal_activities: int
    state_transitions: int


async def history_stats(client: Client, workflow_id: str) -> HistoryStats:
    from temporalio.api.enums.v1 import EventType

    handle = client.get_workflow_handle(workflow_id)
    history = await handle.fetch_history()
    description = await handle.describe()
    activities = signals = pre = 0
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            activities += 1
            if signals == 0:
                pre += 1
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
            signals += 1
    transitions = description.raw_description.workflow_execution_info.state_transition_count
    return HistoryStats(
        events=len(history.events),
        activities=activities,
        signals=signals,
        pre_signal_activities=pre,
        state_transitions=transitions,
    )


async def all_stats(
    client: Client, workflow_ids: Sequence[str], parallel: int = 10
) -> list[HistoryStats]:
    gate = asyncio.Semaphore(parallel)

    async def one(workflow_id: str) -> HistoryStats:
        async with gate:
            return await history_stats(client, workflow_id)

    return list(await asyncio.gather(*(one(w) for w in workflow_ids)))


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def throughput(timings: Sequence[Timing]) -> tuple[float, float]:
    """(wall seconds from first start to last close, lines per second)."""
    wall = max(t.closed for t in timings) - min(t.started for t in timings)
    return wall, len(timings) / wall


def fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def print_table(rows: Sequence[tuple[str, Any, Any]]) -> None:
    header = ("figure", "product", "bare")
    cells = [header, *((name, fmt(p), fmt(b)) for name, p, b in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(3)]
    for n, row in enumerate(cells):
        print(f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:>{widths[2]}}")
        if n == 0:
            print("  ".join("-" * w for w in widths))


# --------------------------------------------------------------------------- main


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    from runtime.logging import configure_logging

    configure_logging("WARNING")
    run_id = uuid.uuid4().hex[:8]
    folder = Path(tempfile.mkdtemp(prefix="b2b-bench-"))
    parts = Parts(folder=folder)
    workers: list[WorkerProcess] = []
    try:
        print(f"starting PostgreSQL and the Temporal dev server in {folder} ...", flush=True)
        await parts.start()
        product_queue, bare_queue = f"bench-{run_id}", f"bench-bare-{run_id}"
        product_worker = await start_worker_process(
            "worker",
            ["-m", "worker"],
            {
                "B2B_DATABASE_URL": parts.database_url,
                "TEMPORAL_ADDRESS": parts.temporal_address,
                "B2B_TASK_QUEUE": product_queue,
                "B2B_LOG_LEVEL": "WARNING",
                "B2B_LOG_FORMAT": "json",
            },
            folder,
        )
        workers.append(product_worker)
        await wait_for_pollers(parts.client, product_queue, product_worker)

        print(
            f"product run: {args.lines} lines, {args.concurrency} in flight "
            f"(worker pid {product_worker.pid}) ...",
            flush=True,
        )
        orders, product_timings = await product_run(
            parts,
            product_worker,
            product_queue,
            lines=args.lines,
            concurrency=args.concurrency,
            quantity=args.quantity,
            interval=args.poll_interval,
            timeout=args.timeout,
            run_id=run_id,
        )
        product_wall, product_rate = throughput(product_timings)

        client = parts.client
        await asyncio.gather(
            *(
                asyncio.wait_for(client.get_workflow_handle(f"order-{so}").result(), args.timeout)
                for so in orders
            )
        )
        line_stats = await all_stats(client, [f"order-{so}-line-1" for so in orders])
        order_stats = await all_stats(client, [f"order-{so}" for so in orders])
        first = line_stats[0]
        plan = BarePlan(
            pre_activities=first.pre_signal_activities,
            signals=first.signals,
            post_activities=first.activities - first.pre_signal_activities,
        )
        shapes = {(s.activities, s.signals, s.pre_signal_activities) for s in line_stats}
        if len(shapes) > 1:
            print(
                f"note: product lines differ in shape (activities, signals, before first "
                f"signal): {sorted(shapes)}; the bare run follows the first",
                flush=True,
            )

        bare_worker = await start_worker_process(
            "bare-worker",
            ["-m", "bench.run", "--bare-worker"],
            {"TEMPORAL_ADDRESS": parts.temporal_address, "B2B_TASK_QUEUE": bare_queue},
            folder,
        )
        workers.append(bare_worker)
        await wait_for_pollers(client, bare_queue, bare_worker)
        print(
            f"bare run: {args.lines} lines, {args.concurrency} in flight, {plan} "
            f"(worker pid {bare_worker.pid}) ...",
            flush=True,
        )
        try:
            bare_ids, bare_timings = await bare_run(
                client,
                bare_queue,
                plan,
                lines=args.lines,
                concurrency=args.concurrency,
                interval=args.poll_interval,
                timeout=args.timeout,
                run_id=run_id,
            )
        except Exception:
            print(f"--- bare-worker log (tail) ---\n{bare_worker.log_tail()}", file=sys.stderr)
            raise
        bare_wall, bare_rate = throughput(bare_timings)
        bare_stats = await all_stats(client, bare_ids)

        product_rss = product_worker.peak_rss_mib()
        bare_rss = bare_worker.peak_rss_mib()
    finally:
        for w in workers:
            await w.stop()
            if tail := w.log_tail(5):
                print(f"note: {w.name} (pid {w.pid}) logged; last lines:\n{tail}", file=sys.stderr)
        await parts.stop()
        shutil.rmtree(folder, ignore_errors=True)

    product_latency = [t.closed - t.started for t in product_timings]
    bare_latency = [t.closed - t.started for t in bare_timings]
    figures: dict[str, Any] = {
        "lines": args.lines,
        "concurrency": args.concurrency,
        "quantity": args.quantity,
        "product_lines_per_s": round(product_rate, 3),
        "bare_lines_per_s": round(bare_rate, 3),
        "ratio_product_over_bare": round(product_rate / bare_rate, 4),
        "product_wall_s": round(product_wall, 3),
        "bare_wall_s": round(bare_wall, 3),
        "product_latency_p50_s": round(percentile(product_latency, 0.5), 3),
        "product_latency_p95_s": round(percentile(product_latency, 0.95), 3),
        "bare_latency_p50_s": round(percentile(bare_latency, 0.5), 3),
        "bare_latency_p95_s": round(percentile(bare_latency, 0.95), 3),
        "activities_per_line": first.activities,
        "signals_per_line": first.signals,
        "activities_before_first_signal": first.pre_signal_activities,
        "history_events_per_line": round(mean([s.events for s in line_stats]), 2),
        "order_history_events": round(mean([s.events for s in order_stats]), 2),
        "bare_history_events_per_line": round(mean([s.events for s in bare_stats]), 2),
        "state_transitions_per_line": round(mean([s.state_transitions for s in line_stats]), 2),
        "order_state_transitions": round(mean([s.state_transitions for s in order_stats]), 2),
        "bare_state_transitions_per_line": round(
            mean([s.state_transitions for s in bare_stats]), 2
        ),
        "worker_peak_rss_mib": None if product_rss is None else round(product_rss, 1),
        "bare_worker_peak_rss_mib": None if bare_rss is None else round(bare_rss, 1),
    }
    return figures


def report(f: dict[str, Any]) -> None:
    print()
    print(f"{f['lines']} lines, concurrency {f['concurrency']}, {f['quantity']} {ITEM} per line")
    print_table(
        [
            ("lines/s", f["product_lines_per_s"], f["bare_lines_per_s"]),
            ("ratio product/bare", f["ratio_product_over_bare"], None),
            ("wall time (s)", f["product_wall_s"], f["bare_wall_s"]),
            ("line latency p50 (s)", f["product_latency_p50_s"], f["bare_latency_p50_s"]),
            ("line latency p95 (s)", f["product_latency_p95_s"], f["bare_latency_p95_s"]),
            ("activities per line", f["activities_per_line"], f["activities_per_line"]),
            ("signals per line", f["signals_per_line"], f["signals_per_line"]),
            (
                "history events per line",
                f["history_events_per_line"],
                f["bare_history_events_per_line"],
            ),
            ("history events per order wf", f["order_history_events"], None),
            (
                "state transitions per line",
                f["state_transitions_per_line"],
                f["bare_state_transitions_per_line"],
            ),
            ("state transitions per order wf", f["order_state_transitions"], None),
            ("worker peak RSS (MiB)", f["worker_peak_rss_mib"], f["bare_worker_peak_rss_mib"]),
        ]
    )
    print()
    print("BENCH_JSON " + json.dumps(f, sort_keys=True))


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--lines", type=int, default=100, help="orders of one line (100)")
    parser.add_argument("--concurrency", type=int, default=20, help="lines in flight (20)")
    parser.add_argument("--quantity", type=int, default=5, help="quantity per line (5)")
    parser.add_argument(
        "--poll-interval", type=float, default=0.05, help="seconds between status polls (0.05)"
    )
    parser.add_argument(
        "--timeout", type=float, default=120, help="deadline of each wait, in seconds (120)"
    )
    parser.add_argument("--bare-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.lines < 1 or args.concurrency < 1 or args.quantity < 1:
        parser.error("--lines, --concurrency and --quantity must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.bare_worker:
        asyncio.run(run_bare_worker())
        return
    report(asyncio.run(bench(args)))


if __name__ == "__main__":
    main()
