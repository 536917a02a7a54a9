"""Credit authorization of orders against their customers' credit limits.

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
from adapters.postgres.line.ledger import ledger_of, lock_order_lines, record
from adapters.postgres.orders.credit_view import authorization_on
from adapters.postgres.outbox.events import append_event
from adapters.postgres.outbox.owed_signals import enqueue_signal
from adapters.postgres.outbox.tell import about_order, tell
from domain.credit import CreditDecision, CreditReviewSignal, check_credit
from domain.identity import order_workflow_id
from domain.line import EnterPhase, Phase
from domain.models import CreditReleasedSignal, json_money
from domain.pricing import line_amount
from domain.signals import CREDIT_RELEASED, CREDIT_REVIEW_REQUESTED
from domain.statuses import CreditStatus, EventType, LineStatus

ZERO = Decimal("0")
ALL_CANCELED = "every line of the order is canceled: nothing to authorize"

_DECISION_EVENTS = {
    CreditStatus.AUTHORIZED: EventType.CREDIT_AUTHORIZED,
    CreditStatus.ON_HOLD: EventType.CREDIT_HOLD,
    CreditStatus.CANCELED: EventType.CREDIT_AUTHORIZATION_CANCELED,
}


async def _order_lines(conn: Connection, order_number: str, *, lock: bool) -> list[Any]:
    return list(
        await conn.fetch(
            "SELECT line_number, workflow_id, ordered_quantity - canceled_quantity"
            " AS open_quantity, unit_price, unit_discount FROM fulfillment_lines"
            " WHERE order_number = $1 ORDER BY line_number" + (" FOR UPDATE" if lock else ""),
            order_number,
        )
    )


def _open_total(lines: list[Any]) -> tuple[list[int], Decimal]:
    """The lines with quantity open and the order total: open quantity at the booked net
    price (a volume discount stays after cancels), rounded per line like the line amount."""
    open_lines = [r["line_number"] for r in lines if r["open_quantity"] > 0]
    total = sum(
        (line_amount(r["open_quantity"], r["unit_price"], r["unit_discount"]) for r in lines),
        ZERO,
    )
    return open_lines, total


def _decision(row: Any) -> CreditDecision:
    return CreditDecision(
        status=CreditStatus(row["status"]),
        amount=row["amount"],
        reason=row["reason"],
        open_lines=list(row["open_lines"]),
    )


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
    open_lines, total = _open_total(await _order_lines(conn, order_number, lock=False))
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
    open_lines, total = _open_total(await _order_lines(conn, order_number, lock=False))
    if total <= auth["amount"]:
        return
    credit_limit = await _limit_taking_turns(conn, auth["customer_number"])
    elsewhere: Decimal = await _authorized_elsewhere(conn, auth["customer_number"], order_number)
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


async def _limit_taking_turns(conn: Connection, customer_number: str) -> Decimal | None:
    """The customer's credit limit, locked until the transaction ends. Authorizations of a
    customer with a limit take turns (FOR NO KEY UPDATE): two orders cannot each fit under a
    limit that together they exceed. Without a limit there is nothing to share: they hold the
    row FOR SHARE, side by side, and a setup that gives the customer a limit waits for them
    (so the next authorization counts them). Neither lock holds up a booking's foreign key
    check (FOR KEY SHARE)."""
    query = "SELECT credit_limit FROM customers WHERE number = $1"
    # Shared only on a row without a limit, never upgraded (two holders would deadlock).
    unlimited = await conn.fetchrow(query + " AND credit_limit IS NULL FOR SHARE", customer_number)
    if unlimited is not None:
        return None
    # A limit (or no such customer): the exclusive turn, the limit read under it.
    limited: Decimal | None = await conn.fetchval(query + " FOR NO KEY UPDATE", customer_number)
    return limited


async def _authorized_elsewhere(conn: Connection, customer_number: str, order_number: str) -> Any:
    """What the customer's other authorized orders already take of its limit."""
    return await conn.fetchval(
        "SELECT coalesce(sum(amount), 0) FROM credit_authorizations"
        " WHERE customer_number = $1 AND status = $2 AND order_number <> $3",
        customer_number,
        CreditStatus.AUTHORIZED,
        order_number,
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


async def _release_started_lines(
    conn: Connection, order_number: str, released: list[Any], *, key: str
) -> None:
    """Lines of an order that starts its lines from their rows were started held: each one
    released is told, with its ledger. Orders whose workflow holds its lines start them
    once authorized instead."""
    if not released or not await conn.fetchval(
        "SELECT starts_lines FROM orders WHERE order_number = $1", order_number
    ):
        return
    for row in released:
        await enqueue_signal(
            conn,
            workflow_id=row["workflow_id"],
            signal=CREDIT_RELEASED,
            payload=CreditReleasedSignal(request_id=key, ledger=ledger_of(row)),
        )


class Credit:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def authorize(self, *, key: str, order_number: str) -> CreditDecision:
        """Authorize the order's open total against its customer's credit limit, counting
        the customer's other authorized orders, or put the order on credit hold. Held, its
        lines show MANUAL_ACTION_REQUIRED; authorized, they are BOOKED again. The answer is
        stored under `key`: a retried step answers the same."""
        async with self._pool.acquire() as conn, conn.transaction():
            lines = await _order_lines(conn, order_number, lock=True)
            order = await conn.fetchrow(
                "SELECT customer_number, currency FROM orders WHERE order_number = $1",
                order_number,
            )
            if order is None:
                raise NotFound(f"order {order_number}")
            customer_number: str = order["customer_number"]
            credit_limit = await _limit_taking_turns(conn, customer_number)
            earlier = await conn.fetchrow(
                "SELECT * FROM credit_checks WHERE idempotency_key = $1", key
            )
            if earlier is not None:
                return _decision(earlier)
            open_lines, total = _open_total(lines)
            elsewhere: Decimal = await _authorized_elsewhere(conn, customer_number, order_number)
            check = check_credit(
                customer_number=customer_number,
                currency=order["currency"],
                credit_limit=credit_limit,
                authorized_elsewhere=elsewhere,
                order_total=total,
                anything_open=bool(open_lines),
            )
            amount = ZERO if check.status is CreditStatus.CANCELED else total
            previous = await conn.fetchval(
                "WITH previous AS (SELECT status FROM credit_authorizations"
                " WHERE order_number = $1)"
                " INSERT INTO credit_authorizations (order_number, customer_number, currency,"
                " amount, status, reason) VALUES ($1, $2, $3, $4, $5, $6)"
                " ON CONFLICT (order_number) DO UPDATE SET amount = $4, status = $5,"
                " reason = $6, updated_at = now() RETURNING (SELECT status FROM previous)",
                order_number,
                customer_number,
                order["currency"],
                amount,
                check.status,
                check.reason,
            )
            await conn.execute(
                "INSERT INTO credit_checks (idempotency_key, order_number, status, amount,"
                " credit_limit, authorized_elsewhere, reason, open_lines)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                key,
                order_number,
                check.status,
                amount,
                credit_limit,
                elsewhere,
                check.reason,
                open_lines,
            )
            released = await self._show_on_lines(conn, order_number, check.status)
            await _release_started_lines(conn, order_number, released, key=key)
            never_started = [r["workflow_id"] for r in lines if r["open_quantity"] <= 0]
            if check.status is not CreditStatus.ON_HOLD and never_started:
                # Lines with nothing open are never started: the signals owed to them (their
                # cancels) have no workflow to reach.
                await conn.execute(
                    "UPDATE signal_outbox SET delivered_at = now() WHERE delivered_at IS NULL"
                    " AND workflow_id = ANY($1::text[])",
                    never_started,
                )
            if not (check.status is CreditStatus.CANCELED and previous == check.status):
                await append_event(
                    conn,
                    key=key,
                    type=_DECISION_EVENTS[check.status],
                    order_number=order_number,
                    line_number=None,
                    data={
                        "customer_number": customer_number,
                        "amount": json_money(amount),
                        "credit_limit": None if credit_limit is None else json_money(credit_limit),
                        "authorized_elsewhere": json_money(elsewhere),
                        "reason": check.reason,
                    },
                )
            return CreditDecision(
                status=check.status, amount=amount, reason=check.reason, open_lines=open_lines
            )

    async def _show_on_lines(
        self, conn: Connection, order_number: str, status: CreditStatus
    ) -> list[Any]:
        """A held order's lines wait for a person like any line in manual action; released,
        they are booked again (the rows it released are answered)."""
        held = status is CreditStatus.ON_HOLD
        waiting, then = (Phase.BOOKED, Phase.MANUAL) if held else (Phase.MANUAL, Phase.BOOKED)
        moved = []
        for row in await lock_order_lines(conn, order_number):
            if row["phase"] == waiting and row["status"] != LineStatus.CANCELED:
                moved.append(await record(conn, row, EnterPhase(then)))
        return [] if held else moved

    async def close(self, *, key: str, order_number: str) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await close_authorization(conn, key=key, order_number=order_number)

    async def request_retry(
        self, *, order_number: str, request_id: str
    ) -> tuple[dict[str, Any], list[int]]:
        """A person asks a held order to be authorized again (after raising the customer's
        credit limit); its workflow does so on the signal."""
        async with self._pool.acquire() as conn, conn.transaction():
            auth = await conn.fetchrow(
                "SELECT * FROM credit_authorizations WHERE order_number = $1 FOR UPDATE",
                order_number,
            )
            if auth is None:
                if not await conn.fetchval(
                    "SELECT 1 FROM orders WHERE order_number = $1", order_number
                ):
                    raise NotFound(f"order {order_number}")
                raise Refusal(
                    409, f"order {order_number} is not on credit hold: it has no authorization"
                )
            if auth["status"] != CreditStatus.ON_HOLD:
                raise Refusal(
                    409,
                    f"order {order_number} is not on credit hold: its credit authorization is"
                    f" {auth['status']}",
                )
            outbox = [
                await tell(
                    conn,
                    about_order(order_number),
                    key=f"credit-retry-{request_id}",
                    event=EventType.CREDIT_RETRY_REQUESTED,
                    data={"held_reason": auth["reason"]},
                    signal=CREDIT_REVIEW_REQUESTED,
                    payload=CreditReviewSignal(
                        request_id=f"credit-retry-{request_id}", cause="a person retried"
                    ),
                )
            ]
            return {
                "order_number": order_number,
                "credit_status": auth["status"],
                "held_reason": auth["reason"],
                "retry_requested": True,
            }, outbox

    async def authorization(self, order_number: str) -> dict[str, Any] | None:
        """The order's credit authorization as the API shows it; None when it has none."""
        async with self._pool.acquire() as conn:
            return await authorization_on(conn, order_number)
