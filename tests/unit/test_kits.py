"""Kits' decisions without Temporal or a database: component numbering and workflow ids,
whole kits, the kit's status, setup refusals, readiness, and seed 004's kit rule at pick
release as a table."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.backorders import LineFlags, WaveLine, plan_wave
from domain.identity import line_workflow_id
from domain.kits import (
    component_line_number,
    kit_component_of,
    kit_quantities,
    kit_set,
    kit_status,
    setup_refusal,
    whole_kits,
)
from domain.line import Ledger
from domain.readiness import kit_gaps
from domain.statuses import LineStatus as S

D = Decimal


@given(st.integers(min_value=1, max_value=99_999), st.integers(min_value=1, max_value=99))
def test_a_component_number_never_meets_an_order_line_and_decodes(line: int, c: int) -> None:
    number = component_line_number(line, c)
    assert number > 99_999 and number < 2**31
    assert kit_component_of(number) == (line, c)
    assert line_workflow_id("SO-1", number) == f"order-SO-1-line-{line}-component-{c}"
    assert kit_component_of(line) is None
    assert line_workflow_id("SO-1", line) == f"order-SO-1-line-{line}"


@pytest.mark.parametrize(
    ("quantities", "kits"),
    [
        ([(D(7), D(2)), (D(5), D(1))], D(3)),  # seed 004: 7 A at 2 a kit, 5 B
        ([(D(10), D(2)), (D(5), D(1))], D(5)),
        ([(D(1), D(2)), (D(5), D(1))], D(0)),
        ([(D("4.5"), D("1.5"))], D(3)),
        ([], D(0)),
    ],
)
def test_whole_kits_are_the_fewest_any_component_makes(
    quantities: list[tuple[Decimal, Decimal]], kits: Decimal
) -> None:
    assert whole_kits(quantities) == kits


def test_kit_quantities_count_whole_kits_shipped() -> None:
    kit = Ledger(ordered=D(5), canceled=D(2))
    a = Ledger(ordered=D(10), shipped=D(5), picked=D(5), released=D(5), reserved=D(1))
    b = Ledger(ordered=D(5), shipped=D(3), picked=D(3), released=D(3))
    q = kit_quantities(kit, [(D(2), a), (D(1), b)])
    assert (q.ordered, q.canceled, q.open, q.shipped) == (5, 2, 3, 2)


@pytest.mark.parametrize(
    ("stored", "components", "status"),
    [
        (S.AWAITING_SUPPLY, [S.AWAITING_SHIPPING, S.AWAITING_SUPPLY], S.AWAITING_SUPPLY),
        (S.AWAITING_SUPPLY, [S.STAGED, S.PICK_RELEASED], S.PICK_RELEASED),
        (S.AWAITING_SUPPLY, [S.CLOSED, S.CLOSED], S.SHIPPED),  # the kit bills itself
        (S.AWAITING_SUPPLY, [S.CANCELED, S.STAGED], S.STAGED),
        (S.AWAITING_SUPPLY, [S.MANUAL_ACTION_REQUIRED, S.STAGED], S.MANUAL_ACTION_REQUIRED),
        (S.AWAITING_SUPPLY, [S.CANCELED, S.CANCELED], S.AWAITING_SUPPLY),
        (S.CLOSED, [S.CLOSED, S.CANCELED], S.CLOSED),
        (S.CANCELED, [S.CANCELED], S.CANCELED),
        (S.AWAITING_BILLING, [S.CLOSED], S.AWAITING_BILLING),
    ],
)
def test_a_kit_is_where_its_least_advanced_open_component_is(
    stored: S, components: list[S], status: S
) -> None:
    assert kit_status(stored, components) is status


@pytest.mark.parametrize(
    ("components", "kits", "why"),
    [
        (["A", "B"], {}, None),
        (["KIT"], {}, "kit KIT cannot contain itself"),
        (["A", "KIT-2"], {"KIT-2": True}, "KIT-2 is a kit: a kit component cannot be a kit"),
    ],
)
def test_a_kit_contains_neither_itself_nor_another_kit(
    components: list[str], kits: dict[str, bool], why: str | None
) -> None:
    assert setup_refusal("KIT", components, kits) == why


def test_a_kits_readiness_names_its_components_gaps() -> None:
    assert kit_gaps([("A", ["no cost"]), ("B", []), ("C", ["x", "y"])]) == [
        "component A: no cost",
        "component C: x",
        "component C: y",
    ]


def component(
    c: int, per_kit: int, reserved: int, *, open_kits: int = 5, cb: bool = True, released: int = 0
) -> WaveLine:
    """A component of kit line 1 with `reserved` on hand, `released` of it in pick."""
    ready = reserved - released
    return WaveLine(
        order_number="SO-1",
        line_number=component_line_number(1, c),
        shipment_set=kit_set(1, None),
        flags=LineFlags(cancel_backorders=cb, enforce_single_shipment=False),
        to_ship=D(open_kits * per_kit),
        reserved=D(reserved),
        candidate=ready > 0,
        releasable=D(ready),
        kit=(1, D(per_kit)),
    )


A, B = component_line_number(1, 1), component_line_number(1, 2)


@pytest.mark.parametrize(
    ("lines", "release", "cancel", "waiting", "kit_cancels"),
    [
        # Seed 004's example: 5 kits of 2 A + 1 B, only 7 A: 3 ship, 2 are canceled.
        (
            [component(1, 2, 7), component(2, 1, 5)],
            {A: 6, B: 3},
            {A: 4, B: 2},
            {},
            {1: 2},
        ),
        # All there: each component released whole.
        ([component(1, 2, 10), component(2, 1, 5)], {A: 10, B: 5}, {}, {}, {}),
        # Part of it in the warehouse already (B released): a short kit waits, uncut.
        (
            [component(1, 2, 7), component(2, 1, 5, released=5)],
            {},
            {},
            {A: 3, B: 0},
            {},
        ),
        # ... and once the rest arrives, what is ready is released.
        ([component(1, 2, 10), component(2, 1, 5, released=5)], {A: 10}, {}, {}, {}),
        # Not one whole kit: the kit waits.
        ([component(1, 2, 1), component(2, 1, 5)], {}, {}, {A: 9, B: 0}, {}),
        # Without Cancel Backorders the kit waits for the rest.
        (
            [component(1, 2, 7, cb=False), component(2, 1, 5, cb=False)],
            {},
            {},
            {A: 3, B: 0},
            {},
        ),
    ],
)
def test_a_short_kit_at_pick_release_is_cut_to_whole_kits(
    lines: list[WaveLine],
    release: dict[int, int],
    cancel: dict[int, int],
    waiting: dict[int, int],
    kit_cancels: dict[int, int],
) -> None:
    plan = plan_wave(lines)
    assert {k[1]: v for k, v in plan.release.items()} == release
    assert {k[1]: v for k, v in plan.cancel.items()} == cancel
    assert {k[1]: v for k, v in plan.waiting.items()} == waiting
    assert {k[1]: v for k, v in plan.kit_cancels.items()} == kit_cancels
