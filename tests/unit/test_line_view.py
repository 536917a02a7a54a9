"""What a line's ledger shows in the line view, as tables: the contract's quantities and
their sums for every kind of line, and the status of a stock reservation."""

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
    ReserveStock,
    Ship,
    SupplyCreated,
)
from domain.line.view import ledger_fields, reservation_status, with_reservation_status
from domain.models.views import SupplyView
from domain.statuses import DocumentType, SupplyStatus, SupplyType
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


RESERVED = (SupplyCreated(), ReserveStock(D(10)))
STAGED = (*RESERVED, Release(D(10)), Pick(D(10)))


@pytest.mark.parametrize(
    ("facts", "status"),
    [
        ((SupplyCreated(), ReserveStock(D(4))), SupplyStatus.AWAITING_RECEIPT),
        ((SupplyCreated(), ReserveStock(D(0))), SupplyStatus.AWAITING_RECEIPT),
        (RESERVED, SupplyStatus.RECEIVED),
        ((SupplyCreated(), ReserveStock(D(4)), ReserveStock(D(6))), SupplyStatus.RECEIVED),
        ((*RESERVED, Release(D(10))), SupplyStatus.RECEIVED),
        (STAGED, SupplyStatus.RECEIVED),
        # Shipped in part, the rest on hand for the line.
        ((*STAGED, Ship(D(6))), SupplyStatus.RECEIVED),
        # The warehouse kept 2 open as a backorder: stock is awaited again.
        ((*RESERVED, Release(D(10)), Pick(D(8), kept=D(2))), SupplyStatus.AWAITING_RECEIPT),
        ((*STAGED, Ship(D(6), kept=D(4))), SupplyStatus.AWAITING_RECEIPT),
        ((*STAGED, Ship(D(10))), SupplyStatus.CLOSED),
        ((*STAGED, Ship(D(10)), EnterPhase(Phase.BILLING)), SupplyStatus.CLOSED),
        ((*STAGED, Ship(D(10)), EnterPhase(Phase.CLOSED)), SupplyStatus.CLOSED),
        ((*STAGED, Ship(D(6), rest_canceled=D(4))), SupplyStatus.CLOSED),
        # What is left open after a cancel is reserved.
        ((SupplyCreated(), ReserveStock(D(4)), Cancel(D(6))), SupplyStatus.RECEIVED),
        ((SupplyCreated(), ReserveStock(D(4)), Cancel(D(10))), SupplyStatus.CANCELED),
        ((*RESERVED, Cancel(D(10))), SupplyStatus.CANCELED),
    ],
)
def test_a_reservation_follows_what_it_reserves(
    facts: tuple[Fact, ...], status: SupplyStatus
) -> None:
    ledger = run(Ledger(ordered=D(10), back_to_back=False), *facts)
    assert reservation_status(ledger) is status


def test_only_the_reservation_follows_the_ledger() -> None:
    def supply(type_: SupplyType, kind: DocumentType, status: SupplyStatus) -> SupplyView:
        return SupplyView(
            type=type_,
            status=status,
            document_type=kind,
            document_number=kind.value,
            quantity=D(10),
            organization="M1",
        )

    po = supply(SupplyType.BUY, DocumentType.PURCHASE_ORDER, SupplyStatus.AWAITING_RECEIPT)
    reservation = supply(
        SupplyType.ON_HAND, DocumentType.RESERVATION, SupplyStatus.AWAITING_RECEIPT
    )
    ledger = run(Ledger(ordered=D(10), back_to_back=False), *RESERVED)
    shown = with_reservation_status([po, reservation], ledger)
    assert [s.status for s in shown] == [SupplyStatus.AWAITING_RECEIPT, SupplyStatus.RECEIVED]
    assert reservation.status is SupplyStatus.AWAITING_RECEIPT  # a copy: the input stays
