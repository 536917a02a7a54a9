"""Pick waves: release to the warehouse what is reserved to the lines of an organization,
with seed 004's backorder and shipment-set rules at pick release."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from adapters.errors import Refusal
from adapters.postgres.common import Connection
from adapters.postgres.line import ledger as line_ledger
from adapters.postgres.line.ledger import ledger_of, line_flags, public_ids
from adapters.postgres.orders.cancellations import record_cancel
from adapters.postgres.orders.holds import active_holds, holds_on_line
from adapters.postgres.outbox.tell import tell
from domain.backorders import WaveLine, plan_wave
from domain.holds import HoldStep, held_because
from domain.line import Phase, Release, line_status
from domain.models import PickReleaseSignal, json_quantity
from domain.signals import PICK_RELEASED
from domain.statuses import EventType, LineStatus

ZERO = Decimal(0)


async def release_pick_wave(
    conn: Connection, *, organization: str, order_number: str | None
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
    # Whether the organization exists, and its orders with lines with goods on hand not
    # released yet, or stock lines waiting for stock.
    found = await conn.fetchrow(
        "SELECT EXISTS (SELECT 1 FROM organizations WHERE code = $1) AS known,"
        " (SELECT coalesce(array_agg(DISTINCT order_number), '{}') FROM fulfillment_lines"
        " WHERE organization = $1 AND phase = $2 AND shipped_quantity < ordered_quantity"
        " - canceled_quantity AND (reserved_quantity > released_quantity - shipped_quantity"
        " OR (status = $3 AND NOT back_to_back)) AND ($4::text IS NULL OR order_number = $4)"
        ") AS orders",
        organization,
        Phase.SUPPLYING,
        LineStatus.BACKORDERED,
        order_number,
    )
    if not found["known"]:
        raise Refusal(422, f"organization: unknown organization {organization!r}")
    orders = found["orders"]
    rows = await conn.fetch(
        "SELECT l.*, o.ship_complete FROM fulfillment_lines l JOIN orders o"
        " USING (order_number) WHERE l.order_number = ANY($1::text[])"
        " ORDER BY l.order_number, l.line_number FOR UPDATE OF l",
        orders,
    )
    by_key = {(r["order_number"], r["line_number"]): r for r in rows}
    # Read under the lines' locks: a hold applied before this wave locked them is seen.
    holds = await active_holds(conn, orders)
    plan = plan_wave([_wave_line(r, organization, holds) for r in rows])
    held = [{**public_ids(by_key[k]), "reason": why} for k, why in sorted(plan.held.items())]
    if not plan.release and not plan.cancel:
        return {
            "wave_number": None,
            "organization": organization,
            "lines": [_wave_answer(by_key[k], ZERO, q) for k, q in plan.waiting.items()],
            "held": held,
        }, []
    wave = await conn.fetchval(
        "INSERT INTO pick_waves (wave_number, organization, order_number)"
        " VALUES (document_number($1), $2, $3) RETURNING wave_number",
        "WAVE",
        organization,
        order_number,
    )
    outbox: list[int] = []
    # Whole kits first: the kit line's row comes before its components' (lock order).
    for key, kits in plan.kit_cancels.items():
        by_key[key], ids = await record_cancel(
            conn, by_key[key], kits, request_id=f"{wave}:backorder", backorder=True
        )
        outbox += ids
    for key, quantity in plan.cancel.items():
        by_key[key], ids = await record_cancel(
            conn, by_key[key], quantity, request_id=f"{wave}:backorder", backorder=True
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
        line = await line_ledger.record(conn, line, Release(quantity))
        outbox.append(
            await tell(
                conn,
                line,
                key=f"{wave}:{line['workflow_id']}",
                event=EventType.PICK_RELEASED,
                data={"wave_number": wave, "quantity": json_quantity(quantity)},
                signal=PICK_RELEASED,
                payload=PickReleaseSignal(
                    wave_number=wave, quantity=quantity, ledger=ledger_of(line)
                ),
            )
        )
    # The kit lines' own cancels are answered by their components' lines.
    answered = sorted(set(plan.release) | set(plan.cancel) | set(plan.waiting))
    return {
        "wave_number": wave,
        "organization": organization,
        "lines": [
            _wave_answer(
                by_key[key],
                plan.release.get(key, ZERO),
                plan.cancel.get(key, plan.waiting.get(key, ZERO)),
                canceled=key in plan.cancel,
            )
            for key in answered
        ],
        "held": held,
    }, outbox


def _wave_line(row: Any, organization: str, holds: list[Any]) -> WaveLine:
    q = ledger_of(row)
    on_line = holds_on_line(holds, row["order_number"], row["line_number"])
    in_parts = (
        row["ships_in_parts"]
        and row["shipment_set"] is None
        and not row["enforce_single_shipment"]
        and not row["ship_complete"]
    )
    waiting_for_stock = line_status(q) is LineStatus.BACKORDERED and not q.back_to_back
    component = row["kit_line_number"] is not None
    # A kit is judged whole (domain.backorders._plan_kits): a component with part of its
    # quantity on hand counts.
    ready = q.releasable > 0 and (q.supplied or in_parts or component)
    return WaveLine(
        order_number=row["order_number"],
        line_number=row["line_number"],
        shipment_set=row["shipment_set"],
        flags=line_flags(row),
        to_ship=q.to_ship,
        reserved=q.reserved,
        releasable=q.releasable,
        in_parts=in_parts,
        candidate=(ready or waiting_for_stock)
        and row["organization"] == organization
        and q.phase is Phase.SUPPLYING,
        held=held_because(on_line, HoldStep.PICK_RELEASE),
        kit=(row["kit_line_number"], row["per_kit"]) if component else None,
    )


def _wave_answer(
    row: Any, released: Decimal, backordered: Decimal, *, canceled: bool = False
) -> dict[str, Any]:
    return {
        **public_ids(row),
        "released_quantity": json_quantity(released),
        "backordered_quantity": json_quantity(backordered),
        "backorder_canceled": canceled,
    }
