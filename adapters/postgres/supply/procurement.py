"""Procurement: supply orders, requisitions and purchase orders pegged to lines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg

from adapters.errors import NotFound, Refusal
from adapters.postgres.common import Connection, lock_line
from adapters.postgres.outbox.events import append_event
from adapters.postgres.outbox.tell import tell
from adapters.postgres.supply.pegs import supply_to_keep
from adapters.postgres.supply.purchasing import purchase_order_in, requisition_in, supply_order_in
from domain.models import (
    ApprovalSignal,
    LineInput,
    PurchaseOrderResult,
    RequisitionResult,
    SourcingDecision,
    SupplyChange,
    SupplyOrderResult,
    json_quantity,
)
from domain.signals import PURCHASE_ORDER_APPROVED
from domain.statuses import (
    DocumentType,
    EventType,
    PurchaseOrderStatus,
    SupplyStatus,
)


async def close_purchase_orders_in(
    conn: Connection, *, key: str, order_number: str, line_number: int
) -> None:
    """The line has shipped: its PO lines and supply orders are done."""
    for peg in await conn.fetch(
        "SELECT * FROM pegs WHERE order_number = $1 AND line_number = $2 AND document_type = $3",
        order_number,
        line_number,
        DocumentType.PURCHASE_ORDER,
    ):
        await conn.execute(
            "UPDATE purchase_order_lines SET status = 'CLOSED'"
            " WHERE po_number = $1 AND po_line = $2 AND status = 'OPEN'",
            peg["document_number"],
            peg["document_line"],
        )
        await roll_up_header(conn, peg["document_number"])
        await conn.execute(
            "UPDATE supply_orders SET status = $2 WHERE supply_order_number = $1 AND status <> $3",
            peg["supply_order_number"],
            SupplyStatus.CLOSED,
            SupplyStatus.CANCELED,
        )
        await append_event(
            conn,
            key=f"{key}:{peg['document_number']}",
            type=EventType.SUPPLY_CLOSED,
            order_number=order_number,
            line_number=line_number,
            data={
                "po_number": peg["document_number"],
                "supply_order_number": peg["supply_order_number"],
            },
        )


async def roll_up_header(conn: Connection, po_number: str) -> None:
    """A PO whose lines are all canceled is canceled; all done, it is closed."""
    statuses = {
        r["status"]
        for r in await conn.fetch(
            "SELECT status FROM purchase_order_lines WHERE po_number = $1", po_number
        )
    }
    if statuses == {"CANCELED"}:
        header = PurchaseOrderStatus.CANCELED
    elif statuses <= {"CANCELED", "CLOSED"}:
        header = PurchaseOrderStatus.CLOSED
    else:
        return
    await conn.execute(
        "UPDATE purchase_orders SET status = $2 WHERE po_number = $1", po_number, header
    )


async def cancel_on_po_line(
    conn: Connection,
    *,
    pol: Any,
    supply_order_number: str,
    canceled: Decimal,
    cut: Decimal = Decimal(0),
) -> str:
    """Set a locked PO line's canceled quantity (`cut` of it by its supplier, counted apart),
    its supply order's quantity, and their statuses: a line with nothing left is canceled,
    and so is a PO with every line canceled. Answers the PO line's status."""
    remaining = pol["quantity"] - canceled
    status = "CANCELED" if remaining <= 0 else pol["status"]
    await conn.execute(
        "UPDATE purchase_order_lines SET canceled_quantity = $3, status = $4,"
        " cut_quantity = cut_quantity + $5 WHERE po_number = $1 AND po_line = $2",
        pol["po_number"],
        pol["po_line"],
        canceled,
        status,
        cut,
    )
    await roll_up_header(conn, pol["po_number"])
    if status == "CANCELED":
        await conn.execute(
            "UPDATE supply_orders SET status = $2, quantity = 0 WHERE supply_order_number = $1",
            supply_order_number,
            SupplyStatus.CANCELED,
        )
    else:
        await conn.execute(
            "UPDATE supply_orders SET quantity = $2 WHERE supply_order_number = $1",
            supply_order_number,
            remaining,
        )
    return status


