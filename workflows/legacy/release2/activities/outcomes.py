"""What the merged steps of a line answer (serialized into workflow histories: only add
fields)."""

from __future__ import annotations

from pydantic import BaseModel

from workflows.legacy.release2.domain.jeopardy import JeopardyTerms
from workflows.legacy.release2.domain.line import Ledger
from workflows.legacy.release2.domain.models import (
    InvoiceResult,
    PurchaseOrderResult,
    SourcingDecision,
    TransferOrderResult,
    WorkOrderResult,
)
from workflows.legacy.release2.domain.statuses import SupplyType


class SourcedPart(BaseModel):
    """One source of a sourced line: the documents made for it, or why none were
    (`canceled_first`: nothing was open; `short`: the transfer's source had no free stock
    left). A part that makes no document leaves nothing behind."""

    supply_type: SupplyType
    supply_order_number: str | None = None
    requisition_number: str | None = None
    purchase_order: PurchaseOrderResult | None = None
    work_order: WorkOrderResult | None = None
    transfer_order: TransferOrderResult | None = None
    canceled_first: bool = False
    short: bool = False

    @property
    def document_number(self) -> str | None:
        """The pegged document made for this part, if any."""
        if self.purchase_order is not None:
            return self.purchase_order.po_number
        if self.work_order is not None:
            return self.work_order.work_order_number
        if self.transfer_order is not None:
            return self.transfer_order.transfer_order_number
        return None


class SourcingOutcome(BaseModel):
    """The sourcing decision and, per part of it, what was made; the line's ledger after."""

    decision: SourcingDecision
    parts: list[SourcedPart] = []
    ledger: Ledger
    # The line's shortfalls (a supplier cut or rejected its supply) open when it was sourced,
    # in words; `resourced`: this sourcing covered them (LINE_RESOURCED).
    shortfalls: list[str] = []
    resourced: bool = False
    # The jeopardy parameters now; a line that gets them assesses jeopardy from every
    # document's dates (older answers lack them: those lines keep their first watch).
    jeopardy_terms: JeopardyTerms | None = None


class LineBilled(BaseModel):
    """The invoices a shipped line got and its ledger after them."""

    ar_invoice: InvoiceResult | None = None
    ap_invoices: list[InvoiceResult] = []
    ledger: Ledger
    # Not billed: a hold blocks billing (why, naming it); the line waits for its release.
    held: str | None = None
