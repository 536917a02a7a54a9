from decimal import Decimal

from domain.credit import CreditCheck, check_credit
from domain.statuses import CreditStatus


def check(
    total: str, *, limit: str | None = "250000.00", elsewhere: str = "0", anything_open: bool = True
) -> CreditCheck:
    return check_credit(
        customer_number="CUST-100",
        currency="USD",
        credit_limit=None if limit is None else Decimal(limit),
        authorized_elsewhere=Decimal(elsewhere),
        order_total=Decimal(total),
        anything_open=anything_open,
    )


def test_within_the_limit_is_authorized_and_says_how_much_is_used() -> None:
    result = check("72500.00", elsewhere="100000.00")
    assert result.status is CreditStatus.AUTHORIZED
    assert result.reason == (
        "order total 72500.00 USD authorized for CUST-100 with 100000.00 already authorized:"
        " 172500.00 of its credit limit 250000.00 used"
    )


def test_exactly_the_limit_is_authorized() -> None:
    assert check("50000.00", elsewhere="200000.00").status is CreditStatus.AUTHORIZED


def test_over_the_limit_with_other_orders_is_held_naming_the_excess() -> None:
    result = check("72500.00", elsewhere="200000.00")
    assert result.status is CreditStatus.ON_HOLD
    assert result.reason == (
        "order total 72500.00 USD and 200000.00 already authorized for CUST-100 exceed its"
        " credit limit 250000.00 by 22500.00"
    )


def test_one_order_over_the_limit_alone_is_held() -> None:
    result = check("290000.00")
    assert result.status is CreditStatus.ON_HOLD
    assert result.reason == (
        "order total 290000.00 USD exceeds the credit limit 250000.00 of CUST-100 by 40000.00"
    )


def test_a_cent_over_is_held() -> None:
    assert check("50000.01", elsewhere="200000.00").status is CreditStatus.ON_HOLD


def test_no_limit_always_authorizes() -> None:
    result = check("9999999.00", limit=None, elsewhere="5000000.00")
    assert result.status is CreditStatus.AUTHORIZED
    assert "CUST-100 has no credit limit" in result.reason


def test_a_zero_limit_holds_any_amount_but_not_a_free_order() -> None:
    assert check("0.01", limit="0").status is CreditStatus.ON_HOLD
    assert check("0.00", limit="0").status is CreditStatus.AUTHORIZED


def test_nothing_open_cancels_the_authorization() -> None:
    result = check("0.00", elsewhere="300000.00", anything_open=False)
    assert result.status is CreditStatus.CANCELED
    assert "every line of the order is canceled" in result.reason
