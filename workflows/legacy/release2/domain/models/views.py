"""What a line shows: its supply documents, events and the line view queries answer."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, computed_field

from workflows.legacy.release2.domain.models.base import Amount, Quantity
from workflows.legacy.release2.domain.statuses import (
    DocumentType,
    LineStatus,
    SupplyStatus,
    SupplyType,
)


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
    # A purchase order line's: what its supplier last said of it, and the date promised.
    acknowledgment_status: str | None = None
    promised_date: date | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def expected_date(self) -> date | None:
        """When the document is expected: the promised date, else its lead time's."""
        return self.promised_date or self.need_by_date


class HoldView(BaseModel):
    """An active hold on the line: its own (`line_number`) or its order's (null)."""

    hold_id: str
    hold_code: str
    reason: str
    line_number: int | None = None
    blocks: list[str] = []


class LineEvent(BaseModel):
    at: datetime
    type: str
    detail: str = ""


class KitComponentView(BaseModel):
    """One component of a kit line, as `GET /orders/{n}/lines/{l}` shows it."""

    component: int
    item_number: str
    workflow_id: str
    per_kit: Quantity
    status: LineStatus
    ordered_quantity: Quantity
    canceled_quantity: Quantity
    received_quantity: Quantity
    reserved_quantity: Quantity
    picked_quantity: Quantity
    shipped_quantity: Quantity
    waiting_for: str | None = None
    supply: list[SupplyView] = []


class KitView(BaseModel):
    """A kit line's quantities in whole kits."""

    ordered: Quantity
    shipped: Quantity
    open: Quantity
    canceled: Quantity


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
    # While in jeopardy (contract: "Dates and jeopardy"): LOW, MEDIUM or HIGH, and which
    # document is late, and by how many days.
    jeopardy_priority: str | None = None
    jeopardy_reason: str | None = None
    requested_ship_date: date | None = None
    back_to_back: bool = True
    back_to_back_reason: str = ""
    # Its supplier ships it straight to the customer (contract: "Drop ship").
    drop_ship: bool = False
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
    # Read from the system of record when the API answers (contract: "Holds").
    holds: list[HoldView] = []
    # A kit line (contract: "Kits"): its whole kits, and each component's line.
    kit: KitView | None = None
    components: list[KitComponentView] = []
