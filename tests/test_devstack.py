"""`b2b up` from nothing: every part starts, a line survives a restart of the whole stack,
and stopping it leaves no process behind."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from tests.conftest import order_number, poll
from tests.fixtures import laptop_order

pytestmark = pytest.mark.slow


def free_ports(count: int) -> list[int]:
    """Free ports below the ephemeral range, so the random ports the Temporal dev server
    picks for itself (from that range) can never take one of ours in between."""
    ports: list[int] = []
    for candidate in random.sample(range(20000, 32000), 200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", candidate))
            except OSError:
                continue
        ports.append(candidate)
        if len(ports) == count:
            return ports
    raise RuntimeError("no free ports")


class DevStackProcess:
    def __init__(self, data_dir: Path, *, code: Path | None = None, **env: str) -> None:
        self.data_dir = data_dir
        self.api_port, self.temporal_port, self.ui_port, self.metrics_port = free_ports(4)
        self.proc: subprocess.Popen[bytes] | None = None
        self.env = env  # more variables for `b2b up`, e.g. B2B_WORKERS
        # Another release's code (a checkout of its commit) instead of this one's.
        self.code = code

    def start(self) -> None:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("B2B_DATABASE_URL", "TEMPORAL_ADDRESS", "B2B_API_TOKENS")
        }
        env.update(
            B2B_DATA_DIR=str(self.data_dir),
            B2B_API_PORT=str(self.api_port),
            B2B_TEMPORAL_PORT=str(self.temporal_port),
            B2B_TEMPORAL_UI_PORT=str(self.ui_port),
            B2B_WORKER_METRICS_PORT=str(self.metrics_port),
            **self.env,
        )
        if self.code is not None:  # its modules before this checkout's (and its children's)
            env["PYTHONPATH"] = str(self.code)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "starter.cli", "up"],
            env=env,
            cwd=self.code,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )

    def stop(self) -> str:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGINT)
        out, _ = self.proc.communicate(timeout=60)
        return out.decode()

    def children(self) -> dict[str, int]:
        """The stack's children by name, from the pid file it keeps."""
        record = json.loads((self.data_dir / "stack.pid").read_text())
        return {child["name"]: child["pid"] for child in record["children"]}

    async def database_url(self) -> str:
        """The stack's database, from the file it writes once it is up."""
        state = self.data_dir / "stack.json"
        found = await poll(lambda: asyncio.to_thread(state.exists), bool, timeout=30)
        assert found
        return str(json.loads(state.read_text())["database_url"])

    def leftovers(self) -> list[str]:
        found = []
        for proc in psutil.process_iter(["cmdline"]):
            cmdline = " ".join(proc.info["cmdline"] or [])
            if str(self.data_dir) in cmdline or f"--port {self.temporal_port}" in cmdline:
                found.append(cmdline)
        return found

    def cli(self, *args: str) -> Any:
        """Run the `b2b` command line against this stack and parse what it prints."""
        env = {**os.environ, "B2B_DATA_DIR": str(self.data_dir), "B2B_API_PORT": str(self.api_port)}
        env.pop("B2B_TOKEN", None)
        done = subprocess.run(
            [sys.executable, "-m", "starter.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return json.loads(done.stdout)

    async def client(self) -> httpx.AsyncClient:
        url = f"http://127.0.0.1:{self.api_port}"

        async def healthy() -> int:
            assert self.proc is not None
            if self.proc.poll() is not None:
                return -1  # the stack gave up: no use waiting
            try:
                async with httpx.AsyncClient() as c:
                    return (await c.get(f"{url}/health")).status_code
            except httpx.HTTPError:
                return 0

        try:
            code = await poll(healthy, lambda code: code in (200, -1), timeout=120, interval=0.3)
        except AssertionError as error:
            raise AssertionError(f"{error}\n{self.log_tails()}") from None
        assert code == 200, f"`b2b up` exited: {self.stop()}\n{self.log_tails()}"
        token = json.loads((self.data_dir / "tokens.json").read_text())["admin"]
        # A stack just (re)started may take a few seconds for a line whose worker is not up.
        return httpx.AsyncClient(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )

    def log_tails(self, lines: int = 15) -> str:
        """The last lines of each log of the stack, for a failure message."""
        tails = []
        for log in sorted((self.data_dir / "logs").glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            tails.append(f"--- {log.name}\n" + "\n".join(tail))
        return "\n".join(tails)


async def call(api: httpx.AsyncClient, method: str, path: str, body: Any = None) -> Any:
    response = await api.request(method, path, json=body)
    assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
    return response.json()


async def status_of(api: httpx.AsyncClient, so: str, status: str) -> Any:
    return await poll(
        lambda: call(api, "GET", f"/orders/{so}/lines/1"),
        lambda v: v["status"] == status,
        timeout=60,
    )


async def test_dev_stack_starts_resumes_and_stops_clean(tmp_path: Path) -> None:
    stack = DevStackProcess(tmp_path / "data")
    stack.start()
    try:
        async with await stack.client() as api:
            applied = stack.cli("setup", "apply", "starter/demo_setup.yaml")
            assert applied["applied"]["blanket_agreements"] == 2
            assert stack.cli("setup", "check", "--item", "LAPTOP-X1")["ready"] is True
            so = order_number()
            await call(api, "POST", "/orders", laptop_order(so, 5))
            po = (await status_of(api, so, "AWAITING_SUPPLY"))["supply"][0]["document_number"]
            await call(
                api,
                "POST",
                "/scans/receipts",
                {"scan_id": f"{so}-r1", "po_number": po, "po_line": 1, "quantity": 3},
            )
        output = stack.stop()
        assert "Temporal UI" in output and "Stopped." in output
        assert stack.leftovers() == []

        stack.start()  # same data folder: the open line carries on
        async with await stack.client() as api:
            line = stack.cli("lines", "show", so, "1")
            assert line["status"] == "AWAITING_SUPPLY" and line["received_quantity"] == 3
            # The supplier's acknowledgment through the command line.
            acked = stack.cli(
                "po",
                "acknowledge",
                po,
                "--id",
                f"{so}-ack",
                "--action",
                "ACCEPT",
                "--promised-date",
                "2026-12-20",
            )
            assert acked["lines"][0]["accepted"] is True
            assert acked["purchase_order"]["lines"][0]["promised_date"] == "2026-12-20"
            # A drop-ship line shipped by its supplier's notice through the command line.
            dropped = order_number()
            await call(api, "POST", "/orders", laptop_order(dropped, 2, drop_ship=True))
            view = await status_of(api, dropped, "AWAITING_SUPPLY")
            shipped = stack.cli(
                "po",
                "ship-notice",
                view["supply"][0]["document_number"],
                "--id",
                f"{dropped}-asn",
                "--quantity",
                "2",
                "--tracking-number",
                "1Z999",
            )
            assert shipped["line_status"] == "SHIPPED" and shipped["tracking_number"] == "1Z999"
            await status_of(api, dropped, "CLOSED")
            # A revision through the command line: 5 ordered, raised to 6, then back to 5.
            revision = tmp_path / "revision.yaml"
            revision.write_text("change_lines:\n  - {line_number: 1, quantity: 6}\n")
            raised = stack.cli("orders", "revise", so, str(revision))
            assert raised["changed"][0]["ordered_quantity"] == 6
            revision.write_text("change_lines:\n  - {line_number: 1, quantity: 5, reason: x}\n")
            lowered = stack.cli("orders", "revise", so, str(revision))
            assert lowered["changed"][0]["remaining_quantity"] == 5
            assert stack.cli("supply-review", "--order", so)["supply"] == []
            await call(
                api,
                "POST",
                "/scans/receipts",
                {"scan_id": f"{so}-r2", "po_number": po, "po_line": 1, "quantity": 2},
            )
            await status_of(api, so, "AWAITING_SHIPPING")
            # A hold through the command line, listed on the line, then released.
            held = stack.cli(
                "hold", "apply", so, "--code", "QUALITY", "--line", "1", "--reason", "x"
            )
            assert [h["hold_id"] for h in stack.cli("lines", "show", so, "1")["holds"]] == [
                held["hold_id"]
            ]
            assert stack.cli("hold", "release", so, held["hold_id"], "--reason", "ok")[
                "released_at"
            ]
            await call(api, "POST", "/pick-waves", {"organization": "M1", "order_number": so})
            await status_of(api, so, "PICK_RELEASED")
            await call(
                api,
                "POST",
                "/scans/picks",
                {"scan_id": f"{so}-p", "order_number": so, "line_number": 1, "picked_quantity": 5},
            )
            await call(
                api,
                "POST",
                "/scans/shipments",
                {"scan_id": f"{so}-s", "order_number": so, "line_number": 1, "shipped_quantity": 5},
            )
            await status_of(api, so, "CLOSED")
            async with httpx.AsyncClient() as browser:
                ui = await browser.get(f"http://127.0.0.1:{stack.ui_port}/", timeout=10)
            assert ui.status_code == 200
    finally:
        if stack.proc and stack.proc.poll() is None:
            stack.stop()
    assert stack.leftovers() == []
