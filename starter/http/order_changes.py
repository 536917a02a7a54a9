"""Changes to booked orders: cancels, revisions and the retries an order desk asks for."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from adapters.errors import Refusal
from domain.models import CancelIn, HoldIn, HoldReleaseIn, OrderCancelIn, RevisionIn
from starter.http.errors import WRITE, responses
from starter.http.lines import credit_hold_reason
from starter.http.params import HoldId, LineNumber, OrderNumber
from starter.http.security import OrderDesk

router = APIRouter(tags=["orders"])
CHANGE = responses(*WRITE, 404, 409)


@router.post("/orders/{order_number}/lines/{line_number}/cancel", responses=CHANGE)
async def cancel_line(
    order_number: OrderNumber, line_number: LineNumber, body: CancelIn, ctx: OrderDesk
) -> dict[str, Any]:
    result, outbox = await ctx.cancellations.cancel_line(
        order_number=order_number,
        line_number=line_number,
        quantity=body.quantity,
        reason=body.reason or "Canceled by the customer",
        request_id=uuid.uuid4().hex,
        reason_given=body.reason is not None,
    )
    await ctx.deliver(outbox)
    return result


@router.post("/orders/{order_number}/lines/{line_number}/retry", responses=CHANGE)
async def retry_line(
    order_number: OrderNumber, line_number: LineNumber, ctx: OrderDesk
) -> dict[str, Any]:
    """Resume a line that needed manual action, once its setup has been fixed."""
    row = await ctx.orders.line_row(order_number, line_number)
    held = await credit_hold_reason(ctx, order_number, row["status"])
    if held:
        # Its order waits for credit: retrying the line cannot release it.
        raise Refusal(409, f"line {line_number} of order {order_number} waits for credit: {held}")
    result, outbox = await ctx.shipping.retry_line(
        order_number=order_number, line_number=line_number, request_id=uuid.uuid4().hex
    )
    await ctx.deliver(outbox)
    return result


@router.post("/orders/{order_number}/revisions", responses=CHANGE)
async def revise_order(
    order_number: OrderNumber, body: RevisionIn, ctx: OrderDesk
) -> dict[str, Any]:
    """Change line quantities and add lines; validated whole before anything changes."""
    result, outbox = await ctx.revisions.revise(order_number, body, request_id=uuid.uuid4().hex)
    await ctx.deliver(outbox)
    return result


@router.post("/orders/{order_number}/credit/retry", responses=CHANGE)
async def retry_credit(order_number: OrderNumber, ctx: OrderDesk) -> dict[str, Any]:
    """Authorize an order on credit hold again, once its customer's credit limit has been
    raised; its lines start if it passes."""
    result, outbox = await ctx.credit.request_retry(
        order_number=order_number, request_id=uuid.uuid4().hex
    )
    await ctx.deliver(outbox)
    return result


@router.post("/orders/{order_number}/cancel", responses=CHANGE)
async def cancel_order(
    order_number: OrderNumber, body: OrderCancelIn, ctx: OrderDesk
) -> dict[str, Any]:
    result, outbox = await ctx.cancellations.cancel_order(
        order_number=order_number,
        reason=body.reason or "Canceled by the customer",
        request_id=uuid.uuid4().hex,
    )
    await ctx.deliver(outbox)
    return result


@router.post("/orders/{order_number}/holds", responses=responses(*WRITE, 404, 409))
async def apply_hold(order_number: OrderNumber, body: HoldIn, ctx: OrderDesk) -> dict[str, Any]:
    """Hold the whole order (`line_number` null) or one line under a hold code of the setup:
    pick waves leave a line held for pick release, a ship confirm on a line held for shipping
    answers 409 naming the hold. The same code already active there answers that hold."""
    result, outbox = await ctx.holds.apply(order_number, body)
    await ctx.deliver(outbox)
    return result


@router.post("/orders/{order_number}/holds/{hold_id}/release", responses=CHANGE)
async def release_hold(
    order_number: OrderNumber, hold_id: HoldId, body: HoldReleaseIn, ctx: OrderDesk
) -> dict[str, Any]:
    """Release a hold; released already, it is answered as it was released."""
    result, outbox = await ctx.holds.release(order_number, hold_id, body.reason)
    await ctx.deliver(outbox)
    return result
