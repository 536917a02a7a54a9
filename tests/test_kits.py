"""Kits (contract: "Kits (pick-to-order)"), end to end on the dev server and PostgreSQL: a
workstation bundle of three back-to-back components received at different times, shipped
together and billed as kits; seed 004's short kit at pick release (5 kits of 2 A + 1 B,
only 7 A); a component backordered at pick confirm and kept; a kit canceled and revised in
whole kits; the setup's refusals and readiness."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.conftest import Stack, order_number, poll
from tests.fixtures import demo_setup

MORE = "demo_more_setup.yaml"
PART_A = {"number": "PART-A", "uom": "Ea", "list_price": "10", "back_to_back_enabled": True}
PART_B = {"number": "PART-B", "uom": "Ea", "list_price": "20", "back_to_back_enabled": True}
KIT_AB = {
    "number": "KIT-AB",
    "uom": "Ea",
    "list_price": "100",
    "kit_components": [{"item": "PART-A", "quantity": 2}, {"item": "PART-B", "quantity": 1}],
}


def more_setup() -> dict[str, Any]:
    from importlib import resources

    import yaml

    return yaml.safe_load((resources.files("starter") / MORE).read_text())


def ab_setup() -> dict[str, Any]:
    """KIT-AB: 2 PART-A and 1 PART-B, both bought back-to-back from SUP-ACME."""
    agreements = [
        {
            "number": f"BPA-{part}",
            "supplier": "SUP-ACME",
            "item": part,
            "unit_price": "5",
            "automatically_generate_orders": True,
            "automatically_submit_for_approval": True,
        }
        for part in ("PART-A", "PART-B")
    ]
    rules = [
        {"item": part, "sources": [{"type": "BUY", "supplier": "SUP-ACME"}]}
        for part in ("PART-A", "PART-B")
    ]
    return {
        "items": [PART_A, PART_B, KIT_AB],
        "blanket_agreements": agreements,
        "sourcing_rules": rules,
    }


async def book_kit(
    stack: Stack, item: str, kits: int, *setups: dict[str, Any], **line: Any
) -> tuple[str, dict[str, Any]]:
    """A kit line booked, its components each waiting on a PO: (order, kit view)."""
    await stack.call("PUT", "/setup", json=demo_setup())
    for setup in setups:
        await stack.call("PUT", "/setup", json=setup)
    so = order_number()
    order = {
        "order_number": so,
        "customer_number": "CUST-200",
        "lines": [{"line_number": 1, "item_number": item, "quantity": kits, **line}],
    }
    await stack.call("POST", "/orders", json=order, role="orders", expect=202)
    view = await stack.wait_line(
        so,
        until=lambda v: bool(v["components"]) and all(c["supply"] for c in v["components"]),
    )
    return so, view


def po_of(view: dict[str, Any], component: int) -> str:
    return str(view["components"][component - 1]["supply"][0]["document_number"])


async def receive(stack: Stack, so: str, po: str, quantity: int, scan: str) -> Any:
    return await stack.call(
        "POST",
        "/scans/receipts",
        role="scanner",
        json={"scan_id": f"{so}-{scan}", "po_number": po, "quantity": quantity},
    )


async def scan(stack: Stack, so: str, kind: str, component: int, quantity: int, **kw: Any) -> Any:
    path = "/scans/picks" if kind == "picked" else "/scans/shipments"
    body = {
        "scan_id": f"{so}-{kind}-{component}",
        "order_number": so,
        "line_number": 1,
        "component": component,
        f"{kind}_quantity": quantity,
        **kw,
    }
    return await stack.call("POST", path, role="scanner", json=body)


async def wave(stack: Stack, so: str) -> Any:
    return await stack.call(
        "POST", "/pick-waves", role="scanner", json={"organization": "M1", "order_number": so}
    )


async def set_released(stack: Stack, so: str) -> None:
    """The order workflow released the kit's set: every component is staged."""
    await poll(
        lambda: stack.scalar(
            "SELECT count(*) FROM shipment_set_releases WHERE order_number = $1", so
        ),
        lambda n: n == 1,
    )


