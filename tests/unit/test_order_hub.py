"""The Order Hub payload (seed 004's REST example) and its mapping onto a booking."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, JsonValue, ValidationError

from domain.order_hub import (
    IGNORED_HEADER_FIELDS,
    IGNORED_LINE_FIELDS,
    OrderHubLine,
    OrderHubOrder,
    OrderHubRejected,
    to_order,
)


def seed_payload() -> dict[str, Any]:
    """Seed 004's "Use REST API" payload, as printed there."""
    return {
        "SourceTransactionNumber": "Cancel_Backorders-001",
        "SourceTransactionSystem": "GPR",
        "SourceTransactionId": "Cancel_Backorders-001",
        "BusinessUnitId": 204,
        "BuyingPartyId": 1006,
        "BuyingPartyContactId": 2663,
        "TransactionalCurrencyName": "US Dollar",
        "RequestedShipDate": "2024-01-14",
        "RequestingBusinessUnitId": 204,
        "RequestingLegalEntityId": 204,
        "FreezePriceFlag": "N",
        "FreezeTaxFlag": "N",
        "FreezeShippingChargeFlag": "N",
        "RequestedFulfillmentOrganizationCode": "M1",
        "SubmittedFlag": True,
        "PackingInstructions": "DOO_OrderFulfillmentGenericProcess",
        "CustomerPONumber": "Cancel_Backorders-001",
        "billToCustomer": [
            {
                "CustomerAccountId": 1006,
                "SiteUseId": 1025,
                "ContactFirstName": "Charles",
                "ContactLastName": "Baker",
            }
        ],
        "shipToCustomer": [{"PartyId": 1006, "SiteId": 1036}],
        "lines": [
            {
                "SourceTransactionLineId": "1",
                "SourceTransactionLineNumber": "1",
                "SourceScheduleNumber": "1",
                "SourceTransactionScheduleId": "1",
                "ProductNumber": "AS54888",
                "OrderedUOMCode": "Ea",
                "OrderedQuantity": 10,
                "CancelBackordersFlag": True,
                "EnforceSingleShipmentFlag": False,
            }
        ],
    }


def parse(payload: dict[str, Any]) -> OrderHubOrder:
    return OrderHubOrder.model_validate(payload)


def errors_of(payload: dict[str, Any]) -> list[tuple[Any, ...]]:
    with pytest.raises(ValidationError) as raised:
        parse(payload)
    return [e["loc"] for e in raised.value.errors()]


def test_seed_payload_maps_onto_the_order_post_orders_books() -> None:
    order = to_order(parse(seed_payload()), customer_number="CUST-100")
    assert order.order_number == "Cancel_Backorders-001"
    assert order.customer_number == "CUST-100"
    assert order.customer_po_number == "Cancel_Backorders-001"
    assert order.currency == "USD"
    assert order.requested_ship_date == date(2024, 1, 14)
    assert order.organization == "M1"
    [line] = order.lines
    assert (line.line_number, line.item_number, line.quantity, line.uom) == (
        1,
        "AS54888",
        Decimal(10),
        "Ea",
    )
    assert (line.cancel_backorders, line.enforce_single_shipment) == (True, False)
    assert line.unit_price is None and line.back_to_back is None and line.organization is None


def test_the_ignored_fields_are_exactly_the_documented_ones() -> None:
    def ignored(model: type[BaseModel]) -> set[str | None]:
        return {f.alias for f in model.model_fields.values() if f.annotation is JsonValue}

    assert ignored(OrderHubOrder) == set(IGNORED_HEADER_FIELDS)
    assert ignored(OrderHubLine) == set(IGNORED_LINE_FIELDS)


def test_documented_fields_are_accepted_and_change_nothing() -> None:
    expected = to_order(parse(seed_payload()), customer_number="CUST-100")
    for name in IGNORED_HEADER_FIELDS:
        payload = seed_payload()
        payload[name] = {"anything": ["the", "sender", 1]}
        assert to_order(parse(payload), customer_number="CUST-100") == expected, name
        del payload[name]
        assert to_order(parse(payload), customer_number="CUST-100") == expected, name
    for name in (*IGNORED_LINE_FIELDS, "SourceTransactionLineId"):
        payload = seed_payload()
        payload["lines"][0][name] = "L-anything"
        assert to_order(parse(payload), customer_number="CUST-100") == expected, name


def test_optional_fields_and_their_other_spellings() -> None:
    payload = seed_payload()
    del payload["TransactionalCurrencyName"]
    payload["TransactionalCurrencyCode"] = "EUR"
    payload["RequestedShipDate"] = "2024-01-14T20:49:12+00:00"
    line = payload["lines"][0]
    del line["SourceTransactionLineNumber"]
    line.update(
        SourceTransactionLineId="7",
        CancelBackordersFlag="Y",
        EnforceSingleShipmentFlag="Y",
        UnitSellingPrice="1399.50",
        RequestedFulfillmentOrganizationCode="M2",
    )
    order = to_order(parse(payload), customer_number="CUST-100")
    assert order.currency == "EUR" and order.requested_ship_date == date(2024, 1, 14)
    [mapped] = order.lines
    assert mapped.line_number == 7 and mapped.unit_price == Decimal("1399.50")
    assert mapped.cancel_backorders and mapped.enforce_single_shipment
    assert mapped.organization == "M2"


