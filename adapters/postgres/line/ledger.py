"""The one writer of `fulfillment_lines`: every change of a line's quantities, phase or
status goes through `record`, which applies a fact to the row's ledger
(`domain.line.apply`), stores the result with the next version and the derived status, and
answers the new row. Callers hold the line's row lock and record the fact's other effects
(documents, on-hand, events, signals) in the same transaction.

The row's CHECK constraints (migrations/007_line_ledger.sql) hold the ledger's invariants
too, so no other path can store a line that breaks them.
"""

from __future__ import annotations

import json
from typing import Any

from adapters.errors import Refusal
from adapters.postgres.common import Connection
from adapters.postgres.line.order_progress import (
    tell_kit_component_finished,
    tell_order_line_finished,
)
from domain.backorders import LineFlags
from domain.identity import line_workflow_id
from domain.line import Fact, Ledger, Phase, Refused, apply, line_status
from domain.line.facts import Refusal as RefusalKind
from domain.models import LineInput
from domain.statuses import TERMINAL_LINE_STATUSES

_HTTP_STATUS = {RefusalKind.INVALID: 422, RefusalKind.CONFLICT: 409}


def ledger_of(row: Any) -> Ledger:
    """The ledger a `fulfillment_lines` row holds."""
    return Ledger(
        ordered=row["ordered_quantity"],
        canceled=row["canceled_quantity"],
        received=row["received_quantity"],
        reserved=row["reserved_quantity"],
        released=row["released_quantity"],
        picked=row["picked_quantity"],
        shipped=row["shipped_quantity"],
        invoiced=row["invoiced_quantity"],
        backordered=row["backordered_quantity"],
        phase=Phase(row["phase"]),
        back_to_back=row["back_to_back"],
        version=row["version"],
    )


def line_ids(row: Any) -> dict[str, Any]:
    """A line row's business key, as events and answers name it."""
    return {"order_number": row["order_number"], "line_number": row["line_number"]}


def public_ids(row: Any) -> dict[str, Any]:
    """A line row as answers name it: a kit's component by its kit line and number."""
    if row["kit_line_number"] is None:
        return line_ids(row)
    return {
        "order_number": row["order_number"],
        "line_number": row["kit_line_number"],
        "component": row["component"],
    }


def line_flags(row: Any) -> LineFlags:
    """A line row's Cancel Backorders and Enforce Single Shipment flags."""
    return LineFlags(
        cancel_backorders=row["cancel_backorders"],
        enforce_single_shipment=row["enforce_single_shipment"],
    )


def refusal(refused: Refused) -> Refusal:
    """A refused fact as the adapters' error: 422 for bad input, 409 for the line's state."""
    return Refusal(_HTTP_STATUS[refused.kind], refused.reason, field=refused.field)


def check(row: Any, fact: Fact) -> Ledger:
    """The ledger `fact` would give the locked line, without storing it; raises the
    refusal. Lets a caller refuse before any of the fact's other effects."""
    result = apply(ledger_of(row), fact)
    if isinstance(result, Refused):
        raise refusal(result)
    return result


async def record(
    conn: Connection, row: Any, fact: Fact, *, cancel_reason: str | None = None
) -> Any:
    """Apply `fact` to the locked line `row` and store it; returns the updated row.

    Raises `Refusal` (nothing changed) when the ledger refuses the fact. The version in the
    WHERE clause makes a write without the row lock fail loudly instead of losing one.
    """
    ledger = check(row, fact)
    updated = await conn.fetchrow(
        "UPDATE fulfillment_lines SET ordered_quantity = $4, canceled_quantity = $5,"
        " received_quantity = $6, reserved_quantity = $7, released_quantity = $8,"
        " picked_quantity = $9, shipped_quantity = $10, invoiced_quantity = $11,"
        " backordered_quantity = $12, phase = $13, status = $14, version = $15,"
        " cancel_reason = coalesce($16, cancel_reason), updated_at = now()"
        " WHERE order_number = $1 AND line_number = $2 AND version = $3 RETURNING *",
        row["order_number"],
        row["line_number"],
        row["version"],
        ledger.ordered,
        ledger.canceled,
        ledger.received,
        ledger.reserved,
        ledger.released,
        ledger.picked,
        ledger.shipped,
        ledger.invoiced,
        ledger.backordered,
        ledger.phase,
        line_status(ledger),
        ledger.version,
        cancel_reason,
    )
    if updated is None:
        raise RuntimeError(
            f"line {row['line_number']} of order {row['order_number']} changed since version"
            f" {row['version']}: it was written without its row lock"
        )
    if updated["status"] in TERMINAL_LINE_STATUSES and row["status"] not in TERMINAL_LINE_STATUSES:
        if updated["kit_line_number"] is not None:
            await tell_kit_component_finished(conn, updated)
        await tell_order_line_finished(conn, updated)
    return updated