async def test_a_kit_of_three_components_ships_together_and_is_billed_as_kits(
    stack: Stack,
) -> None:
    so, view = await book_kit(stack, "WS-BUNDLE", 2, more_setup())
    assert view["status"] == "AWAITING_SUPPLY" and view["workflow_id"] == f"order-{so}-line-1"
    assert [
        (c["component"], c["item_number"], c["ordered_quantity"]) for c in view["components"]
    ] == [
        (1, "TOWER-W1", 2),
        (2, "MONITOR-27", 4),
        (3, "KEYBOARD-K1", 2),
    ]
    assert [c["workflow_id"] for c in view["components"]] == [
        f"order-{so}-line-1-component-{c}" for c in (1, 2, 3)
    ]
    assert [c["supply"][0]["supplier"] for c in view["components"]] == [
        "SUP-ACME",
        "SUP-HELIX",
        "SUP-VERTEX",
    ]
    assert view["kit"] == {"ordered": 2, "shipped": 0, "open": 2, "canceled": 0}
    order = await stack.call("GET", f"/orders/{so}")
    assert [li["line_number"] for li in order["lines"]] == [1]  # components show in the kit
    assert Decimal(order["total_amount"]) == Decimal("5200.00")

    # Received at different times: the kit waits for its least advanced component.
    received = await receive(stack, so, po_of(view, 1), 2, "r1")
    assert (received["line_number"], received["component"]) == (1, 1)  # as scans name it
    await receive(stack, so, po_of(view, 2), 4, "r2")
    view = await stack.wait_line(
        so, until=lambda v: v["components"][1]["status"] == "AWAITING_SHIPPING"
    )
    assert view["status"] == "AWAITING_SUPPLY"
    await receive(stack, so, po_of(view, 3), 2, "r3")
    await stack.wait_line(so, until=lambda v: v["status"] == "AWAITING_SHIPPING")

    released = await wave(stack, so)
    assert sorted((w["component"], w["released_quantity"]) for w in released["lines"]) == [
        (1, 2),
        (2, 4),
        (3, 2),
    ]
    # A scan names the component; the kit line alone is refused.
    refused = await stack.call(
        "POST",
        "/scans/picks",
        role="scanner",
        json={"scan_id": f"{so}-bad", "order_number": so, "line_number": 1, "picked_quantity": 2},
        expect=422,
    )
    assert refused["field"] == "component"
    for component, quantity in ((1, 2), (2, 4)):
        picked = await scan(stack, so, "picked", component, quantity)
        assert (picked["line_number"], picked["component"]) == (1, component)
    await stack.wait_line(so, until=lambda v: v["components"][1]["status"] == "STAGED")
    # Not all staged yet: the kit's set does not ship.
    early = await stack.call(
        "POST",
        "/scans/shipments",
        role="scanner",
        json={
            "scan_id": f"{so}-early",
            "order_number": so,
            "line_number": 1,
            "component": 1,
            "shipped_quantity": 2,
        },
        expect=409,
    )
    assert "kit:1" in early["reason"]
    await scan(stack, so, "picked", 3, 2)
    await set_released(stack, so)
    for component, quantity in ((1, 2), (2, 4), (3, 2)):
        await scan(stack, so, "shipped", component, quantity)
    view = await stack.wait_status(so, "CLOSED")

    assert view["kit"] == {"ordered": 2, "shipped": 2, "open": 2, "canceled": 0}
    assert view["shipped_quantity"] == 2 and view["invoiced_quantity"] == 2
    ar = [i for i in view["invoices"] if i["kind"] == "AR"]
    assert [Decimal(i["amount"]) for i in ar] == [Decimal("5200.00")]  # 2 kits at 2,600
    assert [c["status"] for c in view["components"]] == ["CLOSED"] * 3
    # Each component's PO is billed by its supplier; the components bill no customer.
    pos = [po_of(view, c) for c in (1, 2, 3)]
    assert (
        await stack.scalar(
            "SELECT count(*) FROM ap_invoices WHERE po_number = ANY($1::text[])", pos
        )
        == 3
    )
    assert await stack.scalar("SELECT count(*) FROM ar_invoices WHERE order_number = $1", so) == 1
    await stack.wait_order_closed(so)


