"""Transfer supply: stock shipped from another organization, received and reserved."""

from __future__ import annotations

from typing import Any

from tests.conftest import Stack, order_number
from tests.fixtures import demo_setup, laptop_order


def transfer_setup(stock_at_m2: int, *, parameters: bool = True) -> dict[str, Any]:
    setup = demo_setup()
    setup["organizations"].append({"code": "M2", "name": "Regional warehouse"})
    setup["items"].append(
        {
            "number": "UPS-3KVA",
            "list_price": "900.00",
            "cost": "400.00",
            "back_to_back_enabled": True,
        }
    )
    setup["on_hand"] = [{"item": "UPS-3KVA", "organization": "M2", "quantity": stock_at_m2}]
    if parameters:
        setup["transfer_parameters"] = [
            {"from": "M2", "to": "M1", "transit_days": 2, "transfer_price_markup_pct": "5"}
        ]
    setup["sourcing_rules"].append(
        {
            "item": "UPS-3KVA",
            "organization": "M1",
            "sources": [{"type": "TRANSFER", "organization": "M2", "rank": 1}],
        }
    )
    return setup


async def book_ups(stack: Stack, quantity: int, setup: dict[str, Any]) -> str:
    await stack.call("PUT", "/setup", json=setup)
    so = order_number()
    order = laptop_order(so, quantity=quantity)
    order["lines"][0]["item_number"] = "UPS-3KVA"
    await stack.call("POST", "/orders", json=order, role="orders", expect=202)
    return so


async def on_hand(stack: Stack, organization: str) -> list[int]:
    return await stack.scalar(
        "SELECT array[quantity, reserved]::int[] FROM on_hand WHERE item = 'UPS-3KVA'"
        " AND organization = $1",
        organization,
    )


async def arrive(
    stack: Stack, so: str, number: str, quantity: int, scan: str, *, expect: int = 200
) -> Any:
    return await stack.call(
        "POST",
        "/scans/receipts",
        role="scanner",
        expect=expect,
        json={"scan_id": f"{so}-{scan}", "transfer_order_number": number, "quantity": quantity},
    )


async def test_transfer_from_another_organization_to_closed(stack: Stack) -> None:
    so = await book_ups(stack, 4, transfer_setup(10))
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    supply = line["supply"][0]
    assert supply["type"] == "TRANSFER" and supply["status"] == "IN_TRANSIT"
    assert supply["document_type"] == "TRANSFER_ORDER" and supply["organization"] == "M2"
    number = supply["document_number"]
    assert await on_hand(stack, "M2") == [6, 0]  # shipped: left the source
    assert await stack.scalar("SELECT transfer_price FROM transfer_orders") == 420
    first = await arrive(stack, so, number, 3, "t1")
    assert first["line_status"] == "AWAITING_SUPPLY"
    over = await arrive(stack, so, number, 2, "t-over", expect=409)
    assert "over-receipt" in over["reason"]
    await arrive(stack, so, number, 1, "t2")
    assert await on_hand(stack, "M1") == [4, 4]
    line = await stack.ship(so, 4)
    assert [i["kind"] for i in line["invoices"]] == ["AR"]
    assert await stack.scalar("SELECT status FROM transfer_orders") == "CLOSED"
    assert await on_hand(stack, "M1") == [0, 0]


async def test_too_little_stock_at_the_source_needs_manual_action(stack: Stack) -> None:
    so = await book_ups(stack, 4, transfer_setup(3))
    line = await stack.wait_status(so, "MANUAL_ACTION_REQUIRED")
    assert "rank 1 TRANSFER from M2: only 3 free at M2" in line["manual_action_reason"]
    # Stock arrives at M2; the planner retries the line.
    await stack.call("PUT", "/setup", json=transfer_setup(8))
    await stack.call("POST", f"/orders/{so}/lines/1/retry", role="orders")
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    assert line["supply"][0]["type"] == "TRANSFER"


async def test_missing_inter_organization_parameters_are_named(stack: Stack) -> None:
    so = await book_ups(stack, 1, transfer_setup(5, parameters=False))
    line = await stack.wait_status(so, "MANUAL_ACTION_REQUIRED")
    assert "no inter-organization parameters to M1" in line["manual_action_reason"]
    check = await stack.call("GET", "/setup/check?item=UPS-3KVA")
    assert (
        "no inter-organization parameters and transfer pricing from M2 to M1"
        in (check["items"][0]["missing"][0])
    )


async def test_canceled_quantity_in_transit_goes_back_to_the_source(stack: Stack) -> None:
    so = await book_ups(stack, 5, transfer_setup(5))
    number = (await stack.wait_status(so, "AWAITING_SUPPLY"))["supply"][0]["document_number"]
    await arrive(stack, so, number, 1, "t1")
    await stack.call(
        "POST",
        f"/orders/{so}/lines/1/cancel",
        role="orders",
        json={"quantity": 3, "reason": "Fewer units"},
    )
    line = await stack.wait_line(so, until=lambda v: v["supply"][0]["quantity"] == 2)
    assert await on_hand(stack, "M2") == [3, 0]
    await arrive(stack, so, number, 1, "t2")
    await stack.wait_status(so, "AWAITING_SHIPPING")
    assert line["canceled_quantity"] == 3


async def test_unknown_transfer_order_is_422(stack: Stack) -> None:
    answer = await arrive(stack, "SO-X", "TO-999999", 1, "t", expect=422)
    assert answer["reason"] == "transfer_order_number: unknown transfer order 'TO-999999'"
