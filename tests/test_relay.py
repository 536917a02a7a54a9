"""The relay on real parts: one order that can never start is parked while the rest of the
outbox keeps flowing; two relays share a backlog without starting or delivering twice."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

import asyncpg
from temporalio.api.enums.v1 import EventType as HistoryEvent
from temporalio.client import Client

from adapters.postgres.orders.orders import Orders
from adapters.postgres.outbox.delivery import SignalOutbox
from adapters.postgres.outbox.relay_parking import RelayParking
from adapters.postgres.receiving.inventory import Inventory
from domain import signals
from domain.identity import line_workflow_id
from domain.models import LineView, OrderIn, ReceiptScanIn
from domain.relay import RetryPolicy
from domain.statuses import EventType
from tests.conftest import Stack, order_number, poll
from tests.fixtures import demo_setup, laptop_order
from worker.app import build_worker, relay

# Over gRPC's 4 MiB message limit once it is the workflow's input.
TOO_BIG = 5_000_000


async def book_without_start(
    stack: Stack, so: str, *, minutes_ago: int, quantity: int = 50, po_size: int | None = None
) -> None:
    """An order stored the way a booking stores it, whose workflow start was then lost
    (with a customer PO number of `po_size` characters, if given)."""
    await Orders(stack.pool).book(OrderIn.model_validate(laptop_order(so, quantity)))
    # In one statement: the relay takes it as soon as it looks lost.
    await stack.scalar(
        "UPDATE orders SET booked_at = now() - make_interval(mins => $2),"
        " customer_po_number = coalesce(repeat('x', $3), customer_po_number)"
        " WHERE order_number = $1 RETURNING 1",
        so,
        minutes_ago,
        po_size,
    )


async def receive_without_signal(stack: Stack, so: str, po: str, quantity: int, scan: str) -> None:
    """A receipt recorded whose signal's immediate delivery was lost (left to the relay)."""
    code, _, outbox = await Inventory(stack.pool).receive(
        ReceiptScanIn(scan_id=f"{so}-{scan}", po_number=po, quantity=quantity)
    )
    assert code == 200 and outbox
    await stack.scalar(
        "UPDATE signal_outbox SET created_at = now() - interval '1 minute'"
        " WHERE id = ANY($1) RETURNING 1",
        outbox,
    )


async def awaiting_supply(stack: Stack, quantity: int = 50) -> tuple[str, str]:
    so = order_number()
    order = laptop_order(so, quantity)
    await stack.call("POST", "/orders", json=order, role="orders", expect=202)
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    return so, line["supply"][0]["document_number"]


