"""Inventory: reservations of a line, from stock or beyond its open quantity."""

from __future__ import annotations

from decimal import Decimal

from temporalio import activity

from activities.payloads import LineRef, LineStep
from adapters.protocols import InventorySystem
from domain.models import ReservationReleased, StockReservation


class InventoryActivities:
    def __init__(self, inventory: InventorySystem) -> None:
        self._inventory = inventory

    @activity.defn(name="release_excess_reservation")
    async def release_excess_reservation(self, ref: LineRef) -> Decimal:
        """Return to free stock what is reserved to the line beyond its open quantity
        (for lines started before the ledger: the quantity alone)."""
        return (await self.release_line_excess(ref)).quantity

    @activity.defn(name="release_line_excess")
    async def release_line_excess(self, ref: LineRef) -> ReservationReleased:
        """Return to free stock what is reserved to the line beyond its open quantity;
        answers the quantity and the line's ledger after it."""
        return await self._inventory.release_excess_reservation(
            key=ref.key, order_number=ref.order_number, line_number=ref.line_number
        )

    @activity.defn(name="reserve_on_hand")
    async def reserve_on_hand(self, step: LineStep) -> StockReservation:
        """Reserve free stock to a line shipped from stock; the rest waits as a backorder."""
        return await self._inventory.reserve_on_hand(key=step.key, line=step.line)
