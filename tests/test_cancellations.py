"""Cancellations reach the supply: before the PO, after it, after a partial receipt."""

from __future__ import annotations

from decimal import Decimal

from tests.conftest import Stack, order_number, poll
from tests.fixtures import demo_setup, laptop_order


async def test_cancel_before_the_po_is_created_makes_no_po(idle_stack: Stack) -> None:
    stack = idle_stack
    so = order_number()
    await stack.call("PUT", "/setup", json=demo_setup())
    await stack.call("POST", "/orders", json=laptop_order(so), role="orders", expect=202)
    # No worker yet: the line has not been scheduled, so nothing exists to compensate.
    canceled = await stack.call(
        "POST",
        f"/orders/{so}/lines/1/cancel",
        role="orders",
        json={"reason": "Customer changed their mind"},
    )
    assert canceled["line_status"] == "CANCELED" and canceled["remaining_quantity"] == 0
    await stack.start_worker()
    line = await stack.wait_status(so, "CANCELED")
    assert line["cancel_reason"] == "Customer changed their mind"
    assert Decimal(str(line["canceled_quantity"])) == 50 and line["line_amount"] == "0.00"
    assert line["supply"] == []
    assert await stack.scalar("SELECT count(*) FROM purchase_orders") == 0
    # No signal stays owed: delivered once the line started, or settled by the credit check
    # when the line was canceled before it could start.
    pending = "SELECT count(*) FROM signal_outbox WHERE delivered_at IS NULL"
    assert await poll(lambda: stack.scalar(pending), lambda n: n == 0) == 0
    await stack.wait_order_closed(so)


async def test_cancel_after_po_cancels_the_po_line(stack: Stack) -> None:
    so = order_number()
    await stack.call("PUT", "/setup", json=demo_setup())
    await stack.call("POST", "/orders", json=laptop_order(so), role="orders", expect=202)
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    po = line["supply"][0]["document_number"]
    await stack.call("POST", f"/orders/{so}/cancel", role="orders", json={"reason": "Dup"})
    # The line shows CANCELED as soon as the cancel is answered; its workflow then
    # cancels the PO it made.
    line = await stack.wait_line(
        so, until=lambda v: v["status"] == "CANCELED" and v["supply"][0]["status"] == "CANCELED"
    )
    assert (
        await stack.scalar("SELECT status FROM purchase_orders WHERE po_number = $1", po)
        == "CANCELED"
    )
    refused = await stack.receive(so, po, 5, "late", expect=409)
    assert refused["accepted"] is False and "canceled" in refused["reason"]


async def test_partial_cancel_after_partial_receipt_reduces_po_and_continues(
    stack: Stack,
) -> None:
    so = order_number()
    await stack.call("PUT", "/setup", json=demo_setup())
    await stack.call("POST", "/orders", json=laptop_order(so), role="orders", expect=202)
    po = (await stack.wait_status(so, "AWAITING_SUPPLY"))["supply"][0]["document_number"]
    await stack.receive(so, po, 30, "r1")
    # 50 ordered, 30 received: cancel 10 -> 40 open, the PO keeps 40, 10 more to come.
    reduced = await stack.call(
        "POST",
        f"/orders/{so}/lines/1/cancel",
        role="orders",
        json={"quantity": 10, "reason": "Budget cut"},
    )
    assert reduced["line_status"] == "AWAITING_SUPPLY" and reduced["remaining_quantity"] == 40
    line = await stack.wait_line(
        so, until=lambda v: v["canceled_quantity"] == 10 and v["supply"][0]["quantity"] == 40
    )
    assert line["line_amount"] == "58000.00"
    assert (
        await stack.scalar(
            "SELECT canceled_quantity FROM purchase_order_lines WHERE po_number = $1", po
        )
        == 10
    )
    over = await stack.receive(so, po, 11, "r-over", expect=409)
    assert "over-receipt" in over["reason"]
    await stack.receive(so, po, 10, "r2")
    await stack.wait_status(so, "AWAITING_SHIPPING")


