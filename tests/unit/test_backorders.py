import dataclasses
from decimal import Decimal

from domain.backorders import (
    CANCEL_BACKORDERS_REASON,
    LineFlags,
    WaveLine,
    after_shipment,
    at_confirm,
    backorder_reason,
    is_reserved_reason,
    plan_wave,
)

BOTH = LineFlags(cancel_backorders=True, enforce_single_shipment=True)
CANCEL_ONLY = LineFlags(cancel_backorders=True, enforce_single_shipment=False)
NEITHER = LineFlags(cancel_backorders=False, enforce_single_shipment=False)
D = Decimal


def test_confirm_cancels_the_backordered_quantity_only_with_the_flag() -> None:
    assert at_confirm(CANCEL_ONLY, backordered=D(3)) == 3
    assert at_confirm(NEITHER, backordered=D(3)) == 0


def test_single_shipment_cancels_what_stays_open_after_the_first_shipment() -> None:
    assert after_shipment(BOTH, open_quantity=D(10), shipped=D(7)) == 3
    assert after_shipment(CANCEL_ONLY, open_quantity=D(10), shipped=D(7)) == 0
    assert after_shipment(BOTH, open_quantity=D(7), shipped=D(7)) == 0


def test_a_persons_reason_is_kept_and_the_predefined_one_is_reserved() -> None:
    assert backorder_reason("The item is damaged") == "The item is damaged"
    assert backorder_reason(None) == CANCEL_BACKORDERS_REASON
    assert is_reserved_reason(" cancel backorders ") and is_reserved_reason("ORA_CANCEL_BACKORDERS")
    assert not is_reserved_reason("Customer reduced")


def wave_line(
    number: int,
    *,
    to_ship: int = 10,
    reserved: int = 10,
    shipment_set: str | None = None,
    flags: LineFlags = CANCEL_ONLY,
    candidate: bool = True,
    in_parts: bool = False,
) -> WaveLine:
    return WaveLine(
        order_number="SO-1",
        line_number=number,
        shipment_set=shipment_set,
        flags=flags,
        to_ship=D(to_ship),
        reserved=D(reserved),
        candidate=candidate,
        in_parts=in_parts,
    )


def test_no_sets_ship_what_is_there_and_cancel_the_rest_per_line() -> None:
    plan = plan_wave([wave_line(1), wave_line(2, reserved=6)])
    assert plan.release == {("SO-1", 1): 10, ("SO-1", 2): 6}
    assert plan.cancel == {("SO-1", 2): 4}


def test_a_line_shipping_in_parts_releases_what_arrived_and_the_rest_waits() -> None:
    plan = plan_wave([wave_line(1, reserved=6, flags=NEITHER, in_parts=True)])
    assert (plan.release, plan.waiting, plan.cancel) == ({("SO-1", 1): 6}, {("SO-1", 1): 4}, {})
    # A line that ships whole keeps waiting for all of it.
    plan = plan_wave([wave_line(1, reserved=6, flags=NEITHER)])
    assert (plan.release, plan.waiting) == ({}, {("SO-1", 1): 4})


def test_all_lines_in_one_set_any_short_line_cancels_the_order() -> None:
    plan = plan_wave(
        [
            wave_line(1, shipment_set="A"),
            wave_line(2, reserved=6, shipment_set="A"),
            # Still waiting for its supply: not in the wave, but in the set.
            wave_line(3, reserved=0, shipment_set="A", candidate=False),
        ]
    )
    assert plan.release == {}
    assert plan.cancel == {("SO-1", 1): 10, ("SO-1", 2): 10, ("SO-1", 3): 10}


def test_each_line_its_own_set_cancels_only_the_short_line() -> None:
    plan = plan_wave([wave_line(1, shipment_set="A"), wave_line(2, reserved=6, shipment_set="B")])
    assert plan.release == {("SO-1", 1): 10}
    assert plan.cancel == {("SO-1", 2): 10}


def test_a_short_line_without_the_flag_waits() -> None:
    plan = plan_wave([wave_line(1, reserved=6, shipment_set="A", flags=NEITHER)])
    assert plan.release == {} and plan.cancel == {} and plan.waiting == {("SO-1", 1): 4}


def test_shipping_within_the_under_tolerance_cancels_the_rest() -> None:
    cancel = after_shipment(
        CANCEL_ONLY, open_quantity=D(10), shipped=D(9), under_tolerance_pct=D(10)
    )
    assert cancel == 1
    assert (
        after_shipment(NEITHER, open_quantity=D(10), shipped=D(8), under_tolerance_pct=D(10)) == 0
    )
    assert (
        after_shipment(NEITHER, open_quantity=D(10), shipped=D(9), under_tolerance_pct=D(10)) == 1
    )


def test_a_held_line_is_left_and_its_shipment_set_with_it() -> None:
    held = dataclasses.replace(wave_line(1, shipment_set="A"), held="on hold: HLD-1")
    plan = plan_wave(
        [
            held,
            wave_line(2, shipment_set="A"),
            wave_line(3),
            dataclasses.replace(wave_line(4, reserved=6), held="on hold: HLD-2"),
        ]
    )
    assert plan.release == {("SO-1", 3): 10}  # the free line only
    assert plan.cancel == {}  # line 4 is short and cancels backorders, but is held: left
    assert plan.held == {
        ("SO-1", 1): "on hold: HLD-1",
        ("SO-1", 2): "shipment set A: line 1 is on hold",
        ("SO-1", 4): "on hold: HLD-2",
    }


def test_a_short_line_waits_with_its_held_set_instead_of_canceling_it() -> None:
    # Line 2 is short and cancels backorders, which would cancel its whole set; line 1 of
    # the set is held, so the set is left whole for the hold to be released.
    plan = plan_wave(
        [
            dataclasses.replace(wave_line(1, shipment_set="B"), held="on hold: HLD-3"),
            wave_line(2, shipment_set="B", reserved=4),
        ]
    )
    assert plan.cancel == {} and plan.release == {} and plan.canceled_sets == set()
    assert set(plan.held) == {("SO-1", 1), ("SO-1", 2)}
