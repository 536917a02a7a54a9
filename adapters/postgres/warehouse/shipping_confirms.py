"""What pick and ship confirms check and record besides the line's ledger: the scanned line
(locked, its quantities precise), a staged shipment set's release, backorders kept open or
canceled at confirm, and the reason a cancel gives."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from adapters.errors import Refusal
from adapters.postgres.common import Connection, flag_parameter, lock_scanned_line
from adapters.postgres.line.ledger import line_ids
from adapters.postgres.orders.cancellations import cancel_effects
from adapters.postgres.outbox.events import append_event
from adapters.postgres.setup.input_checks import refuse_imprecise_for_line
from domain.backorders import backorder_reason
from domain.kits import component_line_number
from domain.line import Pick, Ship
from domain.models import (
    PickScanIn,
    ShipScanIn,
    json_quantity,
)
from domain.statuses import SHIPPED_LINE_STATUSES, EventType, LineStatus

SHIPMENT_SETS_PARAMETER = "enforce_shipment_sets"
ZERO = Decimal(0)


async def scanned_line(
    conn: Connection, scan: PickScanIn | ShipScanIn, quantities: dict[str, Decimal]
) -> Any:
    """The scanned line (or the kit component it names), locked; refused when unknown, a
    kit without its component, canceled, or when a scanned quantity is finer than its
    item's unit of measure takes."""
    order_number, line_number = scan.order_number, scan.line_number
    if scan.component is not None:
        line_number = component_line_number(line_number, scan.component)
    line = await lock_scanned_line(conn, order_number, line_number)
    if line is None:
        what = f"line {scan.line_number} of order {order_number}"
        if scan.component is not None:
            what = f"component {scan.component} of {what}"
        raise Refusal(422, f"{what} does not exist")
    if line["kit_components"]:
        raise Refusal(
            422,
            f"component: line {line_number} of order {order_number} is a kit; name the"
            " component the scan is for",
            field="component",
        )
    if line["status"] == LineStatus.CANCELED:
        raise Refusal(409, f"line {line_number} of order {order_number} is canceled")
    refuse_imprecise_for_line(line, quantities)
    return line


async def refuse_unless_set_staged(conn: Connection, line: Any) -> None:
    """With Enforce Shipment Sets, a line of a set ships only once its order workflow has
    released the set: every open line of it picked and staged (or already shipped)."""
    # A kit's components always ship together (contract: "Kits").
    if line["shipment_set"] is None or not (
        line["kit_line_number"] is not None
        or await flag_parameter(conn, SHIPMENT_SETS_PARAMETER, default=False)
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


async def keep_backorder(
    conn: Connection, line: Any, quantity: Decimal, *, scan_id: str, picked: bool
) -> None:
    """Goods the warehouse did not find at pick confirm, or could not ship from what was
    staged, on a line that keeps its backorders (no Cancel Backorders, or a shipment set at
    pick confirm): they leave on-hand (the ledger takes them out of the line's reservation),
    and the line is owed them again (new supply, or stock)."""
    if quantity <= 0:
        return
    await conn.execute(
        "UPDATE on_hand SET quantity = quantity - $3, reserved = reserved - $3"
        " WHERE item = $1 AND organization = $2",
        line["item_number"],
        line["organization"],
        quantity,
    )
    await append_event(
        conn,
        key=f"scan-{scan_id}:backordered",
        type=EventType.LINE_BACKORDERED,
        **line_ids(line),
        data={
            "backordered_quantity": json_quantity(quantity),
            "at": "ship confirm" if picked else "pick confirm",
            "kept_open": True,
        },
    )


async def backorder_canceled(
    conn: Connection, line: Any, quantity: Decimal, scan_id: str
) -> tuple[Any, list[int]]:
    """Shipping's backorder cancel of `quantity` inside a pick or ship confirm, already in
    the line's ledger (`line` is the row after it): its effects beyond the line."""
    if quantity <= 0:
        return line, []
    return await cancel_effects(
        conn,
        line,
        quantity,
        request_id=f"scan-{scan_id}",
        reason=backorder_reason(line["person_cancel_reason"]),
        backorder=True,
    )


def cancel_reason_of(line: Any, fact: Pick | Ship) -> str | None:
    """The reason a pick or ship confirm that cancels a backorder records on the line."""
    if fact.canceled + (fact.rest_canceled if isinstance(fact, Ship) else ZERO) <= 0:
        return None
    return backorder_reason(line["person_cancel_reason"])
