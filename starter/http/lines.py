"""A line as the API shows it: from its workflow while it runs, from history once closed,
and from the system of record while its workflow has not started."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from temporalio.client import WorkflowQueryRejectedError
from temporalio.common import QueryRejectCondition
from temporalio.service import RPCError, RPCStatusCode

from adapters.postgres.line.ledger import ledger_of
from adapters.postgres.orders.holds import line_holds
from domain import signals
from domain.identity import line_workflow_id
from domain.jeopardy import line_ship_date
from domain.kits import kit_quantities, kit_status
from domain.line.view import ledger_fields, with_reservation_status
from domain.models import LineView
from domain.models.views import HoldView, KitComponentView, KitView
from domain.pricing import line_amount
from domain.statuses import TERMINAL_LINE_STATUSES, CreditStatus, LineStatus
from starter.http.context import AppContext


async def line_view(
    ctx: AppContext, order_number: str, line_number: int, *, row: dict[str, Any] | None = None
) -> LineView:
    """The line as its workflow shows it, with its active holds and its requested ship
    date as the system of record stores it (whichever release's code runs the line); `row`,
    the line's stored row (`Orders.line_row`) when the caller read it already. A kit line
    shows its whole kits and its components (`kit_views.py`)."""
    if row is None:  # one read serves the kit check, the date and read-your-writes
        row = await ctx.orders.line_row(order_number, line_number)
    view = await workflow_line_view(ctx, order_number, line_number, row=row)
    requested = line_ship_date(row["requested_ship_date"], row["order_requested_ship_date"])
    view = view.model_copy(update={"requested_ship_date": requested})
    if row["kit_components"]:
        view = await with_components(ctx, view, row)
    if view.status in TERMINAL_LINE_STATUSES:
        return view
    async with ctx.pool.acquire() as conn:
        holds = await line_holds(conn, order_number, line_number)
    return view.model_copy(update={"holds": [HoldView.model_validate(h.view()) for h in holds]})


async def with_components(ctx: AppContext, view: LineView, row: dict[str, Any]) -> LineView:
    """A kit line's view with its whole kits and each component's line (their workflows
    asked at once); its status is its least advanced open component's until it bills. Its
    invoices are read from the system of record, so that a kit seen CLOSED shows them."""
    rows, invoices = await ctx.orders.kit_component_rows(view.order_number, view.line_number)
    views = await asyncio.gather(
        *(workflow_line_view(ctx, r["order_number"], r["line_number"], row=r) for r in rows)
    )
    kits = kit_quantities(ledger_of(row), [(r["per_kit"], ledger_of(r)) for r in rows])
    components = [
        KitComponentView(
            component=r["component"],
            item_number=r["item_number"],
            workflow_id=r["workflow_id"],
            per_kit=r["per_kit"],
            **c.model_dump(
                include={
                    "status",
                    "ordered_quantity",
                    "canceled_quantity",
                    "received_quantity",
                    "reserved_quantity",
                    "picked_quantity",
                    "shipped_quantity",
                    "waiting_for",
                    "supply",
                }
            ),
        )
        for r, c in zip(rows, views, strict=True)
    ]
    return view.model_copy(
        update={
            "status": kit_status(view.status, [c.status for c in components]),
            "kit": KitView(
                ordered=kits.ordered, shipped=kits.shipped, open=kits.open, canceled=kits.canceled
            ),
            "components": components,
            "invoices": invoices,
        }
    )


# A query waits for a worker to answer it: with none polling (workers restarting, an
# upgrade under way) the answer is a 503 naming Temporal after this long, not a hang.
QUERY_TIMEOUT = timedelta(seconds=3)


async def workflow_line_view(
    ctx: AppContext, order_number: str, line_number: int, *, row: dict[str, Any] | None
) -> LineView:
    handle = ctx.client.get_workflow_handle(line_workflow_id(order_number, line_number))
    try:
        view: LineView = await handle.query(
            signals.LINE_STATUS_QUERY,
            result_type=LineView,
            reject_condition=QueryRejectCondition.NOT_OPEN,
            rpc_timeout=QUERY_TIMEOUT,
        )
        return await with_credit_hold(ctx, await with_stored_ledger(ctx, view, row))
    except WorkflowQueryRejectedError:
        # Closed: its result is the final status, read from history without a worker.
        result = LineView.model_validate(await handle.result())
        return await with_stored_ledger(ctx, result, row)
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            raise
    return await stored_line_view(ctx, order_number, line_number)


async def stored_line_view(ctx: AppContext, order_number: str, line_number: int) -> LineView:
    """Booked, its workflow not started yet: the line from the system of record."""
    row = await ctx.orders.line_row(order_number, line_number)
    ledger = ledger_of(row)
    held = await credit_hold_reason(ctx, order_number, row["status"])
    return LineView(
        order_number=order_number,
        line_number=line_number,
        item_number=row["item_number"],
        customer_number=row["customer_number"],
        organization=row["organization"],
        status=LineStatus(row["status"]),
        ordered_quantity=row["ordered_quantity"],
        canceled_quantity=row["canceled_quantity"],
        unit_price=row["unit_price"],
        line_amount=line_amount(ledger.open, row["unit_price"], row["unit_discount"]),
        back_to_back=row["back_to_back"],
        drop_ship=row["drop_ship"],
        cancel_reason=row["cancel_reason"],
        reserved_quantity=row["reserved_quantity"],
        received_quantity=row["received_quantity"],
        waiting_for=f"Waiting for credit: {held}"
        if held
        else "Waiting for the order workflow to start the line",
        manual_action_reason=held,
        workflow_id=row["workflow_id"],
    )


async def with_stored_ledger(
    ctx: AppContext, view: LineView, row: dict[str, Any] | None
) -> LineView:
    """Read your writes: a line on the ledger shows the stored ledger, which is never older
    than its workflow's and newer once a scan, wave, cancel or revision was answered a
    moment ago; its quantities and its stock reservation's status as this release shows
    them, whichever release's code runs the line. A line still BOOKED in its workflow shows
    that until the workflow has its first document."""
    if view.ledger_version is None or view.status is LineStatus.BOOKED:
        return view
    if row is None:
        row = await ctx.orders.line_row(view.order_number, view.line_number)
    ledger = ledger_of(row)
    if ledger.version < view.ledger_version:
        return view
    return view.model_copy(
        update=ledger_fields(
            ledger,
            unit_price=row["unit_price"],
            unit_discount=row["unit_discount"],
            drop_ship=row["drop_ship"],
        )
        | {"supply": with_reservation_status(view.supply, ledger)}
    )


async def with_credit_hold(ctx: AppContext, view: LineView) -> LineView:
    """A line waiting with its order on credit hold says why, as its order's credit does."""
    held = await credit_hold_reason(ctx, view.order_number, view.status)
    if held is None:
        return view
    return view.model_copy(
        update={"manual_action_reason": held, "waiting_for": f"Waiting for credit: {held}"}
    )


async def credit_hold_reason(ctx: AppContext, order_number: str, status: str) -> str | None:
    """Why a line in manual action waits: its order's credit hold, if it is on one."""
    if status != LineStatus.MANUAL_ACTION_REQUIRED:
        return None
    credit = await ctx.credit.authorization(order_number)
    if credit is None or credit["status"] != CreditStatus.ON_HOLD:
        return None
    return (
        f"{credit['reason']}; raise the credit limit and POST"
        f" /orders/{order_number}/credit/retry, or cancel the order"
    )


def line_summary(row: dict[str, Any]) -> dict[str, Any]:
    """A line in its order's answer, from its stored row (status as its one writer set it)."""
    open_quantity = ledger_of(row).open
    return {
        "line_number": row["line_number"],
        "item_number": row["item_number"],
        "status": LineStatus(row["status"]),
        "ordered_quantity": row["ordered_quantity"],
        "canceled_quantity": row["canceled_quantity"],
        "shipped_quantity": row["shipped_quantity"],
        "line_amount": line_amount(open_quantity, row["unit_price"], row["unit_discount"]),
        "workflow_id": row["workflow_id"],
    }


def order_status(statuses: Iterable[LineStatus]) -> str:
    """OPEN while a line is open; CANCELED when every line is canceled, else CLOSED."""
    seen = set(statuses)
    if not seen <= TERMINAL_LINE_STATUSES:
        return "OPEN"
    return "CANCELED" if seen == {LineStatus.CANCELED} else "CLOSED"


def line_counts(statuses: Iterable[LineStatus]) -> dict[str, int]:
    """How many of the order's lines are in each status (statuses with none left out)."""
    return dict(sorted(Counter(str(s) for s in statuses).items()))


def ui_link(ctx: AppContext, workflow_id: str) -> str:
    return f"{ctx.ui_url}/namespaces/{ctx.namespace}/workflows/{workflow_id}"
