"""The HTTP contract: access, validation answers, idempotent intake and scans."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from tests.conftest import Stack, auth, order_number, poll
from tests.fixtures import demo_setup, laptop_order


async def po_for(stack: Stack, so: str) -> str:
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    return str(line["supply"][0]["document_number"])


async def booked(stack: Stack, quantity: int = 50) -> tuple[str, str]:
    so = order_number()
    await stack.call("PUT", "/setup", json=demo_setup())
    await stack.call("POST", "/orders", json=laptop_order(so, quantity), role="orders", expect=202)
    return so, await po_for(stack, so)


async def test_health_and_openapi_need_no_token(stack: Stack) -> None:
    health = await stack.api.get("/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}  # the details need a token
    spec = (await stack.api.get("/openapi.json")).json()
    for path in ("/orders", "/scans/receipts", "/pick-waves", "/setup", "/events"):
        assert path in spec["paths"]


async def test_missing_or_unknown_token_is_401(stack: Stack) -> None:
    assert (await stack.api.get("/events")).status_code == 401
    bad = await stack.api.get("/events", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("role", "method", "path", "body"),
    [
        ("scanner", "POST", "/orders", laptop_order("SO-X")),
        (
            "viewer",
            "POST",
            "/scans/picks",
            {"scan_id": "x", "order_number": "SO-X", "line_number": 1, "picked_quantity": 1},
        ),
        ("orders", "PUT", "/setup", {}),
        ("scanner", "POST", "/purchase-orders/PO-1/approve", None),
        ("buyer", "POST", "/orders/SO-X/cancel", {}),
    ],
)
async def test_wrong_role_is_403_and_changes_nothing(
    stack: Stack, role: str, method: str, path: str, body: object
) -> None:
    response = await stack.api.request(method, path, json=body, headers=auth(role))
    assert response.status_code == 403, response.text
    assert await stack.scalar("SELECT count(*) FROM orders") == 0


async def test_every_role_may_read(stack: Stack) -> None:
    for role in ("orders", "scanner", "buyer", "viewer", "admin"):
        await stack.call("GET", "/events", role=role)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": -5}, "lines[0].quantity"),
        ({"quantity": 0}, "lines[0].quantity"),
        ({"quantity": "ten"}, "lines[0].quantity"),
        ({"enforce_single_shipment": True}, "lines[0]"),
        ({"colour": "red"}, "lines[0].colour"),
    ],
)
async def test_invalid_order_lines_answer_422_naming_the_field(
    stack: Stack, change: dict, field: str
) -> None:
    order = laptop_order(order_number())
    order["lines"][0].update(change)
    answer = await stack.call("POST", "/orders", json=order, role="orders", expect=422)
    assert field in [e["field"] for e in answer["errors"]], answer
    assert await stack.scalar("SELECT count(*) FROM orders") == 0


async def test_unknown_references_answer_422_naming_the_field(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    order = laptop_order(order_number())
    order["lines"][0]["item_number"] = "NO-SUCH-ITEM"
    answer = await stack.call("POST", "/orders", json=order, role="orders", expect=422)
    assert answer["field"] == "lines[0].item_number" and "NO-SUCH-ITEM" in answer["reason"]
    order = laptop_order(order_number())
    order["customer_number"] = "CUST-404"
    answer = await stack.call("POST", "/orders", json=order, role="orders", expect=422)
    assert answer["field"] == "customer_number"
    order = laptop_order(order_number(), uom="Box")
    answer = await stack.call("POST", "/orders", json=order, role="orders", expect=422)
    assert answer["field"] == "lines[0].uom"
    assert await stack.scalar("SELECT count(*) FROM orders") == 0


async def test_malformed_json_is_422(stack: Stack) -> None:
    response = await stack.api.post(
        "/orders",
        content=b"{not json",
        headers={**auth("orders"), "Content-Type": "application/json"},
    )
    assert response.status_code == 422


async def test_resubmitted_order_books_nothing_new(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = order_number()
    first = await stack.call("POST", "/orders", json=laptop_order(so), role="orders", expect=202)
    again = await stack.call("POST", "/orders", json=laptop_order(so), role="orders", expect=200)
    assert first == again
    await po_for(stack, so)
    assert await stack.scalar("SELECT count(*) FROM fulfillment_lines") == 1
    assert await stack.scalar("SELECT count(*) FROM purchase_orders") == 1


async def test_concurrent_bookings_of_one_number_book_once(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = order_number()
    answers = await asyncio.gather(
        *(
            stack.api.post("/orders", json=laptop_order(so), headers=auth("orders"))
            for _ in range(5)
        )
    )
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 200, 202]
    await po_for(stack, so)
    assert await stack.scalar("SELECT count(*) FROM purchase_orders") == 1


async def test_setup_is_idempotent_and_rejects_bad_references(stack: Stack) -> None:
    first = await stack.call("PUT", "/setup", json=demo_setup())
    await stack.call("PUT", "/setup", json=demo_setup())
    assert first["applied"]["items"] == 3
    assert await stack.scalar("SELECT count(*) FROM items") == 4  # 3 items and one variant
    assert await stack.scalar("SELECT count(*) FROM volume_discounts") == 1
    bad = demo_setup()
    bad["blanket_agreements"][1]["supplier"] = "SUP-NOBODY"
    bad["suppliers"].append({"number": "SUP-NEW", "name": "Would be added"})
    answer = await stack.call("PUT", "/setup", json=bad, expect=422)
    assert answer["field"] == "blanket_agreements[1].supplier"
    # All or nothing: the supplier earlier in the same document was not added either.
    assert await stack.scalar("SELECT count(*) FROM suppliers WHERE number = 'SUP-NEW'") == 0
    wrong_type = await stack.call(
        "PUT",
        "/setup",
        expect=422,
        json={"on_hand": [{"item": "X", "organization": "M1", "quantity": -1}]},
    )
    assert wrong_type["errors"][0]["field"] == "on_hand[0].quantity"


async def test_receipt_for_unknown_po_is_422(stack: Stack) -> None:
    answer = await stack.call(
        "POST",
        "/scans/receipts",
        role="scanner",
        expect=422,
        json={"scan_id": "scan-unknown-po", "po_number": "PO-999999", "po_line": 1, "quantity": 1},
    )
    assert answer["accepted"] is False and "unknown purchase order" in answer["reason"]
    assert await stack.scalar("SELECT count(*) FROM receipts") == 0


async def test_duplicate_scan_is_answered_the_same_and_counted_once(stack: Stack) -> None:
    so, po = await booked(stack)
    scan = {"scan_id": f"{so}-dup", "po_number": po, "po_line": 1, "quantity": 30}
    first = await stack.call("POST", "/scans/receipts", role="scanner", json=scan)
    second = await stack.call("POST", "/scans/receipts", role="scanner", json=scan)
    assert first == second
    await stack.wait_line(so, until=lambda v: v["received_quantity"] == 30)
    assert await stack.scalar("SELECT received_quantity FROM purchase_order_lines") == 30
    line = await stack.line(so)
    assert line["received_quantity"] == 30 and line["reserved_quantity"] == 30


async def test_concurrent_duplicate_scans_count_once(stack: Stack) -> None:
    so, po = await booked(stack)
    scan = {"scan_id": f"{so}-race", "po_number": po, "po_line": 1, "quantity": 20}
    answers = await asyncio.gather(
        *(stack.api.post("/scans/receipts", json=scan, headers=auth("scanner")) for _ in range(8))
    )
    assert {a.status_code for a in answers} == {200}
    assert all(a.json() == answers[0].json() for a in answers)
    assert await stack.scalar("SELECT count(*) FROM receipts") == 1
    assert await stack.scalar("SELECT reserved FROM on_hand WHERE item = 'LAPTOP-X1'") == 20
    await stack.wait_line(so, until=lambda v: v["received_quantity"] == 20)


async def test_concurrent_receipts_never_over_receive(stack: Stack) -> None:
    so, po = await booked(stack, quantity=50)
    answers = await asyncio.gather(
        *(
            stack.api.post(
                "/scans/receipts",
                headers=auth("scanner"),
                json={"scan_id": f"{so}-c{i}", "po_number": po, "po_line": 1, "quantity": 20},
            )
            for i in range(4)
        )
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [200, 200, 409, 409]
    assert all("over-receipt" in a.json()["reason"] for a in answers if a.status_code == 409)
    assert await stack.scalar("SELECT received_quantity FROM purchase_order_lines") == 40
    line = await stack.wait_line(so, until=lambda v: v["received_quantity"] == 40)
    assert line["status"] == "AWAITING_SUPPLY"


async def test_refused_scan_is_remembered_with_its_answer(stack: Stack) -> None:
    so, po = await booked(stack, quantity=5)
    scan = {"scan_id": f"{so}-too-many", "po_number": po, "po_line": 1, "quantity": 6}
    first = await stack.call("POST", "/scans/receipts", role="scanner", json=scan, expect=409)
    second = await stack.call("POST", "/scans/receipts", role="scanner", json=scan, expect=409)
    assert first == second and "over-receipt" in first["reason"]
    assert await stack.scalar("SELECT count(*) FROM receipts") == 0


async def test_pick_and_ship_scans_check_quantities(stack: Stack) -> None:
    so, po = await booked(stack, quantity=4)
    early = await stack.call(
        "POST",
        "/scans/picks",
        role="scanner",
        expect=409,
        json={"scan_id": f"{so}-p0", "order_number": so, "line_number": 1, "picked_quantity": 4},
    )
    assert "not PICK_RELEASED" in early["reason"]
    await stack.call(
        "POST",
        "/scans/receipts",
        role="scanner",
        json={"scan_id": f"{so}-r", "po_number": po, "po_line": 1, "quantity": 4},
    )
    wave = await stack.call(
        "POST", "/pick-waves", role="scanner", json={"organization": "M1", "order_number": so}
    )
    assert wave["lines"][0]["released_quantity"] == 4
    # A second wave finds nothing new to release.
    assert (
        await stack.call(
            "POST", "/pick-waves", role="scanner", json={"organization": "M1", "order_number": so}
        )
    )["lines"] == []
    over = await stack.call(
        "POST",
        "/scans/picks",
        role="scanner",
        expect=409,
        json={"scan_id": f"{so}-p1", "order_number": so, "line_number": 1, "picked_quantity": 5},
    )
    assert "more than the 4 released" in over["reason"]
    short = await stack.call(
        "POST",
        "/scans/picks",
        role="scanner",
        expect=422,
        json={
            "scan_id": f"{so}-p2",
            "order_number": so,
            "line_number": 1,
            "picked_quantity": 3,
            "backordered_quantity": -1,
        },
    )
    assert short["reason"].startswith("backordered_quantity")
    partial = await stack.call(
        "POST",
        "/scans/picks",
        role="scanner",
        json={"scan_id": f"{so}-p3", "order_number": so, "line_number": 1, "picked_quantity": 3},
    )
    assert partial["line_status"] == "PICK_RELEASED"
    rest = await stack.call(
        "POST",
        "/scans/picks",
        role="scanner",
        json={"scan_id": f"{so}-p4", "order_number": so, "line_number": 1, "picked_quantity": 1},
    )
    assert rest["line_status"] == "STAGED"
    too_much = await stack.call(
        "POST",
        "/scans/shipments",
        role="scanner",
        expect=409,
        json={"scan_id": f"{so}-s0", "order_number": so, "line_number": 1, "shipped_quantity": 5},
    )
    assert "more than the 4 picked" in too_much["reason"]
    for i, quantity in enumerate((1, 3)):
        await stack.call(
            "POST",
            "/scans/shipments",
            role="scanner",
            json={
                "scan_id": f"{so}-s{i + 1}",
                "order_number": so,
                "line_number": 1,
                "shipped_quantity": quantity,
            },
        )
    line = await stack.wait_status(so, "CLOSED")
    assert line["shipped_quantity"] == 4
    assert await stack.scalar("SELECT count(*) FROM shipments") == 2


async def test_unknown_order_and_line_are_404(stack: Stack) -> None:
    await stack.call("GET", "/orders/SO-NOPE", expect=404)
    await stack.call("GET", "/orders/SO-NOPE/lines/1", expect=404)
    await stack.call("GET", "/purchase-orders/PO-NOPE", expect=404)
    await stack.call("POST", "/orders/SO-NOPE/lines/1/cancel", role="orders", json={}, expect=404)


async def test_cancel_more_than_open_is_422(stack: Stack) -> None:
    so, _ = await booked(stack, quantity=5)
    answer = await stack.call(
        "POST", f"/orders/{so}/lines/1/cancel", role="orders", json={"quantity": 6}, expect=422
    )
    assert answer["field"] == "quantity"
    assert await stack.scalar("SELECT canceled_quantity FROM fulfillment_lines") == 0


async def test_order_status_and_visibility_search(stack: Stack) -> None:
    so, po = await booked(stack, quantity=5)
    order = await stack.call("GET", f"/orders/{so}")
    assert order["status"] == "OPEN" and order["total_amount"] == "7250.00"
    assert order["lines"][0]["status"] == "AWAITING_SUPPLY"
    # "All lines waiting for receipts from SUP-ACME", through Temporal visibility.
    found = await poll(
        lambda: stack.call(
            "GET",
            f"/lines?status=AWAITING_SUPPLY&supplier=SUP-ACME"
            f"&supply_status=AWAITING_RECEIPT&order_number={so}",
        ),
        lambda r: len(r["lines"]) == 1,
    )
    hit = found["lines"][0]
    assert hit["workflow_id"] == f"order-{so}-line-1" and hit["supply_documents"] == [po]
    assert hit["warehouse"] == "M1" and hit["customer_number"] == "CUST-100"
    await stack.call("GET", "/lines?status=NOT_A_STATUS", expect=422)


async def test_events_feed_is_ordered_and_paged(stack: Stack) -> None:
    so, _ = await booked(stack, quantity=5)
    first = await stack.call("GET", "/events?limit=2")
    assert [e["type"] for e in first["events"]][:1] == ["ORDER_BOOKED"]
    rest = await stack.call("GET", f"/events?after={first['next_cursor']}&limit=100")
    cursors = [e["cursor"] for e in first["events"] + rest["events"]]
    assert cursors == sorted(cursors) and len(set(cursors)) == len(cursors)
    assert all(e["order_number"] == so for e in rest["events"])
    assert Decimal(str(rest["events"][-1]["data"].get("quantity", 5))) > 0
