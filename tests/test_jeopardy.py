"""Dates and jeopardy (contract: "Dates and jeopardy"), end to end on the dev servers and
PostgreSQL. Late supply raises jeopardy and its priority climbs as days pass (on a
time-skipping server, so the lead time passes without waiting), and its arrival clears it.
A promised date after the requested ship date raises it at once, moved back it clears; a
revision of the requested ship date moves it too."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from temporalio.api.sdk.v1 import WorkflowMetadata

from domain import search_attributes as sa
from tests.conftest import Stack, order_number, poll
from tests.fixtures import demo_setup, laptop_order


def days_from_today(n: int) -> str:
    return (date.today() + timedelta(days=n)).isoformat()


async def book(stack: Stack, quantity: int, requested: str | None) -> tuple[str, dict[str, Any]]:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = order_number()
    order = {**laptop_order(so, quantity), "requested_ship_date": requested}
    await stack.call("POST", "/orders", json=order, role="orders", expect=202)
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    return so, line["supply"][0]


def jeopardy_events(line: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (e["type"], e["detail"])
        for e in line["events"]
        if e["type"] in ("JEOPARDY_RAISED", "JEOPARDY_CLEARED")
    ]


async def in_ui(stack: Stack, query: str) -> list[str]:
    return [wf.id async for wf in stack.client.list_workflows(query)]


async def test_late_supply_climbs_from_low_to_high_and_its_arrival_clears_it(
    skipping_stack: Stack,
) -> None:
    stack = skipping_stack
    so, po = await book(stack, 5, None)  # no requested date: only lateness counts
    # BPA-1 promises 5 days; nothing arrives, and the server skips past the due date, the
    # MEDIUM (3 days late) and the HIGH (7 days late) thresholds.
    line = await stack.wait_line(so, until=lambda v: v["jeopardy_priority"] == "HIGH")
    expected = po["need_by_date"]
    assert line["jeopardy"] is True and line["status"] == "AWAITING_SUPPLY"
    assert [(t, d.split(" is ")[0]) for t, d in jeopardy_events(line)] == [
        ("JEOPARDY_RAISED", f"{po['document_number']} expected {expected}"),
    ] * 3
    assert [d.rsplit(" ", 1)[1] for _, d in jeopardy_events(line)] == [
        "(LOW)",
        "(MEDIUM)",
        "(HIGH)",
    ]
    assert "7 days late" in line["jeopardy_reason"]
    found = await poll(
        lambda: in_ui(stack, f"OrderNumber = '{so}' AND JeopardyPriority = 'HIGH'"),
        lambda ids: ids == [f"order-{so}-line-1"],
    )
    assert found
    stored = await stack.call("GET", f"/events?order_number={so}")
    raised = [e for e in stored["events"] if e["type"] == "JEOPARDY_RAISED"]
    assert raised[-1]["data"]["priority"] == "HIGH"
    assert raised[-1]["data"]["document"] == po["document_number"]
    assert raised[-1]["data"]["expected_date"] == expected

    await stack.receive(so, po["document_number"], 5, "r1")
    line = await stack.wait_line(so, until=lambda v: v["jeopardy"] is False)
    assert line["status"] == "AWAITING_SHIPPING" and line["jeopardy_priority"] is None
    assert jeopardy_events(line)[-1][0] == "JEOPARDY_CLEARED"
    await poll(
        lambda: in_ui(stack, f"OrderNumber = '{so}' AND JeopardyPriority = 'HIGH'"),
        lambda ids: ids == [],
    )


async def test_a_promised_date_after_the_requested_date_raises_it_and_moved_back_clears_it(
    stack: Stack,
) -> None:
    so, po = await book(stack, 5, days_from_today(20))
    number = po["document_number"]
    assert (await stack.line(so))["jeopardy"] is False  # expected in 5 days, wanted in 20

    late = days_from_today(25)
    await stack.call(
        "POST",
        f"/purchase-orders/{number}/acknowledgments",
        role="buyer",
        json={
            "acknowledgment_id": f"{so}-a1",
            "lines": [{"po_line": 1, "action": "ACCEPT", "promised_date": late}],
        },
    )
    line = await stack.wait_line(so, until=lambda v: v["jeopardy"] is True)
    assert line["jeopardy_priority"] == "MEDIUM"  # 5 days after: from 3, before 7
    assert line["jeopardy_reason"] == (
        f"{number} expected {late}, 5 days after the requested ship date {days_from_today(20)}"
    )
    await poll(
        lambda: in_ui(stack, f"OrderNumber = '{so}' AND JeopardyPriority = 'MEDIUM'"),
        lambda ids: ids == [f"order-{so}-line-1"],
    )

    await stack.call(
        "POST",
        f"/purchase-orders/{number}/acknowledgments",
        role="buyer",
        json={
            "acknowledgment_id": f"{so}-a2",
            "lines": [{"po_line": 1, "action": "CHANGE", "promised_date": days_from_today(18)}],
        },
    )
    line = await stack.wait_line(so, until=lambda v: v["jeopardy"] is False)
    assert line["jeopardy_priority"] is None
    assert [t for t, _ in jeopardy_events(line)] == ["JEOPARDY_RAISED", "JEOPARDY_CLEARED"]


async def test_a_revision_of_the_requested_ship_date_moves_jeopardy(stack: Stack) -> None:
    so, po = await book(stack, 5, days_from_today(20))
    expected = po["need_by_date"]  # in 5 days

    # The whole order is wanted in 3 days: the PO comes 2 days after that.
    revised = await stack.call(
        "POST",
        f"/orders/{so}/revisions",
        role="orders",
        json={"requested_ship_date": days_from_today(3)},
    )
    assert revised["moved_dates"] == [{"line_number": 1, "requested_ship_date": days_from_today(3)}]
    line = await stack.wait_line(so, until=lambda v: v["jeopardy"] is True)
    assert (line["jeopardy_priority"], line["requested_ship_date"]) == (
        "LOW",
        days_from_today(3),
    )
    assert f"expected {expected}, 2 days after" in line["jeopardy_reason"]
    header = await stack.call("GET", f"/orders/{so}")
    assert header["requested_ship_date"] == days_from_today(3)

    # Line 1 alone may wait until after the PO: cleared.
    await stack.call(
        "POST",
        f"/orders/{so}/revisions",
        role="orders",
        json={"change_lines": [{"line_number": 1, "requested_ship_date": days_from_today(6)}]},
    )
    line = await stack.wait_line(so, until=lambda v: v["jeopardy"] is False)
    assert line["requested_ship_date"] == days_from_today(6)
    assert "requested ship date moved to" in " ".join(e["detail"] for e in line["events"])
    # The Web UI's RequestedShipDate follows.
    handle = stack.client.get_workflow_handle(f"order-{so}-line-1")
    moved = datetime(*date.fromisoformat(days_from_today(6)).timetuple()[:3], tzinfo=UTC)
    await poll(
        lambda: handle.describe(),
        lambda d: d.typed_search_attributes.get(sa.REQUESTED_SHIP_DATE) == moved,
    )
    # A date alone on a canceled line is refused like any change of it.
    await stack.call("POST", f"/orders/{so}/lines/1/cancel", role="orders", json={"reason": "x"})
    await stack.wait_status(so, "CANCELED")
    refused = await stack.call(
        "POST",
        f"/orders/{so}/revisions",
        role="orders",
        json={"change_lines": [{"line_number": 1, "requested_ship_date": days_from_today(9)}]},
        expect=409,
    )
    assert refused["field"] == "change_lines[0]"


async def test_supply_on_time_raises_no_jeopardy(stack: Stack) -> None:
    # On the ordinary server the due date is days away: the supply arrives well before.
    so, po = await book(stack, 2, days_from_today(20))
    await stack.receive(so, po["document_number"], 2, "r1")
    line = await stack.ship(so, 2)
    assert line["jeopardy"] is False and line["jeopardy_priority"] is None
    assert jeopardy_events(line) == []


async def test_a_document_made_for_a_shortfall_is_watched_too(stack: Stack) -> None:
    from tests.test_acknowledgments import RANK_2, laptop_setup

    await stack.call("PUT", "/setup", json=laptop_setup(*RANK_2))
    so = order_number()
    order = {**laptop_order(so, 6), "requested_ship_date": days_from_today(6)}
    await stack.call("POST", "/orders", json=order, role="orders", expect=202)
    acme = (await stack.wait_status(so, "AWAITING_SUPPLY"))["supply"][0]["document_number"]
    assert (await stack.line(so))["jeopardy"] is False  # SUP-ACME: 5 days, wanted in 6
    await stack.call(
        "POST",
        f"/purchase-orders/{acme}/acknowledgments",
        role="buyer",
        json={"acknowledgment_id": f"{so}-a", "lines": [{"po_line": 1, "action": "REJECT"}]},
    )
    # SUP-HELIX takes it, 7 days out: a day after the requested ship date.
    line = await stack.wait_line(so, until=lambda v: v["jeopardy"] is True)
    helix = line["supply"][1]
    assert helix["supplier"] == "SUP-HELIX" and line["jeopardy_priority"] == "LOW"
    assert line["jeopardy_reason"].startswith(f"{helix['document_number']} expected ")
    handle = stack.client.get_workflow_handle(f"order-{so}-line-1")

    async def details() -> str:
        meta = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
        return meta.current_details

    shown = await poll(details, lambda d: "in jeopardy (LOW)" in d)
    assert helix["document_number"] in shown and "1 day after the requested ship date" in shown
