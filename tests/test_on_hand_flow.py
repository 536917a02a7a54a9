"""Lines that are not back-to-back ship from stock: reserved at scheduling, backordered
when short, served in booking order when stock arrives, never oversold."""

from __future__ import annotations

import asyncio
from typing import Any

from domain.search_attributes import SUPPLY_STATUS
from tests.conftest import Stack, order_number, poll
from tests.fixtures import demo_setup, laptop_order


def stock_setup(quantity: int) -> dict[str, Any]:
    setup = demo_setup()
    setup["items"].append({"number": "BOUQUET", "list_price": "35.00", "cost": "12.00"})
    setup["on_hand"] = [{"item": "BOUQUET", "organization": "M1", "quantity": quantity}]
    return setup


async def book(stack: Stack, quantity: int, item: str = "BOUQUET") -> str:
    so = order_number()
    order = laptop_order(so, quantity=quantity)
    order["lines"][0]["item_number"] = item
    await stack.call("POST", "/orders", json=order, role="orders", expect=202)
    return so


async def stock(stack: Stack) -> tuple[int, int]:
    row = await stack.scalar(
        "SELECT array[quantity, reserved]::int[] FROM on_hand WHERE item = 'BOUQUET'"
    )
    return row[0], row[1]


async def test_stock_line_ships_from_stock_to_closed(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = await book(stack, 3, "CABLE-C6")
    line = await stack.wait_status(so, "AWAITING_SHIPPING")
    supply = line["supply"][0]
    assert supply["type"] == "ON_HAND" and supply["document_type"] == "RESERVATION"
    assert line["reserved_quantity"] == 3 and line["back_to_back"] is False
    line = await stack.ship(so, 3)
    assert [i["kind"] for i in line["invoices"]] == ["AR"]
    assert line["invoices"][0]["amount"] == "13.50"
    assert line["supply"][0]["status"] == "CLOSED"
    assert await stack.scalar(
        "SELECT array[quantity, reserved]::int[] FROM on_hand WHERE item = 'CABLE-C6'"
    ) == [497, 0]
    assert await stack.scalar("SELECT count(*) FROM supply_orders") == 0


async def test_short_lines_wait_and_are_served_in_booking_order(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=stock_setup(7))
    first = await book(stack, 5)
    await stack.wait_status(first, "AWAITING_SHIPPING")
    second = await book(stack, 5)
    line = await stack.wait_status(second, "BACKORDERED")
    assert line["reserved_quantity"] == 2
    assert "waiting for stock" in line["waiting_for"]
    third = await book(stack, 4)
    line = await stack.wait_status(third, "BACKORDERED")
    assert line["reserved_quantity"] == 0
    assert await stock(stack) == (7, 7)
    # 5 arrive: the older backorder is filled first (3), the younger gets the rest (2).
    await stack.call("PUT", "/setup", json=stock_setup(12))
    await stack.wait_status(second, "AWAITING_SHIPPING")
    line = await stack.wait_line(third, until=lambda v: v["reserved_quantity"] == 2)
    assert line["status"] == "BACKORDERED"
    assert await stock(stack) == (12, 12)
    await stack.call("PUT", "/setup", json=stock_setup(14))
    await stack.wait_status(third, "AWAITING_SHIPPING")
    await stack.ship(first, 5)
    assert await stock(stack) == (9, 9)
    refused = await stack.call("PUT", "/setup", json=stock_setup(8), expect=409)
    assert refused["field"] == "on_hand[0].quantity" and "9 already reserved" in refused["reason"]


async def test_concurrent_lines_never_reserve_the_same_unit(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=stock_setup(4))
    orders = await asyncio.gather(*(book(stack, 1) for _ in range(10)))
    views = await asyncio.gather(
        *(
            stack.wait_line(so, until=lambda v: v["status"] in ("AWAITING_SHIPPING", "BACKORDERED"))
            for so in orders
        )
    )
    assert sum(v["reserved_quantity"] for v in views) == 4
    assert sorted(v["status"] for v in views).count("AWAITING_SHIPPING") == 4
    assert await stock(stack) == (4, 4)
    # Stock for all of them: every backorder is served exactly once.
    await stack.call("PUT", "/setup", json=stock_setup(10))
    await asyncio.gather(*(stack.wait_status(so, "AWAITING_SHIPPING") for so in orders))
    assert await stock(stack) == (10, 10)
    assert await stack.scalar("SELECT sum(reserved_quantity)::int FROM fulfillment_lines") == 10


async def test_canceling_a_backorder_releases_its_stock(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=stock_setup(3))
    so = await book(stack, 5)
    await stack.wait_status(so, "BACKORDERED")
    await stack.call(
        "POST",
        f"/orders/{so}/lines/1/cancel",
        role="orders",
        json={"quantity": 2, "reason": "Fewer flowers"},
    )
    # 3 left open and 3 reserved: it can ship now.
    await stack.wait_status(so, "AWAITING_SHIPPING")
    await stack.call("POST", f"/orders/{so}/lines/1/cancel", role="orders", json={})
    await stack.wait_status(so, "CANCELED")
    assert await stock(stack) == (3, 0)


def reservation(line: dict[str, Any]) -> str:
    [supply] = line["supply"]
    assert supply["document_type"] == "RESERVATION"
    return str(supply["status"])


async def test_a_reservation_is_received_once_nothing_is_left_to_supply(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=stock_setup(5))
    full = await book(stack, 5)
    line = await stack.wait_status(full, "AWAITING_SHIPPING")
    assert line["waiting_for"] == "Reserved; waiting for a pick wave at M1"
    assert reservation(line) == "RECEIVED"
    # The Web UI's SupplyStatus search attribute says so too.
    handle = stack.client.get_workflow_handle(f"order-{full}-line-1")
    described = await poll(
        handle.describe, lambda d: d.typed_search_attributes.get(SUPPLY_STATUS) == "RECEIVED"
    )
    assert described.typed_search_attributes.get(SUPPLY_STATUS) == "RECEIVED"

    short = await book(stack, 3)
    line = await stack.wait_status(short, "BACKORDERED")
    assert reservation(line) == "AWAITING_RECEIPT"
    # Stock arrives: answered, the line shows it reserved, its reservation received.
    await stack.call("PUT", "/setup", json=stock_setup(8))
    line = await stack.line(short)
    assert (line["status"], reservation(line)) == ("AWAITING_SHIPPING", "RECEIVED")
    # And once its workflow has heard of it.
    line = await stack.wait_line(
        short, until=lambda v: any("arriving stock" in e["detail"] for e in v["events"])
    )
    assert reservation(line) == "RECEIVED"

    line = await stack.ship(full, 5)
    assert reservation(line) == "CLOSED"