async def test_cancel_backorders_at_pick_release_reduces_the_kit_to_whole_kits(
    stack: Stack,
) -> None:
    """Seed 004: 5 kits of 2 A + 1 B and only 7 A: 3 kits ship, 2 are canceled."""
    so, view = await book_kit(stack, "KIT-AB", 5, ab_setup(), cancel_backorders=True)
    po_a, po_b = po_of(view, 1), po_of(view, 2)
    await receive(stack, so, po_a, 7, "ra")
    await receive(stack, so, po_b, 5, "rb")
    await stack.wait_line(so, until=lambda v: v["components"][1]["status"] == "AWAITING_SHIPPING")

    released = await wave(stack, so)
    assert sorted(
        (w["component"], w["released_quantity"], w["backordered_quantity"], w["backorder_canceled"])
        for w in released["lines"]
    ) == [(1, 6, 4, True), (2, 3, 2, True)]
    view = await stack.wait_line(so, until=lambda v: v["kit"]["canceled"] == 2)
    assert view["kit"] == {"ordered": 5, "shipped": 0, "open": 3, "canceled": 2}
    assert [c["canceled_quantity"] for c in view["components"]] == [4, 2]
    # Their supply follows (the parameter is on): A's PO keeps the 7 that arrived.
    described = await poll(
        lambda: stack.call("GET", f"/purchase-orders/{po_a}"),
        lambda d: Decimal(d["lines"][0]["canceled_quantity"]) == 3,
    )
    assert Decimal(described["lines"][0]["received_quantity"]) == 7
    # The seventh A goes back to stock.
    free = await poll(
        lambda: stack.scalar(
            "SELECT quantity - reserved FROM on_hand WHERE item = 'PART-A' AND organization = 'M1'"
        ),
        lambda q: q == 1,
    )
    assert free == 1

    for component, quantity in ((1, 6), (2, 3)):
        await scan(stack, so, "picked", component, quantity)
    await set_released(stack, so)
    for component, quantity in ((1, 6), (2, 3)):
        await scan(stack, so, "shipped", component, quantity)
    view = await stack.wait_status(so, "CLOSED")
    assert view["kit"] == {"ordered": 5, "shipped": 3, "open": 3, "canceled": 2}
    ar = [i for i in view["invoices"] if i["kind"] == "AR"]
    assert [Decimal(i["amount"]) for i in ar] == [Decimal("300.00")]


async def test_a_component_backordered_at_pick_confirm_is_kept(stack: Stack) -> None:
    so, view = await book_kit(stack, "KIT-AB", 2, ab_setup(), cancel_backorders=True)
    await receive(stack, so, po_of(view, 1), 4, "ra")
    await receive(stack, so, po_of(view, 2), 2, "rb")
    await stack.wait_line(so, until=lambda v: v["status"] == "AWAITING_SHIPPING")
    await wave(stack, so)
    picked = await scan(stack, so, "picked", 1, 3, backordered_quantity=1)
    assert picked["canceled_quantity"] == 0  # kept, not canceled
    view = await stack.wait_line(
        so, until=lambda v: len(v["components"][0]["supply"]) == 2
    )  # the backorder is supplied again
    component = view["components"][0]
    assert (component["canceled_quantity"], component["ordered_quantity"]) == (0, 4)
    assert view["kit"]["canceled"] == 0 and view["kit"]["open"] == 2


async def test_a_kit_is_canceled_and_revised_in_whole_kits(stack: Stack) -> None:
    so, view = await book_kit(stack, "KIT-AB", 3, ab_setup())
    half = await stack.call(
        "POST",
        f"/orders/{so}/lines/1/cancel",
        role="orders",
        json={"quantity": "0.5", "reason": "x"},
        expect=422,
    )
    assert half["field"] == "quantity"
    await stack.call(
        "POST",
        f"/orders/{so}/lines/1/cancel",
        role="orders",
        json={"quantity": 1, "reason": "one fewer"},
    )
    view = await stack.wait_line(so, until=lambda v: v["kit"]["canceled"] == 1)
    assert [(c["ordered_quantity"], c["canceled_quantity"]) for c in view["components"]] == [
        (6, 2),
        (3, 1),
    ]
    # Supply follows each component.
    await poll(
        lambda: stack.call("GET", f"/purchase-orders/{po_of(view, 1)}"),
        lambda d: Decimal(d["lines"][0]["canceled_quantity"]) == 2,
    )
    revised = await stack.call(
        "POST",
        f"/orders/{so}/revisions",
        role="orders",
        json={"change_lines": [{"line_number": 1, "quantity": 4}]},
    )
    assert revised["changed"][0]["ordered_quantity"] == 5
    view = await stack.wait_line(
        so, until=lambda v: [c["ordered_quantity"] for c in v["components"]] == [10, 5]
    )
    assert view["kit"] == {"ordered": 5, "shipped": 0, "open": 4, "canceled": 1}
    # The whole order canceled: the kit and every component.
    await stack.call("POST", f"/orders/{so}/cancel", role="orders", json={"reason": "gone"})
    view = await stack.wait_status(so, "CANCELED")
    assert [c["status"] for c in view["components"]] == ["CANCELED", "CANCELED"]
    await stack.wait_order_closed(so)


