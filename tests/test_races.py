"""Races between people and the warehouse: exactly one of two conflicting requests wins,
and the line, its supply and the stock agree afterwards."""

from __future__ import annotations

import asyncio

from tests.conftest import Stack, auth
from tests.fixtures import demo_setup
from tests.test_backorders import book_line, staged_stock_line
from tests.test_on_hand_flow import stock


async def test_a_cancel_racing_the_purchase_order_leaves_no_open_supply(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    orders = [await book_line(stack, 5, item="LAPTOP-X1") for _ in range(4)]
    # Cancel each line while its workflow is scheduling and creating the PO.
    await asyncio.gather(
        *(
            stack.call("POST", f"/orders/{so}/cancel", role="orders", json={"reason": "race"})
            for so in orders
        )
    )
    for so in orders:
        line = await stack.wait_status(so, "CANCELED")
        assert line["canceled_quantity"] == 5
        await stack.wait_order_closed(so)
    # Whatever PO was made before the cancel landed is canceled with nothing open.
    open_on_pos = await stack.scalar(
        "SELECT coalesce(sum(quantity - canceled_quantity), 0) FROM purchase_order_lines"
    )
    assert open_on_pos == 0
    assert (
        await stack.scalar("SELECT count(*) FROM purchase_orders WHERE status NOT IN ('CANCELED')")
        == 0
    )


async def test_a_ship_confirm_and_a_cancel_at_once_have_one_winner(stack: Stack) -> None:
    so = await staged_stock_line(stack)
    shipped, canceled = await asyncio.gather(
        stack.api.post(
            "/scans/shipments",
            headers=auth("scanner"),
            json={
                "scan_id": f"{so}-race",
                "order_number": so,
                "line_number": 1,
                "shipped_quantity": 10,
            },
        ),
        stack.api.post(
            f"/orders/{so}/lines/1/cancel",
            headers=auth("orders"),
            json={"reason": "race"},
        ),
    )
    codes = sorted([shipped.status_code, canceled.status_code])
    assert codes == [200, 409], (shipped.text, canceled.text)
    if shipped.status_code == 200:
        line = await stack.wait_status(so, "CLOSED")
        assert (line["shipped_quantity"], line["canceled_quantity"]) == (10, 0)
        assert await stock(stack) == (0, 0)
    else:
        line = await stack.wait_status(so, "CANCELED")
        assert line["shipped_quantity"] == 0
        assert await stock(stack) == (10, 0)
