"""Order Hub intake and order rules on save, through the API on real Temporal and PostgreSQL
(seed 004: "Use REST API" and "Use an Order Management Extension")."""

from __future__ import annotations

from typing import Any

import pytest

from domain.models import LineInput
from tests.conftest import Stack, auth, order_number
from tests.fixtures import demo_setup, laptop_order
from tests.unit.test_order_hub import seed_payload

SEED_RULE = {
    "name": "cancel-backorders-po-prefix",
    "when": {"customer_po_number_starts_with": "Cancel_Backorders"},
    "set": {"cancel_backorders": True, "enforce_single_shipment": True},
}


def setup(*rules: dict[str, Any]) -> dict[str, Any]:
    """The demo setup, Initech being Order Hub's buying party 1006."""
    doc = demo_setup()
    initech = next(c for c in doc["customers"] if c["number"] == "CUST-100")
    initech["party_id"] = 1006
    if rules:
        doc["order_rules"] = list(rules)
    return doc


def hub_order(so: str, po: str = "Cancel_Backorders-001", **line: Any) -> dict[str, Any]:
    """Seed 004's payload for a laptop of the demo setup, under a number of this test."""
    payload = seed_payload()
    payload["SourceTransactionNumber"] = payload["SourceTransactionId"] = so
    payload["CustomerPONumber"] = po
    payload["lines"][0].update({"ProductNumber": "LAPTOP-X1", **line})
    return payload


async def book_hub(stack: Stack, payload: dict[str, Any], expect: int = 202) -> Any:
    return await stack.call("POST", "/orders/order-hub", role="orders", json=payload, expect=expect)


async def line_flags(stack: Stack, so: str) -> tuple[bool, bool]:
    async with stack.pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT cancel_backorders, enforce_single_shipment FROM fulfillment_lines"
            " WHERE order_number = $1 AND line_number = 1",
            so,
        )
    return row["cancel_backorders"], row["enforce_single_shipment"]


async def rule_events(stack: Stack, so: str) -> list[dict[str, Any]]:
    events = await stack.call("GET", f"/events?order_number={so}&limit=1000")
    return [e for e in events["events"] if e["type"] == "ORDER_RULE_APPLIED"]


async def started_line_input(stack: Stack, so: str) -> LineInput:
    """The input the line workflow was started with, read from its history."""
    history = await stack.client.get_workflow_handle(f"order-{so}-line-1").fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    [line] = await stack.client.data_converter.decode(started.input.payloads, [LineInput])
    assert isinstance(line, LineInput)
    return line


async def test_seed_payload_is_booked_like_post_orders(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=setup())
    so = order_number()
    first = await book_hub(stack, hub_order(so))
    assert first == {
        "order_number": so,
        "workflow_id": f"order-{so}",
        "lines": [{"line_number": 1, "workflow_id": f"order-{so}-line-1"}],
    }
    order = await stack.call("GET", f"/orders/{so}")
    assert order["customer_number"] == "CUST-100"
    assert order["customer_po_number"] == "Cancel_Backorders-001"
    assert (order["currency"], order["requested_ship_date"], order["organization"]) == (
        "USD",
        "2024-01-14",
        "M1",
    )
    # No rule set up: the flags are as sent (cancel backorders, more than one shipment).
    assert await line_flags(stack, so) == (True, False)
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    assert line["ordered_quantity"] == 10 and line["item_number"] == "LAPTOP-X1"
    assert line["unit_price"] == "1450.00"
    assert line["supply"][0]["type"] == "BUY"
    assert await rule_events(stack, so) == []
    started = await started_line_input(stack, so)
    assert started.cancel_backorders and not started.enforce_single_shipment
    assert started.applied_rules == []

    # The same SourceTransactionNumber again, through either door, books nothing new.
    assert await book_hub(stack, hub_order(so), expect=200) == first
    again = await stack.call("POST", "/orders", json=laptop_order(so), role="orders")
    assert again == first
    assert await stack.scalar("SELECT count(*) FROM orders") == 1
    assert await stack.scalar("SELECT count(*) FROM fulfillment_lines") == 1
    assert await stack.scalar("SELECT count(*) FROM purchase_orders") == 1


