"""Parts of the dev stack killed with SIGKILL while a batch of lines is in flight: the Temporal
dev server, PostgreSQL, one of two workers, and `b2b up` itself. After each, every line
closes with exactly one PO, one AR invoice per shipment and one AP invoice per PO, and no
scan is lost or counted twice. The scans are sent as a scanner would: each one until it is
answered (the API may answer 503 or not at all during the fault), some of them twice."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil
import pytest

from tests.conftest import order_number, poll
from tests.fixtures import laptop_order
from tests.test_devstack import DevStackProcess

pytestmark = pytest.mark.slow

LINES = 6
QUANTITY = 3


class Scanner:
    """Sends a request until it is answered; counts the tries that were not."""

    def __init__(self, api: httpx.AsyncClient) -> None:
        self.api = api
        self.unanswered = 0
        self.server_errors: dict[int, int] = {}

    async def send(self, method: str, path: str, body: Any = None, deadline: float = 120) -> Any:
        async with asyncio.timeout(deadline):
            while True:
                try:
                    response = await self.api.request(method, path, json=body, timeout=15)
                except httpx.TransportError:
                    self.unanswered += 1
                else:
                    if response.status_code < 500:
                        assert response.is_success, (
                            f"{path}: {response.status_code} {response.text}"
                        )
                        return response.json()
                    code = response.status_code
                    self.server_errors[code] = self.server_errors.get(code, 0) + 1
                    # A dependency down answers 503, never a 500.
                    assert code == 503, f"{path}: {code} {response.text}"
                await asyncio.sleep(0.3)  # a scanner's retry interval

    async def scan_all(self, path: str, bodies: Sequence[dict[str, Any]]) -> None:
        """Every scan once, every other one twice (the repeat right behind the first)."""
        repeats = [body for n, body in enumerate(bodies) if n % 2 == 0]
        await asyncio.gather(*(self.send("POST", path, body) for body in [*bodies, *repeats]))


async def statuses(api: httpx.AsyncClient, orders: Sequence[str]) -> dict[str, Any]:
    async def one(so: str) -> Any:
        try:
            response = await api.get(f"/orders/{so}/lines/1", timeout=10)
        except httpx.TransportError:
            return None
        return response.json() if response.status_code == 200 else None

    return dict(zip(orders, await asyncio.gather(*(one(so) for so in orders)), strict=True))


async def wait_lines(
    api: httpx.AsyncClient, orders: Sequence[str], status: str, timeout: float = 150
) -> dict[str, Any]:
    views = await poll(
        lambda: statuses(api, orders),
        lambda seen: all(v is not None and v["status"] == status for v in seen.values()),
        timeout=timeout,
        interval=0.5,
    )
    return dict(views)


async def book(api: httpx.AsyncClient, count: int) -> list[str]:
    orders = [order_number() for _ in range(count)]
    scanner = Scanner(api)
    for so in orders:
        await scanner.send("POST", "/orders", laptop_order(so, QUANTITY))
    return orders


def receipts(views: dict[str, Any], tag: str) -> list[dict[str, Any]]:
    return [
        {
            "scan_id": f"{so}-r{tag}",
            "po_number": view["supply"][0]["document_number"],
            "po_line": 1,
            "quantity": QUANTITY,
        }
        for so, view in views.items()
    ]


def picks(orders: Sequence[str]) -> list[dict[str, Any]]:
    return [
        {"scan_id": f"{so}-p", "order_number": so, "line_number": 1, "picked_quantity": QUANTITY}
        for so in orders
    ]


def shipments(orders: Sequence[str]) -> list[dict[str, Any]]:
    return [
        {"scan_id": f"{so}-s", "order_number": so, "line_number": 1, "shipped_quantity": QUANTITY}
        for so in orders
    ]


async def scalar(database_url: str, sql: str) -> Any:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


async def assert_documents(database_url: str, orders: Sequence[str]) -> dict[str, int]:
    """Exactly one of each document per line, and each scan counted once."""
    conn = await asyncpg.connect(database_url)
    try:
        counts = {
            table: await conn.fetchval(f"SELECT count(*) FROM {table}")
            for table in (
                "purchase_orders",
                "ar_invoices",
                "ap_invoices",
                "receipts",
                "shipments",
                "scans",
            )
        }
        per_line = await conn.fetch(
            "SELECT l.order_number, l.received_quantity, l.shipped_quantity,"
            " (SELECT count(*) FROM pegs p WHERE p.order_number = l.order_number"
            "   AND p.line_number = l.line_number AND p.document_type = 'PURCHASE_ORDER') AS pos,"
            " (SELECT count(*) FROM ar_invoices a WHERE a.order_number = l.order_number"
            "   AND a.line_number = l.line_number) AS ar"
            " FROM fulfillment_lines l"
        )
        pos_without_one_ap_invoice = await conn.fetchval(
            "SELECT count(*) FROM purchase_orders p WHERE"
            " (SELECT count(*) FROM ap_invoices a WHERE a.po_number = p.po_number) <> 1"
        )
    finally:
        await conn.close()
    assert sorted(r["order_number"] for r in per_line) == sorted(orders)
    assert pos_without_one_ap_invoice == 0
    for row in per_line:
        assert (row["pos"], row["ar"]) == (1, 1), dict(row)
        assert row["received_quantity"] == row["shipped_quantity"] == QUANTITY, dict(row)
    lines = len(orders)
    expected = {"purchase_orders": lines, "ar_invoices": lines, "ap_invoices": lines}
    expected |= {"receipts": lines, "shipments": lines, "scans": 3 * lines}
    assert counts == expected
    return counts


def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


def report(fault: str, lines: int, when: str, counts: dict[str, int], scanner: Scanner) -> None:
    # Shown with `pytest -s`: the figures of the run.
    print(
        f"\n[fault] {fault}: {lines} lines in flight, {when} the fault;"
        f" documents {json.dumps(counts)}; unanswered tries {scanner.unanswered},"
        f" 5xx answers {scanner.server_errors}"
    )


@contextmanager
def started(stack: DevStackProcess) -> Iterator[DevStackProcess]:
    stack.start()
    try:
        yield stack
    finally:
        if stack.proc and stack.proc.poll() is None:
            stack.stop()


async def pick_and_ship(api: httpx.AsyncClient, scanner: Scanner, orders: list[str]) -> None:
    await scanner.scan_all("/scans/picks", picks(orders))
    await wait_lines(api, orders, "STAGED")
    await scanner.scan_all("/scans/shipments", shipments(orders))


async def test_temporal_postgres_and_a_worker_killed_mid_batch(tmp_path: Path) -> None:
    """Two workers and two API processes; each fault at a different step of the batch."""
    seen: list[tuple[str, str, float, Scanner]] = []
    with started(
        DevStackProcess(tmp_path / "data", B2B_WORKERS="2", B2B_API_PROCESSES="2")
    ) as stack:
        async with await stack.client() as api:
            stack.cli("setup", "apply", "starter/demo_setup.yaml")
            orders = await book(api, LINES)
            # Temporal goes while the batch creates its purchase orders.
            url = await stack.database_url()
            count = "SELECT count(*) FROM {}".format
            await poll(lambda: scalar(url, count("requisitions")), lambda n: n >= 1, interval=0.01)
            first_fault = faulted = time.monotonic()
            kill(stack.children()["temporal"])
            made = await scalar(url, count("purchase_orders"))
            views = await wait_lines(api, orders, "AWAITING_SUPPLY")
            step = f"killed after the first requisition with {made} POs made; all {LINES}"
            seen.append(("temporal", step, time.monotonic() - faulted, Scanner(api)))
            # PostgreSQL goes while the receipts come in.
            half, bodies = LINES // 2, receipts(views, "")
            await Scanner(api).scan_all("/scans/receipts", bodies[:half])
            faulted, scanner = time.monotonic(), Scanner(api)
            kill(stack.children()["postgres"])
            await scanner.scan_all("/scans/receipts", bodies[half:])
            await wait_lines(api, orders, "AWAITING_SHIPPING")
            seen.append(("postgres", "all received", time.monotonic() - faulted, scanner))
            # A worker goes while the lines are picked, shipped and invoiced.
            await Scanner(api).send("POST", "/pick-waves", {"organization": "M1"})
            await wait_lines(api, orders, "PICK_RELEASED")
            faulted, scanner = time.monotonic(), Scanner(api)
            kill(stack.children()["worker-1"])
            await pick_and_ship(api, scanner, orders)
            await wait_lines(api, orders, "CLOSED")
            seen.append(("worker-1 of 2", "all closed", time.monotonic() - faulted, scanner))
            batch_seconds = time.monotonic() - first_fault
            counts = await assert_documents(url, orders)
        output = stack.stop()
    for name in ("temporal", "postgres", "worker-1"):
        assert f"{name} exited with -9; restarting in" in output
        assert f"{name} restarted" in output
    for fault, step, seconds, scanner in seen:
        report(f"kill -9 of {fault}", LINES, f"{step} {seconds:.1f} s after", counts, scanner)
    print(f"\n[fault] the batch closed {batch_seconds:.1f} s after the first of its three faults")
    assert stack.leftovers() == []


async def alive(pids: Sequence[int]) -> list[str]:
    """Each child still running, by its command line (a failure names what stayed)."""
    found = []
    for pid in pids:
        try:
            process = psutil.Process(pid)
            if process.status() != psutil.STATUS_ZOMBIE:
                found.append(f"{pid} {' '.join(process.cmdline())[:120]}")
        except psutil.NoSuchProcess:
            pass
    return found


async def kill_the_stack(stack: DevStackProcess) -> None:
    """SIGKILL `b2b up` and wait for its children to go."""
    children = list(stack.children().values())
    assert stack.proc is not None
    kill(stack.proc.pid)
    stack.proc.wait()
    # Each child gets a parent-death signal; a busy worker or dev server takes a few
    # seconds to shut down on it (about 1 s when idle, 6 s seen on a loaded machine).
    await poll(lambda: alive(children), lambda left: left == [], timeout=20)


async def test_the_stack_killed_mid_batch_takes_its_children_and_resumes(tmp_path: Path) -> None:
    stack = DevStackProcess(tmp_path / "data")
    with started(stack):
        async with await stack.client() as api:
            stack.cli("setup", "apply", "starter/demo_setup.yaml")
            orders = await book(api, LINES)
        faulted = time.monotonic()
        await kill_the_stack(stack)
        orphaned_seconds = time.monotonic() - faulted
    with started(stack):  # the same folder: finds the leftovers and resumes the open lines
        async with await stack.client() as api:
            scanner = Scanner(api)
            views = await wait_lines(api, orders, "AWAITING_SUPPLY")
            await scanner.scan_all("/scans/receipts", receipts(views, ""))
            await wait_lines(api, orders, "AWAITING_SHIPPING")
            await scanner.send("POST", "/pick-waves", {"organization": "M1"})
            await wait_lines(api, orders, "PICK_RELEASED")
            await pick_and_ship(api, scanner, orders)
            # Stopped while busy (the lines invoicing): everything goes within 10 s.
            stopping = time.monotonic()
            output = stack.stop()
            stop_seconds = time.monotonic() - stopping
    assert stop_seconds < 10, output
    assert stack.leftovers() == []
    with started(stack):
        async with await stack.client() as api:
            await wait_lines(api, orders, "CLOSED")
            closed_seconds = time.monotonic() - faulted
            counts = await assert_documents(await stack.database_url(), orders)
    assert stack.leftovers() == []
    print(
        f"\n[fault] children gone {orphaned_seconds:.1f} s after `b2b up` was killed;"
        f" a busy stack stopped in {stop_seconds:.1f} s"
    )
    when = f"all closed {closed_seconds:.1f} s after"
    report("kill -9 of b2b up, a restart, a stop and a restart", LINES, when, counts, scanner)


def test_a_port_taken_by_another_program_is_named(tmp_path: Path) -> None:
    stack = DevStackProcess(tmp_path / "data")
    with socket.create_server(("127.0.0.1", stack.temporal_port)):
        env = {
            **os.environ,
            "B2B_DATA_DIR": str(stack.data_dir),
            "B2B_API_PORT": str(stack.api_port),
            "B2B_TEMPORAL_PORT": str(stack.temporal_port),
            "B2B_TEMPORAL_UI_PORT": str(stack.ui_port),
        }
        env.pop("B2B_DATABASE_URL", None)
        env.pop("TEMPORAL_ADDRESS", None)
        done = subprocess.run(
            [sys.executable, "-m", "starter.cli", "up"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode != 0
    message = done.stdout + done.stderr
    assert f"port {stack.temporal_port} is taken by pid {os.getpid()}" in message, message
    assert "set B2B_TEMPORAL_PORT to a free port" in message, message
