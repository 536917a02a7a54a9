"""Cancellations: a person's cancel of a line or an order, and the backorder cancels that
shipping makes. Each one changes the line's ledger (through the one writer), re-authorizes
the order's credit, leaves the supply for review when the parameter keeps it, and owes the
line's workflow its signal, all in the caller's transaction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import asyncpg

from adapters.errors import NotFound, Refusal
from adapters.postgres.common import Connection, flag_parameter, lock_line
from adapters.postgres.kits.lines import cancel_components, whole_kits_only
from adapters.postgres.line import ledger as line_ledger
from adapters.postgres.line.ledger import ledger_of, line_ids
from adapters.postgres.orders.credit import reauthorize
from adapters.postgres.outbox.tell import tell
from adapters.postgres.receiving.free_stock import release_excess
from adapters.postgres.setup.input_checks import refuse_imprecise
from domain.backorders import backorder_reason, is_reserved_reason
from domain.line import Cancel
from domain.models import CancelSignal, json_quantity
from domain.signals import CANCEL_REQUESTED
from domain.statuses import SHIPPED_LINE_STATUSES, EventType, LineStatus

SUPPLY_PARAMETER = "cancel_supply_when_canceling_backorders"
# Where a partly shipped line waits for the rest of its quantity (a backorder kept open).
BACK_FROM_BACKORDER = frozenset(
    {LineStatus.BACKORDERED, LineStatus.AWAITING_SUPPLY, LineStatus.AWAITING_SHIPPING}
)


async def record_cancel(
    conn: Connection,
    line: Any,
    quantity: Decimal,
    *,
    request_id: str,
    reason: str | None = None,
    backorder: bool = False,
) -> tuple[Any, list[int]]:
    """Cancel `quantity` of a locked line; returns the updated row and the outbox ids.
    Shipping's backorder cancels take the person's reason on the line or the predefined
    one."""
    if backorder:
        reason = backorder_reason(line["person_cancel_reason"])
    assert reason is not None
    updated = await line_ledger.record(conn, line, Cancel(quantity), cancel_reason=reason)
    return await cancel_effects(
        conn, updated, quantity, request_id=request_id, reason=reason, backorder=backorder
    )


async def cancel_effects(
    conn: Connection,
    line: Any,
    quantity: Decimal,
    *,
    request_id: str,
    reason: str,
    backorder: bool,
) -> tuple[Any, list[int]]:
    """What a cancel of `quantity`, already in the line's ledger (`line` is the row after
    it), does beyond the line: the reservation beyond what is left to ship goes back to free
    stock, the credit authorization, the business event, the supply left for review when the
    parameter keeps it, and the signal its workflow is owed. Returns the row after it all
    and the outbox ids."""
    remaining = ledger_of(line).open
    full = remaining <= 0
    key = f"cancel-{request_id}:{line['workflow_id']}"
    # Under the key of the line workflow's own release step, which then finds it done.
    _, line = await release_excess(
        conn, line, key=f"{line['workflow_id']}:cancel-{request_id}:release"
    )
    await reauthorize(conn, line["order_number"], key=key)
    if backorder:
        event = EventType.BACKORDER_CANCELED
    else:
        event = EventType.LINE_CANCELED if full else EventType.LINE_QUANTITY_REDUCED
    reduce_supply = await flag_parameter(conn, SUPPLY_PARAMETER, default=True)
    if not reduce_supply:
        await _keep_supply_for_review(conn, line, quantity, key=key, reason=reason)
    return line, [
        await tell(
            conn,
            line,
            key=key,
            event=event,
            data={
                "canceled_quantity": json_quantity(quantity),
                "remaining_quantity": json_quantity(remaining),
                "reason": reason,
            },
            signal=CANCEL_REQUESTED,
            payload=CancelSignal(
                request_id=request_id,
                quantity=quantity,
                reason=reason,
                full=full,
                backorder=backorder,
                reduce_supply=reduce_supply,
                ledger=line_ledger.ledger_of(line),
            ),
        )
    ]


async def _keep_supply_for_review(
    conn: Connection, line: Any, quantity: Decimal, *, key: str, reason: str
) -> None:
    await conn.execute(
        "INSERT INTO supply_reviews (idempotency_key, order_number, line_number,"
        " document_type, document_number, document_line, supply_order_number,"
        " canceled_quantity, reason)"
        " SELECT $1 || ':' || document_number || ':' || document_line, order_number,"
        " line_number, document_type, document_number, document_line,"
        " supply_order_number, $4, $5 FROM pegs"
        " WHERE order_number = $2 AND line_number = $3"
        " ON CONFLICT (idempotency_key) DO NOTHING",
        key,
        line["order_number"],
        line["line_number"],
        quantity,
        reason,
    )


class Cancellations:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def cancel_line(
        self,
        *,
        order_number: str,
        line_number: int,
        quantity: Decimal | None,
        reason: str,
        request_id: str,
        reason_given: bool = True,
    ) -> tuple[dict[str, Any], list[int]]:
        """A person cancels part or all of a line; a reason they give is kept for later
        backorder cancels on the line."""
        async with self._pool.acquire() as conn, conn.transaction():
            return await self.cancel_in(
                conn,
                order_number,
                line_number,
                quantity,
                reason,
                request_id,
                reason_given=reason_given,
            )

    async def cancel_order(
        self, *, order_number: str, reason: str, request_id: str
    ) -> tuple[dict[str, Any], list[int]]:
        """Cancel every open line; lines that shipped are left as they are and listed."""
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                "SELECT line_number, status, shipped_quantity, kit_line_number"
                " FROM fulfillment_lines WHERE order_number = $1 ORDER BY line_number"
                " FOR UPDATE",
                order_number,
            )
            if not rows:
                raise NotFound(f"order {order_number}")
            canceled, skipped, outbox = [], [], []
            for row in rows:
                # A kit's components are canceled with their kit line.
                if row["status"] == LineStatus.CANCELED or row["kit_line_number"] is not None:
                    continue
                if row["status"] in SHIPPED_LINE_STATUSES or row["shipped_quantity"] > 0:
                    skipped.append(
                        {"line_number": row["line_number"], "reason": f"line is {row['status']}"}
                    )
                    continue
                body, ids = await self.cancel_in(
                    conn, order_number, row["line_number"], None, reason, request_id
                )
                canceled.append(body)
                outbox += ids
            if not canceled:
                raise Refusal(409, f"order {order_number} has no line that can be canceled")
            return {
                "order_number": order_number,
                "canceled": canceled,
                "not_canceled": skipped,
            }, outbox

    async def cancel_in(
        self,
        conn: Connection,
        order_number: str,
        line_number: int,
        quantity: Decimal | None,
        reason: str,
        request_id: str,
        *,
        reason_given: bool = False,
    ) -> tuple[dict[str, Any], list[int]]:
        if is_reserved_reason(reason):
            raise Refusal(
                422,
                f"reason: {reason!r} is the predefined reason of shipping's backorder cancels"
                " and cannot be chosen; give the customer's own reason",
                field="reason",
            )
        line = await lock_line(conn, order_number, line_number)
        if line is None:
            raise NotFound(f"line {line_number} of order {order_number}")
        _refuse_unless_cancelable(line)
        await refuse_imprecise(conn, line["item_number"], {"quantity": quantity})
        # A partly shipped line waiting for its backorder may give up what is not shipped.
        shipped = line["shipped_quantity"]
        to_ship = line_ledger.ledger_of(line).to_ship
        quantity = to_ship if quantity is None else quantity
        line_ledger.check(line, Cancel(quantity))  # refused before anything is written
        outbox: list[int] = []
        if line["kit_components"]:  # whole kits, on the kit and each of its components
            whole_kits_only(line, quantity)

            async def cancel(row: Any, share: Decimal) -> list[int]:
                _, ids = await record_cancel(conn, row, share, request_id=request_id, reason=reason)
                return ids

            outbox += await cancel_components(conn, line, quantity, cancel=cancel)
        if reason_given:
            await line_ledger.keep_person_reason(conn, line, reason)
        updated, ids = await record_cancel(
            conn, line, quantity, request_id=request_id, reason=reason
        )
        outbox += ids
        return {
            **line_ids(line),
            "canceled_quantity": json_quantity(quantity),
            "remaining_quantity": json_quantity(to_ship - quantity + shipped),
            "line_status": updated["status"],
            "reason": reason,
        }, outbox

    async def supply_reviews(self, *, order_number: str | None) -> list[dict[str, Any]]:
        """Supply documents left as they were by cancels, with what the line gave up and
        what the document holds now, oldest first."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT r.*, coalesce(pol.quantity - pol.canceled_quantity,"
                " wo.quantity - wo.canceled_quantity, tro.quantity - tro.canceled_quantity)"
                " AS document_quantity, coalesce(pol.status, wo.status, tro.status)"
                " AS document_status FROM supply_reviews r"
                " LEFT JOIN purchase_order_lines pol ON r.document_type = 'PURCHASE_ORDER'"
                " AND pol.po_number = r.document_number AND pol.po_line = r.document_line"
                " LEFT JOIN work_orders wo ON r.document_type = 'WORK_ORDER'"
                " AND wo.work_order_number = r.document_number"
                " LEFT JOIN transfer_orders tro ON r.document_type = 'TRANSFER_ORDER'"
                " AND tro.transfer_order_number = r.document_number"
                " WHERE $1::text IS NULL OR r.order_number = $1 ORDER BY r.id",
                order_number,
            )
        return [
            {
                "order_number": r["order_number"],
                "line_number": r["line_number"],
                "document_type": r["document_type"],
                "document_number": r["document_number"],
                "document_line": r["document_line"],
                "supply_order_number": r["supply_order_number"],
                "canceled_quantity": json_quantity(r["canceled_quantity"]),
                "document_quantity": json_quantity(r["document_quantity"]),
                "document_status": r["document_status"],
                "reason": r["reason"],
                "at": r["created_at"].isoformat(),
            }
            for r in rows
        ]


def _refuse_unless_cancelable(line: Any) -> None:
    order_number, line_number = line["order_number"], line["line_number"]
    if line["status"] == LineStatus.CANCELED:
        raise Refusal(409, f"line {line_number} of order {order_number} is already canceled")
    if line["status"] in SHIPPED_LINE_STATUSES or (
        line["shipped_quantity"] > 0 and line["status"] not in BACK_FROM_BACKORDER
    ):
        raise Refusal(
            409,
            f"line {line_number} of order {order_number} has shipped and can no longer be canceled",
        )
