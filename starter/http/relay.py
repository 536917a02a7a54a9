"""What the relay gave up on: order starts and signals it parked after its retries, for an
operator to see and send again (the CLI's `b2b outbox parked` reads the same)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, RootModel

from adapters.postgres.outbox.relay_parking import ParkedItem, RelayParking
from starter.http import answers
from starter.http.errors import READ, WRITE, responses
from starter.http.security import Admin, Operator

router = APIRouter(tags=["operations"])
ParkedId = Annotated[
    str,
    Path(
        max_length=260,
        pattern=r"^(order:[^\x00-\x1f\x7f]{1,240}|signal:[0-9]{1,18})$",
        description="`order:{order_number}` or `signal:{outbox id}`",
    ),
]


class ParkedItemAnswer(RootModel[ParkedItem]):
    """The item unparked, as it was listed."""


class ParkedList(BaseModel):
    parked: list[ParkedItem]


@router.get("/relay/parked", responses={**answers.ok(ParkedList), **responses(*READ, 403)})
async def parked(ctx: Operator) -> dict[str, Any]:
    """Order starts and signals the relay stopped retrying, the longest parked first."""
    return {"parked": [asdict(item) for item in await RelayParking(ctx.pool).parked()]}


@router.post(
    "/relay/parked/{item_id}/retry",
    responses={**answers.ok(ParkedItemAnswer), **responses(*WRITE, 404)},
)
async def retry_parked(item_id: ParkedId, ctx: Admin) -> dict[str, Any]:
    """Unpark an item: the relay tries it again at its next round, with a fresh count."""
    return asdict(await RelayParking(ctx.pool).retry(item_id))
