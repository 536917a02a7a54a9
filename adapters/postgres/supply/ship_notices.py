"""A drop-ship supplier's ship notices, each applied once in one transaction: the PO line
counts what its supplier shipped (the logical receipt AP matches against), and the pegged
fulfillment line ships it (`domain.line.DropShip`).

Locks as a receipt takes them: the fulfillment line first, then the PO line."""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg

from adapters.errors import NotFound, Refusal
from adapters.postgres.common import Connection, lock_line
from adapters.postgres.line import ledger as line_ledger
from adapters.postgres.line.ledger import ledger_of, line_ids
from adapters.postgres.outbox.tell import tell
from adapters.postgres.receiving.inventory import find_peg, refuse_if_canceled
from adapters.postgres.setup.input_checks import refuse_imprecise
from domain.line import DropShip
from domain.models.drop_ship import DropShippedSignal, ShipNoticeIn
from domain.quantities import json_quantity
from domain.signals import DROP_SHIPPED
from domain.statuses import DocumentType, EventType, PurchaseOrderStatus, SupplyStatus


async def _claim(
    conn: Connection, po_number: str, notice: ShipNoticeIn, shipped: date
) -> dict[str, Any] | None:
    """Record the notice before applying it; the earlier answer when its id was seen (a
    concurrent twin waits on the key until the first commits or rolls back)."""
    request = notice.model_dump(mode="json")
    claimed = await conn.fetchval(
        "INSERT INTO ship_notices (ship_notice_id, po_number, po_line, quantity, shipped_date,"
        " tracking_number, request) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT (ship_notice_id) DO NOTHING RETURNING ship_notice_id",
        notice.ship_notice_id,
        po_number,
        notice.po_line,
        notice.quantity,
        shipped,
        notice.tracking_number,
        request,
    )
    if claimed is not None:
        return None
    earlier = await conn.fetchrow(
        "SELECT po_number, request, response FROM ship_notices WHERE ship_notice_id = $1",
        notice.ship_notice_id,
    )
    if earlier["po_number"] != po_number or dict(earlier["request"]) != request:
        raise Refusal(
            409,
            f"ship_notice_id {notice.ship_notice_id} was already used for another ship notice"
            f" (of {earlier['po_number']}); give each one its own id",
            field="ship_notice_id",
        )
    return dict(earlier["response"])


async def _po_line_to_ship(conn: Connection, po: Any, notice: ShipNoticeIn, line: Any) -> Any:
    """The drop-ship PO line, locked, or why its supplier cannot ship on it now."""
    number = po["po_number"]
    if po["ship_to_customer"] is None:
        raise Refusal(
            409,
            f"purchase order {number} is not a drop-ship purchase order: its goods come to"
            f" {po['organization']}, received with a receipt scan",
        )
    if po["status"] == PurchaseOrderStatus.AWAITING_APPROVAL:
        raise Refusal(
            409, f"purchase order {number} is awaiting approval: it has not been sent yet"
        )
    refuse_if_canceled(line)
    pol = await conn.fetchrow(
        "SELECT * FROM purchase_order_lines WHERE po_number = $1 AND po_line = $2 FOR UPDATE",
        number,
        notice.po_line,
    )
    if pol["status"] in ("CANCELED", "CLOSED"):
        raise Refusal(
            409, f"purchase order line {number}/{notice.po_line} is {pol['status'].lower()}"
        )
    return pol


async def _ship(
    conn: Connection, po: Any, notice: ShipNoticeIn, shipped: date
) -> tuple[dict[str, Any], list[int]]:
    number = po["po_number"]
    peg = await find_peg(
        conn,
        DocumentType.PURCHASE_ORDER,
        number,
        notice.po_line,
        unknown=f"po_line: purchase order {number} has no line {notice.po_line}",
    )
    line = await lock_line(conn, peg["order_number"], peg["line_number"])
    await refuse_imprecise(conn, line["item_number"], {"quantity": notice.quantity})
    pol = await _po_line_to_ship(conn, po, notice, line)
    document_open = pol["quantity"] - pol["canceled_quantity"] - pol["received_quantity"]
    label = f"{number} line {notice.po_line}"
    line = await line_ledger.record(
        conn, line, DropShip(quantity=notice.quantity, document=label, document_open=document_open)
    )
    await conn.execute(
        "UPDATE purchase_order_lines SET received_quantity = received_quantity + $3"
        " WHERE po_number = $1 AND po_line = $2",
        number,
        notice.po_line,
        notice.quantity,
    )
    if notice.quantity >= document_open:
        await conn.execute(
            "UPDATE supply_orders SET status = $2 WHERE supply_order_number = $1",
            peg["supply_order_number"],
            SupplyStatus.RECEIVED,
        )
    answer = {
        "accepted": True,
        "ship_notice_id": notice.ship_notice_id,
        "po_number": number,
        "po_line": notice.po_line,
        "quantity": json_quantity(notice.quantity),
        "shipped_date": shipped.isoformat(),
        "tracking_number": notice.tracking_number,
        "ship_to_customer": po["ship_to_customer"],
        "po_line_shipped_quantity": json_quantity(pol["received_quantity"] + notice.quantity),
        "po_line_open_quantity": json_quantity(document_open - notice.quantity),
        **line_ids(line),
        "line_status": line["status"],
        "line_shipped_quantity": json_quantity(line["shipped_quantity"]),
    }
    signal = DropShippedSignal(
        ship_notice_id=notice.ship_notice_id,
        po_number=number,
        po_line=notice.po_line,
        supplier=po["supplier"],
        quantity=notice.quantity,
        shipped_date=shipped,
        tracking_number=notice.tracking_number,
        ledger=ledger_of(line),
    )
    owed = await tell(
        conn,
        peg,
        key=f"ship-notice-{notice.ship_notice_id}:shipped",
        event=EventType.LINE_SHIPPED,
        data={
            key: answer[key]
            for key in ("ship_notice_id", "po_number", "po_line", "quantity", "shipped_date")
        }
        | {"tracking_number": notice.tracking_number, "drop_ship": True},
        signal=DROP_SHIPPED,
        payload=signal,
    )
    return answer, [owed]


class ShipNotices:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def record(
        self, po_number: str, notice: ShipNoticeIn, *, today: date
    ) -> tuple[dict[str, Any], list[int]]:
        """Apply one ship notice; sent again with the same id and body, it is answered as
        it was and applied once. A refused notice stores nothing."""
        shipped = notice.shipped_date or today
        async with self._pool.acquire() as conn, conn.transaction():
            po = await conn.fetchrow(
                "SELECT * FROM purchase_orders WHERE po_number = $1", po_number
            )
            if po is None:
                raise NotFound(f"purchase order {po_number}")
            earlier = await _claim(conn, po_number, notice, shipped)
            if earlier is not None:
                return {**earlier, "already_applied": True}, []
            answer, outbox = await _ship(conn, po, notice, shipped)
            await conn.execute(
                "UPDATE ship_notices SET order_number = $2, line_number = $3, response = $4"
                " WHERE ship_notice_id = $1",
                notice.ship_notice_id,
                answer["order_number"],
                answer["line_number"],
                answer,
            )
            return {**answer, "already_applied": False}, outbox