async def describe_purchase_order(conn: Connection, po_number: str) -> dict[str, Any]:
    po = await conn.fetchrow(
        "SELECT po_number, supplier, agreement, organization, currency, status, created_at,"
        " approved_at, approved_by, ship_to_customer IS NOT NULL AS drop_ship, ship_to_customer"
        " FROM purchase_orders WHERE po_number = $1",
        po_number,
    )
    if po is None:
        raise NotFound(f"purchase order {po_number}")
    lines = await conn.fetch(
        "SELECT l.po_line, l.item, l.quantity, l.canceled_quantity, l.received_quantity,"
        " l.over_received_quantity, l.cut_quantity, l.unit_price, l.need_by_date,"
        " l.acknowledgment_status, l.promised_date,"
        " coalesce(l.promised_date, l.need_by_date) AS expected_date, l.status,"
        " p.order_number, p.line_number"
        " FROM purchase_order_lines l LEFT JOIN pegs p ON p.document_type = $2"
        " AND p.document_number = l.po_number AND p.document_line = l.po_line"
        " WHERE l.po_number = $1 ORDER BY l.po_line",
        po_number,
        DocumentType.PURCHASE_ORDER,
    )
    notices: dict[int, list[dict[str, Any]]] = {}
    if po["drop_ship"]:  # what the supplier shipped to the customer, notice by notice
        for notice in await conn.fetch(
            "SELECT ship_notice_id, po_line, quantity, shipped_date, tracking_number,"
            " received_at FROM ship_notices WHERE po_number = $1 AND response IS NOT NULL"
            " ORDER BY received_at, ship_notice_id",
            po_number,
        ):
            notices.setdefault(notice["po_line"], []).append(dict(notice))
    return {
        **dict(po),
        "lines": [
            {
                **dict(line),
                "pegged_to": {
                    "order_number": line["order_number"],
                    "line_number": line["line_number"],
                },
            }
            | (
                {
                    "shipped_quantity": line["received_quantity"],
                    "ship_notices": notices.get(line["po_line"], []),
                }
                if po["drop_ship"]
                else {}
            )
            for line in lines
        ],
    }


