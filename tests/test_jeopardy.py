"""Jeopardy: supply not complete by its expected date raises it; arrival clears it.
Runs on a time-skipping server, so the lead time passes without waiting."""

from __future__ import annotations

from tests.conftest import Stack, order_number, poll
from tests.fixtures import demo_setup, laptop_order


async def test_late_supply_raises_jeopardy_and_its_arrival_clears_it(
    skipping_stack: Stack,
) -> None:
    stack = skipping_stack
    await stack.call("PUT", "/setup", json=demo_setup())
    so = order_number()
    await stack.call("POST", "/orders", json=laptop_order(so, 5), role="orders", expect=202)
    # BPA-1 promises 5 days; nothing arrives, and the server skips ahead to the due date.
    line = await stack.wait_line(so, until=lambda v: v["jeopardy"] is True)
    po = line["supply"][0]
    assert line["status"] == "AWAITING_SUPPLY"
    raised = [e for e in line["events"] if e["type"] == "JEOPARDY_RAISED"]
    assert (
        raised
        and f"{po['document_number']} expected by {po['need_by_date']} is late"
        in (raised[0]["detail"])
    )
    found = await poll(
        lambda: stack.call("GET", f"/lines?order_number={so}&status=AWAITING_SUPPLY"),
        lambda r: len(r["lines"]) == 1,
    )
    assert found["lines"][0]["workflow_id"] == f"order-{so}-line-1"
    in_ui = [
        wf.id
        async for wf in stack.client.list_workflows(f"OrderNumber = '{so}' AND Jeopardy = true")
    ]
    assert in_ui == [f"order-{so}-line-1"]
    events = await stack.call("GET", f"/events?order_number={so}")
    assert "JEOPARDY_RAISED" in [e["type"] for e in events["events"]]

    await stack.receive(so, po["document_number"], 5, "r1")
    line = await stack.wait_line(so, until=lambda v: v["jeopardy"] is False)
    assert line["status"] == "AWAITING_SHIPPING"
    assert "JEOPARDY_CLEARED" in [e["type"] for e in line["events"]]


async def test_supply_on_time_raises_no_jeopardy(stack: Stack) -> None:
    # On the ordinary server the due date is days away: the supply arrives well before.
    await stack.call("PUT", "/setup", json=demo_setup())
    so = order_number()
    await stack.call("POST", "/orders", json=laptop_order(so, 2), role="orders", expect=202)
    po = (await stack.wait_status(so, "AWAITING_SUPPLY"))["supply"][0]["document_number"]
    await stack.receive(so, po, 2, "r1")
    line = await stack.ship(so, 2)
    assert line["jeopardy"] is False
    assert "JEOPARDY_RAISED" not in [e["type"] for e in line["events"]]
