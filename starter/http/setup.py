"""Setup: the master data document and the back-to-back readiness check."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from domain.models import SetupDocument
from starter.http import answers
from starter.http.errors import READ, WRITE, responses
from starter.http.params import Filter
from starter.http.security import Admin, Reader

router = APIRouter(tags=["setup"])


@router.put("/setup", responses={**answers.ok(answers.SetupApplied), **responses(*WRITE, 409)})
async def apply_setup(doc: SetupDocument, ctx: Admin) -> dict[str, Any]:
    applied, outbox = await ctx.master_data.apply_setup(doc)
    await ctx.deliver(outbox)
    return {"applied": applied}


@router.get("/setup/check", responses={**answers.ok(answers.SetupCheck), **responses(*READ, 404)})
async def check_setup(ctx: Reader, item: Filter = None) -> dict[str, Any]:
    """The back-to-back prerequisites each item lacks (seed 000's setup list)."""
    items = await ctx.master_data.readiness(item)
    return {"ready": all(i["ready"] for i in items), "items": items}
