"""Inventory: reservations of a line, from stock or beyond its open quantity.

Frozen as release 2's workflows call them: the activities' names and types.
The live implementations in `activities/` run them."""

from __future__ import annotations

from decimal import Decimal

from temporalio import activity

from workflows.legacy.release2.activities.payloads import LineRef, LineStep
from workflows.legacy.release2.domain.models import ReservationReleased, StockReservation


class InventoryActivities:
    @activity.defn(name="release_excess_reservation")
    async def release_excess_reservation(self, ref: LineRef) -> Decimal:
        """Return to free stock what is reserved to the line beyond its open quantity
        (for lines started before the ledger: the quantity alone)."""
        raise NotImplementedError()

    @activity.defn(name="release_line_excess")
    async def release_line_excess(self, ref: LineRef) -> ReservationReleased:
        """Return to free stock what is reserved to the line beyond its open quantity;
        answers the quantity and the line's ledger after it."""
        raise NotImplementedError()

    @activity.defn(name="reserve_on_hand")
    async def reserve_on_hand(self, step: LineStep) -> StockReservation:
        """Reserve free stock to a line shipped from stock; the rest waits as a backorder."""
        raise NotImplementedError()
