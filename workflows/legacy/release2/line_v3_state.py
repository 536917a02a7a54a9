"""What a `FulfillmentLineWorkflowV3` carries into its next run when it continues as new:
its whole `LineState` (without the line, which is the run's input) and what its search
attributes hold. Deterministic and free of I/O."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from workflows.legacy.release2.domain.jeopardy import JeopardyPriority, JeopardyTerms
from workflows.legacy.release2.domain.line import Ledger
from workflows.legacy.release2.domain.models import CancelSignal, LineEvent, LineInput, SupplyView
from workflows.legacy.release2.line_state import LineState

# A line continues as new once its history is this long (or the server suggests it): a
# line with thousands of partial scans keeps each run's history small.
HISTORY_BOUND = 2_000


class LineSnapshot(BaseModel):
    ledger: Ledger
    supply: list[SupplyView] = []
    arrived: dict[str, Decimal] = {}
    approved: list[str] = []
    events: list[LineEvent] = []
    invoices: list[dict[str, Any]] = []
    seen: list[str] = []
    cancels: list[CancelSignal] = []
    retries: int = 0
    sourcing_rounds: int = 0
    supplied_once: bool = False
    told_staged: bool = False
    jeopardy: bool = False
    cancel_reason: str | None = None
    manual_reason: str | None = None
    published: dict[str, Any] = {}
    # Dates and jeopardy (absent from snapshots taken before them: the line's own date).
    requested_ship_date: date | None = None
    jeopardy_terms: JeopardyTerms | None = None
    jeopardy_priority: JeopardyPriority | None = None
    jeopardy_document: str | None = None
    jeopardy_reason: str | None = None
    jeopardy_changes: int = 0

    @classmethod
    def of(cls, state: LineState, published: dict[str, Any]) -> LineSnapshot:
        return cls(
            ledger=state.ledger,
            supply=state.supply,
            arrived=state.arrived,
            approved=sorted(state.approved),
            events=state.events,
            invoices=state.invoices,
            seen=sorted(state.seen),
            cancels=state.cancels,
            retries=state.retries,
            sourcing_rounds=state.sourcing_rounds,
            supplied_once=state.supplied_once,
            told_staged=state.told_staged,
            jeopardy=state.jeopardy,
            cancel_reason=state.cancel_reason,
            manual_reason=state.manual_reason,
            published=published,
            requested_ship_date=state.requested_ship_date,
            jeopardy_terms=state.jeopardy_terms,
            jeopardy_priority=state.jeopardy_priority,
            jeopardy_document=state.jeopardy_document,
            jeopardy_reason=state.jeopardy_reason,
            jeopardy_changes=state.jeopardy_changes,
        )

    def state(self, line: LineInput) -> LineState:
        return LineState(
            line=line,
            ledger=self.ledger,
            supply=list(self.supply),
            arrived=dict(self.arrived),
            approved=set(self.approved),
            events=list(self.events),
            invoices=list(self.invoices),
            seen=set(self.seen),
            cancels=list(self.cancels),
            retries=self.retries,
            sourcing_rounds=self.sourcing_rounds,
            supplied_once=self.supplied_once,
            told_staged=self.told_staged,
            jeopardy=self.jeopardy,
            cancel_reason=self.cancel_reason,
            manual_reason=self.manual_reason,
            requested_ship_date=self.requested_ship_date or line.requested_ship_date,
            jeopardy_terms=self.jeopardy_terms,
            jeopardy_priority=self.jeopardy_priority,
            jeopardy_document=self.jeopardy_document,
            jeopardy_reason=self.jeopardy_reason,
            jeopardy_changes=self.jeopardy_changes,
        )


class LineCarry(BaseModel):
    """The second input of a line's run: none for a new line; the snapshot of the run
    before for a line that continued as new."""

    snapshot: LineSnapshot | None = None
    history_bound: int = HISTORY_BOUND
    runs: int = 1
    # A line started while its order is on credit hold: its stored ledger then (held).
    held_ledger: Ledger | None = None
    # Lines started from this release on publish once when they close: billing and the
    # CLOSED step run in one workflow task, so the status between them is not upserted on
    # its own. The input tells, not a patch marker (a marker and its search attribute
    # upsert would add two events to every line); lines started before keep both upserts.
    one_upsert_at_close: bool = False
