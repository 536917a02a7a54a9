"""Matching a supplier invoice to its purchase order line and receipts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.models import json_money, json_quantity
from domain.statuses import ApInvoiceStatus


@dataclass(frozen=True)
class MatchResult:
    status: ApInvoiceStatus
    hold_reason: str | None = None


def match_ap_invoice(
    *,
    invoice_quantity: Decimal,
    invoice_unit_price: Decimal,
    ordered_quantity: Decimal,
    po_unit_price: Decimal,
    received_quantity: Decimal,
    price_tolerance_pct: Decimal = Decimal("0"),
) -> MatchResult:
    """Three-way match: the invoice may bill no more than was ordered and received, at the
    PO price (within a tolerance). Anything else is held with the reason, not paid."""
    reasons: list[str] = []
    if invoice_quantity > ordered_quantity:
        reasons.append(
            f"quantity {json_quantity(invoice_quantity)} exceeds ordered quantity"
            f" {json_quantity(ordered_quantity)}"
        )
    if invoice_quantity > received_quantity:
        reasons.append(
            f"quantity {json_quantity(invoice_quantity)} exceeds received quantity"
            f" {json_quantity(received_quantity)}"
        )
    allowed = po_unit_price * price_tolerance_pct / Decimal("100")
    if abs(invoice_unit_price - po_unit_price) > allowed:
        reasons.append(
            f"unit price {json_money(invoice_unit_price)} differs from PO price"
            f" {json_money(po_unit_price)}"
        )
    if reasons:
        return MatchResult(ApInvoiceStatus.ON_HOLD, "; ".join(reasons))
    return MatchResult(ApInvoiceStatus.VALIDATED)
