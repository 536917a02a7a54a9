"""The line ledger: facts as tables, the status derivation, and random sequences of facts
that never break an invariant."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.line import (
    Arrive,
    Cancel,
    DropShip,
    EnterPhase,
    Fact,
    Increase,
    Invoice,
    KitShipped,
    Ledger,
    Phase,
    Pick,
    Refusal,
    Refused,
    Release,
    ReleaseExcess,
    ReserveStock,
    Ship,
    SupplyCreated,
    apply,
    line_status,
    violations,
)
from domain.statuses import LineStatus

D = Decimal


def run(ledger: Ledger, *facts: Fact) -> Ledger:
    for fact in facts:
        result = apply(ledger, fact)
        assert not isinstance(result, Refused), result
        ledger = result
    return ledger


def line(ordered: int = 10, **kw: object) -> Ledger:
    return Ledger(ordered=D(ordered), **kw)


SUPPLIED = (SupplyCreated(), Arrive(D(10), "PO-1 line 1", D(10)))


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ((), {"open": 10, "to_supply": 10, "version": 1}),
        ((SupplyCreated(),), {"phase": Phase.SUPPLYING, "version": 2}),
        (
            (SupplyCreated(), Arrive(D(6), "PO-1", D(10))),
            {"received": 6, "reserved": 6, "to_supply": 4},
        ),
        ((*SUPPLIED, Release(D(10))), {"released": 10, "ready": 0, "in_pick": 10}),
        (
            (*SUPPLIED, Release(D(10)), Pick(D(8), canceled=D(2))),
            {"canceled": 2, "picked": 8, "released": 8, "reserved": 10},
        ),
        (
            (*SUPPLIED, Release(D(10)), Pick(D(8), kept=D(2))),
            {"picked": 8, "released": 8, "reserved": 8, "backordered": 2, "to_supply": 2},
        ),
        (
            (*SUPPLIED, Release(D(10)), Pick(D(10)), Ship(D(3), kept=D(2))),
            {"shipped": 3, "picked": 8, "released": 8, "reserved": 5, "backordered": 2},
        ),
        (
            (*SUPPLIED, Release(D(10)), Pick(D(10)), Ship(D(8), rest_canceled=D(2))),
            {
                "shipped": 8,
                "canceled": 2,
                "released": 8,
                "picked": 8,
                "reserved": 2,
                "excess_reserved": 2,
            },
        ),
        (
            (*SUPPLIED, Cancel(D(4)), ReleaseExcess()),
            {"canceled": 4, "reserved": 6, "excess_reserved": 0},
        ),
        ((*SUPPLIED, Increase(D(5))), {"ordered": 15, "to_supply": 5}),
        (
            (*SUPPLIED, Release(D(10)), Pick(D(10)), Ship(D(10)), Invoice(D(10))),
            {"shipped": 10, "invoiced": 10, "reserved": 0},
        ),
        ((SupplyCreated(), ReserveStock(D(4))), {"reserved": 4, "to_supply": 6}),
        (
            (SupplyCreated(), DropShip(D(4), "PO-1 line 1", D(10))),
            {"received": 4, "released": 4, "picked": 4, "shipped": 4, "reserved": 0},
        ),
        (
            (SupplyCreated(), DropShip(D(4), "PO-1", D(10)), DropShip(D(6), "PO-1", D(6))),
            {"shipped": 10, "to_ship": 0, "to_supply": 0, "ready": 0},
        ),
        (
            (SupplyCreated(), KitShipped(D(3)), KitShipped(D(7))),
            {"shipped": 10, "picked": 10, "released": 10, "to_ship": 0},
        ),
        (
            (SupplyCreated(), DropShip(D(4), "PO-1", D(10)), Cancel(D(6))),
            {"shipped": 4, "canceled": 6, "open": 4, "to_ship": 0},
        ),
    ],
)
def test_facts_move_the_quantities(facts: tuple[Fact, ...], expected: dict[str, object]) -> None:
    ledger = run(line(), *facts)
    for name, value in expected.items():
        assert getattr(ledger, name) == value, name
    assert ledger.version == len(facts) + 1


@pytest.mark.parametrize(
    ("facts", "fact", "kind", "reason"),
    [
        (
            (SupplyCreated(),),
            Arrive(D(11), "PO-1 line 1", D(11)),
            Refusal.CONFLICT,
            "over-receipt: 11 received but only 10 open on PO-1 line 1",
        ),
        (
            (SupplyCreated(),),
            Arrive(D(5), "PO-1 line 1", D(4)),
            Refusal.CONFLICT,
            "over-receipt: 5 received but only 4 open on PO-1 line 1",
        ),
        (
            (SupplyCreated(),),
            Release(D(1)),
            Refusal.CONFLICT,
            "1 cannot be released: 0 reserved, open and not released",
        ),
        (
            SUPPLIED,
            Pick(D(1)),
            Refusal.CONFLICT,
            "line is AWAITING_SHIPPING, not PICK_RELEASED: nothing released to pick",
        ),
        (
            (*SUPPLIED, Release(D(10))),
            Pick(D(0)),
            Refusal.INVALID,
            "picked_quantity: must be greater than 0",
        ),
        (
            (*SUPPLIED, Release(D(10))),
            Pick(D(9), kept=D(2)),
            Refusal.CONFLICT,
            "picked_quantity: 9 picked and 2 backordered is more than the 10 released and"
            " not yet picked",
        ),
        (
            (*SUPPLIED, Release(D(10))),
            Ship(D(1)),
            Refusal.CONFLICT,
            "line is PICK_RELEASED: nothing is staged to ship",
        ),
        (
            (*SUPPLIED, Release(D(10)), Pick(D(5))),
            Ship(D(5), canceled=D(1)),
            Refusal.CONFLICT,
            "shipped_quantity: 5 shipped and 1 backordered is more than the 5 picked and staged",
        ),
        (
            (*SUPPLIED, Release(D(10)), Pick(D(5)), Ship(D(5))),
            Cancel(D(6)),
            Refusal.INVALID,
            "quantity: 6 is more than the 5 open on the line (5 shipped)",
        ),
        ((), Increase(D(0)), Refusal.INVALID, "quantity: must be greater than 0"),
        (
            (SupplyCreated(), DropShip(D(8), "PO-1 line 1", D(10))),
            DropShip(D(3), "PO-1 line 1", D(2)),
            Refusal.CONFLICT,
            "quantity: 3 shipped but only 2 open on PO-1 line 1",
        ),
        (
            (SupplyCreated(), Cancel(D(7))),
            DropShip(D(4), "PO-1 line 1", D(10)),
            Refusal.CONFLICT,
            "quantity: 4 shipped but only 3 open on PO-1 line 1",
        ),
        ((), Invoice(D(1)), Refusal.CONFLICT, "1 cannot be invoiced: 0 shipped and not invoiced"),
    ],
)
def test_refused_facts_name_the_rule(
    facts: tuple[Fact, ...], fact: Fact, kind: Refusal, reason: str
) -> None:
    before = run(line(), *facts)
    refused = apply(before, fact)
    assert isinstance(refused, Refused)
    assert (refused.kind, refused.reason) == (kind, reason)


@pytest.mark.parametrize(
    ("facts", "back_to_back", "status"),
    [
        ((), True, LineStatus.BOOKED),
        ((SupplyCreated(),), True, LineStatus.AWAITING_SUPPLY),
        ((SupplyCreated(), ReserveStock(D(4))), False, LineStatus.BACKORDERED),
        ((SupplyCreated(), Arrive(D(6), "PO-1", D(10))), True, LineStatus.AWAITING_SUPPLY),
        (SUPPLIED, True, LineStatus.AWAITING_SHIPPING),
        ((*SUPPLIED, Release(D(10))), True, LineStatus.PICK_RELEASED),
        ((*SUPPLIED, Release(D(10)), Pick(D(4))), True, LineStatus.PICK_RELEASED),
        ((*SUPPLIED, Release(D(10)), Pick(D(10))), True, LineStatus.STAGED),
        # The least advanced open quantity: 2 kept open to be supplied again.
        ((*SUPPLIED, Release(D(10)), Pick(D(8), kept=D(2))), True, LineStatus.AWAITING_SUPPLY),
        # 6 arrived of 10, released, picked and shipped: the 4 still awaited decide.
        (
            (SupplyCreated(), Arrive(D(6), "PO-1", D(10)), Release(D(6)), Pick(D(6)), Ship(D(6))),
            True,
            LineStatus.AWAITING_SUPPLY,
        ),
        (
            (SupplyCreated(), Arrive(D(6), "PO-1", D(10)), Release(D(4))),
            True,
            LineStatus.AWAITING_SUPPLY,
        ),
        ((*SUPPLIED, Release(D(4))), True, LineStatus.AWAITING_SHIPPING),
        (
            (*SUPPLIED, Release(D(10)), Pick(D(10)), Ship(D(3), kept=D(7))),
            True,
            LineStatus.AWAITING_SUPPLY,
        ),
        ((*SUPPLIED, Release(D(10)), Pick(D(10)), Ship(D(10))), True, LineStatus.SHIPPED),
        # Drop ship: 4 of 10 shipped by the supplier, 6 still awaited from it.
        ((SupplyCreated(), DropShip(D(4), "PO-1", D(10))), True, LineStatus.AWAITING_SUPPLY),
        ((SupplyCreated(), DropShip(D(10), "PO-1", D(10))), True, LineStatus.SHIPPED),
        (
            (*SUPPLIED, Release(D(10)), Pick(D(10)), Ship(D(10)), EnterPhase(Phase.BILLING)),
            True,
            LineStatus.AWAITING_BILLING,
        ),
        (
            (*SUPPLIED, Release(D(10)), Pick(D(10)), Ship(D(10)), EnterPhase(Phase.CLOSED)),
            True,
            LineStatus.CLOSED,
        ),
        ((SupplyCreated(), EnterPhase(Phase.MANUAL)), True, LineStatus.MANUAL_ACTION_REQUIRED),
        ((EnterPhase(Phase.MANUAL), Cancel(D(10))), True, LineStatus.CANCELED),
        (
            (*SUPPLIED, Release(D(10)), Pick(D(10)), Ship(D(6), kept=D(4)), Cancel(D(4))),
            True,
            LineStatus.SHIPPED,
        ),
    ],
)
def test_status_follows_the_ledger(
    facts: tuple[Fact, ...], back_to_back: bool, status: LineStatus
) -> None:
    assert line_status(run(line(back_to_back=back_to_back), *facts)) is status


def test_a_refusal_changes_nothing() -> None:
    before = run(line(), *SUPPLIED)
    assert isinstance(apply(before, Pick(D(1))), Refused)
    assert before == run(line(), *SUPPLIED)


# ---------------------------------------------------------------------- properties

quantities = st.integers(min_value=0, max_value=12).map(D)
facts = st.one_of(
    st.just(SupplyCreated()),
    st.builds(Arrive, quantities, st.just("DOC"), quantities),
    st.builds(ReserveStock, quantities),
    st.just(ReleaseExcess()),
    st.builds(Release, quantities),
    st.builds(Pick, quantities, quantities, quantities),
    st.builds(Ship, quantities, quantities, quantities, quantities),
    st.builds(DropShip, quantities, st.just("DOC"), quantities),
    st.builds(KitShipped, quantities),
    st.builds(Cancel, quantities),
    st.builds(Increase, quantities),
    st.builds(Invoice, quantities),
    st.builds(EnterPhase, st.sampled_from(list(Phase))),
)


@settings(max_examples=300, deadline=None)
@given(
    ordered=st.integers(min_value=1, max_value=20).map(D),
    back_to_back=st.booleans(),
    sequence=st.lists(facts, max_size=25),
)
def test_random_facts_never_break_an_invariant(
    ordered: Decimal, back_to_back: bool, sequence: list[Fact]
) -> None:
    ledger = Ledger(ordered=ordered, back_to_back=back_to_back)
    for fact in sequence:
        result = apply(ledger, fact)  # raises LedgerBroken on a broken invariant
        if isinstance(result, Refused):
            continue
        assert violations(result) == []
        assert result.version == ledger.version + 1
        # The contract's sums: ordered = canceled + open; shipped + reserved + awaiting
        # supply = open once any excess reservation is released; picked within released.
        assert result.ordered == result.canceled + result.open
        assert result.picked <= result.released
        assert result.invoiced <= result.shipped
        settled = apply(result, ReleaseExcess())
        assert not isinstance(settled, Refused)
        assert settled.shipped + settled.reserved + settled.to_supply == settled.open
        assert (
            result.to_supply + result.ready + result.in_pick + result.staged + result.shipped
            == result.open + result.excess_reserved
        )
        ledger = result
        line_status(ledger)  # defined for every reachable ledger
