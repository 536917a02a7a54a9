"""Drop ship (contract: "Drop ship"), end to end on the dev server and PostgreSQL: a line
shipped by its supplier in two notices and closed with an AR invoice per notice and an AP
invoice matched to what the supplier shipped; a notice sent again; a cancel before the
supplier ships; a DROP_SHIP sourcing rule; bookings a drop-ship line may not make."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.search_attributes import SUPPLY_TYPE
from tests.conftest import Stack, order_number, poll
from tests.fixtures import demo_setup, laptop_order


def events(line: dict[str, Any], type_: str) -> list[str]:
    return [e["detail"] for e in line["events"] if e["type"] == type_]


def assert_shipped_by_the_supplier(line: dict[str, Any], shipped: int) -> None:
    """Nothing of a drop-ship line is received, released or picked in a warehouse of ours,
    and its quantities add up as the contract says."""
    q = {k.removesuffix("_quantity"): v for k, v in line.items() if k.endswith("_quantity")}
    assert (q["shipped"], q["received"], q["released"], q["picked"]) == (shipped, 0, 0, 0)
    assert q["reserved"] == 0
    assert q["ordered"] == q["canceled"] + q["open"]
    assert q["shipped"] + q["reserved"] + q["awaiting_supply"] == q["open"]
    assert q["picked"] <= q["released"] + q["shipped"] and q["invoiced"] <= q["shipped"]


async def drop_shipped(stack: Stack, quantity: int, **line: Any) -> tuple[str, str]:
    """A laptop line asked to be drop shipped, waiting on its supplier: (order, PO)."""
    await stack.call("PUT", "/setup", json=demo_setup())
    so = order_number()
    order = laptop_order(so, quantity, drop_ship=True, **line)
    await stack.call("POST", "/orders", json=order, role="orders", expect=202)
    view = await stack.wait_line(so, until=lambda v: bool(v["supply"]))
    return so, view["supply"][0]["document_number"]


async def notice(
    stack: Stack, po: str, notice_id: str, quantity: int, *, expect: int = 200, **kw: Any
) -> Any:
    body = {"ship_notice_id": notice_id, "po_line": 1, "quantity": quantity, **kw}
    return await stack.call(
        "POST", f"/purchase-orders/{po}/ship-notices", role="buyer", json=body, expect=expect
    )


async def test_a_drop_ship_line_ships_in_two_notices_and_closes(stack: Stack) -> None:
    so, po = await drop_shipped(stack, 10)
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    supply = line["supply"][0]
    assert (supply["type"], supply["supplier"], supply["quantity"]) == ("DROP_SHIP", "SUP-ACME", 10)
    assert line["drop_ship"] is True
    # The Web UI's SupplyType search attribute says so too.
    handle = stack.client.get_workflow_handle(f"order-{so}-line-1")
    described = await poll(
        handle.describe,
        lambda d: d.typed_search_attributes.get(SUPPLY_TYPE) == "DROP_SHIP",
    )
    assert described.typed_search_attributes.get(SUPPLY_TYPE) == "DROP_SHIP"
    assert (
        line["waiting_for"]
        == f"Waiting for SUP-ACME to ship {po} line 1 to CUST-100: 0 of 10 shipped"
    )
    described = await stack.call("GET", f"/purchase-orders/{po}")
    assert (described["drop_ship"], described["ship_to_customer"]) == (True, "CUST-100")
    # Nothing of it comes to a warehouse of ours.
    refused = await stack.receive(so, po, 4, "r1", expect=409)
    assert "drop shipped" in refused["reason"] and "ship-notices" in refused["reason"]

    first = await notice(
        stack, po, f"{so}-ASN-1", 4, shipped_date="2026-12-02", tracking_number="1Z999"
    )
    assert first["accepted"] and not first["already_applied"]
    assert (first["line_status"], first["line_shipped_quantity"]) == ("AWAITING_SUPPLY", 4)
    # At once (the stored ledger, read your writes), and as the line's workflow shows it.
    assert_shipped_by_the_supplier(await stack.line(so), 4)
    assert (first["po_line_shipped_quantity"], first["po_line_open_quantity"]) == (4, 6)
    # Sent again: the same answer, counted once. The same id with another body: refused.
    again = await notice(
        stack, po, f"{so}-ASN-1", 4, shipped_date="2026-12-02", tracking_number="1Z999"
    )
    assert again["already_applied"] and again["po_line_shipped_quantity"] == 4
    other = await notice(stack, po, f"{so}-ASN-1", 5, expect=409)
    assert other["field"] == "ship_notice_id"

    line = await stack.wait_line(so, until=lambda v: len(v["invoices"]) == 1)
    assert (line["shipped_quantity"], line["invoiced_quantity"]) == (4, 4)
    assert_shipped_by_the_supplier(line, 4)
    assert line["status"] == "AWAITING_SUPPLY" and line["awaiting_supply_quantity"] == 6
    await notice(stack, po, f"{so}-ASN-2", 6)
    line = await stack.wait_status(so, "CLOSED")

    assert (line["shipped_quantity"], line["invoiced_quantity"]) == (10, 10)
    assert_shipped_by_the_supplier(line, 10)
    ar = [i for i in line["invoices"] if i["kind"] == "AR"]
    ap = [i for i in line["invoices"] if i["kind"] == "AP"]
    assert [Decimal(i["amount"]) for i in ar] == [Decimal("5800.00"), Decimal("8700.00")]
    assert len(ap) == 1 and ap[0]["status"] == "VALIDATED"  # matched to the 10 shipped
    shipped = events(line, "LINE_SHIPPED")
    assert len(shipped) == 2
    assert shipped[0].startswith("4 shipped by SUP-ACME straight to CUST-100")
    assert "1Z999" in shipped[0]
    described = await stack.call("GET", f"/purchase-orders/{po}")
    assert described["status"] == "CLOSED"
    po_line = described["lines"][0]
    assert Decimal(po_line["shipped_quantity"]) == Decimal(po_line["received_quantity"]) == 10
    assert [n["ship_notice_id"] for n in po_line["ship_notices"]] == [f"{so}-ASN-1", f"{so}-ASN-2"]
    # A closed PO line ships nothing more.
    late = await notice(stack, po, f"{so}-ASN-3", 1, expect=409)
    assert "closed" in late["reason"]
    stored = await stack.scalar("SELECT count(*) FROM ship_notices WHERE po_number = $1", po)
    assert stored == 2


async def test_a_notice_beyond_the_po_line_is_refused_and_stores_nothing(stack: Stack) -> None:
    so, po = await drop_shipped(stack, 5)
    await stack.wait_status(so, "AWAITING_SUPPLY")
    over = await notice(stack, po, f"{so}-ASN-9", 6, expect=409)
    assert over["field"] == "quantity" and "only 5 open" in over["reason"]
    # Fixed and sent again under the same id: applied.
    fixed = await notice(stack, po, f"{so}-ASN-9", 5)
    assert fixed["accepted"] and fixed["line_status"] == "SHIPPED"
    await stack.wait_status(so, "CLOSED")


async def test_a_cancel_before_the_supplier_ships_reduces_the_po(stack: Stack) -> None:
    so, po = await drop_shipped(stack, 10)
    await stack.wait_status(so, "AWAITING_SUPPLY")
    await notice(stack, po, f"{so}-ASN-1", 3)
    await stack.call(
        "POST",
        f"/orders/{so}/lines/1/cancel",
        role="orders",
        json={"quantity": 5, "reason": "customer needs fewer"},
    )
    line = await stack.wait_line(so, until=lambda v: v["supply"][0]["quantity"] == 5)
    assert line["open_quantity"] == 5 and line["shipped_quantity"] == 3
    described = await stack.call("GET", f"/purchase-orders/{po}")
    assert Decimal(str(described["lines"][0]["canceled_quantity"])) == 5
    await notice(stack, po, f"{so}-ASN-2", 2)
    line = await stack.wait_status(so, "CLOSED")
    assert (line["shipped_quantity"], line["canceled_quantity"]) == (5, 5)

    # Canceled whole before anything shipped: the PO is canceled too.
    so, po = await drop_shipped(stack, 4)
    await stack.wait_status(so, "AWAITING_SUPPLY")
    await stack.call(
        "POST", f"/orders/{so}/lines/1/cancel", role="orders", json={"reason": "not needed"}
    )
    await stack.wait_status(so, "CANCELED")
    # The line's workflow reduces its supply once the cancel is answered.
    described = await poll(
        lambda: stack.call("GET", f"/purchase-orders/{po}"),
        lambda d: d["status"] == "CANCELED",
    )
    assert Decimal(described["lines"][0]["canceled_quantity"]) == 4
    refused = await notice(stack, po, f"{so}-ASN-1", 1, expect=409)
    assert "canceled" in refused["reason"]


async def test_a_drop_ship_line_may_not_cancel_backorders(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    for flags, field in (
        ({"cancel_backorders": True}, "lines[0].cancel_backorders"),
        (
            {"cancel_backorders": True, "enforce_single_shipment": True},
            "lines[0].cancel_backorders",
        ),
        ({"shipment_set": "SET-1"}, "lines[0].shipment_set"),
    ):
        so = order_number()
        order = laptop_order(so, 2, drop_ship=True, **flags)
        refused = await stack.call("POST", "/orders", json=order, role="orders", expect=422)
        assert refused["field"] == field, refused
        assert "drop-ship" in refused["detail"]
        await stack.call("GET", f"/orders/{so}", expect=404)


async def test_a_drop_ship_sourcing_rule_drop_ships_the_line(stack: Stack) -> None:
    setup = demo_setup()
    rule = next(r for r in setup["sourcing_rules"] if r["item"] == "LAPTOP-X1")
    rule["sources"] = [{"type": "DROP_SHIP", "supplier": "SUP-ACME", "rank": 1}]
    await stack.call("PUT", "/setup", json=setup)
    so = order_number()
    await stack.call("POST", "/orders", json=laptop_order(so, 2), role="orders", expect=202)
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    assert line["supply"][0]["type"] == "DROP_SHIP"
    assert line["back_to_back_reason"] == "the line is drop shipped"
    # Such a line may not ask to cancel backorders either.
    refused = await stack.call(
        "POST",
        "/orders",
        json=laptop_order(order_number(), 2, cancel_backorders=True),
        role="orders",
        expect=422,
    )
    assert refused["field"] == "lines[0].cancel_backorders"
    # A pick wave leaves the drop-ship line alone: nothing of it is in the warehouse.
    wave = await stack.call(
        "POST", "/pick-waves", role="scanner", json={"organization": "M1", "order_number": so}
    )
    assert all(Decimal(str(w["released_quantity"])) == 0 for w in wave["lines"])
    assert (await stack.line(so))["status"] == "AWAITING_SUPPLY"
