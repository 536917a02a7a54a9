"""Recorders of the second release's paths (holds, supplier acknowledgments, dates and
jeopardy, drop ship, kits), beside tests/test_record_histories.py; tests/test_replay.py
replays them: `B2B_RECORD_HISTORIES=1 pytest tests/test_record_second_release.py`."""

from __future__ import annotations

import os

import pytest

from tests.conftest import Stack, order_number
from tests.fixtures import demo_setup, laptop_order
from tests.test_acknowledgments import RANK_2, acknowledge, booked, laptop_setup
from tests.test_record_histories import save

RECORDING = pytest.mark.skipif(
    not os.environ.get("B2B_RECORD_HISTORIES"),
    reason="records histories only when B2B_RECORD_HISTORIES is set",
)


@RECORDING
async def test_record_shortfall_resourced_history(stack: Stack) -> None:
    """A cut re-sourced to the rank-2 supplier; both POs received; shipped and closed."""
    so, po = await booked(stack, 10, laptop_setup(*RANK_2))
    await stack.receive(so, po, 3, "r1")
    await acknowledge(stack, po, "ACK-CUT", {"action": "CHANGE", "quantity": 6, "reason": "x"})
    line = await stack.wait_line(so, until=lambda v: len(v["supply"]) == 2)
    await stack.receive(so, po, 3, "r2")
    await stack.call(
        "POST",
        "/scans/receipts",
        role="scanner",
        json={
            "scan_id": f"{so}-r3",
            "po_number": line["supply"][1]["document_number"],
            "quantity": 4,
        },
    )
    await stack.ship(so, 10)
    await stack.wait_order_closed(so)
    await save(stack, "shortfall-resourced-closed", f"order-{so}-line-1")


@RECORDING
async def test_record_shortfall_manual_history(stack: Stack) -> None:
    """A rejection with no other source: manual action, retried in vain, the shortfall's
    quantity canceled; the rest received, shipped and closed."""
    so, po = await booked(stack, 8, laptop_setup())
    await stack.receive(so, po, 2, "r1")
    await acknowledge(stack, po, "ACK-REJ", {"action": "REJECT", "reason": "discontinued"})
    await stack.wait_status(so, "MANUAL_ACTION_REQUIRED")
    await stack.call("POST", f"/orders/{so}/lines/1/retry", role="orders")
    await stack.wait_line(
        so,
        until=lambda v: (
            v["status"] == "MANUAL_ACTION_REQUIRED"
            and sum(e["type"] == "LINE_RETRIED" for e in v["events"]) == 1
        ),
    )
    await stack.call(
        "POST", f"/orders/{so}/lines/1/cancel", role="orders", json={"quantity": 6, "reason": "x"}
    )
    await stack.wait_status(so, "AWAITING_SHIPPING")
    await stack.ship(so, 2)
    await stack.wait_order_closed(so)
    await save(stack, "shortfall-canceled-closed", f"order-{so}-line-1")


@RECORDING
async def test_record_billing_hold_history(stack: Stack) -> None:
    """A line held for billing after it shipped: billing waits, then closes on release."""
    finance = {"code": "FINANCE", "name": "Billing dispute", "blocks": ["BILLING"]}
    await stack.call("PUT", "/setup", json={**demo_setup(), "hold_codes": [finance]})
    so = order_number()
    await stack.call("POST", "/orders", json=laptop_order(so, 5), role="orders", expect=202)
    po = (await stack.wait_status(so, "AWAITING_SUPPLY"))["supply"][0]["document_number"]
    await stack.receive(so, po, 5, "r1")
    body = {"hold_code": "FINANCE", "line_number": 1, "reason": "dispute"}
    held = await stack.call("POST", f"/orders/{so}/holds", role="orders", json=body)
    await stack.call(
        "POST", "/pick-waves", role="scanner", json={"organization": "M1", "order_number": so}
    )
    for kind, path in (("picked", "/scans/picks"), ("shipped", "/scans/shipments")):
        await stack.call(
            "POST",
            path,
            role="scanner",
            json={
                "scan_id": f"{so}-{kind}",
                "order_number": so,
                "line_number": 1,
                f"{kind}_quantity": 5,
            },
        )
    await stack.wait_status(so, "SHIPPED")
    await stack.call(
        "POST",
        f"/orders/{so}/holds/{held['hold_id']}/release",
        role="orders",
        json={"reason": "settled"},
    )
    await stack.wait_order_closed(so)
    await save(stack, "billing-hold-released-line", f"order-{so}-line-1")


