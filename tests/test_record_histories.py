"""Recorders of the flows whose histories tests/test_replay.py replays (the first release's
and the ledger's paths; the second release's are in tests/test_record_second_release.py):
`B2B_RECORD_HISTORIES=1 pytest tests/test_record_histories.py` writes them to
`tests/histories/v3/`. Keep the old files: old histories must keep replaying."""

from __future__ import annotations

import json
import os

import pytest

from tests.conftest import Stack, order_number, poll
from tests.fixtures import demo_setup, laptop_order
from tests.test_backorders import book_line, partly_shipped_with_a_backorder, pick, ship, wave
from tests.test_make_flow import make_setup
from tests.test_on_hand_flow import stock_setup
from tests.test_readiness import gpu_setup
from tests.test_replay import RECORD_INTO
from tests.test_shipment_sets import book_two, two_stock_lines_setup
from tests.test_split_sourcing import split_line
from tests.test_transfer_flow import transfer_setup


async def save(stack: Stack, name: str, workflow_id: str) -> None:
    history = await stack.client.get_workflow_handle(workflow_id).fetch_history()
    RECORD_INTO.mkdir(parents=True, exist_ok=True)
    (RECORD_INTO / f"{name}.json").write_text(
        json.dumps({"workflow_id": workflow_id, "history": json.loads(history.to_json())}, indent=1)
    )


@pytest.mark.skipif(
    not os.environ.get("B2B_RECORD_HISTORIES"),
    reason="records histories only when B2B_RECORD_HISTORIES is set",
)
async def test_record_histories(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())

    async def book(quantity: int, item: str = "LAPTOP-X1") -> tuple[str, str | None]:
        so = order_number()
        order = laptop_order(so, quantity)
        order["lines"][0]["item_number"] = item
        await stack.call("POST", "/orders", json=order, role="orders", expect=202)
        line = await stack.wait_line(
            so, until=lambda v: bool(v["supply"]) or v["status"] == "MANUAL_ACTION_REQUIRED"
        )
        return so, (line["supply"][0]["document_number"] if line["supply"] else None)

    async def receive(so: str, po: str | None, quantity: int, scan: str) -> None:
        await stack.receive(so, str(po), quantity, scan)

    async def ship(so: str, quantity: int) -> None:
        await stack.ship(so, quantity)
        await stack.wait_order_closed(so)

    so, po = await book(50)
    await receive(so, po, 30, "r1")
    await receive(so, po, 20, "r2")
    await ship(so, 50)
    await save(stack, "buy-flow-closed-line", f"order-{so}-line-1")
    await save(stack, "buy-flow-closed-order", f"order-{so}")

    so, po = await book(50)
    await receive(so, po, 30, "r1")
    await stack.call(
        "POST",
        f"/orders/{so}/lines/1/cancel",
        role="orders",
        json={"quantity": 25, "reason": "Reduced"},
    )
    await ship(so, 25)
    await save(stack, "partial-cancel-after-receipt", f"order-{so}-line-1")

    so, po = await book(1, "SERVER-HE")
    await stack.call("POST", f"/purchase-orders/{po}/approve", role="buyer")
    await stack.wait_line(so, until=lambda v: v["supply"][0]["status"] == "AWAITING_RECEIPT")
    await stack.call("POST", f"/orders/{so}/cancel", role="orders", json={"reason": "Dup"})
    await stack.wait_status(so, "CANCELED")
    await stack.wait_order_closed(so)
    await save(stack, "approval-then-cancel", f"order-{so}-line-1")

    so, _ = await book(2, "CABLE-C6")
    await stack.call("POST", f"/orders/{so}/cancel", role="orders", json={})
    await stack.wait_status(so, "CANCELED")
    await save(stack, "stock-line-canceled", f"order-{so}-line-1")

    await stack.call("PUT", "/setup", json=stock_setup(1))
    so, _ = await book(3, "BOUQUET")
    await stack.wait_status(so, "BACKORDERED")
    await stack.call("PUT", "/setup", json=stock_setup(3))
    await ship(so, 3)
    await save(stack, "stock-line-backordered-closed", f"order-{so}-line-1")

    await stack.call("PUT", "/setup", json=transfer_setup(5))
    so, number = await book(2, "UPS-3KVA")
    await stack.call(
        "POST",
        "/scans/receipts",
        role="scanner",
        json={"scan_id": f"{so}-t1", "transfer_order_number": number, "quantity": 2},
    )
    await ship(so, 2)
    await save(stack, "transfer-flow-closed", f"order-{so}-line-1")

    await stack.call("PUT", "/setup", json=gpu_setup())
    so, _ = await book(1, "GPU-Z")
    await stack.call(
        "PUT",
        "/setup",
        json=gpu_setup(automatically_generate_orders=True, automatically_submit_for_approval=True),
    )
    await stack.call("POST", f"/orders/{so}/lines/1/retry", role="orders")
    po = (await stack.wait_status(so, "AWAITING_SUPPLY"))["supply"][0]["document_number"]
    await receive(so, po, 1, "r1")
    await ship(so, 1)
    await save(stack, "manual-action-retried", f"order-{so}-line-1")

    await stack.call("PUT", "/setup", json=make_setup())
    so, wo = await book(2, "RACK-42U")
    await stack.call(
        "POST",
        "/scans/work-order-completions",
        role="scanner",
        json={"scan_id": f"{so}-c1", "work_order_number": wo, "quantity": 2},
    )
    await ship(so, 2)
    await save(stack, "make-flow-closed", f"order-{so}-line-1")


