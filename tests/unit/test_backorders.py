from decimal import Decimal

from domain.backorders import (
    CANCEL_BACKORDERS_REASON,
    LineFlags,
    after_shipment,
    at_confirm,
    at_pick_release,
    backorder_reason,
    is_reserved_reason,
)

BOTH = LineFlags(cancel_backorders=True, enforce_single_shipment=True)
CANCEL_ONLY = LineFlags(cancel_backorders=True, enforce_single_shipment=False)
NEITHER = LineFlags(cancel_backorders=False, enforce_single_shipment=False)
D = Decimal


def test_pick_release_cancels_what_is_not_there_only_with_the_flag() -> None:
    assert at_pick_release(CANCEL_ONLY, to_ship=D(10), reserved=D(6)) == 4
    assert at_pick_release(CANCEL_ONLY, to_ship=D(10), reserved=D(10)) == 0
    assert at_pick_release(NEITHER, to_ship=D(10), reserved=D(6)) == 0


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
