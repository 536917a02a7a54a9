"""A kit line in the system of record: its components locked with it, whole-kit cancels,
and the kit's progress (its close: `close.py`).

Lock order, as everywhere: the kit line's row (its number is the smaller), then its
components' rows in line order."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from adapters.errors import Refusal
from adapters.postgres.common import Connection, lock_line
from adapters.postgres.line import ledger as line_ledger
from adapters.postgres.line.ledger import ledger_of
from adapters.postgres.line.order_progress import OPEN
from domain.line import Cancel, Phase, SupplyCreated
from domain.models.kits import KitProgress


async def lock_components(conn: Connection, order_number: str, kit_line: int) -> list[Any]:
    """The kit's component rows, locked in line order (after the kit's own row)."""
    return list(
        await conn.fetch(
            "SELECT * FROM fulfillment_lines WHERE order_number = $1 AND kit_line_number = $2"
            " ORDER BY line_number FOR UPDATE",
            order_number,
            kit_line,
        )
    )


def whole_kits_only(kit: Any, quantity: Decimal) -> None:
    """Kits are canceled and revised in whole kits (seed 004: never a single component)."""
    if quantity != quantity.to_integral_value():
        raise Refusal(
            422,
            f"quantity: line {kit['line_number']} is a kit; it changes in whole kits, not"
            f" {quantity.normalize():f}",
            field="quantity",
        )


async def cancel_components(conn: Connection, kit: Any, kits: Decimal, *, cancel: Any) -> list[int]:
    """Cancel `kits` whole kits on each component of the locked kit `kit` (its own cancel is
    the caller's): `cancel(row, quantity)` cancels one component, answering its outbox ids.
    A component that cannot give up its share refuses the whole cancel."""
    outbox: list[int] = []
    for row in await lock_components(conn, kit["order_number"], kit["line_number"]):
        quantity = kits * row["per_kit"]
        line_ledger.check(row, Cancel(quantity))
        outbox += await cancel(row, quantity)
    return outbox


async def kit_progress_in(conn: Connection, *, order_number: str, line_number: int) -> KitProgress:
    """The kit line's components still open; the kit leaves BOOKED once they run."""
    kit = await lock_line(conn, order_number, line_number)
    if ledger_of(kit).phase is Phase.BOOKED:
        kit = await line_ledger.record(conn, kit, SupplyCreated())
    open_components = await conn.fetchval(
        f"SELECT count(*) FROM fulfillment_lines WHERE order_number = $1"
        f" AND kit_line_number = $2 AND {OPEN}",
        order_number,
        line_number,
    )
    return KitProgress(open_components=open_components, ledger=ledger_of(kit))
