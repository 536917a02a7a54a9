"""SalesOrderWorkflow: authorizes the order's credit, books the lines of the order as child
workflows and closes the order when every line is closed or canceled.

An order over its customer's credit limit waits on credit hold (MANUAL_ACTION_REQUIRED) with
its lines not started, until a person retries after raising the limit, or a cancel makes it
fit or leaves nothing open.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.payloads import CreditStep, OrderEvent, ShipmentSetRelease
    from domain import signals
    from domain.credit import CreditDecision, CreditReviewSignal
    from domain.identity import line_workflow_id
    from domain.models import (
        LineInput,
        LinesAddedSignal,
        LineStagedSignal,
        LineView,
        OrderInput,
    )
    from domain.statuses import CreditStatus, EventType, LineStatus
    from workflows.line import FulfillmentLineWorkflowV2
    from workflows.line_state import initial_search_attributes
    from workflows.line_v1 import FulfillmentLineWorkflow
    from workflows.line_v3 import FulfillmentLineWorkflowV3
    from workflows.line_v3_state import LineCarry

# workflow.patched ids: never reuse or remove while histories with them may replay.
CREDIT_AUTHORIZATION = "credit-authorization"
# Lines started from here on run FulfillmentLineWorkflowV2 (on the line's ledger).
LINE_LEDGER = "line-ledger"
# Lines started from here on run FulfillmentLineWorkflowV3 (merged steps, continue-as-new).
LINE_V3 = "line-v3"
ACTIVITY_TIMEOUT = timedelta(seconds=30)
ACTIVITY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=60)
)


def line_summary(line: LineInput) -> str:
    return (
        f"Order {line.order_number} line {line.line_number}: {line.quantity} "
        f"{line.item_number} for {line.customer_number} from {line.organization}"
    )


@workflow.defn(name="SalesOrderWorkflow")
class SalesOrderWorkflow:
    @workflow.init
    def __init__(self, order: OrderInput) -> None:
        self._order = order
        self._status = "OPEN"
        self._lines: dict[int, str] = {
            li.line_number: LineStatus.BOOKED.value for li in order.lines
        }
        self._credit: CreditDecision | None = None
        # Credit reviews asked for by signal, and how many the last authorization covered.
        self._reviews_requested = 0
        self._reviews_covered = 0
        self._seen: set[str] = set()
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

    def _ready_sets(self) -> list[str]:
        """Sets not yet released whose open lines are all staged (or done shipping)."""
        ready = []
        for name, members in sorted(self._sets.items()):
            if name in self._released_sets:
                continue
            open_lines = [n for n in members if self._lines.get(n) != LineStatus.CANCELED.value]
            if open_lines and all(
                n in self._staged or self._lines.get(n) == LineStatus.CLOSED.value
                for n in open_lines
            ):
                ready.append(name)
        return ready

    def _held_sets(self) -> dict[str, list[int]]:
        """Each set still held, with the lines it waits for."""
        return {
            name: [
                n
                for n in members
                if n not in self._staged
                and self._lines.get(n) not in (LineStatus.CANCELED.value, LineStatus.CLOSED.value)
            ]
            for name, members in sorted(self._sets.items())
            if name not in self._released_sets
        }

    @workflow.signal(name=signals.LINES_ADDED)
    def lines_added(self, added: LinesAddedSignal) -> None:
        if f"lines-added:{added.request_id}" in self._seen:
            return
        self._seen.add(f"lines-added:{added.request_id}")
        for line in added.lines:
            self._added.append(line)
            self._lines[line.line_number] = LineStatus.BOOKED.value
            self._join_set(line)

    @workflow.signal(name=signals.CREDIT_REVIEW_REQUESTED)
    def credit_review_requested(self, review: CreditReviewSignal) -> None:
        # Delivered at least once: each request counts once.
        if review.request_id not in self._seen:
            self._seen.add(review.request_id)
            self._reviews_requested += 1

    @workflow.query(name=signals.ORDER_STATUS_QUERY)
    def order_status(self) -> dict[str, Any]:
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
        lines = order.lines
        # Orders started before credit authorization replay without it.
        credit = workflow.patched(CREDIT_AUTHORIZATION)
        if credit:
            lines = await self._authorize_credit(order)
        workflow.set_current_details(f"{len(lines)} line(s) in fulfillment")
        results = await self._run_lines(lines)
        closed = sum(1 for r in results if r.status == LineStatus.CLOSED)
        # Lines never started were canceled while the order waited for credit.
        canceled = len(order.lines) + len(self._added) - closed
        self._status = "CLOSED" if closed else "CANCELED"
        if credit:
            await workflow.execute_activity(
                "close_credit_authorization",
                CreditStep(
                    key=f"{workflow.info().workflow_id}:credit-closed",
                    order_number=order.order_number,
                ),
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                retry_policy=ACTIVITY_RETRY,
                summary="Close the credit authorization",
            )
        await workflow.execute_activity(
            "record_order_event",
            OrderEvent(
                key=f"{workflow.info().workflow_id}:closed",
                order_number=order.order_number,
                event=EventType.ORDER_CLOSED,
                data={"closed_lines": closed, "canceled_lines": canceled},
            ),
            start_to_close_timeout=timedelta(seconds=30),
            summary="Record order closed",
        )
        workflow.set_current_details(f"{self._status}: {closed} closed, {canceled} canceled")
        return self.order_status()

    async def _authorize_credit(self, order: OrderInput) -> list[LineInput]:
        """Authorize the order's total; while it is held, wait for a person's retry or a
        cancel, then authorize again (a new key per attempt). Returns the lines to start:
        those still open once authorized, none when every line was canceled."""
        workflow_id = workflow.info().workflow_id
        attempt = 0
        while True:
            self._reviews_covered = self._reviews_requested
            decision: CreditDecision = await workflow.execute_activity(
                "authorize_credit",
                CreditStep(
                    key=f"{workflow_id}:credit" + (f"-{attempt}" if attempt else ""),
                    order_number=order.order_number,
                ),
                result_type=CreditDecision,
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                retry_policy=ACTIVITY_RETRY,
                summary=f"Authorize credit for {order.customer_number}",
            )
            self._credit = decision
            open_lines = set(decision.open_lines)
            for number in self._lines:
                if number not in open_lines:
                    self._lines[number] = LineStatus.CANCELED.value
            if decision.status is not CreditStatus.ON_HOLD:
                self._status = "OPEN"
                for number in open_lines & self._lines.keys():
                    self._lines[number] = LineStatus.BOOKED.value
                return [li for li in order.lines if li.line_number in open_lines]
            self._status = LineStatus.MANUAL_ACTION_REQUIRED.value
            for number in open_lines & self._lines.keys():
                self._lines[number] = LineStatus.MANUAL_ACTION_REQUIRED.value
            workflow.set_current_details(
                f"Credit hold: {decision.reason}. Raise the credit limit of"
                f" {order.customer_number} and POST /orders/{order.order_number}/credit/retry,"
                " or cancel the order"
            )
            await workflow.wait_condition(lambda: self._reviews_requested > self._reviews_covered)
            attempt += 1

    async def _run_lines(self, lines: list[LineInput]) -> list[LineView]:
        """Run the lines as children, and the lines revisions add while any still runs."""
        running = [asyncio.create_task(self._run_line(line)) for line in lines]
        started = 0
        staged = 0  # staged lines seen: the details name what each held set waits for
        while True:
            await workflow.wait_condition(
                cast(
                    "Callable[[], bool]",
                    lambda started=started, staged=staged: (
                        all(t.done() for t in running)
                        or len(self._added) > started
                        or len(self._staged) > staged
                        or bool(self._ready_sets())
                    ),
                )
            )
            staged = len(self._staged)
            for name in self._ready_sets():
                await self._release_set(name)
            if len(self._added) > started:
                for line in self._added[started:]:
                    running.append(asyncio.create_task(self._run_line(line)))
                started = len(self._added)
            elif all(t.done() for t in running):
                return [t.result() for t in running]
            details = f"{len(running)} line(s) in fulfillment"
            for name, waiting in self._held_sets().items():
                if waiting:
                    details += f" · holding shipment set {name} for line(s) {waiting}"
            workflow.set_current_details(details)

    async def _release_set(self, name: str) -> None:
        members = self._sets[name]
        await workflow.execute_activity(
            "release_shipment_set",
            ShipmentSetRelease(
                key=f"{workflow.info().workflow_id}:set-{name}",
                order_number=self._order.order_number,
                shipment_set=name,
                lines=members,
            ),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
            summary=f"Release shipment set {name}: lines {members} staged",
        )
        self._released_sets.add(name)

    async def _run_line(self, line: LineInput) -> LineView:
        # Lines are independent durable units: they outlive their order workflow.
        options: dict[str, Any] = {
            "id": line_workflow_id(line.order_number, line.line_number),
            "parent_close_policy": workflow.ParentClosePolicy.ABANDON,
            "search_attributes": initial_search_attributes(line),
            "static_summary": line_summary(line),
        }
        if workflow.patched(LINE_V3):
            # V3 takes its carry (empty for a new line) as a second argument.
            result: LineView = await workflow.execute_child_workflow(
                FulfillmentLineWorkflowV3.run, args=[line, LineCarry()], **options
            )
        else:
            run = (
                FulfillmentLineWorkflowV2.run
                if workflow.patched(LINE_LEDGER)
                else FulfillmentLineWorkflow.run
            )
            result = await workflow.execute_child_workflow(run, line, **options)
        self._lines[line.line_number] = result.status.value
        return result
