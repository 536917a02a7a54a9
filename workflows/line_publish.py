"""What a line shows, from its input and state: the line view of the contract (the status
query), the Web UI's search attributes, current details and summary. Pure: the same state
always shows the same, so a replay publishes what the first run did.

Kit lines show themselves with `kit_*` below.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, overload

from temporalio.common import SearchAttributePair, TypedSearchAttributes

from domain import search_attributes as sa
from domain.line import ZERO, Ledger, line_status
from domain.line.view import ledger_fields
from domain.models import LineEvent, LineInput, LineView
from domain.models import json_quantity as _q
from domain.statuses import LineStatus, SupplyStatus, SupplyType
from workflows.line_state import LineState

SEARCH_ATTRIBUTES: dict[str, Any] = {key.name: key for key in sa.ALL}


def summary(line: LineInput) -> str:
    """The line's static summary in the Web UI (set when it starts)."""
    return (
        f"Order {line.order_number} line {line.line_number}: {line.quantity} "
        f"{line.item_number} for {line.customer_number} from {line.organization}"
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


def search_attributes(line: LineInput, s: LineState) -> dict[str, Any]:
    values: dict[str, Any] = {
        sa.LINE_STATUS.name: s.status.value,
        sa.JEOPARDY.name: s.jeopardy,
    }
    # Only once there is something to say: a line that never had a priority or a revised
    # date upserts neither.
    if s.jeopardy_changes:
        values[sa.JEOPARDY_PRIORITY.name] = (
            s.jeopardy_priority.value if s.jeopardy_priority else None
        )
    if s.requested_ship_date != line.requested_ship_date:
        values[sa.REQUESTED_SHIP_DATE.name] = _midnight(s.requested_ship_date)
    if s.supply:
        values[sa.SUPPLY_TYPE.name] = s.supply[0].type.value
        values[sa.SUPPLY_STATUS.name] = s.supply[-1].status.value
        values[sa.SUPPLY_DOCUMENTS.name] = [d.document_number for d in s.supply]
        suppliers = sorted({d.supplier for d in s.supply if d.supplier})
        if suppliers:
            values[sa.SUPPLIER.name] = suppliers[0]
    return values


def changed_search_attributes(line: LineInput, s: LineState) -> dict[str, Any]:
    """What differs from what the search attributes hold (each upsert is an event)."""
    values = search_attributes(line, s)
    return {k: v for k, v in values.items() if s.published.get(k) != v}


def upserts(changed: dict[str, Any]) -> list[Any]:
    return [
        SEARCH_ATTRIBUTES[name].value_unset()
        if value is None
        else SEARCH_ATTRIBUTES[name].value_set(value)
        for name, value in changed.items()
    ]


def waiting_for(line: LineInput, s: LineState) -> str | None:
    """What the line waits for, in the words of the Web UI and the line view."""
    q, status = s.ledger, s.status
    if status is LineStatus.MANUAL_ACTION_REQUIRED:
        return f"Manual action required: {s.manual_reason}. Fix the setup, then retry the line"
    if status in (LineStatus.CLOSED, LineStatus.CANCELED, LineStatus.SHIPPED):
        return None
    if status is LineStatus.AWAITING_BILLING:
        return "Creating the AR and AP invoices"
    awaiting = [d for d in s.supply if d.status is SupplyStatus.AWAITING_APPROVAL]
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
    return _waiting_for_supply(line, s)


def _waiting_for_supply(line: LineInput, s: LineState) -> str:
    q, documents = s.ledger, s.documents
    if len(documents) == 1 and documents[0].type is SupplyType.DROP_SHIP:
        doc = documents[0]
        return (
            f"Waiting for {doc.supplier} to ship {doc.document_number} line"
            f" {doc.document_line} to {line.customer_number}: {_q(q.shipped)} of"
            f" {_q(q.open)} shipped"
        )
    if len(documents) == 1:
        doc = documents[0]
        arrivals = "completions" if doc.type is SupplyType.MAKE else "receipts"
        source = f" from {doc.supplier}" if doc.supplier else ""
        return (
            f"Waiting for {arrivals} on {doc.document_number} line {doc.document_line}"
            f"{source}: {_q(q.received)} of {_q(q.open)} received"
        )
    brings = ", ".join(
        f"{d.document_number} {_q(s.arrived.get(d.document_number, ZERO))} of {_q(d.quantity)}"
        for d in documents
        if d.status is not SupplyStatus.CANCELED
    )
    return (
        f"Waiting for supply from {len(documents)} sources ({brings}): "
        f"{_q(q.received)} of {_q(q.open)} received"
    )


def details(line: LineInput, s: LineState) -> str:
    """The Web UI's current details: status, open quantity, what the line waits for."""
    text = f"**{s.status.value}** · {_q(s.ledger.open)} {line.item_number}"
    waiting = waiting_for(line, s)
    text = f"{text} · {waiting}" if waiting else text
    if s.holds:
        named = ", ".join(f"{h.hold_id} {h.hold_code} ({h.reason})" for h in s.holds)
        text += f" · on hold: {named}"
    if s.jeopardy and s.jeopardy_priority is not None:
        text += f" · in jeopardy ({s.jeopardy_priority.value}): {s.jeopardy_reason}"
    return text


def view(line: LineInput, s: LineState, workflow_id: str) -> LineView:
    """The line status of the contract, as the line's workflow knows it."""
    return LineView(
        order_number=line.order_number,
        line_number=line.line_number,
        item_number=line.item_number,
        customer_number=line.customer_number,
        organization=line.organization,
        unit_price=line.unit_price,
        cancel_reason=s.cancel_reason,
        jeopardy=s.jeopardy,
        jeopardy_priority=s.jeopardy_priority.value if s.jeopardy_priority else None,
        jeopardy_reason=s.jeopardy_reason if s.jeopardy else None,
        requested_ship_date=s.requested_ship_date,
        back_to_back=line.back_to_back,
        back_to_back_reason=line.back_to_back_reason,
        drop_ship=line.drop_ship,
        manual_action_reason=s.manual_reason,
        waiting_for=waiting_for(line, s),
        supply=list(s.supply),
        invoices=list(s.invoices),
        events=list(s.events),
        workflow_id=workflow_id,
        **ledger_fields(
            s.ledger,
            unit_price=line.unit_price,
            unit_discount=line.unit_discount,
            drop_ship=line.drop_ship,
        ),
    )


# ---------------------------------------------------------------------- kit lines


def kit_waiting_for(ledger: Ledger) -> str | None:
    if line_status(ledger) in (LineStatus.CLOSED, LineStatus.CANCELED):
        return None
    return "Waiting for its components to ship, together"


def kit_details(line: LineInput, ledger: Ledger, progress: str | None) -> str:
    status = line_status(ledger)
    text = f"Kit of {line.kit_components} component(s): {status.value}"
    return f"{text} · {progress}" if progress else text


def kit_view(
    line: LineInput,
    ledger: Ledger,
    *,
    events: list[LineEvent],
    invoices: list[dict[str, Any]],
    workflow_id: str,
) -> LineView:
    return LineView(
        order_number=line.order_number,
        line_number=line.line_number,
        item_number=line.item_number,
        customer_number=line.customer_number,
        organization=line.organization,
        unit_price=line.unit_price,
        cancel_reason=None,
        requested_ship_date=line.requested_ship_date,
        back_to_back=True,
        back_to_back_reason=line.back_to_back_reason,
        waiting_for=kit_waiting_for(ledger),
        invoices=list(invoices),
        events=list(events),
        workflow_id=workflow_id,
        **ledger_fields(
            ledger, unit_price=line.unit_price, unit_discount=line.unit_discount, drop_ship=False
        ),
    )


@overload
def _midnight(day: date) -> datetime: ...
@overload
def _midnight(day: None) -> None: ...
def _midnight(day: date | None) -> datetime | None:
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)
