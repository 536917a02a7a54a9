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
    flag_parameter,
    lock_line,
    next_document_number,
    run_scan,
)
from adapters.postgres.credit import reauthorize
from domain.backorders import (
    LineFlags,
    WaveLine,
    after_shipment,
    at_confirm,
    backorder_reason,
    is_reserved_reason,
    plan_wave,
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

SUPPLY_PARAMETER = "cancel_supply_when_canceling_backorders"
SHIPMENT_SETS_PARAMETER = "enforce_shipment_sets"
# Where a partly shipped line waits for the rest of its quantity (a backorder kept open).
BACK_FROM_BACKORDER = frozenset(
    {LineStatus.BACKORDERED, LineStatus.AWAITING_SUPPLY, LineStatus.AWAITING_SHIPPING}
)


def _flags(line: Any) -> LineFlags:
    return LineFlags(
        cancel_backorders=line["cancel_backorders"],
        enforce_single_shipment=line["enforce_single_shipment"],
    )


ZERO = Decimal(0)


def _open(line: Any) -> Decimal:
    return line["ordered_quantity"] - line["canceled_quantity"]


def _ids(line: Any) -> dict[str, Any]:
    return {"order_number": line["order_number"], "line_number": line["line_number"]}


async def _scanned_line(conn: Connection, order_number: str, line_number: int) -> Any:
    line = await lock_line(conn, order_number, line_number)
    if line is None:
        raise Refusal(422, f"line {line_number} of order {order_number} does not exist")
    if line["status"] == LineStatus.CANCELED:
        raise Refusal(409, f"line {line_number} of order {order_number} is canceled")
    return line


async def _refuse_unless_set_staged(conn: Connection, line: Any) -> None:
    """With Enforce Shipment Sets, a line of a set ships only once its order workflow has
    released the set: every open line of it picked and staged (or already shipped)."""
    if line["shipment_set"] is None or not await flag_parameter(
        conn, SHIPMENT_SETS_PARAMETER, default=False
    ):
        return
    if await conn.fetchval(
        "SELECT 1 FROM shipment_set_releases WHERE order_number = $1 AND shipment_set = $2",
        line["order_number"],
        line["shipment_set"],
    ):
        return
    # Read, not locked: a set line can only move on from STAGED or be canceled, and
    # neither lets this shipment break the set.
    waiting = await conn.fetch(
        "SELECT line_number, status FROM fulfillment_lines WHERE order_number = $1"
        " AND shipment_set = $2 AND line_number <> $3 AND status <> ALL($4::text[])"
        " ORDER BY line_number",
        line["order_number"],
        line["shipment_set"],
        line["line_number"],
        [LineStatus.STAGED, LineStatus.CANCELED, *SHIPPED_LINE_STATUSES],
    )
    if waiting:
        held = ", ".join(f"line {r['line_number']} is {r['status']}" for r in waiting)
        raise Refusal(
            409,
            f"shipment set {line['shipment_set']} ships together (Enforce Shipment Sets):"
            f" {held}, not STAGED",
        )
    raise Refusal(
        409,
        f"shipment set {line['shipment_set']} is staged and about to be released by its"
        " order; scan again in a moment",
    )


async def _keep_backorder(
    conn: Connection, line: Any, quantity: Decimal, *, scan_id: str, picked: bool
) -> Any:
    """Goods the warehouse did not find at pick confirm, or could not ship from what was
    staged, on a line that keeps its backorders (no Cancel Backorders, or a shipment set at
    pick confirm): they leave on-hand and the line's reservation, and the line is owed them
    again (new supply, or stock). Returns the updated row."""
    await conn.execute(
        "UPDATE on_hand SET quantity = quantity - $3, reserved = reserved - $3"
        " WHERE item = $1 AND organization = $2",
        line["item_number"],
        line["organization"],
        quantity,
    )
    updated = await conn.fetchrow(
        "UPDATE fulfillment_lines SET reserved_quantity = reserved_quantity - $3,"
        " released_quantity = released_quantity - $3, picked_quantity = picked_quantity - $4,"
        " updated_at = now() WHERE order_number = $1 AND line_number = $2 RETURNING *",
        line["order_number"],
        line["line_number"],
        quantity,
        quantity if picked else ZERO,
    )
    await append_event(
        conn,
        key=f"scan-{scan_id}:backordered",
        type=EventType.LINE_BACKORDERED,
        **_ids(line),
        data={
            "backordered_quantity": json_quantity(quantity),
            "at": "ship confirm" if picked else "pick confirm",
            "kept_open": True,
        },
    )
    return updated


def _status_after(line: Any, **now: Any) -> LineStatus:
    """Where a line stands after a pick or ship confirm (`now` overrides the row's
    quantities with what the scan makes them)."""
    q = {**dict(line), **{f"{k}_quantity": v for k, v in now.items()}}
    open_quantity = q["ordered_quantity"] - q["canceled_quantity"]
    if q["shipped_quantity"] >= open_quantity:
        return LineStatus.SHIPPED
    if q["picked_quantity"] > q["shipped_quantity"]:
        staged = q["picked_quantity"] >= q["released_quantity"]
        return LineStatus.STAGED if staged else LineStatus.PICK_RELEASED
    if q["released_quantity"] > q["picked_quantity"]:
        return LineStatus.PICK_RELEASED
    if q["reserved_quantity"] >= open_quantity - q["shipped_quantity"]:
        return LineStatus.AWAITING_SHIPPING
    return LineStatus.AWAITING_SUPPLY if line["back_to_back"] else LineStatus.BACKORDERED


def _wave_line(row: Any, organization: str) -> WaveLine:
    ready = row["status"] == LineStatus.AWAITING_SHIPPING or (
        row["status"] == LineStatus.BACKORDERED and not row["back_to_back"]
    )
    return WaveLine(
        order_number=row["order_number"],
        line_number=row["line_number"],
        shipment_set=row["shipment_set"],
        flags=_flags(row),
        to_ship=_open(row) - row["shipped_quantity"],
        reserved=row["reserved_quantity"],
        candidate=ready and row["organization"] == organization,
    )


def _wave_answer(
    key: tuple[str, int], released: Decimal, backordered: Decimal, *, canceled: bool = False
) -> dict[str, Any]:
    return {
        "order_number": key[0],
        "line_number": key[1],
        "released_quantity": json_quantity(released),
        "backordered_quantity": json_quantity(backordered),
        "backorder_canceled": canceled,
    }


class Shipping:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def pick_wave(
        self, *, organization: str, order_number: str | None
    ) -> tuple[dict[str, Any], list[int]]:
        """Release every line of the organization that is fully reserved and not yet
        released. A line shipped from stock that waits for stock (BACKORDERED) and cancels
        backorders is released with what is reserved and the rest canceled, or, in a
        shipment set, its whole set is canceled (`domain.backorders.plan_wave`); without the
        flag it keeps waiting and is listed with its backordered quantity.

        All lines of the orders concerned are locked in (order, line) order, like every
        other path that locks lines, so a set is judged whole. A line locked by a scan or
        an activity is waited for, not skipped; a concurrent wave's lines are PICK_RELEASED
        once it commits, and the re-read rows leave them out."""
        async with self._pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval("SELECT 1 FROM organizations WHERE code = $1", organization):
                raise Refusal(422, f"organization: unknown organization {organization!r}")
            orders = await conn.fetchval(
                "SELECT coalesce(array_agg(DISTINCT order_number), '{}') FROM fulfillment_lines"
                " WHERE organization = $1 AND (status = $2 OR (status = $3 AND NOT back_to_back))"
                " AND ($4::text IS NULL OR order_number = $4)",
                organization,
                LineStatus.AWAITING_SHIPPING,
                LineStatus.BACKORDERED,
                order_number,
            )
            rows = await conn.fetch(
                "SELECT * FROM fulfillment_lines WHERE order_number = ANY($1::text[])"
                " ORDER BY order_number, line_number FOR UPDATE",
                orders,
            )
            by_key = {(r["order_number"], r["line_number"]): r for r in rows}
            plan = plan_wave([_wave_line(r, organization) for r in rows])
            if not plan.release and not plan.cancel:
                return {
                    "wave_number": None,
                    "organization": organization,
                    "lines": [_wave_answer(k, ZERO, q) for k, q in plan.waiting.items()],
                }, []
            wave = await next_document_number(conn, "WAVE")
            await conn.execute(
                "INSERT INTO pick_waves (wave_number, organization, order_number)"
                " VALUES ($1, $2, $3)",
                wave,
                organization,
                order_number,
            )
            outbox: list[int] = []
            for key, quantity in plan.cancel.items():
                line = by_key[key]
                status = LineStatus.PICK_RELEASED if key in plan.release else line["status"]
                _, ids = await self._record_cancel(
                    conn,
                    line,
                    quantity,
                    request_id=f"{wave}:backorder",
                    status=status,
                    backorder=True,
                )
                outbox += ids
            for key, quantity in plan.release.items():
                line = by_key[key]
                await conn.execute(
                    "INSERT INTO pick_releases (wave_number, order_number, line_number, quantity)"
                    " VALUES ($1, $2, $3, $4)",
                    wave,
                    line["order_number"],
                    line["line_number"],
                    quantity,
                )
                # Released counts up: a line sent back for a backorder is released again.
                await conn.execute(
                    "UPDATE fulfillment_lines SET status = $3,"
                    " released_quantity = shipped_quantity + $4,"
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
            answered = sorted(set(plan.release) | set(plan.cancel) | set(plan.waiting))
            return {
                "wave_number": wave,
                "organization": organization,
                "lines": [
                    _wave_answer(
                        key,
                        plan.release.get(key, ZERO),
                        plan.cancel.get(key, plan.waiting.get(key, ZERO)),
                        canceled=key in plan.cancel,
                    )
                    for key in answered
                ],
            }, outbox

    async def confirm_pick(self, scan: PickScanIn) -> ScanOutcome:
        async def apply(conn: Connection) -> tuple[dict[str, Any], list[int]]:
            line = await _scanned_line(conn, scan.order_number, scan.line_number)
            # Seed 004: a line of a shipment set backordered at pick confirm is not canceled.
            backordered = (
                at_confirm(_flags(line), backordered=scan.backordered_quantity)
                if line["shipment_set"] is None
                else ZERO
            )
            kept = scan.backordered_quantity - backordered
            if line["status"] not in (LineStatus.PICK_RELEASED,):
                raise Refusal(
                    409, f"line is {line['status']}, not PICK_RELEASED: nothing released to pick"
                )
            to_pick = line["released_quantity"] - line["picked_quantity"]
            if scan.picked_quantity <= 0 and scan.backordered_quantity <= 0:
                raise Refusal(422, "picked_quantity: must be greater than 0")
            if scan.picked_quantity + scan.backordered_quantity > to_pick:
                raise Refusal(
                    409,
                    f"picked_quantity: {json_quantity(scan.picked_quantity)} picked and"
                    f" {json_quantity(scan.backordered_quantity)} backordered is more than the"
                    f" {json_quantity(to_pick)} released and not yet picked",
                )
            picked = line["picked_quantity"] + scan.picked_quantity
            # Cancel first: the workflow learns of the smaller line before the pick.
            line, outbox = await self._cancel_for_scan(conn, line, backordered, scan.scan_id)
            status = LineStatus.STAGED if picked >= line["released_quantity"] else line["status"]
            if kept > 0:
                line = await _keep_backorder(conn, line, kept, scan_id=scan.scan_id, picked=False)
                status = _status_after(line, picked=picked)
            if _open(line) <= 0:
                status = LineStatus.CANCELED
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
            outbox.append(
                await enqueue_signal(
                    conn,
                    workflow_id=line["workflow_id"],
                    signal=PICK_CONFIRMED,
                    payload=PickConfirmSignal(
                        scan_id=scan.scan_id,
                        picked_quantity=scan.picked_quantity,
                        backordered_quantity=backordered,
                        kept_backordered_quantity=kept,
                    ),
                )
            )
            return {
                "accepted": True,
                **_ids(line),
                "line_status": status,
                "picked_quantity": json_quantity(picked),
                "canceled_quantity": json_quantity(line["canceled_quantity"]),
            }, outbox

        return await run_scan(self._pool, scan, kind="pick", apply=apply)

    async def confirm_ship(self, scan: ShipScanIn) -> ScanOutcome:
        async def apply(conn: Connection) -> tuple[dict[str, Any], list[int]]:
            line = await _scanned_line(conn, scan.order_number, scan.line_number)
            flags = _flags(line)
            backordered = at_confirm(flags, backordered=scan.backordered_quantity)
            kept = scan.backordered_quantity - backordered
            staged = line["picked_quantity"] - line["shipped_quantity"]
            if scan.shipped_quantity <= 0:
                raise Refusal(422, "shipped_quantity: must be greater than 0")
            await _refuse_unless_set_staged(conn, line)
            if staged <= 0:
                raise Refusal(409, f"line is {line['status']}: nothing is staged to ship")
            if scan.shipped_quantity + scan.backordered_quantity > staged:
                raise Refusal(
                    409,
                    f"shipped_quantity: {json_quantity(scan.shipped_quantity)} shipped and"
                    f" {json_quantity(scan.backordered_quantity)} backordered is more than the"
                    f" {json_quantity(staged)} picked and staged",
                )
            shipped = line["shipped_quantity"] + scan.shipped_quantity
            if kept > 0:
                line = await _keep_backorder(conn, line, kept, scan_id=scan.scan_id, picked=True)
            # Backordered at ship confirm, and with single shipment whatever else is still
            # open: canceled in this transaction, before the shipment is recorded.
            to_cancel = backordered + after_shipment(
                flags,
                open_quantity=_open(line) - backordered,
                shipped=shipped,
                under_tolerance_pct=line["under_ship_tolerance_pct"],
            )
            line, outbox = await self._cancel_for_scan(conn, line, to_cancel, scan.scan_id)
            # SHIPPED, still STAGED, or back to waiting for a backorder kept open earlier.
            status = _status_after(
                line, shipped=shipped, reserved=line["reserved_quantity"] - scan.shipped_quantity
            )
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
            outbox.append(
                await enqueue_signal(
                    conn,
                    workflow_id=line["workflow_id"],
                    signal=SHIP_CONFIRMED,
                    payload=ShipConfirmSignal(
                        scan_id=scan.scan_id,
                        shipment_number=shipment,
                        shipped_quantity=scan.shipped_quantity,
                        backordered_quantity=backordered,
                        kept_backordered_quantity=kept,
                    ),
                )
            )
            return {
                "accepted": True,
                **_ids(line),
                "line_status": status,
                "shipment_number": shipment,
                "shipped_quantity": json_quantity(shipped),
                "canceled_quantity": json_quantity(line["canceled_quantity"]),
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
        if line["status"] == LineStatus.CANCELED:
            raise Refusal(409, f"line {line_number} of order {order_number} is already canceled")
        shipped = line["shipped_quantity"]
        if line["status"] in SHIPPED_LINE_STATUSES or (
            shipped > 0 and line["status"] not in BACK_FROM_BACKORDER
        ):
            raise Refusal(
                409,
                f"line {line_number} of order {order_number} has shipped and"
                " can no longer be canceled",
            )
        # A partly shipped line waiting for its backorder may give up what is not shipped.
        open_quantity = line["ordered_quantity"] - line["canceled_quantity"] - shipped
        quantity = open_quantity if quantity is None else quantity
        if quantity > open_quantity:
            raise Refusal(
                422,
                f"quantity: {json_quantity(quantity)} is more than the"
                f" {json_quantity(open_quantity)} open on the line"
                + (f" ({json_quantity(shipped)} shipped)" if shipped else ""),
                field="quantity",
            )
        remaining = open_quantity - quantity
        full = remaining == 0
        released = min(line["released_quantity"], remaining)
        picked = min(line["picked_quantity"], remaining)
        status = line["status"]
        if full and shipped > 0:
            status = LineStatus.SHIPPED  # what shipped is all the line is now
        elif full:
            status = LineStatus.CANCELED
        elif status in (LineStatus.PICK_RELEASED, LineStatus.STAGED):
            status = LineStatus.STAGED if picked >= released else LineStatus.PICK_RELEASED
        elif status in (
            LineStatus.BOOKED,
            LineStatus.AWAITING_SUPPLY,
            LineStatus.BACKORDERED,
        ) and (line["reserved_quantity"] >= remaining):
            status = LineStatus.AWAITING_SHIPPING
        if reason_given:
            await conn.execute(
                "UPDATE fulfillment_lines SET person_cancel_reason = $3"
                " WHERE order_number = $1 AND line_number = $2",
                order_number,
                line_number,
                reason,
            )
        _, outbox = await self._record_cancel(
            conn, line, quantity, request_id=request_id, status=status, reason=reason
        )
        return {
            **_ids(line),
            "canceled_quantity": json_quantity(quantity),
            "remaining_quantity": json_quantity(remaining + shipped),
            "line_status": status,
            "reason": reason,
        }, outbox

    async def _cancel_for_scan(
        self, conn: Connection, line: Any, quantity: Decimal, scan_id: str
    ) -> tuple[Any, list[int]]:
        """Shipping's backorder cancel of `quantity` (when there is any) inside a pick or
        ship confirm; returns the line as it now is and the outbox ids."""
        if quantity <= 0:
            return line, []
        return await self._record_cancel(
            conn,
            line,
            quantity,
            request_id=f"scan-{scan_id}",
            status=line["status"],
            backorder=True,
        )

    async def _record_cancel(
        self,
        conn: Connection,
        line: Any,
        quantity: Decimal,
        *,
        request_id: str,
        status: str,
        reason: str | None = None,
        backorder: bool = False,
    ) -> tuple[Any, list[int]]:
        """Cancel `quantity` of a locked line: its row, the business event, the supply left
        for review when the parameter keeps it, and the signal its workflow is owed.
        Shipping's backorder cancels take the person's reason on the line or the predefined
        one. Returns the updated row and the outbox ids."""
        if backorder:
            reason = backorder_reason(line["person_cancel_reason"])
        assert reason is not None
        remaining = _open(line) - quantity
        full = remaining <= 0
        if full:
            status = LineStatus.CANCELED
        updated = await conn.fetchrow(
            "UPDATE fulfillment_lines SET canceled_quantity = canceled_quantity + $3,"
            " released_quantity = LEAST(released_quantity, $4), picked_quantity ="
            " LEAST(picked_quantity, $4), status = $5, cancel_reason = $6, updated_at = now()"
            " WHERE order_number = $1 AND line_number = $2 RETURNING *",
            line["order_number"],
            line["line_number"],
            quantity,
            remaining,
            status,
            reason,
        )
        await reauthorize(
            conn, line["order_number"], key=f"cancel-{request_id}:{line['workflow_id']}"
        )
        if backorder:
            event = EventType.BACKORDER_CANCELED
        else:
            event = EventType.LINE_CANCELED if full else EventType.LINE_QUANTITY_REDUCED
        await append_event(
            conn,
            key=f"cancel-{request_id}:{line['workflow_id']}",
            type=event,
            **_ids(line),
            data={
                "canceled_quantity": json_quantity(quantity),
                "remaining_quantity": json_quantity(remaining),
                "reason": reason,
            },
        )
        reduce_supply = await flag_parameter(conn, SUPPLY_PARAMETER, default=True)
        if not reduce_supply:
            await conn.execute(
                "INSERT INTO supply_reviews (idempotency_key, order_number, line_number,"
                " document_type, document_number, document_line, supply_order_number,"
                " canceled_quantity, reason)"
                " SELECT $1 || ':' || document_number || ':' || document_line, order_number,"
                " line_number, document_type, document_number, document_line,"
                " supply_order_number, $4, $5 FROM pegs"
                " WHERE order_number = $2 AND line_number = $3"
                " ON CONFLICT (idempotency_key) DO NOTHING",
                f"cancel-{request_id}:{line['workflow_id']}",
                line["order_number"],
                line["line_number"],
                quantity,
                reason,
            )
        outbox = [
            await enqueue_signal(
                conn,
                workflow_id=line["workflow_id"],
                signal=CANCEL_REQUESTED,
                payload=CancelSignal(
                    request_id=request_id,
                    quantity=quantity,
                    reason=reason,
                    full=full,
                    backorder=backorder,
                    reduce_supply=reduce_supply,
                ),
            )
        ]
        return updated, outbox

    async def release_shipment_set(
        self, *, key: str, order_number: str, shipment_set: str, lines: list[int]
    ) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO shipment_set_releases (order_number, shipment_set, lines)"
                " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                order_number,
                shipment_set,
                lines,
            )
            await append_event(
                conn,
                key=key,
                type=EventType.SHIPMENT_SET_RELEASED,
                order_number=order_number,
                line_number=None,
                data={"shipment_set": shipment_set, "lines": lines},
            )

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
