"""Pydantic models shared by the API, the workflows and the activities.

Models that cross a Temporal boundary (workflow input, signals, activity results, the line
view returned by queries) are serialized by the pydantic data converter, so they must stay
backward compatible: add fields with defaults, never rename or remove.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)

# The rules of every request body: domain/inputs.py.
from domain.inputs import (
    Currency,
    Days,
    Description,
    DocumentLine,
    Identifier,
    IsoDate,
    LargePercent,
    LineNumber,
    Money,
    Name,
    NonNegativeQuantity,
    PartyId,
    Percent,
    PoNumber,
    PoPrefix,
    PositiveQuantity,
    QuantityDecimalPlaces,
    Rank,
    Reason,
    UomCode,
)
from domain.line.ledger import Ledger

# Formatting lives with the quantities; importers of these names here keep working.
from domain.quantities import json_money as json_money
from domain.quantities import json_quantity as json_quantity
from domain.statuses import DocumentType, LineStatus, SupplyStatus, SupplyType

Quantity = Annotated[Decimal, PlainSerializer(json_quantity, when_used="json")]
Amount = Annotated[Decimal, PlainSerializer(json_money, when_used="json")]


class StrictModel(BaseModel):
    """Input from outside: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- setup


class OrganizationIn(StrictModel):
    code: Identifier
    name: Name
    default: bool = False


class SupplierIn(StrictModel):
    number: Identifier
    name: Name
    site: Name | None = None
    active: bool = True


class CustomerIn(StrictModel):
    number: Identifier
    name: Name
    back_to_back: bool = False
    credit_limit: Money | None = None
    party_id: PartyId | None = None


class VolumeDiscountIn(StrictModel):
    min_quantity: PositiveQuantity
    unit_discount: Money


class VariantIn(StrictModel):
    number: Identifier
    description: Description | None = None
    back_to_back_enabled: bool | None = None
    list_price: Money | None = None


class ItemIn(StrictModel):
    number: Identifier
    description: Description = ""
    uom: UomCode = "Ea"
    # Decimal places a quantity of the item may have (variants included); None: its unit of
    # measure decides (domain.units: counted units such as Ea are whole).
    quantity_decimal_places: QuantityDecimalPlaces | None = None
    list_price: Money = Decimal("0")
    back_to_back_enabled: bool = False
    purchasable: bool = True
    purchased: bool = True
    cost: Money | None = None
    volume_discounts: list[VolumeDiscountIn] = []
    variants: list[VariantIn] = []


class BlanketAgreementIn(StrictModel):
    number: Identifier
    supplier: Identifier
    item: Identifier
    unit_price: Money
    lead_time_days: Days = 0
    automatically_generate_orders: bool = False
    automatically_submit_for_approval: bool = False
    active: bool = True


class WorkDefinitionIn(StrictModel):
    item: Identifier
    organization: Identifier
    lead_time_days: Days = 0
    use_in_planning: bool = True


