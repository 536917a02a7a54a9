"""Workflow inputs and activity results: what crosses a Temporal boundary."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from domain.line.ledger import Ledger
from domain.models.order_run import OrderState
from domain.statuses import SupplyType


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
    # Started while its order is on credit hold: the line waits for the credit release.
    credit_hold: bool = False
    # Its supplier ships it straight to the customer (contract: "Drop ship").
    drop_ship: bool = False
    # A kit line: how many components it has (each a line of its own, domain/kits.py).
    kit_components: int = 0
    # A kit's component line: its kit's line number, its number in the kit, per kit.
    kit_line_number: int | None = None
    component: int | None = None
    per_kit: Decimal | None = None


class LineToStart(BaseModel):
    line: LineInput
    # Its stored ledger when the line starts held on credit (it waits for the release).
    held_ledger: Ledger | None = None


class OrderInput(BaseModel):
    order_number: str
    customer_number: str
    customer_po_number: str | None = None
    currency: str = "USD"
    requested_ship_date: date | None = None
    # Empty for an order whose workflow starts its lines from their rows (then line_count
    # says how many were booked).
    lines: list[LineInput]
    line_count: int = 0
    # What an earlier run of the order's workflow handed on when it continued as new.
    carried: OrderState | None = None


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
    # Shipped by the supplier straight to the line's customer.
    drop_ship: bool = False


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

    def customer_entry(self) -> dict[str, object]:
        """This AR invoice as a line's `invoices` lists it."""
        return {
            "kind": "AR",
            "invoice_number": self.invoice_number,
            "amount": str(self.amount),
            "status": self.status,
        }
