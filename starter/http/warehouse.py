"""Warehouse scanners: receipts, work order completions, pick waves, picks and shipments."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from domain.models import (
    PickScanIn,
    PickWaveIn,
    ReceiptScanIn,
    ShipScanIn,
    WorkOrderCompletionIn,
)
from starter.http.context import AppContext
from starter.http.errors import WRITE, json_answer, responses
from starter.http.security import Scanner

log = structlog.get_logger("api")
router = APIRouter(tags=["warehouse"])
SCAN = responses(*WRITE, 409)


async def answer(ctx: AppContext, outcome: tuple[int, dict[str, Any], list[int]]) -> JSONResponse:
    code, body, outbox = outcome
    await ctx.deliver(outbox)
    log.info(
        "scan answered",
        status_code=code,
        scan_id=body.get("scan_id"),
        order_number=body.get("order_number"),
        line_number=body.get("line_number"),
        accepted=body.get("accepted"),
        reason=body.get("reason"),
    )
    return json_answer(code, body)


@router.post("/scans/receipts", responses=SCAN)
async def scan_receipt(scan: ReceiptScanIn, ctx: Scanner) -> JSONResponse:
    if scan.transfer_order_number is not None:
        return await answer(ctx, await ctx.transfers.receive(scan))
    return await answer(ctx, await ctx.inventory.receive(scan))


@router.post("/scans/work-order-completions", responses=SCAN)
async def scan_completion(scan: WorkOrderCompletionIn, ctx: Scanner) -> JSONResponse:
    return await answer(ctx, await ctx.manufacturing.complete(scan))


@router.post("/pick-waves", responses=responses(*WRITE, 409))
async def pick_wave(body: PickWaveIn, ctx: Scanner) -> dict[str, Any]:
    result, outbox = await ctx.shipping.pick_wave(
        organization=body.organization, order_number=body.order_number
    )
    await ctx.deliver(outbox)
    return result


@router.post("/scans/picks", responses=SCAN)
async def scan_pick(scan: PickScanIn, ctx: Scanner) -> JSONResponse:
    return await answer(ctx, await ctx.shipping.confirm_pick(scan))


@router.post("/scans/shipments", responses=SCAN)
async def scan_shipment(scan: ShipScanIn, ctx: Scanner) -> JSONResponse:
    return await answer(ctx, await ctx.shipping.confirm_ship(scan))