class TransferParameterIn(StrictModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_organization: Identifier = Field(alias="from")
    to_organization: Identifier = Field(alias="to")
    transit_days: Days = 0
    transfer_price_markup_pct: LargePercent = Decimal("0")


class SourceIn(StrictModel):
    type: SupplyType
    supplier: Identifier | None = None
    organization: Identifier | None = None
    rank: Rank = 1
    allocation_pct: Annotated[Percent, Field(gt=0)] = Decimal("100")

    @model_validator(mode="after")
    def _supplier_for_buy(self) -> SourceIn:
        if self.type is SupplyType.BUY and not self.supplier:
            raise ValueError("a BUY source needs a supplier")
        if self.type is SupplyType.TRANSFER and not self.organization:
            raise ValueError("a TRANSFER source needs the organization it transfers from")
        return self


class SourcingRuleIn(StrictModel):
    item: Identifier
    organization: Identifier | None = None
    sources: Annotated[list[SourceIn], Field(min_length=1)]

    @model_validator(mode="after")
    def _allocations_of_a_rank_add_up(self) -> SourcingRuleIn:
        totals: dict[int, Decimal] = {}
        for source in self.sources:
            totals[source.rank] = totals.get(source.rank, Decimal(0)) + source.allocation_pct
        for rank, total in sorted(totals.items()):
            if total != 100:
                raise ValueError(
                    f"the allocation_pct of the rank {rank} sources add up to "
                    f"{total.normalize():f}, not 100"
                )
        return self


class OnHandIn(StrictModel):
    item: Identifier
    organization: Identifier
    quantity: NonNegativeQuantity


class ParametersIn(StrictModel):
    cancel_supply_when_canceling_backorders: bool | None = None
    auto_pick_release: bool | None = None
    # Lines of a shipment set ship only when all of them are staged.
    enforce_shipment_sets: bool | None = None


# Order rules run when an order is saved, like an order management extension on the On Save
# extension point (seed 004): a small, closed vocabulary instead of code.
class OrderRuleWhen(StrictModel):
    """What an order (and, with `item_number`, a line) must match; every condition given
    must hold."""

    customer_po_number_starts_with: PoPrefix | None = None
    customer_number: Identifier | None = None
    item_number: Identifier | None = None

    @model_validator(mode="after")
    def _at_least_one_condition(self) -> OrderRuleWhen:
        if all(value is None for value in self.model_dump().values()):
            raise ValueError(
                "give at least one condition: customer_po_number_starts_with,"
                " customer_number or item_number"
            )
        return self


class OrderRuleSet(StrictModel):
    """The line flags a matching rule sets on every line it matches."""

    cancel_backorders: bool | None = None
    enforce_single_shipment: bool | None = None

    @model_validator(mode="after")
    def _single_shipment_needs_cancel_backorders(self) -> OrderRuleSet:
        if self.cancel_backorders is None and self.enforce_single_shipment is None:
            raise ValueError("set at least one of cancel_backorders, enforce_single_shipment")
        # Each rule keeps a line valid on its own, whatever other rules did before it.
        if self.enforce_single_shipment and self.cancel_backorders is not True:
            raise ValueError("enforce_single_shipment requires cancel_backorders: true")
        if self.cancel_backorders is False and self.enforce_single_shipment is not False:
            raise ValueError("cancel_backorders: false also needs enforce_single_shipment: false")
        return self

    def assigned(self) -> dict[str, bool]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class OrderRuleIn(StrictModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: Identifier
    when: OrderRuleWhen
    assignments: OrderRuleSet = Field(alias="set")
    active: bool = True


class SetupDocument(StrictModel):
    organizations: list[OrganizationIn] = []
    suppliers: list[SupplierIn] = []
    customers: list[CustomerIn] = []
    items: list[ItemIn] = []
    blanket_agreements: list[BlanketAgreementIn] = []
    work_definitions: list[WorkDefinitionIn] = []
    transfer_parameters: list[TransferParameterIn] = []
    sourcing_rules: list[SourcingRuleIn] = []
    on_hand: list[OnHandIn] = []
    parameters: ParametersIn | None = None
    order_rules: list[OrderRuleIn] = []

    @field_validator("order_rules")
    @classmethod
    def _unique_rule_names(cls, rules: list[OrderRuleIn]) -> list[OrderRuleIn]:
        seen: set[str] = set()
        for rule in rules:
            if rule.name in seen:
                raise ValueError(f"order rule {rule.name!r} appears twice")
            seen.add(rule.name)
        return rules


# --------------------------------------------------------------------------- orders


class OrderLineIn(StrictModel):
    line_number: LineNumber
    item_number: Identifier
    quantity: PositiveQuantity
    uom: UomCode | None = None
    unit_price: Money | None = None
    back_to_back: bool | None = None
    cancel_backorders: bool = False
    enforce_single_shipment: bool = False
    shipment_set: Identifier | None = None
    organization: Identifier | None = None
    # Shipping within the under tolerance closes the line. Over-shipping is refused whatever
    # the over tolerance: a line never ships more than was picked, nor picks more than is open.
    under_ship_tolerance_pct: Percent = Decimal(0)
    over_ship_tolerance_pct: LargePercent = Decimal(0)

    @model_validator(mode="after")
    def _single_shipment_needs_cancel_backorders(self) -> OrderLineIn:
        if self.enforce_single_shipment and not self.cancel_backorders:
            raise ValueError("enforce_single_shipment requires cancel_backorders")
        return self


class OrderIn(StrictModel):
    order_number: Identifier
    customer_number: Identifier
    customer_po_number: PoNumber | None = None
    currency: Currency = "USD"
    requested_ship_date: IsoDate | None = None
    organization: Identifier | None = None
    # Each line ships whole: pick waves release a line only once all of it is there.
    ship_complete: bool = False
    lines: Annotated[list[OrderLineIn], Field(min_length=1, max_length=500)]

    @model_validator(mode="after")
    def _unique_line_numbers(self) -> OrderIn:
        seen: set[int] = set()
        for line in self.lines:
            if line.line_number in seen:
                raise ValueError(f"line_number {line.line_number} appears twice")
            seen.add(line.line_number)
        return self


class LineChangeIn(StrictModel):
    """A change to a booked line in a revision: its new quantity (0 cancels what is open),
    with the customer's reason for a decrease."""

    line_number: LineNumber
    quantity: NonNegativeQuantity | None = None
    reason: Reason | None = None
    # Fixed at booking (seed 004): giving a different value is refused, not ignored.
    cancel_backorders: bool | None = None
    enforce_single_shipment: bool | None = None


class RevisionIn(StrictModel):
    add_lines: Annotated[list[OrderLineIn], Field(max_length=500)] = []
    change_lines: Annotated[list[LineChangeIn], Field(max_length=500)] = []

    @model_validator(mode="after")
    def _something_and_each_line_once(self) -> RevisionIn:
        if not self.add_lines and not self.change_lines:
            raise ValueError("a revision adds or changes at least one line")
        numbers = [li.line_number for li in self.add_lines] + [
            c.line_number for c in self.change_lines
        ]
        for number in numbers:
            if numbers.count(number) > 1:
                raise ValueError(f"line_number {number} appears twice in the revision")
        return self


class CancelIn(StrictModel):
    quantity: PositiveQuantity | None = None
    reason: Reason | None = None


class OrderCancelIn(StrictModel):
    reason: Reason | None = None


# --------------------------------------------------------------------------- scans


class ReceiptScanIn(StrictModel):
    scan_id: Identifier
    po_number: Identifier | None = None
    po_line: DocumentLine = 1
    transfer_order_number: Identifier | None = None
    quantity: PositiveQuantity

    @model_validator(mode="after")
    def _one_document(self) -> ReceiptScanIn:
        if (self.po_number is None) == (self.transfer_order_number is None):
            raise ValueError("give either po_number (with po_line) or transfer_order_number")
        return self


class WorkOrderCompletionIn(StrictModel):
    scan_id: Identifier
    work_order_number: Identifier
    quantity: PositiveQuantity


class PickWaveIn(StrictModel):
    organization: Identifier
    order_number: Identifier | None = None


class PickScanIn(StrictModel):
    scan_id: Identifier
    order_number: Identifier
    line_number: LineNumber
    picked_quantity: NonNegativeQuantity
    backordered_quantity: NonNegativeQuantity = Decimal("0")


class ShipScanIn(StrictModel):
    scan_id: Identifier
    order_number: Identifier
    line_number: LineNumber
    shipped_quantity: NonNegativeQuantity
    backordered_quantity: NonNegativeQuantity = Decimal("0")


# --------------------------------------------------------------------------- workflow payloads


class LineInput(BaseModel):
    """Everything a fulfillment line needs to run, fixed at booking."""

    order_number: str
    line_number: int
    customer_number: str
    item_number: str
    organization: str
    quantity: Decimal
    unit_price: Decimal
    unit_discount: Decimal = Decimal("0")
    currency: str = "USD"
    back_to_back: bool
    back_to_back_reason: str = ""
    cancel_backorders: bool = False
    enforce_single_shipment: bool = False
    shipment_set: str | None = None
    requested_ship_date: date | None = None
    # One sentence per order rule that set this line's flags at booking.
    applied_rules: list[str] = []
    under_ship_tolerance_pct: Decimal = Decimal(0)
    over_ship_tolerance_pct: Decimal = Decimal(0)


class OrderInput(BaseModel):
    order_number: str
    customer_number: str
    customer_po_number: str | None = None
    currency: str = "USD"
    requested_ship_date: date | None = None
    lines: list[LineInput]


class SourcingDecision(BaseModel):
    """The source the sourcing rules picked, or why none could be used."""

    supply_type: SupplyType | None = None
    supplier: str | None = None
    agreement: str | None = None
    unit_price: Decimal | None = None
    lead_time_days: int = 0
    automatic_submission: bool = False
    source_organization: str | None = None
    transfer_price_markup_pct: Decimal = Decimal("0")
    manual_action_reason: str | None = None
    explanation: list[str] = []
    # The share of the line this source supplies (None: all of it). A line split across
    # sources has one part per source here, each with its quantity.
    quantity: Decimal | None = None
    parts: list[SourcingDecision] = []


class SupplyOrderResult(BaseModel):
    supply_order_number: str


class RequisitionResult(BaseModel):
    requisition_number: str


class PurchaseOrderResult(BaseModel):
    po_number: str
    po_line: int
    status: str
    supplier: str
    quantity: Decimal
    unit_price: Decimal
    need_by_date: date | None = None
    # The line's ledger after this step, with its version: a reader keeps the highest.
    ledger: Ledger | None = None


class TransferOrderResult(BaseModel):
    transfer_order_number: str
    status: str
    from_organization: str
    to_organization: str
    quantity: Decimal
    transfer_price: Decimal
    expected_arrival: date | None = None
    short: bool = False
    # The line's ledger after this step, with its version: a reader keeps the highest.
    ledger: Ledger | None = None


class WorkOrderResult(BaseModel):
    work_order_number: str
    status: str
    organization: str
    quantity: Decimal
    need_by_date: date | None = None
    # The line's ledger after this step, with its version: a reader keeps the highest.
    ledger: Ledger | None = None


class StockReservation(BaseModel):
    """What a line shipped from stock got reserved at scheduling."""

    reservation_number: str
    quantity: Decimal
    # The line's ledger after this fact, with its version: a reader keeps the highest.
    ledger: Ledger | None = None


class ReservationReleased(BaseModel):
    """What went back to free stock from a line's reservation, and the ledger after it."""

    quantity: Decimal
    ledger: Ledger


class SupplyChange(BaseModel):
    """What a cancellation did to the supply behind a line."""

    document_number: str
    canceled_quantity: Decimal
    remaining_quantity: Decimal
    released_quantity: Decimal
    document_status: str


class InvoiceResult(BaseModel):
    invoice_number: str
    amount: Decimal
    status: str = "CREATED"
    hold_reason: str | None = None
    # The line's ledger after this step, with its version: a reader keeps the highest.
    ledger: Ledger | None = None


class ReceiptSignal(BaseModel):
    scan_id: str
    document_type: DocumentType
    document_number: str
    document_line: int
    quantity: Decimal
    reserved_quantity: Decimal
    receipt_number: str
    # The line's ledger after this fact, with its version: a reader keeps the highest.
    ledger: Ledger | None = None


class ApprovalSignal(BaseModel):
    po_number: str
    approved_by: str


class PickReleaseSignal(BaseModel):
    wave_number: str
    quantity: Decimal
    # The line's ledger after this fact, with its version: a reader keeps the highest.
    ledger: Ledger | None = None


class PickConfirmSignal(BaseModel):
    scan_id: str
    picked_quantity: Decimal
    backordered_quantity: Decimal = Decimal("0")
    # Backordered and kept open on the line (no Cancel Backorders): supplied again.
    kept_backordered_quantity: Decimal = Decimal("0")
    # The line's ledger after this fact, with its version: a reader keeps the highest.
    ledger: Ledger | None = None


class ShipConfirmSignal(BaseModel):
    scan_id: str
    shipment_number: str
    shipped_quantity: Decimal
    backordered_quantity: Decimal = Decimal("0")
    kept_backordered_quantity: Decimal = Decimal("0")
    # The line's ledger after this fact, with its version: a reader keeps the highest.
    ledger: Ledger | None = None


class CancelSignal(BaseModel):
    request_id: str
    quantity: Decimal
    reason: str
    full: bool
    # Canceled by shipping (Cancel Backorders / Enforce Single Shipment), not by a person.
    backorder: bool = False
    # Cancel Supply When Canceling Backorders at the time of the cancel: when off, the
    # supply documents stay as they are and are listed for review.
    reduce_supply: bool = True
    # The line's ledger after this fact, with its version: a reader keeps the highest.
    ledger: Ledger | None = None


class QuantityIncreasedSignal(BaseModel):
    """A revision raised the line's quantity; `reserved_quantity` of it was reserved from
    free stock in the same transaction (lines shipped from stock)."""

    request_id: str
    quantity: Decimal
    reserved_quantity: Decimal = Decimal(0)
    # The line's ledger after this fact, with its version: a reader keeps the highest.
    ledger: Ledger | None = None


class LineStagedSignal(BaseModel):
    """A line of a shipment set is staged: its order workflow releases the set once every
    open line of it is."""

    line_number: int
    shipment_set: str
    staged_quantity: Decimal


class LinesAddedSignal(BaseModel):
    """A revision booked new lines: the order workflow starts and awaits them."""

    request_id: str
    lines: list[LineInput]


class StockReservedSignal(BaseModel):
    """Stock arrived and was reserved to a backordered line."""

    reservation_number: str
    quantity: Decimal
    # The line's ledger after this fact, with its version: a reader keeps the highest.
    ledger: Ledger | None = None


class RetrySignal(BaseModel):
    request_id: str

    # --------------------------------------------------------------------------- views
    # The line's ledger after this fact, with its version: a reader keeps the highest.
    ledger: Ledger | None = None


class SupplyView(BaseModel):
    type: SupplyType
    status: SupplyStatus
    document_type: DocumentType
    document_number: str
    document_line: int = 1
    quantity: Quantity
    supplier: str | None = None
    organization: str
    supply_order_number: str | None = None
    requisition_number: str | None = None
    need_by_date: date | None = None


class LineEvent(BaseModel):
    at: datetime
    type: str
    detail: str = ""


class LineView(BaseModel):
    """The line status of the public contract, as the line workflow sees it."""

    order_number: str
    line_number: int
    item_number: str
    customer_number: str
    organization: str
    status: LineStatus
    ordered_quantity: Quantity
    canceled_quantity: Quantity = Decimal("0")
    reserved_quantity: Quantity = Decimal("0")
    received_quantity: Quantity = Decimal("0")
    picked_quantity: Quantity = Decimal("0")
    shipped_quantity: Quantity = Decimal("0")
    invoiced_quantity: Quantity = Decimal("0")
    unit_price: Amount
    line_amount: Amount
    cancel_reason: str | None = None
    jeopardy: bool = False
    back_to_back: bool = True
    back_to_back_reason: str = ""
    manual_action_reason: str | None = None
    waiting_for: str | None = None
    supply: list[SupplyView] = []
    invoices: list[dict[str, Any]] = []
    events: list[LineEvent] = []
    workflow_id: str = ""
    # From the line's ledger (lines run by FulfillmentLineWorkflowV2): open = ordered -
    # canceled; released and not yet shipped or backordered; open and neither shipped nor
    # reserved; kept open after the warehouse backordered it; the ledger's version.
    open_quantity: Quantity | None = None
    released_quantity: Quantity | None = None
    awaiting_supply_quantity: Quantity | None = None
    backordered_quantity: Quantity | None = None
    ledger_version: int | None = None