async def test_cancel_below_received_releases_the_excess_reservation(stack: Stack) -> None:
    so = order_number()
    await stack.call("PUT", "/setup", json=demo_setup())
    await stack.call("POST", "/orders", json=laptop_order(so), role="orders", expect=202)
    po = (await stack.wait_status(so, "AWAITING_SUPPLY"))["supply"][0]["document_number"]
    await stack.receive(so, po, 30, "r1")
    await stack.wait_line(so, until=lambda v: v["reserved_quantity"] == 30)
    # Keep only 20: the 10 received beyond that go back to free stock.
    await stack.call(
        "POST",
        f"/orders/{so}/lines/1/cancel",
        role="orders",
        json={"quantity": 30, "reason": "Reduced"},
    )
    line = await stack.wait_line(so, until=lambda v: v["reserved_quantity"] == 20)
    assert line["status"] == "AWAITING_SHIPPING"
    on_hand = await stack.scalar(
        "SELECT row(quantity, reserved)::text FROM on_hand WHERE item = 'LAPTOP-X1'"
    )
    assert on_hand == "(30.0000,20.0000)"
    # The PO cannot go below what was received (the line's workflow reduces it).
    line = await stack.wait_line(so, until=lambda v: v["supply"][0]["quantity"] != 50)
    assert line["supply"][0]["quantity"] == 30
    assert (
        await stack.scalar(
            "SELECT quantity - canceled_quantity FROM purchase_order_lines WHERE po_number = $1", po
        )
        == 30
    )


async def test_cancel_after_shipment_is_refused(stack: Stack) -> None:
    so = order_number()
    await stack.call("PUT", "/setup", json=demo_setup())
    await stack.call(
        "POST", "/orders", json=laptop_order(so, quantity=2), role="orders", expect=202
    )
    po = (await stack.wait_status(so, "AWAITING_SUPPLY"))["supply"][0]["document_number"]
    await stack.receive(so, po, 2, "r1")
    await stack.call(
        "POST", "/pick-waves", role="scanner", json={"organization": "M1", "order_number": so}
    )
    await stack.call(
        "POST",
        "/scans/picks",
        role="scanner",
        json={"scan_id": f"{so}-p", "order_number": so, "line_number": 1, "picked_quantity": 2},
    )
    await stack.call(
        "POST",
        "/scans/shipments",
        role="scanner",
        json={"scan_id": f"{so}-s", "order_number": so, "line_number": 1, "shipped_quantity": 2},
    )
    refused = await stack.call(
        "POST", f"/orders/{so}/lines/1/cancel", role="orders", json={}, expect=409
    )
    assert "has shipped" in refused["reason"]
    await stack.wait_status(so, "CLOSED")
    assert await stack.scalar("SELECT canceled_quantity FROM fulfillment_lines") == 0


async def test_po_waits_for_buyer_approval(stack: Stack) -> None:
    so = order_number()
    await stack.call("PUT", "/setup", json=demo_setup())
    order = laptop_order(so, quantity=1)
    order["lines"][0]["item_number"] = "SERVER-HE"
    await stack.call("POST", "/orders", json=order, role="orders", expect=202)
    line = await stack.wait_line(so, until=lambda v: bool(v["supply"]))
    supply = line["supply"][0]
    assert supply["status"] == "AWAITING_APPROVAL" and supply["supplier"] == "SUP-HELIX"
    assert "approve" in line["waiting_for"]
    po = supply["document_number"]
    early = await stack.receive(so, po, 1, "early", expect=409)
    assert "awaiting approval" in early["reason"]
    forbidden = await stack.call(
        "POST", f"/purchase-orders/{po}/approve", role="scanner", expect=403
    )
    assert "buyer" in forbidden["detail"]
    approved = await stack.call("POST", f"/purchase-orders/{po}/approve", role="buyer")
    assert approved["status"] == "OPEN" and approved["already_approved"] is False
    again = await stack.call("POST", f"/purchase-orders/{po}/approve", role="buyer")
    assert again["already_approved"] is True
    await stack.wait_line(so, until=lambda v: v["supply"][0]["status"] == "AWAITING_RECEIPT")
    await stack.receive(so, po, 1, "r1")
    await stack.wait_status(so, "AWAITING_SHIPPING")


async def test_item_without_sourcing_rule_needs_manual_action(stack: Stack) -> None:
    so = order_number()
    setup = demo_setup()
    setup["items"].append({"number": "GPU-Z", "list_price": "900", "back_to_back_enabled": True})
    await stack.call("PUT", "/setup", json=setup)
    order = laptop_order(so, quantity=1)
    order["lines"][0]["item_number"] = "GPU-Z"
    await stack.call("POST", "/orders", json=order, role="orders", expect=202)
    line = await stack.wait_status(so, "MANUAL_ACTION_REQUIRED")
    assert "no sourcing rule for item GPU-Z" in line["manual_action_reason"]
