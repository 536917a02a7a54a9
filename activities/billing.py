"""Billing: AR invoice to the customer, AP invoice from the supplier."""

from __future__ import annotations

from temporalio import activity

from activities.payloads import ApInvoiceStep, LineStep
from adapters.protocols import BillingSystem
from domain.models import InvoiceResult


class BillingActivities:
    def __init__(self, billing: BillingSystem) -> None:
        self._billing = billing

    @activity.defn(name="create_ar_invoice")
    async def create_ar_invoice(self, step: LineStep) -> InvoiceResult:
        return await self._billing.create_ar_invoice(key=step.key, line=step.line)

    @activity.defn(name="create_ap_invoice")
    async def create_ap_invoice(self, step: ApInvoiceStep) -> InvoiceResult:
        return await self._billing.create_ap_invoice(
            key=step.key,
            order_number=step.order_number,
            line_number=step.line_number,
            po_number=step.po_number,
            po_line=step.po_line,
        )
