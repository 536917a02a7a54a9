"""A kit line's own steps (run as local activities): its progress, and its close.

Frozen as release 2's workflows call them: the activities' names and types.
The live implementations in `activities/` run them."""

from __future__ import annotations

from temporalio import activity

from workflows.legacy.release2.activities.payloads import LineRef, LineStep
from workflows.legacy.release2.domain.models.kits import KitClosed, KitProgress


class KitActivities:
    @activity.defn(name="kit_progress")
    async def kit_progress(self, step: LineRef) -> KitProgress:
        """How many of the kit's components are still open."""
        raise NotImplementedError()

    @activity.defn(name="close_kit")
    async def close_kit(self, step: LineStep) -> KitClosed:
        """Whole kits shipped and the rest canceled on the kit line, AR for the kits."""
        raise NotImplementedError()
