"""Cancel Backorders and Enforce Single Shipment, seed 004's quantity-10 line end to end:
at pick release, at pick confirm, at ship confirm; single shipment; the Cancel Supply When
Canceling Backorders parameter; volume discounts and cancellation reasons after a cancel."""

from __future__ import annotations

from typing import Any

from tests.conftest import Stack, order_number
from tests.fixtures import demo_setup, laptop_order
from tests.test_on_hand_flow import stock, stock_setup

FLAGS: dict[str, Any] = {"cancel_backorders": True}
SINGLE: dict[str, Any] = {"cancel_backorders": True, "enforce_single_shipment": True}


async def book_line(stack: Stack, quantity: int, item: str = "BOUQUET", **line: Any) -> str:
    so = order_number()
    order = laptop_order(so, quantity=quantity, item_number=item, **line)
    await stack.call("POST", "/orders", json=order, role="orders", expect=202)
    return so


async def wave(stack: Stack, so: str) -> dict[str, Any]:
    answer = await stack.call(
        "POST", "/pick-waves", role="scanner", json={"organization": "M1", "order_number": so}
    )
    return answer["lines"][0]


async def scan(
    stack: Stack, so: str, kind: str, quantity: int, backordered: int = 0, **kw: Any
) -> Any:
    """A pick or ship confirm of line 1 (`kind` "picked" or "shipped")."""
    return await stack.call(
        "POST",
        "/scans/picks" if kind == "picked" else "/scans/shipments",
        role="scanner",
        json={
            "scan_id": f"{so}-{kind}{quantity}-{backordered}",
            "order_number": so,
            "line_number": 1,
            f"{kind}_quantity": quantity,
            "backordered_quantity": backordered,
        },
        **kw,
    )


async def pick(stack: Stack, so: str, picked: int, backordered: int = 0, **kw: Any) -> Any:
    return await scan(stack, so, "picked", picked, backordered, **kw)


async def ship(stack: Stack, so: str, shipped: int, backordered: int = 0, **kw: Any) -> Any:
    return await scan(stack, so, "shipped", shipped, backordered, **kw)


async def staged_stock_line(stack: Stack, **line: Any) -> str:
    """A stock line of 10 with 10 in stock, released and picked in full: STAGED."""
    await stack.call("PUT", "/setup", json=stock_setup(10))
    so = await book_line(stack, 10, **line)
    await stack.wait_status(so, "AWAITING_SHIPPING")
    await wave(stack, so)
    await pick(stack, so, 10)
    await stack.wait_status(so, "STAGED")
    return so


async def partly_shipped_with_a_backorder(stack: Stack) -> str:
    """A stock line of 10 with 2 not found at pick confirm, kept open; the 8 shipped."""
    await stack.call("PUT", "/setup", json=stock_setup(10))
    so = await book_line(stack, 10)
    await stack.wait_status(so, "AWAITING_SHIPPING")
    await wave(stack, so)
    await pick(stack, so, 8, 2)
    await ship(stack, so, 8)
    await stack.wait_status(so, "BACKORDERED")
    return so


def events(line: dict[str, Any], kind: str) -> list[str]:
    return [e["detail"] for e in line["events"] if e["type"] == kind]


async def test_pick_release_ships_what_is_there_and_cancels_the_backorder(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=stock_setup(6))
    so = await book_line(stack, 10, **FLAGS)
    await stack.wait_status(so, "BACKORDERED")
    released = await wave(stack, so)
    assert (released["released_quantity"], released["backordered_quantity"]) == (6, 4)
    line = await stack.wait_status(so, "PICK_RELEASED")
    assert line["canceled_quantity"] == 4 and line["cancel_reason"] == "Cancel Backorders"
    assert events(line, "BACKORDER_CANCELED") == ["4 canceled: Cancel Backorders"]
    assert line["line_amount"] == "210.00"  # 6 x 35.00: charges follow the new quantity
    await pick(stack, so, 6)
    await stack.wait_status(so, "STAGED")
    await ship(stack, so, 6)
    line = await stack.wait_status(so, "CLOSED")
    assert line["shipped_quantity"] == 6 and line["invoices"][0]["amount"] == "210.00"
    assert await stock(stack) == (0, 0)
    assert (
        await stack.scalar("SELECT count(*) FROM business_events WHERE type = 'BACKORDER_CANCELED'")
        == 1
    )
    order = await stack.call("GET", f"/orders/{so}")
    assert order["total_amount"] == "210.00"


