"""Inventory: reservations of a line."""

from __future__ import annotations

from decimal import Decimal

from temporalio import activity

from activities.payloads import LineRef
from adapters.protocols import InventorySystem


class InventoryActivities:
    def __init__(self, inventory: InventorySystem) -> None:
        self._inventory = inventory

    @activity.defn(name="release_excess_reservation")
    async def release_excess_reservation(self, ref: LineRef) -> Decimal:
        """Return to free stock what is reserved to the line beyond its open quantity."""
        return await self._inventory.release_excess_reservation(
            key=ref.key, order_number=ref.order_number, line_number=ref.line_number
        )
