"""Checks of a request that need what is stored, made before anything is written: the
quantities given for an item against its unit of measure, and the size of what a workflow
is handed."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from adapters.errors import Refusal
from adapters.postgres.common import Connection
from domain.payload_limits import oversize_problem, payload_size
from domain.units import decimal_places, first_precision_problem


def refuse_imprecise_for(item: Any, quantities: Mapping[str, Decimal | None]) -> None:
    """A 422 naming the first of `quantities` (field path: quantity) finer than the item
    (its stored row) takes."""
    places = decimal_places(item["uom"], item["quantity_decimal_places"])
    found = first_precision_problem(quantities, uom=item["uom"], places=places)
    if found is not None:
        field, problem = found
        raise Refusal(422, f"{field}: {problem}", field=field)


def refuse_imprecise_for_line(line: Any, quantities: Mapping[str, Decimal | None]) -> None:
    """`refuse_imprecise_for` the item of a line read by `lock_scanned_line`."""
    if line["item_uom"] is not None:
        item = {"uom": line["item_uom"], "quantity_decimal_places": line["item_decimal_places"]}
        refuse_imprecise_for(item, quantities)


async def refuse_imprecise(
    conn: Connection, item_number: str, quantities: Mapping[str, Decimal | None]
) -> None:
    """`refuse_imprecise_for` the item numbered `item_number`."""
    item = await conn.fetchrow(
        "SELECT uom, quantity_decimal_places FROM items WHERE number = $1", item_number
    )
    if item is not None:
        refuse_imprecise_for(item, quantities)


def refuse_oversized(payload: BaseModel, *, what: str, field: str) -> None:
    """A 422 naming `field` when `payload` is too large to hand to a workflow: refused
    before it is stored, as it could never be started or delivered."""
    problem = oversize_problem(payload_size(payload), what=what)
    if problem is not None:
        raise Refusal(422, f"{field}: {problem}", field=field)
