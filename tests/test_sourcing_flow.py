"""Which lines are back-to-back, and which source they get, end to end."""

from __future__ import annotations

from tests.conftest import Stack, order_number
from tests.fixtures import demo_setup, laptop_order


async def book_item(stack: Stack, item: str, *, customer: str = "CUST-100", **line: object) -> str:
    so = order_number()
    order = laptop_order(so, quantity=2, **line)
    order["lines"][0]["item_number"] = item
    order["customer_number"] = customer
    await stack.call("POST", "/orders", json=order, role="orders", expect=202)
    return so


async def test_variant_is_bought_on_its_items_rule_and_agreement(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = await book_item(stack, "LAPTOP-X1-32GB")
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    assert line["back_to_back_reason"] == "variant is back-to-back enabled"
    assert line["unit_price"] == "1650.00"  # the variant's own list price
    assert line["supply"][0]["supplier"] == "SUP-ACME"
    assert await stack.scalar("SELECT item FROM purchase_order_lines") == "LAPTOP-X1-32GB"


async def test_back_to_back_customer_makes_a_stock_item_back_to_back(stack: Stack) -> None:
    setup = demo_setup()
    setup["customers"].append({"number": "CUST-B2B", "name": "Always B2B", "back_to_back": True})
    await stack.call("PUT", "/setup", json=setup)
    so = await book_item(stack, "CABLE-C6", customer="CUST-B2B")
    line = await stack.wait_status(so, "MANUAL_ACTION_REQUIRED")
    assert line["back_to_back"] is True
    assert line["back_to_back_reason"] == "customer is flagged back-to-back"
    # It is sourced like any back-to-back line: the cable has no sourcing rule.
    assert "no sourcing rule for item CABLE-C6" in line["manual_action_reason"]


async def test_line_flag_wins_over_the_item(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = await book_item(stack, "LAPTOP-X1", back_to_back=False)
    # Not back-to-back: it ships from stock, and there is none of this laptop in stock.
    line = await stack.wait_status(so, "BACKORDERED")
    assert line["back_to_back"] is False and line["back_to_back_reason"] == "line flag is cleared"
    assert line["supply"][0]["type"] == "ON_HAND" and line["reserved_quantity"] == 0
    assert await stack.scalar("SELECT count(*) FROM purchase_orders") == 0


async def test_rank_one_without_agreement_falls_back_to_rank_two(stack: Stack) -> None:
    setup = demo_setup()
    setup["suppliers"].append({"number": "SUP-NEW", "name": "New supplier"})
    setup["sourcing_rules"][0]["sources"] = [
        {"type": "BUY", "supplier": "SUP-NEW", "rank": 1},
        {"type": "BUY", "supplier": "SUP-ACME", "rank": 2},
    ]
    await stack.call("PUT", "/setup", json=setup)
    so = await book_item(stack, "LAPTOP-X1")
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    assert line["supply"][0]["supplier"] == "SUP-ACME"
    why = [e["detail"] for e in line["events"] if e["type"] == "LINE_SCHEDULED"]
    assert "rank 1 BUY: no active blanket agreement with SUP-NEW for LAPTOP-X1" in why
    assert "rank 2 BUY from SUP-ACME on agreement BPA-1" in why