def test_minimal_payload_takes_the_defaults_of_post_orders() -> None:
    order = to_order(
        parse(
            {
                "SourceTransactionNumber": "SO-9",
                "BuyingPartyId": 1006,
                "lines": [
                    {"SourceTransactionLineNumber": 1, "ProductNumber": "X", "OrderedQuantity": 2}
                ],
            }
        ),
        customer_number="CUST-100",
    )
    assert order.currency == "USD" and order.organization is None
    assert order.requested_ship_date is None and order.customer_po_number is None
    assert not order.lines[0].cancel_backorders and order.lines[0].uom is None


def test_currency_names_are_matched_without_regard_to_case() -> None:
    payload = seed_payload()
    payload["TransactionalCurrencyName"] = "pound  sterling"
    assert parse(payload).currency == "GBP"
    payload["TransactionalCurrencyCode"] = "GBP"
    assert parse(payload).currency == "GBP"


def change(header: dict[str, Any] | None = None, **line: Any) -> dict[str, Any]:
    payload = copy.deepcopy(seed_payload())
    payload["lines"][0].update(line)
    payload.update(header or {})
    return payload


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        (change({"Colour": "red"}), ("Colour",)),
        (change(Colour="red"), ("lines", 0, "Colour")),
        (change(CancelBackordersFlag="maybe"), ("lines", 0, "CancelBackordersFlag")),
        (change(CancelBackordersFlag="yes"), ("lines", 0, "CancelBackordersFlag")),
        (change(CancelBackordersFlag=1), ("lines", 0, "CancelBackordersFlag")),
        (
            change(CancelBackordersFlag="N", EnforceSingleShipmentFlag="Y"),
            ("lines", 0, "EnforceSingleShipmentFlag"),
        ),
        (change(OrderedQuantity=0), ("lines", 0, "OrderedQuantity")),
        (change(OrderedQuantity=-3), ("lines", 0, "OrderedQuantity")),
        (change(OrderedQuantity="ten"), ("lines", 0, "OrderedQuantity")),
        (change(ProductNumber="bad item"), ("lines", 0, "ProductNumber")),
        (change(UnitSellingPrice=-1), ("lines", 0, "UnitSellingPrice")),
        (change(SourceTransactionLineNumber="A-1"), ("lines", 0, "SourceTransactionLineNumber")),
        (change(SourceTransactionLineNumber="0"), ("lines", 0, "SourceTransactionLineNumber")),
        (
            change(SourceTransactionLineNumber=None, SourceTransactionLineId="L-1"),
            ("lines", 0),
        ),
        (change({"SubmittedFlag": False}), ("SubmittedFlag",)),
        (change({"SubmittedFlag": "N"}), ("SubmittedFlag",)),
        (change({"TransactionalCurrencyName": "Galactic Credit"}), ("TransactionalCurrencyName",)),
        (change({"TransactionalCurrencyCode": "EUR"}), ("TransactionalCurrencyCode",)),
        (change({"TransactionalCurrencyCode": "usd"}), ("TransactionalCurrencyCode",)),
        (change({"BuyingPartyId": "party"}), ("BuyingPartyId",)),
        (change({"RequestedShipDate": "14/01/2024"}), ("RequestedShipDate",)),
        (change({"SourceTransactionNumber": "has spaces"}), ("SourceTransactionNumber",)),
        (change({"lines": []}), ("lines",)),
    ],
)
def test_invalid_payloads_name_the_order_hub_field(
    payload: dict[str, Any], loc: tuple[Any, ...]
) -> None:
    assert loc in errors_of(payload)


def test_a_missing_required_field_is_named() -> None:
    payload = seed_payload()
    del payload["BuyingPartyId"]
    del payload["lines"][0]["OrderedQuantity"]
    assert set(errors_of(payload)) == {("BuyingPartyId",), ("lines", 0, "OrderedQuantity")}


def test_line_numbers_must_be_unique() -> None:
    payload = seed_payload()
    payload["lines"].append({**payload["lines"][0], "SourceTransactionLineId": "2"})
    with pytest.raises(ValidationError, match="line number 1 appears twice"):
        parse(payload)


def test_field_paths_of_the_booking_are_named_as_order_hub_fields() -> None:
    payload = seed_payload()
    hub = parse(payload)
    assert hub.field_path("lines[0].item_number") == "lines[0].ProductNumber"
    assert hub.field_path("lines[0].uom") == "lines[0].OrderedUOMCode"
    assert hub.field_path("lines[0].quantity") == "lines[0].OrderedQuantity"
    assert hub.field_path("lines[0].line_number") == "lines[0].SourceTransactionLineNumber"
    assert (
        hub.field_path("lines[0].organization") == "lines[0].RequestedFulfillmentOrganizationCode"
    )
    assert hub.field_path("organization") == "RequestedFulfillmentOrganizationCode"
    assert hub.field_path("customer_number") == "BuyingPartyId"
    assert hub.field_path("order_number") == "SourceTransactionNumber"
    assert hub.field_path("currency") == "TransactionalCurrencyName"
    del payload["lines"][0]["SourceTransactionLineNumber"]
    assert parse(payload).field_path("lines[0].line_number") == "lines[0].SourceTransactionLineId"


def test_a_booking_the_payload_model_let_through_is_still_refused_by_order_hub_field() -> None:
    hub = parse(seed_payload())
    # A customer number the booking model refuses: the sender's field is BuyingPartyId.
    with pytest.raises(OrderHubRejected) as raised:
        to_order(hub, customer_number="not an identifier")
    assert [e["loc"] for e in raised.value.errors] == [("BuyingPartyId",)]
