"""The back-to-back Buy flow end to end, on the real dev server and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

from temporalio.api.enums.v1 import EventType

from tests.conftest import Stack, order_number
from tests.fixtures import demo_setup, laptop_order


async def book(stack: Stack, order: dict) -> dict:
    await stack.call("PUT", "/setup", json=demo_setup())
    return await stack.call("POST", "/orders", json=order, role="orders", expect=202)


async def test_full_buy_flow_closes_with_invoices(stack: Stack) -> None:
    so = order_number()
    booked = await book(stack, laptop_order(so))
    assert booked["lines"][0]["workflow_id"] == f"order-{so}-line-1"

    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    po = line["supply"][0]
    assert po["document_type"] == "PURCHASE_ORDER" and po["status"] == "AWAITING_RECEIPT"
    assert po["supplier"] == "SUP-ACME" and Decimal(po["quantity"]) == 50

    first = await stack.call(
        "POST",
        "/scans/receipts",
        role="scanner",
        json={
            "scan_id": f"{so}-r1",
            "po_number": po["document_number"],
            "po_line": 1,
            "quantity": 30,
        },
    )
    assert first["accepted"] and first["line_status"] == "AWAITING_SUPPLY"
    line = await stack.wait_line(so, until=lambda v: Decimal(v["reserved_quantity"]) == 30)
    assert line["status"] == "AWAITING_SUPPLY"

    second = await stack.call(
        "POST",
        "/scans/receipts",
        role="scanner",
        json={
            "scan_id": f"{so}-r2",
            "po_number": po["document_number"],
            "po_line": 1,
            "quantity": 20,
        },
    )
    assert second["line_status"] == "AWAITING_SHIPPING"
    await stack.wait_status(so, "AWAITING_SHIPPING")

    wave = await stack.call(
        "POST", "/pick-waves", role="scanner", json={"organization": "M1", "order_number": so}
    )
    assert [(x["order_number"], Decimal(x["released_quantity"])) for x in wave["lines"]] == [
        (so, 50)
    ]
    await stack.wait_status(so, "PICK_RELEASED")

    await stack.call(
        "POST",
        "/scans/picks",
        role="scanner",
        json={"scan_id": f"{so}-p1", "order_number": so, "line_number": 1, "picked_quantity": 50},
    )
    await stack.wait_status(so, "STAGED")
    shipped = await stack.call(
        "POST",
        "/scans/shipments",
        role="scanner",
        json={"scan_id": f"{so}-s1", "order_number": so, "line_number": 1, "shipped_quantity": 50},
    )
    assert shipped["line_status"] == "SHIPPED"

    line = await stack.wait_status(so, "CLOSED")
    assert Decimal(line["shipped_quantity"]) == 50 and Decimal(line["invoiced_quantity"]) == 50
    kinds = {i["kind"]: i for i in line["invoices"]}
    assert Decimal(kinds["AR"]["amount"]) == Decimal("72500.00")
    assert kinds["AP"]["status"] == "VALIDATED"
    assert Decimal(kinds["AP"]["amount"]) == Decimal("49000.00")
    assert line["supply"][0]["status"] == "CLOSED"

    # The system of record agrees: one PO, one AR, one AP; stock shipped out.
    assert await stack.scalar("SELECT count(*) FROM purchase_orders") == 1
    assert await stack.scalar("SELECT status FROM purchase_orders") == "CLOSED"
    assert await stack.scalar("SELECT count(*) FROM ar_invoices") == 1
    assert await stack.scalar("SELECT count(*) FROM ap_invoices") == 1
    assert await stack.scalar("SELECT quantity FROM on_hand WHERE item = 'LAPTOP-X1'") == Decimal(
        "0"
    )
    types = [e["type"] for e in (await stack.call("GET", f"/events?order_number={so}"))["events"]]
    for expected in (
        "ORDER_BOOKED",
        "SUPPLY_ORDER_CREATED",
        "REQUISITION_CREATED",
        "PURCHASE_ORDER_CREATED",
        "RECEIPT_RECORDED",
        "SUPPLY_RESERVED",
        "PICK_RELEASED",
        "PICK_CONFIRMED",
        "LINE_SHIPPED",
        "AR_INVOICE_CREATED",
        "AP_INVOICE_CREATED",
        "LINE_CLOSED",
    ):
        assert expected in types, expected
    order = await stack.wait_order_closed(so)
    assert order["status"] == "CLOSED"

    # Billing and the CLOSED step run in the line's last workflow task: one upsert there,
    # showing CLOSED with its supply closed.
    history = await stack.client.get_workflow_handle(f"order-{so}-line-1").fetch_history()
    events = history.events
    last_task = max(
        i
        for i, e in enumerate(events)
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
    )
    upserts = [
        e.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields
        for e in events[last_task:]
        if e.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES
    ]
    assert len(upserts) == 1
    assert {"LineStatus", "SupplyStatus"} <= set(upserts[0].keys())
    assert b"CLOSED" in upserts[0]["LineStatus"].data


async def test_supplier_billing_a_new_price_holds_the_ap_invoice(stack: Stack) -> None:
    so = order_number()
    await book(stack, laptop_order(so, quantity=2))
    po = (await stack.wait_status(so, "AWAITING_SUPPLY"))["supply"][0]["document_number"]
    # The supplier raises its agreement price after the PO was placed at 980.
    setup = demo_setup()
    setup["blanket_agreements"][0]["unit_price"] = "1000.00"
    await stack.call("PUT", "/setup", json=setup)
    await stack.receive(so, po, 2, "r")
    line = await stack.ship(so, 2)
    ap = next(i for i in line["invoices"] if i["kind"] == "AP")
    assert ap["status"] == "ON_HOLD"
    assert ap["hold_reason"] == "unit price 1000.00 differs from PO price 980.00"
    types = [e["type"] for e in (await stack.call("GET", f"/events?order_number={so}"))["events"]]
    assert "AP_INVOICE_ON_HOLD" in types
