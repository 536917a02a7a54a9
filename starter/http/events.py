"""The ordered feed of business events."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from starter.http import answers
from starter.http.errors import READ, responses
from starter.http.params import Cursor, Filter, Limit
from starter.http.security import Reader

router = APIRouter(tags=["events"])


@router.get("/events", responses={**answers.ok(answers.EventsAnswer), **responses(*READ)})
async def events(
    ctx: Reader, after: Cursor = 0, limit: Limit = 100, order_number: Filter = None
) -> dict[str, Any]:
    rows = await ctx.events.after(after, limit=limit, order_number=order_number)
    return {"events": rows, "next_cursor": rows[-1]["cursor"] if rows else after}
