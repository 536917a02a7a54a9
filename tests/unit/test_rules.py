from decimal import Decimal

import pytest
from pydantic import ValidationError

from domain.back_to_back import decide_back_to_back
from domain.invoicing import match_ap_invoice
from domain.models import LineView, OrderLineIn, ReceiptScanIn, json_quantity
from domain.pricing import line_amount, volume_unit_discount
from domain.statuses import ApInvoiceStatus, LineStatus

D = Decimal


def test_volume_discount_takes_highest_reached_tier() -> None:
    tiers = [(D(100), D(10)), (D(500), D(25))]
    assert volume_unit_discount(D(99), tiers) == 0
    assert volume_unit_discount(D(110), tiers) == 10
    assert volume_unit_discount(D(500), tiers) == 25


def test_line_amount_uses_net_price_and_rounds_to_cents() -> None:
    assert line_amount(D(90), D("1450.00"), D(10)) == D("129600.00")
    assert line_amount(D(3), D("0.335"), D(0)) == D("1.01")


def test_ap_invoice_matching_passes_an_exact_match() -> None:
    result = match_ap_invoice(
        invoice_quantity=D(50),
        invoice_unit_price=D(980),
        ordered_quantity=D(50),
        po_unit_price=D(980),
        received_quantity=D(50),
    )
    assert result.status is ApInvoiceStatus.VALIDATED and result.hold_reason is None


def test_ap_invoice_price_mismatch_is_held() -> None:
    result = match_ap_invoice(
        invoice_quantity=D(50),
        invoice_unit_price=D(1000),
        ordered_quantity=D(50),
        po_unit_price=D(980),
        received_quantity=D(50),
    )
    assert result.status is ApInvoiceStatus.ON_HOLD
    assert "unit price 1000.00 differs from PO price 980.00" in (result.hold_reason or "")


def test_ap_invoice_billing_more_than_received_is_held() -> None:
    result = match_ap_invoice(
        invoice_quantity=D(50),
        invoice_unit_price=D(980),
        ordered_quantity=D(50),
        po_unit_price=D(980),
        received_quantity=D(30),
    )
    assert result.status is ApInvoiceStatus.ON_HOLD
    assert "exceeds received quantity 30" in (result.hold_reason or "")


def test_price_tolerance() -> None:
    result = match_ap_invoice(
        invoice_quantity=D(1),
        invoice_unit_price=D("101"),
        ordered_quantity=D(1),
        po_unit_price=D(100),
        received_quantity=D(1),
        price_tolerance_pct=D(2),
    )
    assert result.status is ApInvoiceStatus.VALIDATED


@pytest.mark.parametrize(
    ("line", "customer", "variant", "item", "expected"),
    [
        (None, False, None, True, True),
        (None, False, None, False, False),
        (False, True, True, True, False),  # the line's own flag wins
        (None, True, None, False, True),  # back-to-back customer
        (None, False, False, True, False),  # the variant's flag over the item's
        (None, False, True, False, True),
    ],
)
def test_back_to_back_precedence(line, customer, variant, item, expected) -> None:
    decided, reason = decide_back_to_back(
        line_flag=line, customer_flag=customer, variant_flag=variant, item_flag=item
    )
    assert decided is expected and reason


def test_single_shipment_needs_cancel_backorders() -> None:
    with pytest.raises(ValidationError, match="enforce_single_shipment requires"):
        OrderLineIn(line_number=1, item_number="X", quantity=D(1), enforce_single_shipment=True)


def test_receipt_names_exactly_one_document() -> None:
    with pytest.raises(ValidationError, match="either po_number"):
        ReceiptScanIn(scan_id="s", quantity=D(1))
    with pytest.raises(ValidationError, match="either po_number"):
        ReceiptScanIn(scan_id="s", quantity=D(1), po_number="PO-1", transfer_order_number="T")


def test_quantities_serialize_as_numbers_and_amounts_as_cents() -> None:
    assert json_quantity(D("50.0000")) == 50 and json_quantity(D("2.5000")) == 2.5
    view = LineView(
        order_number="SO",
        line_number=1,
        item_number="I",
        customer_number="C",
        organization="M1",
        status=LineStatus.BOOKED,
        ordered_quantity=D("50.0000"),
        unit_price=D("1450"),
        line_amount=D("72500"),
    )
    dumped = view.model_dump(mode="json")
    assert dumped["ordered_quantity"] == 50
    assert dumped["unit_price"] == "1450.00" and dumped["line_amount"] == "72500.00"
