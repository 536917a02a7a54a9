"""A drop-ship supplier's ship notice (contract: "Drop ship"), and the signal its pegged line
gets from it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from workflows.legacy.release2.domain.inputs import (
    DocumentLine,
    Identifier,
    IsoDate,
    Name,
    PositiveQuantity,
)
from workflows.legacy.release2.domain.line import Ledger
from workflows.legacy.release2.domain.models.base import StrictModel


class ShipNoticeIn(StrictModel):
    """What a supplier portal or an EDI 856 (advance ship notice) integration sends."""

    ship_notice_id: Identifier
    po_line: DocumentLine = 1
    quantity: PositiveQuantity
    # The day it left the supplier; the day the notice arrives when not given.
    shipped_date: IsoDate | None = None
    tracking_number: Name | None = None


class DropShippedSignal(BaseModel):
    """To the line pegged to a drop-ship PO line: its supplier shipped `quantity` to the
    customer; `ledger` is the line's after it."""

    ship_notice_id: str
    po_number: str
    po_line: int
    supplier: str
    quantity: Decimal
    shipped_date: date
    tracking_number: str | None = None
    ledger: Ledger
