"""Make supply: a work order pegged to the line, completions reserved to it."""

from __future__ import annotations

from typing import Any

from tests.conftest import Stack, order_number
from tests.fixtures import demo_setup, laptop_order


def make_setup(*, use_in_planning: bool = True, fallback_buy: bool = False) -> dict[str, Any]:
    setup = demo_setup()
    setup["items"].append(
        {
            "number": "RACK-42U",
            "list_price": "2400.00",
            "cost": "1300.00",
            "back_to_back_enabled": True,
        }
    )
    setup["work_definitions"] = [
        {
            "item": "RACK-42U",
            "organization": "M1",
            "lead_time_days": 10,
            "use_in_planning": use_in_planning,
        }
    ]
    sources: list[dict[str, Any]] = [{"type": "MAKE", "rank": 1}]
    if fallback_buy:
        sources.append({"type": "BUY", "supplier": "SUP-ACME", "rank": 2})
        setup["blanket_agreements"].append(
            {
                "number": "BPA-RACK",
                "supplier": "SUP-ACME",
                "item": "RACK-42U",
                "unit_price": "1500.00",
                "automatically_generate_orders": True,
                "automatically_submit_for_approval": True,
            }
        )
    setup["sourcing_rules"].append({"item": "RACK-42U", "organization": "M1", "sources": sources})
    return setup


async def book_rack(stack: Stack, quantity: int, setup: dict[str, Any]) -> str:
    await stack.call("PUT", "/setup", json=setup)
    so = order_number()
    order = laptop_order(so, quantity=quantity)
    order["lines"][0]["item_number"] = "RACK-42U"
    await stack.call("POST", "/orders", json=order, role="orders", expect=202)
    return so


async def complete(
    stack: Stack, so: str, work_order: str, quantity: int, scan: str, *, expect: int = 200
) -> Any:
    return await stack.call(
        "POST",
        "/scans/work-order-completions",
        role="scanner",
        expect=expect,
        json={"scan_id": f"{so}-{scan}", "work_order_number": work_order, "quantity": quantity},
    )


async def test_make_line_from_work_order_to_closed(stack: Stack) -> None:
    so = await book_rack(stack, 3, make_setup())
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    supply = line["supply"][0]
    assert supply["type"] == "MAKE" and supply["document_type"] == "WORK_ORDER"
    assert supply["status"] == "IN_PRODUCTION" and supply["quantity"] == 3
    assert supply["supplier"] is None and supply["organization"] == "M1"
    wo = supply["document_number"]
    assert "completions on " + wo in line["waiting_for"]
    first = await complete(stack, so, wo, 1, "c1")
    assert first["accepted"] and first["line_status"] == "AWAITING_SUPPLY"
    # What the line waits for follows the counts (the Web UI shows the same text).
    await stack.wait_line(so, until=lambda v: v["waiting_for"].endswith("1 of 3 received"))
    over = await complete(stack, so, wo, 3, "c-over", expect=409)
    assert "over-receipt" in over["reason"] and "work order" in over["reason"]
    second = await complete(stack, so, wo, 2, "c2")
    assert second["line_status"] == "AWAITING_SHIPPING"
    line = await stack.ship(so, 3)
    assert [i["kind"] for i in line["invoices"]] == ["AR"]  # nothing to pay a supplier
    assert line["invoices"][0]["amount"] == "7200.00"
    assert line["supply"][0]["status"] == "CLOSED"
    assert await stack.scalar("SELECT status FROM work_orders") == "CLOSED"
    assert await stack.scalar("SELECT count(*) FROM purchase_orders") == 0
    assert await stack.scalar("SELECT count(*) FROM receipts") == 2


async def test_unknown_work_order_is_422(stack: Stack) -> None:
    answer = await complete(stack, "SO-X", "WO-999999", 1, "c", expect=422)
    assert answer["reason"] == "work_order_number: unknown work order 'WO-999999'"


async def test_cancel_reduces_then_cancels_the_work_order(stack: Stack) -> None:
    so = await book_rack(stack, 4, make_setup())
    wo = (await stack.wait_status(so, "AWAITING_SUPPLY"))["supply"][0]["document_number"]
    await complete(stack, so, wo, 1, "c1")
    await stack.call(
        "POST",
        f"/orders/{so}/lines/1/cancel",
        role="orders",
        json={"quantity": 2, "reason": "Smaller rack room"},
    )
    await stack.wait_line(so, until=lambda v: v["supply"][0]["quantity"] == 2)
    assert await stack.scalar("SELECT canceled_quantity FROM work_orders") == 2
    await stack.call(
        "POST", f"/orders/{so}/lines/1/cancel", role="orders", json={"reason": "Project dropped"}
    )
    await stack.wait_status(so, "CANCELED")  # at once; the work order follows
    await stack.wait_order_closed(so)
    line = await stack.line(so)
    # The completed rack cannot be unmade: the work order keeps it; the rest is canceled.
    assert line["supply"][0]["quantity"] == 1
    assert await stack.scalar("SELECT quantity - canceled_quantity FROM work_orders") == 1
    assert await stack.scalar("SELECT reserved FROM on_hand WHERE item = 'RACK-42U'") == 0


async def test_work_definition_not_used_in_planning_falls_back_to_buy(stack: Stack) -> None:
    so = await book_rack(stack, 1, make_setup(use_in_planning=False, fallback_buy=True))
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    assert line["supply"][0]["type"] == "BUY"
    why = [e["detail"] for e in line["events"] if e["type"] == "LINE_SCHEDULED"]
    assert "rank 1 MAKE: no work definition used in planning for RACK-42U at M1" in why
    check = await stack.call("GET", "/setup/check?item=RACK-42U")
    assert check["items"][0]["missing"] == [
        "rule at M1, rank 1 MAKE: no work definition used in planning"
    ]
