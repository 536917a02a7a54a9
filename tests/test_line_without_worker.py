"""A line whose workflow no worker answers (workers restarting, an upgrade under way) gets
a 503 naming Temporal within the query's bound, never a hang; once a worker polls again the
line is shown whole, what happened meanwhile included."""

from __future__ import annotations

import time

from starter.http.lines import QUERY_TIMEOUT
from tests.conftest import Stack, auth, order_number
from tests.fixtures import demo_setup, laptop_order


async def test_a_line_whose_workflow_does_not_answer_gets_a_503(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = order_number()
    await stack.call("POST", "/orders", json=laptop_order(so, 5), role="orders", expect=202)
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    po = line["supply"][0]["document_number"]
    await stack.stop_worker()
    # A receipt while no worker runs: the row has it, the workflow hears it later.
    await stack.receive(so, po, 2, "r1")
    started = time.monotonic()
    response = await stack.api.get(f"/orders/{so}/lines/1", headers=auth("viewer"))
    took = time.monotonic() - started
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] and "Temporal" in response.text
    # The client tries a timed-out call a few times: a bound, not a hang.
    assert QUERY_TIMEOUT.total_seconds() <= took < 4 * QUERY_TIMEOUT.total_seconds()
    await stack.start_worker()
    line = await stack.wait_line(so, until=lambda v: v["received_quantity"] == 2)
    assert line["supply"][0]["document_number"] == po and line["reserved_quantity"] == 2
