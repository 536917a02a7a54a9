"""Credit authorization: an order's total against its customer's credit limit at booking,
credit hold and its release, re-authorization on cancels (seed 004's Adjust Amounts for
Credit Authorizations, at once instead of a scheduled process)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import ActivityEnvironment

from activities.credit import CreditActivities
from activities.payloads import CreditStep
from adapters.postgres.orders.cancellations import Cancellations
from adapters.postgres.orders.credit import Credit, reauthorize
from adapters.postgres.orders.credit_checks import limit_taking_turns
from adapters.postgres.orders.orders import Orders
from adapters.postgres.setup.master_data import MasterData
from domain.models import OrderIn, SetupDocument
from domain.statuses import CreditStatus
from tests.conftest import Stack, order_number, poll
from tests.fixtures import demo_setup, laptop_order
from tests.test_on_hand_flow import stock_setup

HELD = "MANUAL_ACTION_REQUIRED"
# CUST-100's limit in the demo setup is 250000.00; LAPTOP-X1 sells at 1450.00, 1440.00 net
# from 100 units on (the volume discount stays after cancels).


def setup_with_limit(limit: str | None) -> dict[str, Any]:
    setup = demo_setup()
    for customer in setup["customers"]:
        if customer["number"] == "CUST-100":
            customer["credit_limit"] = limit
    return setup


async def book(stack: Stack, quantity: int, **line: Any) -> str:
    so = order_number()
    order = laptop_order(so, quantity, **line)
    await stack.call("POST", "/orders", json=order, role="orders", expect=202)
    return so


async def credit_of(stack: Stack, so: str) -> dict[str, Any] | None:
    order = await stack.call("GET", f"/orders/{so}")
    return order["credit_authorization"]


async def wait_credit(stack: Stack, so: str, status: str, amount: str | None = None) -> Any:
    """The order's credit authorization once it has the status (and amount)."""
    return await poll(
        lambda: credit_of(stack, so),
        lambda c: (
            c is not None and c["status"] == status and (amount is None or c["amount"] == amount)
        ),
    )


async def credit_events(stack: Stack, so: str) -> list[dict[str, Any]]:
    answer = await stack.call("GET", f"/events?order_number={so}&limit=1000")
    return [e for e in answer["events"] if e["type"].startswith("CREDIT_")]


async def order_query(stack: Stack, so: str) -> dict[str, Any]:
    handle = stack.client.get_workflow_handle(f"order-{so}")
    return await handle.query("order_status")


async def line_workflow_exists(stack: Stack, so: str) -> bool:
    try:
        await stack.client.get_workflow_handle(f"order-{so}-line-1").describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


async def test_booking_within_the_limit_authorizes_and_the_order_closes_it(
    stack: Stack,
) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = await book(stack, 2)
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    credit = await wait_credit(stack, so, "AUTHORIZED", "2900.00")
    assert credit["reason"] == (
        "order total 2900.00 USD authorized for CUST-100: 2900.00 of its credit limit"
        " 250000.00 used"
    )
    [authorized] = await credit_events(stack, so)
    assert authorized["type"] == "CREDIT_AUTHORIZED" and authorized["line_number"] is None
    assert authorized["data"]["amount"] == "2900.00"
    assert authorized["data"]["credit_limit"] == "250000.00"
    query = await order_query(stack, so)
    assert query["status"] == "OPEN" and query["reason"] is None
    assert query["credit_authorization"]["status"] == "AUTHORIZED"

    # Shipped and invoiced, the order closes and its amount no longer counts as open.
    await stack.receive(so, line["supply"][0]["document_number"], 2, "r1")
    await stack.ship(so, 2)
    assert (await stack.wait_order_closed(so))["status"] == "CLOSED"
    credit = await wait_credit(stack, so, "CLOSED", "2900.00")
    assert [e["type"] for e in await credit_events(stack, so)] == [
        "CREDIT_AUTHORIZED",
        "CREDIT_AUTHORIZATION_CLOSED",
    ]