class Procurement:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create_supply_order(
        self, *, key: str, line: LineInput, decision: SourcingDecision
    ) -> SupplyOrderResult:
        async with self._pool.acquire() as conn, conn.transaction():
            return await supply_order_in(conn, key=key, line=line, decision=decision)

    async def create_requisition(
        self, *, key: str, supply_order_number: str, line: LineInput, decision: SourcingDecision
    ) -> RequisitionResult:
        async with self._pool.acquire() as conn, conn.transaction():
            return await requisition_in(
                conn, key=key, supply_order_number=supply_order_number, line=line, decision=decision
            )

    async def create_purchase_order(
        self,
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
        it. Returns None when the line was canceled before the PO could be made."""
        async with self._pool.acquire() as conn, conn.transaction():
            return await purchase_order_in(
                conn,
                key=key,
                line=line,
                decision=decision,
                supply_order_number=supply_order_number,
                requisition_number=requisition_number,
                workflow_id=workflow_id,
                today=today,
            )

    async def approve(
        self, po_number: str, *, approved_by: str
    ) -> tuple[dict[str, Any], list[int]]:
        """A buyer approves a PO that was not submitted automatically."""
        async with self._pool.acquire() as conn, conn.transaction():
            po = await conn.fetchrow(
                "SELECT * FROM purchase_orders WHERE po_number = $1 FOR UPDATE", po_number
            )
            if po is None:
                raise NotFound(f"purchase order {po_number}")
            if po["status"] == PurchaseOrderStatus.OPEN:
                return {
                    **await describe_purchase_order(conn, po_number),
                    "already_approved": True,
                }, []
            if po["status"] != PurchaseOrderStatus.AWAITING_APPROVAL:
                raise Refusal(
                    409, f"purchase order {po_number} is {po['status']} and cannot be approved"
                )
            await conn.execute(
                "UPDATE purchase_orders SET status = 'OPEN', approved_at = now(),"
                " approved_by = $2 WHERE po_number = $1",
                po_number,
                approved_by,
            )
            outbox: list[int] = []
            for peg in await conn.fetch(
                "SELECT * FROM pegs WHERE document_type = $1 AND document_number = $2",
                DocumentType.PURCHASE_ORDER,
                po_number,
            ):
                await conn.execute(
                    "UPDATE supply_orders SET status = $2 WHERE supply_order_number = $1",
                    peg["supply_order_number"],
                    SupplyStatus.AWAITING_RECEIPT,
                )
                outbox.append(
                    await tell(
                        conn,
                        peg,
                        key=f"po-{po_number}:approved:{peg['document_line']}",
                        event=EventType.PURCHASE_ORDER_APPROVED,
                        data={"po_number": po_number, "approved_by": approved_by},
                        signal=PURCHASE_ORDER_APPROVED,
                        payload=ApprovalSignal(po_number=po_number, approved_by=approved_by),
                    )
                )
            return {
                **await describe_purchase_order(conn, po_number),
                "already_approved": False,
            }, outbox

    async def describe(self, po_number: str) -> dict[str, Any]:
        async with self._pool.acquire() as conn:
            return await describe_purchase_order(conn, po_number)

    async def reduce_for_line(
        self, *, key: str, order_number: str, line_number: int
    ) -> list[SupplyChange]:
        """Bring the POs pegged to a line down to what the line still needs (never below
        what was already received); a PO line with nothing left is canceled."""
        changes: list[SupplyChange] = []
        async with self._pool.acquire() as conn, conn.transaction():
            await lock_line(conn, order_number, line_number)
            to_keep = await supply_to_keep(conn, order_number, line_number)
            for peg in await conn.fetch(
                "SELECT * FROM pegs WHERE order_number = $1 AND line_number = $2"
                " AND document_type = $3 ORDER BY document_number",
                order_number,
                line_number,
                DocumentType.PURCHASE_ORDER,
            ):
                pol = await conn.fetchrow(
                    "SELECT * FROM purchase_order_lines WHERE po_number = $1 AND po_line = $2"
                    " FOR UPDATE",
                    peg["document_number"],
                    peg["document_line"],
                )
                keep = to_keep[(pol["po_number"], pol["po_line"])]
                canceled = pol["quantity"] - keep
                status = "CANCELED" if pol["quantity"] - canceled <= 0 else pol["status"]
                if canceled != pol["canceled_quantity"] or status != pol["status"]:
                    await cancel_on_po_line(
                        conn,
                        pol=pol,
                        supply_order_number=peg["supply_order_number"],
                        canceled=canceled,
                    )
                    await append_event(
                        conn,
                        key=f"{key}:{pol['po_number']}:{pol['po_line']}",
                        type=EventType.PURCHASE_ORDER_CHANGED,
                        order_number=order_number,
                        line_number=line_number,
                        data={
                            "po_number": pol["po_number"],
                            "po_line": pol["po_line"],
                            "canceled_quantity": json_quantity(canceled),
                            "remaining_quantity": json_quantity(pol["quantity"] - canceled),
                            "status": status,
                        },
                    )
                changes.append(
                    SupplyChange(
                        document_number=pol["po_number"],
                        canceled_quantity=canceled,
                        remaining_quantity=pol["quantity"] - canceled,
                        released_quantity=Decimal("0"),
                        document_status=status,
                    )
                )
        return changes

    async def close_for_line(self, *, key: str, order_number: str, line_number: int) -> None:
        """The line has shipped: its PO lines and supply orders are done."""
        async with self._pool.acquire() as conn, conn.transaction():
            return await close_purchase_orders_in(
                conn, key=key, order_number=order_number, line_number=line_number
            )
