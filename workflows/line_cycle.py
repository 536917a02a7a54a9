"""What a line's steps (`line_sourcing`, `line_cancels`, `line_billing`, `line_jeopardy`)
use of the cycle that runs them: `FulfillmentLineWorkflowV3` in `line.py`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from activities.payloads import LineRef
from domain.models import LineInput
from domain.statuses import EventType

T = TypeVar("T")


class Cycle(Protocol):
    # While the jeopardy watch records a change, the line does not continue as new.
    recording_jeopardy: bool

    @property
    def line(self) -> LineInput: ...

    def event(self, type_: EventType, detail: str) -> None:
        """Add to the line's narrative, at the workflow's time."""

    def publish(self) -> None:
        """Bring the Web UI's search attributes and details in step with the state."""

    def ref(self, step: str) -> LineRef:
        """The line and the idempotency key of `step`."""

    async def activity(
        self, method: Callable[[Any, Any], Awaitable[T]], arg: Any, *, summary: str
    ) -> T:
        """A step as an activity task, the line published first."""

    async def manual_action(
        self, reason: str, *, attempt: str, settled: Callable[[], bool] | None = None
    ) -> bool:
        """Park the line for a person: True once retried, False once `settled` holds."""

    async def wait_until_canceled(self, why: str) -> None:
        """Wait for the cancel on its way, which unwinds the line."""
