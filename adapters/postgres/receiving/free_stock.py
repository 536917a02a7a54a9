"""Free stock: taking on-hand for lines shipped from stock, serving backorders in booking
order, and giving back what a line no longer needs. Every path locks the line(s) first and
the on-hand row second, so no two paths deadlock."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from adapters.postgres.common import Connection
from adapters.postgres.line import ledger as line_ledger
from adapters.postgres.line.ledger import ledger_of
from adapters.postgres.outbox.events import append_event
from adapters.postgres.outbox.owed_signals import enqueue_signal
from domain.line import ReleaseExcess, ReserveStock
from domain.models import StockReservedSignal, json_quantity
from domain.signals import STOCK_RESERVED
from domain.statuses import EventType, LineStatus


async def lock_waiting_lines(conn: Connection, item: str, organization: str) -> list[Any]:
    """Backordered stock lines of an item, oldest booking first, row-locked. Lines are
    always locked before the on-hand row, on every path, so no two paths deadlock."""
    return list(
        await conn.fetch(
            "SELECT l.* FROM fulfillment_lines l JOIN orders o USING (order_number)"
            " WHERE l.item_number = $1 AND l.organization = $2 AND l.status = $3"
            " ORDER BY o.booked_at, l.order_number, l.line_number FOR UPDATE OF l",
            item,
            organization,
            LineStatus.BACKORDERED,
        )
    )


async def take_free_stock(
    conn: Connection, *, item: str, organization: str, wanted: Decimal
) -> Decimal:
    """Reserve up to `wanted` of the free on-hand under its row lock; returns what it got.
    The row lock and the CHECK (reserved <= quantity) make overselling impossible."""
    if wanted <= 0:
        return Decimal("0")
    # Lock first, then compute from the locked row: a single UPDATE joined to a locking CTE
    # could add a take computed from an older version of the row (seen under concurrent
    # stock counts; the CHECK refused it, but the reservation failed).
    row = await conn.fetchrow(
        "SELECT quantity - reserved AS free FROM on_hand"
        " WHERE item = $1 AND organization = $2 FOR UPDATE",
        item,
        organization,
    )
    take = min(Decimal(row["free"]), wanted) if row is not None else Decimal(0)
    if take <= 0:
        return Decimal("0")
    await conn.execute(
        "UPDATE on_hand SET reserved = reserved + $3 WHERE item = $1 AND organization = $2",
        item,
        organization,
        take,
    )
    return take


async def allocate_waiting(
    conn: Connection, *, item: str, organization: str, waiting: list[Any], cause: str
) -> list[int]:
    """Serve backordered lines from free stock in booking order (locked by the caller with
    `lock_waiting_lines`); returns the outbox ids of the signals owed to them."""
    outbox: list[int] = []
    for line in waiting:
        need = ledger_of(line).to_supply
        got = await take_free_stock(conn, item=item, organization=organization, wanted=need)
        if got <= 0:
            break
        number, line = await record_stock_reservation(
            conn, line=line, quantity=got, key=f"{cause}:{line['workflow_id']}"
        )
        outbox.append(
            await enqueue_signal(
                conn,
                workflow_id=line["workflow_id"],
                signal=STOCK_RESERVED,
                payload=StockReservedSignal(
                    reservation_number=number, quantity=got, ledger=ledger_of(line)
                ),
            )
        )
    return outbox


async def record_stock_reservation(
    conn: Connection, *, line: Any, quantity: Decimal, key: str
) -> tuple[str, Any]:
    """Book a reservation of free stock (already taken) to a line; returns its number and
    the line's row after it."""
    updated = await line_ledger.record(conn, line, ReserveStock(quantity))
    reserved = updated["reserved_quantity"]
    reservation_id = await conn.fetchval(
        "INSERT INTO reservations (idempotency_key, item, organization, order_number,"
        " line_number, quantity, source_document) VALUES ($1, $2, $3, $4, $5, $6, 'ON_HAND')"
        " RETURNING reservation_id",
        key,
        line["item_number"],
        line["organization"],
        line["order_number"],
        line["line_number"],
        quantity,
    )
    await append_event(
        conn,
        key=key,
        type=EventType.SUPPLY_RESERVED,
        order_number=line["order_number"],
        line_number=line["line_number"],
        data={
            "reservation": f"RES-{reservation_id}",
            "quantity": json_quantity(quantity),
            "reserved_quantity": json_quantity(reserved),
            "source": "ON_HAND",
        },
    )
    return f"RES-{reservation_id}", updated


async def release_excess(conn: Connection, line: Any, *, key: str) -> tuple[Decimal, Any]:
    """Give back to free stock what is reserved to a locked line beyond what it still has to
    ship; returns the quantity and the row after it. Done once per key: again, it answers
    what the first time released."""
    done = await conn.fetchval("SELECT -quantity FROM reservations WHERE idempotency_key = $1", key)
    if done is not None:
        return Decimal(done), line
    excess = ledger_of(line).excess_reserved
    if excess <= 0:
        return Decimal(0), line
    updated = await line_ledger.record(conn, line, ReleaseExcess())
    await conn.execute(
        "UPDATE on_hand SET reserved = reserved - $3 WHERE item = $1 AND organization = $2",
        line["item_number"],
        line["organization"],
        excess,
    )
    await conn.execute(
        "INSERT INTO reservations (idempotency_key, item, organization, order_number,"
        " line_number, quantity, source_document) VALUES ($1, $2, $3, $4, $5, $6, NULL)",
        key,
        line["item_number"],
        line["organization"],
        line["order_number"],
        line["line_number"],
        -excess,
    )
    await append_event(
        conn,
        key=key,
        type=EventType.RESERVATION_RELEASED,
        order_number=line["order_number"],
        line_number=line["line_number"],
        data={"quantity": json_quantity(excess)},
    )
    return excess, updated
