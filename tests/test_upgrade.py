"""Upgrades, for real: a previous release's code, checked out from this repository's own
history (`tests/upgrades.json`), runs `b2b up` on a fresh data folder; orders are left in
every waiting state it supports; it is stopped, and this release's `b2b up` starts on the
same folder and drives every order to its end. Then no workflow runs, no history holds a
failed workflow task, every line has its documents, and the credit is given back.

efdb803's orders also go through 13b3dce first, which fails their next workflow task: this
release completes them.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import yaml
from temporalio.api.enums.v1 import EventType, WorkflowTaskFailedCause
from temporalio.client import Client

from tests.conftest import poll
from tests.test_devstack import DevStackProcess
from tests.upgrade_drive import (
    EVERY_STATE,
    KITS_AND_DROP_SHIP,
    Api,
    book,
    drive_to_end,
    leave_waiting,
    number,
    received,
)

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
RELEASES: dict[str, Any] = json.loads((Path(__file__).parent / "upgrades.json").read_text())[
    "releases"
]


def checkout(commit: str, into: Path) -> Path:
    """The release's files at `commit`, from this repository's history."""
    into.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", commit],
        capture_output=True,
        check=False,
    )
    assert archive.returncode == 0, (
        f"commit {commit} is not in this clone ({archive.stderr.decode().strip()}); the"
        " upgrade tests need the repository's history: clone without --depth"
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


@asynccontextmanager
async def running(stack: DevStackProcess) -> AsyncIterator[Api]:
    stack.start()
    try:
        async with await stack.client() as client:
            yield Api(client)
    finally:
        stack.stop()


async def set_up(api: Api, code: Path) -> None:
    """The release's own demo setup (its contract at the time)."""
    for name in ("demo_setup.yaml", "demo_more_setup.yaml"):
        await api.call("PUT", "/setup", yaml.safe_load((code / "starter" / name).read_text()))


async def temporal(stack: DevStackProcess) -> Client:
    return await Client.connect(f"127.0.0.1:{stack.temporal_port}")


# The server refusing to complete a run while a signal it has not seen is pending: the
# worker handles the signal and completes in its next task. Not a failure of the code.
RETRIED_BY_DESIGN = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND


async def failed_tasks(client: Client, *, since: datetime | None = None) -> dict[str, list[str]]:
    """Workflow id -> its failed workflow tasks (cause and message), in every workflow's
    history; with `since`, only those that failed from then on."""
    failed: dict[str, list[str]] = {}
    async for execution in client.list_workflows(""):
        handle = client.get_workflow_handle(execution.id, run_id=execution.run_id)
        for event in (await handle.fetch_history()).events:
            attributes = event.workflow_task_failed_event_attributes
            if (
                event.event_type != EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
                or attributes.cause == RETRIED_BY_DESIGN
                or (since is not None and event.event_time.ToDatetime(UTC) < since)
            ):
                continue
            cause = WorkflowTaskFailedCause.Name(attributes.cause)
            failed.setdefault(execution.id, []).append(f"{cause}: {attributes.failure.message}")
    return failed


async def assert_finished(
    api: Api,
    stack: DevStackProcess,
    orders: list[str],
    *,
    since: datetime | None = None,
) -> dict[str, int]:
    """Every order closed with its documents and credit; nothing running; no workflow task
    failed (since this release started, with `since`). Returns the workflows per type."""
    for so in orders:
        # The order's rows show it closed as its last line closes; its workflow then closes
        # it and its credit authorization.
        view = await poll(
            partial(api.call, "GET", f"/orders/{so}"),
            lambda v: v["credit_authorization"]["status"] != "AUTHORIZED",
        )
        assert view["status"] == "CLOSED", (so, view["status"])
        assert view["credit_authorization"]["status"] == "CLOSED", so
        for line in view["lines"]:
            line_view = await api.line(so, line["line_number"])
            assert line_view["status"] == "CLOSED", (so, line_view)
            kinds = [i["kind"] for i in line_view["invoices"]]
            assert "AR" in kinds, (so, line["line_number"], kinds)
            bought = any(s["type"] in ("BUY", "DROP_SHIP") for s in line_view["supply"])
            assert not bought or "AP" in kinds, (so, line["line_number"], kinds)
            for component in line_view.get("components") or []:
                assert component["status"] == "CLOSED", (so, component)
    client = await temporal(stack)
    running_ = [e.id async for e in client.list_workflows("ExecutionStatus = 'Running'")]
    assert running_ == []
    assert await failed_tasks(client, since=since) == {}
    # The credit the orders held is given back: an order near the limit fits again.
    big = await book(api, number("UP-LIMIT"), {"item_number": "LAPTOP-X1", "quantity": 600})
    held = await poll(
        lambda: api.call("GET", f"/orders/{big}"),
        lambda v: v.get("credit_authorization") is not None,
    )
    assert held["credit_authorization"]["status"] == "AUTHORIZED", held
    types: dict[str, int] = {}
    async for execution in client.list_workflows(""):
        types[execution.workflow_type] = types.get(execution.workflow_type, 0) + 1
    return types


async def test_an_upgrade_from_13b3dce_finishes_every_open_order(tmp_path: Path) -> None:
    code = checkout("13b3dce", tmp_path / "13b3dce")
    data = tmp_path / "data"
    async with running(DevStackProcess(data, code=code)) as api:
        await set_up(api, code)
        kits = KITS_AND_DROP_SHIP if RELEASES["13b3dce"]["kits_and_drop_ship"] else []
        orders = await leave_waiting(api, EVERY_STATE + kits)
    stack = DevStackProcess(data)
    async with running(stack) as api:
        await drive_to_end(api, orders)
        types = await assert_finished(api, stack, orders)
    assert {"SalesOrderWorkflow", "FulfillmentLineWorkflowV3", "KitLineWorkflow"} <= types.keys()
    print(f"\n[upgrade] from 13b3dce: {len(orders)} orders left waiting; workflows {types}")


async def test_efdb803_orders_stranded_by_13b3dce_finish_on_this_release(tmp_path: Path) -> None:
    efdb803 = checkout("efdb803", tmp_path / "efdb803")
    data = tmp_path / "data"
    async with running(DevStackProcess(data, code=efdb803)) as api:
        await set_up(api, efdb803)
        stranded = await received(api)
        orders = [stranded, *await leave_waiting(api, EVERY_STATE)]
    # On 13b3dce a line that finishes tells its order, whose next workflow task fails: the
    # order stays open with its credit authorized.
    thirteen = DevStackProcess(data, code=checkout("13b3dce", tmp_path / "13b3dce"))
    async with running(thirteen) as api:
        await drive_to_end(api, [stranded], until_lines_closed=True)
        client = await temporal(thirteen)
        failing = await poll(
            lambda: failed_tasks(client), lambda f: f"order-{stranded}" in f, timeout=60
        )
        assert "Nondeterminism" in failing[f"order-{stranded}"][0]
        view = await api.call("GET", f"/orders/{stranded}")
        assert view["credit_authorization"]["status"] == "AUTHORIZED"
    stack, upgraded = DevStackProcess(data), datetime.now(UTC)
    async with running(stack) as api:
        await drive_to_end(api, orders)
        types = await assert_finished(api, stack, orders, since=upgraded)
    assert {"SalesOrderWorkflow", "FulfillmentLineWorkflowV2"} <= types.keys()
    print(
        f"\n[upgrade] from efdb803 through 13b3dce: {len(orders)} orders, 1 stranded on"
        f" 13b3dce ({failing[f'order-{stranded}'][0][:80]}); workflows {types}"
    )
