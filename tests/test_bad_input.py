"""Bad request bodies, each answered with a clear 4xx naming the field or rule, changing
nothing: free text with NUL or a lone surrogate or over its bound, bodies that are not JSON,
numbers that are not plain, integers past their column, dates that are numbers, party ids
that are not positive, quantities finer than the item's unit of measure."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from temporalio.service import RPCError, RPCStatusCode

from tests.conftest import Stack, auth, order_number
from tests.fixtures import demo_setup, laptop_order
from tests.unit.test_order_hub import seed_payload

SO = "SO-BAD-INPUT"

# Refused scans keep their answer (a retried scan id hears the same refusal): the only
# rows a refusal writes, by design.
NOT_COMPARED = ("scans", "schema_migrations")


@dataclass(frozen=True)
class Bad:
    """A request and what it must answer: `path` may hold {so} and {po}; `body` is sent as
    JSON, or as is when it is text or bytes."""

    method: str
    path: str
    body: Any
    field: str
    state: str = "empty"  # empty | setup | booked | po
    status: int = 422
    rule: str = ""
    # Also accepted: 413 when a request body size limit below this body refuses it whole.
    too_large: bool = False


def order(**change: Any) -> dict[str, Any]:
    return {**laptop_order(SO), **change}


def line(**change: Any) -> dict[str, Any]:
    body = laptop_order(SO)
    body["lines"][0].update(change)
    return body


def hub(**change: Any) -> dict[str, Any]:
    payload = seed_payload()
    payload["SourceTransactionNumber"] = payload["SourceTransactionId"] = SO
    payload["lines"][0]["ProductNumber"] = "LAPTOP-X1"
    return {**payload, **change}


def hub_line(**change: Any) -> dict[str, Any]:
    payload = hub()
    payload["lines"][0].update(change)
    return payload


def raw_line_quantity(text: str) -> str:
    """An order whose quantity is JSON text that json.dumps cannot write (1e400)."""
    return json.dumps(line(quantity=0)).replace('"quantity": 0', f'"quantity": {text}')


def pick(**change: Any) -> dict[str, Any]:
    return {"scan_id": "pick-1", "order_number": SO, "line_number": 1, "picked_quantity": 1,
            **change}  # fmt: skip


def ship(**change: Any) -> dict[str, Any]:
    return {"scan_id": "ship-1", "order_number": SO, "line_number": 1, "shipped_quantity": 1,
            **change}  # fmt: skip


def receipt(**change: Any) -> dict[str, Any]:
    return {"scan_id": "rcv-1", "po_number": "{po}", "po_line": 1, "quantity": 1, **change}


FIVE_MB = "x" * 5_000_000
NUL = "PO\x00-7781"
SURROGATE = "PO-\ud800"

CASES: dict[str, Bad] = {
    # NUL (and other control characters) in free text
    "po-number-nul": Bad("POST", "/orders", order(customer_po_number=NUL), "customer_po_number",
                         rule="control characters: U+0000"),
    "po-number-unit-separator": Bad("POST", "/orders", order(customer_po_number="PO\x1f1"),
                                    "customer_po_number", rule="U+001F"),
    "line-cancel-reason-nul": Bad("POST", "/orders/{so}/lines/1/cancel",
                                  {"quantity": 1, "reason": "damaged\x00"}, "reason",
                                  state="booked", rule="U+0000"),
    "order-cancel-reason-nul": Bad("POST", "/orders/{so}/cancel", {"reason": "\x00"}, "reason",
                                   state="booked"),
    "revision-reason-nul": Bad("POST", "/orders/{so}/revisions",
                               {"change_lines": [{"line_number": 1, "quantity": 40,
                                                  "reason": "less\x00"}]},
                               "change_lines[0].reason", state="booked"),
    "setup-organization-name-nul": Bad("PUT", "/setup",
                                       {"organizations": [{"code": "M9", "name": "Main\x00"}]},
                                       "organizations[0].name"),
    "setup-supplier-site-nul": Bad("PUT", "/setup", {"suppliers": [
        {"number": "SUP-9", "name": "S", "site": "\x00"}]}, "suppliers[0].site"),
    "setup-item-description-nul": Bad("PUT", "/setup", {"items": [
        {"number": "ITEM-9", "description": "a\x00b"}]}, "items[0].description"),
    "scan-id-nul": Bad("POST", "/scans/picks", pick(scan_id="pick\x00"), "scan_id"),
    "order-number-nul": Bad("POST", "/orders", order(order_number="SO-\x00"), "order_number"),
    "hub-po-number-nul": Bad("POST", "/orders/order-hub", hub(CustomerPONumber=NUL),
                             "CustomerPONumber", state="setup"),
    # a lone surrogate in any string
    "po-number-surrogate": Bad("POST", "/orders", order(customer_po_number=SURROGATE),
                               "customer_po_number", rule="lone surrogate"),
    "cancel-reason-surrogate": Bad("POST", "/orders/{so}/cancel", {"reason": SURROGATE},
                                   "reason", state="booked", rule="lone surrogate"),
    "setup-customer-name-surrogate": Bad("PUT", "/setup", {"customers": [
        {"number": "CUST-9", "name": SURROGATE}]}, "customers[0].name"),
    "hub-po-number-surrogate": Bad("POST", "/orders/order-hub", hub(CustomerPONumber=SURROGATE),
                                   "CustomerPONumber", state="setup", rule="lone surrogate"),
    "hub-line-id-surrogate": Bad("POST", "/orders/order-hub",
                                 hub_line(SourceTransactionLineId=SURROGATE),
                                 "lines[0].SourceTransactionLineId", state="setup"),
    # lengths
    "po-number-5-mb": Bad("POST", "/orders", order(customer_po_number=FIVE_MB),
                          "customer_po_number", rule="at most 240 characters (5000000 given)",
                          too_large=True),
    "po-number-900-kb": Bad("POST", "/orders", order(customer_po_number="P" * 900_000),
                            "customer_po_number", rule="at most 240 characters (900000 given)"),
    "po-number-241": Bad("POST", "/orders", order(customer_po_number="P" * 241),
                         "customer_po_number", rule="at most 240"),
    "hub-po-number-241": Bad("POST", "/orders/order-hub", hub(CustomerPONumber="P" * 241),
                             "CustomerPONumber", state="setup", rule="at most 240"),
    "supplier-name-100k": Bad("PUT", "/setup", {"suppliers": [
        {"number": "SUP-9", "name": "n" * 100_000}]}, "suppliers[0].name", rule="at most 240"),
    "reason-501": Bad("POST", "/orders/{so}/lines/1/cancel", {"reason": "r" * 501}, "reason",
                      state="booked", rule="at most 500"),
    "item-description-100k": Bad("PUT", "/setup", {"items": [
        {"number": "ITEM-9", "description": "d" * 100_000}]}, "items[0].description"),
    "hub-ignored-field-100k": Bad("POST", "/orders/order-hub",
                                  hub(PackingInstructions="p" * 100_000), "PackingInstructions",
                                  state="setup", rule="at most 2000"),
    "item-uom-empty": Bad("PUT", "/setup", {"items": [{"number": "ITEM-9", "uom": ""}]},
                          "items[0].uom", rule="must not be empty"),
    "line-uom-empty": Bad("POST", "/orders", line(uom=""), "lines[0].uom", state="setup"),
    "hub-uom-empty": Bad("POST", "/orders/order-hub", hub_line(OrderedUOMCode=""),
                         "lines[0].OrderedUOMCode", state="setup"),
    # strict numbers
    "quantity-underscore": Bad("POST", "/orders", line(quantity="1_000"), "lines[0].quantity",
                               state="setup", rule="plain decimal"),
    "quantity-arabic-indic": Bad("POST", "/orders", line(quantity="١"), "lines[0].quantity",
                                 state="setup", rule="plain decimal"),
    "quantity-exponent-string": Bad("POST", "/orders", line(quantity="1e3"),
                                    "lines[0].quantity", rule="plain decimal"),
    "quantity-spaces": Bad("POST", "/orders", line(quantity=" 1 "), "lines[0].quantity",
                           rule="plain decimal"),
    "quantity-true": Bad("POST", "/orders", line(quantity=True), "lines[0].quantity",
                         rule="not a boolean"),
    "line-number-true": Bad("POST", "/orders", line(line_number=True), "lines[0].line_number",
                            state="setup", rule="not a boolean"),
    "hub-quantity-true": Bad("POST", "/orders/order-hub", hub_line(OrderedQuantity=True),
                             "lines[0].OrderedQuantity", state="setup", rule="not a boolean"),
    "completion-quantity-underscore": Bad("POST", "/scans/work-order-completions",
                                          {"scan_id": "c-1", "work_order_number": "WO-1",
                                           "quantity": "1_0"}, "quantity"),
    "price-true": Bad("POST", "/orders", line(unit_price=True), "lines[0].unit_price"),
    "credit-limit-arabic": Bad("PUT", "/setup", {"customers": [
        {"number": "CUST-9", "name": "N", "credit_limit": "١٠٠"}]}, "customers[0].credit_limit"),
    "body-not-utf-8": Bad("POST", "/orders", b'{"order_number": "SO-\xff"}', "body",
                          rule="must be JSON text encoded in UTF-8"),
    "body-not-json": Bad("POST", "/orders/{so}/cancel", "{reason: 1", "body",
                         state="booked", rule="is not valid JSON"),
    # good already: NaN, Infinity, 1e400, bad dates
    "quantity-nan": Bad("POST", "/orders", raw_line_quantity("NaN"), "lines[0].quantity"),
    "quantity-infinity": Bad("POST", "/orders", raw_line_quantity("Infinity"),
                             "lines[0].quantity"),
    "quantity-1e400": Bad("POST", "/orders", raw_line_quantity("1e400"), "lines[0].quantity"),
    "ship-date-february-30": Bad("POST", "/orders", order(requested_ship_date="2026-02-30"),
                                 "requested_ship_date"),
    "ship-date-words": Bad("POST", "/orders", order(requested_ship_date="tomorrow"),
                           "requested_ship_date"),
    "hub-ship-date-number": Bad("POST", "/orders/order-hub", hub(RequestedShipDate=0),
                                "RequestedShipDate", state="setup"),
    # integers bounded to their column
    "line-number-2-31": Bad("POST", "/orders", line(line_number=2**31), "lines[0].line_number"),
    "receipt-po-line-2-31": Bad("POST", "/scans/receipts", receipt(po_line=2**31), "po_line",
                                rule="less than or equal to 2147483647"),
    "pick-line-number-2-31": Bad("POST", "/scans/picks", pick(line_number=2**31),
                                 "line_number", state="booked"),
    "ship-line-number-2-31": Bad("POST", "/scans/shipments", ship(line_number=2**31),
                                 "line_number", state="booked"),
    "revision-line-number-2-31": Bad("POST", "/orders/{so}/revisions",
                                     {"change_lines": [{"line_number": 2**31, "quantity": 1}]},
                                     "change_lines[0].line_number", state="booked"),
    "lead-time-days-2-31": Bad("PUT", "/setup", {"work_definitions": [
        {"item": "X", "organization": "M1", "lead_time_days": 2**31}]},
        "work_definitions[0].lead_time_days"),
    "party-id-2-63": Bad("PUT", "/setup", {"customers": [
        {"number": "CUST-9", "name": "N", "party_id": 2**63}]}, "customers[0].party_id",
        rule="less than or equal to 9223372036854775807"),
    "buying-party-2-63": Bad("POST", "/orders/order-hub", hub(BuyingPartyId=2**63),
                             "BuyingPartyId", state="setup"),
    # dates are ISO strings
    "ship-date-zero": Bad("POST", "/orders", order(requested_ship_date=0), "requested_ship_date",
                          state="setup", rule="ISO 8601 date string"),
    # party ids are positive
    "party-id-zero": Bad("PUT", "/setup", {"customers": [
        {"number": "CUST-9", "name": "N", "party_id": 0}]}, "customers[0].party_id"),
    "party-id-negative": Bad("PUT", "/setup", {"customers": [
        {"number": "CUST-9", "name": "N", "party_id": -1}]}, "customers[0].party_id"),
    "buying-party-zero": Bad("POST", "/orders/order-hub", hub(BuyingPartyId=0), "BuyingPartyId",
                             state="setup"),
    "buying-party-negative": Bad("POST", "/orders/order-hub", hub(BuyingPartyId=-1),
                                 "BuyingPartyId", state="setup"),
    # quantities respect the unit of measure (an Ea is whole)
    "booking-0.0001-ea": Bad("POST", "/orders", line(quantity=0.0001), "lines[0].quantity",
                             state="setup", rule="takes whole units"),
    "hub-booking-half-ea": Bad("POST", "/orders/order-hub", hub_line(OrderedQuantity="0.5"),
                               "lines[0].OrderedQuantity", state="setup",
                               rule="takes whole units"),
    "revision-change-half-ea": Bad("POST", "/orders/{so}/revisions",
                                   {"change_lines": [{"line_number": 1, "quantity": 40.5}]},
                                   "change_lines[0].quantity", state="booked",
                                   rule="takes whole units"),
    "revision-add-half-ea": Bad("POST", "/orders/{so}/revisions", {"add_lines": [
        {"line_number": 2, "item_number": "SERVER-HE", "quantity": "1.5"}]},
        "add_lines[0].quantity", state="booked", rule="takes whole units"),
    "cancel-half-ea": Bad("POST", "/orders/{so}/lines/1/cancel", {"quantity": 0.5}, "quantity",
                          state="booked", rule="takes whole units"),
    "pick-half-ea": Bad("POST", "/scans/picks", pick(picked_quantity=0.5), "picked_quantity",
                        state="booked", rule="takes whole units"),
    "ship-backorder-half-ea": Bad("POST", "/scans/shipments",
                                  ship(backordered_quantity="0.5"), "backordered_quantity",
                                  state="booked", rule="takes whole units"),
    "receipt-0.0001-ea": Bad("POST", "/scans/receipts", receipt(quantity=0.0001), "quantity",
                             state="po", rule="takes whole units"),
    "on-hand-half-ea": Bad("PUT", "/setup", {"on_hand": [
        {"item": "CABLE-C6", "organization": "M1", "quantity": 7.5}]}, "on_hand[0].quantity",
        state="setup", rule="takes whole units"),
}  # fmt: skip


async def fingerprint(stack: Stack) -> dict[str, str]:
    """Every table's rows, hashed: any insert, update or delete shows."""
    async with stack.pool.acquire() as conn:
        tables = [
            r["tablename"]
            for r in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
            if r["tablename"] not in NOT_COMPARED
        ]
        return {
            t: await conn.fetchval(
                f"SELECT md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), ''))"
                f' FROM "{t}" r'
            )
            for t in tables
        }


