"""Transfer orders: stock moved from another organization, pegged to a line."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import asyncpg

from adapters.errors import Refusal
from adapters.postgres.common import Connection, ScanOutcome, lock_line, run_scan
from adapters.postgres.line.ledger import ledger_of
from adapters.postgres.outbox.events import append_event
from adapters.postgres.receiving.free_stock import take_free_stock
from adapters.postgres.receiving.inventory import find_peg, refuse_if_canceled, reserve_to_line
from adapters.postgres.setup.input_checks import refuse_imprecise
from adapters.postgres.supply.pegs import (
    close_pegged_document,
    peg_to_line,
    pegs_of_line,
    quantity_to_supply,
    supply_to_keep,
)
from domain.models import (
    LineInput,
    ReceiptScanIn,
    SourcingDecision,
    SupplyChange,
    TransferOrderResult,
    json_money,
    json_quantity,
)
from domain.statuses import DocumentType, EventType, SupplyStatus, TransferOrderStatus


def _result(row: Any, sales_line: Any) -> TransferOrderResult:
    return TransferOrderResult(
        transfer_order_number=row["transfer_order_number"],
        status=row["status"],
        from_organization=row["from_organization"],
        to_organization=row["to_organization"],
        quantity=row["quantity"] - row["canceled_quantity"],
        transfer_price=row["transfer_price"],
        expected_arrival=row["expected_arrival"],
        ledger=ledger_of(sales_line),
    )


def transfer_price(cost: Decimal | None, markup_pct: Decimal) -> Decimal:
    """Item cost marked up by the inter-organization transfer pricing."""
    price = (cost or Decimal("0")) * (Decimal("100") + markup_pct) / Decimal("100")
    return price.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


async def transfer_order_in(
    conn: Connection,
    *,
    key: str,
    line: LineInput,
    decision: SourcingDecision,
    supply_order_number: str,
    workflow_id: str,
    today: date,
) -> TransferOrderResult | None:
    """Take the line's open quantity from the source's free stock, ship it and peg the
    transfer order to the line, in one transaction. None when the line was canceled
    first; `short` set (and nothing changed) when the source's free stock was taken by
    others since the line was scheduled."""
    source = decision.source_organization or ""
    row = await lock_line(conn, line.order_number, line.line_number)
    existing = await conn.fetchrow("SELECT * FROM transfer_orders WHERE idempotency_key = $1", key)
    if existing:
        return _result(existing, row)
    quantity = quantity_to_supply(row, decision.quantity)
    if quantity <= 0:
        return None
    got = await take_free_stock(conn, item=line.item_number, organization=source, wanted=quantity)
    if got < quantity:
        await conn.execute(
            "UPDATE on_hand SET reserved = reserved - $3 WHERE item = $1 AND organization = $2",
            line.item_number,
            source,
            got,
        )
        return TransferOrderResult(
            transfer_order_number="",
            status="SHORT",
            from_organization=source,
            to_organization=line.organization,
            quantity=got,
            transfer_price=Decimal("0"),
            short=True,
        )
    # Shipped at once: the goods leave the source's on-hand with their reservation.
    await conn.execute(
        "UPDATE on_hand SET quantity = quantity - $3, reserved = reserved - $3"
        " WHERE item = $1 AND organization = $2",
        line.item_number,
        source,
        quantity,
    )
    cost = await conn.fetchval(
        "SELECT coalesce(i.cost, p.cost) FROM items i"
        " LEFT JOIN items p ON p.number = i.parent_item WHERE i.number = $1",
        line.item_number,
    )
    price = transfer_price(cost, decision.transfer_price_markup_pct)
    arrival = today + timedelta(days=decision.lead_time_days)
    order = await conn.fetchrow(
        "INSERT INTO transfer_orders (transfer_order_number, idempotency_key,"
        " supply_order_number, item, from_organization, to_organization, quantity,"
        " transfer_price, status, expected_arrival)"
        " VALUES (document_number($1), $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *",
        "TO",
        key,
        supply_order_number,
        line.item_number,
        source,
        line.organization,
        quantity,
        price,
        TransferOrderStatus.IN_TRANSIT,
        arrival,
    )
    number = order["transfer_order_number"]
    row = await peg_to_line(
        conn,
        locked=row,
        document_type=DocumentType.TRANSFER_ORDER,
        document_number=number,
        supply_order_number=supply_order_number,
        workflow_id=workflow_id,
        supply_status=SupplyStatus.IN_TRANSIT,
    )
    await append_event(
        conn,
        key=f"{key}:event",
        type=EventType.TRANSFER_ORDER_CREATED,
        order_number=line.order_number,
        line_number=line.line_number,
        data={
            "transfer_order_number": number,
            "from_organization": source,
            "to_organization": line.organization,
            "quantity": json_quantity(quantity),
            "transfer_price": json_money(price),
            "expected_arrival": arrival.isoformat(),
        },
    )
    return _result(order, row)


async def close_transfer_orders_in(
    conn: Connection, *, key: str, order_number: str, line_number: int
) -> None:
    """The line has shipped: its transfer orders and supply orders are done."""
    for peg in await pegs_of_line(conn, order_number, line_number, DocumentType.TRANSFER_ORDER):
        await close_pegged_document(
            conn,
            key=key,
            peg=peg,
            table="transfer_orders",
            number_column="transfer_order_number",
        )


class Transfers:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create_transfer_order(
        self,
        *,
        key: str,
        line: LineInput,
        decision: SourcingDecision,
        supply_order_number: str,
        workflow_id: str,
        today: date,
    ) -> TransferOrderResult | None:
        """Take the line's open quantity from the source's free stock, ship it and peg the
        transfer order to the line, in one transaction. None when the line was canceled
        first; `short` set (and nothing changed) when the source's free stock was taken by
        others since the line was scheduled."""
        async with self._pool.acquire() as conn, conn.transaction():
            return await transfer_order_in(
                conn,
                key=key,
                line=line,
                decision=decision,
                supply_order_number=supply_order_number,
                workflow_id=workflow_id,
                today=today,
            )

    async def receive(self, scan: ReceiptScanIn) -> ScanOutcome:
        """The transfer arrives at the line's organization and is reserved to the line."""
        number = scan.transfer_order_number or ""

        async def apply(conn: Connection) -> tuple[dict[str, Any], list[int]]:
            peg = await find_peg(
                conn,
                DocumentType.TRANSFER_ORDER,
                number,
                1,
                unknown=f"transfer_order_number: unknown transfer order {number!r}",
            )
            line = await lock_line(conn, peg["order_number"], peg["line_number"])
            await refuse_imprecise(conn, line["item_number"], {"quantity": scan.quantity})
            order = await conn.fetchrow(
                "SELECT * FROM transfer_orders WHERE transfer_order_number = $1 FOR UPDATE",
                number,
            )
            refuse_if_canceled(line)
            if order["status"] != TransferOrderStatus.IN_TRANSIT:
                raise Refusal(409, f"transfer order {number} is {order['status'].lower()}")
            remaining = order["quantity"] - order["canceled_quantity"] - order["received_quantity"]
            body, outbox = await reserve_to_line(
                conn,
                scan_id=scan.scan_id,
                peg=peg,
                line=line,
                organization=order["to_organization"],
                quantity=scan.quantity,
                unit_price=order["transfer_price"],
                document_open=remaining,
                document_label=f"transfer order {number}",
            )
            await conn.execute(
                "UPDATE transfer_orders SET received_quantity = received_quantity + $2,"
                " status = $3 WHERE transfer_order_number = $1",
                number,
                scan.quantity,
                TransferOrderStatus.RECEIVED
                if scan.quantity >= remaining
                else TransferOrderStatus.IN_TRANSIT,
            )
            return {**body, "transfer_order_number": number}, outbox

        return await run_scan(self._pool, scan, kind="transfer-receipt", apply=apply)

    async def reduce_for_line(
        self, *, key: str, order_number: str, line_number: int
    ) -> list[SupplyChange]:
        """Goods in transit beyond what the line still needs go back to the source."""
        changes: list[SupplyChange] = []
        async with self._pool.acquire() as conn, conn.transaction():
            await lock_line(conn, order_number, line_number)
            to_keep = await supply_to_keep(conn, order_number, line_number)
            for peg in await pegs_of_line(
                conn, order_number, line_number, DocumentType.TRANSFER_ORDER
            ):
                order = await conn.fetchrow(
                    "SELECT * FROM transfer_orders WHERE transfer_order_number = $1 FOR UPDATE",
                    peg["document_number"],
                )
                remaining = to_keep[(peg["document_number"], peg["document_line"])]
                canceled = order["quantity"] - remaining
                returned = canceled - order["canceled_quantity"]
                status = order["status"]
                if remaining <= 0:
                    status = TransferOrderStatus.CANCELED
                elif order["received_quantity"] >= remaining:
                    status = TransferOrderStatus.RECEIVED
                if returned > 0:
                    await conn.execute(
                        "UPDATE transfer_orders SET canceled_quantity = $2, status = $3"
                        " WHERE transfer_order_number = $1",
                        order["transfer_order_number"],
                        canceled,
                        status,
                    )
                    await conn.execute(
                        "UPDATE on_hand SET quantity = quantity + $3 WHERE item = $1"
                        " AND organization = $2",
                        order["item"],
                        order["from_organization"],
                        returned,
                    )
                    await conn.execute(
                        "UPDATE supply_orders SET quantity = $2::numeric, status = CASE"
                        " WHEN $2::numeric = 0 THEN $3 ELSE status END"
                        " WHERE supply_order_number = $1",
                        peg["supply_order_number"],
                        remaining,
                        SupplyStatus.CANCELED,
                    )
                    await append_event(
                        conn,
                        key=f"{key}:{order['transfer_order_number']}",
                        type=EventType.TRANSFER_ORDER_CHANGED,
                        order_number=order_number,
                        line_number=line_number,
                        data={
                            "transfer_order_number": order["transfer_order_number"],
                            "returned_to": order["from_organization"],
                            "returned_quantity": json_quantity(returned),
                            "remaining_quantity": json_quantity(remaining),
                            "status": status,
                        },
                    )
                changes.append(
                    SupplyChange(
                        document_number=order["transfer_order_number"],
                        canceled_quantity=canceled,
                        remaining_quantity=remaining,
                        released_quantity=returned,
                        document_status=status,
                    )
                )
        return changes

    async def close_for_line(self, *, key: str, order_number: str, line_number: int) -> None:
        """The line has shipped: its transfer orders and supply orders are done."""
        async with self._pool.acquire() as conn, conn.transaction():
            return await close_transfer_orders_in(
                conn, key=key, order_number=order_number, line_number=line_number
            )
