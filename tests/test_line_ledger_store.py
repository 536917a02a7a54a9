"""The stored ledger: every answered scan, wave and cancel leaves the line's row with its
quantities adding up and a higher version; the row's CHECK constraints refuse a line that
breaks an invariant, whoever writes it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import asyncpg
import pytest

from adapters.postgres.line.ledger import ledger_of
from domain.line import Ledger, line_status, violations
from tests.conftest import Stack, order_number
from tests.fixtures import demo_setup, laptop_order


async def stored(stack: Stack, so: str, line_number: int = 1) -> Ledger:
    async with stack.pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT * FROM fulfillment_lines WHERE order_number = $1 AND line_number = $2",
            so,
            line_number,
        )
    ledger = ledger_of(row)
    assert violations(ledger) == []
    assert row["status"] == line_status(ledger)  # one derivation, stored by one writer
    return ledger


QUANTITIES = (
    "ordered_quantity",
    "canceled_quantity",
    "open_quantity",
    "reserved_quantity",
    "released_quantity",
    "awaiting_supply_quantity",
    "picked_quantity",
    "shipped_quantity",
    "invoiced_quantity",
)


async def read_back(stack: Stack, so: str) -> dict[str, Any]:
    """GET the line at once (no polling) and check the contract's sums."""
    line = await stack.line(so)
    q = {name.removesuffix("_quantity"): Decimal(str(line[name])) for name in QUANTITIES}
    assert all(value >= 0 for value in q.values()), q
    assert q["ordered"] == q["canceled"] + q["open"], q
    assert q["shipped"] + q["reserved"] + q["awaiting_supply"] == q["open"], q
    assert q["picked"] <= q["released"] + q["shipped"], q
    assert q["invoiced"] <= q["shipped"], q
    return line


class Versions:
    """Each answered request has moved the line's version on and kept it consistent."""

    def __init__(self, stack: Stack, so: str) -> None:
        self.stack, self.so, self.seen = stack, so, 0

    async def after(self, answer: dict[str, Any]) -> Ledger:
        ledger = await stored(self.stack, self.so)
        assert ledger.version > self.seen
        self.seen = ledger.version
        if "line_status" in answer:
            assert answer["line_status"] == line_status(ledger)
        assert ledger.ordered == ledger.canceled + ledger.open
        assert ledger.picked <= ledger.released
        # Read your writes: the answered request shows in the line at once.
        line = await read_back(self.stack, self.so)
        assert line["ledger_version"] >= ledger.version
        return ledger