@RECORDING
async def test_record_dated_jeopardy_history(stack: Stack) -> None:
    """Jeopardy from dates: a promised date after the requested ship date raises it, a
    revision of the line's date clears it, a revision of the order's raises it again; the
    supply arrives (cleared), the line ships and closes."""
    from tests.test_jeopardy import book, days_from_today

    so, po = await book(stack, 4, days_from_today(20))
    number = po["document_number"]
    ack = {"po_line": 1, "action": "ACCEPT", "promised_date": days_from_today(25)}
    await stack.call(
        "POST",
        f"/purchase-orders/{number}/acknowledgments",
        role="buyer",
        json={"acknowledgment_id": f"{so}-a1", "lines": [ack]},
    )
    await stack.wait_line(so, until=lambda v: v["jeopardy"] is True)
    change = {"line_number": 1, "requested_ship_date": days_from_today(26)}
    await stack.call(
        "POST", f"/orders/{so}/revisions", role="orders", json={"change_lines": [change]}
    )
    await stack.wait_line(so, until=lambda v: v["jeopardy"] is False)
    await stack.receive(so, number, 4, "r1")
    await stack.ship(so, 4)
    await stack.wait_order_closed(so)
    await save(stack, "dated-jeopardy-closed", f"order-{so}-line-1")


@RECORDING
async def test_record_jeopardy_priorities_history(skipping_stack: Stack) -> None:
    """Late supply on a time-skipping server: LOW, MEDIUM, HIGH; then it arrives."""
    from tests.test_jeopardy import book

    stack = skipping_stack
    so, po = await book(stack, 3, None)
    await stack.wait_line(so, until=lambda v: v["jeopardy_priority"] == "HIGH")
    await stack.receive(so, po["document_number"], 3, "r1")
    await stack.ship(so, 3)
    await stack.wait_order_closed(so)
    await save(stack, "jeopardy-priorities-closed", f"order-{so}-line-1")


@RECORDING
async def test_record_drop_ship_history(stack: Stack) -> None:
    """A drop-ship line: a notice, a partial cancel that reduces the PO, the last notice;
    billed per notice and closed."""
    from tests.test_drop_ship import drop_shipped, notice

    so, po = await drop_shipped(stack, 10)
    await stack.wait_status(so, "AWAITING_SUPPLY")
    await notice(stack, po, f"{so}-ASN-1", 4, tracking_number="1Z999")
    await stack.wait_line(so, until=lambda v: len(v["invoices"]) == 1)
    await stack.call(
        "POST", f"/orders/{so}/lines/1/cancel", role="orders", json={"quantity": 2, "reason": "x"}
    )
    await stack.wait_line(so, until=lambda v: v["supply"][0]["quantity"] == 8)
    await notice(stack, po, f"{so}-ASN-2", 4)
    await stack.wait_order_closed(so)
    await save(stack, "drop-ship-closed", f"order-{so}-line-1")


@RECORDING
async def test_record_kit_history(stack: Stack) -> None:
    """A kit of two components, both received, picked and shipped together; the kit closes
    billed as kits. Records the kit line and its first component."""
    from tests.test_kits import ab_setup, book_kit, po_of, receive, scan, set_released, wave

    so, view = await book_kit(stack, "KIT-AB", 2, ab_setup())
    await receive(stack, so, po_of(view, 1), 4, "ra")
    await receive(stack, so, po_of(view, 2), 2, "rb")
    await stack.wait_line(so, until=lambda v: v["status"] == "AWAITING_SHIPPING")
    await wave(stack, so)
    for component, quantity in ((1, 4), (2, 2)):
        await scan(stack, so, "picked", component, quantity)
    await set_released(stack, so)
    for component, quantity in ((1, 4), (2, 2)):
        await scan(stack, so, "shipped", component, quantity)
    await stack.wait_status(so, "CLOSED")
    await stack.wait_order_closed(so)
    await save(stack, "kit-closed", f"order-{so}-line-1")
    await save(stack, "kit-component-closed", f"order-{so}-line-1-component-1")
