"""What an order shows, from its input and state: the status query's answer, the Web UI's
summary and current details. Pure: the same state always shows the same."""

from __future__ import annotations

from typing import Any

from domain.credit import CreditDecision
from domain.models import OrderInput
from domain.models.order_run import OrderClosing, OrderState
from domain.statuses import CreditStatus


def summary(order: OrderInput, line_count: int) -> str:
    """The order's static summary in the Web UI (set when it starts)."""
    lines = (
        ", ".join(f"{li.quantity} {li.item_number}" for li in order.lines)
        if line_count <= 10
        else f"{line_count} lines"
    )
    return f"Sales order {order.order_number} for {order.customer_number}: {lines}"


def status(order: OrderInput, s: OrderState) -> dict[str, Any]:
    """The order as its workflow knows it; its lines are read from their rows
    (`GET /orders/{n}`)."""
    credit = s.credit
    return {
        "order_number": order.order_number,
        "status": s.status,
        "line_count": order.line_count,
        "reason": credit.reason if credit and credit.status is CreditStatus.ON_HOLD else None,
        "credit_authorization": credit.model_dump(mode="json") if credit else None,
        "shipment_sets": {
            name: {"lines": st.lines, "staged": st.staged, "released": st.released}
            for name, st in sorted(s.shipment_sets.items())
        },
    }


def held(order: OrderInput, decision: CreditDecision) -> str:
    return (
        f"Credit hold: {decision.reason}. Raise the credit limit of {order.customer_number}"
        f" and POST /orders/{order.order_number}/credit/retry, or cancel the order"
    )


def in_fulfillment(s: OrderState) -> str:
    """How many lines run, and each shipment set the order still holds with what it waits
    for."""
    details = f"{s.started_lines} line(s) in fulfillment"
    for name, state in sorted(s.shipment_sets.items()):
        if not state.released and state.waiting_for:
            details += f" · holding shipment set {name} for line(s) {state.waiting_for}"
    return details


def closed(s: OrderState, closing: OrderClosing) -> str:
    return f"{s.status}: {closing.closed_lines} closed, {closing.canceled_lines} canceled"
