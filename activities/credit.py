"""Credit: an order's total authorized against its customer's credit limit."""

from __future__ import annotations

from temporalio import activity

from activities.payloads import CreditStep
from adapters.protocols import CreditSystem
from domain.credit import CreditDecision


class CreditActivities:
    def __init__(self, credit: CreditSystem) -> None:
        self._credit = credit

    @activity.defn(name="authorize_credit")
    async def authorize_credit(self, step: CreditStep) -> CreditDecision:
        """Authorize the order's open total, or hold the order with the reason."""
        return await self._credit.authorize(key=step.key, order_number=step.order_number)

    @activity.defn(name="close_credit_authorization")
    async def close_credit_authorization(self, step: CreditStep) -> None:
        """The order is done: its authorization no longer counts against the limit."""
        await self._credit.close(key=step.key, order_number=step.order_number)
