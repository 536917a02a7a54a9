"""Order revisions: quantity decreases and increases at any stage before shipment, the
customer's reason kept, flags fixed at booking, new lines, all-or-nothing validation."""

from __future__ import annotations

from typing import Any

from tests.conftest import Stack
from tests.fixtures import demo_setup
from tests.test_backorders import (
    book_line,
    events,
    partly_shipped_with_a_backorder,
    pick,
    ship,
    wave,
)
from tests.test_on_hand_flow import stock, stock_setup


async def revise(stack: Stack, so: str, expect: int = 200, **body: Any) -> Any:
    return await stack.call(
        "POST", f"/orders/{so}/revisions", role="orders", json=body, expect=expect
    )


async def test_a_revision_reason_is_kept_for_later_backorder_cancels(stack: Stack) -> None:
    """Seed 004: 10 ordered, 2 canceled in a revision as damaged, 3 backordered later."""
    await stack.call("PUT", "/setup", json=stock_setup(10))
    so = await book_line(stack, 10, cancel_backorders=True)
    await stack.wait_status(so, "AWAITING_SHIPPING")
    answer = await revise(
        stack, so, change_lines=[{"line_number": 1, "quantity": 8, "reason": "The item is damaged"}]
    )
    assert answer["changed"][0]["remaining_quantity"] == 8
    await stack.wait_line(so, until=lambda v: v["canceled_quantity"] == 2)
    await wave(stack, so)
    await pick(stack, so, 8)
    await stack.wait_status(so, "STAGED")
    await ship(stack, so, 5, 3)
    line = await stack.wait_status(so, "CLOSED")
    assert line["cancel_reason"] == "The item is damaged"
    assert events(line, "LINE_QUANTITY_REDUCED") == ["2 canceled: The item is damaged"]
    assert events(line, "BACKORDER_CANCELED") == ["3 canceled: The item is damaged"]
    assert await stock(stack) == (5, 0)