async def workflow_exists(stack: Stack, workflow_id: str) -> bool:
    try:
        await stack.client.get_workflow_handle(workflow_id).describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


async def prepare(stack: Stack, state: str) -> dict[str, str]:
    """The state a case starts from; returns the values of the path's placeholders."""
    so = order_number()
    if state == "empty":
        return {"so": so, "po": "PO-NONE"}
    await stack.call("PUT", "/setup", json=demo_setup())
    if state == "setup":
        return {"so": so, "po": "PO-NONE"}
    if state == "po":
        await stack.start_worker()
    await stack.call("POST", "/orders", role="orders", json=laptop_order(so, 50), expect=202)
    po = "PO-NONE"
    if state == "po":
        line = await stack.wait_status(so, "AWAITING_SUPPLY")
        po = line["supply"][0]["document_number"]
    return {"so": so, "po": po}


def encoded(body: Any, values: dict[str, str]) -> bytes:
    if isinstance(body, bytes):
        return body
    # json.dumps escapes a lone surrogate as "\ud800", as a client in any language would.
    text = body if isinstance(body, str) else json.dumps(body)
    return text.replace(SO, values["so"]).replace("{po}", values["po"]).encode()


def names(answer: dict[str, Any], field_path: str) -> bool:
    """The answer names the field: in its errors, its field, or first in its reason."""
    fields = [e["field"] for e in answer.get("errors", [])] + [answer.get("field")]
    return field_path in fields or str(answer.get("reason", "")).startswith(f"{field_path}:")


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
async def test_bad_input_is_refused_naming_the_field_and_changes_nothing(
    idle_stack: Stack, case: Bad
) -> None:
    stack = idle_stack
    values = await prepare(stack, case.state)
    before = await fingerprint(stack)
    response = await stack.api.request(
        case.method,
        case.path.format(**values),
        content=encoded(case.body, values),
        headers={**auth("admin"), "Content-Type": "application/json"},
    )
    assert await fingerprint(stack) == before
    if case.too_large and response.status_code == 413:
        return
    assert response.status_code == case.status, response.text[:2000]
    answer = response.json()
    assert names(answer, case.field), answer
    assert case.rule in json.dumps(answer, ensure_ascii=False), answer
    if case.state in ("empty", "setup"):
        assert not await workflow_exists(stack, f"order-{values['so']}")
