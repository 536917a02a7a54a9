"""The sales-order payload of Oracle's "Sales Orders for Order Hub" REST service (seed 004),
and its mapping onto the order `POST /orders` books.

Field names are Order Hub's, so every answer about the payload names the field the sender
wrote (`lines[0].OrderedQuantity`). Fields the product has no use for but that Order Hub
senders routinely include are accepted and ignored (`IGNORED_HEADER_FIELDS`,
`IGNORED_LINE_FIELDS`); anything else unknown is refused.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from domain.inputs import (
    MAX_ORDER_LINES,
    Currency,
    ExternalId,
    Identifier,
    IgnoredJson,
    Money,
    PartyId,
    PoNumber,
    PositiveQuantity,
    Text,
    UomCode,
)
from domain.models import OrderIn


def _yes_no(value: object) -> bool:
    # Order Hub sends booleans; FBDI and older integrations send "Y"/"N".
    if isinstance(value, bool):
        return value
    if value in ("Y", "N"):
        return value == "Y"
    raise ValueError('must be true, false, "Y" or "N"')


YesNo = Annotated[
    bool,
    PlainValidator(_yes_no),
    WithJsonSchema({"anyOf": [{"type": "boolean"}, {"type": "string", "enum": ["Y", "N"]}]}),
]


def _ship_date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            # Order Hub dates are often timestamps ("2024-01-14T20:49:12+00:00"): the day is
            # what counts for a requested ship date.
            if "T" in text:
                return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise ValueError("must be a date (YYYY-MM-DD) or an ISO 8601 timestamp")


ShipDate = Annotated[
    date, PlainValidator(_ship_date), WithJsonSchema({"type": "string", "format": "date"})
]


# ISO 4217 names, as Oracle's currency list spells them; the code is unambiguous, so a name
# outside this list is refused rather than guessed.
CURRENCY_CODES_BY_NAME = {
    "us dollar": "USD",
    "euro": "EUR",
    "pound sterling": "GBP",
    "canadian dollar": "CAD",
    "australian dollar": "AUD",
    "new zealand dollar": "NZD",
    "swiss franc": "CHF",
    "yen": "JPY",
    "japanese yen": "JPY",
    "yuan renminbi": "CNY",
    "indian rupee": "INR",
    "mexican peso": "MXN",
    "brazilian real": "BRL",
    "swedish krona": "SEK",
    "norwegian krone": "NOK",
    "danish krone": "DKK",
    "singapore dollar": "SGD",
    "hong kong dollar": "HKD",
}

IGNORED_HEADER_FIELDS = (
    "SourceTransactionSystem",
    "SourceTransactionId",
    "BusinessUnitId",
    "BuyingPartyContactId",
    "RequestingBusinessUnitId",
    "RequestingLegalEntityId",
    "FreezePriceFlag",
    "FreezeTaxFlag",
    "FreezeShippingChargeFlag",
    "PackingInstructions",
    "billToCustomer",
    "shipToCustomer",
)
IGNORED_LINE_FIELDS = ("SourceScheduleNumber", "SourceTransactionScheduleId")

LINE_NUMBER = re.compile(r"^[0-9]{1,5}$")


def _line_number(value: Any) -> int | None:
    """A line number from Order Hub's line identifiers, which are strings there."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and LINE_NUMBER.match(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if 1 <= number <= 99999 else None


class OrderHubLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source_line_number: ExternalId | None = Field(None, alias="SourceTransactionLineNumber")
    source_line_id: ExternalId | None = Field(None, alias="SourceTransactionLineId")
    product_number: Identifier = Field(alias="ProductNumber")
    ordered_quantity: PositiveQuantity = Field(alias="OrderedQuantity")
    ordered_uom_code: UomCode | None = Field(None, alias="OrderedUOMCode")
    unit_selling_price: Money | None = Field(None, alias="UnitSellingPrice")
    cancel_backorders: YesNo = Field(False, alias="CancelBackordersFlag")
    enforce_single_shipment: YesNo = Field(False, alias="EnforceSingleShipmentFlag")
    fulfillment_organization: Identifier | None = Field(
        None, alias="RequestedFulfillmentOrganizationCode"
    )
    # Accepted and ignored: schedules are not split in this product.
    source_schedule_number: IgnoredJson = Field(None, alias="SourceScheduleNumber")
    source_schedule_id: IgnoredJson = Field(None, alias="SourceTransactionScheduleId")

    @field_validator("source_line_number")
    @classmethod
    def _numbered(cls, value: str | int | None) -> str | int | None:
        if value is not None and _line_number(value) is None:
            raise ValueError("must be a whole number from 1 to 99999 (it is the line number)")
        return value

    @field_validator("enforce_single_shipment")
    @classmethod
    def _single_shipment_needs_cancel_backorders(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("cancel_backorders") is False:
            raise ValueError("EnforceSingleShipmentFlag requires CancelBackordersFlag")
        return value

    @model_validator(mode="after")
    def _has_line_number(self) -> OrderHubLine:
        if self.source_line_number is None:
            if self.source_line_id is None:
                raise ValueError("give SourceTransactionLineNumber or SourceTransactionLineId")
            if _line_number(self.source_line_id) is None:
                raise ValueError(
                    "SourceTransactionLineId is used as the line number when"
                    " SourceTransactionLineNumber is missing: it must be a whole number"
                    " from 1 to 99999"
                )
        return self

    @property
    def line_number(self) -> int:
        number = _line_number(
            self.source_line_number if self.source_line_number is not None else self.source_line_id
        )
        assert number is not None  # checked by _has_line_number
        return number

    @property
    def line_number_field(self) -> str:
        return (
            "SourceTransactionLineNumber"
            if self.source_line_number is not None
            else "SourceTransactionLineId"
        )


class OrderHubOrder(BaseModel):
    """A sales order as Order Hub's REST service sends it (seed 004's example)."""

    model_config = ConfigDict(extra="forbid")

    source_transaction_number: Identifier = Field(alias="SourceTransactionNumber")
    buying_party_id: PartyId = Field(alias="BuyingPartyId")
    customer_po_number: PoNumber | None = Field(None, alias="CustomerPONumber")
    currency_name: Annotated[str, Text(80)] | None = Field(None, alias="TransactionalCurrencyName")
    currency_code: Currency | None = Field(None, alias="TransactionalCurrencyCode")
    requested_ship_date: ShipDate | None = Field(None, alias="RequestedShipDate")
    fulfillment_organization: Identifier | None = Field(
        None, alias="RequestedFulfillmentOrganizationCode"
    )
    # Only submitted orders are booked; a draft stays in the sending system.
    submitted: YesNo = Field(True, alias="SubmittedFlag")
    lines: Annotated[list[OrderHubLine], Field(min_length=1, max_length=MAX_ORDER_LINES)]
    # Accepted and ignored (see IGNORED_HEADER_FIELDS): the customer, its sites and contacts
    # come from setup, pricing and tax from the item.
    source_transaction_system: IgnoredJson = Field(None, alias="SourceTransactionSystem")
    source_transaction_id: IgnoredJson = Field(None, alias="SourceTransactionId")
    business_unit_id: IgnoredJson = Field(None, alias="BusinessUnitId")
    buying_party_contact_id: IgnoredJson = Field(None, alias="BuyingPartyContactId")
    requesting_business_unit_id: IgnoredJson = Field(None, alias="RequestingBusinessUnitId")
    requesting_legal_entity_id: IgnoredJson = Field(None, alias="RequestingLegalEntityId")
    freeze_price: IgnoredJson = Field(None, alias="FreezePriceFlag")
    freeze_tax: IgnoredJson = Field(None, alias="FreezeTaxFlag")
    freeze_shipping_charge: IgnoredJson = Field(None, alias="FreezeShippingChargeFlag")
    packing_instructions: IgnoredJson = Field(None, alias="PackingInstructions")
    bill_to_customer: IgnoredJson = Field(None, alias="billToCustomer")
    ship_to_customer: IgnoredJson = Field(None, alias="shipToCustomer")

    @field_validator("currency_name")
    @classmethod
    def _known_currency(cls, value: str | None) -> str | None:
        if value is not None and " ".join(value.lower().split()) not in CURRENCY_CODES_BY_NAME:
            raise ValueError(
                f"unknown currency name {value!r}; send TransactionalCurrencyCode (ISO 4217)"
            )
        return value

    @field_validator("currency_code")
    @classmethod
    def _code_agrees_with_name(cls, value: str | None, info: ValidationInfo) -> str | None:
        name = info.data.get("currency_name")
        if value is not None and name is not None and _code_of(name) != value:
            raise ValueError(f"{value} is not the currency named {name!r}")
        return value

    @field_validator("submitted")
    @classmethod
    def _only_submitted(cls, value: bool) -> bool:
        if not value:
            raise ValueError(
                "only submitted orders are booked: send SubmittedFlag true or leave it out"
            )
        return value

    @model_validator(mode="after")
    def _unique_line_numbers(self) -> OrderHubOrder:
        seen: set[int] = set()
        for line in self.lines:
            if line.line_number in seen:
                raise ValueError(f"line number {line.line_number} appears twice in lines")
            seen.add(line.line_number)
        return self

    @property
    def currency(self) -> str:
        if self.currency_code is not None:
            return self.currency_code
        if self.currency_name is not None:
            return _code_of(self.currency_name)
        return "USD"

    def field_path(self, path: str) -> str:
        """The Order Hub field behind a field path of the booked order (`lines[0].quantity`
        is `lines[0].OrderedQuantity`), for answers about the booking."""
        match = re.fullmatch(r"lines\[(\d+)\]\.(\w+)", path)
        if match is not None:
            index, name = int(match.group(1)), match.group(2)
            if name == "line_number" and index < len(self.lines):
                return f"lines[{index}].{self.lines[index].line_number_field}"
            return f"lines[{index}].{LINE_FIELDS.get(name, name)}"
        if path == "currency":
            return (
                "TransactionalCurrencyName"
                if self.currency_code is None and self.currency_name is not None
                else "TransactionalCurrencyCode"
            )
        return HEADER_FIELDS.get(path, path)


def _code_of(name: str) -> str:
    return CURRENCY_CODES_BY_NAME[" ".join(name.lower().split())]


HEADER_FIELDS = {
    "order_number": "SourceTransactionNumber",
    "customer_number": "BuyingPartyId",
    "customer_po_number": "CustomerPONumber",
    "requested_ship_date": "RequestedShipDate",
    "organization": "RequestedFulfillmentOrganizationCode",
}
LINE_FIELDS = {
    "line_number": "SourceTransactionLineNumber",
    "item_number": "ProductNumber",
    "quantity": "OrderedQuantity",
    "uom": "OrderedUOMCode",
    "unit_price": "UnitSellingPrice",
    "cancel_backorders": "CancelBackordersFlag",
    "enforce_single_shipment": "EnforceSingleShipmentFlag",
    "organization": "RequestedFulfillmentOrganizationCode",
}


class OrderHubRejected(ValueError):
    """The booked order would be invalid; `errors` name the Order Hub fields, in pydantic's
    error shape (`loc`, `msg`, `type`)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(f"{e['loc']}: {e['msg']}" for e in errors))
        self.errors = errors


def to_order(payload: OrderHubOrder, *, customer_number: str) -> OrderIn:
    """The order `POST /orders` would book for this payload, for the customer whose
    party_id is the payload's BuyingPartyId."""
    request = {
        "order_number": payload.source_transaction_number,
        "customer_number": customer_number,
        "customer_po_number": payload.customer_po_number,
        "currency": payload.currency,
        "requested_ship_date": payload.requested_ship_date,
        "organization": payload.fulfillment_organization,
        "lines": [
            {
                "line_number": line.line_number,
                "item_number": line.product_number,
                "quantity": line.ordered_quantity,
                "uom": line.ordered_uom_code,
                "unit_price": line.unit_selling_price,
                "cancel_backorders": line.cancel_backorders,
                "enforce_single_shipment": line.enforce_single_shipment,
                "organization": line.fulfillment_organization,
            }
            for line in payload.lines
        ],
    }
    try:
        return OrderIn.model_validate(request)
    except ValidationError as err:
        # The payload model checks what OrderIn checks; this keeps any gap a 422 that names
        # the sender's field rather than an error about a field the sender never wrote.
        raise OrderHubRejected(
            [
                {**e, "loc": _hub_loc(payload, e["loc"])}
                for e in err.errors(include_url=False, include_context=False)
            ]
        ) from err


def _hub_loc(payload: OrderHubOrder, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    hub = payload.field_path(path)
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", hub) if p)