@pytest.mark.skipif(
    not os.environ.get("B2B_RECORD_HISTORIES"),
    reason="records histories only when B2B_RECORD_HISTORIES is set",
)
async def test_record_jeopardy_history(skipping_stack: Stack) -> None:
    stack = skipping_stack
    await stack.call("PUT", "/setup", json=demo_setup())
    so = order_number()
    await stack.call("POST", "/orders", json=laptop_order(so, 2), role="orders", expect=202)
    line = await stack.wait_line(so, until=lambda v: v["jeopardy"] is True)
    await stack.receive(so, line["supply"][0]["document_number"], 2, "r1")
    await stack.ship(so, 2)
    await save(stack, "jeopardy-raised-cleared-closed", f"order-{so}-line-1")


@pytest.mark.skipif(
    not os.environ.get("B2B_RECORD_HISTORIES"),
    reason="records histories only when B2B_RECORD_HISTORIES is set",
)
async def test_record_split_history(stack: Stack) -> None:
    so, po, wo = await split_line(stack, 10)
    await stack.call(
        "POST",
        "/scans/work-order-completions",
        role="scanner",
        json={"scan_id": f"{so}-c1", "work_order_number": wo, "quantity": 2},
    )
    await stack.wait_line(so, until=lambda v: v["reserved_quantity"] == 2)
    await stack.call(
        "POST", f"/orders/{so}/lines/1/cancel", role="orders", json={"quantity": 5, "reason": "x"}
    )
    await stack.wait_line(so, until=lambda v: [s["quantity"] for s in v["supply"]] == [3, 2])
    await stack.receive(so, po, 3, "r1")
    await stack.ship(so, 5)
    await save(stack, "split-buy-make-reduced-closed", f"order-{so}-line-1")


@pytest.mark.skipif(
    not os.environ.get("B2B_RECORD_HISTORIES"),
    reason="records histories only when B2B_RECORD_HISTORIES is set",
)
async def test_record_backorder_and_revision_histories(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=stock_setup(6))
    so = await book_line(stack, 10, cancel_backorders=True)
    await stack.wait_status(so, "BACKORDERED")
    await wave(stack, so)
    await pick(stack, so, 6)
    await stack.wait_status(so, "STAGED")
    await ship(stack, so, 6)
    await stack.wait_status(so, "CLOSED")
    await save(stack, "backorder-canceled-at-pick-release", f"order-{so}-line-1")

    await stack.call("PUT", "/setup", json=stock_setup(10))
    so = await book_line(stack, 10, cancel_backorders=True, enforce_single_shipment=True)
    await stack.wait_status(so, "AWAITING_SHIPPING")
    await wave(stack, so)
    await pick(stack, so, 10)
    await stack.wait_status(so, "STAGED")
    await ship(stack, so, 7)
    await stack.wait_status(so, "CLOSED")
    await save(stack, "single-shipment-closed", f"order-{so}-line-1")

    so = await partly_shipped_with_a_backorder(stack)
    await stack.call("PUT", "/setup", json=stock_setup(2))
    await stack.wait_status(so, "AWAITING_SHIPPING")
    await wave(stack, so)
    await pick(stack, so, 2)
    await stack.wait_status(so, "STAGED")
    await ship(stack, so, 2)
    await stack.wait_status(so, "CLOSED")
    await save(stack, "backorder-kept-open-closed", f"order-{so}-line-1")

    setup = demo_setup()
    setup["parameters"]["cancel_supply_when_canceling_backorders"] = False
    await stack.call("PUT", "/setup", json=setup)
    so = await book_line(stack, 4, item="LAPTOP-X1")
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    await stack.receive(so, line["supply"][0]["document_number"], 4, "r1")
    await stack.wait_status(so, "AWAITING_SHIPPING")
    await stack.call(
        "POST",
        f"/orders/{so}/revisions",
        role="orders",
        json={"change_lines": [{"line_number": 1, "quantity": 6}]},
    )
    line = await stack.wait_line(so, until=lambda v: len(v["supply"]) == 2)
    await stack.receive(so, line["supply"][1]["document_number"], 2, "r2")
    await stack.call("POST", f"/orders/{so}/lines/1/cancel", role="orders", json={"quantity": 1})
    await stack.wait_line(so, until=lambda v: v["canceled_quantity"] == 1)
    await stack.ship(so, 5)
    await save(stack, "increase-then-reduce-supply-kept-closed", f"order-{so}-line-1")


