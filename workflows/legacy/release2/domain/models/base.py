"""Quantities and amounts as they travel, and the base of every request model."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer

from workflows.legacy.release2.domain.quantities import json_money, json_quantity

Quantity = Annotated[Decimal, PlainSerializer(json_quantity, when_used="json")]
Amount = Annotated[Decimal, PlainSerializer(json_money, when_used="json")]


class StrictModel(BaseModel):
    """Input from outside: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")
