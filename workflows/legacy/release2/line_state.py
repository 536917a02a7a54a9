"""The one state object of a `FulfillmentLineWorkflowV2`, and what it shows: the line view
of the contract, the Web UI's search attributes and current details.

Deterministic and free of I/O: imported by the workflow through the sandbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, overload

from temporalio.common import SearchAttributePair, TypedSearchAttributes

from workflows.legacy.release2.domain import search_attributes as sa
from workflows.legacy.release2.domain.jeopardy import DocumentDates, JeopardyPriority, JeopardyTerms
from workflows.legacy.release2.domain.line import ZERO, Ledger, line_status
from workflows.legacy.release2.domain.line.progress import Progress
from workflows.legacy.release2.domain.line.view import ledger_fields
from workflows.legacy.release2.domain.models import (
    CancelSignal,
    LineEvent,
    LineInput,
    LineView,
    SupplyView,
)
from workflows.legacy.release2.domain.models import json_quantity as _q
from workflows.legacy.release2.domain.models.views import HoldView
from workflows.legacy.release2.domain.statuses import LineStatus, SupplyStatus, SupplyType

# Supply documents that bring goods to the line (a stock reservation brings none).
DOCUMENT_TYPES = frozenset(
    {SupplyType.BUY, SupplyType.MAKE, SupplyType.TRANSFER, SupplyType.DROP_SHIP}
)
SEARCH_ATTRIBUTES: dict[str, Any] = {key.name: key for key in sa.ALL}


@dataclass
class LineState:
    line: LineInput
    ledger: Ledger
    supply: list[SupplyView] = field(default_factory=list)
    arrived: dict[str, Decimal] = field(default_factory=dict)
    approved: set[str] = field(default_factory=set)
    events: list[LineEvent] = field(default_factory=list)
    invoices: list[dict[str, object]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    cancels: list[CancelSignal] = field(default_factory=list)
    retries: int = 0
    sourcing_rounds: int = 0
    supplied_once: bool = False
    told_staged: bool = False
    jeopardy: bool = False
    cancel_reason: str | None = None
    manual_reason: str | None = None
    # Raised by every signal: the cycle wakes and looks again.
    changes: int = 0
    # Active holds on the line or its order, as the last `holds_changed` said; raised on
    # each, so that a line waiting to bill looks again.
    holds: list[HoldView] = field(default_factory=list)
    holds_changes: int = 0
    # Dates and jeopardy (lines whose sourcing answered `jeopardy_terms`): the requested
    # ship date now (revisions move it), and the jeopardy last recorded.
    requested_ship_date: date | None = None
    jeopardy_terms: JeopardyTerms | None = None
    jeopardy_priority: JeopardyPriority | None = None
    jeopardy_document: str | None = None
    jeopardy_reason: str | None = None
    jeopardy_changes: int = 0

    @classmethod
    def booked(cls, line: LineInput) -> LineState:
        return cls(
            line=line,
            ledger=Ledger(ordered=line.quantity, back_to_back=line.back_to_back),
            requested_ship_date=line.requested_ship_date,
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

    def adopt(self, ledger: Ledger | None) -> None:
        """Keep the newest ledger: versions only grow, so the order facts arrive in does
        not matter and a second copy changes nothing."""
        if ledger is not None and ledger.version > self.ledger.version:
            self.ledger = ledger

    def count_arrival(self, number: str, quantity: Decimal) -> None:
        """Goods arrived on (or, drop shipped, left the supplier on) document `number`: a
        document that brought all it was for is RECEIVED."""
        self.arrived[number] = self.arrived.get(number, ZERO) + quantity
        for supply in self.documents:
            if supply.document_number == number and self.arrived[number] >= supply.quantity:
                supply.status = SupplyStatus.RECEIVED

    def first_time(self, key: str) -> bool:
        """Signals are delivered at least once; each is applied once."""
        if key in self.seen:
            return False
        self.seen.add(key)
        self.changes += 1
        return True

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

    def progress(self) -> Progress:
        return Progress(
            ledger=self.ledger,
            outstanding=self.outstanding,
            supplied_once=self.supplied_once,
            in_shipment_set=self.line.shipment_set is not None,
            told_staged=self.told_staged,
            bills=self.line.kit_line_number is None,
        )

    def set_supply_status(self, status: SupplyStatus) -> None:
        for supply in self.supply:
            if supply.status not in (SupplyStatus.CANCELED, SupplyStatus.CLOSED):
                supply.status = status

    # ------------------------------------------------------------------ what it shows

    def waiting_for(self) -> str | None:
        """What the line waits for, in the words of the Web UI and the line view."""
        q, line = self.ledger, self.line
        status = self.status
        if status is LineStatus.MANUAL_ACTION_REQUIRED:
            return (
                f"Manual action required: {self.manual_reason}. Fix the setup, then retry the line"
            )
        if status in (LineStatus.CLOSED, LineStatus.CANCELED, LineStatus.SHIPPED):
            return None
        if status is LineStatus.AWAITING_BILLING:
            return "Creating the AR and AP invoices"
        awaiting = [s for s in self.supply if s.status is SupplyStatus.AWAITING_APPROVAL]
        if awaiting:
            return f"Waiting for a buyer to approve {awaiting[0].document_number}"
        if status is LineStatus.BOOKED:
            return "Applying the sourcing rules"
        if status is LineStatus.PICK_RELEASED:
            return f"Waiting for pick confirmation: {_q(q.picked)} of {_q(q.released)} picked"
        if status is LineStatus.STAGED:
            return f"Staged; waiting for ship confirmation: {_q(q.shipped)} of {_q(q.open)} shipped"
        if status is LineStatus.AWAITING_SHIPPING:
            return f"Reserved; waiting for a pick wave at {line.organization}"
        if not line.back_to_back:
            return (
                f"Backordered: waiting for stock at {line.organization}, {_q(q.reserved)} of "
                f"{_q(q.to_ship)} reserved"
            )
        return self._waiting_for_supply()

    def _waiting_for_supply(self) -> str:
        q, open_docs = self.ledger, [s for s in self.documents]
        if len(open_docs) == 1 and open_docs[0].type is SupplyType.DROP_SHIP:
            doc = open_docs[0]
            return (
                f"Waiting for {doc.supplier} to ship {doc.document_number} line"
                f" {doc.document_line} to {self.line.customer_number}: {_q(q.shipped)} of"
                f" {_q(q.open)} shipped"
            )
        if len(open_docs) == 1:
            doc = open_docs[0]
            arrivals = "completions" if doc.type is SupplyType.MAKE else "receipts"
            source = f" from {doc.supplier}" if doc.supplier else ""
            return (
                f"Waiting for {arrivals} on {doc.document_number} line {doc.document_line}"
                f"{source}: {_q(q.received)} of {_q(q.open)} received"
            )
        documents = ", ".join(
            f"{s.document_number} {_q(self.arrived.get(s.document_number, ZERO))} of "
            f"{_q(s.quantity)}"
            for s in open_docs
            if s.status is not SupplyStatus.CANCELED
        )
        return (
            f"Waiting for supply from {len(open_docs)} sources ({documents}): "
            f"{_q(q.received)} of {_q(q.open)} received"
        )

    def details(self) -> str:
        """The Web UI's current details: status, open quantity, what the line waits for."""
        text = f"**{self.status.value}** · {_q(self.ledger.open)} {self.line.item_number}"
        waiting = self.waiting_for()
        text = f"{text} · {waiting}" if waiting else text
        if self.holds:
            named = ", ".join(f"{h.hold_id} {h.hold_code} ({h.reason})" for h in self.holds)
            text += f" · on hold: {named}"
        if self.jeopardy and self.jeopardy_priority is not None:
            text += f" · in jeopardy ({self.jeopardy_priority.value}): {self.jeopardy_reason}"
        return text

    def search_attributes(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            sa.LINE_STATUS.name: self.status.value,
            sa.JEOPARDY.name: self.jeopardy,
        }
        # Only once there is something to say: lines that never had a priority or a
        # revised date upsert neither (their histories stay as they were).
        if self.jeopardy_changes:
            values[sa.JEOPARDY_PRIORITY.name] = (
                self.jeopardy_priority.value if self.jeopardy_priority else None
            )
        if self.requested_ship_date != self.line.requested_ship_date:
            values[sa.REQUESTED_SHIP_DATE.name] = _midnight(self.requested_ship_date)
        if self.supply:
            values[sa.SUPPLY_TYPE.name] = self.supply[0].type.value
            values[sa.SUPPLY_STATUS.name] = self.supply[-1].status.value
            values[sa.SUPPLY_DOCUMENTS.name] = [s.document_number for s in self.supply]
            suppliers = sorted({s.supplier for s in self.supply if s.supplier})
            if suppliers:
                values[sa.SUPPLIER.name] = suppliers[0]
        return values

    def view(self, workflow_id: str) -> LineView:
        line = self.line
        return LineView(
            order_number=line.order_number,
            line_number=line.line_number,
            item_number=line.item_number,
            customer_number=line.customer_number,
            organization=line.organization,
            unit_price=line.unit_price,
            cancel_reason=self.cancel_reason,
            jeopardy=self.jeopardy,
            jeopardy_priority=self.jeopardy_priority.value if self.jeopardy_priority else None,
            jeopardy_reason=self.jeopardy_reason if self.jeopardy else None,
            requested_ship_date=self.requested_ship_date,
            back_to_back=line.back_to_back,
            back_to_back_reason=line.back_to_back_reason,
            drop_ship=line.drop_ship,
            manual_action_reason=self.manual_reason,
            waiting_for=self.waiting_for(),
            supply=list(self.supply),
            invoices=list(self.invoices),
            events=list(self.events),
            workflow_id=workflow_id,
            **ledger_fields(
                self.ledger, unit_price=line.unit_price, unit_discount=line.unit_discount
            ),
        )


def initial_search_attributes(line: LineInput) -> TypedSearchAttributes:
    """Search attributes a line starts with (set by whoever starts the workflow)."""
    pairs: list[SearchAttributePair[Any]] = [
        SearchAttributePair(sa.ORDER_NUMBER, line.order_number),
        SearchAttributePair(sa.CUSTOMER_NUMBER, line.customer_number),
        SearchAttributePair(sa.ITEM_NUMBER, line.item_number),
        SearchAttributePair(sa.WAREHOUSE, line.organization),
        SearchAttributePair(sa.LINE_STATUS, LineStatus.BOOKED.value),
        SearchAttributePair(sa.JEOPARDY, False),
    ]
    if line.requested_ship_date is not None:
        pairs.append(
            SearchAttributePair(sa.REQUESTED_SHIP_DATE, _midnight(line.requested_ship_date))
        )
    return TypedSearchAttributes(pairs)


@overload
def _midnight(day: date) -> datetime: ...
@overload
def _midnight(day: None) -> None: ...
def _midnight(day: date | None) -> datetime | None:
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)
