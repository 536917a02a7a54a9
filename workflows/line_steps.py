"""The steps of a line's cycle (`FulfillmentLineWorkflowV3`, `line.py`), as typed functions
of the cycle that runs them (`Cycle`) and the line's state:

- sourcing: the sourcing rules and every document they ask for in one step (`source_line`,
  one transaction), recorded on the line; a setup that cannot supply the line parks it for
  a person, who fixes it and retries (or, for a supplier's shortfall, cancels its quantity);
- cancels: what a cancel reaches (the documents reduced by the parameter Cancel Supply When
  Canceling Backorders, reservations beyond the open quantity released); PostgreSQL recorded
  the cancel when it was asked, and the line shows it once what it compensates is done;
- billing: an AR invoice per shipment while the line ships in parts, then billing and closing
  in one step (`bill_and_close`: AR for what is not invoiced, an AP invoice per purchase
  order, the supply documents closed), waiting while a hold blocks billing; then CLOSED.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.billing import BillingActivities
    from activities.inventory import InventoryActivities
    from activities.lines import LineActivities
    from activities.manufacturing import ManufacturingActivities
    from activities.outcomes import SourcedPart, SourcingOutcome
    from activities.payloads import (
        CloseStep,
        LineRef,
        LineStep,
        PurchaseOrderRef,
        SourceStep,
    )
    from activities.procurement import ProcurementActivities
    from activities.shipping import ShippingActivities
    from activities.transfers import TransferActivities
    from domain.models import CancelSignal, InvoiceResult, LineInput, json_money
    from domain.models import json_quantity as _q
    from domain.statuses import EventType, LineStatus, SupplyStatus, SupplyType
    from workflows import line_publish, steps
    from workflows.line_state import LineState

T = TypeVar("T")


class Cycle(Protocol):
    """What the steps use of the cycle that runs them."""

    # While the jeopardy watch records a change, the line does not continue as new.
    recording_jeopardy: bool

    @property
    def line(self) -> LineInput: ...

    def event(self, type_: EventType, detail: str) -> None:
        """Add to the line's narrative, at the workflow's time."""

    def publish(self) -> None:
        """Bring the Web UI's search attributes and details in step with the state."""

    def ref(self, step: str) -> LineRef:
        """The line and the idempotency key of `step`."""

    async def activity(
        self, method: Callable[[Any, Any], Awaitable[T]], arg: Any, *, summary: str
    ) -> T:
        """A step as an activity task, the line published first."""

    async def manual_action(
        self, reason: str, *, attempt: str, settled: Callable[[], bool] | None = None
    ) -> bool:
        """Park the line for a person: True once retried, False once `settled` holds."""

    async def wait_until_canceled(self, why: str) -> None:
        """Wait for the cancel on its way, which unwinds the line."""


# ------------------------------------------------------------------ sourcing

CANCELED_FIRST = {
    SupplyType.BUY: "Canceled before the purchase order was made",
    SupplyType.DROP_SHIP: "Canceled before the purchase order was made",
    SupplyType.MAKE: "Canceled before the work order was made",
    SupplyType.TRANSFER: "Canceled before the transfer order was made",
}


async def source(cycle: Cycle, s: LineState, quantity: Decimal) -> None:
    """Apply the sourcing rules to `quantity` and peg one document per source; what a
    failed attempt made stays, and the next one sources the rest."""
    round_ = s.sourcing_rounds
    s.sourcing_rounds += 1
    attempt = 0
    while True:
        outcome = await _source_once(cycle, s, quantity, f"{round_}-{attempt}")
        made = [not part.short for part in outcome.parts]
        if made and all(made):
            if outcome.resourced:
                _resourced(cycle, outcome.shortfalls, outcome.parts)
            return
        retried = await cycle.manual_action(
            why_not_sourced(outcome, made),
            attempt=f"{round_}-{attempt}",
            # A shortfall no source takes: a person retries, or cancels its quantity.
            settled=(lambda: s.progress(cycle.line).need <= 0) if outcome.shortfalls else None,
        )
        if not retried:
            await _cancel_shortfalls(cycle, s, f"{round_}-{attempt}")
            return
        attempt += 1
        if any(made) or outcome.shortfalls:  # what was made stays; source the rest
            quantity = s.progress(cycle.line).need
            if quantity <= 0:
                return


