"""Holds (contract: "Holds"), end to end on the dev server and PostgreSQL: a hold on a line
keeps pick waves off it (the wave says why) and a hold on the order refuses its ship
confirms with 409 naming the hold, until released; applied twice it is one hold; a hold
racing a wave has one winner."""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio.api.sdk.v1 import WorkflowMetadata

from tests.conftest import Stack, order_number, poll
from tests.fixtures import demo_setup, laptop_order

HOLD_CODES = [
    {"code": "QUALITY", "name": "Quality inspection", "blocks": ["PICK_RELEASE", "SHIPPING"]},
    {"code": "EXPORT", "name": "Export license", "blocks": ["SHIPPING"]},
]


async def ready_line(stack: Stack, quantity: int = 5) -> str:
    """An order of one laptop line, received in full: AWAITING_SHIPPING."""
    so = order_number()
    await stack.call("POST", "/orders", json=laptop_order(so, quantity), role="orders", expect=202)
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    await stack.receive(so, line["supply"][0]["document_number"], quantity, "r1")
    await stack.wait_status(so, "AWAITING_SHIPPING")
    return so


async def hold(stack: Stack, so: str, code: str, line: int | None = 1, **kw: Any) -> Any:
    body = {"hold_code": code, "line_number": line, "reason": f"{code.lower()} check"}
    return await stack.call("POST", f"/orders/{so}/holds", role="orders", json=body, **kw)


async def release(stack: Stack, so: str, hold_id: str) -> Any:
    return await stack.call(
        "POST",
        f"/orders/{so}/holds/{hold_id}/release",
        role="orders",
        json={"reason": "cleared"},
    )


async def wave(stack: Stack, so: str) -> dict[str, Any]:
    return await stack.call(
        "POST", "/pick-waves", role="scanner", json={"organization": "M1", "order_number": so}
    )


async def confirm(stack: Stack, so: str, kind: str, quantity: int, scan: str, **kw: Any) -> Any:
    return await stack.call(
        "POST",
        "/scans/picks" if kind == "picked" else "/scans/shipments",
        role="scanner",
        json={
            "scan_id": f"{so}-{scan}",
            "order_number": so,
            "line_number": 1,
            f"{kind}_quantity": quantity,
        },
        **kw,
    )


async def setup(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json={**demo_setup(), "hold_codes": HOLD_CODES})


async def test_a_held_line_is_left_by_waves_until_released(stack: Stack) -> None:
    await setup(stack)
    so = await ready_line(stack)
    applied = await hold(stack, so, "QUALITY")
    assert applied["hold_id"].startswith("HLD-") and applied["released_at"] is None
    again = await hold(stack, so, "QUALITY")
    assert again["hold_id"] == applied["hold_id"]  # one hold, applied once
    view = await stack.line(so)
    assert [(h["hold_id"], h["hold_code"]) for h in view["holds"]] == [
        (applied["hold_id"], "QUALITY")
    ]

    left = await wave(stack, so)
    assert left["wave_number"] is None and left["lines"] == []
    assert left["held"] == [
        {
            "order_number": so,
            "line_number": 1,
            "reason": f"on hold, pick release blocked by {applied['hold_id']}"
            " (QUALITY: quality check)",
        }
    ]
    assert (await stack.line(so))["status"] == "AWAITING_SHIPPING"

    released = await release(stack, so, applied["hold_id"])
    assert released["released_at"] is not None and released["release_reason"] == "cleared"
    assert (await release(stack, so, applied["hold_id"]))["released_at"] == released["released_at"]
    assert (await stack.line(so))["holds"] == []
    taken = await wave(stack, so)
    assert [(x["line_number"], x["released_quantity"]) for x in taken["lines"]] == [(1, 5)]
    assert taken["held"] == []
    types = [e["type"] for e in (await stack.call("GET", f"/events?order_number={so}"))["events"]]
    assert types.count("HOLD_APPLIED") == 1 and types.count("HOLD_RELEASED") == 1


