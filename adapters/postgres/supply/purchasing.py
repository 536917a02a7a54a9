"""The documents of a purchased line's supply, each written inside its caller's
transaction: the supply order, its requisition, the purchase order from the blanket
agreement, pegged to the line."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from adapters.postgres.common import Connection, lock_line
from adapters.postgres.line.ledger import ledger_of
from adapters.postgres.outbox.events import append_event
from adapters.postgres.supply.pegs import peg_to_line, quantity_to_supply
from domain.models import (
    LineInput,
    PurchaseOrderResult,
    RequisitionResult,
    SourcingDecision,
    SupplyOrderResult,
    json_money,
    json_quantity,
)
from domain.statuses import (
    DocumentType,
    EventType,
    PurchaseOrderStatus,
    SupplyStatus,
    SupplyType,
)


def _po_result(po: Any, line: Any, sales_line: Any) -> PurchaseOrderResult:
    return PurchaseOrderResult(
        po_number=po["po_number"],
        po_line=line["po_line"],
        status=po["status"],
        supplier=po["supplier"],
        quantity=line["quantity"] - line["canceled_quantity"],
        unit_price=line["unit_price"],
        need_by_date=line["need_by_date"],
        ledger=ledger_of(sales_line),
        drop_ship=po["ship_to_customer"] is not None,
    )


async def supply_order_in(
    conn: Connection, *, key: str, line: LineInput, decision: SourcingDecision
) -> SupplyOrderResult:
    existing = await conn.fetchval(
        "SELECT supply_order_number FROM supply_orders WHERE idempotency_key = $1", key
    )
    if existing:
        return SupplyOrderResult(supply_order_number=existing)
    row = await lock_line(conn, line.order_number, line.line_number)
    number = await conn.fetchval(
        "INSERT INTO supply_orders (supply_order_number, idempotency_key, order_number,"
        " line_number, supply_type, item, organization, quantity, status)"
        " VALUES (document_number($1), $2, $3, $4, $5, $6, $7, $8, $9)"
        " RETURNING supply_order_number",
        "SUP",
        key,
        line.order_number,
        line.line_number,
        decision.supply_type,
        line.item_number,
        line.organization,
        quantity_to_supply(row, decision.quantity),
        SupplyStatus.IN_PURCHASING,
    )
    await append_event(
        conn,
        key=f"{key}:event",
        type=EventType.SUPPLY_ORDER_CREATED,
        order_number=line.order_number,
        line_number=line.line_number,
        data={
            "supply_order_number": number,
            "supply_type": decision.supply_type,
            "supplier": decision.supplier,
        },
    )
    return SupplyOrderResult(supply_order_number=number)


async def requisition_in(
    conn: Connection,
    *,
    key: str,
    supply_order_number: str,
    line: LineInput,
    decision: SourcingDecision,
) -> RequisitionResult:
    existing = await conn.fetchval(
        "SELECT requisition_number FROM requisitions WHERE idempotency_key = $1", key
    )
    if existing:
        return RequisitionResult(requisition_number=existing)
    # The requisition is for its supply order's quantity.
    number = await conn.fetchval(
        "INSERT INTO requisitions (requisition_number, idempotency_key,"
        " supply_order_number, item, organization, supplier, quantity)"
        " SELECT document_number($1), $2, $3, $4, $5, $6, s.quantity FROM supply_orders s"
        " WHERE s.supply_order_number = $3 RETURNING requisition_number",
        "REQ",
        key,
        supply_order_number,
        line.item_number,
        line.organization,
        decision.supplier,
    )
    await append_event(
        conn,
        key=f"{key}:event",
        type=EventType.REQUISITION_CREATED,
        order_number=line.order_number,
        line_number=line.line_number,
        data={"requisition_number": number, "supply_order_number": supply_order_number},
    )
    return RequisitionResult(requisition_number=number)


async def purchase_order_in(
    conn: Connection,
    *,
    key: str,
    line: LineInput,
    decision: SourcingDecision,
    supply_order_number: str,
    requisition_number: str,
    workflow_id: str,
    today: date,
) -> PurchaseOrderResult | None:
    """Create the PO from the blanket agreement for the line's open quantity and peg
    it; a DROP_SHIP one ships to the line's customer. Returns None when the line was
    canceled before the PO could be made."""
    row = await lock_line(conn, line.order_number, line.line_number)
    existing = await conn.fetchrow("SELECT * FROM purchase_orders WHERE idempotency_key = $1", key)
    if existing:
        po_line = await conn.fetchrow(
            "SELECT * FROM purchase_order_lines WHERE po_number = $1 AND po_line = 1",
            existing["po_number"],
        )
        return _po_result(existing, po_line, row)
    open_quantity = quantity_to_supply(row, decision.quantity)
    if open_quantity <= 0:
        return None
    status = (
        PurchaseOrderStatus.OPEN
        if decision.automatic_submission
        else PurchaseOrderStatus.AWAITING_APPROVAL
    )
    need_by = today + timedelta(days=decision.lead_time_days)
    po = await conn.fetchrow(
        "INSERT INTO purchase_orders (po_number, idempotency_key, supplier, agreement,"
        " organization, currency, status, approved_at, approved_by, ship_to_customer)"
        " VALUES (document_number($1), $2, $3, $4, $5, $6, $7,"
        " CASE WHEN $7 = 'OPEN' THEN now() END, CASE WHEN $7 = 'OPEN' THEN 'auto' END, $8)"
        " RETURNING *",
        "PO",
        key,
        decision.supplier,
        decision.agreement,
        line.organization,
        line.currency,
        status,
        line.customer_number if decision.supply_type is SupplyType.DROP_SHIP else None,
    )
    number = po["po_number"]
    po_line = await conn.fetchrow(
        "INSERT INTO purchase_order_lines (po_number, po_line, requisition_number, item,"
        " quantity, unit_price, need_by_date, status)"
        " VALUES ($1, 1, $2, $3, $4, $5, $6, 'OPEN') RETURNING *",
        number,
        requisition_number,
        line.item_number,
        open_quantity,
        decision.unit_price,
        need_by,
    )
    supply_status = (
        SupplyStatus.AWAITING_RECEIPT
        if status == PurchaseOrderStatus.OPEN
        else SupplyStatus.AWAITING_APPROVAL
    )
    row = await peg_to_line(
        conn,
        locked=row,
        document_type=DocumentType.PURCHASE_ORDER,
        document_number=number,
        supply_order_number=supply_order_number,
        workflow_id=workflow_id,
        supply_status=supply_status,
    )
    await append_event(
        conn,
        key=f"{key}:event",
        type=EventType.PURCHASE_ORDER_CREATED,
        order_number=line.order_number,
        line_number=line.line_number,
        data={
            "po_number": number,
            "po_line": 1,
            "supplier": decision.supplier,
            "quantity": json_quantity(open_quantity),
            "unit_price": json_money(decision.unit_price or Decimal(0)),
            "status": status,
            "need_by_date": need_by.isoformat(),
            "ship_to_customer": po["ship_to_customer"],
        },
    )
    return _po_result(po, po_line, row)
