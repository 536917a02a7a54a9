"""How a `FulfillmentLineWorkflowV3` differs from V2 in its steps: the sourcing decision
and every document it asks for are one activity (`source_line`), and billing through the
supply documents' closing is one activity (`bill_and_close`); each is one transaction of
the system of record. The CLOSED phase follows. What the line shows (documents, invoices,
narrative) is recorded as V2 does.

All three run as local activities: each is one short transaction, idempotent by its key,
so running it again after a lost worker (the workflow task is retried) changes nothing,
and the server keeps one marker instead of an activity task's three events and a workflow
task's three, with no task queue round trip."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.legacy.release2.activities.lines import LineActivities
    from workflows.legacy.release2.activities.outcomes import SourcedPart, SourcingOutcome
    from workflows.legacy.release2.activities.payloads import (
        CloseStep,
        LineStatusChange,
        PurchaseOrderRef,
        SourceStep,
    )
    from workflows.legacy.release2.activities.shipping import ShippingActivities
    from workflows.legacy.release2.domain.line import ZERO
    from workflows.legacy.release2.domain.models import json_quantity as _q
    from workflows.legacy.release2.domain.statuses import (
        EventType,
        LineStatus,
        SupplyStatus,
        SupplyType,
    )
    from workflows.legacy.release2.line import FulfillmentLineWorkflowV2
    from workflows.legacy.release2.line_steps import run_local

T = TypeVar("T")
# Supply bought on a purchase order, billed by its supplier.
PURCHASED = frozenset({SupplyType.BUY, SupplyType.DROP_SHIP})

CANCELED_FIRST = {
    SupplyType.BUY: "Canceled before the purchase order was made",
    SupplyType.DROP_SHIP: "Canceled before the purchase order was made",
    SupplyType.MAKE: "Canceled before the work order was made",
    SupplyType.TRANSFER: "Canceled before the transfer order was made",
}


class MergedSteps(FulfillmentLineWorkflowV2):
    """V2's cycle with its short steps merged (the workflow type is `line_v3.py`)."""

    # Set from the line's carry (`LineCarry.one_upsert_at_close`).
    _one_upsert_at_close: bool = False

    async def _run_local(
        self, activity: Callable[[Any, Any], Awaitable[T]], arg: Any, *, summary: str
    ) -> T:
        """One merged step as a local activity. Nothing is published first: the step runs
        inside the workflow task, so the next wait publishes what the UI would have seen."""
        return await run_local(activity, arg, summary=summary)

    async def _wait_for_billing_release(self, held: str) -> None:
        s = self._s
        changes = s.holds_changes
        workflow.set_current_details(f"{s.details()} · billing waits: {held}")
        await workflow.wait_condition(lambda: s.holds_changes != changes)

    async def _source(self, quantity: Decimal) -> None:
        """Apply the sourcing rules to `quantity` and peg one document per source; a setup
        that cannot supply it parks the line for a person, who fixes it and retries (or,
        for a supplier's shortfall, cancels its quantity)."""
        s = self._s
        round_ = s.sourcing_rounds
        s.sourcing_rounds += 1
        attempt = 0
        while True:
            outcome = await self._source_once(quantity, f"{round_}-{attempt}")
            made = [not part.short for part in outcome.parts]
            if made and all(made):
                if outcome.resourced:
                    self._resourced(outcome.shortfalls, outcome.parts)
                return
            retried = await self._manual_action(
                self._why_not_sourced(outcome, made),
                attempt=f"{round_}-{attempt}",
                # A shortfall no source takes: a person retries, or cancels its quantity.
                settled=self._shortfall_canceled if outcome.shortfalls else None,
            )
            if not retried:
                await self._cancel_shortfalls(f"{round_}-{attempt}")
                return
            attempt += 1
            if any(made) or outcome.shortfalls:  # what was made stays; source the rest
                quantity = s.progress().need
                if quantity <= 0:
                    return

    async def _source_once(self, quantity: Decimal, attempt: str) -> SourcingOutcome:
        """One `source_line` step, its documents recorded on the line."""
        s, line = self._s, self._s.line
        outcome = await self._run_local(
            LineActivities.source_line,
            SourceStep(
                key=self._key(f"source-{attempt}"),
                line=line.model_copy(update={"quantity": quantity}),
                workflow_id=workflow.info().workflow_id,
                today=workflow.now().date(),
            ),
            summary=f"Source {_q(quantity)} {line.item_number}",
        )
        if outcome.jeopardy_terms is not None:
            s.jeopardy_terms = outcome.jeopardy_terms
        for reason in outcome.decision.explanation:
            self._event(EventType.LINE_SCHEDULED, reason)
        s.adopt(outcome.ledger)
        for part in outcome.parts:
            if part.canceled_first:  # the cancel's signal is on its way
                await self._wait_until_canceled(CANCELED_FIRST[part.supply_type])
            self._record_part(part)
        return outcome

    @staticmethod
    def _why_not_sourced(outcome: SourcingOutcome, made: list[bool]) -> str:
        decision = outcome.decision
        reason = decision.manual_action_reason or "no supply source"
        if made:
            reason = (
                f"the free stock at {decision.source_organization} was taken before the"
                " transfer could ship; retry to source the line again"
            )
            if outcome.shortfalls:
                reason = f"{'; '.join(outcome.shortfalls)}; {reason}"
        return reason

    def _shortfall_canceled(self) -> bool:
        return self._s.progress().need <= 0

    async def _cancel_shortfalls(self, attempt: str) -> None:
        """The shortfall's quantity was canceled: the line leaves manual action and waits
        for the supply it still has."""
        s = self._s
        s.manual_reason = None
        ledger = await self._run_local(
            LineActivities.cancel_shortfalls,
            self._ref(f"shortfalls-canceled-{attempt}"),
            summary="Settle the canceled shortfall",
        )
        s.adopt(ledger)
        self._event(EventType.SHORTFALL_CANCELED, "the shortfall's quantity was canceled")

    def _resourced(self, shortfalls: list[str], parts: list[SourcedPart]) -> None:
        made = ", ".join(
            f"{number} ({part.supply_type})" for part in parts if (number := part.document_number)
        )
        self._event(EventType.LINE_RESOURCED, f"{'; '.join(shortfalls)}: re-sourced on {made}")

    def _record_part(self, part: SourcedPart) -> None:
        """The documents of one source, in the line's narrative and supply."""
        number = part.supply_order_number
        if part.purchase_order is not None:
            self._event(EventType.SUPPLY_ORDER_CREATED, number or "")
            self._event(EventType.REQUISITION_CREATED, part.requisition_number or "")
            self._record_purchase_order(
                part.purchase_order,
                supply_order_number=number,
                requisition_number=part.requisition_number,
            )
        elif part.work_order is not None:
            self._event(EventType.SUPPLY_ORDER_CREATED, number or "")
            self._record_work_order(part.work_order, supply_order_number=number)
        elif part.transfer_order is not None:
            self._record_transfer_order(part.transfer_order, supply_order_number=number)

    async def _bill_and_close(self) -> None:
        """AR invoice for what is not invoiced, AP invoice per purchase order (a later PO
        canceled before anything arrived has nothing to bill), supply closed; then the
        line is closed."""
        s = self._s
        # A first PO its supplier rejected before anything arrived has nothing to bill either.
        orders = [
            po
            for index, po in enumerate(d for d in s.documents if d.type in PURCHASED)
            if s.arrived.get(po.document_number, ZERO) > 0
            or (index == 0 and po.status is not SupplyStatus.CANCELED)
        ]
        step = CloseStep(
            key=self._key("close"),
            line=s.line,
            purchase_orders=[
                PurchaseOrderRef(po_number=po.document_number, po_line=po.document_line)
                for po in orders
            ],
            supply_types=list(dict.fromkeys(d.type for d in s.documents)),
        )
        while True:
            closed = await self._run_local(
                LineActivities.bill_and_close, step, summary="Bill and close the line"
            )
            if closed.held is None:
                break
            # A hold blocks billing: nothing was billed; look again when holds change.
            await self._wait_for_billing_release(closed.held)
        s.adopt(closed.ledger)
        if closed.ar_invoice is not None:
            self._record_ar_invoice(closed.ar_invoice)
        for ap in closed.ap_invoices:
            self._record_ap_invoice(ap)
        if s.supply:  # the documents are done, or the stock reservation shipped
            s.set_supply_status(SupplyStatus.CLOSED)
        # Closed once the invoices show: a local activity, one marker in the history.
        if not self._one_upsert_at_close:
            self._publish()
        ledger = await self._run_local(
            ShippingActivities.enter_line_phase,
            LineStatusChange(
                key=self._key("closed"),
                order_number=s.line.order_number,
                line_number=s.line.line_number,
                status=LineStatus.CLOSED,
                event=EventType.LINE_CLOSED,
            ),
            summary="Close the line",
        )
        s.adopt(ledger)
        self._event(EventType.LINE_CLOSED, "shipped, invoiced and closed")