async def test_pick_confirm_cancels_the_backordered_quantity(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=stock_setup(10))
    so = await book_line(stack, 10, **FLAGS)
    await stack.wait_status(so, "AWAITING_SHIPPING")
    await wave(stack, so)
    await stack.wait_status(so, "PICK_RELEASED")
    # Too many: 9 picked and 3 backordered of the 10 released.
    too_many = await pick(stack, so, 9, 3, expect=409)
    assert too_many["accepted"] is False
    answer = await pick(stack, so, 8, 2)
    assert answer["line_status"] == "STAGED" and answer["canceled_quantity"] == 2
    line = await stack.wait_line(so, until=lambda v: v["canceled_quantity"] == 2)
    await stack.wait_status(so, "STAGED")
    await ship(stack, so, 8)
    line = await stack.wait_status(so, "CLOSED")
    assert line["shipped_quantity"] == 8 and line["reserved_quantity"] == 0
    # The 2 not picked went back to stock, free again.
    assert await stock(stack) == (2, 0)


async def test_ship_confirm_cancels_the_backordered_quantity(stack: Stack) -> None:
    so = await staged_stock_line(stack, **FLAGS)
    answer = await ship(stack, so, 7, 3)
    assert answer["line_status"] == "SHIPPED" and answer["canceled_quantity"] == 3
    line = await stack.wait_status(so, "CLOSED")
    assert (line["shipped_quantity"], line["canceled_quantity"]) == (7, 3)
    assert events(line, "BACKORDER_CANCELED") == ["3 canceled: Cancel Backorders"]
    assert await stock(stack) == (3, 0)


async def test_single_shipment_cancels_what_stays_open_even_with_stock(stack: Stack) -> None:
    so = await staged_stock_line(stack, **SINGLE)
    answer = await ship(stack, so, 7)
    assert answer["line_status"] == "SHIPPED" and answer["canceled_quantity"] == 3
    line = await stack.wait_status(so, "CLOSED")
    assert (line["shipped_quantity"], line["canceled_quantity"]) == (7, 3)
    assert await stock(stack) == (3, 0)


async def test_without_the_flag_a_pick_backorder_stays_open_until_stock_arrives(
    stack: Stack,
) -> None:
    await stack.call("PUT", "/setup", json=stock_setup(10))
    so = await book_line(stack, 10)
    await stack.wait_status(so, "AWAITING_SHIPPING")
    await wave(stack, so)
    await stack.wait_status(so, "PICK_RELEASED")
    answer = await pick(stack, so, 8, 2)
    # The step of its least advanced open quantity: 2 waiting for stock again.
    assert answer["line_status"] == "BACKORDERED" and answer["canceled_quantity"] == 0
    # The 2 not found leave on-hand and the line's reservation.
    assert await stock(stack) == (8, 8)
    line = await stack.wait_line(so, until=lambda v: bool(events(v, "LINE_BACKORDERED")))
    assert (line["status"], line["backordered_quantity"]) == ("BACKORDERED", 2)
    assert events(line, "LINE_BACKORDERED")[-1] == (
        "2 not found at pick confirm: kept open as a backorder, to be supplied again"
    )
    await ship(stack, so, 8)
    line = await stack.wait_status(so, "BACKORDERED")
    assert (line["shipped_quantity"], line["canceled_quantity"]) == (8, 0)
    # Stock arrives: the backorder is served, released, picked and shipped.
    await stack.call("PUT", "/setup", json=stock_setup(2))
    await stack.wait_status(so, "AWAITING_SHIPPING")
    released = await wave(stack, so)
    assert released["released_quantity"] == 2
    await pick(stack, so, 2)
    await stack.wait_status(so, "STAGED")
    await ship(stack, so, 2)
    line = await stack.wait_status(so, "CLOSED")
    assert (line["shipped_quantity"], line["canceled_quantity"]) == (10, 0)
    # One AR invoice per ship confirm.
    assert [i["amount"] for i in line["invoices"] if i["kind"] == "AR"] == ["280.00", "70.00"]


