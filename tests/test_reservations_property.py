"""Reservations under random concurrent operations never oversell (a property test against
the real PostgreSQL adapters).

Each example books a few stocked lines, sets the free stock, then runs a random mix of
reservations (some retried under the same key), partial cancels, releases of the excess and
stock counts, all at once. Afterwards, whatever the interleaving:

- no line has more reserved than it still has open, and every ledger keeps its invariants;
- the stock's reserved quantity is exactly what its lines hold, and never above on hand;
- a reservation key was applied once: the reservations journal adds up to each line's hold.
"""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import asyncpg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.errors import Refusal
from adapters.postgres.line.ledger import ledger_of
from adapters.postgres.orders.cancellations import Cancellations
from adapters.postgres.orders.orders import Orders
from adapters.postgres.receiving.inventory import Inventory
from adapters.postgres.setup.master_data import MasterData
from domain.line.ledger import violations
from domain.models import OrderIn, SetupDocument
from runtime.database import create_pool
from tests.fixtures import demo_setup

ITEM, ORG = "CABLE-C6", "M1"

line_quantities = st.lists(st.integers(1, 8), min_size=1, max_size=4)
operation = st.one_of(
    st.tuples(st.just("reserve"), st.integers(0, 3), st.integers(0, 1)),
    st.tuples(st.just("cancel"), st.integers(0, 3), st.integers(1, 3)),
    st.tuples(st.just("release"), st.integers(0, 3), st.integers(0, 1)),
    st.tuples(st.just("count"), st.integers(0, 3), st.integers(0, 12)),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    quantities=line_quantities,
    free=st.integers(0, 20),
    operations=st.lists(operation, min_size=1, max_size=16),
)
def test_reservations_never_oversell(
    database_url: str, quantities: list[int], free: int, operations: list[Any]
) -> None:
    # The suite's event loop is idle between tests; each example runs on its own loop.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, scenario(database_url, quantities, free, operations)).result()


async def scenario(url: str, quantities: list[int], free: int, operations: list[Any]) -> None:
    pool = await create_pool(url, min_size=1, max_size=8)
    try:
        await MasterData(pool).apply_setup(SetupDocument.model_validate(demo_setup()))
        so = f"SO-P{uuid.uuid4().hex[:10].upper()}"
        _, _, booked = await Orders(pool).book(order_of(so, quantities))
        async with pool.acquire() as conn:
            await conn.execute(
                "UPDATE on_hand SET quantity = reserved + $3 WHERE item = $1 AND organization = $2",
                ITEM,
                ORG,
                free,
            )
        lines = booked.lines
        await asyncio.gather(
            *(run(pool, so, lines, op, i) for i, op in enumerate(operations)),
            return_exceptions=False,
        )
        await check(pool)
    finally:
        await pool.close()


async def run(pool: asyncpg.Pool, so: str, lines: list[Any], op: Any, i: int) -> None:
    kind, which, arg = op
    line = lines[which % len(lines)]
    try:
        if kind == "reserve":  # arg picks one of two keys: a retry reuses the first key
            await Inventory(pool).reserve_on_hand(key=f"{so}-{line.line_number}-r{arg}", line=line)
        elif kind == "cancel":
            await Cancellations(pool).cancel_line(
                order_number=so,
                line_number=line.line_number,
                quantity=Decimal(arg),
                reason="property",
                request_id=f"{so}-c{i}",
            )
        elif kind == "release":
            await Inventory(pool).release_excess_reservation(
                key=f"{so}-{line.line_number}-x{arg}",
                order_number=so,
                line_number=line.line_number,
            )
        else:  # a stock count: on hand becomes what is reserved plus `arg` free
            async with pool.acquire() as conn:
                await conn.execute(
                    "UPDATE on_hand SET quantity = reserved + $3"
                    " WHERE item = $1 AND organization = $2",
                    ITEM,
                    ORG,
                    arg,
                )
    except Refusal:
        pass  # a refused operation (a cancel beyond what is open) changes nothing


async def check(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        stock = await conn.fetchrow(
            "SELECT quantity, reserved FROM on_hand WHERE item = $1 AND organization = $2",
            ITEM,
            ORG,
        )
        rows = await conn.fetch(
            "SELECT * FROM fulfillment_lines WHERE item_number = $1 AND organization = $2",
            ITEM,
            ORG,
        )
        journal = {
            (r["order_number"], r["line_number"]): r["total"]
            for r in await conn.fetch(
                "SELECT order_number, line_number, sum(quantity) AS total FROM reservations"
                " WHERE item = $1 AND organization = $2 GROUP BY 1, 2",
                ITEM,
                ORG,
            )
        }
    held = Decimal(0)
    for row in rows:
        ledger = ledger_of(row)
        assert violations(ledger) == [], (row["order_number"], ledger)
        assert ledger.reserved <= ledger.open
        key = (row["order_number"], row["line_number"])
        assert journal.get(key, Decimal(0)) == ledger.reserved, key
        held += ledger.reserved
    assert 0 <= stock["reserved"] <= stock["quantity"]
    assert stock["reserved"] == held


def order_of(so: str, quantities: list[int]) -> OrderIn:
    return OrderIn.model_validate(
        {
            "order_number": so,
            "customer_number": "CUST-100",
            "customer_po_number": "PO-PROP",
            "lines": [
                {"line_number": n, "item_number": ITEM, "quantity": q, "uom": "Ea"}
                for n, q in enumerate(quantities, start=1)
            ],
        }
    )