async def test_increase_while_awaiting_supply_buys_the_difference(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = await book_line(stack, 10, item="LAPTOP-X1")
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    first_po = line["supply"][0]["document_number"]
    answer = await revise(stack, so, change_lines=[{"line_number": 1, "quantity": 15}])
    assert answer["changed"][0]["ordered_quantity"] == 15
    line = await stack.wait_line(so, until=lambda v: len(v["supply"]) == 2)
    second = line["supply"][1]
    assert (second["type"], second["quantity"]) == ("BUY", 5) and line["ordered_quantity"] == 15
    await stack.receive(so, first_po, 10, "r1")
    await stack.receive(so, second["document_number"], 5, "r2")
    line = await stack.ship(so, 15)
    assert line["shipped_quantity"] == 15 and line["line_amount"] == "21750.00"
    assert await stack.scalar("SELECT count(*) FROM ap_invoices") == 2


async def test_increase_after_supply_arrived_sends_the_line_back_for_more(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = await book_line(stack, 4, item="LAPTOP-X1")
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    await stack.receive(so, line["supply"][0]["document_number"], 4, "r1")
    await stack.wait_status(so, "AWAITING_SHIPPING")
    await revise(stack, so, change_lines=[{"line_number": 1, "quantity": 6}])
    line = await stack.wait_line(
        so, until=lambda v: len(v["supply"]) == 2 and v["status"] == "AWAITING_SUPPLY"
    )
    assert await stack.scalar("SELECT status FROM fulfillment_lines") == "AWAITING_SUPPLY"
    # Ship what has arrived: a pick wave releases the 4 there, the 2 more wait for their PO.
    partial = await stack.call(
        "POST", "/pick-waves", role="scanner", json={"organization": "M1", "order_number": so}
    )
    assert [(x["released_quantity"], x["backordered_quantity"]) for x in partial["lines"]] == [
        (4, 2)
    ]
    await stack.receive(so, line["supply"][1]["document_number"], 2, "r2")
    await stack.wait_status(so, "AWAITING_SHIPPING")
    line = await stack.ship(so, 6)
    assert line["shipped_quantity"] == 6


async def test_increase_of_a_stock_line_reserves_free_stock_at_once(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=stock_setup(10))
    so = await book_line(stack, 6)
    await stack.wait_status(so, "AWAITING_SHIPPING")
    answer = await revise(stack, so, change_lines=[{"line_number": 1, "quantity": 9}])
    assert answer["changed"][0]["line_status"] == "AWAITING_SHIPPING"
    line = await stack.wait_line(so, until=lambda v: v["reserved_quantity"] == 9)
    assert line["ordered_quantity"] == 9 and await stock(stack) == (10, 9)
    line = await stack.ship(so, 9)
    assert await stock(stack) == (1, 0)


async def test_revision_refusals_name_the_rule_and_change_nothing(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=stock_setup(10))
    so = await book_line(stack, 10, cancel_backorders=True)
    await stack.wait_status(so, "AWAITING_SHIPPING")
    before = await stack.scalar("SELECT count(*) FROM business_events")
    # A valid decrease beside a flag change: the whole revision is refused.
    flag = await revise(
        stack,
        so,
        expect=409,
        change_lines=[{"line_number": 1, "quantity": 5, "enforce_single_shipment": True}],
    )
    assert flag["field"] == "change_lines[0].enforce_single_shipment"
    unknown = await revise(stack, so, expect=422, change_lines=[{"line_number": 7, "quantity": 1}])
    assert unknown["field"] == "change_lines[0].line_number"
    taken = await revise(
        stack,
        so,
        expect=409,
        add_lines=[{"line_number": 1, "item_number": "BOUQUET", "quantity": 1}],
    )
    assert taken["field"] == "add_lines[0].line_number"
    bad_item = await revise(
        stack,
        so,
        expect=422,
        change_lines=[{"line_number": 1, "quantity": 5}],
        add_lines=[{"line_number": 2, "item_number": "NOPE", "quantity": 1}],
    )
    assert bad_item["field"] == "add_lines[0].item_number"
    empty = await revise(stack, so, expect=422)
    assert "at least one line" in empty["reason"]
    assert await stack.scalar("SELECT canceled_quantity FROM fulfillment_lines") == 0
    assert await stack.scalar("SELECT count(*) FROM fulfillment_lines") == 1
    assert await stack.scalar("SELECT count(*) FROM business_events") == before
    # Released to the warehouse: down only; shipped: no change at all.
    await wave(stack, so)
    await stack.wait_status(so, "PICK_RELEASED")
    up = await revise(stack, so, expect=409, change_lines=[{"line_number": 1, "quantity": 11}])
    assert up["field"] == "change_lines[0].quantity"
    await pick(stack, so, 10)
    await stack.wait_status(so, "STAGED")
    await ship(stack, so, 10)
    await stack.wait_status(so, "CLOSED")
    shipped = await revise(stack, so, expect=409, change_lines=[{"line_number": 1, "quantity": 5}])
    assert "has shipped" in shipped["reason"]


async def test_new_lines_set_their_own_flags_and_run_under_the_order(stack: Stack) -> None:
    setup = stock_setup(0)
    setup["on_hand"].append({"item": "CABLE-C6", "organization": "M1", "quantity": 10})
    await stack.call("PUT", "/setup", json=setup)
    so = await book_line(stack, 3)  # no bouquets in stock: it waits
    await stack.wait_status(so, "BACKORDERED")
    answer = await revise(
        stack,
        so,
        add_lines=[
            {
                "line_number": 2,
                "item_number": "CABLE-C6",
                "quantity": 4,
                "cancel_backorders": True,
                "enforce_single_shipment": True,
            }
        ],
    )
    assert answer["added"] == [
        {
            "line_number": 2,
            "workflow_id": f"order-{so}-line-2",
            "cancel_backorders": True,
            "enforce_single_shipment": True,
        }
    ]
    line = await stack.wait_status(so, "AWAITING_SHIPPING", line_number=2)
    assert line["reserved_quantity"] == 4
    order = await stack.call("GET", f"/orders/{so}")
    assert [li["line_number"] for li in order["lines"]] == [1, 2]
    await stack.call("POST", f"/orders/{so}/lines/1/cancel", role="orders", json={})
    await wave(stack, so)
    await stack.call(
        "POST",
        "/scans/picks",
        role="scanner",
        json={"scan_id": f"{so}-p2", "order_number": so, "line_number": 2, "picked_quantity": 4},
    )
    await stack.wait_status(so, "STAGED", line_number=2)
    await stack.call(
        "POST",
        "/scans/shipments",
        role="scanner",
        json={"scan_id": f"{so}-s2", "order_number": so, "line_number": 2, "shipped_quantity": 3},
    )
    line = await stack.wait_status(so, "CLOSED", line_number=2)
    assert (line["shipped_quantity"], line["canceled_quantity"]) == (3, 1)  # single shipment
    result = await stack.wait_order_closed(so)
    assert result["status"] == "CLOSED"
    order = await stack.call("GET", f"/orders/{so}")
    assert [li["status"] for li in order["lines"]] == ["CANCELED", "CLOSED"]


async def test_a_revision_that_raises_the_total_is_checked_against_the_credit_limit(
    stack: Stack,
) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())  # CUST-100 may owe 250000.00
    so = await book_line(stack, 100, item="LAPTOP-X1")  # 100 x (1450 - 10) = 144000.00
    await stack.wait_status(so, "AWAITING_SUPPLY")
    over = await revise(stack, so, expect=409, change_lines=[{"line_number": 1, "quantity": 180}])
    assert over["field"] == "credit" and "exceed" in over["reason"]
    assert await stack.scalar("SELECT ordered_quantity FROM fulfillment_lines") == 100
    assert await stack.scalar("SELECT amount FROM credit_authorizations") == 144000
    await revise(stack, so, change_lines=[{"line_number": 1, "quantity": 150}])
    assert await stack.scalar("SELECT amount FROM credit_authorizations") == 216000
    order = await stack.call("GET", f"/orders/{so}")
    assert order["credit_authorization"]["amount"] == "216000.00"


async def test_a_po_canceled_before_anything_arrived_gets_no_ap_invoice(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = await book_line(stack, 4, item="LAPTOP-X1")
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    await stack.receive(so, line["supply"][0]["document_number"], 4, "r1")
    await stack.wait_status(so, "AWAITING_SHIPPING")
    await revise(stack, so, change_lines=[{"line_number": 1, "quantity": 6}])
    line = await stack.wait_line(so, until=lambda v: len(v["supply"]) == 2)
    await revise(stack, so, change_lines=[{"line_number": 1, "quantity": 4, "reason": "x"}])
    line = await stack.wait_line(so, until=lambda v: v["supply"][1]["status"] == "CANCELED")
    line = await stack.ship(so, 4)
    assert [i["kind"] for i in line["invoices"]] == ["AR", "AP"]
    assert await stack.scalar("SELECT count(*) FROM ap_invoices") == 1


async def test_a_partly_shipped_line_may_be_revised_down_to_what_shipped(stack: Stack) -> None:
    so = await partly_shipped_with_a_backorder(stack)
    below = await revise(stack, so, expect=409, change_lines=[{"line_number": 1, "quantity": 7}])
    assert below["field"] == "change_lines[0].quantity"
    await revise(stack, so, change_lines=[{"line_number": 1, "quantity": 8, "reason": "enough"}])
    line = await stack.wait_status(so, "CLOSED")
    assert (line["shipped_quantity"], line["canceled_quantity"]) == (8, 2)
    assert line["cancel_reason"] == "enough"