@pytest.mark.skipif(
    not os.environ.get("B2B_RECORD_HISTORIES"),
    reason="records histories only when B2B_RECORD_HISTORIES is set",
)
async def test_record_credit_history(stack: Stack) -> None:
    setup = demo_setup()
    await stack.call("PUT", "/setup", json=setup)
    held = "SELECT status FROM credit_authorizations WHERE order_number = $1"

    # Over CUST-100's 250000.00: held, released by a retry once the limit is raised.
    so = order_number()
    await stack.call("POST", "/orders", json=laptop_order(so, 200), role="orders", expect=202)
    await poll(lambda: stack.scalar(held, so), lambda status: status == "ON_HOLD")
    setup["customers"][0]["credit_limit"] = "300000.00"
    await stack.call("PUT", "/setup", json=setup)
    await stack.call("POST", f"/orders/{so}/credit/retry", role="orders")
    po = (await stack.wait_status(so, "AWAITING_SUPPLY"))["supply"][0]["document_number"]
    await stack.receive(so, po, 200, "r1")
    await stack.ship(so, 200)
    await stack.wait_order_closed(so)
    await save(stack, "credit-hold-released-order", f"order-{so}")
    await save(stack, "credit-hold-released-line", f"order-{so}-line-1")

    # Held, then canceled: the order finishes without starting its line.
    so = order_number()
    await stack.call("POST", "/orders", json=laptop_order(so, 250), role="orders", expect=202)
    await poll(lambda: stack.scalar(held, so), lambda status: status == "ON_HOLD")
    await stack.call("POST", f"/orders/{so}/cancel", role="orders", json={"reason": "Budget"})
    await stack.wait_order_closed(so)
    await save(stack, "credit-hold-canceled-order", f"order-{so}")


@pytest.mark.skipif(
    not os.environ.get("B2B_RECORD_HISTORIES"),
    reason="records histories only when B2B_RECORD_HISTORIES is set",
)
async def test_record_lines_added_history(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=stock_setup(3))
    so = await book_line(stack, 2)
    await stack.wait_status(so, "AWAITING_SHIPPING")
    await stack.call(
        "POST",
        f"/orders/{so}/revisions",
        role="orders",
        json={"add_lines": [{"line_number": 2, "item_number": "BOUQUET", "quantity": 1}]},
    )
    await stack.wait_status(so, "AWAITING_SHIPPING", line_number=2)
    await stack.call("POST", f"/orders/{so}/cancel", role="orders", json={})
    await stack.wait_order_closed(so)
    await save(stack, "order-lines-added-canceled", f"order-{so}")


@pytest.mark.skipif(
    not os.environ.get("B2B_RECORD_HISTORIES"),
    reason="records histories only when B2B_RECORD_HISTORIES is set",
)
async def test_record_shipment_set_history(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=two_stock_lines_setup(enforce_sets=True))
    so = await book_two(stack, ("S", "S"), quantity=5)
    await stack.wait_status(so, "AWAITING_SHIPPING", line_number=2)
    await wave(stack, so)
    for number, quantity in ((1, 10), (2, 5)):
        await stack.call(
            "POST",
            "/scans/picks",
            role="scanner",
            json={
                "scan_id": f"{so}-p{number}",
                "order_number": so,
                "line_number": number,
                "picked_quantity": quantity,
            },
        )
        await stack.wait_status(so, "STAGED", line_number=number)
    await poll(
        lambda: stack.call("GET", f"/orders/{so}"),
        lambda o: o["shipment_sets"][0]["released"],
    )
    for number, quantity in ((1, 10), (2, 5)):
        await stack.call(
            "POST",
            "/scans/shipments",
            role="scanner",
            json={
                "scan_id": f"{so}-s{number}",
                "order_number": so,
                "line_number": number,
                "shipped_quantity": quantity,
            },
        )
    await stack.wait_order_closed(so)
    await save(stack, "shipment-set-released-order", f"order-{so}")
    await save(stack, "shipment-set-released-line", f"order-{so}-line-1")
