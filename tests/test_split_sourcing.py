"""A line split across sources by allocation: one pegged document per source, each for its
share, reserved as each arrives; cancellations reduce the later documents first."""

from __future__ import annotations

from typing import Any

from tests.conftest import Stack
from tests.test_make_flow import book_rack, complete, make_setup


def split_setup(*, approval: bool = False) -> dict[str, Any]:
    """Racks: 60% bought from SUP-ACME, 40% made at M1."""
    setup = make_setup(fallback_buy=True)
    if approval:
        setup["blanket_agreements"][-1]["automatically_submit_for_approval"] = False
    setup["sourcing_rules"][-1]["sources"] = [
        {"type": "BUY", "supplier": "SUP-ACME", "rank": 1, "allocation_pct": 60},
        {"type": "MAKE", "rank": 1, "allocation_pct": 40},
    ]
    return setup


async def split_line(stack: Stack, quantity: int, **setup: Any) -> tuple[str, str, str]:
    so = await book_rack(stack, quantity, split_setup(**setup))
    line = await stack.wait_line(so, until=lambda v: len(v["supply"]) == 2)
    kinds = {s["type"]: s for s in line["supply"]}
    return so, kinds["BUY"]["document_number"], kinds["MAKE"]["document_number"]


async def test_split_buy_and_make_each_pegged_reserved_as_they_arrive(stack: Stack) -> None:
    so, po, wo = await split_line(stack, 10)
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    buy, make = line["supply"]
    assert (buy["type"], buy["quantity"], buy["supplier"]) == ("BUY", 6, "SUP-ACME")
    assert (make["type"], make["quantity"], make["status"]) == ("MAKE", 4, "IN_PRODUCTION")
    why = [e["detail"] for e in line["events"] if e["type"] == "LINE_SCHEDULED"]
    assert "rank 1 BUY from SUP-ACME on agreement BPA-RACK (60%: 6)" in why
    assert "rank 1 MAKE at M1 (40%: 4)" in why
    pegs = await stack.scalar(
        "SELECT string_agg(document_type || ':' || document_number, ',' ORDER BY document_type)"
        " FROM pegs WHERE order_number = $1",
        so,
    )
    assert pegs == f"PURCHASE_ORDER:{po},WORK_ORDER:{wo}"
    assert await stack.scalar("SELECT quantity FROM purchase_order_lines") == 6
    assert await stack.scalar("SELECT quantity FROM work_orders") == 4

    await stack.receive(so, po, 6, "r1")
    line = await stack.wait_line(so, until=lambda v: v["reserved_quantity"] == 6)
    assert line["status"] == "AWAITING_SUPPLY"  # the made part is still to come
    assert [s["status"] for s in line["supply"]] == ["RECEIVED", "IN_PRODUCTION"]
    assert f"{po} 6 of 6, {wo} 0 of 4" in line["waiting_for"]
    # Each document takes only its own share.
    over = await complete(stack, so, wo, 5, "c-over", expect=409)
    assert over["accepted"] is False
    await complete(stack, so, wo, 4, "c1")
    line = await stack.ship(so, 10)
    assert line["reserved_quantity"] == 0 and line["shipped_quantity"] == 10
    # One AP invoice, for the bought part; both documents closed.
    assert await stack.scalar("SELECT count(*) FROM ap_invoices") == 1
    assert await stack.scalar("SELECT quantity FROM ap_invoices") == 6
    assert await stack.scalar("SELECT status FROM work_orders") == "CLOSED"
    assert await stack.scalar("SELECT status FROM purchase_orders") == "CLOSED"


async def test_cancel_reduces_the_later_document_and_keeps_what_arrived(stack: Stack) -> None:
    so, po, wo = await split_line(stack, 10)
    await complete(stack, so, wo, 2, "c1")
    await stack.wait_line(so, until=lambda v: v["reserved_quantity"] == 2)
    await stack.call(
        "POST", f"/orders/{so}/lines/1/cancel", role="orders", json={"quantity": 5, "reason": "x"}
    )
    # 5 still needed: the 2 made stay, so the PO keeps 3 and the work order stops at 2.
    line = await stack.wait_line(so, until=lambda v: [s["quantity"] for s in v["supply"]] == [3, 2])
    assert line["canceled_quantity"] == 5
    assert await stack.scalar("SELECT canceled_quantity FROM purchase_order_lines") == 3
    assert await stack.scalar("SELECT canceled_quantity FROM work_orders") == 2
    assert await stack.scalar("SELECT status FROM work_orders") == "COMPLETED"
    await stack.receive(so, po, 3, "r1")
    line = await stack.ship(so, 5)
    assert line["shipped_quantity"] == 5 and line["canceled_quantity"] == 5


async def test_split_line_waits_for_approval_of_its_po_only_after_all_parts_exist(
    stack: Stack,
) -> None:
    so, po, wo = await split_line(stack, 5, approval=True)
    line = await stack.wait_line(so, until=lambda v: v["waiting_for"] is not None)
    assert [s["status"] for s in line["supply"]] == ["AWAITING_APPROVAL", "IN_PRODUCTION"]
    assert line["waiting_for"] == f"Waiting for a buyer to approve {po}"
    await stack.call("POST", f"/purchase-orders/{po}/approve", role="buyer")
    line = await stack.wait_line(so, until=lambda v: v["supply"][0]["status"] == "AWAITING_RECEIPT")
    await stack.receive(so, po, 3, "r1")
    await complete(stack, so, wo, 2, "c1")
    line = await stack.ship(so, 5)
    assert line["status"] == "CLOSED"


async def test_allocations_of_a_rank_must_add_up_to_100(stack: Stack) -> None:
    setup = split_setup()
    setup["sourcing_rules"][-1]["sources"][1]["allocation_pct"] = 30
    answer = await stack.call("PUT", "/setup", json=setup, expect=422)
    index = len(setup["sourcing_rules"]) - 1
    assert answer["errors"][0]["field"] == f"sourcing_rules[{index}]"
    assert "rank 1 sources add up to 90, not 100" in answer["errors"][0]["message"]
    assert await stack.scalar("SELECT count(*) FROM items") == 0