async def test_a_hold_on_the_order_refuses_ship_confirms_naming_it(stack: Stack) -> None:
    await setup(stack)
    so = await ready_line(stack)
    await wave(stack, so)
    await confirm(stack, so, "picked", 5, "p1")
    await stack.wait_status(so, "STAGED")
    export = await hold(stack, so, "EXPORT", line=None)
    assert export["line_number"] is None and [x["line_number"] for x in export["lines"]] == [1]
    refused = await confirm(stack, so, "shipped", 5, "s1", expect=409)
    assert export["hold_id"] in refused["reason"] and "EXPORT on the order" in refused["reason"]
    assert (await stack.line(so))["status"] == "STAGED"

    await release(stack, so, export["hold_id"])
    shipped = await confirm(stack, so, "shipped", 5, "s2")
    assert shipped["accepted"] and shipped["line_status"] == "SHIPPED"
    closed = await stack.wait_status(so, "CLOSED")
    assert closed["holds"] == []


async def test_a_hold_racing_a_wave_has_one_winner(stack: Stack) -> None:
    await setup(stack)
    orders = [await ready_line(stack, 2) for _ in range(6)]

    async def race(so: str) -> tuple[dict[str, Any], dict[str, Any]]:
        applied, waved = await asyncio.gather(hold(stack, so, "QUALITY"), wave(stack, so))
        return applied, waved

    for so, (applied, waved) in zip(orders, await asyncio.gather(*map(race, orders)), strict=True):
        released = [x for x in waved["lines"] if x["released_quantity"] > 0]
        status_under_hold = applied["lines"][0]["status"]
        if status_under_hold == "PICK_RELEASED":  # the wave locked the line first
            assert released and waved["held"] == []
        else:  # the hold came first: the wave left the line
            assert status_under_hold == "AWAITING_SHIPPING"
            assert not released and [h["line_number"] for h in waved["held"]] == [1]
        line = await stack.line(so)
        assert line["status"] == status_under_hold


async def test_bad_holds_are_refused_naming_the_rule(stack: Stack) -> None:
    await setup(stack)
    so = await ready_line(stack)
    unknown = await hold(stack, so, "NOPE", expect=422)
    assert "hold_code" in unknown["reason"]
    await hold(stack, "SO-NOT-THERE", "QUALITY", expect=404)
    await hold(stack, so, "QUALITY", line=7, expect=404)
    await stack.call(
        "POST",
        f"/orders/{so}/holds/HLD-999999/release",
        role="orders",
        json={"reason": "x"},
        expect=404,
    )
    assert (await stack.line(so))["holds"] == []


async def test_billing_waits_for_a_billing_hold_and_the_web_ui_names_it(stack: Stack) -> None:
    await stack.call(
        "PUT",
        "/setup",
        json={
            **demo_setup(),
            "hold_codes": [{"code": "FINANCE", "name": "Billing dispute", "blocks": ["BILLING"]}],
        },
    )
    so = await ready_line(stack)
    finance = await hold(stack, so, "FINANCE")
    handle = stack.client.get_workflow_handle(f"order-{so}-line-1")

    async def details() -> str:
        meta = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
        return meta.current_details

    await poll(details, lambda d: f"on hold: {finance['hold_id']} FINANCE" in d)
    # Waves and ship confirms go on: the hold blocks billing only.
    await wave(stack, so)
    await confirm(stack, so, "picked", 5, "p1")
    await stack.wait_status(so, "STAGED")
    await confirm(stack, so, "shipped", 5, "s1")
    waiting = await poll(details, lambda d: "billing waits" in d)
    assert finance["hold_id"] in waiting
    line = await stack.line(so)
    assert line["status"] == "SHIPPED" and line["invoices"] == []
    assert await stack.scalar("SELECT count(*) FROM ar_invoices WHERE order_number = $1", so) == 0

    await release(stack, so, finance["hold_id"])
    closed = await stack.wait_status(so, "CLOSED")
    assert {i["kind"] for i in closed["invoices"]} == {"AR", "AP"}
    assert await stack.scalar("SELECT count(*) FROM ar_invoices WHERE order_number = $1", so) == 1
