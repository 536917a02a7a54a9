"""Receipts as stored, and what a PO line receives beyond its open quantity within its
agreement's over-receipt tolerance (`domain/receiving.py` splits them): recorded with the
receipt and on the PO line, and put on free on-hand, where it serves the lines waiting for
stock like any stock that arrives."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from adapters.postgres.common import Connection
from adapters.postgres.line.ledger import ledger_of, line_ids, public_ids
from adapters.postgres.outbox.events import append_event
from adapters.postgres.receiving.free_stock import allocate_waiting
from domain.models import json_quantity
from domain.statuses import EventType


async def record_receipt(
    conn: Connection,
    *,
    scan_id: str,
    peg: Any,
    line: Any,
    organization: str,
    quantity: Decimal,
    over: Decimal,
    unit_price: Decimal | None,
) -> str:
    """One receipt per scan and its RECEIPT_RECORDED: all that arrived (`quantity`), `over`
    of it beyond its PO line; answers the receipt number."""
    receipt_number = await conn.fetchval(
        "INSERT INTO receipts (receipt_number, scan_id, document_type, document_number,"
        " document_line, item, organization, quantity, unit_price, order_number, line_number,"
        " over_quantity) VALUES (document_number($1), $2, $3, $4, $5, $6, $7, $8, $9, $10,"
        " $11, $12) RETURNING receipt_number",
        "RCV",
        scan_id,
        peg["document_type"],
        peg["document_number"],
        peg["document_line"],
        line["item_number"],
        organization,
        quantity,
        unit_price,
        line["order_number"],
        line["line_number"],
        over,
    )
    await append_event(
        conn,
        key=f"scan-{scan_id}:receipt",
        type=EventType.RECEIPT_RECORDED,
        **line_ids(line),
        data={
            "receipt_number": receipt_number,
            "document_type": peg["document_type"],
            "document_number": peg["document_number"],
            "document_line": peg["document_line"],
            "quantity": json_quantity(quantity),
            **({"over_receipt_quantity": json_quantity(over)} if over else {}),
        },
    )
    return receipt_number


def receipt_answer(line: Any, receipt_number: str, over: Decimal) -> dict[str, Any]:
    """A receipt scan's answer, from the pegged line's row after it."""
    ledger = ledger_of(line)
    return {
        "accepted": True,
        **public_ids(line),
        "line_status": line["status"],
        "receipt_number": receipt_number,
        "received_quantity": json_quantity(ledger.received),
        "reserved_quantity": json_quantity(ledger.reserved),
        "open_quantity": json_quantity(ledger.open),
        **({"over_receipt_quantity": json_quantity(over)} if over else {}),
    }


async def receive_over_only(
    conn: Connection,
    *,
    scan_id: str,
    peg: Any,
    line: Any,
    organization: str,
    unit_price: Decimal | None,
    over: Decimal,
) -> tuple[dict[str, Any], list[int]]:
    """A receipt on a PO line already received in full, within its tolerance: recorded,
    nothing for the pegged line (its ledger and workflow are left as they are)."""
    receipt_number = await record_receipt(
        conn,
        scan_id=scan_id,
        peg=peg,
        line=line,
        organization=organization,
        quantity=over,
        over=over,
        unit_price=unit_price,
    )
    return receipt_answer(line, receipt_number, over), []


async def put_on_free_hand(
    conn: Connection,
    *,
    item: str,
    organization: str,
    quantity: Decimal,
    waiting: list[Any],
    cause: str,
) -> list[int]:
    """Add `quantity` to the free on-hand of the item and serve the lines waiting for it
    (`waiting`, locked by the caller before the on-hand row), oldest booking first; returns
    the outbox ids of the signals owed to them."""
    await conn.execute(
        "INSERT INTO on_hand (item, organization, quantity, reserved) VALUES ($1, $2, $3, 0)"
        " ON CONFLICT (item, organization) DO UPDATE SET quantity = on_hand.quantity + $3",
        item,
        organization,
        quantity,
    )
    return await allocate_waiting(
        conn, item=item, organization=organization, waiting=waiting, cause=cause
    )
