"""The one state of a `FulfillmentLineWorkflowV3` line, and how each fact it learns changes
it. The same model is the input of the line's next run when it continues as new.

PostgreSQL applies every quantity fact to the line's ledger; signals and activity results
carry the ledger after it, and the state keeps the newest (`domain.line.newest`). What the
state adds is what only the workflow knows: the documents it made and what their suppliers
said, approvals, the narrative of events, manual-action reasons, holds, dates and jeopardy.

Deterministic and free of I/O: imported by the workflow through the sandbox.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import AliasChoices, BaseModel, Field, field_serializer

from domain import search_attributes as sa
from domain.jeopardy import DocumentDates, Jeopardy, JeopardyPriority, JeopardyTerms
from domain.line import ZERO, Ledger, line_status, newest
from domain.line.progress import Progress
from domain.line.view import reservation_status, with_reservation_status
from domain.models import (
    CancelSignal,
    InvoiceResult,
    LineEvent,
    LineInput,
    PurchaseOrderResult,
    SupplyView,
    TransferOrderResult,
    WorkOrderResult,
)
from domain.models.views import HoldView
from domain.statuses import DocumentType, EventType, LineStatus, SupplyStatus, SupplyType

# Supply documents that bring goods to the line (a stock reservation brings none).
DOCUMENT_TYPES = frozenset(
    {SupplyType.BUY, SupplyType.MAKE, SupplyType.TRANSFER, SupplyType.DROP_SHIP}
)
# A line continues as new once its history is this long (or the server suggests it): a
# line with thousands of partial scans keeps each run's history small.
HISTORY_BOUND = 2_000
CREDIT_HOLD = (
    "the order is on credit hold; raise the customer's credit limit and retry the order's"
    " credit, or cancel the order"
)


def first_time(seen: set[str], key: str) -> bool:
    """Signals are delivered at least once: each key is applied once."""
    if key in seen:
        return False
    seen.add(key)
    return True


class LineState(BaseModel):
    ledger: Ledger
    supply: list[SupplyView] = []
    arrived: dict[str, Decimal] = {}
    approved: set[str] = set()
    events: list[LineEvent] = []
    invoices: list[dict[str, Any]] = []
    seen: set[str] = set()
    cancels: list[CancelSignal] = []
    retries: int = 0
    sourcing_rounds: int = 0
    supplied_once: bool = False
    told_staged: bool = False
    cancel_reason: str | None = None
    manual_reason: str | None = None
    # Raised by every signal applied: the cycle wakes and looks again.
    changes: int = 0
    # Active holds on the line or its order, as the last `holds_changed` said.
    holds: list[HoldView] = []
    holds_changes: int = 0
    # The requested ship date now (revisions move it), and the jeopardy last recorded.
    requested_ship_date: date | None = None
    jeopardy: bool = False
    jeopardy_terms: JeopardyTerms | None = None
    jeopardy_priority: JeopardyPriority | None = None
    jeopardy_document: str | None = None
    jeopardy_reason: str | None = None
    jeopardy_changes: int = 0
    # What the line's search attributes hold now (only changes are upserted).
    published: dict[str, Any] = {}

    @field_serializer("approved", "seen")
    def _sorted(self, keys: set[str]) -> list[str]:
        return sorted(keys)  # the same input for the next run, whatever the hash seed

    @classmethod
    def booked(cls, line: LineInput) -> LineState:
        return cls(
            ledger=Ledger(ordered=line.quantity, back_to_back=line.back_to_back),
            requested_ship_date=line.requested_ship_date,
            # What the starter sets (line_publish.initial_search_attributes).
            published={sa.LINE_STATUS.name: LineStatus.BOOKED.value, sa.JEOPARDY.name: False},
        )

    # ------------------------------------------------------------------ reading it

    @property
    def status(self) -> LineStatus:
        return line_status(self.ledger)

    @property
    def documents(self) -> list[SupplyView]:
        return [s for s in self.supply if s.type in DOCUMENT_TYPES]

    @property
    def outstanding(self) -> Decimal:
        """What the line's documents still bring."""
        return sum(
            (
                max(s.quantity - self.arrived.get(s.document_number, ZERO), ZERO)
                for s in self.documents
                if s.status is not SupplyStatus.CANCELED
            ),
            ZERO,
        )

    def progress(self, line: LineInput) -> Progress:
        return Progress(
            ledger=self.ledger,
            outstanding=self.outstanding,
            supplied_once=self.supplied_once,
            in_shipment_set=line.shipment_set is not None,
            told_staged=self.told_staged,
            bills=line.kit_line_number is None,
        )

    def document_dates(self) -> list[DocumentDates]:
        """Each supply document with its expected date (promised, else from the lead time)
        and whether it still brings something."""
        return [
            DocumentDates(
                number=d.document_number,
                expected=expected,
                open=d.status is not SupplyStatus.CANCELED
                and self.arrived.get(d.document_number, ZERO) < d.quantity,
            )
            for d in self.documents
            if (expected := d.promised_date or d.need_by_date) is not None
        ]

    def recorded_jeopardy(self) -> Jeopardy:
        return Jeopardy(
            document=self.jeopardy_document,
            days_late=int(self.jeopardy),
            priority=self.jeopardy_priority,
        )

    # ------------------------------------------------------------------ changing it

    def adopt(self, ledger: Ledger | None) -> None:
        self.ledger = newest(self.ledger, ledger)
        # A stock reservation's status follows the ledger (a document's is its own).
        self.supply = with_reservation_status(self.supply, self.ledger)

    def first_time(self, key: str) -> bool:
        if not first_time(self.seen, key):
            return False
        self.changes += 1
        return True

    def event(self, at: datetime, type_: EventType, detail: str) -> None:
        self.events.append(LineEvent(at=at, type=type_, detail=detail))

    def count_arrival(self, number: str, quantity: Decimal) -> None:
        """Goods arrived on (or, drop shipped, left the supplier on) document `number`: a
        document that brought all it was for is RECEIVED."""
        self.arrived[number] = self.arrived.get(number, ZERO) + quantity
        for supply in self.documents:
            if supply.document_number == number and self.arrived[number] >= supply.quantity:
                supply.status = SupplyStatus.RECEIVED

    def set_supply_status(self, status: SupplyStatus) -> None:
        for supply in self.supply:
            if supply.status not in (SupplyStatus.CANCELED, SupplyStatus.CLOSED):
                supply.status = status

    def approve(self, po_number: str) -> None:
        self.approved.add(po_number)
        for supply in self.supply:
            if (
                supply.document_number == po_number
                and supply.status is SupplyStatus.AWAITING_APPROVAL
            ):
                supply.status = SupplyStatus.AWAITING_RECEIPT

    def record_jeopardy(self, found: Jeopardy) -> None:
        self.jeopardy, self.jeopardy_priority = found.raised, found.priority
        self.jeopardy_document, self.jeopardy_reason = found.document, found.why or None
        self.jeopardy_changes += 1

    # ------------------------------------------------------------------ documents made

    def add_reservation(self, line: LineInput, number: str) -> None:
        self.supply.append(
            SupplyView(
                type=SupplyType.ON_HAND,
                status=reservation_status(self.ledger),
                document_type=DocumentType.RESERVATION,
                document_number=number,
                quantity=line.quantity,
                organization=line.organization,
            )
        )

    def add_purchase_order(
        self,
        line: LineInput,
        po: PurchaseOrderResult,
        *,
        supply_order_number: str | None,
        requisition_number: str | None,
    ) -> None:
        self.adopt(po.ledger)
        if po.status == "OPEN":
            self.approved.add(po.po_number)
        approved = po.po_number in self.approved
        self.supply.append(
            SupplyView(
                type=SupplyType.DROP_SHIP if po.drop_ship else SupplyType.BUY,
                status=SupplyStatus.AWAITING_RECEIPT
                if approved
                else SupplyStatus.AWAITING_APPROVAL,
                document_type=DocumentType.PURCHASE_ORDER,
                document_number=po.po_number,
                document_line=po.po_line,
                quantity=po.quantity,
                supplier=po.supplier,
                organization=line.organization,
                supply_order_number=supply_order_number,
                requisition_number=requisition_number,
                need_by_date=po.need_by_date,
            )
        )

    def add_work_order(self, wo: WorkOrderResult, *, supply_order_number: str | None) -> None:
        self.adopt(wo.ledger)
        self.supply.append(
            SupplyView(
                type=SupplyType.MAKE,
                status=SupplyStatus.IN_PRODUCTION,
                document_type=DocumentType.WORK_ORDER,
                document_number=wo.work_order_number,
                quantity=wo.quantity,
                organization=wo.organization,
                supply_order_number=supply_order_number,
                need_by_date=wo.need_by_date,
            )
        )

    def add_transfer_order(
        self, to: TransferOrderResult, *, supply_order_number: str | None
    ) -> None:
        self.adopt(to.ledger)
        self.supply.append(
            SupplyView(
                type=SupplyType.TRANSFER,
                status=SupplyStatus.IN_TRANSIT,
                document_type=DocumentType.TRANSFER_ORDER,
                document_number=to.transfer_order_number,
                quantity=to.quantity,
                organization=to.from_organization,
                supply_order_number=supply_order_number,
                need_by_date=to.expected_arrival,
            )
        )

    def add_ap_invoice(self, ap: InvoiceResult) -> None:
        self.invoices.append(
            {
                "kind": "AP",
                "invoice_number": ap.invoice_number,
                "amount": str(ap.amount),
                "status": ap.status,
                "hold_reason": ap.hold_reason,
            }
        )

    def purchase_orders_to_bill(self) -> list[SupplyView]:
        """The POs an AP invoice is asked for: every one that brought something, and the
        first unless it was canceled before anything arrived (a later PO, or a first one
        its supplier rejected, has nothing to bill then)."""
        purchased = (SupplyType.BUY, SupplyType.DROP_SHIP)
        return [
            po
            for index, po in enumerate(d for d in self.documents if d.type in purchased)
            if self.arrived.get(po.document_number, ZERO) > 0
            or (index == 0 and po.status is not SupplyStatus.CANCELED)
        ]


class LineCarry(BaseModel):
    """The second input of a line's run: the state of the run before (none for a new line),
    or the stored ledger of a line started while its order is on credit hold."""

    state: LineState | None = Field(
        default=None, validation_alias=AliasChoices("state", "snapshot")
    )
    history_bound: int = HISTORY_BOUND
    runs: int = 1
    held_ledger: Ledger | None = None

    def state_of(self, line: LineInput) -> LineState:
        if self.state is not None:
            return self.state
        state = LineState.booked(line)
        if self.held_ledger is not None:  # the line shows the hold
            state.adopt(self.held_ledger)
            state.manual_reason = CREDIT_HOLD
        return state