async def test_price_organization_and_line_id_are_taken_from_the_payload(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=setup())
    so = order_number()
    payload = hub_order(
        so,
        SourceTransactionLineNumber=None,
        SourceTransactionLineId="3",
        UnitSellingPrice="1399.00",
        CancelBackordersFlag="N",
        EnforceSingleShipmentFlag="N",
    )
    del payload["TransactionalCurrencyName"]
    payload["TransactionalCurrencyCode"] = "USD"
    answer = await book_hub(stack, payload)
    assert answer["lines"] == [{"line_number": 3, "workflow_id": f"order-{so}-line-3"}]
    line = await stack.wait_status(so, "AWAITING_SUPPLY", line_number=3)
    assert line["unit_price"] == "1399.00" and line["organization"] == "M1"
    assert (
        await stack.scalar(
            "SELECT cancel_backorders OR enforce_single_shipment FROM fulfillment_lines"
        )
        is False
    )


INVALID = [
    pytest.param({"BuyingPartyId": 9999}, {}, "BuyingPartyId", id="unknown-party"),
    pytest.param({"Colour": "red"}, {}, "Colour", id="unknown-header-field"),
    pytest.param({}, {"GiftWrapFlag": True}, "lines[0].GiftWrapFlag", id="unknown-line-field"),
    pytest.param(
        {}, {"CancelBackordersFlag": "maybe"}, "lines[0].CancelBackordersFlag", id="bad-flag"
    ),
    pytest.param(
        {},
        {"CancelBackordersFlag": False, "EnforceSingleShipmentFlag": True},
        "lines[0].EnforceSingleShipmentFlag",
        id="single-shipment-without-cancel-backorders",
    ),
    pytest.param({}, {"OrderedQuantity": 0}, "lines[0].OrderedQuantity", id="zero-quantity"),
    pytest.param({}, {"OrderedQuantity": "ten"}, "lines[0].OrderedQuantity", id="bad-quantity"),
    pytest.param({}, {"ProductNumber": "AS54888"}, "lines[0].ProductNumber", id="unknown-item"),
    pytest.param({}, {"OrderedUOMCode": "Box"}, "lines[0].OrderedUOMCode", id="wrong-uom"),
    pytest.param(
        {"RequestedFulfillmentOrganizationCode": "Z9"},
        {},
        "RequestedFulfillmentOrganizationCode",
        id="unknown-organization",
    ),
    pytest.param({"SubmittedFlag": False}, {}, "SubmittedFlag", id="not-submitted"),
    pytest.param(
        {"TransactionalCurrencyName": "Galactic Credit"},
        {},
        "TransactionalCurrencyName",
        id="unknown-currency",
    ),
]


@pytest.mark.parametrize(("header", "line", "field"), INVALID)
async def test_invalid_payload_is_422_naming_the_field_and_writes_nothing(
    stack: Stack, header: dict[str, Any], line: dict[str, Any], field: str
) -> None:
    await stack.call("PUT", "/setup", json=setup(SEED_RULE))
    events_before = await stack.scalar("SELECT count(*) FROM business_events")
    payload = hub_order(order_number(), **line)
    payload.update(header)
    answer = await book_hub(stack, payload, expect=422)
    named = [e["field"] for e in answer.get("errors", [])] + [answer.get("field")]
    assert field in named, answer
    assert answer["accepted"] is False and field in answer["reason"]
    assert await stack.scalar("SELECT count(*) FROM orders") == 0
    assert await stack.scalar("SELECT count(*) FROM fulfillment_lines") == 0
    assert await stack.scalar("SELECT count(*) FROM business_events") == events_before


async def test_a_token_without_the_orders_role_may_not_book(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=setup())
    response = await stack.api.post(
        "/orders/order-hub", json=hub_order(order_number()), headers=auth("scanner")
    )
    assert response.status_code == 403
    assert await stack.scalar("SELECT count(*) FROM orders") == 0
    spec = (await stack.api.get("/openapi.json")).json()
    assert "/orders/order-hub" in spec["paths"]


