"""Billing: AR invoices to customers and AP invoices from suppliers."""

from __future__ import annotations

from decimal import Decimal

import asyncpg

from adapters.postgres.common import Connection, lock_line
from adapters.postgres.line import ledger as line_ledger
from adapters.postgres.outbox.events import append_event
from domain.invoicing import match_ap_invoice
from domain.line import Invoice
from domain.models import InvoiceResult, LineInput, json_money, json_quantity
from domain.pricing import line_amount
from domain.statuses import ApInvoiceStatus, EventType


async def ar_invoice_in(conn: Connection, *, key: str, line: LineInput) -> InvoiceResult:
    """Bill the customer for what shipped and is not invoiced yet, at the booked net
    price."""
    existing = await conn.fetchrow(
        "SELECT invoice_number, amount FROM ar_invoices WHERE idempotency_key = $1", key
    )
    row = await lock_line(conn, line.order_number, line.line_number)
    if existing:
        return InvoiceResult(
            invoice_number=existing["invoice_number"],
            amount=existing["amount"],
            ledger=line_ledger.ledger_of(row),
        )
    quantity = row["shipped_quantity"] - row["invoiced_quantity"]
    if quantity <= 0:  # an earlier invoice billed it: nothing to make
        return InvoiceResult(
            invoice_number="", amount=Decimal(0), ledger=line_ledger.ledger_of(row)
        )
    invoiced = await line_ledger.record(conn, row, Invoice(quantity))
    amount = line_amount(quantity, row["unit_price"], row["unit_discount"])
    number = await conn.fetchval(
        "INSERT INTO ar_invoices (invoice_number, idempotency_key, customer_number,"
        " order_number, line_number, item, quantity, unit_price, amount, currency)"
        " VALUES (document_number($1), $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        " RETURNING invoice_number",
        "AR",
        key,
        line.customer_number,
        line.order_number,
        line.line_number,
        line.item_number,
        quantity,
        row["unit_price"] - row["unit_discount"],
        amount,
        line.currency,
    )
    await append_event(
        conn,
        key=f"{key}:event",
        type=EventType.AR_INVOICE_CREATED,
        order_number=line.order_number,
        line_number=line.line_number,
        data={
            "invoice_number": number,
            "customer_number": line.customer_number,
            "quantity": json_quantity(quantity),
            "amount": json_money(amount),
        },
    )
    return InvoiceResult(
        invoice_number=number, amount=amount, ledger=line_ledger.ledger_of(invoiced)
    )


async def ap_invoice_in(
    conn: Connection, *, key: str, order_number: str, line_number: int, po_number: str, po_line: int
) -> InvoiceResult:
    """The supplier bills what it delivered at its agreement's current price; the
    invoice is matched to the PO line and its receipts and held on any mismatch."""
    existing = await conn.fetchrow(
        "SELECT invoice_number, amount, status, hold_reason FROM ap_invoices"
        " WHERE idempotency_key = $1",
        key,
    )
    if existing:
        return InvoiceResult(
            invoice_number=existing["invoice_number"],
            amount=existing["amount"],
            status=existing["status"],
            hold_reason=existing["hold_reason"],
        )
    # The PO line; what arrived on it: its receipts, or for a drop-ship PO what its
    # supplier's notices shipped; and its agreement's price now.
    po = await conn.fetchrow(
        "SELECT p.supplier, l.quantity, l.canceled_quantity, l.received_quantity,"
        " l.over_received_quantity, l.unit_price,"
        " (SELECT coalesce(sum(quantity), 0) FROM (SELECT quantity FROM receipts"
        "   WHERE document_number = $1 AND document_line = $2 UNION ALL"
        "   SELECT quantity FROM ship_notices WHERE po_number = $1 AND po_line = $2) a"
        " ) AS arrived,"
        " (SELECT unit_price FROM blanket_agreements WHERE number = p.agreement) AS price_now"
        " FROM purchase_orders p JOIN purchase_order_lines l USING (po_number)"
        " WHERE p.po_number = $1 AND l.po_line = $2",
        po_number,
        po_line,
    )
    received = po["arrived"]
    price = po["price_now"] or po["unit_price"]
    # What arrived beyond the PO line within its over-receipt tolerance was accepted (it is
    # on free on-hand): it is billed, and counts as ordered for the match.
    over = po["over_received_quantity"]
    billed = po["received_quantity"] + over
    match = match_ap_invoice(
        invoice_quantity=billed,
        invoice_unit_price=price,
        ordered_quantity=po["quantity"] - po["canceled_quantity"] + over,
        po_unit_price=po["unit_price"],
        received_quantity=Decimal(received),
    )
    amount = (billed * price).quantize(Decimal("0.01"))
    number = await conn.fetchval(
        "INSERT INTO ap_invoices (invoice_number, idempotency_key, supplier, po_number,"
        " po_line, quantity, unit_price, amount, status, hold_reason)"
        " VALUES (document_number($1), $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        " RETURNING invoice_number",
        "AP",
        key,
        po["supplier"],
        po_number,
        po_line,
        billed,
        price,
        amount,
        match.status,
        match.hold_reason,
    )
    data = {
        "invoice_number": number,
        "supplier": po["supplier"],
        "po_number": po_number,
        "quantity": json_quantity(billed),
        "amount": json_money(amount),
        "status": match.status,
        "hold_reason": match.hold_reason,
    }
    await append_event(
        conn,
        key=f"{key}:event",
        type=EventType.AP_INVOICE_CREATED,
        order_number=order_number,
        line_number=line_number,
        data=data,
    )
    if match.status == ApInvoiceStatus.ON_HOLD:
        await append_event(
            conn,
            key=f"{key}:hold",
            type=EventType.AP_INVOICE_ON_HOLD,
            order_number=order_number,
            line_number=line_number,
            data=data,
        )
    return InvoiceResult(
        invoice_number=number,
        amount=amount,
        status=match.status,
        hold_reason=match.hold_reason,
    )


class Billing:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create_ar_invoice(self, *, key: str, line: LineInput) -> InvoiceResult:
        """Bill the customer for what shipped and is not invoiced yet, at the booked net
        price."""
        async with self._pool.acquire() as conn, conn.transaction():
            return await ar_invoice_in(conn, key=key, line=line)

    async def create_ap_invoice(
        self, *, key: str, order_number: str, line_number: int, po_number: str, po_line: int
    ) -> InvoiceResult:
        """The supplier bills what it delivered at its agreement's current price; the
        invoice is matched to the PO line and its receipts and held on any mismatch."""
        async with self._pool.acquire() as conn, conn.transaction():
            return await ap_invoice_in(
                conn,
                key=key,
                order_number=order_number,
                line_number=line_number,
                po_number=po_number,
                po_line=po_line,
            )
