"""Credit authorization of orders against their customers' credit limits: the check
(`credit_checks.py`), and how cancels, revisions, a person's retry and the order's close
move an authorization.

Lock order: an order's fulfillment lines first (like every request that changes a line),
then the customer row (authorizations of one customer serialize on it), then the order's
authorization row. Cancels hold the line and take only the authorization row.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import asyncpg

from adapters.errors import NotFound, Refusal
from adapters.postgres.common import Connection
from adapters.postgres.orders.credit_checks import (
    authorize_in,
    authorized_elsewhere,
    limit_taking_turns,
    open_total,
    order_lines,
)
from adapters.postgres.orders.credit_view import authorization_on
from adapters.postgres.outbox.events import append_event
from adapters.postgres.outbox.owed_signals import enqueue_signal
from domain.credit import CreditDecision, CreditReviewSignal, check_credit
from domain.identity import order_workflow_id
from domain.models import json_money
from domain.signals import CREDIT_REVIEW_REQUESTED
from domain.statuses import CreditStatus, EventType

ZERO = Decimal("0")
ALL_CANCELED = "every line of the order is canceled: nothing to authorize"


async def reauthorize(conn: Connection, order_number: str, *, key: str) -> None:
    """Bring the order's credit authorization to its open total, inside the caller's
    transaction (a cancel, with the canceled line locked).

    Authorized: a smaller total reduces the amount (CREDIT_REAUTHORIZED); nothing open cancels
    the authorization (CREDIT_AUTHORIZATION_CANCELED). On hold: the order workflow is asked to
    authorize again (a smaller order may fit now; a fully canceled one finishes). No
    authorization (booked before credit checks, or not checked yet: the check reads the lines
    as they are then) and canceled or closed ones change nothing.
    """
    auth = await conn.fetchrow(
        "SELECT * FROM credit_authorizations WHERE order_number = $1 FOR UPDATE", order_number
    )
    if auth is None or auth["status"] in (CreditStatus.CANCELED, CreditStatus.CLOSED):
        return
    # Read after the authorization row lock: every other cancel on the order has committed.
    open_lines, total = open_total(await order_lines(conn, order_number, lock=False))
    event_key = f"{key}:credit"
    if not open_lines:
        await _set(conn, order_number, CreditStatus.CANCELED, ZERO, ALL_CANCELED)
        await append_event(
            conn,
            key=event_key,
            type=EventType.CREDIT_AUTHORIZATION_CANCELED,
            order_number=order_number,
            line_number=None,
            data={
                "previous_status": auth["status"],
                "previous_amount": json_money(auth["amount"]),
                "reason": ALL_CANCELED,
            },
        )
    elif auth["status"] == CreditStatus.AUTHORIZED and total < auth["amount"]:
        await _reauthorized(conn, auth, total, "after a cancel", key=event_key)
    # A larger total (a revision adding to the order) is a new credit check, not an
    # adjustment of this authorization; it is left as it is here.
    if auth["status"] == CreditStatus.ON_HOLD:
        await enqueue_signal(
            conn,
            workflow_id=order_workflow_id(order_number),
            signal=CREDIT_REVIEW_REQUESTED,
            payload=CreditReviewSignal(request_id=event_key, cause="a line was canceled"),
        )


async def authorize_revision(conn: Connection, order_number: str, *, key: str) -> None:
    """A revision that raises an authorized order's total is checked again against the
    customer's limit inside the revision's transaction (its lines are locked): over it, the
    revision is refused with 409 and, rolled back, changes nothing."""
    auth = await conn.fetchrow(
        "SELECT * FROM credit_authorizations WHERE order_number = $1", order_number
    )
    if auth is None or auth["status"] != CreditStatus.AUTHORIZED:
        return
    open_lines, total = open_total(await order_lines(conn, order_number, lock=False))
    if total <= auth["amount"]:
        return
    credit_limit = await limit_taking_turns(conn, auth["customer_number"])
    elsewhere: Decimal = await authorized_elsewhere(conn, auth["customer_number"], order_number)
    check = check_credit(
        customer_number=auth["customer_number"],
        currency=auth["currency"],
        credit_limit=credit_limit,
        authorized_elsewhere=elsewhere,
        order_total=total,
        anything_open=bool(open_lines),
    )
    if check.status is not CreditStatus.AUTHORIZED:
        raise Refusal(409, f"credit: the revised order is refused: {check.reason}", field="credit")
    await _reauthorized(conn, auth, total, "after a revision", key=f"{key}:credit")


async def _reauthorized(
    conn: Connection, auth: Any, total: Decimal, cause: str, *, key: str
) -> None:
    """The authorization follows the order's new total (CREDIT_REAUTHORIZED)."""
    reason = (
        f"re-authorized at the new order total {json_money(total)} {auth['currency']}"
        f" {cause} (was {json_money(auth['amount'])})"
    )
    await _set(conn, auth["order_number"], CreditStatus.AUTHORIZED, total, reason)
    await append_event(
        conn,
        key=key,
        type=EventType.CREDIT_REAUTHORIZED,
        order_number=auth["order_number"],
        line_number=None,
        data={
            "previous_amount": json_money(auth["amount"]),
            "amount": json_money(total),
            "reason": reason,
        },
    )


