"""How a `SalesOrderWorkflow` booked from this release runs: its lines live in their rows,
not in its input or its history.

    authorize credit -> start the lines' workflows in batches (held ones wait for the
    release) -> release shipment sets as their lines are staged -> close once the last
    line's own write says nothing is open -> close the credit authorization

Credit, set releases and the close are short transactions, run as local activities. So are
the start batches of orders started from this release on (`OrderCarried.local_starts`: one
marker per batch, no task queue round trip; a worker lost mid-batch fails the workflow task
and the batch runs again, starting nothing twice); orders started before keep their batches
as activities, heartbeating while they start up to 100 workflows.

Lines are not child workflows: each is started once by id (a retried batch starts nothing
twice) and tells its order only what the order needs: a shipment-set member staged or
finished, the last open line finished. The order's history thus grows by a few events per
batch of lines, not per line, and it continues as new before it grows long (revisions,
sets with many lines).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.legacy.release2 import order_steps
    from workflows.legacy.release2.activities.payloads import CreditStep, OrderStep
    from workflows.legacy.release2.domain.credit import CreditDecision
    from workflows.legacy.release2.domain.models import OrderInput
    from workflows.legacy.release2.domain.models.order_run import (
        LinesStarted,
        LineStarts,
        OrderCarried,
        OrderClosing,
        ShipmentSetState,
    )
    from workflows.legacy.release2.domain.statuses import CreditStatus, LineStatus
    from workflows.legacy.release2.line_steps import LOCAL_RETRY_THRESHOLD

ACTIVITY_TIMEOUT = timedelta(seconds=30)
ACTIVITY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=60)
)
# Lines per start batch: one activity (3 events) per batch in the order's history.
LINES_PER_BATCH = 100
START_TIMEOUT = timedelta(minutes=10)
# A worker lost mid-batch is noticed this soon; the batch is started again (nothing twice).
START_HEARTBEAT = timedelta(seconds=10)
# The order continues as new past this many events (Temporal warns at 10,240).
HISTORY_BOUND = 5000


class LinesFromRows:
    """The order's state for this path (set by `SalesOrderWorkflow.__init__`)."""

    _order: OrderInput
    _status: str
    _credit: CreditDecision | None
    _reviews_requested: int
    _reviews_covered: int
    _seen: set[str]
    _carried: OrderCarried

    def _key(self, step: str) -> str:
        return f"{workflow.info().workflow_id}:{step}"

    async def _run_from_rows(self) -> OrderClosing | None:
        """The order's cycle; None when this run has grown long and continues as new."""
        c = self._carried
        if not c.lines_started or (c.credit and c.credit.status is CreditStatus.ON_HOLD):
            await self._authorize_and_start()
        while True:
            await workflow.wait_condition(
                lambda: (
                    bool(c.lines_to_start)
                    or c.sets_to_check
                    or c.finished_open_lines == 0
                    or self._history_long()
                )
            )
            if c.lines_to_start:
                await self._start_added_lines()
            if c.sets_to_check:
                await self._release_ready_sets()
            if c.finished_open_lines == 0:
                c.finished_open_lines = None
                closing = await self._close()
                if closing.closed:
                    return closing
            if self._history_long():
                return None

    def _history_long(self) -> bool:
        info = workflow.info()
        return info.is_continue_as_new_suggested() or (
            info.get_current_history_length() > HISTORY_BOUND
        )

    # ------------------------------------------------------------------ credit and starts

    async def _authorize_and_start(self) -> None:
        """Authorize the order's total; start its lines (held lines wait for the release);
        while held, authorize again on each review a person or a cancel asks for."""
        c = self._carried
        while True:
            self._reviews_covered = self._reviews_requested
            decision: CreditDecision = await self._step(
                "authorize_credit",
                CreditStep(
                    key=self._key("credit")
                    + (f"-{c.credit_attempts}" if c.credit_attempts else ""),
                    order_number=self._order.order_number,
                ),
                CreditDecision,
                summary=f"Authorize credit for {self._order.customer_number}",
            )
            self._credit = c.credit = decision
            held = decision.status is CreditStatus.ON_HOLD
            self._status = LineStatus.MANUAL_ACTION_REQUIRED.value if held else "OPEN"
            # Held lines start too, listed, waiting for the release; orders whose steps ran
            # as activities (efdb803) start them only once authorized.
            if not c.lines_started and (not held or not self._steps_as_activities()):
                await self._start_all_lines(credit_hold=held)
            if not held:
                return
            workflow.set_current_details(
                f"Credit hold: {decision.reason}. Raise the credit limit of"
                f" {self._order.customer_number} and POST /orders/"
                f"{self._order.order_number}/credit/retry, or cancel the order"
            )
            await workflow.wait_condition(lambda: self._reviews_requested > self._reviews_covered)
            c.credit_attempts += 1

    async def _start_all_lines(self, *, credit_hold: bool) -> None:
        c, after, started = self._carried, 0, 0
        while True:
            batch = await self._start_lines(
                LineStarts(
                    key=self._key(f"start-lines-{after}"),
                    order_number=self._order.order_number,
                    after=after,
                    limit=LINES_PER_BATCH,
                    credit_hold=credit_hold,
                ),
                summary=f"Start the workflows of lines after {after}",
            )
            started += batch.started
            if batch.last_line is None:
                break
            after = batch.last_line
        c.lines_started = True
        c.started_lines += started
        workflow.set_current_details(f"{c.started_lines} line(s) in fulfillment")
        if started == 0:  # every line was canceled before it started
            c.finished_open_lines = 0

    async def _start_added_lines(self) -> None:
        c = self._carried
        numbers, c.lines_to_start = sorted(set(c.lines_to_start)), []
        batch = await self._start_lines(
            LineStarts(
                key=self._key(f"start-added-lines-{numbers[0]}-{len(numbers)}"),
                order_number=self._order.order_number,
                line_numbers=numbers,
            ),
            summary=f"Start the workflows of added lines {numbers[:10]}",
        )
        c.started_lines += batch.started

    async def _start_lines(self, batch: LineStarts, *, summary: str) -> LinesStarted:
        if self._carried.local_starts:
            local: LinesStarted = await workflow.execute_local_activity(
                "start_lines",
                batch,
                result_type=LinesStarted,
                start_to_close_timeout=START_TIMEOUT,
                retry_policy=ACTIVITY_RETRY,
                local_retry_threshold=LOCAL_RETRY_THRESHOLD,
                summary=summary,
            )
            return local
        started: LinesStarted = await workflow.execute_activity(
            "start_lines",
            batch,
            result_type=LinesStarted,
            start_to_close_timeout=START_TIMEOUT,
            heartbeat_timeout=START_HEARTBEAT,
            retry_policy=ACTIVITY_RETRY,
            summary=summary,
        )
        return started

    async def _step(self, name: str, arg: Any, result_type: Any, *, summary: str) -> Any:
        """One short step of the order, one transaction idempotent by its key: a local
        activity (no task queue round trip, one marker in the history). Orders of efdb803
        ran these as activities, and replay them so: 13b3dce ran them as local activities
        for every order and left efdb803's orders failing their next workflow task."""
        if self._steps_as_activities():
            return await workflow.execute_activity(
                name,
                arg,
                result_type=result_type,
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                retry_policy=ACTIVITY_RETRY,
                summary=summary,
            )
        return await workflow.execute_local_activity(
            name,
            arg,
            result_type=result_type,
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
            local_retry_threshold=LOCAL_RETRY_THRESHOLD,
            summary=summary,
        )

    def _steps_as_activities(self) -> bool:
        return not self._carried.local_starts and order_steps.ran_steps_as_activities(
            workflow.info().workflow_id
        )

    # ------------------------------------------------------------------ sets and close

    async def _release_ready_sets(self) -> None:
        c = self._carried
        c.sets_to_check = False
        c.shipment_sets = await self._step(
            "release_ready_shipment_sets",
            OrderStep(key=self._key("set"), order_number=self._order.order_number),
            dict[str, ShipmentSetState],
            summary="Release the shipment sets whose lines are all staged",
        )
        details = f"{c.started_lines} line(s) in fulfillment"
        for name, state in sorted(c.shipment_sets.items()):
            if not state.released and state.waiting_for:
                details += f" · holding shipment set {name} for line(s) {state.waiting_for}"
        workflow.set_current_details(details)

    async def _close(self) -> OrderClosing:
        closing: OrderClosing = await self._step(
            "close_order",
            OrderStep(key=self._key("closed"), order_number=self._order.order_number),
            OrderClosing,
            summary="Close the order: no line is open",
        )
        if closing.closed:
            self._status = "CLOSED" if closing.closed_lines else "CANCELED"
            workflow.set_current_details(
                f"{self._status}: {closing.closed_lines} closed, {closing.canceled_lines} canceled"
            )
        return closing

    def _rows_status(self) -> dict[str, Any]:
        """The order query on this path: the lines themselves are read from their rows
        (`GET /orders/{n}`)."""
        credit = self._credit
        return {
            "order_number": self._order.order_number,
            "status": self._status,
            "line_count": self._order.line_count,
            "reason": credit.reason if credit and credit.status is CreditStatus.ON_HOLD else None,
            "credit_authorization": credit.model_dump(mode="json") if credit else None,
            "shipment_sets": {
                name: {"lines": s.lines, "staged": s.staged, "released": s.released}
                for name, s in sorted(self._carried.shipment_sets.items())
            },
        }
