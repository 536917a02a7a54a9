"""Shipping: the line's status as the shipping system records it."""

from __future__ import annotations

from temporalio import activity

from activities.payloads import LineStatusChange, OrderEvent, ShipmentSetRelease
from adapters.protocols import ShippingSystem
from domain.line import Ledger


class ShippingActivities:
    def __init__(self, shipping: ShippingSystem) -> None:
        self._shipping = shipping

    @activity.defn(name="record_line_status")
    async def record_line_status(self, change: LineStatusChange) -> None:
        """`enter_line_phase` for lines started before the ledger, which answers nothing."""
        await self.enter_line_phase(change)

    @activity.defn(name="enter_line_phase")
    async def enter_line_phase(self, change: LineStatusChange) -> Ledger:
        """Record a phase the line reached on its own (manual action, retry, billing,
        closed); answers the line's ledger after it."""
        return await self._shipping.set_status(
            key=change.key,
            order_number=change.order_number,
            line_number=change.line_number,
            status=change.status,
            event=change.event,
            data=change.data,
        )

    @activity.defn(name="record_line_event")
    async def record_line_event(self, change: LineStatusChange) -> None:
        """A business event of the line that changes nothing else (jeopardy)."""
        assert change.event is not None
        await self._shipping.line_event(
            key=change.key,
            order_number=change.order_number,
            line_number=change.line_number,
            event=change.event,
            data=change.data,
        )

    @activity.defn(name="release_shipment_set")
    async def release_shipment_set(self, release: ShipmentSetRelease) -> None:
        """Every open line of the set is staged: with Enforce Shipment Sets they may ship."""
        await self._shipping.release_shipment_set(
            key=release.key,
            order_number=release.order_number,
            shipment_set=release.shipment_set,
            lines=release.lines,
        )

    @activity.defn(name="record_order_event")
    async def record_order_event(self, event: OrderEvent) -> None:
        await self._shipping.order_event(
            key=event.key, order_number=event.order_number, event=event.event, data=event.data
        )