async def _source_once(
    cycle: Cycle, s: LineState, quantity: Decimal, attempt: str
) -> SourcingOutcome:
    """One `source_line` step, its documents recorded on the line."""
    line = cycle.line
    outcome = await steps.local(
        LineActivities.source_line,
        SourceStep(
            key=steps.key(f"source-{attempt}"),
            line=line.model_copy(update={"quantity": quantity}),
            workflow_id=workflow.info().workflow_id,
            today=workflow.now().date(),
        ),
        summary=f"Source {_q(quantity)} {line.item_number}",
    )
    if outcome.jeopardy_terms is not None:
        s.jeopardy_terms = outcome.jeopardy_terms
    for reason in outcome.decision.explanation:
        cycle.event(EventType.LINE_SCHEDULED, reason)
    s.adopt(outcome.ledger)
    for part in outcome.parts:
        if part.canceled_first:  # the cancel's signal is on its way
            await cycle.wait_until_canceled(CANCELED_FIRST[part.supply_type])
        _record_part(cycle, s, part)
    return outcome


def why_not_sourced(outcome: SourcingOutcome, made: list[bool]) -> str:
    decision = outcome.decision
    reason = decision.manual_action_reason or "no supply source"
    if made:
        reason = (
            f"the free stock at {decision.source_organization} was taken before the"
            " transfer could ship; retry to source the line again"
        )
        if outcome.shortfalls:
            reason = f"{'; '.join(outcome.shortfalls)}; {reason}"
    return reason


async def _cancel_shortfalls(cycle: Cycle, s: LineState, attempt: str) -> None:
    """The shortfall's quantity was canceled: the line leaves manual action and waits for
    the supply it still has."""
    s.manual_reason = None
    ledger = await steps.local(
        LineActivities.cancel_shortfalls,
        cycle.ref(f"shortfalls-canceled-{attempt}"),
        summary="Settle the canceled shortfall",
    )
    s.adopt(ledger)
    cycle.event(EventType.SHORTFALL_CANCELED, "the shortfall's quantity was canceled")


def _resourced(cycle: Cycle, shortfalls: list[str], parts: list[SourcedPart]) -> None:
    made = ", ".join(
        f"{number} ({part.supply_type})" for part in parts if (number := part.document_number)
    )
    cycle.event(EventType.LINE_RESOURCED, f"{'; '.join(shortfalls)}: re-sourced on {made}")


def _record_part(cycle: Cycle, s: LineState, part: SourcedPart) -> None:
    """The documents of one source, in the line's narrative and supply."""
    line, number = cycle.line, part.supply_order_number
    if (po := part.purchase_order) is not None:
        cycle.event(EventType.SUPPLY_ORDER_CREATED, number or "")
        cycle.event(EventType.REQUISITION_CREATED, part.requisition_number or "")
        s.add_purchase_order(
            line, po, supply_order_number=number, requisition_number=part.requisition_number
        )
        to = f", shipped by {po.supplier} to {line.customer_number}" if po.drop_ship else ""
        cycle.event(
            EventType.PURCHASE_ORDER_CREATED,
            f"{po.po_number} line {po.po_line}: {_q(po.quantity)} at "
            f"{json_money(po.unit_price)} from {po.supplier}, {po.status}{to}",
        )
    elif (wo := part.work_order) is not None:
        cycle.event(EventType.SUPPLY_ORDER_CREATED, number or "")
        s.add_work_order(wo, supply_order_number=number)
        cycle.event(
            EventType.WORK_ORDER_CREATED,
            f"{wo.work_order_number}: make {_q(wo.quantity)} at "
            f"{wo.organization} by {wo.need_by_date}",
        )
    elif (to_ := part.transfer_order) is not None:
        cycle.event(EventType.SUPPLY_ORDER_CREATED, number or "")
        s.add_transfer_order(to_, supply_order_number=number)
        cycle.event(
            EventType.TRANSFER_ORDER_CREATED,
            f"{to_.transfer_order_number}: {_q(to_.quantity)} shipped from "
            f"{to_.from_organization} at {json_money(to_.transfer_price)} each, "
            f"due {to_.expected_arrival}",
        )


# ------------------------------------------------------------------ cancels

# Reduce steps per kind of pegged document (BUY and DROP_SHIP are both purchase orders).
REDUCE: dict[SupplyType, tuple[Any, EventType]] = {
    SupplyType.BUY: (ProcurementActivities.reduce_supply, EventType.PURCHASE_ORDER_CHANGED),
    SupplyType.DROP_SHIP: (ProcurementActivities.reduce_supply, EventType.PURCHASE_ORDER_CHANGED),
    SupplyType.MAKE: (ManufacturingActivities.reduce_work_order, EventType.WORK_ORDER_CHANGED),
    SupplyType.TRANSFER: (
        TransferActivities.reduce_transfer_order,
        EventType.TRANSFER_ORDER_CHANGED,
    ),
}


def cancel_event(cancel: CancelSignal) -> EventType:
    if cancel.backorder:
        return EventType.BACKORDER_CANCELED
    return EventType.LINE_CANCELED if cancel.full else EventType.LINE_QUANTITY_REDUCED


