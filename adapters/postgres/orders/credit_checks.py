"""One credit check of an order: its open total against its customer's credit limit, the
decision written with what follows from it, inside the caller's transaction. The order
workflow's authorize step and a person's retry (`Credit.request_retry`) both run it.

Lock order: the order's fulfillment lines first (like every request that changes a line),
then the customer row (authorizations of one customer serialize on it), then the order's
authorization row. Every writer of an authorization holds a line of its order, so what is
read of it under the line locks stays true until commit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from adapters.errors import NotFound
from adapters.postgres.common import Connection
from adapters.postgres.line.ledger import ledger_of, lock_order_lines, record
from adapters.postgres.outbox.events import append_event
from adapters.postgres.outbox.owed_signals import enqueue_signal
from domain.credit import CreditCheck, CreditDecision, check_credit
from domain.line import EnterPhase, Phase
from domain.models import CreditReleasedSignal, json_money
from domain.pricing import line_amount
from domain.signals import CREDIT_RELEASED
from domain.statuses import CreditStatus, EventType, LineStatus

ZERO = Decimal("0")
DECISION_EVENTS = {
    CreditStatus.AUTHORIZED: EventType.CREDIT_AUTHORIZED,
    CreditStatus.ON_HOLD: EventType.CREDIT_HOLD,
    CreditStatus.CANCELED: EventType.CREDIT_AUTHORIZATION_CANCELED,
}


async def order_lines(conn: Connection, order_number: str, *, lock: bool) -> list[Any]:
    return list(
        await conn.fetch(
            "SELECT line_number, workflow_id, ordered_quantity - canceled_quantity"
            " AS open_quantity, unit_price, unit_discount FROM fulfillment_lines"
            " WHERE order_number = $1 ORDER BY line_number" + (" FOR UPDATE" if lock else ""),
            order_number,
        )
    )


def open_total(lines: list[Any]) -> tuple[list[int], Decimal]:
    """The lines with quantity open and the order total: open quantity at the booked net
    price (a volume discount stays after cancels), rounded per line like the line amount."""
    open_lines = [r["line_number"] for r in lines if r["open_quantity"] > 0]
    total = sum(
        (line_amount(r["open_quantity"], r["unit_price"], r["unit_discount"]) for r in lines),
        ZERO,
    )
    return open_lines, total


async def limit_taking_turns(conn: Connection, customer_number: str) -> Decimal | None:
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


async def authorized_elsewhere(conn: Connection, customer_number: str, order_number: str) -> Any:
    """What the customer's other authorized orders already take of its limit."""
    return await conn.fetchval(
        "SELECT coalesce(sum(amount), 0) FROM credit_authorizations"
        " WHERE customer_number = $1 AND status = $2 AND order_number <> $3",
        customer_number,
        CreditStatus.AUTHORIZED,
        order_number,
    )


async def authorize_in(
    conn: Connection, order_number: str, *, key: str, retried: bool = False
) -> tuple[CreditDecision, list[int]]:
    """Authorize the order's open total against its customer's credit limit, counting the
    customer's other authorized orders, or put the order on credit hold; answers the
    decision and the outbox ids of the signals it owes. Held, its lines show
    MANUAL_ACTION_REQUIRED; authorized, they are BOOKED again.

    An order already AUTHORIZED (a person's retry authorized it in its own transaction) is
    followed, not checked again: what an answer said stays true. A decision equal to the
    stored one (status and reason) is no event, unless a person `retried`: the feed then
    tells what the retry found. The answer is stored under `key`: a retried step answers
    the same."""
    lines = await order_lines(conn, order_number, lock=True)
    order = await _order_and_authorization(conn, order_number)
    credit_limit = await limit_taking_turns(conn, order["customer_number"])
    earlier = await conn.fetchrow("SELECT * FROM credit_checks WHERE idempotency_key = $1", key)
    if earlier is not None:
        return _decision(earlier), []
    open_lines, total = open_total(lines)
    elsewhere = await authorized_elsewhere(conn, order["customer_number"], order_number)
    if order["status"] == CreditStatus.AUTHORIZED:
        check, amount = CreditCheck(CreditStatus.AUTHORIZED, order["reason"]), order["amount"]
    else:
        check = check_credit(
            customer_number=order["customer_number"],
            currency=order["currency"],
            credit_limit=credit_limit,
            authorized_elsewhere=elsewhere,
            order_total=total,
            anything_open=bool(open_lines),
        )
        amount = ZERO if check.status is CreditStatus.CANCELED else total
        await _store(conn, order_number, order, check, amount)
        if retried or (order["status"], order["reason"]) != (check.status, check.reason):
            figures = (amount, credit_limit, elsewhere)
            await _tell(conn, key, order_number, order["customer_number"], check, figures)
    decision = CreditDecision(
        status=check.status, amount=amount, reason=check.reason, open_lines=open_lines
    )
    await _record_check(conn, key, order_number, decision, credit_limit, elsewhere)
    return decision, await _follow_on_lines(conn, order_number, lines, check.status, key=key)


