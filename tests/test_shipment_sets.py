"""Shipment sets (seed 004's table) and Enforce Shipment Sets, end to end."""

from __future__ import annotations

from typing import Any

from temporalio.api.sdk.v1 import WorkflowMetadata

from tests.conftest import Stack, order_number, poll
from tests.fixtures import laptop_order
from tests.test_backorders import pick, ship, wave
from tests.test_on_hand_flow import stock_setup


def two_stock_lines_setup(*, enforce_sets: bool = False) -> dict[str, Any]:
    """Bouquets: 10 in stock; cables: 5 in stock."""
    setup = stock_setup(10)
    setup["on_hand"].append({"item": "CABLE-C6", "organization": "M1", "quantity": 5})
    setup["parameters"]["enforce_shipment_sets"] = enforce_sets
    return setup


async def book_two(stack: Stack, sets: tuple[str | None, str | None], **second: Any) -> str:
    """Line 1: 10 bouquets; line 2: 10 cables (or what `second` says); both cancel
    backorders."""
    so = order_number()
    order = laptop_order(
        so, quantity=10, item_number="BOUQUET", cancel_backorders=True, shipment_set=sets[0]
    )
    order["lines"].append(
        {
            "line_number": 2,
            "item_number": "CABLE-C6",
            "quantity": 10,
            "cancel_backorders": True,
            "shipment_set": sets[1],
            **second,
        }
    )
    await stack.call("POST", "/orders", json=order, role="orders", expect=202)
    await stack.wait_status(so, "AWAITING_SHIPPING", line_number=1)
    return so


async def on_hand(stack: Stack, item: str) -> list[int]:
    return await stack.scalar(
        "SELECT array[quantity, reserved]::int[] FROM on_hand WHERE item = $1", item
    )


async def test_all_lines_in_one_set_a_short_line_cancels_the_whole_order(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=two_stock_lines_setup())
    so = await book_two(stack, ("ALL", "ALL"))
    await stack.wait_status(so, "BACKORDERED", line_number=2)
    answer = await wave(stack, so)
    assert answer["released_quantity"] == 0 and answer["backorder_canceled"] is True
    for number in (1, 2):
        line = await stack.wait_status(so, "CANCELED", line_number=number)
        assert line["canceled_quantity"] == 10 and line["cancel_reason"] == "Cancel Backorders"
    await stack.wait_order_closed(so)
    assert (await stack.call("GET", f"/orders/{so}"))["status"] == "CANCELED"
    # The reserved stock is free again.
    assert await on_hand(stack, "BOUQUET") == [10, 0]
    assert await on_hand(stack, "CABLE-C6") == [5, 0]


async def test_each_line_its_own_set_cancels_only_the_short_line(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=two_stock_lines_setup())
    so = await book_two(stack, ("A", "B"))
    await stack.wait_status(so, "BACKORDERED", line_number=2)
    await wave(stack, so)
    line = await stack.wait_status(so, "CANCELED", line_number=2)
    assert line["canceled_quantity"] == 10
    first = await stack.wait_status(so, "PICK_RELEASED", line_number=1)
    assert first["canceled_quantity"] == 0
    assert await on_hand(stack, "CABLE-C6") == [5, 0]


async def test_no_sets_ship_what_is_there_and_cancel_the_rest(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=two_stock_lines_setup())
    so = await book_two(stack, (None, None))
    await stack.wait_status(so, "BACKORDERED", line_number=2)
    await wave(stack, so)
    line = await stack.wait_status(so, "PICK_RELEASED", line_number=2)
    assert line["canceled_quantity"] == 5
    assert (await stack.line(so, 1))["canceled_quantity"] == 0


