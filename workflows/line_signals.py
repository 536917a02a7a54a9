"""What each signal a line receives does to its state, and how its narrative tells it. Pure:
the workflow's handlers call these with the signal and the workflow's clock.

Every signal is delivered at least once (the API sends it, the relay sends again what may
be lost): each is applied once, by its key, and a ledger it carries is kept only if newer.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from domain.line import ZERO
from domain.models import (
    ApprovalSignal,
    CancelSignal,
    CreditReleasedSignal,
    HoldsChangedSignal,
    LineInput,
    PickConfirmSignal,
    PickReleaseSignal,
    QuantityIncreasedSignal,
    ReceiptSignal,
    RetrySignal,
    ShipConfirmSignal,
    StockReservedSignal,
)
from domain.models import json_quantity as _q
from domain.models.acknowledgments import SupplyAcknowledgedSignal
from domain.models.drop_ship import DropShippedSignal
from domain.models.line_signals import ShipDateChangedSignal
from domain.statuses import EventType, SupplyStatus
from workflows.line_state import LineState


def receipt(s: LineState, receipt: ReceiptSignal, at: datetime) -> None:
    if not s.first_time(f"scan:{receipt.scan_id}"):
        return
    s.adopt(receipt.ledger)
    number = receipt.document_number
    s.count_arrival(number, receipt.quantity)
    s.event(
        at,
        EventType.RECEIPT_RECORDED,
        f"{_q(receipt.quantity)} received on {number} line {receipt.document_line}"
        f" ({receipt.receipt_number}), reserved to this line",
    )


def approval(s: LineState, approval: ApprovalSignal, at: datetime) -> None:
    if not s.first_time(f"approval:{approval.po_number}"):
        return
    s.approve(approval.po_number)
    s.event(
        at,
        EventType.PURCHASE_ORDER_APPROVED,
        f"{approval.po_number} approved by {approval.approved_by}",
    )


def stock_reserved(s: LineState, stock: StockReservedSignal, at: datetime) -> None:
    if s.first_time(f"stock:{stock.reservation_number}"):
        s.adopt(stock.ledger)
        s.event(
            at,
            EventType.SUPPLY_RESERVED,
            f"{_q(stock.quantity)} reserved from arriving stock ({stock.reservation_number})",
        )


def pick_released(s: LineState, release: PickReleaseSignal, at: datetime) -> None:
    if s.first_time(f"wave:{release.wave_number}"):
        s.adopt(release.ledger)
        s.event(
            at,
            EventType.PICK_RELEASED,
            f"{_q(release.quantity)} released to the warehouse in {release.wave_number}",
        )


def pick_confirmed(s: LineState, pick: PickConfirmSignal, at: datetime) -> None:
    if s.first_time(f"scan:{pick.scan_id}"):
        s.adopt(pick.ledger)
        s.event(at, EventType.PICK_CONFIRMED, f"{_q(pick.picked_quantity)} picked and staged")
        _backordered(s, pick.kept_backordered_quantity, "not found at pick confirm", at)


def ship_confirmed(s: LineState, ship: ShipConfirmSignal, at: datetime) -> None:
    if s.first_time(f"scan:{ship.scan_id}"):
        s.adopt(ship.ledger)
        s.event(
            at,
            EventType.LINE_SHIPPED,
            f"{_q(ship.shipped_quantity)} shipped on {ship.shipment_number}",
        )
        _backordered(s, ship.kept_backordered_quantity, "not shipped at ship confirm", at)


def _backordered(s: LineState, quantity: Decimal, why: str, at: datetime) -> None:
    if quantity > 0:
        s.event(
            at,
            EventType.LINE_BACKORDERED,
            f"{_q(quantity)} {why}: kept open as a backorder, to be supplied again",
        )


def cancel_requested(s: LineState, cancel: CancelSignal) -> None:
    """Queued: the cycle compensates what exists (`_apply_cancels`), then shows it."""
    if s.first_time(f"cancel:{cancel.request_id}"):
        s.cancels.append(cancel)


def quantity_increased(s: LineState, increase: QuantityIncreasedSignal, at: datetime) -> None:
    if not s.first_time(f"increase:{increase.request_id}"):
        return
    s.adopt(increase.ledger)
    detail = f"quantity raised by {_q(increase.quantity)} to {_q(s.ledger.ordered)}"
    if increase.reserved_quantity > 0:
        detail += f", {_q(increase.reserved_quantity)} reserved from stock"
    s.event(at, EventType.LINE_QUANTITY_INCREASED, detail)


def retry_requested(s: LineState, retry: RetrySignal) -> None:
    if s.first_time(f"retry:{retry.request_id}"):
        s.adopt(retry.ledger)
        s.retries += 1


def holds_changed(s: LineState, change: HoldsChangedSignal) -> None:
    # The whole list each time, delivered in order: the last one is the truth.
    s.holds = change.holds
    s.holds_changes += 1


def supply_acknowledged(s: LineState, ack: SupplyAcknowledgedSignal, at: datetime) -> None:
    """What the supplier said of a PO line: its status and promised date on the line's
    document; a cut leaves the document bringing less, and the cycle sources the shortfall
    again (without that supplier) as soon as it looks."""
    if not s.first_time(f"acknowledgment:{ack.acknowledgment_id}:{ack.po_line}"):
        return
    for document in s.documents:
        if (document.document_number, document.document_line) == (ack.po_number, ack.po_line):
            document.acknowledgment_status = ack.status.value
            document.promised_date = ack.promised_date
            document.quantity = ack.quantity
            if ack.quantity <= 0:
                document.status = SupplyStatus.CANCELED
            elif s.arrived.get(ack.po_number, ZERO) >= ack.quantity:
                document.status = SupplyStatus.RECEIVED
    said = f"{ack.po_number} line {ack.po_line} {ack.status.value.lower()} by {ack.supplier}"
    if ack.promised_date is not None:
        said += f", promised for {ack.promised_date}"
    s.event(at, EventType.PURCHASE_ORDER_ACKNOWLEDGED, said)
    if ack.cut > 0 and ack.shortfall:
        s.event(at, EventType.SUPPLY_SHORTFALL, ack.shortfall)


def drop_shipped(s: LineState, line: LineInput, notice: DropShippedSignal, at: datetime) -> None:
    """The supplier of the line's drop-ship PO shipped some of it to the customer: the line
    shows it shipped, and the cycle bills it."""
    if not s.first_time(f"ship-notice:{notice.ship_notice_id}"):
        return
    s.adopt(notice.ledger)
    s.count_arrival(notice.po_number, notice.quantity)
    tracking = f", tracking {notice.tracking_number}" if notice.tracking_number else ""
    s.event(
        at,
        EventType.LINE_SHIPPED,
        f"{_q(notice.quantity)} shipped by {notice.supplier} straight to"
        f" {line.customer_number} on {notice.po_number} line {notice.po_line}"
        f" ({notice.ship_notice_id}, {notice.shipped_date}{tracking})",
    )


def credit_released(s: LineState, released: CreditReleasedSignal) -> None:
    if s.first_time(f"credit:{released.request_id}"):
        s.adopt(released.ledger)


def ship_date_changed(s: LineState, change: ShipDateChangedSignal, at: datetime) -> None:
    if s.first_time(f"ship-date:{change.request_id}"):
        s.requested_ship_date = change.requested_ship_date
        s.event(
            at,
            EventType.ORDER_REVISED,
            f"requested ship date moved to {change.requested_ship_date}",
        )
