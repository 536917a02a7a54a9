"""How a line is billed: an AR invoice per shipment while it ships in parts, then billing
and closing in one step (`bill_and_close`, one transaction: AR for what is not invoiced, an
AP invoice per purchase order, the supply documents closed), waiting while a hold blocks
billing; then the CLOSED phase. Steps of `FulfillmentLineWorkflowV3`."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.billing import BillingActivities
    from activities.lines import LineActivities
    from activities.payloads import CloseStep, LineStatusChange, LineStep, PurchaseOrderRef
    from activities.shipping import ShippingActivities
    from domain.models import InvoiceResult, json_money
    from domain.statuses import EventType, LineStatus, SupplyStatus
    from workflows import line_publish, steps
    from workflows.line_cycle import Cycle
    from workflows.line_state import LineState


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
        LineStatusChange(
            key=steps.key("closed"),
            order_number=line.order_number,
            line_number=line.line_number,
            status=LineStatus.CLOSED,
            event=EventType.LINE_CLOSED,
        ),
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
