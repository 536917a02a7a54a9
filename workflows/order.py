"""SalesOrderWorkflow: one sales order, `order-{n}`.

    authorize credit (held: wait for a person's retry or a cancel) -> start the lines'
    workflows from their rows in batches (held lines start too, waiting for the release)
    -> release shipment sets as their lines are staged -> close once the last line's own
    write says nothing is open, closing the credit authorization

Its lines live in their rows, not in its input or its history: each line is started once by
id (a retried batch starts nothing twice) and tells its order only what the order needs (a
shipment-set member staged or finished, the last open line finished). The order's history
thus grows by a few events per batch of lines, and it continues as new before it grows long
(revisions, sets with many lines), its state (`OrderState`) the input of the next run.

Every step is one short transaction idempotent by its key, run as a local activity.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.credit import CreditActivities
    from activities.payloads import CreditStep, OrderStep
    from domain import signals
    from domain.credit import CreditReviewSignal
    from domain.models import LinesAddedSignal, LineStagedSignal, OrderInput
    from domain.models.order_run import (
        LineFinishedSignal,
        LinesStarted,
        LineStarts,
        OrderClosing,
        OrderState,
        ShipmentSetState,
    )
    from domain.statuses import CreditStatus, LineStatus
    from workflows import order_publish, steps

# Lines per start batch: one marker per batch in the order's history.
LINES_PER_BATCH = 100
# A batch starts up to 100 workflows.
START_TIMEOUT = timedelta(minutes=10)


@workflow.defn(name="SalesOrderWorkflow")
class SalesOrderWorkflow:
    @workflow.init
    def __init__(self, order: OrderInput) -> None:
        self._order = order
        self._s = order.carried or OrderState()

    # ------------------------------------------------------------------ signals and query

    @workflow.signal(name=signals.LINE_STAGED)
    def line_staged(self, staged: LineStagedSignal) -> None:
        self._s.sets_to_check = True

    @workflow.signal(name=signals.LINE_FINISHED)
    def line_finished(self, finished: LineFinishedSignal) -> None:
        # Each copy only makes the order look again: delivered twice, it changes nothing.
        if finished.shipment_set is not None:
            self._s.sets_to_check = True
        if finished.open_lines == 0:
            self._s.finished_open_lines = 0

    @workflow.signal(name=signals.LINES_ADDED)
    def lines_added(self, added: LinesAddedSignal) -> None:
        s = self._s
        if f"lines-added:{added.request_id}" not in s.seen:
            s.seen.add(f"lines-added:{added.request_id}")
            s.lines_to_start.extend(added.line_numbers or [li.line_number for li in added.lines])

    @workflow.signal(name=signals.CREDIT_REVIEW_REQUESTED)
    def credit_review_requested(self, review: CreditReviewSignal) -> None:
        # Delivered at least once: each request counts once.
        if review.request_id not in self._s.seen:
            self._s.seen.add(review.request_id)
            self._s.reviews_requested += 1

    @workflow.query(name=signals.ORDER_STATUS_QUERY)
    def order_status(self) -> dict[str, Any]:
        return order_publish.status(self._order, self._s)

    # ------------------------------------------------------------------ the cycle

    @workflow.run
    async def run(self, order: OrderInput) -> dict[str, Any]:
        s = self._s
        if not s.lines_started or (s.credit and s.credit.status is CreditStatus.ON_HOLD):
            await self._authorize_and_start()
        while True:
            await workflow.wait_condition(
                lambda: (
                    bool(s.lines_to_start)
                    or s.sets_to_check
                    or s.finished_open_lines == 0
                    or self._history_long()
                )
            )
            if s.lines_to_start:
                await self._start_added_lines()
            if s.sets_to_check:
                await self._release_ready_sets()
            if s.finished_open_lines == 0:
                s.finished_open_lines = None
                if await self._close():
                    return self.order_status()
            if self._history_long():
                workflow.continue_as_new(order.model_copy(update={"lines": [], "carried": s}))

    def _history_long(self) -> bool:
        info = workflow.info()
        return info.is_continue_as_new_suggested() or (
            info.get_current_history_length() > self._s.history_bound
        )

    # ------------------------------------------------------------------ credit and starts

    async def _authorize_and_start(self) -> None:
        """Authorize the order's total and start its lines (held lines wait for the
        release); while held, authorize again on each review a person or a cancel asks for."""
        s, order = self._s, self._order
        while True:
            s.reviews_covered = s.reviews_requested
            attempt = f"-{s.credit_attempts}" if s.credit_attempts else ""
            decision = await steps.local(
                CreditActivities.authorize_credit,
                CreditStep(key=steps.key("credit") + attempt, order_number=order.order_number),
                summary=f"Authorize credit for {order.customer_number}",
                timeout=steps.ORDER_TIMEOUT,
            )
            s.credit = decision
            held = decision.status is CreditStatus.ON_HOLD
            s.status = LineStatus.MANUAL_ACTION_REQUIRED.value if held else "OPEN"
            if not s.lines_started:
                await self._start_all_lines(credit_hold=held)
            if not held:
                return
            workflow.set_current_details(order_publish.held(order, decision))
            await workflow.wait_condition(lambda: s.reviews_requested > s.reviews_covered)
            s.credit_attempts += 1

    async def _start_all_lines(self, *, credit_hold: bool) -> None:
        s, after, started = self._s, 0, 0
        while True:
            batch = await self._start_lines(
                LineStarts(
                    key=steps.key(f"start-lines-{after}"),
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
        s.lines_started = True
        s.started_lines += started
        workflow.set_current_details(order_publish.in_fulfillment(s))
        if started == 0:  # every line was canceled before it started
            s.finished_open_lines = 0

    async def _start_added_lines(self) -> None:
        s = self._s
        numbers, s.lines_to_start = sorted(set(s.lines_to_start)), []
        batch = await self._start_lines(
            LineStarts(
                key=steps.key(f"start-added-lines-{numbers[0]}-{len(numbers)}"),
                order_number=self._order.order_number,
                line_numbers=numbers,
            ),
            summary=f"Start the workflows of added lines {numbers[:10]}",
        )
        s.started_lines += batch.started

    async def _start_lines(self, batch: LineStarts, *, summary: str) -> LinesStarted:
        """One batch; a worker lost mid-batch fails the workflow task, and the batch runs
        again, starting nothing twice."""
        started: LinesStarted = await steps.local_named(
            "start_lines",
            batch,
            result_type=LinesStarted,
            summary=summary,
            timeout=START_TIMEOUT,
        )
        return started

    # ------------------------------------------------------------------ sets and close

    async def _release_ready_sets(self) -> None:
        s = self._s
        s.sets_to_check = False
        s.shipment_sets = await steps.local_named(
            "release_ready_shipment_sets",
            OrderStep(key=steps.key("set"), order_number=self._order.order_number),
            result_type=dict[str, ShipmentSetState],
            summary="Release the shipment sets whose lines are all staged",
            timeout=steps.ORDER_TIMEOUT,
        )
        workflow.set_current_details(order_publish.in_fulfillment(s))

    async def _close(self) -> bool:
        """Closed once no line is open (its credit authorization closed with it)."""
        closing: OrderClosing = await steps.local_named(
            "close_order",
            OrderStep(key=steps.key("closed"), order_number=self._order.order_number),
            result_type=OrderClosing,
            summary="Close the order: no line is open",
            timeout=steps.ORDER_TIMEOUT,
        )
        if closing.closed:
            self._s.status = "CLOSED" if closing.closed_lines else "CANCELED"
            workflow.set_current_details(order_publish.closed(self._s, closing))
        return closing.closed
