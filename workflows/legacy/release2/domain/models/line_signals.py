"""Signals to order and line workflows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from workflows.legacy.release2.domain.line.ledger import Ledger
from workflows.legacy.release2.domain.models.payloads import LineInput
from workflows.legacy.release2.domain.models.views import HoldView
from workflows.legacy.release2.domain.statuses import DocumentType


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
    """A revision booked new lines: the order workflow starts and awaits them. An order
    that starts its lines from their rows is sent their numbers only."""

    request_id: str
    lines: list[LineInput]
    line_numbers: list[int] = []


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


class CreditReleasedSignal(BaseModel):
    """The order of a line that waits on credit hold is authorized: the line goes on."""

    request_id: str
    # The line's ledger after the release (BOOKED again), with its version.
    ledger: Ledger | None = None


class HoldsChangedSignal(BaseModel):
    """A hold on a line (or its order) was applied or released: the line's active holds
    now. The line shows them, and a line waiting to bill looks again."""

    holds: list[HoldView] = []


class ShipDateChangedSignal(BaseModel):
    """A revision moved the line's requested ship date (its own, or its order's)."""

    request_id: str
    requested_ship_date: date