async def test_over_the_limit_the_order_waits_on_credit_hold_until_the_limit_is_raised(
    stack: Stack,
) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = await book(stack, 200)  # 200 x 1440.00 = 288000.00
    reason = "order total 288000.00 USD exceeds the credit limit 250000.00 of CUST-100 by 38000.00"
    credit = await wait_credit(stack, so, "ON_HOLD", "288000.00")
    assert credit["reason"] == reason
    query = await poll(lambda: order_query(stack, so), lambda q: q["status"] == HELD)
    assert query["reason"] == reason and query["line_count"] == 1

    order = await stack.call("GET", f"/orders/{so}")
    assert order["status"] == "OPEN" and [li["status"] for li in order["lines"]] == [HELD]
    line = await stack.line(so)
    assert line["status"] == HELD and line["manual_action_reason"].startswith(reason)
    assert f"POST /orders/{so}/credit/retry" in line["waiting_for"]
    # The held line runs already, waiting for the release: the line search lists it.
    assert await line_workflow_exists(stack, so)
    listed = await poll(
        lambda: stack.call("GET", f"/lines?status={HELD}&order_number={so}"),
        lambda found: len(found["lines"]) == 1,
    )
    assert listed["lines"][0]["workflow_id"] == f"order-{so}-line-1"
    assert await stack.scalar("SELECT count(*) FROM purchase_orders") == 0
    # The line retry is for setup problems; it cannot release a credit hold.
    refused = await stack.call("POST", f"/orders/{so}/lines/1/retry", role="orders", expect=409)
    assert "waits for credit" in refused["reason"]

    # A retry with the limit unchanged checks again and holds again.
    await stack.call("POST", f"/orders/{so}/credit/retry", role="orders")
    await poll(
        lambda: credit_events(stack, so),
        lambda events: [e["type"] for e in events].count("CREDIT_HOLD") == 2,
    )
    await wait_credit(stack, so, "ON_HOLD", "288000.00")
    assert (await stack.line(so))["status"] == HELD

    await stack.call("PUT", "/setup", json=setup_with_limit("300000.00"))
    retried = await stack.call("POST", f"/orders/{so}/credit/retry", role="orders")
    assert retried["retry_requested"] is True and retried["credit_status"] == "AUTHORIZED"
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    assert line["supply"][0]["document_type"] == "PURCHASE_ORDER"
    assert line["supply"][0]["quantity"] == 200
    credit = await wait_credit(stack, so, "AUTHORIZED", "288000.00")
    assert "288000.00 of its credit limit 300000.00 used" in credit["reason"]
    assert [e["type"] for e in await credit_events(stack, so)] == [
        "CREDIT_HOLD",
        "CREDIT_RETRY_REQUESTED",
        "CREDIT_HOLD",
        "CREDIT_RETRY_REQUESTED",
        "CREDIT_AUTHORIZED",
    ]
    query = await order_query(stack, so)
    assert query["status"] == "OPEN" and query["reason"] is None


async def test_a_retry_answers_what_it_found_and_every_later_get_shows_it(
    stack: Stack,
) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = await book(stack, 200)  # 288000.00, over 250000.00
    await wait_credit(stack, so, "ON_HOLD")
    await stack.wait_status(so, HELD)
    # Raised, but not enough: still held, for the reason this check found.
    await stack.call("PUT", "/setup", json=setup_with_limit("280000.00"))
    retried = await stack.call("POST", f"/orders/{so}/credit/retry", role="orders")
    short = "order total 288000.00 USD exceeds the credit limit 280000.00 of CUST-100 by 8000.00"
    assert (retried["credit_status"], retried["held_reason"]) == ("ON_HOLD", short)
    credit = await credit_of(stack, so)
    assert credit is not None and credit["reason"] == short
    assert credit == retried["credit_authorization"]
    assert (await stack.line(so))["manual_action_reason"].startswith(short)

    await stack.call("PUT", "/setup", json=setup_with_limit("300000.00"))
    retried = await stack.call("POST", f"/orders/{so}/credit/retry", role="orders")
    assert (retried["credit_status"], retried["held_reason"]) == ("AUTHORIZED", None)
    assert "288000.00 of its credit limit 300000.00 used" in retried["reason"]
    # At once, whatever the workflows have done yet: the order and its line.
    credit = await credit_of(stack, so)
    assert credit is not None and credit["status"] == "AUTHORIZED"
    assert credit == retried["credit_authorization"]
    assert (await stack.line(so))["status"] != HELD
    order = await stack.call("GET", f"/orders/{so}")
    assert order["lines"][0]["status"] != HELD
    # The workflow follows the authorization: the line is sourced, the credit stays.
    await stack.wait_status(so, "AWAITING_SUPPLY")
    await poll(lambda: order_query(stack, so), lambda q: q["status"] == "OPEN")
    assert await credit_of(stack, so) == credit
    assert [e["type"] for e in await credit_events(stack, so)] == [
        "CREDIT_HOLD",
        "CREDIT_RETRY_REQUESTED",
        "CREDIT_HOLD",
        "CREDIT_RETRY_REQUESTED",
        "CREDIT_AUTHORIZED",
    ]
    # Sent again, it says why and changes nothing.
    again = await stack.call("POST", f"/orders/{so}/credit/retry", role="orders", expect=409)
    assert again["reason"].endswith("its credit authorization is AUTHORIZED")


