"""How a `SalesOrderWorkflow` booked before large orders runs, kept as it was so that
those orders replay and finish: every line's input in the order's input, each line a child
workflow, lines added by revisions carried in a signal. Do not change: orders booked from
now on run `workflows/order_rows.py`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.legacy.release2.activities.payloads import (
        CreditStep,
        OrderEvent,
        ShipmentSetRelease,
    )
    from workflows.legacy.release2.domain.credit import CreditDecision
    from workflows.legacy.release2.domain.identity import line_workflow_id
    from workflows.legacy.release2.domain.models import LineInput, LineView, OrderInput
    from workflows.legacy.release2.domain.statuses import CreditStatus, EventType, LineStatus
    from workflows.legacy.release2.line import FulfillmentLineWorkflowV2
    from workflows.legacy.release2.line_state import initial_search_attributes
    from workflows.legacy.release2.line_v1 import FulfillmentLineWorkflow

# workflow.patched ids: never reuse or remove while histories with them may replay.
CREDIT_AUTHORIZATION = "credit-authorization"
# Lines started from here on run FulfillmentLineWorkflowV2 (on the line's ledger).
LINE_LEDGER = "line-ledger"
ACTIVITY_TIMEOUT = timedelta(seconds=30)
ACTIVITY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=60)
)


def line_summary(line: LineInput) -> str:
    return (
        f"Order {line.order_number} line {line.line_number}: {line.quantity} "
        f"{line.item_number} for {line.customer_number} from {line.organization}"
    )


class ChildLines:
    """The order's state for this path (set by `SalesOrderWorkflow.__init__`)."""

    _order: OrderInput
    _status: str
    _lines: dict[int, str]
    _credit: CreditDecision | None
    _reviews_requested: int
    _reviews_covered: int
    _added: list[LineInput]
    _sets: dict[str, list[int]]
    _staged: set[int]
    _released_sets: set[str]

    def order_status(self) -> dict[str, Any]:
        raise NotImplementedError

    async def _run_children(self, order: OrderInput) -> dict[str, Any]:
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
        run = (
            FulfillmentLineWorkflowV2.run
            if workflow.patched(LINE_LEDGER)
            else FulfillmentLineWorkflow.run
        )
        result: LineView = await workflow.execute_child_workflow(
            run,
            line,
            id=line_workflow_id(line.order_number, line.line_number),
            parent_close_policy=workflow.ParentClosePolicy.ABANDON,
            search_attributes=initial_search_attributes(line),
            static_summary=line_summary(line),
        )
        self._lines[line.line_number] = result.status.value
        return result
