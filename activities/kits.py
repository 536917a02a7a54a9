"""A kit line's own steps (run as local activities): its progress, and its close."""

from __future__ import annotations

from typing import Protocol

from temporalio import activity

from activities.payloads import LineRef, LineStep
from domain.models import LineInput
from domain.models.kits import KitClosed, KitProgress


class KitLinesSystem(Protocol):
    async def kit_progress(self, *, order_number: str, line_number: int) -> KitProgress: ...

    async def close_kit(self, *, key: str, line: LineInput) -> KitClosed: ...


class KitActivities:
    def __init__(self, kits: KitLinesSystem) -> None:
        self._kits = kits

    @activity.defn(name="kit_progress")
    async def kit_progress(self, step: LineRef) -> KitProgress:
        """How many of the kit's components are still open."""
        return await self._kits.kit_progress(
            order_number=step.order_number, line_number=step.line_number
        )

    @activity.defn(name="close_kit")
    async def close_kit(self, step: LineStep) -> KitClosed:
        """Whole kits shipped and the rest canceled on the kit line, AR for the kits."""
        return await self._kits.close_kit(key=step.key, line=step.line)
