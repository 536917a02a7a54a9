"""Holds (contract: "Holds"): what an active hold blocks, and how a refusal names it.

A hold code blocks one or more steps of a line: pick release, shipping, billing. A hold on
the whole order (no line number) holds each of its lines. Which holds are active for a line
is read from the system of record under the line's lock; deciding what they block is here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class HoldStep(StrEnum):
    PICK_RELEASE = "PICK_RELEASE"
    SHIPPING = "SHIPPING"
    BILLING = "BILLING"


@dataclass(frozen=True)
class ActiveHold:
    hold_id: str
    hold_code: str
    reason: str
    blocks: frozenset[HoldStep]
    line_number: int | None  # None: the whole order

    def view(self) -> dict[str, object]:
        """As the line status lists it."""
        return {
            "hold_id": self.hold_id,
            "hold_code": self.hold_code,
            "reason": self.reason,
            "line_number": self.line_number,
            "blocks": sorted(str(step) for step in self.blocks),
        }


def blocking(holds: Iterable[ActiveHold], step: HoldStep) -> list[ActiveHold]:
    """The holds that block `step`, oldest id first."""
    return sorted((h for h in holds if step in h.blocks), key=lambda h: h.hold_id)


def held_because(holds: Iterable[ActiveHold], step: HoldStep) -> str | None:
    """Why `step` cannot happen, naming each hold that blocks it; None when none does."""
    found = blocking(holds, step)
    if not found:
        return None
    named = "; ".join(
        f"{h.hold_id} ({h.hold_code}{' on the order' if h.line_number is None else ''}: {h.reason})"
        for h in found
    )
    return f"on hold, {step.value.lower().replace('_', ' ')} blocked by {named}"
