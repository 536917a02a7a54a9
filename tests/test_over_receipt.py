"""Over-receipt tolerance (contract: "Over-receipt tolerance"), end to end on the dev server
and PostgreSQL: within the agreement's tolerance the excess goes to free on-hand, not to the
line; beyond it the receipt answers 409 naming the tolerance and changes nothing; the PO
shows what was received over, and its AP invoice bills it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.conftest import Stack, order_number
from tests.fixtures import demo_setup, laptop_order


def setup_with_tolerance(pct: str) -> dict[str, Any]:
    setup = demo_setup()
    for agreement in setup["blanket_agreements"]:
        if agreement["number"] == "BPA-1":
            agreement["over_receipt_tolerance_pct"] = pct
    return setup


async def on_hand(stack: Stack) -> tuple[Decimal, Decimal]:
    quantity = await stack.scalar(
        "SELECT quantity FROM on_hand WHERE item = 'LAPTOP-X1' AND organization = 'M1'"
    )
    reserved = await stack.scalar(
        "SELECT reserved FROM on_hand WHERE item = 'LAPTOP-X1' AND organization = 'M1'"
    )
    return quantity or Decimal(0), reserved or Decimal(0)


async def test_within_the_tolerance_the_excess_goes_to_free_on_hand(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=setup_with_tolerance("10"))  # 10 % of 50: 5 more
    so = order_number()
    await stack.call("POST", "/orders", json=laptop_order(so, 50), role="orders", expect=202)
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    po = line["supply"][0]["document_number"]
    before = await on_hand(stack)

    await stack.receive(so, po, 30, "r1")
    answer = await stack.receive(so, po, 24, "r2")  # 20 open, 4 over
    assert answer["accepted"] and answer["line_status"] == "AWAITING_SHIPPING"
    assert Decimal(str(answer["reserved_quantity"])) == 50
    assert Decimal(str(answer["over_receipt_quantity"])) == 4
    quantity, reserved = await on_hand(stack)
    assert (quantity - before[0], reserved - before[1]) == (54, 50)  # 4 free

    # Two more would make 6 over: beyond the tolerance, refused whole, nothing changed.
    refused = await stack.receive(so, po, 2, "r3", expect=409)
    assert "tolerance" in refused["reason"] and "10%" in refused["reason"]
    assert await on_hand(stack) == (quantity, reserved)
    # One more fits (5 over in all): recorded, the line untouched.
    last = await stack.receive(so, po, 1, "r4")
    assert last["accepted"] and Decimal(str(last["over_receipt_quantity"])) == 1
    assert Decimal(str(last["reserved_quantity"])) == 50
    assert await on_hand(stack) == (quantity + 1, reserved)

    described = await stack.call("GET", f"/purchase-orders/{po}")
    po_line = described["lines"][0]
    assert Decimal(str(po_line["received_quantity"])) == 50
    assert Decimal(str(po_line["over_received_quantity"])) == 5
    view = await stack.wait_line(so, until=lambda v: Decimal(str(v["reserved_quantity"])) == 50)
    assert Decimal(str(view["received_quantity"])) == 50  # the line got only its own

    # Shipped and closed: the supplier is billed for the 55 accepted, and the match holds.
    await stack.ship(so, 50)
    await stack.wait_order_closed(so)
    assert await stack.scalar("SELECT quantity FROM ap_invoices WHERE po_number = $1", po) == 55
    assert await stack.scalar("SELECT status FROM ap_invoices WHERE po_number = $1", po) == (
        "VALIDATED"
    )
    quantity_after, reserved_after = await on_hand(stack)
    assert quantity_after - reserved_after == quantity + 1 - reserved  # the 5 stay free


async def test_without_a_tolerance_one_more_is_refused_naming_it(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = order_number()
    await stack.call("POST", "/orders", json=laptop_order(so, 50), role="orders", expect=202)
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    po = line["supply"][0]["document_number"]
    refused = await stack.receive(so, po, 51, "r1", expect=409)
    assert "over-receipt" in refused["reason"] and "tolerance of 0%" in refused["reason"]
    assert await stack.scalar("SELECT count(*) FROM receipts WHERE document_number = $1", po) == 0
