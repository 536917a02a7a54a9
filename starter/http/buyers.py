"""Buyers: purchase order approval and the supply left for a planner to review."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request

from domain.models.acknowledgments import AcknowledgmentIn
from domain.models.drop_ship import ShipNoticeIn
from starter.http import answers
from starter.http.errors import READ, WRITE, responses
from starter.http.params import Filter, PoNumber
from starter.http.security import Buyer, Reader, bearer_token, token_id

router = APIRouter(tags=["buyers"])


@router.post("/purchase-orders/{po_number}/approve", responses=responses(*WRITE, 404, 409))
async def approve_po(po_number: PoNumber, request: Request, ctx: Buyer) -> dict[str, Any]:
    # The approver is recorded by the token's id, never by any part of the token.
    token = bearer_token(request.headers.get("authorization")) or ""
    result, outbox = await ctx.procurement.approve(
        po_number, approved_by="buyer:" + token_id(token)
    )
    await ctx.deliver(outbox)
    return result


@router.post("/purchase-orders/{po_number}/acknowledgments", responses=responses(*WRITE, 404, 409))
async def acknowledge_po(po_number: PoNumber, body: AcknowledgmentIn, ctx: Buyer) -> dict[str, Any]:
    """What a supplier portal or an EDI 855/865 integration sends: ACCEPT, CHANGE or REJECT
    per PO line, each answered on its own. A cut or rejected quantity is a shortfall of the
    pegged line, which sources it again without that supplier. Sent again with the same
    `acknowledgment_id`, it is answered the same and applied once."""
    result, outbox = await ctx.acknowledgments.acknowledge(po_number, body)
    await ctx.deliver(outbox)
    return result


@router.post("/purchase-orders/{po_number}/ship-notices", responses=responses(*WRITE, 404, 409))
async def ship_notice(po_number: PoNumber, body: ShipNoticeIn, ctx: Buyer) -> dict[str, Any]:
    """What a drop-ship supplier's portal or EDI 856 integration sends: it shipped this
    quantity of a PO line straight to the customer. The pegged line ships it; notices add
    up, and one sent again with the same `ship_notice_id` is answered the same and counted
    once."""
    result, outbox = await ctx.ship_notices.record(po_number, body, today=date.today())
    await ctx.deliver(outbox)
    return result


@router.get("/purchase-orders/{po_number}", responses=responses(*READ, 404))
async def get_po(po_number: PoNumber, ctx: Reader) -> dict[str, Any]:
    return await ctx.procurement.describe(po_number)


@router.get("/supply/review", responses={**answers.ok(answers.SupplyReview), **responses(*READ)})
async def supply_review(ctx: Reader, order_number: Filter = None) -> dict[str, Any]:
    """Supply that cancels left in place (Cancel Supply When Canceling Backorders off),
    for a planner to reduce or cancel by hand."""
    return {"supply": await ctx.cancellations.supply_reviews(order_number=order_number)}
