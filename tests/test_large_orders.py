"""Large orders (the contract's "Large orders"): up to 10,000 lines, booked in one go; the
order workflow starts its lines from their rows in batches, so its history grows per batch
and not per line; a line added by a revision as the order closes is never lost."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus, WorkflowHistory

from domain.inputs import MAX_ORDER_LINES
from tests.conftest import Stack, order_number, poll
from tests.fixtures import demo_setup, laptop_order
from tests.test_backorders import pick, ship, wave
from tests.test_bad_input import fingerprint
from tests.test_on_hand_flow import stock_setup
from workflows import order as order_workflow


def order_of(so: str, lines: int, item: str = "LAPTOP-X1") -> dict[str, Any]:
    order = laptop_order(so)
    order["lines"] = [
        {"line_number": n, "item_number": item, "quantity": 1} for n in range(1, lines + 1)
    ]
    return order


async def test_an_order_of_the_most_lines_is_booked_and_one_more_is_refused(
    idle_stack: Stack,
) -> None:
    stack = idle_stack
    await stack.call("PUT", "/setup", json=demo_setup())
    before = await fingerprint(stack)
    too_many = await stack.call(
        "POST",
        "/orders",
        role="orders",
        json=order_of(order_number(), MAX_ORDER_LINES + 1),
        expect=422,
    )
    assert [e["field"] for e in too_many["errors"]] == ["lines"]
    assert "at most 10000" in too_many["reason"]
    assert await fingerprint(stack) == before

    so = order_number()
    answer = await stack.call(
        "POST", "/orders", role="orders", json=order_of(so, MAX_ORDER_LINES), expect=202
    )
    assert [li["line_number"] for li in answer["lines"]] == list(range(1, MAX_ORDER_LINES + 1))
    assert answer["lines"][-1]["workflow_id"] == f"order-{so}-line-{MAX_ORDER_LINES}"
    order = await stack.call("GET", f"/orders/{so}", role="viewer")
    assert order["line_counts"] == {"BOOKED": MAX_ORDER_LINES}
    assert len(order["lines"]) == 1000 and order["more_lines_after"] == 1000
    # Paging from there returns every other line once, in order.
    seen = [li["line_number"] for li in order["lines"]]
    after: int | None = order["more_lines_after"]
    while after is not None:
        page = await stack.call("GET", f"/orders/{so}/lines?after={after}&limit=1000")
        seen += [li["line_number"] for li in page["lines"]]
        after = page["next_after"]
    assert seen == list(range(1, MAX_ORDER_LINES + 1))
    # The order's workflow is handed the order, not its lines.
    history = await stack.client.get_workflow_handle(f"order-{so}").fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    assert sum(len(p.data) for p in started.input.payloads) < 2_000


def local_activities(history: WorkflowHistory) -> list[str]:
    """The activity types of the history's local-activity markers, in order."""
    names = []
    for e in history.events:
        if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED:
            marker = e.marker_recorded_event_attributes
            if marker.marker_name == "core_local_activity":
                names.append(json.loads(marker.details["data"].payloads[0].data)["activity_type"])
    return names


async def test_lines_start_in_batches_and_the_order_history_grows_per_batch(
    stack: Stack,
) -> None:
    lines = order_workflow.LINES_PER_BATCH + 10  # two batches
    await stack.call("PUT", "/setup", json=stock_setup(lines))
    so = order_number()
    await stack.call(
        "POST", "/orders", role="orders", json=order_of(so, lines, "BOUQUET"), expect=202
    )
    await poll(
        lambda: stack.call("GET", f"/orders/{so}"),
        lambda o: o["line_counts"] == {"AWAITING_SHIPPING": lines},
        timeout=120,
    )
    await stack.call("POST", f"/orders/{so}/cancel", role="orders", json={"reason": "test"})
    result = await stack.wait_order_closed(so, timeout=120)
    assert result["status"] == "CANCELED" and result["line_count"] == lines

    handle = stack.client.get_workflow_handle(f"order-{so}")
    history = await handle.fetch_history()
    assert local_activities(history) == [
        "authorize_credit",
        "start_lines",  # two batches: the second, shorter than the limit, is the last
        "start_lines",
        "close_order",
    ]
    # Started with its path in its input: no patch marker, no activity task.
    kinds = {e.event_type for e in history.events}
    assert EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED not in kinds
    assert EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES not in kinds
    assert len(history.events) < 40  # per batch, not per line
    # Each line ran once, on its own workflow.
    async for execution in stack.client.list_workflows(f"OrderNumber = '{so}'"):
        assert execution.workflow_type != "SalesOrderWorkflow" or execution.id == f"order-{so}"
    counted = await stack.scalar(
        "SELECT count(*) FROM business_events WHERE order_number = $1 AND type = 'LINE_CANCELED'",
        so,
    )
    assert counted == lines


async def test_a_line_added_as_the_last_line_closes_is_never_lost(stack: Stack) -> None:
    """The revision and the last line's close race on the order's row: the revision either
    lands first (the order waits for the new line, whose workflow starts) or after the close
    (409: the order is closed). Each of several orders shows one of the two, never a line
    without a workflow or an order closed over an open line."""
    await stack.call("PUT", "/setup", json=stock_setup(100))

    async def race(so: str) -> str:
        await stack.call(
            "POST", "/orders", role="orders", json=order_of(so, 1, "BOUQUET"), expect=202
        )
        await stack.wait_status(so, "AWAITING_SHIPPING")
        await wave(stack, so)
        await pick(stack, so, 1)
        await stack.wait_status(so, "STAGED")
        ship_scan = ship(stack, so, 1)
        revise = stack.call(
            "POST",
            f"/orders/{so}/revisions",
            role="orders",
            json={"add_lines": [{"line_number": 2, "item_number": "BOUQUET", "quantity": 1}]},
            expect=None,
        )
        shipped, revised = await asyncio.gather(ship_scan, revise)
        assert shipped["shipped_quantity"] == 1
        return "refused" if "reason" in revised else "added"

    orders = [order_number() for _ in range(4)]
    outcomes = await asyncio.gather(*(race(so) for so in orders))
    for so, outcome in zip(orders, outcomes, strict=True):
        rows = await stack.scalar(
            "SELECT count(*) FROM fulfillment_lines WHERE order_number = $1", so
        )
        if outcome == "added":
            assert rows == 2
            line = await stack.wait_status(so, "AWAITING_SHIPPING", line_number=2)
            assert line["workflow_id"] == f"order-{so}-line-2"
            handle = stack.client.get_workflow_handle(f"order-{so}")
            assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
            await stack.call("POST", f"/orders/{so}/lines/2/cancel", role="orders", json={})
        else:
            assert rows == 1
        result = await stack.wait_order_closed(so)
        assert result["status"] == "CLOSED"
        statuses = await stack.scalar(
            "SELECT array_agg(status ORDER BY line_number) FROM fulfillment_lines"
            " WHERE order_number = $1",
            so,
        )
        assert statuses == (["CLOSED", "CANCELED"] if outcome == "added" else ["CLOSED"])
