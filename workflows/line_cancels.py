"""How a cancel reaches what a line has made: its documents reduced by the parameter
(Cancel Supply When Canceling Backorders), reservations beyond the open quantity released.
PostgreSQL recorded the cancel on the ledger when it was asked; the line shows it once what
it compensates is done. A step of `FulfillmentLineWorkflowV3`."""

from __future__ import annotations

from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.inventory import InventoryActivities
    from activities.manufacturing import ManufacturingActivities
    from activities.procurement import ProcurementActivities
    from activities.transfers import TransferActivities
    from domain.models import CancelSignal
    from domain.models import json_quantity as _q
    from domain.statuses import EventType, SupplyStatus, SupplyType
    from workflows.line_cycle import Cycle
    from workflows.line_state import LineState

# Reduce steps per kind of pegged document (BUY and DROP_SHIP are both purchase orders).
REDUCE: dict[SupplyType, tuple[Any, EventType]] = {
    SupplyType.BUY: (ProcurementActivities.reduce_supply, EventType.PURCHASE_ORDER_CHANGED),
    SupplyType.DROP_SHIP: (ProcurementActivities.reduce_supply, EventType.PURCHASE_ORDER_CHANGED),
    SupplyType.MAKE: (ManufacturingActivities.reduce_work_order, EventType.WORK_ORDER_CHANGED),
    SupplyType.TRANSFER: (
        TransferActivities.reduce_transfer_order,
        EventType.TRANSFER_ORDER_CHANGED,
    ),
}


def cancel_event(cancel: CancelSignal) -> EventType:
    if cancel.backorder:
        return EventType.BACKORDER_CANCELED
    return EventType.LINE_CANCELED if cancel.full else EventType.LINE_QUANTITY_REDUCED


async def compensate(cycle: Cycle, s: LineState) -> None:
    """Each cancel queued, in the order they came."""
    while s.cancels:
        cancel = s.cancels.pop(0)
        s.cancel_reason = cancel.reason
        cycle.event(cancel_event(cancel), f"{_q(cancel.quantity)} canceled: {cancel.reason}")
        key = f"cancel-{cancel.request_id}"
        if cancel.reduce_supply:
            await _reduce_supply(cycle, s, key)
        elif s.documents:
            kept = ", ".join(d.document_number for d in s.documents)
            cycle.event(
                EventType.SUPPLY_KEPT_FOR_REVIEW,
                f"Cancel Supply When Canceling Backorders is off: {kept} kept as they are"
                " and listed for review",
            )
        released = await cycle.activity(
            InventoryActivities.release_line_excess,
            cycle.ref(f"{key}:release"),
            summary="Release reservations beyond the open quantity",
        )
        s.adopt(released.ledger)
        s.adopt(cancel.ledger)
        if released.quantity > 0:
            cycle.event(
                EventType.RESERVATION_RELEASED, f"{_q(released.quantity)} released to stock"
            )


async def _reduce_supply(cycle: Cycle, s: LineState, key: str) -> None:
    """Bring every pegged document down to what the line still needs: one step per kind of
    document."""
    kinds: dict[tuple[Any, EventType], SupplyType] = {}
    for document in s.documents:
        kinds.setdefault(REDUCE[document.type], document.type)
    for (reduce, event), type_ in kinds.items():
        changes = await cycle.activity(
            reduce, cycle.ref(f"{key}:reduce-supply"), summary=f"Reduce {type_} supply"
        )
        for change in changes:
            cycle.event(
                event,
                f"{change.document_number}: {_q(change.remaining_quantity)} left, "
                f"{change.document_status}",
            )
            for supply in s.supply:
                if supply.document_number == change.document_number:
                    supply.quantity = change.remaining_quantity
                    if change.document_status == "CANCELED":
                        supply.status = SupplyStatus.CANCELED
