"""Documented answer bodies (for the OpenAPI document) where their shape is fixed here."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from domain.models import LineView


class BookedLine(BaseModel):
    line_number: int
    workflow_id: str


class BookingAnswer(BaseModel):
    """202 when the order is new, 200 with the same answer when it was booked before."""

    order_number: str
    workflow_id: str
    lines: list[BookedLine]


class LineAnswer(LineView):
    ui_url: str


class FoundLine(BaseModel):
    workflow_id: str
    order_number: str | None
    item_number: str | None
    customer_number: str | None
    status: str | None
    supply_status: str | None
    supply_documents: list[str]
    warehouse: str | None
    supplier: str | None


class LinesAnswer(BaseModel):
    query: str
    lines: list[FoundLine]


class EventsAnswer(BaseModel):
    events: list[dict[str, Any]]
    next_cursor: int


class HealthAnswer(BaseModel):
    """Without a valid token only `status`; with one, each dependency's state as well."""

    status: Literal["ok", "degraded"]
    postgresql: str | None = None
    temporal: str | None = None


class SetupApplied(BaseModel):
    applied: dict[str, int]


class SetupCheck(BaseModel):
    ready: bool
    items: list[dict[str, Any]]


class SupplyReview(BaseModel):
    supply: list[dict[str, Any]]


def ok(model: type[BaseModel], status: int = 200) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": model, "description": "Answered"}}
