"""What a line's ledger shows in the line view, as a table: the contract's quantities, and
their sums, for every kind of line."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from domain.line import (
    Arrive,
    Cancel,
    DropShip,
    EnterPhase,
    Fact,
    Ledger,
    Phase,
    Pick,
    Release,
    Ship,
    SupplyCreated,
)
from domain.line.view import ledger_fields
from tests.unit.test_line_ledger import run

D = Decimal
SHIPPED = (SupplyCreated(), Arrive(D(10), "PO-1", D(10)), Release(D(10)), Pick(D(10)), Ship(D(6)))
NAMES = ("received", "released", "picked", "shipped", "reserved", "awaiting_supply", "open")


def shown(facts: tuple[Fact, ...], *, drop_ship: bool) -> dict[str, Any]:
    ledger = run(Ledger(ordered=D(10)), *facts)
    fields = ledger_fields(ledger, unit_price=D("2.00"), unit_discount=D(0), drop_ship=drop_ship)
    return {k.removesuffix("_quantity"): v for k, v in fields.items()}


@pytest.mark.parametrize(
    ("facts", "drop_ship", "expected"),
    [
        # received, released (not shipped), picked, shipped, reserved, awaiting supply, open
        ((SupplyCreated(),), False, (0, 0, 0, 0, 0, 10, 10)),
        (SHIPPED, False, (10, 4, 10, 6, 4, 0, 10)),
        ((SupplyCreated(),), True, (0, 0, 0, 0, 0, 10, 10)),
        # The supplier shipped 4 of 10 straight to the customer: nothing came to a warehouse.
        ((SupplyCreated(), DropShip(D(4), "PO-1", D(10))), True, (0, 0, 0, 4, 0, 6, 10)),
        (
            (SupplyCreated(), DropShip(D(4), "PO-1", D(10)), DropShip(D(6), "PO-1", D(6))),
            True,
            (0, 0, 0, 10, 0, 0, 10),
        ),
        (
            (SupplyCreated(), DropShip(D(4), "PO-1", D(10)), Cancel(D(6))),
            True,
            (0, 0, 0, 4, 0, 0, 4),
        ),
        (
            (SupplyCreated(), DropShip(D(10), "PO-1", D(10)), EnterPhase(Phase.CLOSED)),
            True,
            (0, 0, 0, 10, 0, 0, 10),
        ),
    ],
)
def test_the_view_shows_the_contracts_quantities(
    facts: tuple[Fact, ...], drop_ship: bool, expected: tuple[int, ...]
) -> None:
    q = shown(facts, drop_ship=drop_ship)
    assert tuple(q[name] for name in NAMES) == expected
    # The contract's sums hold whatever the kind of line.
    assert q["ordered"] == q["canceled"] + q["open"]
    assert q["shipped"] + q["reserved"] + q["awaiting_supply"] == q["open"]
    assert q["picked"] <= q["released"] + q["shipped"]
    assert q["invoiced"] <= q["shipped"]
