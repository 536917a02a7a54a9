"""Shipping: the line's status as the shipping system records it.

Frozen as release 2's workflows call them: the activities' names and types.
The live implementations in `activities/` run them."""

from __future__ import annotations

from temporalio import activity

from workflows.legacy.release2.activities.payloads import (
    LineStatusChange,
    OrderEvent,
    ShipmentSetRelease,
)
from workflows.legacy.release2.domain.line import Ledger


class ShippingActivities:
    @activity.defn(name="record_line_status")
    async def record_line_status(self, change: LineStatusChange) -> None:
        """`enter_line_phase` for lines started before the ledger, which answers nothing."""
        raise NotImplementedError()

    @activity.defn(name="enter_line_phase")
    async def enter_line_phase(self, change: LineStatusChange) -> Ledger:
        """Record a phase the line reached on its own (manual action, retry, billing,
        closed); answers the line's ledger after it."""
        raise NotImplementedError()

    @activity.defn(name="record_line_event")
    async def record_line_event(self, change: LineStatusChange) -> None:
        """A business event of the line that changes nothing else (jeopardy)."""
        raise NotImplementedError()

    @activity.defn(name="release_shipment_set")
    async def release_shipment_set(self, release: ShipmentSetRelease) -> None:
        """Every open line of the set is staged: with Enforce Shipment Sets they may ship."""
        raise NotImplementedError()

    @activity.defn(name="record_order_event")
    async def record_order_event(self, event: OrderEvent) -> None:
        raise NotImplementedError()