async def test_enforce_shipment_sets_holds_a_staged_line_until_its_set_is_staged(
    stack: Stack,
) -> None:
    await stack.call("PUT", "/setup", json=two_stock_lines_setup(enforce_sets=True))
    # Line 2 is a back-to-back laptop whose PO has not been received yet.
    so = await book_two(stack, ("S", "S"), item_number="LAPTOP-X1", quantity=1)
    laptop = await stack.wait_status(so, "AWAITING_SUPPLY", line_number=2)
    await wave(stack, so)
    await pick(stack, so, 10)
    await stack.wait_status(so, "STAGED", line_number=1)
    held = await ship(stack, so, 10, expect=409)
    assert held["reason"] == (
        "shipment set S ships together (Enforce Shipment Sets): line 2 is AWAITING_SUPPLY,"
        " not STAGED"
    )
    assert await stack.scalar("SELECT count(*) FROM shipments") == 0
    order = await stack.call("GET", f"/orders/{so}")
    assert order["shipment_sets"] == [
        {
            "shipment_set": "S",
            "lines": [1, 2],
            "staged": [1],
            "held_by": [{"line_number": 2, "status": "AWAITING_SUPPLY"}],
            "released": False,
        }
    ]
    # The order workflow holds the set, and says so in the Web UI.
    handle = stack.client.get_workflow_handle(f"order-{so}")

    async def metadata() -> WorkflowMetadata:
        return await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)

    shown = await poll(
        metadata, lambda m: "holding shipment set S for line(s) [2]" in m.current_details
    )
    assert shown.current_details.startswith("2 line(s) in fulfillment")
    held = await handle.query("order_status")
    assert held["shipment_sets"] == {"S": {"lines": [1, 2], "staged": [1], "released": False}}
    await stack.receive(so, laptop["supply"][0]["document_number"], 1, "r1")
    await stack.wait_status(so, "AWAITING_SHIPPING", line_number=2)
    await wave(stack, so)
    await stack.call(
        "POST",
        "/scans/picks",
        role="scanner",
        json={"scan_id": f"{so}-p2", "order_number": so, "line_number": 2, "picked_quantity": 1},
    )
    await stack.wait_status(so, "STAGED", line_number=2)
    # The whole set is staged: the order releases it, then each line ships.
    order = await poll(
        lambda: stack.call("GET", f"/orders/{so}"),
        lambda o: o["shipment_sets"][0]["released"],
    )
    assert order["shipment_sets"][0]["held_by"] == []
    assert (
        await stack.scalar(
            "SELECT count(*) FROM business_events WHERE type = 'SHIPMENT_SET_RELEASED'"
        )
        == 1
    )
    await stack.call(
        "POST",
        "/scans/shipments",
        role="scanner",
        json={"scan_id": f"{so}-s1", "order_number": so, "line_number": 1, "shipped_quantity": 10},
    )
    await stack.call(
        "POST",
        "/scans/shipments",
        role="scanner",
        json={"scan_id": f"{so}-s2", "order_number": so, "line_number": 2, "shipped_quantity": 1},
    )
    await stack.wait_status(so, "CLOSED", line_number=1)
    await stack.wait_status(so, "CLOSED", line_number=2)


async def test_a_set_line_backordered_at_pick_confirm_is_kept_not_canceled(stack: Stack) -> None:
    setup = two_stock_lines_setup()
    setup["on_hand"][1]["quantity"] = 10
    await stack.call("PUT", "/setup", json=setup)
    so = await book_two(stack, ("S", "S"))
    await stack.wait_status(so, "AWAITING_SHIPPING", line_number=2)
    await wave(stack, so)
    answer = await pick(stack, so, 8, 2)
    # Kept open, not canceled: the line waits for the 2 (its least advanced quantity).
    assert answer["canceled_quantity"] == 0 and answer["line_status"] == "BACKORDERED"
    line = await stack.wait_line(so, until=lambda v: v["reserved_quantity"] == 8)
    assert line["canceled_quantity"] == 0 and line["status"] == "BACKORDERED"
    assert (await stack.line(so, 2))["canceled_quantity"] == 0