async def _set(
    conn: Connection, order_number: str, status: CreditStatus, amount: Decimal, reason: str
) -> None:
    await conn.execute(
        "UPDATE credit_authorizations SET status = $2, amount = $3, reason = $4,"
        " updated_at = now() WHERE order_number = $1",
        order_number,
        status,
        amount,
        reason,
    )


async def close_authorization(conn: Connection, *, key: str, order_number: str) -> None:
    """The order is done: its authorized amount no longer counts as open (what was
    invoiced is a receivable now, outside this release)."""
    amount = await conn.fetchval(
        "UPDATE credit_authorizations SET status = $2, updated_at = now()"
        " WHERE order_number = $1 AND status = $3 RETURNING amount",
        order_number,
        CreditStatus.CLOSED,
        CreditStatus.AUTHORIZED,
    )
    if amount is not None:
        await append_event(
            conn,
            key=key,
            type=EventType.CREDIT_AUTHORIZATION_CLOSED,
            order_number=order_number,
            line_number=None,
            data={"amount": json_money(amount)},
        )


class Credit:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def authorize(self, *, key: str, order_number: str) -> CreditDecision:
        """The order workflow's step: the order's credit check (`credit_checks.authorize_in`)
        in a transaction of its own. The signals it owes go with the relay."""
        async with self._pool.acquire() as conn, conn.transaction():
            decision, _ = await authorize_in(conn, order_number, key=key)
        return decision

    async def close(self, *, key: str, order_number: str) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await close_authorization(conn, key=key, order_number=order_number)

    async def request_retry(
        self, *, order_number: str, request_id: str
    ) -> tuple[dict[str, Any], list[int]]:
        """A person asks a held order to be authorized again (after raising the customer's
        credit limit): it is checked in this transaction, by the check the order workflow's
        step runs, and the answer says what came of it. Authorized, its held lines are
        released (those started held are told), and its workflow, told too, follows the
        authorization; still held, it stays held for this check's reason, and its workflow
        keeps waiting."""
        key = f"credit-retry-{request_id}"
        async with self._pool.acquire() as conn, conn.transaction():
            await order_lines(conn, order_number, lock=True)  # the lock order: lines first
            auth = await conn.fetchrow(
                "SELECT status, reason FROM credit_authorizations WHERE order_number = $1",
                order_number,
            )
            await _refuse_unless_held(conn, order_number, auth)
            await append_event(
                conn,
                key=key,
                type=EventType.CREDIT_RETRY_REQUESTED,
                order_number=order_number,
                line_number=None,
                data={"held_reason": auth["reason"]},
            )
            decision, outbox = await authorize_in(
                conn, order_number, key=f"{key}:check", retried=True
            )
            held = decision.status is CreditStatus.ON_HOLD
            if not held:  # still held, its workflow has nothing new to follow
                outbox.append(await _tell_order(conn, order_number, key=key))
            return {
                "order_number": order_number,
                "credit_status": decision.status,
                "reason": decision.reason,
                "held_reason": decision.reason if held else None,
                "retry_requested": True,
                "credit_authorization": await authorization_on(conn, order_number),
            }, outbox

    async def authorization(self, order_number: str) -> dict[str, Any] | None:
        """The order's credit authorization as the API shows it; None when it has none."""
        async with self._pool.acquire() as conn:
            return await authorization_on(conn, order_number)


async def _tell_order(conn: Connection, order_number: str, *, key: str) -> int:
    """The order's workflow follows a retry that authorized it (its next check)."""
    return await enqueue_signal(
        conn,
        workflow_id=order_workflow_id(order_number),
        signal=CREDIT_REVIEW_REQUESTED,
        payload=CreditReviewSignal(request_id=key, cause="a person retried"),
    )


async def _refuse_unless_held(conn: Connection, order_number: str, auth: Any) -> None:
    """Only an order on credit hold is retried: 404 for an unknown order, 409 for one
    authorized, canceled, closed or never checked (sent again once authorized, a retry
    answers so and changes nothing)."""
    if auth is None:
        if not await conn.fetchval("SELECT 1 FROM orders WHERE order_number = $1", order_number):
            raise NotFound(f"order {order_number}")
        raise Refusal(409, f"order {order_number} is not on credit hold: it has no authorization")
    if auth["status"] != CreditStatus.ON_HOLD:
        raise Refusal(
            409,
            f"order {order_number} is not on credit hold: its credit authorization is"
            f" {auth['status']}",
        )
