"""A line is shown while no worker answers its workflow (workers restarting, an upgrade
under way): from the system of record, within the query's bound, never a hang or a 5xx."""

from __future__ import annotations

import time

from starter.http.lines import QUERY_TIMEOUT
from tests.conftest import Stack, order_number
from tests.fixtures import demo_setup, laptop_order


async def test_a_line_whose_workflow_does_not_answer_is_shown_as_stored(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = order_number()
    await stack.call("POST", "/orders", json=laptop_order(so, 5), role="orders", expect=202)
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    po = line["supply"][0]["document_number"]
    await stack.stop_worker()
    # A receipt while no worker runs: the row has it, the workflow will hear it later.
    await stack.receive(so, po, 2, "r1")
    started = time.monotonic()
    shown = await stack.line(so)
    took = time.monotonic() - started
    assert QUERY_TIMEOUT.total_seconds() <= took < QUERY_TIMEOUT.total_seconds() + 5
    assert shown["status"] == "AWAITING_SUPPLY"
    assert (shown["received_quantity"], shown["reserved_quantity"]) == (2, 2)
    assert shown["awaiting_supply_quantity"] == 3
    assert "not answering" in shown["waiting_for"]
    await stack.start_worker()
    line = await stack.wait_line(so, until=lambda v: bool(v["supply"]))
    assert line["received_quantity"] == 2 and line["supply"][0]["document_number"] == po
