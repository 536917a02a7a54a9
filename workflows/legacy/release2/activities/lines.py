"""A line's merged steps: each is one transaction of the system of record, idempotent by
the keys of the single steps it is made of.

Frozen as release 2's workflows call them: the activities' names and types.
The live implementations in `activities/` run them."""

from __future__ import annotations

from temporalio import activity

from workflows.legacy.release2.activities.outcomes import LineBilled, SourcingOutcome
from workflows.legacy.release2.activities.payloads import (
    CloseStep,
    LineRef,
    SourceStep,
)
from workflows.legacy.release2.domain.line import Ledger


class LineActivities:
    @activity.defn(name="source_line")
    async def source_line(self, step: SourceStep) -> SourcingOutcome:
        """The sourcing rules applied to `step.line.quantity`, and the documents made."""
        raise NotImplementedError()

    @activity.defn(name="cancel_shortfalls")
    async def cancel_shortfalls(self, step: LineRef) -> Ledger:
        """The line's open shortfalls canceled by a person: it leaves manual action."""
        raise NotImplementedError()

    @activity.defn(name="bill_and_close")
    async def bill_and_close(self, step: CloseStep) -> LineBilled:
        """Billing, AR and AP invoices, supply closed, line closed."""
        raise NotImplementedError()
