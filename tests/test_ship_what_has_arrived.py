"""Ship what has arrived: a pick wave releases what is reserved to a line that is not fully
supplied yet; the rest is canceled (Cancel Backorders, with its supply reduced by the
parameter) or released by a later wave; lines that ship whole still wait; one AR invoice
per ship confirm."""

from __future__ import annotations

from typing import Any

from tests.conftest import Stack, order_number
from tests.fixtures import demo_setup, laptop_order
from tests.test_backorders import book_line, pick, ship
from tests.test_on_hand_flow import stock, stock_setup

CANCEL_BACKORDERS = {"cancel_backorders": True}


async def wave(stack: Stack, so: str) -> dict[str, Any]:
    return await stack.call(
        "POST", "/pick-waves", role="scanner", json={"organization": "M1", "order_number": so}
    )


def released(answer: dict[str, Any]) -> list[tuple[int, int, int, bool]]:
    return [
        (
            li["line_number"],
            li["released_quantity"],
            li["backordered_quantity"],
            li["backorder_canceled"],
        )
        for li in answer["lines"]
    ]


def ar_amounts(line: dict[str, Any]) -> list[str]:
    return [i["amount"] for i in line["invoices"] if i["kind"] == "AR"]


async def partly_received(stack: Stack, **line: Any) -> tuple[str, str]:
    """A laptop line of 10 on a PO with 6 received and reserved."""
    so = await book_line(stack, 10, item="LAPTOP-X1", **line)
    po = (await stack.wait_status(so, "AWAITING_SUPPLY"))["supply"][0]["document_number"]
    await stack.receive(so, po, 6, "r1")
    return so, po


async def test_a_partly_received_line_ships_what_arrived_and_then_the_rest(
    stack: Stack,
) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so, po = await partly_received(stack)
    answer = await wave(stack, so)
    assert released(answer) == [(1, 6, 4, False)]
    line = await stack.line(so)  # the step of the least advanced open quantity
    assert (line["status"], line["released_quantity"], line["awaiting_supply_quantity"]) == (
        "AWAITING_SUPPLY",
        6,
        4,
    )
    await pick(stack, so, 6)
    shipped = await ship(stack, so, 6)
    assert shipped["line_status"] == "AWAITING_SUPPLY"
    line = await stack.wait_line(so, until=lambda v: len(ar_amounts(v)) == 1)
    assert ar_amounts(line) == ["8700.00"]  # 6 at 1450.00: billed as it ships
    assert line["shipped_quantity"] == 6 and line["canceled_quantity"] == 0
    # The rest arrives on the same PO and a later wave releases it.
    await stack.receive(so, po, 4, "r2")
    assert released(await wave(stack, so)) == [(1, 4, 0, False)]
    await pick(stack, so, 4)
    await ship(stack, so, 4)
    line = await stack.wait_status(so, "CLOSED")
    assert ar_amounts(line) == ["8700.00", "5800.00"]
    assert [i["kind"] for i in line["invoices"]].count("AP") == 1
    assert await stack.scalar("SELECT status FROM purchase_orders WHERE po_number = $1", po) == (
        "CLOSED"
    )


async def test_with_cancel_backorders_the_wave_cancels_what_has_not_arrived(
    stack: Stack,
) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so, _ = await partly_received(stack, **CANCEL_BACKORDERS)
    assert released(await wave(stack, so)) == [(1, 6, 4, True)]
    line = await stack.line(so)
    assert (line["canceled_quantity"], line["status"]) == (4, "PICK_RELEASED")
    # Cancel Supply When Canceling Backorders (on): the PO keeps what it delivered.
    line = await stack.wait_line(so, until=lambda v: v["supply"][0]["quantity"] == 6)
    assert await stack.scalar("SELECT quantity - canceled_quantity FROM purchase_order_lines") == 6
    await pick(stack, so, 6)
    await ship(stack, so, 6)
    line = await stack.wait_line(
        so, until=lambda v: any(e["type"] == "LINE_CLOSED" for e in v["events"])
    )
    assert line["status"] == "CLOSED" and ar_amounts(line) == ["8700.00"]


async def test_with_the_supply_parameter_off_the_po_is_kept_for_review(stack: Stack) -> None:
    setup = demo_setup()
    setup["parameters"]["cancel_supply_when_canceling_backorders"] = False
    await stack.call("PUT", "/setup", json=setup)
    so, po = await partly_received(stack, **CANCEL_BACKORDERS)
    assert released(await wave(stack, so)) == [(1, 6, 4, True)]
    review = await stack.call("GET", "/supply/review", role="viewer")
    assert [(r["document_number"], r["canceled_quantity"]) for r in review["supply"]] == [(po, 4)]
    assert await stack.scalar("SELECT quantity - canceled_quantity FROM purchase_order_lines") == 10
    await pick(stack, so, 6)
    await ship(stack, so, 6)
    await stack.wait_status(so, "CLOSED")


async def test_a_stock_line_ships_the_stock_there_and_waits_for_the_rest(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=stock_setup(6))
    so = await book_line(stack, 10)
    await stack.wait_status(so, "BACKORDERED")
    assert released(await wave(stack, so)) == [(1, 6, 4, False)]
    await pick(stack, so, 6)
    await ship(stack, so, 6)
    line = await stack.wait_line(so, until=lambda v: len(ar_amounts(v)) == 1)
    assert (line["status"], line["shipped_quantity"], line["canceled_quantity"]) == (
        "BACKORDERED",
        6,
        0,
    )
    assert await stock(stack) == (0, 0)
    await stack.call("PUT", "/setup", json=stock_setup(4))
    await stack.wait_status(so, "AWAITING_SHIPPING")
    assert released(await wave(stack, so)) == [(1, 4, 0, False)]
    await pick(stack, so, 4)
    await ship(stack, so, 4)
    line = await stack.wait_status(so, "CLOSED")
    assert ar_amounts(line) == ["210.00", "140.00"]


async def test_a_shipment_set_line_and_a_ship_complete_order_wait_for_all_of_it(
    stack: Stack,
) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    in_set, _ = await partly_received(stack, shipment_set="A")
    answer = await wave(stack, in_set)
    # Released only whole, as before this release: the wave leaves it alone.
    assert answer["wave_number"] is None and answer["lines"] == []
    assert (await stack.line(in_set))["released_quantity"] == 0

    so = order_number()
    order = laptop_order(so, 10)
    order["ship_complete"] = True
    await stack.call("POST", "/orders", json=order, role="orders", expect=202)
    po = (await stack.wait_status(so, "AWAITING_SUPPLY"))["supply"][0]["document_number"]
    await stack.receive(so, po, 6, "r1")
    assert (await wave(stack, so))["wave_number"] is None
    await stack.receive(so, po, 4, "r2")
    assert released(await wave(stack, so)) == [(1, 10, 0, False)]
