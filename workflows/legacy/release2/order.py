"""SalesOrderWorkflow: authorizes the order's credit, gets its lines fulfilled and closes
the order when every line is closed or canceled.

Orders booked from this release run `workflows/order_rows.py` (the lines live in their rows
and start in batches; the order continues as new before its history grows long). Orders
booked before run `workflows/order_children.py`, frozen, until they close: the two are told
apart by the `lines-from-rows` patch.

An order over its customer's credit limit waits on credit hold (MANUAL_ACTION_REQUIRED)
until a person retries after raising the limit, or a cancel makes it fit or leaves nothing
open.
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.legacy.release2.domain import signals
    from workflows.legacy.release2.domain.credit import CreditDecision, CreditReviewSignal
    from workflows.legacy.release2.domain.models import (
        LineInput,
        LinesAddedSignal,
        LineStagedSignal,
        OrderInput,
    )
    from workflows.legacy.release2.domain.models.order_run import LineFinishedSignal, OrderCarried
    from workflows.legacy.release2.domain.statuses import CreditStatus, LineStatus
    from workflows.legacy.release2.order_children import ChildLines
    from workflows.legacy.release2.order_children import line_summary as line_summary
    from workflows.legacy.release2.order_rows import LinesFromRows

# workflow.patched id: orders that start their lines from their rows. Never reuse or remove.
LINES_FROM_ROWS = "lines-from-rows"


@workflow.defn(name="SalesOrderWorkflow")
class SalesOrderWorkflow(ChildLines, LinesFromRows):
    @workflow.init
    def __init__(self, order: OrderInput) -> None:
        self._order = order
        # What this path's runs hand on to the next (continue-as-new).
        self._carried = order.carried or OrderCarried()
        self._from_rows = order.carried is not None
        self._status = "OPEN"
        self._lines: dict[int, str] = {
            li.line_number: LineStatus.BOOKED.value for li in order.lines
        }
        self._credit: CreditDecision | None = self._carried.credit
        # Credit reviews asked for by signal, and how many the last authorization covered.
        self._reviews_requested = self._carried.reviews_requested
        self._reviews_covered = self._carried.reviews_covered
        self._seen: set[str] = set(self._carried.seen)
        # Lines a revision added after booking, started once the credit is decided.
        self._added: list[LineInput] = []
        # Shipment sets: the order holds each until every open line of it is staged.
        self._sets: dict[str, list[int]] = {}
        for line in order.lines:
            self._join_set(line)
        self._staged: set[int] = set()
        self._released_sets: set[str] = set()

    def _join_set(self, line: LineInput) -> None:
        if line.shipment_set is not None:
            self._sets.setdefault(line.shipment_set, []).append(line.line_number)

    @workflow.signal(name=signals.LINE_STAGED)
    def line_staged(self, staged: LineStagedSignal) -> None:
        self._staged.add(staged.line_number)
        self._carried.sets_to_check = True

    @workflow.signal(name=signals.LINE_FINISHED)
    def line_finished(self, finished: LineFinishedSignal) -> None:
        # Each copy only makes the order look again: delivered twice, it changes nothing.
        c = self._carried
        if finished.shipment_set is not None:
            c.sets_to_check = True
        if finished.open_lines == 0:
            c.finished_open_lines = 0

    @workflow.signal(name=signals.LINES_ADDED)
    def lines_added(self, added: LinesAddedSignal) -> None:
        if f"lines-added:{added.request_id}" in self._seen:
            return
        self._seen.add(f"lines-added:{added.request_id}")
        for line in added.lines:
            self._added.append(line)
            self._lines[line.line_number] = LineStatus.BOOKED.value
            self._join_set(line)
        self._carried.lines_to_start.extend(
            added.line_numbers or [line.line_number for line in added.lines]
        )

    @workflow.signal(name=signals.CREDIT_REVIEW_REQUESTED)
    def credit_review_requested(self, review: CreditReviewSignal) -> None:
        # Delivered at least once: each request counts once.
        if review.request_id not in self._seen:
            self._seen.add(review.request_id)
            self._reviews_requested += 1

    @workflow.query(name=signals.ORDER_STATUS_QUERY)
    def order_status(self) -> dict[str, Any]:
        if self._from_rows:
            return self._rows_status()
        credit = self._credit
        return {
            "order_number": self._order.order_number,
            "status": self._status,
            "lines": dict(self._lines),
            "reason": credit.reason if credit and credit.status is CreditStatus.ON_HOLD else None,
            "credit_authorization": credit.model_dump(mode="json") if credit else None,
            "shipment_sets": {
                name: {
                    "lines": members,
                    "staged": sorted(n for n in members if n in self._staged),
                    "released": name in self._released_sets,
                }
                for name, members in sorted(self._sets.items())
            },
        }

    @workflow.run
    async def run(self, order: OrderInput) -> dict[str, Any]:
        if not self._from_rows and not workflow.patched(LINES_FROM_ROWS):
            return await self._run_children(order)
        self._from_rows = True
        closing = await self._run_from_rows()
        if closing is None:
            workflow.continue_as_new(
                order.model_copy(update={"lines": [], "carried": self._carry()})
            )
        return self.order_status()

    def _carry(self) -> OrderCarried:
        """This run's state for the next one."""
        return self._carried.model_copy(
            update={
                "credit": self._credit,
                "reviews_requested": self._reviews_requested,
                "reviews_covered": self._reviews_covered,
                "seen": sorted(self._seen),
            }
        )