async def compensate(cycle: Cycle, s: LineState) -> None:
    """Each cancel queued, in the order they came."""
    while s.cancels:
        cancel = s.cancels.pop(0)
        s.cancel_reason = cancel.reason
        cycle.event(cancel_event(cancel), f"{_q(cancel.quantity)} canceled: {cancel.reason}")
        key = f"cancel-{cancel.request_id}"
        if cancel.reduce_supply:
            await _reduce_supply(cycle, s, key)
        elif s.documents:
            kept = ", ".join(d.document_number for d in s.documents)
            cycle.event(
                EventType.SUPPLY_KEPT_FOR_REVIEW,
                f"Cancel Supply When Canceling Backorders is off: {kept} kept as they are"
                " and listed for review",
            )
        released = await cycle.activity(
            InventoryActivities.release_line_excess,
            cycle.ref(f"{key}:release"),
            summary="Release reservations beyond the open quantity",
        )
        s.adopt(released.ledger)
        s.adopt(cancel.ledger)
        if released.quantity > 0:
            cycle.event(
                EventType.RESERVATION_RELEASED, f"{_q(released.quantity)} released to stock"
            )


async def _reduce_supply(cycle: Cycle, s: LineState, key: str) -> None:
    """Bring every pegged document down to what the line still needs: one step per kind of
    document."""
    kinds: dict[tuple[Any, EventType], SupplyType] = {}
    for document in s.documents:
        kinds.setdefault(REDUCE[document.type], document.type)
    for (reduce, event), type_ in kinds.items():
        changes = await cycle.activity(
            reduce, cycle.ref(f"{key}:reduce-supply"), summary=f"Reduce {type_} supply"
        )
        for change in changes:
            cycle.event(
                event,
                f"{change.document_number}: {_q(change.remaining_quantity)} left, "
                f"{change.document_status}",
            )
            for supply in s.supply:
                if supply.document_number == change.document_number:
                    supply.quantity = change.remaining_quantity
                    if change.document_status == "CANCELED":
                        supply.status = SupplyStatus.CANCELED


# ------------------------------------------------------------------ billing


async def bill_shipment(cycle: Cycle, s: LineState) -> None:
    """An AR invoice for what shipped and is not invoiced yet, at the booked net price
    (keyed by the quantity shipped so far: one per ship confirm)."""
    line = cycle.line
    ar = await cycle.activity(
        BillingActivities.create_ar_invoice,
        LineStep(key=steps.key(f"ar-invoice-{s.ledger.shipped}"), line=line),
        summary=f"AR invoice to {line.customer_number}",
    )
    s.adopt(ar.ledger)
    if ar.invoice_number:  # else billed already
        _record_ar_invoice(cycle, s, ar)


async def bill_and_close(cycle: Cycle, s: LineState) -> None:
    line = cycle.line
    step = CloseStep(
        key=steps.key("close"),
        line=line,
        purchase_orders=[
            PurchaseOrderRef(po_number=po.document_number, po_line=po.document_line)
            for po in s.purchase_orders_to_bill()
        ],
        supply_types=list(dict.fromkeys(d.type for d in s.documents)),
    )
    while True:
        closed = await steps.local(
            LineActivities.bill_and_close, step, summary="Bill and close the line"
        )
        if closed.held is None:
            break
        await _wait_for_billing_release(cycle, s, closed.held)
    s.adopt(closed.ledger)
    if closed.ar_invoice is not None:
        _record_ar_invoice(cycle, s, closed.ar_invoice)
    for ap in closed.ap_invoices:
        s.add_ap_invoice(ap)
        detail = f"{ap.invoice_number} for {json_money(ap.amount)}, {ap.status}"
        if ap.hold_reason:
            detail += f": {ap.hold_reason}"
        cycle.event(EventType.AP_INVOICE_CREATED, detail)
    if s.supply:  # the documents are done, or the stock reservation shipped
        s.set_supply_status(SupplyStatus.CLOSED)
    ledger = await steps.local(
        ShippingActivities.enter_line_phase,
        steps.phase(line, LineStatus.CLOSED, "closed", EventType.LINE_CLOSED),
        summary="Close the line",
    )
    s.adopt(ledger)
    cycle.event(EventType.LINE_CLOSED, "shipped, invoiced and closed")


def _record_ar_invoice(cycle: Cycle, s: LineState, ar: InvoiceResult) -> None:
    s.invoices.append(ar.customer_entry())
    cycle.event(EventType.AR_INVOICE_CREATED, f"{ar.invoice_number} for {json_money(ar.amount)}")


async def _wait_for_billing_release(cycle: Cycle, s: LineState, held: str) -> None:
    """A hold blocks billing (nothing was billed): look again when holds change."""
    changes = s.holds_changes
    workflow.set_current_details(f"{line_publish.details(cycle.line, s)} · billing waits: {held}")
    await workflow.wait_condition(lambda: s.holds_changes != changes)
