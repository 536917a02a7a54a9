"""A kit line's steps as its workflow runs them: its progress, and its close once every
component is done (whole kits shipped and the rest canceled recorded on the kit line, the
AR invoice for the kits shipped at the kit's price)."""

from __future__ import annotations

from typing import Any

import asyncpg

from adapters.postgres.billing.invoices import ar_invoice_in
from adapters.postgres.common import Connection, lock_line
from adapters.postgres.kits.lines import kit_progress_in
from adapters.postgres.line import ledger as line_ledger
from adapters.postgres.line.ledger import ledger_of, line_ids
from adapters.postgres.line.phases import enter_phase_in
from adapters.postgres.orders.credit import reauthorize
from adapters.postgres.outbox.events import append_event
from domain.kits import whole_kits
from domain.line import Cancel, KitShipped
from domain.models import LineInput, json_quantity
from domain.models.kits import KitClosed, KitProgress
from domain.statuses import EventType, LineStatus

COMPONENTS_NOT_SHIPPED = "its components did not ship them"


async def _cancel_rest(conn: Connection, kit: Any, *, key: str) -> Any:
    """The kits still open when every component is done did not ship: canceled."""
    rest = ledger_of(kit).to_ship
    if rest <= 0:
        return kit
    kit = await line_ledger.record(conn, kit, Cancel(rest), cancel_reason=COMPONENTS_NOT_SHIPPED)
    await reauthorize(conn, kit["order_number"], key=f"{key}:rest")
    remaining = ledger_of(kit).open
    await append_event(
        conn,
        key=f"{key}:rest",
        type=EventType.LINE_QUANTITY_REDUCED if remaining > 0 else EventType.LINE_CANCELED,
        **line_ids(kit),
        data={
            "canceled_quantity": json_quantity(rest),
            "remaining_quantity": json_quantity(remaining),
            "reason": COMPONENTS_NOT_SHIPPED,
        },
    )
    return kit


async def close_kit_in(conn: Connection, *, key: str, line: LineInput) -> KitClosed:
    kit = await lock_line(conn, line.order_number, line.line_number)
    components = await conn.fetch(
        "SELECT shipped_quantity, per_kit FROM fulfillment_lines WHERE order_number = $1"
        " AND kit_line_number = $2",
        line.order_number,
        line.line_number,
    )
    shipped = whole_kits([(r["shipped_quantity"], r["per_kit"]) for r in components])
    q = ledger_of(kit)
    if shipped > q.shipped:
        kit = await line_ledger.record(conn, kit, KitShipped(shipped - q.shipped))
    canceled = ledger_of(kit).to_ship
    kit = await _cancel_rest(conn, kit, key=key)
    ar = None
    if ledger_of(kit).shipped > 0:
        # Run again after the kit closed (its answer lost), it only answers the invoice.
        if kit["status"] != LineStatus.CLOSED:
            await enter_phase_in(
                conn,
                key=f"{key}:billing",
                order_number=line.order_number,
                line_number=line.line_number,
                status=LineStatus.AWAITING_BILLING,
            )
        invoice = await ar_invoice_in(conn, key=f"{key}:ar-invoice", line=line)
        ar = invoice if invoice.invoice_number else None
        kit = await lock_line(conn, line.order_number, line.line_number)
    return KitClosed(shipped=shipped, canceled=canceled, ar_invoice=ar, ledger=ledger_of(kit))


class KitLines:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def kit_progress(self, *, order_number: str, line_number: int) -> KitProgress:
        async with self._pool.acquire() as conn, conn.transaction():
            return await kit_progress_in(conn, order_number=order_number, line_number=line_number)

    async def close_kit(self, *, key: str, line: LineInput) -> KitClosed:
        async with self._pool.acquire() as conn, conn.transaction():
            return await close_kit_in(conn, key=key, line=line)
