"""An order's answer from the system of record: line counts per status, its first lines,
and the rest paged in line order."""

from __future__ import annotations

from decimal import Decimal

import pytest

from starter.http import orders
from tests.conftest import Stack, order_number
from tests.fixtures import demo_setup, laptop_order


async def booked(stack: Stack, lines: int) -> str:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = order_number()
    order = laptop_order(so)
    order["lines"] = [
        {"line_number": n, "item_number": "LAPTOP-X1", "quantity": n, "uom": "Ea"}
        for n in range(1, lines + 1)
    ]
    await stack.call("POST", "/orders", json=order, role="orders", expect=202)
    return so


async def test_the_order_counts_its_lines_by_status_and_pages_the_rest(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    so = await booked(stack, 5)
    for n in range(1, 6):
        await stack.wait_status(so, "AWAITING_SUPPLY", line_number=n)
    await stack.call("POST", f"/orders/{so}/lines/4/cancel", role="orders", json={})

    monkeypatch.setattr(orders, "ORDER_LINES_PAGE", 3)
    order = await stack.call("GET", f"/orders/{so}", role="viewer")
    assert order["line_counts"] == {"AWAITING_SUPPLY": 4, "CANCELED": 1}
    assert [line["line_number"] for line in order["lines"]] == [1, 2, 3]
    assert order["more_lines_after"] == 3
    # The total counts every line, not only the first page: 1 + 2 + 3 + 5 laptops open.
    assert Decimal(order["total_amount"]) == 11 * Decimal("1450.00")
    assert order["status"] == "OPEN"

    first = await stack.call("GET", f"/orders/{so}/lines?limit=2", role="viewer")
    assert [line["line_number"] for line in first["lines"]] == [1, 2]
    assert first["next_after"] == 2
    rest = await stack.call("GET", f"/orders/{so}/lines?after=2&limit=2", role="viewer")
    assert [(x["line_number"], x["status"]) for x in rest["lines"]] == [
        (3, "AWAITING_SUPPLY"),
        (4, "CANCELED"),
    ]
    last = await stack.call("GET", f"/orders/{so}/lines?after=4", role="viewer")
    assert [x["line_number"] for x in last["lines"]] == [5] and last["next_after"] is None
    assert Decimal(last["lines"][0]["ordered_quantity"]) == 5


async def test_paging_answers_an_unknown_order_and_bad_bounds_clearly(stack: Stack) -> None:
    so = await booked(stack, 1)
    await stack.call("GET", f"/orders/{so}/lines?after=1", role="viewer")
    await stack.call("GET", "/orders/SO-NOPE/lines", role="viewer", expect=404)
    for query in ("limit=0", "limit=1001", "after=-1", f"after={2**31}"):
        body = await stack.call("GET", f"/orders/{so}/lines?{query}", role="viewer", expect=422)
        assert query.split("=")[0] in body["detail"]