async def test_seed_004_order_rule_sets_the_flags_by_po_prefix(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=setup(SEED_RULE))
    booked = {}
    for po in ("Cancel_Backorders-001", "Cancel_Backorders-002", "003"):
        so = order_number()
        # Sent without the flags: the rule is what sets them.
        await book_hub(
            stack, hub_order(so, po, CancelBackordersFlag=False, EnforceSingleShipmentFlag=False)
        )
        booked[po] = so
    sentence = (
        "order rule cancel-backorders-po-prefix: customer PO {po} starts with"
        " Cancel_Backorders; set cancel_backorders, enforce_single_shipment"
    )
    for po in ("Cancel_Backorders-001", "Cancel_Backorders-002"):
        so = booked[po]
        assert await line_flags(stack, so) == (True, True)
        [event] = await rule_events(stack, so)
        assert event["line_number"] is None
        assert event["data"] == {
            "rule": "cancel-backorders-po-prefix",
            "lines": [1],
            "set": {"cancel_backorders": True, "enforce_single_shipment": True},
            "detail": sentence.format(po=po),
        }
        stored = await stack.scalar(
            "SELECT applied_rules FROM fulfillment_lines WHERE order_number = $1", so
        )
        assert stored == [sentence.format(po=po)]
        await stack.wait_status(so, "AWAITING_SUPPLY")
        started = await started_line_input(stack, so)
        assert started.cancel_backorders and started.enforce_single_shipment
        assert started.applied_rules == [sentence.format(po=po)]
        # A person reading the line sees why its flags are set.
        line = await stack.line(so)
        assert [e["detail"] for e in line["events"] if e["type"] == "ORDER_RULE_APPLIED"] == [
            sentence.format(po=po)
        ]
    untouched = booked["003"]
    assert await line_flags(stack, untouched) == (False, False)
    assert await rule_events(stack, untouched) == []
    await stack.wait_status(untouched, "AWAITING_SUPPLY")
    assert (await started_line_input(stack, untouched)).applied_rules == []


async def test_order_rules_apply_to_post_orders_and_survive_a_resubmission(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=setup(SEED_RULE))
    so = order_number()
    order = laptop_order(so)
    order["customer_po_number"] = "Cancel_Backorders-777"
    first = await stack.call("POST", "/orders", json=order, role="orders", expect=202)
    assert await line_flags(stack, so) == (True, True)
    await stack.wait_status(so, "AWAITING_SUPPLY")
    # The request is kept as it was sent; the rule's result lives on the line.
    request = await stack.scalar("SELECT request FROM orders WHERE order_number = $1", so)
    assert request["lines"][0]["cancel_backorders"] is False
    # Turning the rule off later changes neither the booked line nor the resubmission's answer.
    await stack.call("PUT", "/setup", json={"order_rules": [{**SEED_RULE, "active": False}]})
    again = await stack.call("POST", "/orders", json=order, role="orders", expect=200)
    assert again == first
    assert await line_flags(stack, so) == (True, True)
    assert len(await rule_events(stack, so)) == 1
    # And a new order no longer gets the flags.
    later = order_number()
    order["order_number"] = later
    await stack.call("POST", "/orders", json=order, role="orders", expect=202)
    assert await line_flags(stack, later) == (False, False)
    assert await rule_events(stack, later) == []


async def test_order_rules_in_setup_are_upserted_by_name_and_validated(stack: Stack) -> None:
    doc = setup(SEED_RULE)
    first = await stack.call("PUT", "/setup", json=doc)
    await stack.call("PUT", "/setup", json=doc)
    assert first["applied"]["order_rules"] == 1
    assert await stack.scalar("SELECT count(*) FROM order_rules") == 1
    changed = {**SEED_RULE, "set": {"cancel_backorders": True}}
    await stack.call("PUT", "/setup", json={"order_rules": [changed]})
    assert await stack.scalar("SELECT assignments FROM order_rules") == {"cancel_backorders": True}
    bad_rules = [
        ({**SEED_RULE, "set": {"enforce_single_shipment": True}}, "order_rules[0].set"),
        (
            {**SEED_RULE, "when": {"customer_po_starts": "X"}},
            "order_rules[0].when.customer_po_starts",
        ),
        ({**SEED_RULE, "when": {}}, "order_rules[0].when"),
    ]
    for bad, field in bad_rules:
        answer = await stack.call("PUT", "/setup", json={"order_rules": [bad]}, expect=422)
        assert field in [e["field"] for e in answer["errors"]], answer
    unknown = {
        "name": "initech-only",
        "when": {"customer_number": "CUST-404"},
        "set": {"cancel_backorders": True},
    }
    answer = await stack.call(
        "PUT", "/setup", json={"order_rules": [unknown, SEED_RULE]}, expect=422
    )
    assert answer["field"] == "order_rules[0].when.customer_number"
    # Nothing of a refused document was applied.
    assert await stack.scalar("SELECT count(*) FROM order_rules") == 1
    assert await stack.scalar("SELECT assignments FROM order_rules") == {"cancel_backorders": True}
