"""Shipping: pick waves, pick and ship confirmations, line cancellations and status."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import asyncpg

from adapters.errors import NotFound, Refusal
from adapters.postgres.common import (
    Connection,
    ScanOutcome,
    append_event,
    enqueue_signal,
    lock_line,
    next_document_number,
    run_scan,
)
from domain.models import (
    CancelSignal,
    PickConfirmSignal,
    PickReleaseSignal,
    PickScanIn,
    RetrySignal,
    ShipConfirmSignal,
    ShipScanIn,
    json_quantity,
)
from domain.signals import (
    CANCEL_REQUESTED,
    PICK_CONFIRMED,
    PICK_RELEASED,
    RETRY_REQUESTED,
    SHIP_CONFIRMED,
)
from domain.statuses import SHIPPED_LINE_STATUSES, EventType, LineStatus

# Shortages at pick or ship confirm are handled by the backorder rules, which are not part
# of this release; until then a short pick or ship is refused rather than half-applied.
BACKORDERS_NOT_SUPPORTED = (
    "backordered_quantity: backorders at pick or ship confirm are not supported yet;"
    " send 0 and confirm the quantity that is there"
)


def _ids(line: Any) -> dict[str, Any]:
    return {"order_number": line["order_number"], "line_number": line["line_number"]}


async def _scanned_line(conn: Connection, order_number: str, line_number: int) -> Any:
    line = await lock_line(conn, order_number, line_number)
    if line is None:
        raise Refusal(422, f"line {line_number} of order {order_number} does not exist")
    if line["status"] == LineStatus.CANCELED:
        raise Refusal(409, f"line {line_number} of order {order_number} is canceled")
    return line


class Shipping:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def pick_wave(
        self, *, organization: str, order_number: str | None
    ) -> tuple[dict[str, Any], list[int]]:
        """Release every line of the organization that is fully reserved and not yet
        released. Lines locked by a concurrent wave are left to that wave."""
        async with self._pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval("SELECT 1 FROM organizations WHERE code = $1", organization):
                raise Refusal(422, f"organization: unknown organization {organization!r}")
            lines = await conn.fetch(
                "SELECT * FROM fulfillment_lines WHERE organization = $1 AND status = $2"
                " AND ($3::text IS NULL OR order_number = $3)"
                " ORDER BY order_number, line_number FOR UPDATE SKIP LOCKED",
                organization,
                LineStatus.AWAITING_SHIPPING,
                order_number,
            )
            if not lines:
                return {"wave_number": None, "organization": organization, "lines": []}, []
            wave = await next_document_number(conn, "WAVE")
            await conn.execute(
                "INSERT INTO pick_waves (wave_number, organization, order_number)"
                " VALUES ($1, $2, $3)",
                wave,
                organization,
                order_number,
            )
            released: list[dict[str, Any]] = []
            outbox: list[int] = []
            for line in lines:
                quantity = (
                    line["ordered_quantity"] - line["canceled_quantity"] - line["shipped_quantity"]
                )
                await conn.execute(
                    "INSERT INTO pick_releases (wave_number, order_number, line_number, quantity)"
                    " VALUES ($1, $2, $3, $4)",
                    wave,
                    line["order_number"],
                    line["line_number"],
                    quantity,
                )
                await conn.execute(
                    "UPDATE fulfillment_lines SET status = $3, released_quantity = $4,"
                    " updated_at = now() WHERE order_number = $1 AND line_number = $2",
                    line["order_number"],
                    line["line_number"],
                    LineStatus.PICK_RELEASED,
                    quantity,
                )
                await append_event(
                    conn,
                    key=f"{wave}:{line['workflow_id']}",
                    type=EventType.PICK_RELEASED,
                    **_ids(line),
                    data={"wave_number": wave, "quantity": json_quantity(quantity)},
                )
                outbox.append(
                    await enqueue_signal(
                        conn,
                        workflow_id=line["workflow_id"],
                        signal=PICK_RELEASED,
                        payload=PickReleaseSignal(wave_number=wave, quantity=quantity),
                    )
                )
                released.append(
                    {
                        **_ids(line),
                        "released_quantity": json_quantity(quantity),
                        "backordered_quantity": 0,
                    }
                )
            return {"wave_number": wave, "organization": organization, "lines": released}, outbox

    async def confirm_pick(self, scan: PickScanIn) -> ScanOutcome:
        async def apply(conn: Connection) -> tuple[dict[str, Any], list[int]]:
            line = await _scanned_line(conn, scan.order_number, scan.line_number)
            if scan.backordered_quantity > 0:
                raise Refusal(422, BACKORDERS_NOT_SUPPORTED)
            if line["status"] not in (LineStatus.PICK_RELEASED,):
                raise Refusal(
                    409, f"line is {line['status']}, not PICK_RELEASED: nothing released to pick"
                )
            to_pick = line["released_quantity"] - line["picked_quantity"]
            if scan.picked_quantity <= 0:
                raise Refusal(422, "picked_quantity: must be greater than 0")
            if scan.picked_quantity > to_pick:
                raise Refusal(
                    409,
                    f"picked_quantity: {json_quantity(scan.picked_quantity)} is more than the"
                    f" {json_quantity(to_pick)} released and not yet picked",
                )
            picked = line["picked_quantity"] + scan.picked_quantity
            status = LineStatus.STAGED if picked >= line["released_quantity"] else line["status"]
            await conn.execute(
                "UPDATE fulfillment_lines SET picked_quantity = $3, status = $4,"
                " updated_at = now() WHERE order_number = $1 AND line_number = $2",
                scan.order_number,
                scan.line_number,
                picked,
                status,
            )
            await append_event(
                conn,
                key=f"scan-{scan.scan_id}:pick",
                type=EventType.PICK_CONFIRMED,
                **_ids(line),
                data={
                    "picked_quantity": json_quantity(scan.picked_quantity),
                    "total_picked": json_quantity(picked),
                },
            )
            outbox = [
                await enqueue_signal(
                    conn,
                    workflow_id=line["workflow_id"],
                    signal=PICK_CONFIRMED,
                    payload=PickConfirmSignal(
                        scan_id=scan.scan_id, picked_quantity=scan.picked_quantity
                    ),
                )
            ]
            return {
                "accepted": True,
                **_ids(line),
                "line_status": status,
                "picked_quantity": json_quantity(picked),
            }, outbox

        return await run_scan(self._pool, scan, kind="pick", apply=apply)

    async def confirm_ship(self, scan: ShipScanIn) -> ScanOutcome:
        async def apply(conn: Connection) -> tuple[dict[str, Any], list[int]]:
            line = await _scanned_line(conn, scan.order_number, scan.line_number)
            if scan.backordered_quantity > 0:
                raise Refusal(422, BACKORDERS_NOT_SUPPORTED)
            staged = line["picked_quantity"] - line["shipped_quantity"]
            if scan.shipped_quantity <= 0:
                raise Refusal(422, "shipped_quantity: must be greater than 0")
            if staged <= 0:
                raise Refusal(409, f"line is {line['status']}: nothing is staged to ship")
            if scan.shipped_quantity > staged:
                raise Refusal(
                    409,
                    f"shipped_quantity: {json_quantity(scan.shipped_quantity)} is more than"
                    f" the {json_quantity(staged)} picked and staged",
                )
            shipped = line["shipped_quantity"] + scan.shipped_quantity
            open_quantity = line["ordered_quantity"] - line["canceled_quantity"]
            status = LineStatus.SHIPPED if shipped >= open_quantity else line["status"]
            shipment = await next_document_number(conn, "SHP")
            await conn.execute(
                "INSERT INTO shipments (shipment_number, scan_id, order_number, line_number,"
                " quantity) VALUES ($1, $2, $3, $4, $5)",
                shipment,
                scan.scan_id,
                scan.order_number,
                scan.line_number,
                scan.shipped_quantity,
            )
            # Shipping consumes the reservation and the on-hand it was part of.
            await conn.execute(
                "UPDATE fulfillment_lines SET shipped_quantity = $3, status = $4,"
                " reserved_quantity = reserved_quantity - $5, updated_at = now()"
                " WHERE order_number = $1 AND line_number = $2",
                scan.order_number,
                scan.line_number,
                shipped,
                status,
                scan.shipped_quantity,
            )
            await conn.execute(
                "UPDATE on_hand SET quantity = quantity - $3, reserved = reserved - $3"
                " WHERE item = $1 AND organization = $2",
                line["item_number"],
                line["organization"],
                scan.shipped_quantity,
            )
            await append_event(
                conn,
                key=f"scan-{scan.scan_id}:ship",
                type=EventType.LINE_SHIPPED,
                **_ids(line),
                data={
                    "shipment_number": shipment,
                    "shipped_quantity": json_quantity(scan.shipped_quantity),
                    "total_shipped": json_quantity(shipped),
                },
            )
            outbox = [
                await enqueue_signal(
                    conn,
                    workflow_id=line["workflow_id"],
                    signal=SHIP_CONFIRMED,
                    payload=ShipConfirmSignal(
                        scan_id=scan.scan_id,
                        shipment_number=shipment,
                        shipped_quantity=scan.shipped_quantity,
                    ),
                )
            ]
            return {
                "accepted": True,
                **_ids(line),
                "line_status": status,
                "shipment_number": shipment,
                "shipped_quantity": json_quantity(shipped),
            }, outbox

        return await run_scan(self._pool, scan, kind="ship", apply=apply)

    async def cancel_line(
        self,
        *,
        order_number: str,
        line_number: int,
        quantity: Decimal | None,
        reason: str,
        request_id: str,
    ) -> tuple[dict[str, Any], list[int]]:
        async with self._pool.acquire() as conn, conn.transaction():
            return await self._cancel(conn, order_number, line_number, quantity, reason, request_id)

    async def cancel_order(
        self, *, order_number: str, reason: str, request_id: str
    ) -> tuple[dict[str, Any], list[int]]:
        """Cancel every open line; lines that shipped are left as they are and listed."""
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                "SELECT line_number, status, shipped_quantity FROM fulfillment_lines"
                " WHERE order_number = $1 ORDER BY line_number FOR UPDATE",
                order_number,
            )
            if not rows:
                raise NotFound(f"order {order_number}")
            canceled, skipped, outbox = [], [], []
            for row in rows:
                if row["status"] == LineStatus.CANCELED:
                    continue
                if row["status"] in SHIPPED_LINE_STATUSES or row["shipped_quantity"] > 0:
                    skipped.append(
                        {"line_number": row["line_number"], "reason": f"line is {row['status']}"}
                    )
                    continue
                body, ids = await self._cancel(
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

    async def _cancel(
        self,
        conn: Connection,
        order_number: str,
        line_number: int,
        quantity: Decimal | None,
        reason: str,
        request_id: str,
    ) -> tuple[dict[str, Any], list[int]]:
        line = await lock_line(conn, order_number, line_number)
        if line is None:
            raise NotFound(f"line {line_number} of order {order_number}")
        if line["status"] == LineStatus.CANCELED:
            raise Refusal(409, f"line {line_number} of order {order_number} is already canceled")
        if line["status"] in SHIPPED_LINE_STATUSES or line["shipped_quantity"] > 0:
            raise Refusal(
                409,
                f"line {line_number} of order {order_number} has shipped and"
                " can no longer be canceled",
            )
        open_quantity = line["ordered_quantity"] - line["canceled_quantity"]
        quantity = open_quantity if quantity is None else quantity
        if quantity > open_quantity:
            raise Refusal(
                422,
                f"quantity: {json_quantity(quantity)} is more than the"
                f" {json_quantity(open_quantity)} open on the line",
                field="quantity",
            )
        remaining = open_quantity - quantity
        full = remaining == 0
        released = min(line["released_quantity"], remaining)
        picked = min(line["picked_quantity"], remaining)
        status = line["status"]
        if full:
            status = LineStatus.CANCELED
        elif status in (LineStatus.PICK_RELEASED, LineStatus.STAGED):
            status = LineStatus.STAGED if picked >= released else LineStatus.PICK_RELEASED
        elif status in (
            LineStatus.BOOKED,
            LineStatus.AWAITING_SUPPLY,
            LineStatus.BACKORDERED,
        ) and (line["reserved_quantity"] >= remaining):
            status = LineStatus.AWAITING_SHIPPING
        await conn.execute(
            "UPDATE fulfillment_lines SET canceled_quantity = canceled_quantity + $3,"
            " released_quantity = $4, picked_quantity = $5, status = $6, cancel_reason = $7,"
            " updated_at = now() WHERE order_number = $1 AND line_number = $2",
            order_number,
            line_number,
            quantity,
            released,
            picked,
            status,
            reason,
        )
        await append_event(
            conn,
            key=f"cancel-{request_id}:{line['workflow_id']}",
            type=EventType.LINE_CANCELED if full else EventType.LINE_QUANTITY_REDUCED,
            **_ids(line),
            data={
                "canceled_quantity": json_quantity(quantity),
                "remaining_quantity": json_quantity(remaining),
                "reason": reason,
            },
        )
        outbox = [
            await enqueue_signal(
                conn,
                workflow_id=line["workflow_id"],
                signal=CANCEL_REQUESTED,
                payload=CancelSignal(
                    request_id=request_id, quantity=quantity, reason=reason, full=full
                ),
            )
        ]
        return {
            **_ids(line),
            "canceled_quantity": json_quantity(quantity),
            "remaining_quantity": json_quantity(remaining),
            "line_status": status,
            "reason": reason,
        }, outbox

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
            await conn.execute(
                "UPDATE fulfillment_lines SET status = $3, updated_at = now()"
                " WHERE order_number = $1 AND line_number = $2",
                order_number,
                line_number,
                LineStatus.BOOKED,
            )
            await append_event(
                conn,
                key=f"retry-{request_id}",
                type=EventType.LINE_RETRIED,
                **_ids(line),
                data={},
            )
            outbox = [
                await enqueue_signal(
                    conn,
                    workflow_id=line["workflow_id"],
                    signal=RETRY_REQUESTED,
                    payload=RetrySignal(request_id=request_id),
                )
            ]
            return {**_ids(line), "line_status": LineStatus.BOOKED}, outbox

    async def set_status(
        self,
        *,
        key: str,
        order_number: str,
        line_number: int,
        status: LineStatus,
        event: EventType | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Record a status the workflow reached on its own (manual action, billing, closed)."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "UPDATE fulfillment_lines SET status = $3, updated_at = now()"
                " WHERE order_number = $1 AND line_number = $2 AND status <> $4",
                order_number,
                line_number,
                status,
                LineStatus.CANCELED,
            )
            if event is not None:
                await append_event(
                    conn,
                    key=key,
                    type=event,
                    order_number=order_number,
                    line_number=line_number,
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