async def cli(stack: Stack, *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "starter.cli",
        "outbox",
        *args,
        env={**os.environ, "B2B_DATABASE_URL": stack.database_url},
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode()


async def test_an_order_that_cannot_start_is_parked_and_the_rest_flows(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    running, po = await awaiting_supply(stack)
    bad, lost = order_number(), order_number()
    await book_without_start(stack, bad, minutes_ago=2, po_size=TOO_BIG)
    await book_without_start(stack, lost, minutes_ago=1)
    await receive_without_signal(stack, running, po, 50, "r1")

    # The lost signal is delivered and the lost start made, past the order that can't start.
    await stack.wait_status(running, "AWAITING_SHIPPING")
    await stack.wait_status(lost, "AWAITING_SUPPLY")
    parking = RelayParking(stack.pool)
    parked = await poll(parking.parked, lambda items: len(items) == 1)
    item = parked[0]
    assert (item.id, item.kind, item.workflow_id) == (f"order:{bad}", "order_start", f"order-{bad}")
    assert "larger than max" in item.reason and item.attempts == 1
    assert item.age_seconds >= 120
    assert await stack.scalar("SELECT count(*) FROM signal_outbox WHERE delivered_at IS NULL") == 0

    code, out = await cli(stack, "parked")
    assert code == 0 and f"order:{bad}" in out and "larger than max" in out and "2m" in out
    code, out = await cli(stack, "retry", f"order:{bad}")
    assert code == 0 and "unparked" in out
    # Tried again at the next round, and parked again for the same reason.
    again = await poll(parking.parked, lambda items: len(items) == 1 and items[0].attempts == 1)
    assert again[0].parked_at > item.parked_at
    code, out = await cli(stack, "retry", "signal:999999")
    assert code == 1 and "not parked" in out

    # The same, over the API: listed for a viewer, sent again by an admin only.
    listed = await stack.call("GET", "/relay/parked", role="viewer")
    assert [(p["id"], p["attempts"]) for p in listed["parked"]] == [(f"order:{bad}", 1)]
    await stack.call("POST", f"/relay/parked/order:{bad}/retry", role="scanner", expect=403)
    retried = await stack.call("POST", f"/relay/parked/order:{bad}/retry")
    assert retried["id"] == f"order:{bad}" and "larger than max" in retried["reason"]
    await poll(
        lambda: stack.call("GET", "/relay/parked"),
        lambda body: (
            body["parked"] and body["parked"][0]["parked_at"] > listed["parked"][0]["parked_at"]
        ),
    )
    await stack.call("POST", "/relay/parked/signal:999999/retry", expect=404)
    await stack.call("POST", "/relay/parked/bogus/retry", expect=422)


def signals_in(history: Any, name: str) -> int:
    return sum(
        1
        for event in history.events
        if event.event_type == HistoryEvent.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
        and event.workflow_execution_signaled_event_attributes.signal_name == name
    )


async def runs_of(client: Client, workflow_id: str) -> int:
    return len([w async for w in client.list_workflows(f"WorkflowId = '{workflow_id}'")])


async def backlog(stack: Stack) -> tuple[list[tuple[str, str]], list[str]]:
    """Four running lines, each owed three receipt signals, and four lost order starts."""
    # Small orders: all eight fit in the customer's credit limit.
    running = [await awaiting_supply(stack, 10) for _ in range(4)]
    for so, po in running:
        for scan, quantity in (("r1", 2), ("r2", 3), ("r3", 5)):
            await receive_without_signal(stack, so, po, quantity, scan)
    lost = [order_number() for _ in range(4)]
    for so in lost:
        await book_without_start(stack, so, minutes_ago=1, quantity=10)
    return running, lost


async def assert_each_once(stack: Stack, running: list[tuple[str, str]], lost: list[str]) -> None:
    pending = "SELECT count(*) FROM signal_outbox WHERE delivered_at IS NULL"
    assert await stack.scalar(pending) == 0
    copies = 0
    for so, _ in running:
        handle = stack.client.get_workflow_handle(line_workflow_id(so, 1))
        copies += signals_in(await handle.fetch_history(), signals.RECEIPT_RECORDED)
        # Each receipt counted once by its line.
        view = await handle.query(signals.LINE_STATUS_QUERY, result_type=LineView)
        assert [e.type for e in view.events].count(EventType.RECEIPT_RECORDED) == 3
    # At most the one signal in flight when the relay was killed went twice: the live
    # relays never send the same row.
    assert 12 <= copies <= 13
    for so in lost:
        assert await runs_of(stack.client, f"order-{so}") == 1
        assert await runs_of(stack.client, line_workflow_id(so, 1)) == 1


async def test_two_relays_share_a_backlog_and_one_killed_mid_batch_loses_nothing(
    idle_stack: Stack,
) -> None:
    stack = idle_stack
    await stack.call("PUT", "/setup", json=demo_setup())
    # One worker runs the workflows (an SDK runtime takes one worker per task queue); the
    # two relays, as in two worker processes, start once the backlog is there.
    worker = build_worker(stack.client, stack.pool, task_queue=stack.task_queue)
    run = asyncio.create_task(worker.run())
    try:
        running, lost = await backlog(stack)
        stops = [asyncio.Event(), asyncio.Event()]
        relays = [
            asyncio.create_task(
                relay(stack.pool, stack.client, task_queue=stack.task_queue, stop=s, interval=0.1)
            )
            for s in stops
        ]
        delivered = "SELECT count(*) FROM signal_outbox WHERE delivered_at IS NOT NULL"
        await poll(lambda: stack.scalar(delivered), lambda n: n >= 1, interval=0.01)
        relays[0].cancel()  # killed mid-batch: its open transaction rolls back
        await asyncio.gather(relays[0], return_exceptions=True)

        for so, _ in running:
            await stack.wait_status(so, "AWAITING_SHIPPING")
        for so in lost:
            await stack.wait_status(so, "AWAITING_SUPPLY")
        # A receipt shows in the line's row as it is scanned, before its signal reaches the
        # workflow: the surviving relay drains what is owed, then stops.
        pending = "SELECT count(*) FROM signal_outbox WHERE delivered_at IS NULL"
        await poll(lambda: stack.scalar(pending), lambda n: n == 0)
        stops[1].set()
        await relays[1]
        await assert_each_once(stack, running, lost)
    finally:
        await worker.shutdown()
        await run


async def owe(pool: asyncpg.Pool, workflow_id: str, payload: Any) -> int:
    async with pool.acquire() as conn:
        outbox_id: int = await conn.fetchval(
            "INSERT INTO signal_outbox (workflow_id, signal, payload) VALUES ($1, 'cancel', $2)"
            " RETURNING id",
            workflow_id,
            payload,
        )
    return outbox_id


async def outbox_row(pool: asyncpg.Pool, outbox_id: int) -> Any:
    async with pool.acquire() as conn:
        return await conn.fetchrow("SELECT * FROM signal_outbox WHERE id = $1", outbox_id)


async def test_a_signal_is_retried_in_order_then_parked(pool: asyncpg.Pool, client: Client) -> None:
    outbox = SignalOutbox(pool, client, policy=RetryPolicy(first_delay=0.05, max_attempts=3))
    absent = f"order-{order_number()}-line-1"  # never started
    first, second = await owe(pool, absent, {"n": 1}), await owe(pool, absent, {"n": 2})
    too_big = await owe(pool, f"order-{order_number()}-line-1", {"x": "x" * TOO_BIG})

    await outbox.deliver()
    held = await outbox_row(pool, second)
    assert (await outbox_row(pool, first))["attempts"] == 1 and held["attempts"] == 0
    big = await outbox_row(pool, too_big)
    assert big["parked_at"] is not None and big["attempts"] == 1
    assert "larger than max" in big["last_error"]

    async def first_row() -> Any:
        await outbox.deliver()
        return await outbox_row(pool, first)

    parked = await poll(first_row, lambda row: row["parked_at"] is not None, interval=0.05)
    assert parked["attempts"] == 3 and "is not running" in parked["last_error"]
    # Once the first is parked, the second no longer waits behind it: tried in that round.
    assert (await outbox_row(pool, second))["attempts"] == 1
    ids = {item.id for item in await RelayParking(pool).parked()}
    assert ids == {f"signal:{first}", f"signal:{too_big}"}