async def lock_order_lines(conn: Connection, order_number: str) -> list[Any]:
    """Row-lock every line of an order, in line order like every path that locks lines."""
    return list(
        await conn.fetch(
            "SELECT * FROM fulfillment_lines WHERE order_number = $1 ORDER BY line_number"
            " FOR UPDATE",
            order_number,
        )
    )


async def insert_lines(conn: Connection, lines: list[LineInput]) -> None:
    """Record booked lines (at booking, or added by a revision): version 1 of each ledger,
    in one round trip however many. A line booked now runs on a line workflow that ships in
    parts (`ships_in_parts`)."""
    ledgers = [Ledger(ordered=li.quantity, back_to_back=li.back_to_back) for li in lines]
    # One statement over arrays, one per column: 10,000 lines in one execution, where an
    # INSERT per row took most of a second. The primary key still refuses a line twice.
    await conn.execute(
        "INSERT INTO fulfillment_lines (order_number, line_number, workflow_id,"
        " item_number, organization, status, ordered_quantity, unit_price,"
        " unit_discount, back_to_back, cancel_backorders, enforce_single_shipment,"
        " shipment_set, applied_rules, under_ship_tolerance_pct,"
        " over_ship_tolerance_pct, phase, version, back_to_back_reason, ships_in_parts,"
        " drop_ship, kit_components, kit_line_number, component, per_kit)"
        " SELECT o, n, w, i, org, st, q, p, d, b2b, cb, ess, ss, r::jsonb, ut, ot, ph, v, why,"
        " true, ds, kc, kl, c, pk FROM unnest($1::text[], $2::int[], $3::text[], $4::text[],"
        " $5::text[], $6::text[], $7::numeric[], $8::numeric[], $9::numeric[], $10::bool[],"
        " $11::bool[], $12::bool[], $13::text[], $14::text[], $15::numeric[], $16::numeric[],"
        " $17::text[], $18::int[], $19::text[], $20::bool[], $21::int[], $22::int[], $23::int[],"
        " $24::numeric[])"
        " AS t(o, n, w, i, org, st, q, p, d, b2b, cb, ess, ss, r, ut, ot, ph, v, why, ds, kc, kl,"
        " c, pk)",
        [li.order_number for li in lines],
        [li.line_number for li in lines],
        [line_workflow_id(li.order_number, li.line_number) for li in lines],
        [li.item_number for li in lines],
        [li.organization for li in lines],
        [line_status(ledger) for ledger in ledgers],
        [ledger.ordered for ledger in ledgers],
        [li.unit_price for li in lines],
        [li.unit_discount for li in lines],
        [li.back_to_back for li in lines],
        [li.cancel_backorders for li in lines],
        [li.enforce_single_shipment for li in lines],
        [li.shipment_set for li in lines],
        [json.dumps(li.applied_rules) for li in lines],
        [li.under_ship_tolerance_pct for li in lines],
        [li.over_ship_tolerance_pct for li in lines],
        [ledger.phase for ledger in ledgers],
        [ledger.version for ledger in ledgers],
        [li.back_to_back_reason for li in lines],
        [li.drop_ship for li in lines],
        [li.kit_components for li in lines],
        [li.kit_line_number for li in lines],
        [li.component for li in lines],
        [li.per_kit for li in lines],
    )


async def keep_person_reason(conn: Connection, row: Any, reason: str) -> None:
    """A reason a person gave on a cancel, kept for later backorder cancels on the line."""
    await conn.execute(
        "UPDATE fulfillment_lines SET person_cancel_reason = $3"
        " WHERE order_number = $1 AND line_number = $2",
        row["order_number"],
        row["line_number"],
        reason,
    )