async def _order_and_authorization(conn: Connection, order_number: str) -> Any:
    """The order's customer and currency, and its authorization (status, amount, reason;
    null before its first check)."""
    order = await conn.fetchrow(
        "SELECT o.customer_number, o.currency, a.status, a.amount, a.reason FROM orders o"
        " LEFT JOIN credit_authorizations a USING (order_number) WHERE o.order_number = $1",
        order_number,
    )
    if order is None:
        raise NotFound(f"order {order_number}")
    return order


def _decision(row: Any) -> CreditDecision:
    return CreditDecision(
        status=CreditStatus(row["status"]),
        amount=row["amount"],
        reason=row["reason"],
        open_lines=list(row["open_lines"]),
    )


async def _store(
    conn: Connection, order_number: str, order: Any, check: CreditCheck, amount: Decimal
) -> None:
    """The order's authorization as the check decided."""
    await conn.execute(
        "INSERT INTO credit_authorizations (order_number, customer_number, currency, amount,"
        " status, reason) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (order_number) DO UPDATE"
        " SET amount = $4, status = $5, reason = $6, updated_at = now()",
        order_number,
        order["customer_number"],
        order["currency"],
        amount,
        check.status,
        check.reason,
    )


async def _tell(
    conn: Connection,
    key: str,
    order_number: str,
    customer_number: str,
    check: CreditCheck,
    figures: tuple[Decimal, Decimal | None, Decimal],
) -> None:
    """The decision's business event, with the figures it was made on (the amount, the
    customer's limit and what its other orders have authorized)."""
    amount, credit_limit, elsewhere = figures
    await append_event(
        conn,
        key=key,
        type=DECISION_EVENTS[check.status],
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


async def _record_check(
    conn: Connection,
    key: str,
    order_number: str,
    decision: CreditDecision,
    credit_limit: Decimal | None,
    elsewhere: Decimal,
) -> None:
    await conn.execute(
        "INSERT INTO credit_checks (idempotency_key, order_number, status, amount,"
        " credit_limit, authorized_elsewhere, reason, open_lines)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        key,
        order_number,
        decision.status,
        decision.amount,
        credit_limit,
        elsewhere,
        decision.reason,
        decision.open_lines,
    )


async def _follow_on_lines(
    conn: Connection, order_number: str, lines: list[Any], status: CreditStatus, *, key: str
) -> list[int]:
    """The lines show the decision (`_show_on_lines`); those started held are told of
    their release. Lines with nothing open are never started once the order is decided:
    the signals owed to them (their cancels) have no workflow to reach."""
    released = await _show_on_lines(conn, order_number, status)
    outbox = await _release_started_lines(conn, order_number, released, key=key)
    never_started = [r["workflow_id"] for r in lines if r["open_quantity"] <= 0]
    if status is not CreditStatus.ON_HOLD and never_started:
        await conn.execute(
            "UPDATE signal_outbox SET delivered_at = now() WHERE delivered_at IS NULL"
            " AND workflow_id = ANY($1::text[])",
            never_started,
        )
    return outbox


async def _show_on_lines(conn: Connection, order_number: str, status: CreditStatus) -> list[Any]:
    """A held order's lines wait for a person like any line in manual action; released,
    they are booked again (the rows it released are answered)."""
    held = status is CreditStatus.ON_HOLD
    waiting, then = (Phase.BOOKED, Phase.MANUAL) if held else (Phase.MANUAL, Phase.BOOKED)
    moved = []
    for row in await lock_order_lines(conn, order_number):
        if row["phase"] == waiting and row["status"] != LineStatus.CANCELED:
            moved.append(await record(conn, row, EnterPhase(then)))
    return [] if held else moved


async def _release_started_lines(
    conn: Connection, order_number: str, released: list[Any], *, key: str
) -> list[int]:
    """Lines of an order that starts its lines from their rows were started held: each one
    released is told, with its ledger. Orders whose workflow holds its lines start them
    once authorized instead."""
    if not released or not await conn.fetchval(
        "SELECT starts_lines FROM orders WHERE order_number = $1", order_number
    ):
        return []
    return [
        await enqueue_signal(
            conn,
            workflow_id=row["workflow_id"],
            signal=CREDIT_RELEASED,
            payload=CreditReleasedSignal(request_id=key, ledger=ledger_of(row)),
        )
        for row in released
    ]
