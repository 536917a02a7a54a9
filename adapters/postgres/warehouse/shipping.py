"""Shipping: pick waves, pick and ship confirmations, line cancellations and status."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import asyncpg

from adapters.errors import NotFound, Refusal
from adapters.postgres.common import Connection, ScanOutcome, lock_line, run_scan
from adapters.postgres.line import ledger as line_ledger
from adapters.postgres.line.ledger import ledger_of, line_flags, line_ids, public_ids
from adapters.postgres.line.phases import enter_phase_in
from adapters.postgres.orders.holds import refuse_if_held
from adapters.postgres.orders.lines import record_set_release
from adapters.postgres.outbox.events import append_event
from adapters.postgres.outbox.tell import tell
from adapters.postgres.warehouse.pick_waves import release_pick_wave
from adapters.postgres.warehouse.shipping_confirms import (
    backorder_canceled,
    cancel_reason_of,
    keep_backorder,
    refuse_unless_set_staged,
    scanned_line,
)
from domain.backorders import (
    after_shipment,
    at_confirm,
)
from domain.holds import HoldStep
from domain.line import EnterPhase, Ledger, Phase, Pick, Ship
from domain.models import (
    PickConfirmSignal,
    PickScanIn,
    RetrySignal,
    ShipConfirmSignal,
    ShipScanIn,
    json_quantity,
)
from domain.signals import (
    PICK_CONFIRMED,
    RETRY_REQUESTED,
    SHIP_CONFIRMED,
)
from domain.statuses import EventType, LineStatus

ZERO = Decimal(0)


class Shipping:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def pick_wave(
        self, *, organization: str, order_number: str | None
    ) -> tuple[dict[str, Any], list[int]]:
        """Release every line of the organization that is ready (`pick_waves.py`)."""
        async with self._pool.acquire() as conn, conn.transaction():
            return await release_pick_wave(
                conn, organization=organization, order_number=order_number
            )

    async def confirm_pick(self, scan: PickScanIn) -> ScanOutcome:
        async def apply(conn: Connection) -> tuple[dict[str, Any], list[int]]:
            line = await scanned_line(
                conn,
                scan,
                {
                    "picked_quantity": scan.picked_quantity,
                    "backordered_quantity": scan.backordered_quantity,
                },
            )
            # Seed 004: a line of a shipment set backordered at pick confirm is not canceled.
            backordered = (
                at_confirm(line_flags(line), backordered=scan.backordered_quantity)
                if line["shipment_set"] is None
                else ZERO
            )
            kept = scan.backordered_quantity - backordered
            fact = Pick(picked=scan.picked_quantity, kept=kept, canceled=backordered)
            line = await line_ledger.record(
                conn, line, fact, cancel_reason=cancel_reason_of(line, fact)
            )
            # Cancel first: the workflow learns of the smaller line before the pick.
            line, outbox = await backorder_canceled(conn, line, backordered, scan.scan_id)
            await keep_backorder(conn, line, kept, scan_id=scan.scan_id, picked=False)
            picked = line["picked_quantity"]
            status = line["status"]
            outbox.append(
                await tell(
                    conn,
                    line,
                    key=f"scan-{scan.scan_id}:pick",
                    event=EventType.PICK_CONFIRMED,
                    data={
                        "picked_quantity": json_quantity(scan.picked_quantity),
                        "total_picked": json_quantity(picked),
                    },
                    signal=PICK_CONFIRMED,
                    payload=PickConfirmSignal(
                        scan_id=scan.scan_id,
                        picked_quantity=scan.picked_quantity,
                        backordered_quantity=backordered,
                        kept_backordered_quantity=kept,
                        ledger=ledger_of(line),
                    ),
                )
            )
            return {
                "accepted": True,
                **public_ids(line),
                "line_status": status,
                "picked_quantity": json_quantity(picked),
                "canceled_quantity": json_quantity(line["canceled_quantity"]),
            }, outbox

        return await run_scan(self._pool, scan, kind="pick", apply=apply)

    async def confirm_ship(self, scan: ShipScanIn) -> ScanOutcome:
        async def apply(conn: Connection) -> tuple[dict[str, Any], list[int]]:
            line = await scanned_line(
                conn,
                scan,
                {
                    "shipped_quantity": scan.shipped_quantity,
                    "backordered_quantity": scan.backordered_quantity,
                },
            )
            await refuse_if_held(conn, line, HoldStep.SHIPPING)
            flags = line_flags(line)
            # A kit's component keeps what it backorders: kits are canceled whole.
            backordered = (
                at_confirm(flags, backordered=scan.backordered_quantity)
                if line["kit_line_number"] is None
                else ZERO
            )
            kept = scan.backordered_quantity - backordered
            ledger = line_ledger.ledger_of(line)
            # Backordered at ship confirm, and with single shipment or within the under
            # tolerance whatever else is still open: canceled with the shipment.
            rest = after_shipment(
                flags,
                open_quantity=ledger.open - backordered,
                shipped=ledger.shipped + scan.shipped_quantity,
                under_tolerance_pct=line["under_ship_tolerance_pct"],
            )
            fact = Ship(
                shipped=scan.shipped_quantity, kept=kept, canceled=backordered, rest_canceled=rest
            )
            if scan.shipped_quantity > 0:  # nothing shipped is refused by the ledger
                await refuse_unless_set_staged(conn, line)
            line = await line_ledger.record(
                conn, line, fact, cancel_reason=cancel_reason_of(line, fact)
            )
            await keep_backorder(conn, line, kept, scan_id=scan.scan_id, picked=True)
            line, outbox = await backorder_canceled(conn, line, backordered + rest, scan.scan_id)
            shipped = line["shipped_quantity"]
            status = line["status"]
            shipment = await conn.fetchval(
                "INSERT INTO shipments (shipment_number, scan_id, order_number, line_number,"
                " quantity) VALUES (document_number($1), $2, $3, $4, $5)"
                " RETURNING shipment_number",
                "SHP",
                scan.scan_id,
                line["order_number"],
                line["line_number"],
                scan.shipped_quantity,
            )
            outbox.append(
                await tell(
                    conn,
                    line,
                    key=f"scan-{scan.scan_id}:ship",
                    event=EventType.LINE_SHIPPED,
                    data={
                        "shipment_number": shipment,
                        "shipped_quantity": json_quantity(scan.shipped_quantity),
                        "total_shipped": json_quantity(shipped),
                    },
                    signal=SHIP_CONFIRMED,
                    payload=ShipConfirmSignal(
                        scan_id=scan.scan_id,
                        shipment_number=shipment,
                        shipped_quantity=scan.shipped_quantity,
                        backordered_quantity=backordered,
                        kept_backordered_quantity=kept,
                        ledger=ledger_of(line),
                    ),
                )
            )
            # Shipping consumes the on-hand the line's reservation was part of. Last: every
            # line of the item shares that row, held from here to the commit.
            await conn.execute(
                "UPDATE on_hand SET quantity = quantity - $3, reserved = reserved - $3"
                " WHERE item = $1 AND organization = $2",
                line["item_number"],
                line["organization"],
                scan.shipped_quantity,
            )
            return {
                "accepted": True,
                **public_ids(line),
                "line_status": status,
                "shipment_number": shipment,
                "shipped_quantity": json_quantity(shipped),
                "canceled_quantity": json_quantity(line["canceled_quantity"]),
            }, outbox

        return await run_scan(self._pool, scan, kind="ship", apply=apply)

    async def release_shipment_set(
        self, *, key: str, order_number: str, shipment_set: str, lines: list[int]
    ) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await record_set_release(
                conn, key=key, order_number=order_number, name=shipment_set, lines=lines
            )

    async def retry_line(
        self, *, order_number: str, line_number: int, request_id: str
    ) -> tuple[dict[str, Any], list[int]]:
        """Send a line that needed manual action back to scheduling."""
        async with self._pool.acquire() as conn, conn.transaction():
            line = await lock_line(conn, order_number, line_number)
            if line is None:
                raise NotFound(f"line {line_number} of order {order_number}")
            if line["status"] != LineStatus.MANUAL_ACTION_REQUIRED:
                raise Refusal(
                    409,
                    f"line {line_number} of order {order_number} is {line['status']};"
                    " only a line in MANUAL_ACTION_REQUIRED can be retried",
                )
            if not line["back_to_back"]:
                raise Refusal(
                    409,
                    f"line {line_number} of order {order_number} is not back-to-back;"
                    " retrying cannot change that; it can be canceled",
                )
            line = await line_ledger.record(conn, line, EnterPhase(Phase.BOOKED))
            outbox = [
                await tell(
                    conn,
                    line,
                    key=f"retry-{request_id}",
                    event=EventType.LINE_RETRIED,
                    data={},
                    signal=RETRY_REQUESTED,
                    payload=RetrySignal(request_id=request_id, ledger=ledger_of(line)),
                )
            ]
            return {**line_ids(line), "line_status": LineStatus.BOOKED}, outbox

    async def set_status(
        self,
        *,
        key: str,
        order_number: str,
        line_number: int,
        status: LineStatus,
        event: EventType | None = None,
        data: dict[str, Any] | None = None,
    ) -> Ledger:
        """Record a status the workflow reached on its own (manual action, billing, closed);
        answers the line's ledger after it."""
        async with self._pool.acquire() as conn, conn.transaction():
            return await enter_phase_in(
                conn,
                key=key,
                order_number=order_number,
                line_number=line_number,
                status=status,
                event=event,
                data=data,
            )

    async def order_event(
        self, *, key: str, order_number: str, event: EventType, data: dict[str, Any]
    ) -> None:
        async with self._pool.acquire() as conn:
            await append_event(
                conn, key=key, type=event, order_number=order_number, line_number=None, data=data
            )

    async def line_event(
        self,
        *,
        key: str,
        order_number: str,
        line_number: int,
        event: EventType,
        data: dict[str, Any],
    ) -> None:
        async with self._pool.acquire() as conn:
            await append_event(
                conn,
                key=key,
                type=event,
                order_number=order_number,
                line_number=line_number,
                data=data,
            )
