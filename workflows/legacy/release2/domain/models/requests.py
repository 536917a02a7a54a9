"""Request bodies of orders, order changes and warehouse scans."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, model_validator

# The rules of every request body: domain/inputs.py.
from workflows.legacy.release2.domain.inputs import (
    MAX_ORDER_LINES,
    ComponentNumber,
    Currency,
    DocumentLine,
    Identifier,
    IsoDate,
    LargePercent,
    LineNumber,
    Money,
    NonNegativeQuantity,
    Percent,
    PoNumber,
    PositiveQuantity,
    Reason,
    UomCode,
)
from workflows.legacy.release2.domain.models.base import StrictModel


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
    # The supplier ships the line straight to the customer (contract: "Drop ship").
    drop_ship: bool = False

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
    lines: Annotated[list[OrderLineIn], Field(min_length=1, max_length=MAX_ORDER_LINES)]

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
    # This line's own requested ship date, over its order's.
    requested_ship_date: IsoDate | None = None


class RevisionIn(StrictModel):
    add_lines: Annotated[list[OrderLineIn], Field(max_length=MAX_ORDER_LINES)] = []
    change_lines: Annotated[list[LineChangeIn], Field(max_length=MAX_ORDER_LINES)] = []
    # The order's requested ship date, for each line without a date of its own.
    requested_ship_date: IsoDate | None = None

    @model_validator(mode="after")
    def _something_and_each_line_once(self) -> RevisionIn:
        if not self.add_lines and not self.change_lines and self.requested_ship_date is None:
            raise ValueError(
                "a revision adds or changes at least one line, or moves the requested ship date"
            )
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


class HoldIn(StrictModel):
    """A hold on a whole order (`line_number` null) or on one of its lines."""

    hold_code: Identifier
    line_number: LineNumber | None = None
    reason: Reason


class HoldReleaseIn(StrictModel):
    reason: Reason


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
    # On a kit line: which of its components (contract: "Kits").
    component: ComponentNumber | None = None
    picked_quantity: NonNegativeQuantity
    backordered_quantity: NonNegativeQuantity = Decimal("0")


class ShipScanIn(StrictModel):
    scan_id: Identifier
    order_number: Identifier
    line_number: LineNumber
    # On a kit line: which of its components (contract: "Kits").
    component: ComponentNumber | None = None
    shipped_quantity: NonNegativeQuantity
    backordered_quantity: NonNegativeQuantity = Decimal("0")
