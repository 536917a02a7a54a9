"""Inventory: receiving against pegged supply, on-hand and reservations."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import asyncpg

from adapters.errors import Refusal
from adapters.postgres.common import Connection, ScanOutcome, lock_line, lock_scanned_line, run_scan
from adapters.postgres.line import ledger as line_ledger
from adapters.postgres.line.ledger import ledger_of, line_ids
from adapters.postgres.outbox.events import append_event
from adapters.postgres.outbox.tell import tell
from adapters.postgres.receiving.free_stock import (
    lock_waiting_lines,
    record_stock_reservation,
    release_excess,
    take_free_stock,
)
from adapters.postgres.receiving.over_receipts import (
    put_on_free_hand,
    receipt_answer,
    receive_over_only,
    record_receipt,
)
from adapters.postgres.setup.input_checks import refuse_imprecise_for_line
from domain.line import Arrive, Refused
from domain.models import (
    LineInput,
    ReceiptScanIn,
    ReceiptSignal,
    ReservationReleased,
    StockReservation,
    json_quantity,
)
from domain.receiving import ReceiptSplit, split_receipt
from domain.signals import RECEIPT_RECORDED
from domain.statuses import (
    DocumentType,
    EventType,
    LineStatus,
    PurchaseOrderStatus,
    SupplyStatus,
)


async def add_reserved_stock(
    conn: Connection, *, item: str, organization: str, quantity: Decimal
) -> None:
    """Goods received for a pegged line enter on-hand already reserved to it, in one
    statement, so no other demand can take them in between."""
    await conn.execute(
        "INSERT INTO on_hand (item, organization, quantity, reserved) VALUES ($1, $2, $3, $3)"
        " ON CONFLICT (item, organization) DO UPDATE SET"
        " quantity = on_hand.quantity + $3, reserved = on_hand.reserved + $3",
        item,
        organization,
        quantity,
    )


async def find_peg(
    conn: Connection, document_type: DocumentType, number: str, line: int, *, unknown: str
) -> Any:
    """The line a scanned supply document is pegged to, or a 422 naming the document."""
    peg = await conn.fetchrow(
        "SELECT * FROM pegs WHERE document_type = $1 AND document_number = $2"
        " AND document_line = $3",
        document_type,
        number,
        line,
    )
    if peg is None:
        raise Refusal(422, unknown)
    return peg


def refuse_if_canceled(line: Any) -> None:
    if (
        line["status"] == LineStatus.CANCELED
        or line["ordered_quantity"] <= line["canceled_quantity"]
    ):
        raise Refusal(
            409, f"line {line['line_number']} of order {line['order_number']} is canceled"
        )


async def reserve_to_line(
    conn: Connection,
    *,
    scan_id: str,
    peg: Any,
    line: Any,
    organization: str,
    quantity: Decimal,
    unit_price: Decimal | None,
    document_open: Decimal,
    document_label: str,
    over: Decimal = Decimal(0),
) -> tuple[dict[str, Any], list[int]]:
    """Goods arrived on a pegged supply document (a PO receipt, a work order completion):
    record the receipt, put the goods on hand reserved to the line, and owe the line its
    signal. Called under the line's row lock; the caller updates its own document, and puts
    `over` (what came beyond the document, recorded with the receipt) on free on-hand."""
    before = line
    line = await line_ledger.record(
        conn, line, Arrive(quantity=quantity, document=document_label, document_open=document_open)
    )
    reserved = line["reserved_quantity"]
    status = line["status"]
    receipt_number = await record_receipt(
        conn,
        scan_id=scan_id,
        peg=peg,
        line=line,
        organization=organization,
        quantity=quantity + over,
        over=over,
        unit_price=unit_price,
    )
    await conn.execute(
        "INSERT INTO reservations (idempotency_key, item, organization, order_number,"
        " line_number, quantity, source_document) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        f"receipt:{scan_id}",
        line["item_number"],
        organization,
        line["order_number"],
        line["line_number"],
        quantity,
        receipt_number,
    )
    if quantity >= document_open:
        await conn.execute(
            "UPDATE supply_orders SET status = $2 WHERE supply_order_number = $1",
            peg["supply_order_number"],
            SupplyStatus.RECEIVED,
        )
    outbox = [
        await tell(
            conn,
            peg,
            key=f"scan-{scan_id}:reserved",
            event=EventType.SUPPLY_RESERVED,
            data={
                "quantity": json_quantity(quantity),
                "reserved_quantity": json_quantity(reserved),
                "source": receipt_number,
            },
            signal=RECEIPT_RECORDED,
            payload=ReceiptSignal(
                scan_id=scan_id,
                document_type=peg["document_type"],
                document_number=peg["document_number"],
                document_line=peg["document_line"],
                quantity=quantity,
                reserved_quantity=quantity,
                receipt_number=receipt_number,
                ledger=ledger_of(line),
            ),
        )
    ]
    if status == LineStatus.AWAITING_SHIPPING and before["status"] != status:
        await append_event(
            conn,
            key=f"scan-{scan_id}:ready",
            type=EventType.LINE_AWAITING_SHIPPING,
            **line_ids(line),
            data={"reserved_quantity": json_quantity(reserved)},
        )
    # Last: every line of the item shares its on-hand row, held from here to the commit.
    await add_reserved_stock(
        conn, item=line["item_number"], organization=organization, quantity=quantity
    )
    return receipt_answer(line, receipt_number, over), outbox


async def po_line_to_receive(conn: Connection, scan: ReceiptScanIn, line: Any) -> tuple[Any, Any]:
    """The PO (with its agreement's over-receipt tolerance) and its line, locked, or the
    reason they cannot be received now."""
    po = await conn.fetchrow(
        "SELECT p.*, coalesce(a.over_receipt_tolerance_pct, 0) AS tolerance_pct"
        " FROM purchase_orders p LEFT JOIN blanket_agreements a ON a.number = p.agreement"
        " WHERE p.po_number = $1",
        scan.po_number,
    )
    pol = await conn.fetchrow(
        "SELECT * FROM purchase_order_lines WHERE po_number = $1 AND po_line = $2 FOR UPDATE",
        scan.po_number,
        scan.po_line,
    )
    if po["ship_to_customer"] is not None:
        raise Refusal(
            409,
            f"purchase order {scan.po_number} is drop shipped: its supplier ships straight to"
            f" customer {po['ship_to_customer']}; send its ship notices to"
            f" /purchase-orders/{scan.po_number}/ship-notices",
        )
    if po["status"] == PurchaseOrderStatus.AWAITING_APPROVAL:
        raise Refusal(
            409,
            f"purchase order {scan.po_number} is awaiting approval; it cannot be received yet",
        )
    refuse_if_canceled(line)
    if pol["status"] in ("CANCELED", "CLOSED"):
        raise Refusal(
            409,
            f"purchase order line {scan.po_number}/{scan.po_line} is {pol['status'].lower()}",
        )
    return po, pol


async def count_on_po_line(
    conn: Connection,
    scan: ReceiptScanIn,
    split: ReceiptSplit,
    *,
    line: Any,
    organization: str,
    waiting: list[Any],
) -> list[int]:
    """The PO line counts what its pegged line got and what came over; what came over goes
    to free on-hand (serving `waiting`); returns the outbox ids owed to those served."""
    await conn.execute(
        "UPDATE purchase_order_lines SET received_quantity = received_quantity + $3,"
        " over_received_quantity = over_received_quantity + $4"
        " WHERE po_number = $1 AND po_line = $2",
        scan.po_number,
        scan.po_line,
        split.to_line,
        split.over,
    )
    if split.over <= 0:
        return []
    return await put_on_free_hand(
        conn,
        item=line["item_number"],
        organization=organization,
        quantity=split.over,
        waiting=waiting,
        cause=f"over-receipt:{scan.scan_id}",
    )


class Inventory:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def receive(self, scan: ReceiptScanIn) -> ScanOutcome:
        """Receive goods against a pegged PO line and reserve them to its line (receipts of
        transfer orders go to `Transfers.receive`)."""

        async def apply(conn: Connection) -> tuple[dict[str, Any], list[int]]:
            return await self._receive_po(conn, scan)

        return await run_scan(self._pool, scan, kind="receipt", apply=apply)

    async def _receive_po(
        self, conn: Connection, scan: ReceiptScanIn
    ) -> tuple[dict[str, Any], list[int]]:
        peg = await find_peg(
            conn,
            DocumentType.PURCHASE_ORDER,
            scan.po_number or "",
            scan.po_line,
            unknown=f"po_number: unknown purchase order line {scan.po_number} line {scan.po_line}",
        )
        line = await lock_scanned_line(conn, peg["order_number"], peg["line_number"])
        refuse_imprecise_for_line(line, {"quantity": scan.quantity})
        po, pol = await po_line_to_receive(conn, scan, line)
        label = f"{scan.po_number} line {scan.po_line}"
        ordered = pol["quantity"] - pol["canceled_quantity"]
        document_open = ordered - pol["received_quantity"]
        split = split_receipt(
            scan.quantity,
            document_open=document_open,
            ordered=ordered,
            over_received=pol["over_received_quantity"],
            tolerance_pct=po["tolerance_pct"],
            document=label,
        )
        if isinstance(split, Refused):
            raise line_ledger.refusal(split)
        organization = po["organization"]
        # Lines waiting for free stock are locked before the on-hand row (free_stock.py).
        # The pegged line is not one of them: the excess is never its (its row changes here).
        waiting = [
            w
            for w in (
                await lock_waiting_lines(conn, line["item_number"], organization)
                if split.over
                else []
            )
            if (w["order_number"], w["line_number"]) != (line["order_number"], line["line_number"])
        ]
        common = {"scan_id": scan.scan_id, "peg": peg, "line": line}
        common |= {"organization": organization, "unit_price": pol["unit_price"]}
        if split.to_line > 0:
            body, outbox = await reserve_to_line(
                conn,
                **common,
                quantity=split.to_line,
                over=split.over,
                document_open=document_open,
                document_label=label,
            )
        else:
            body, outbox = await receive_over_only(conn, **common, over=split.over)
        outbox += await count_on_po_line(
            conn, scan, split, line=line, organization=organization, waiting=waiting
        )
        return body, outbox

    async def reserve_on_hand(self, *, key: str, line: LineInput) -> StockReservation:
        """Reserve what free stock there is for a line shipped from stock, at scheduling.
        What is short waits as BACKORDERED and is served when stock arrives."""
        async with self._pool.acquire() as conn, conn.transaction():
            row = await lock_line(conn, line.order_number, line.line_number)
            done = await conn.fetchrow(
                "SELECT reservation_id, quantity FROM reservations WHERE idempotency_key = $1",
                key,
            )
            if done is not None:  # a retry: answer what the first attempt reserved
                return StockReservation(
                    reservation_number=f"RES-{done['reservation_id']}",
                    quantity=done["quantity"],
                )
            need = ledger_of(row).to_supply
            got = await take_free_stock(
                conn, item=line.item_number, organization=line.organization, wanted=need
            )
            number, row = await record_stock_reservation(conn, line=row, quantity=got, key=key)
            return StockReservation(reservation_number=number, quantity=got, ledger=ledger_of(row))

    async def release_excess_reservation(
        self, *, key: str, order_number: str, line_number: int
    ) -> ReservationReleased:
        """Give back to free stock what is reserved to a line beyond its open quantity;
        answers the quantity and the line's ledger after it. A cancel releases in its own
        transaction under the same key, so this answers what it released."""
        async with self._pool.acquire() as conn, conn.transaction():
            line = await lock_line(conn, order_number, line_number)
            excess, line = await release_excess(conn, line, key=key)
            return ReservationReleased(quantity=excess, ledger=ledger_of(line))

    async def on_hand(self, item: str, organization: str) -> dict[str, Decimal]:
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(
                "SELECT quantity, reserved FROM on_hand WHERE item = $1 AND organization = $2",
                item,
                organization,
            )
        if row is None:
            return {"quantity": Decimal("0"), "reserved": Decimal("0")}
        return {"quantity": row["quantity"], "reserved": row["reserved"]}
