"""An order's credit authorization as the API shows it (`GET /orders/{n}`, a line on hold)."""

from __future__ import annotations

from typing import Any

from adapters.postgres.common import Connection
from domain.models import json_money


async def authorization_on(conn: Connection, order_number: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        "SELECT status, amount, currency, reason, updated_at FROM credit_authorizations"
        " WHERE order_number = $1",
        order_number,
    )
    return authorization_view(row)


def authorization_view(row: Any) -> dict[str, Any] | None:
    """From the authorization's row (status, amount, currency, reason, updated_at); None
    when the order has none."""
    if row is None or row["status"] is None:
        return None
    return {
        "status": row["status"],
        "amount": json_money(row["amount"]),
        "currency": row["currency"],
        "reason": row["reason"],
        "updated_at": row["updated_at"].isoformat(),
    }