async def test_two_orders_that_fit_alone_do_not_both_fit_together(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    # 144000.00 each, booked at once: the customer's authorizations take turns.
    first, second = await asyncio.gather(book(stack, 100), book(stack, 100))
    credits = await poll(
        lambda: asyncio.gather(credit_of(stack, first), credit_of(stack, second)),
        lambda cs: all(c is not None for c in cs),
    )
    assert sorted(c["status"] for c in credits) == ["AUTHORIZED", "ON_HOLD"]
    held, authorized = (first, second) if credits[0]["status"] == "ON_HOLD" else (second, first)
    held_credit = await credit_of(stack, held)
    assert held_credit is not None and held_credit["reason"] == (
        "order total 144000.00 USD and 144000.00 already authorized for CUST-100 exceed its"
        " credit limit 250000.00 by 38000.00"
    )
    await stack.wait_status(authorized, "AWAITING_SUPPLY")
    assert (await stack.line(held))["status"] == HELD

    # Canceling the authorized order frees the limit: the held one passes on retry.
    await stack.call("POST", f"/orders/{authorized}/cancel", role="orders", json={})
    await wait_credit(stack, authorized, "CANCELED", "0.00")
    await stack.call("POST", f"/orders/{held}/credit/retry", role="orders")
    await stack.wait_status(held, "AWAITING_SUPPLY")
    await wait_credit(stack, held, "AUTHORIZED", "144000.00")


async def test_a_partial_cancel_reauthorizes_and_a_full_cancel_cancels(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = await book(stack, 110)  # 110 x 1440.00
    await stack.wait_status(so, "AWAITING_SUPPLY")
    await wait_credit(stack, so, "AUTHORIZED", "158400.00")
    await stack.call(
        "POST",
        f"/orders/{so}/lines/1/cancel",
        role="orders",
        json={"quantity": 20, "reason": "Customer reduced"},
    )
    # At once, in the cancel's transaction; the discount of the booked 110 stays.
    credit = await credit_of(stack, so)
    assert credit is not None and (credit["status"], credit["amount"]) == (
        "AUTHORIZED",
        "129600.00",
    )
    assert "after a cancel (was 158400.00)" in credit["reason"]
    reauthorized = (await credit_events(stack, so))[-1]
    assert reauthorized["type"] == "CREDIT_REAUTHORIZED"
    assert reauthorized["data"]["previous_amount"] == "158400.00"
    assert reauthorized["data"]["amount"] == "129600.00"

    await stack.call("POST", f"/orders/{so}/cancel", role="orders", json={"reason": "Dup"})
    credit = await credit_of(stack, so)
    assert credit is not None and (credit["status"], credit["amount"]) == ("CANCELED", "0.00")
    canceled = (await credit_events(stack, so))[-1]
    assert canceled["type"] == "CREDIT_AUTHORIZATION_CANCELED"
    assert canceled["data"]["previous_amount"] == "129600.00"
    await stack.wait_status(so, "CANCELED")
    assert (await stack.wait_order_closed(so))["status"] == "CANCELED"
    # A canceled authorization stays canceled when the order closes.
    await wait_credit(stack, so, "CANCELED", "0.00")


async def test_shipping_backorder_cancel_reauthorizes(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=stock_setup(6))
    so = await book(stack, 10, item_number="BOUQUET", cancel_backorders=True)
    await stack.wait_status(so, "BACKORDERED")
    await wait_credit(stack, so, "AUTHORIZED", "350.00")
    wave = await stack.call(
        "POST", "/pick-waves", role="scanner", json={"organization": "M1", "order_number": so}
    )
    assert wave["lines"][0]["backordered_quantity"] == 4
    credit = await credit_of(stack, so)
    assert credit is not None and credit["amount"] == "210.00"
    assert (await credit_events(stack, so))[-1]["type"] == "CREDIT_REAUTHORIZED"


async def test_a_held_order_canceled_finishes_canceled_without_supply(
    stack: Stack,
) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = await book(stack, 200)
    await wait_credit(stack, so, "ON_HOLD")
    canceled = await stack.call(
        "POST", f"/orders/{so}/cancel", role="orders", json={"reason": "Over budget"}
    )
    assert canceled["canceled"][0]["line_status"] == "CANCELED"
    result = await stack.wait_order_closed(so)
    assert result["status"] == "CANCELED" and result["line_count"] == 1
    assert result["credit_authorization"]["status"] == "CANCELED"
    line = await stack.line(so)
    assert line["status"] == "CANCELED" and line["cancel_reason"] == "Over budget"
    credit = await credit_of(stack, so)
    assert credit is not None and (credit["status"], credit["amount"]) == ("CANCELED", "0.00")
    assert await stack.scalar("SELECT count(*) FROM purchase_orders") == 0
    # Nothing owed stays pending.
    pending = "SELECT count(*) FROM signal_outbox WHERE delivered_at IS NULL"
    assert await poll(lambda: stack.scalar(pending), lambda n: n == 0) == 0
    order = await stack.call("GET", f"/orders/{so}")
    assert order["status"] == "CANCELED"
    refused = await stack.call("POST", f"/orders/{so}/credit/retry", role="orders", expect=409)
    assert "its credit authorization is CANCELED" in refused["reason"]


async def test_a_partial_cancel_that_makes_a_held_order_fit_releases_it(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = await book(stack, 200)  # 288000.00, over 250000.00
    await wait_credit(stack, so, "ON_HOLD")
    await stack.call(
        "POST",
        f"/orders/{so}/lines/1/cancel",
        role="orders",
        json={"quantity": 50, "reason": "Customer reduced"},
    )
    # 150 x 1440.00 = 216000.00 fits: the order workflow authorizes again on its own.
    await wait_credit(stack, so, "AUTHORIZED", "216000.00")
    line = await stack.wait_line(
        so, until=lambda v: v["status"] == "AWAITING_SUPPLY" and v["canceled_quantity"] == 50
    )
    assert line["supply"][0]["quantity"] == 150


async def test_retry_of_an_order_not_on_hold_is_refused(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = await book(stack, 1)
    await wait_credit(stack, so, "AUTHORIZED")
    refused = await stack.call("POST", f"/orders/{so}/credit/retry", role="orders", expect=409)
    assert refused["reason"] == (
        f"order {so} is not on credit hold: its credit authorization is AUTHORIZED"
    )
    await stack.call("POST", "/orders/SO-UNKNOWN/credit/retry", role="orders", expect=404)
    await stack.call("POST", f"/orders/{so}/credit/retry", role="scanner", expect=403)


async def test_a_customer_without_a_limit_is_always_authorized(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=setup_with_limit(None))
    so = await book(stack, 1000)  # 1440000.00
    await stack.wait_status(so, "AWAITING_SUPPLY")
    credit = await wait_credit(stack, so, "AUTHORIZED", "1440000.00")
    assert credit["reason"] == (
        "order total 1440000.00 USD authorized: CUST-100 has no credit limit"
    )


@pytest.mark.parametrize("held", [False, True], ids=["authorized", "held"])
async def test_authorize_credit_twice_answers_once(pool: asyncpg.Pool, held: bool) -> None:
    await MasterData(pool).apply_setup(SetupDocument.model_validate(demo_setup()))
    so = order_number()
    await Orders(pool).book(OrderIn.model_validate(laptop_order(so, 200 if held else 10)))
    activities = CreditActivities(Credit(pool))
    env = ActivityEnvironment()
    step = CreditStep(key=f"order-{so}:credit", order_number=so)
    first = await env.run(activities.authorize_credit, step)
    second = await env.run(activities.authorize_credit, step)
    assert first == second
    assert first.status is (CreditStatus.ON_HOLD if held else CreditStatus.AUTHORIZED)
    assert first.open_lines == [1]
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM credit_checks") == 1
        assert (
            await conn.fetchval("SELECT count(*) FROM business_events WHERE type LIKE 'CREDIT_%'")
            == 1
        )
        assert await conn.fetchval(
            "SELECT status FROM fulfillment_lines WHERE order_number = $1", so
        ) == ("MANUAL_ACTION_REQUIRED" if held else "BOOKED")


async def test_a_reauthorization_run_again_changes_nothing(pool: asyncpg.Pool) -> None:
    """It is computed from the committed lines under the cancel's key, so it cannot drift."""
    await MasterData(pool).apply_setup(SetupDocument.model_validate(demo_setup()))
    so = order_number()
    await Orders(pool).book(OrderIn.model_validate(laptop_order(so, 10)))
    credit = Credit(pool)
    await credit.authorize(key=f"order-{so}:credit", order_number=so)
    await Cancellations(pool).cancel_line(
        order_number=so,
        line_number=1,
        quantity=Decimal(3),
        reason="Customer reduced",
        request_id="c1",
    )
    async with pool.acquire() as conn, conn.transaction():
        await reauthorize(conn, so, key=f"cancel-c1:order-{so}-line-1")
    authorization = await credit.authorization(so)
    assert authorization is not None and authorization["amount"] == "10150.00"  # 7 x 1450.00
    async with pool.acquire() as conn:
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM business_events WHERE type = 'CREDIT_REAUTHORIZED'"
            )
            == 1
        )


async def waiting_on_a_lock(pool: asyncpg.Pool, statement: str) -> bool:
    async with pool.acquire() as conn:
        waiting = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND query LIKE $1",
            statement + "%",
        )
    return bool(waiting)


async def test_authorizations_without_a_limit_run_side_by_side_and_a_new_limit_waits(
    pool: asyncpg.Pool,
) -> None:
    """Two authorizations of a customer without a limit do not wait on each other, nor does
    a booking's foreign key check; a setup giving the customer a limit waits for both, so the
    next authorization counts them. With a limit, authorizations take turns."""
    await MasterData(pool).apply_setup(SetupDocument.model_validate(setup_with_limit(None)))
    first, second, booking = [await pool.acquire() for _ in range(3)]
    try:
        await first.execute("BEGIN")
        await second.execute("BEGIN; SET LOCAL lock_timeout = '5s'")
        assert await limit_taking_turns(first, "CUST-100") is None
        assert await limit_taking_turns(second, "CUST-100") is None  # not held up
        await booking.execute("BEGIN; SET LOCAL lock_timeout = '5s'")
        await booking.execute("SELECT 1 FROM customers WHERE number = 'CUST-100' FOR KEY SHARE")
        await booking.execute("COMMIT")

        update = "UPDATE customers SET credit_limit = 1000"
        setup = asyncio.create_task(pool.execute(update + " WHERE number = 'CUST-100'"))
        await poll(lambda: waiting_on_a_lock(pool, update), lambda waiting: waiting)
        assert not setup.done()
        await first.execute("COMMIT")
        await second.execute("COMMIT")
        await asyncio.wait_for(setup, 10)

        # Now limited: a second authorization waits for the first's turn to end.
        await first.execute("BEGIN")
        assert await limit_taking_turns(first, "CUST-100") == Decimal("1000")
        await booking.execute("BEGIN; SET LOCAL lock_timeout = '5s'")
        await booking.execute("SELECT 1 FROM customers WHERE number = 'CUST-100' FOR KEY SHARE")
        await booking.execute("COMMIT")
        await second.execute("BEGIN")
        turn = asyncio.create_task(limit_taking_turns(second, "CUST-100"))
        await poll(
            lambda: waiting_on_a_lock(pool, "SELECT credit_limit FROM customers"),
            lambda waiting: waiting,
        )
        assert not turn.done()
        await first.execute("COMMIT")
        assert await asyncio.wait_for(turn, 10) == Decimal("1000")
        await second.execute("COMMIT")
    finally:
        for conn in (first, second, booking):
            await pool.release(conn)