async def test_every_answer_leaves_the_stored_ledger_consistent(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = order_number()
    await stack.call(
        "POST",
        "/orders",
        role="orders",
        json=laptop_order(so, 10, cancel_backorders=True),
        expect=202,
    )
    versions = Versions(stack, so)
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    await versions.after({})
    po = line["supply"][0]["document_number"]
    ledger = await versions.after(await stack.receive(so, po, 6, f"{so}-r1"))
    assert (ledger.received, ledger.reserved, ledger.to_supply) == (6, 6, 4)
    ledger = await versions.after(await stack.receive(so, po, 4, f"{so}-r2"))
    assert ledger.to_supply == 0 and ledger.releasable == 10
    await stack.wait_status(so, "AWAITING_SHIPPING")
    wave = await stack.call(
        "POST", "/pick-waves", role="scanner", json={"organization": "M1", "order_number": so}
    )
    assert wave["lines"][0]["released_quantity"] == 10
    ledger = await versions.after({})
    assert (ledger.released, ledger.in_pick) == (10, 10)
    await stack.wait_status(so, "PICK_RELEASED")
    picked = await stack.call(
        "POST",
        "/scans/picks",
        role="scanner",
        json={
            "scan_id": f"{so}-p1",
            "order_number": so,
            "line_number": 1,
            "picked_quantity": 8,
            "backordered_quantity": 2,
        },
    )
    ledger = await versions.after(picked)
    assert (ledger.canceled, ledger.picked, ledger.released) == (2, 8, 8)
    assert picked["line_status"] == "STAGED"
    # Seen at once: the pick and its canceled backorder together, never half of it.
    line = await stack.line(so)
    assert (line["status"], line["canceled_quantity"], line["picked_quantity"]) == ("STAGED", 2, 8)
    shipped = await stack.call(
        "POST",
        "/scans/shipments",
        role="scanner",
        json={"scan_id": f"{so}-s1", "order_number": so, "line_number": 1, "shipped_quantity": 8},
    )
    ledger = await versions.after(shipped)
    assert (ledger.shipped, ledger.open, ledger.to_ship) == (8, 8, 0)
    await stack.wait_status(so, "CLOSED")
    ledger = await stored(stack, so)
    assert (ledger.invoiced, ledger.reserved, ledger.excess_reserved) == (8, 0, 0)
    assert line_status(ledger) == "CLOSED"


async def test_signals_carry_the_ledger_they_follow(stack: Stack) -> None:
    """Every signal owed to a line carries the ledger after its fact, with the version the
    row was written at, so the line can keep the newest whatever order they arrive in."""
    await stack.call("PUT", "/setup", json=demo_setup())
    so = order_number()
    await stack.call("POST", "/orders", role="orders", json=laptop_order(so, 5), expect=202)
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    po = line["supply"][0]["document_number"]
    await stack.receive(so, po, 2, f"{so}-r1")
    await stack.call(
        "POST", f"/orders/{so}/lines/1/cancel", role="orders", json={"quantity": 1, "reason": "x"}
    )
    await stack.receive(so, po, 2, f"{so}-r2")
    async with stack.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT signal, payload FROM signal_outbox WHERE workflow_id = $1 ORDER BY id",
            f"order-{so}-line-1",
        )
    carried = [(r["signal"], Ledger.model_validate(r["payload"]["ledger"])) for r in rows]
    assert [signal for signal, _ in carried] == [
        "receipt_recorded",
        "cancel_requested",
        "receipt_recorded",
    ]
    versions = [ledger.version for _, ledger in carried]
    assert versions == sorted(set(versions))
    assert carried[-1][1] == await stored(stack, so)
    assert (carried[1][1].canceled, carried[-1][1].reserved) == (1, 4)


async def test_a_refused_scan_changes_no_version(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = order_number()
    await stack.call("POST", "/orders", role="orders", json=laptop_order(so, 5), expect=202)
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    before = await stored(stack, so)
    refused = await stack.receive(
        so, line["supply"][0]["document_number"], 6, f"{so}-r", expect=409
    )
    assert "over-receipt" in str(refused)
    assert await stored(stack, so) == before


@pytest.mark.parametrize(
    ("change", "constraint"),
    [
        ("picked_quantity = released_quantity + 1", "fulfillment_lines_picked_within_released"),
        (
            "released_quantity = ordered_quantity + 1, reserved_quantity = ordered_quantity + 1",
            "fulfillment_lines_released_within_open",
        ),
        ("released_quantity = 1", "fulfillment_lines_release_reserved"),
        ("invoiced_quantity = shipped_quantity + 1", "fulfillment_lines_invoiced_within_shipped"),
        ("backordered_quantity = ordered_quantity + 1", "fulfillment_lines_backordered_to_supply"),
        ("phase = 'SOMEWHERE'", "fulfillment_lines_phase"),
    ],
)
async def test_the_row_refuses_a_broken_ledger(stack: Stack, change: str, constraint: str) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = order_number()
    await stack.call("POST", "/orders", role="orders", json=laptop_order(so, 5), expect=202)
    await stack.wait_status(so, "AWAITING_SUPPLY")
    async with stack.pool.acquire() as conn:
        with pytest.raises(asyncpg.CheckViolationError) as raised:
            await conn.execute(f"UPDATE fulfillment_lines SET {change} WHERE order_number = $1", so)
    assert raised.value.constraint_name == constraint
    assert (await stored(stack, so)).ordered == Decimal(5)