async def test_without_the_flag_a_ship_backorder_of_a_back_to_back_line_is_bought_again(
    stack: Stack,
) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = await book_line(stack, 5, item="LAPTOP-X1")
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    first_po = line["supply"][0]["document_number"]
    await stack.receive(so, first_po, 5, "r1")
    await stack.wait_status(so, "AWAITING_SHIPPING")
    await wave(stack, so)
    await pick(stack, so, 5)
    await stack.wait_status(so, "STAGED")
    answer = await ship(stack, so, 3, 2)
    assert answer["line_status"] == "AWAITING_SUPPLY" and answer["canceled_quantity"] == 0
    line = await stack.wait_line(so, until=lambda v: len(v["supply"]) == 2)
    second = line["supply"][1]
    assert (second["type"], second["quantity"]) == ("BUY", 2)
    assert line["status"] == "AWAITING_SUPPLY"
    await stack.receive(so, second["document_number"], 2, "r2")
    await stack.wait_status(so, "AWAITING_SHIPPING")
    await wave(stack, so)
    await pick(stack, so, 2)
    await stack.wait_status(so, "STAGED")
    await ship(stack, so, 2)
    line = await stack.wait_status(so, "CLOSED")
    assert (line["shipped_quantity"], line["canceled_quantity"]) == (5, 0)
    assert await stack.scalar("SELECT count(*) FROM ap_invoices") == 2


async def test_volume_discount_stays_after_a_backorder_cancel(stack: Stack) -> None:
    setup = stock_setup(90)
    setup["items"][-1]["volume_discounts"] = [{"min_quantity": 100, "unit_discount": "10.00"}]
    await stack.call("PUT", "/setup", json=setup)
    so = await book_line(stack, 110, **FLAGS)
    line = await stack.wait_status(so, "BACKORDERED")
    assert line["line_amount"] == "2750.00"  # 110 x (35 - 10)
    await wave(stack, so)
    line = await stack.wait_line(so, until=lambda v: v["canceled_quantity"] == 20)
    assert line["line_amount"] == "2250.00"  # 90 keep the $10 off: 90 x 25


async def test_a_persons_reason_is_kept_for_later_backorder_cancels(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=stock_setup(10))
    so = await book_line(stack, 10, **FLAGS)
    await stack.wait_status(so, "AWAITING_SHIPPING")
    refused = await stack.call(
        "POST",
        f"/orders/{so}/lines/1/cancel",
        role="orders",
        json={"quantity": 2, "reason": "Cancel Backorders"},
        expect=422,
    )
    assert refused["field"] == "reason"
    assert await stack.scalar("SELECT canceled_quantity FROM fulfillment_lines") == 0
    await stack.call(
        "POST",
        f"/orders/{so}/lines/1/cancel",
        role="orders",
        json={"quantity": 2, "reason": "The item is damaged"},
    )
    await stack.wait_line(so, until=lambda v: v["canceled_quantity"] == 2)
    await wave(stack, so)
    await pick(stack, so, 8)
    await stack.wait_status(so, "STAGED")
    await ship(stack, so, 5, 3)
    line = await stack.wait_status(so, "CLOSED")
    assert line["canceled_quantity"] == 5 and line["cancel_reason"] == "The item is damaged"
    assert events(line, "BACKORDER_CANCELED") == ["3 canceled: The item is damaged"]


async def test_cancel_supply_parameter_off_keeps_the_po_for_review(stack: Stack) -> None:
    setup = demo_setup()
    setup["parameters"]["cancel_supply_when_canceling_backorders"] = False
    await stack.call("PUT", "/setup", json=setup)
    so = await book_line(stack, 10, item="LAPTOP-X1", **FLAGS)
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    po = line["supply"][0]["document_number"]
    await stack.receive(so, po, 6, "r1")
    await stack.call("POST", f"/orders/{so}/lines/1/cancel", role="orders", json={"quantity": 4})
    line = await stack.wait_line(so, until=lambda v: v["status"] == "AWAITING_SHIPPING")
    assert events(line, "SUPPLY_KEPT_FOR_REVIEW")
    assert await stack.scalar("SELECT quantity - canceled_quantity FROM purchase_order_lines") == 10
    review = await stack.call("GET", "/supply/review", role="viewer")
    assert [
        (r["document_number"], r["canceled_quantity"], r["document_quantity"])
        for r in review["supply"]
    ] == [(po, 4, 10)]
    # Shipping everything still closes the supply.
    line = await stack.ship(so, 6)
    assert await stack.scalar("SELECT status FROM purchase_orders") == "CLOSED"


