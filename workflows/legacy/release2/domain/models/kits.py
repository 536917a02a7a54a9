"""What crosses a kit line's workflow boundary, and how the API shows a kit line."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel

from workflows.legacy.release2.domain.line import Ledger
from workflows.legacy.release2.domain.models.payloads import InvoiceResult
from workflows.legacy.release2.domain.statuses import LineStatus


class KitComponentFinished(BaseModel):
    """To a kit line's workflow: component `component` closed or was canceled."""

    component: int
    status: LineStatus


class KitProgress(BaseModel):
    """A kit line's components still open, and the kit line's ledger."""

    open_components: int
    ledger: Ledger


class KitClosed(BaseModel):
    """A kit line whose components are all done: its whole kits shipped and canceled
    recorded, the AR invoice for the kits shipped (if any), its ledger after."""

    shipped: Decimal
    canceled: Decimal
    ar_invoice: InvoiceResult | None = None
    ledger: Ledger
