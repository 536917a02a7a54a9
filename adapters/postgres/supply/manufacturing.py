"""Manufacturing: work orders pegged to lines, and their completions."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import asyncpg

from adapters.errors import Refusal
from adapters.postgres.common import Connection, ScanOutcome, lock_line, run_scan
from adapters.postgres.line.ledger import ledger_of
from adapters.postgres.outbox.events import append_event
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
    SupplyChange,
    WorkOrderCompletionIn,
    WorkOrderResult,
    json_quantity,
)
from domain.statuses import DocumentType, EventType, SupplyStatus, WorkOrderStatus


def _result(row: Any, sales_line: Any) -> WorkOrderResult:
    return WorkOrderResult(
        work_order_number=row["work_order_number"],
        status=row["status"],
        organization=row["organization"],
        quantity=row["quantity"] - row["canceled_quantity"],
        need_by_date=row["need_by_date"],
        ledger=ledger_of(sales_line),
    )


async def work_order_in(
    conn: Connection,
    *,
    key: str,
    line: LineInput,
    lead_time_days: int,
    supply_order_number: str,
    workflow_id: str,
    today: date,
    quantity: Decimal | None = None,
) -> WorkOrderResult | None:
    """Release a work order for the line's open quantity (or the given share of a split
    line) at its organization and peg
    it. Returns None when the line was canceled before the work order could be made."""
    row = await lock_line(conn, line.order_number, line.line_number)
    existing = await conn.fetchrow("SELECT * FROM work_orders WHERE idempotency_key = $1", key)
    if existing:
        return _result(existing, row)
    open_quantity = quantity_to_supply(row, quantity)
    if open_quantity <= 0:
        return None
    need_by = today + timedelta(days=lead_time_days)
    work_order = await conn.fetchrow(
        "INSERT INTO work_orders (work_order_number, idempotency_key,"
        " supply_order_number, item, organization, quantity, status, need_by_date)"
        " VALUES (document_number($1), $2, $3, $4, $5, $6, $7, $8) RETURNING *",
        "WO",
        key,
        supply_order_number,
        line.item_number,
        line.organization,
        open_quantity,
        WorkOrderStatus.IN_PRODUCTION,
        need_by,
    )
    number = work_order["work_order_number"]
    row = await peg_to_line(
        conn,
        locked=row,
        document_type=DocumentType.WORK_ORDER,
        document_number=number,
        supply_order_number=supply_order_number,
        workflow_id=workflow_id,
        supply_status=SupplyStatus.IN_PRODUCTION,
    )
    await append_event(
        conn,
        key=f"{key}:event",
        type=EventType.WORK_ORDER_CREATED,
        order_number=line.order_number,
        line_number=line.line_number,
        data={
            "work_order_number": number,
            "organization": line.organization,
            "quantity": json_quantity(open_quantity),
            "need_by_date": need_by.isoformat(),
        },
    )
    return _result(work_order, row)


async def close_work_orders_in(
    conn: Connection, *, key: str, order_number: str, line_number: int
) -> None:
    """The line has shipped: its work orders and supply orders are done."""
    for peg in await pegs_of_line(conn, order_number, line_number, DocumentType.WORK_ORDER):
        await close_pegged_document(
            conn, key=key, peg=peg, table="work_orders", number_column="work_order_number"
        )


class Manufacturing:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create_work_order(
        self,
        *,
        key: str,
        line: LineInput,
        lead_time_days: int,
        supply_order_number: str,
        workflow_id: str,
        today: date,
        quantity: Decimal | None = None,
    ) -> WorkOrderResult | None:
        """Release a work order for the line's open quantity (or the given share of a split
        line) at its organization and peg
        it. Returns None when the line was canceled before the work order could be made."""
        async with self._pool.acquire() as conn, conn.transaction():
            return await work_order_in(
                conn,
                key=key,
                line=line,
                lead_time_days=lead_time_days,
                supply_order_number=supply_order_number,
                workflow_id=workflow_id,
                today=today,
                quantity=quantity,
            )

    async def complete(self, scan: WorkOrderCompletionIn) -> ScanOutcome:
        """Production reports finished goods: they are reserved to the pegged line."""

        async def apply(conn: Connection) -> tuple[dict[str, Any], list[int]]:
            peg = await find_peg(
                conn,
                DocumentType.WORK_ORDER,
                scan.work_order_number,
                1,
                unknown=f"work_order_number: unknown work order {scan.work_order_number!r}",
            )
            line = await lock_line(conn, peg["order_number"], peg["line_number"])
            await refuse_imprecise(conn, line["item_number"], {"quantity": scan.quantity})
            work_order = await conn.fetchrow(
                "SELECT * FROM work_orders WHERE work_order_number = $1 FOR UPDATE",
                scan.work_order_number,
            )
            refuse_if_canceled(line)
            if work_order["status"] in (WorkOrderStatus.CANCELED, WorkOrderStatus.CLOSED):
                raise Refusal(
                    409,
                    f"work order {scan.work_order_number} is {work_order['status'].lower()}",
                )
            remaining = (
                work_order["quantity"]
                - work_order["canceled_quantity"]
                - work_order["completed_quantity"]
            )
            body, outbox = await reserve_to_line(
                conn,
                scan_id=scan.scan_id,
                peg=peg,
                line=line,
                organization=work_order["organization"],
                quantity=scan.quantity,
                unit_price=None,
                document_open=remaining,
                document_label=f"work order {scan.work_order_number}",
            )
            done = scan.quantity >= remaining
            await conn.execute(
                "UPDATE work_orders SET completed_quantity = completed_quantity + $2,"
                " status = $3 WHERE work_order_number = $1",
                scan.work_order_number,
                scan.quantity,
                WorkOrderStatus.COMPLETED if done else work_order["status"],
            )
            if done:
                await append_event(
                    conn,
                    key=f"scan-{scan.scan_id}:completed",
                    type=EventType.WORK_ORDER_COMPLETED,
                    order_number=line["order_number"],
                    line_number=line["line_number"],
                    data={"work_order_number": scan.work_order_number},
                )
            return {**body, "work_order_number": scan.work_order_number}, outbox

        return await run_scan(self._pool, scan, kind="work-order-completion", apply=apply)

    async def reduce_for_line(
        self, *, key: str, order_number: str, line_number: int
    ) -> list[SupplyChange]:
        """Bring the line's work orders down to what it still needs (never below what was
        completed); a work order with nothing left is canceled."""
        changes: list[SupplyChange] = []
        async with self._pool.acquire() as conn, conn.transaction():
            await lock_line(conn, order_number, line_number)
            to_keep = await supply_to_keep(conn, order_number, line_number)
            for peg in await pegs_of_line(conn, order_number, line_number, DocumentType.WORK_ORDER):
                wo = await conn.fetchrow(
                    "SELECT * FROM work_orders WHERE work_order_number = $1 FOR UPDATE",
                    peg["document_number"],
                )
                remaining = to_keep[(peg["document_number"], peg["document_line"])]
                canceled = wo["quantity"] - remaining
                status = WorkOrderStatus.CANCELED if remaining <= 0 else wo["status"]
                if remaining > 0 and wo["completed_quantity"] >= remaining:
                    status = WorkOrderStatus.COMPLETED
                if canceled != wo["canceled_quantity"] or status != wo["status"]:
                    await conn.execute(
                        "UPDATE work_orders SET canceled_quantity = $2, status = $3"
                        " WHERE work_order_number = $1",
                        wo["work_order_number"],
                        canceled,
                        status,
                    )
                    await conn.execute(
                        "UPDATE supply_orders SET quantity = $2::numeric,"
                        " status = CASE WHEN $2::numeric = 0"
                        " THEN $3 ELSE status END WHERE supply_order_number = $1",
                        peg["supply_order_number"],
                        remaining,
                        SupplyStatus.CANCELED,
                    )
                    await append_event(
                        conn,
                        key=f"{key}:{wo['work_order_number']}",
                        type=EventType.WORK_ORDER_CHANGED,
                        order_number=order_number,
                        line_number=line_number,
                        data={
                            "work_order_number": wo["work_order_number"],
                            "canceled_quantity": json_quantity(canceled),
                            "remaining_quantity": json_quantity(remaining),
                            "status": status,
                        },
                    )
                changes.append(
                    SupplyChange(
                        document_number=wo["work_order_number"],
                        canceled_quantity=canceled,
                        remaining_quantity=remaining,
                        released_quantity=Decimal("0"),
                        document_status=status,
                    )
                )
        return changes

    async def close_for_line(self, *, key: str, order_number: str, line_number: int) -> None:
        """The line has shipped: its work orders and supply orders are done."""
        async with self._pool.acquire() as conn, conn.transaction():
            return await close_work_orders_in(
                conn, key=key, order_number=order_number, line_number=line_number
            )
