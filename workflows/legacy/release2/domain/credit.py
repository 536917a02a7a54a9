"""Credit authorization: an order's total against its customer's credit limit.

The limit bounds what the customer has on open, authorized orders: this order's total plus
the amounts already authorized for the customer's other orders. Over it, the order waits on
credit hold until a person raises the limit (or the order shrinks) and retries.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pydantic import BaseModel

from workflows.legacy.release2.domain.quantities import json_money
from workflows.legacy.release2.domain.statuses import CreditStatus

ZERO = Decimal("0")


@dataclass(frozen=True)
class CreditCheck:
    status: CreditStatus
    reason: str


def check_credit(
    *,
    customer_number: str,
    currency: str,
    credit_limit: Decimal | None,
    authorized_elsewhere: Decimal,
    order_total: Decimal,
    anything_open: bool = True,
) -> CreditCheck:
    """Authorize the order total, or hold it with a reason a person can act on.

    `credit_limit` None means the customer has no limit. `anything_open` False (every line
    canceled) leaves nothing to authorize: the authorization is canceled.
    """
    total = f"{json_money(order_total)} {currency}"
    if not anything_open:
        return CreditCheck(
            CreditStatus.CANCELED, "every line of the order is canceled: nothing to authorize"
        )
    if credit_limit is None:
        return CreditCheck(
            CreditStatus.AUTHORIZED,
            f"order total {total} authorized: {customer_number} has no credit limit",
        )
    exposure = authorized_elsewhere + order_total
    limit = json_money(credit_limit)
    if exposure <= credit_limit:
        used = (
            f" with {json_money(authorized_elsewhere)} already authorized"
            if authorized_elsewhere > 0
            else ""
        )
        return CreditCheck(
            CreditStatus.AUTHORIZED,
            f"order total {total} authorized for {customer_number}{used}:"
            f" {json_money(exposure)} of its credit limit {limit} used",
        )
    excess = json_money(exposure - credit_limit)
    if authorized_elsewhere > 0:
        reason = (
            f"order total {total} and {json_money(authorized_elsewhere)} already authorized"
            f" for {customer_number} exceed its credit limit {limit} by {excess}"
        )
    else:
        reason = (
            f"order total {total} exceeds the credit limit {limit} of {customer_number} by {excess}"
        )
    return CreditCheck(CreditStatus.ON_HOLD, reason)


# --------------------------------------------------------------------------- across Temporal
# Serialized into workflow histories: only add fields, with defaults.


class CreditDecision(BaseModel):
    """The answer of one authorization attempt of an order."""

    status: CreditStatus
    # The order total authorized or held (0 when nothing is open).
    amount: Decimal
    reason: str
    # Lines with quantity still open: the ones the order workflow starts once authorized.
    open_lines: list[int] = []


class CreditReviewSignal(BaseModel):
    """Something a credit hold depends on changed; the order workflow authorizes again."""

    request_id: str
    cause: str = ""
