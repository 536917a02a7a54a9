"""Billing: AR invoice to the customer, AP invoice from the supplier.

Frozen as release 2's workflows call them: the activities' names and types.
The live implementations in `activities/` run them."""

from __future__ import annotations

from temporalio import activity

from workflows.legacy.release2.activities.payloads import ApInvoiceStep, LineStep
from workflows.legacy.release2.domain.models import InvoiceResult


class BillingActivities:
    @activity.defn(name="create_ar_invoice")
    async def create_ar_invoice(self, step: LineStep) -> InvoiceResult:
        raise NotImplementedError()

    @activity.defn(name="create_ap_invoice")
    async def create_ap_invoice(self, step: ApInvoiceStep) -> InvoiceResult:
        raise NotImplementedError()