async def test_cancel_supply_parameter_on_reduces_the_po(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = await book_line(stack, 10, item="LAPTOP-X1", **SINGLE)
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    po = line["supply"][0]["document_number"]
    await stack.receive(so, po, 10, "r1")
    await stack.wait_status(so, "AWAITING_SHIPPING")
    await wave(stack, so)
    await pick(stack, so, 10)
    await stack.wait_status(so, "STAGED")
    await ship(stack, so, 6, 4)
    line = await stack.wait_status(so, "CLOSED")
    assert (line["shipped_quantity"], line["canceled_quantity"]) == (6, 4)
    # Received goods cannot be un-received: the PO keeps its 10, closed.
    assert await stack.scalar("SELECT status FROM purchase_orders") == "CLOSED"
    assert (await stack.call("GET", "/supply/review"))["supply"] == []


async def test_shipping_within_the_under_tolerance_closes_the_line(stack: Stack) -> None:
    so = await staged_stock_line(stack, under_ship_tolerance_pct=10)
    answer = await ship(stack, so, 9)
    assert answer["line_status"] == "SHIPPED" and answer["canceled_quantity"] == 1
    line = await stack.wait_status(so, "CLOSED")
    assert (line["shipped_quantity"], line["canceled_quantity"]) == (9, 1)
    assert await stock(stack) == (1, 0)


async def test_shipping_below_the_under_tolerance_keeps_the_line_open(stack: Stack) -> None:
    so = await staged_stock_line(stack, under_ship_tolerance_pct=10)
    answer = await ship(stack, so, 8)
    assert answer["line_status"] == "STAGED" and answer["canceled_quantity"] == 0
    await ship(stack, so, 2)
    line = await stack.wait_status(so, "CLOSED")
    assert (line["shipped_quantity"], line["canceled_quantity"]) == (10, 0)


async def test_a_tolerance_out_of_range_is_refused_naming_the_field(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=stock_setup(10))
    order = laptop_order(order_number(), item_number="BOUQUET", under_ship_tolerance_pct=120)
    answer = await stack.call("POST", "/orders", json=order, role="orders", expect=422)
    assert answer["errors"][0]["field"] == "lines[0].under_ship_tolerance_pct"
    assert await stack.scalar("SELECT count(*) FROM orders") == 0


async def test_wave_pick_and_ship_arriving_together_still_close_the_line(stack: Stack) -> None:
    """The warehouse may be faster than the worker: all three signals in one activation."""
    await stack.call("PUT", "/setup", json=stock_setup(10))
    so = await book_line(stack, 10)
    await stack.wait_status(so, "AWAITING_SHIPPING")
    await stack.stop_worker()
    try:
        await wave(stack, so)
        await pick(stack, so, 10)
        await ship(stack, so, 10)
    finally:
        await stack.start_worker()
    line = await stack.wait_status(so, "CLOSED")
    assert line["shipped_quantity"] == 10


async def test_the_backordered_rest_of_a_partly_shipped_line_can_be_canceled(stack: Stack) -> None:
    so = await partly_shipped_with_a_backorder(stack)
    too_much = await stack.call(
        "POST", f"/orders/{so}/lines/1/cancel", role="orders", json={"quantity": 3}, expect=422
    )
    assert "more than the 2 open on the line (8 shipped)" in too_much["reason"]
    answer = await stack.call(
        "POST",
        f"/orders/{so}/lines/1/cancel",
        role="orders",
        json={"reason": "Customer no longer needs them"},
    )
    assert answer["canceled_quantity"] == 2 and answer["remaining_quantity"] == 8
    assert answer["line_status"] == "SHIPPED"
    line = await stack.wait_status(so, "CLOSED")
    assert (line["shipped_quantity"], line["canceled_quantity"]) == (8, 2)
    assert line["invoices"][0]["amount"] == "280.00"
