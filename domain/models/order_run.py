"""Payloads of an order workflow that starts its lines from their rows: the batches it
starts, what its lines tell it, the shipment sets it holds, and the state it carries into
its next run (continue-as-new)."""

from __future__ import annotations

from pydantic import BaseModel, field_serializer

from domain.credit import CreditDecision
from domain.statuses import LineStatus


class LineFinishedSignal(BaseModel):
    """A line of the order closed or was canceled. Sent by the line's own write when the
    line was in a shipment set or was the order's last open line."""

    line_number: int
    status: LineStatus
    shipment_set: str | None = None
    # Lines of the order still open once this one finished (0: the order may close).
    open_lines: int


class LineStarts(BaseModel):
    """Start the workflows of an order's lines: the next `limit` after `after`, or the
    lines numbered in `line_numbers` (added by a revision)."""

    key: str
    order_number: str
    after: int = 0
    limit: int = 500
    line_numbers: list[int] = []
    # The order is on credit hold: its lines start waiting for the release.
    credit_hold: bool = False


class LinesStarted(BaseModel):
    started: int
    # The last line number of the batch; None when no line follows it (the batch was
    # shorter than its limit, or there was nothing after `after`).
    last_line: int | None = None


class ShipmentSetState(BaseModel):
    lines: list[int]
    staged: list[int]
    released: bool
    # Open lines of the set not staged yet: what holds it.
    waiting_for: list[int] = []


class OrderClosing(BaseModel):
    """The order's lines as its close saw them: closed is False while any line is open."""

    closed: bool
    closed_lines: int = 0
    canceled_lines: int = 0


class OrderState(BaseModel):
    """The order workflow's state: what it knows of its credit, lines and shipment sets. It
    is also what its next run starts from when it continues as new (`OrderInput.carried`)."""

    status: str = "OPEN"
    credit: CreditDecision | None = None
    credit_attempts: int = 0
    # Credit reviews asked for by signal, and how many the last authorization covered.
    reviews_requested: int = 0
    reviews_covered: int = 0
    seen: set[str] = set()
    lines_started: bool = False
    started_lines: int = 0
    # Lines a revision added, started once the credit is decided.
    lines_to_start: list[int] = []
    sets_to_check: bool = False
    # 0 once the last open line finished: the order looks whether it may close.
    finished_open_lines: int | None = None
    shipment_sets: dict[str, ShipmentSetState] = {}
    # The order continues as new past this many events (Temporal warns at 10,240).
    history_bound: int = 5000

    @field_serializer("seen")
    def _sorted(self, seen: set[str]) -> list[str]:
        return sorted(seen)
