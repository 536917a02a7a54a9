"""Setup readiness and retrying a line once its setup is fixed."""

from __future__ import annotations

from tests.conftest import Stack, order_number
from tests.fixtures import demo_setup, laptop_order


def gpu_setup(**agreement: object) -> dict:
    setup = demo_setup()
    setup["items"].append(
        {"number": "GPU-Z", "list_price": "900", "cost": "600", "back_to_back_enabled": True}
    )
    setup["sourcing_rules"].append(
        {"item": "GPU-Z", "sources": [{"type": "BUY", "supplier": "SUP-ACME", "rank": 1}]}
    )
    if agreement:
        setup["blanket_agreements"].append(
            {
                "number": "BPA-GPU",
                "supplier": "SUP-ACME",
                "item": "GPU-Z",
                "unit_price": "610.00",
                "lead_time_days": 3,
                **agreement,
            }
        )
    return setup


async def test_setup_check_names_what_each_item_lacks(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=gpu_setup())
    check = await stack.call("GET", "/setup/check", role="viewer")
    by_item = {i["item"]: i for i in check["items"]}
    assert check["ready"] is False
    assert by_item["LAPTOP-X1"]["ready"] and by_item["LAPTOP-X1-32GB"]["ready"]
    assert "CABLE-C6" not in by_item  # not back-to-back: nothing to check
    assert by_item["GPU-Z"]["missing"] == [
        "global rule, rank 1 BUY: no active blanket agreement with SUP-ACME"
    ]
    # SERVER-HE's agreement does not submit orders automatically.
    assert "submits orders automatically" in by_item["SERVER-HE"]["missing"][0]
    one = await stack.call("GET", "/setup/check?item=GPU-Z")
    assert [i["item"] for i in one["items"]] == ["GPU-Z"]
    await stack.call("GET", "/setup/check?item=NOPE", expect=404)


async def test_line_waits_for_setup_and_resumes_on_retry(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=gpu_setup())
    so = order_number()
    order = laptop_order(so, quantity=2)
    order["lines"][0]["item_number"] = "GPU-Z"
    await stack.call("POST", "/orders", json=order, role="orders", expect=202)
    line = await stack.wait_status(so, "MANUAL_ACTION_REQUIRED")
    assert "no active blanket agreement with SUP-ACME" in line["manual_action_reason"]
    assert line["supply"] == []
    # Retrying before the setup is fixed lands back in manual action, with a new event.
    await stack.call("POST", f"/orders/{so}/lines/1/retry", role="orders")
    await stack.wait_line(
        so,
        until=lambda v: (
            v["status"] == "MANUAL_ACTION_REQUIRED"
            and sum(e["type"] == "MANUAL_ACTION_REQUIRED" for e in v["events"]) == 2
        ),
    )
    await stack.call(
        "PUT",
        "/setup",
        json=gpu_setup(automatically_generate_orders=True, automatically_submit_for_approval=True),
    )
    assert (await stack.call("GET", "/setup/check?item=GPU-Z"))["ready"] is True
    answer = await stack.call("POST", f"/orders/{so}/lines/1/retry", role="orders")
    assert answer["line_status"] == "BOOKED"
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    assert line["manual_action_reason"] is None
    assert line["supply"][0]["supplier"] == "SUP-ACME"
    assert await stack.scalar("SELECT count(*) FROM purchase_orders") == 1
    types = [e["type"] for e in line["events"]]
    assert types.count("LINE_RETRIED") == 2
    again = await stack.call("POST", f"/orders/{so}/lines/1/retry", role="orders", expect=409)
    assert "only a line in MANUAL_ACTION_REQUIRED" in again["reason"]


async def test_retry_of_a_line_not_in_manual_action_is_refused(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = order_number()
    order = laptop_order(so, quantity=2)
    order["lines"][0]["item_number"] = "CABLE-C6"
    await stack.call("POST", "/orders", json=order, role="orders", expect=202)
    await stack.wait_status(so, "AWAITING_SHIPPING")
    refused = await stack.call("POST", f"/orders/{so}/lines/1/retry", role="orders", expect=409)
    assert "is AWAITING_SHIPPING; only a line in MANUAL_ACTION_REQUIRED" in refused["reason"]
    await stack.call("POST", f"/orders/{so}/lines/1/retry", role="scanner", expect=403)