async def test_kit_setup_is_checked_and_its_readiness_covers_every_component(
    stack: Stack,
) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    itself = {**KIT_AB, "kit_components": [{"item": "KIT-AB", "quantity": 1}]}
    refused = await stack.call("PUT", "/setup", json={"items": [PART_A, itself]}, expect=422)
    assert refused["field"] == "items[1].kit_components[0].item"
    assert "cannot contain itself" in refused["detail"]
    await stack.call("PUT", "/setup", json=ab_setup())
    nested = {"number": "KIT-2", "uom": "Ea", "kit_components": [{"item": "KIT-AB", "quantity": 1}]}
    refused = await stack.call("PUT", "/setup", json={"items": [nested]}, expect=422)
    assert "a kit component cannot be a kit" in refused["detail"]
    check = (await stack.call("GET", "/setup/check?item=KIT-AB"))["items"][0]
    assert check["ready"] is False  # the parts have no item cost
    assert check["missing"] == [
        "component PART-A: item PART-A has no item cost",
        "component PART-B: item PART-B has no item cost",
    ]
    costed = [{**PART_A, "cost": "4"}, {**PART_B, "cost": "8"}, KIT_AB]
    await stack.call("PUT", "/setup", json={"items": costed})
    assert (await stack.call("GET", "/setup/check?item=KIT-AB"))["ready"] is True
    listed = {c["item"] for c in (await stack.call("GET", "/setup/check"))["items"]}
    assert "KIT-AB" in listed


async def test_a_kit_may_mix_stocked_and_back_to_back_components(stack: Stack) -> None:
    """CABLE-C6 is stocked (500 on hand in the demo setup): its component is reserved from
    stock at once, while PART-B waits for its PO."""
    mixed = {
        "number": "KIT-MIX",
        "uom": "Ea",
        "list_price": "50",
        "kit_components": [{"item": "CABLE-C6", "quantity": 3}, {"item": "PART-B", "quantity": 1}],
    }
    setup = ab_setup()
    setup["items"].append(mixed)
    so, view = await book_kit(stack, "KIT-MIX", 2, setup)
    cables, parts = view["components"]
    assert (cables["supply"][0]["type"], cables["status"]) == ("ON_HAND", "AWAITING_SHIPPING")
    assert (parts["supply"][0]["type"], parts["status"]) == ("BUY", "AWAITING_SUPPLY")
    assert view["status"] == "AWAITING_SUPPLY"
    await receive(stack, so, po_of(view, 2), 2, "rb")
    await stack.wait_line(so, until=lambda v: v["status"] == "AWAITING_SHIPPING")
    await wave(stack, so)
    for component, quantity in ((1, 6), (2, 2)):
        await scan(stack, so, "picked", component, quantity)
    await set_released(stack, so)
    for component, quantity in ((1, 6), (2, 2)):
        await scan(stack, so, "shipped", component, quantity)
    view = await stack.wait_status(so, "CLOSED")
    assert view["kit"]["shipped"] == 2
    assert [Decimal(i["amount"]) for i in view["invoices"]] == [Decimal("100.00")]


async def test_a_hold_on_a_kit_line_holds_its_components(stack: Stack) -> None:
    so, view = await book_kit(stack, "KIT-AB", 1, ab_setup())
    await receive(stack, so, po_of(view, 1), 2, "ra")
    await receive(stack, so, po_of(view, 2), 1, "rb")
    await stack.wait_line(so, until=lambda v: v["status"] == "AWAITING_SHIPPING")
    body = {"hold_code": "QUALITY", "line_number": 1, "reason": "inspect the bundle"}
    held = await stack.call("POST", f"/orders/{so}/holds", role="orders", json=body)
    assert [(x["line_number"], x.get("component")) for x in held["lines"]] == [
        (1, None),
        (1, 1),
        (1, 2),
    ]
    left = await wave(stack, so)
    assert left["wave_number"] is None and sorted(h["component"] for h in left["held"]) == [1, 2]
    await stack.call(
        "POST",
        f"/orders/{so}/holds/{held['hold_id']}/release",
        role="orders",
        json={"reason": "passed"},
    )
    released = await wave(stack, so)
    assert sorted((w["component"], w["released_quantity"]) for w in released["lines"]) == [
        (1, 2),
        (2, 1),
    ]
