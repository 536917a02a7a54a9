"""How a line is sourced: the sourcing rules and every document they ask for in one step
(`source_line`, one transaction), recorded on the line; a setup that cannot supply the line
parks it for a person, who fixes it and retries (or, for a supplier's shortfall, cancels its
quantity). Steps of `FulfillmentLineWorkflowV3` (`line.py`), called with the cycle they run
in."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Protocol

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.lines import LineActivities
    from activities.outcomes import SourcedPart, SourcingOutcome
    from activities.payloads import LineRef, PurchaseOrderRef, SourceStep
    from domain.models import LineInput, SupplyView, json_money
    from domain.models import json_quantity as _q
    from domain.statuses import EventType, SupplyType
    from workflows import steps
    from workflows.line_state import LineState

CANCELED_FIRST = {
    SupplyType.BUY: "Canceled before the purchase order was made",
    SupplyType.DROP_SHIP: "Canceled before the purchase order was made",
    SupplyType.MAKE: "Canceled before the work order was made",
    SupplyType.TRANSFER: "Canceled before the transfer order was made",
}


class Cycle(Protocol):
    """What the sourcing steps use of the line's cycle."""

    @property
    def line(self) -> LineInput: ...

    def event(self, type_: EventType, detail: str) -> None: ...

    def ref(self, step: str) -> LineRef: ...

    async def manual_action(
        self, reason: str, *, attempt: str, settled: Callable[[], bool] | None = None
    ) -> bool: ...

    async def wait_until_canceled(self, why: str) -> None: ...


async def source(cycle: Cycle, s: LineState, quantity: Decimal) -> None:
    """Apply the sourcing rules to `quantity` and peg one document per source; what a
    failed attempt made stays, and the next one sources the rest."""
    round_ = s.sourcing_rounds
    s.sourcing_rounds += 1
    attempt = 0
    while True:
        outcome = await _source_once(cycle, s, quantity, f"{round_}-{attempt}")
        made = [not part.short for part in outcome.parts]
        if made and all(made):
            if outcome.resourced:
                _resourced(cycle, outcome.shortfalls, outcome.parts)
            return
        retried = await cycle.manual_action(
            why_not_sourced(outcome, made),
            attempt=f"{round_}-{attempt}",
            # A shortfall no source takes: a person retries, or cancels its quantity.
            settled=(lambda: s.progress(cycle.line).need <= 0) if outcome.shortfalls else None,
        )
        if not retried:
            await _cancel_shortfalls(cycle, s, f"{round_}-{attempt}")
            return
        attempt += 1
        if any(made) or outcome.shortfalls:  # what was made stays; source the rest
            quantity = s.progress(cycle.line).need
            if quantity <= 0:
                return


async def _source_once(
    cycle: Cycle, s: LineState, quantity: Decimal, attempt: str
) -> SourcingOutcome:
    """One `source_line` step, its documents recorded on the line."""
    line = cycle.line
    outcome = await steps.local(
        LineActivities.source_line,
        SourceStep(
            key=steps.key(f"source-{attempt}"),
            line=line.model_copy(update={"quantity": quantity}),
            workflow_id=workflow.info().workflow_id,
            today=workflow.now().date(),
        ),
        summary=f"Source {_q(quantity)} {line.item_number}",
    )
    if outcome.jeopardy_terms is not None:
        s.jeopardy_terms = outcome.jeopardy_terms
    for reason in outcome.decision.explanation:
        cycle.event(EventType.LINE_SCHEDULED, reason)
    s.adopt(outcome.ledger)
    for part in outcome.parts:
        if part.canceled_first:  # the cancel's signal is on its way
            await cycle.wait_until_canceled(CANCELED_FIRST[part.supply_type])
        _record_part(cycle, s, part)
    return outcome


def why_not_sourced(outcome: SourcingOutcome, made: list[bool]) -> str:
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


async def _cancel_shortfalls(cycle: Cycle, s: LineState, attempt: str) -> None:
    """The shortfall's quantity was canceled: the line leaves manual action and waits for
    the supply it still has."""
    s.manual_reason = None
    ledger = await steps.local(
        LineActivities.cancel_shortfalls,
        cycle.ref(f"shortfalls-canceled-{attempt}"),
        summary="Settle the canceled shortfall",
    )
    s.adopt(ledger)
    cycle.event(EventType.SHORTFALL_CANCELED, "the shortfall's quantity was canceled")


def _resourced(cycle: Cycle, shortfalls: list[str], parts: list[SourcedPart]) -> None:
    made = ", ".join(
        f"{number} ({part.supply_type})" for part in parts if (number := part.document_number)
    )
    cycle.event(EventType.LINE_RESOURCED, f"{'; '.join(shortfalls)}: re-sourced on {made}")


def _record_part(cycle: Cycle, s: LineState, part: SourcedPart) -> None:
    """The documents of one source, in the line's narrative and supply."""
    line, number = cycle.line, part.supply_order_number
    if (po := part.purchase_order) is not None:
        cycle.event(EventType.SUPPLY_ORDER_CREATED, number or "")
        cycle.event(EventType.REQUISITION_CREATED, part.requisition_number or "")
        s.add_purchase_order(
            line, po, supply_order_number=number, requisition_number=part.requisition_number
        )
        to = f", shipped by {po.supplier} to {line.customer_number}" if po.drop_ship else ""
        cycle.event(
            EventType.PURCHASE_ORDER_CREATED,
            f"{po.po_number} line {po.po_line}: {_q(po.quantity)} at "
            f"{json_money(po.unit_price)} from {po.supplier}, {po.status}{to}",
        )
    elif (wo := part.work_order) is not None:
        cycle.event(EventType.SUPPLY_ORDER_CREATED, number or "")
        s.add_work_order(wo, supply_order_number=number)
        cycle.event(
            EventType.WORK_ORDER_CREATED,
            f"{wo.work_order_number}: make {_q(wo.quantity)} at "
            f"{wo.organization} by {wo.need_by_date}",
        )
    elif (to_ := part.transfer_order) is not None:
        cycle.event(EventType.SUPPLY_ORDER_CREATED, number or "")
        s.add_transfer_order(to_, supply_order_number=number)
        cycle.event(
            EventType.TRANSFER_ORDER_CREATED,
            f"{to_.transfer_order_number}: {_q(to_.quantity)} shipped from "
            f"{to_.from_organization} at {json_money(to_.transfer_price)} each, "
            f"due {to_.expected_arrival}",
        )


def refs(orders: list[SupplyView]) -> list[PurchaseOrderRef]:
    return [
        PurchaseOrderRef(po_number=po.document_number, po_line=po.document_line) for po in orders
    ]
