"""Inputs of the activities (serialized into workflow histories: only add fields)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from workflows.legacy.release2.domain.models import LineInput, SourcingDecision
from workflows.legacy.release2.domain.statuses import EventType, LineStatus, SupplyType


class LineStep(BaseModel):
    """A step of a line: the line and the idempotency key of the step."""

    key: str
    line: LineInput


class SupplyStep(BaseModel):
    key: str
    line: LineInput
    decision: SourcingDecision
    supply_order_number: str | None = None
    requisition_number: str | None = None
    workflow_id: str = ""
    today: date | None = None


class LineRef(BaseModel):
    key: str
    order_number: str
    line_number: int


class ApInvoiceStep(BaseModel):
    key: str
    order_number: str
    line_number: int
    po_number: str
    po_line: int


class LineStatusChange(BaseModel):
    key: str
    order_number: str
    line_number: int
    status: LineStatus
    event: EventType | None = None
    data: dict[str, Any] = {}


class ShipmentSetRelease(BaseModel):
    key: str
    order_number: str
    shipment_set: str
    lines: list[int]


class OrderEvent(BaseModel):
    key: str
    order_number: str
    event: EventType
    data: dict[str, Any] = {}


class CreditStep(BaseModel):
    """A credit step of an order: the order and the idempotency key of the step."""

    key: str
    order_number: str


class OrderStep(BaseModel):
    """A step of an order: the order and the idempotency key of the step."""

    key: str
    order_number: str


class SourceStep(BaseModel):
    """Source `line.quantity` of a line: the sourcing rules, then the documents they ask
    for, pegged (one transaction)."""

    key: str
    line: LineInput
    workflow_id: str
    today: date


class PurchaseOrderRef(BaseModel):
    po_number: str
    po_line: int


class CloseStep(BaseModel):
    """Bill and close a shipped line (one transaction): the AR invoice for what is not
    invoiced, an AP invoice per purchase order named, the supply documents closed."""

    key: str
    line: LineInput
    purchase_orders: list[PurchaseOrderRef] = []
    supply_types: list[SupplyType] = []
