"""`make demo`, fourth part: drop ship. Three wide-format printers are bought from Helix,
who ships them straight to the customer in two shipments; each ship notice ships part of
the line and is billed to the customer, and Helix's invoice is matched to what it shipped."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

import httpx

from starter.demo import Say, _apply_demo_setups, _call, _wait, _wait_for


async def play_drop_ship(
    api: httpx.AsyncClient, say: Say = print, *, order_number: str | None = None
) -> dict[str, Any]:
    so = order_number or f"SO-DEMO-{uuid.uuid4().hex[:6].upper()}"
    path = f"/orders/{so}/lines/1"
    await _apply_demo_setups(api)
    say("- Setup: PRINTER-A1 is drop shipped by SUP-HELIX (a DROP_SHIP sourcing rule)")
    order = {
        "order_number": so,
        "customer_number": "CUST-200",
        "lines": [{"line_number": 1, "item_number": "PRINTER-A1", "quantity": 3}],
    }
    await _call(api, "POST", "/orders", order)
    line = await _wait(api, path, "AWAITING_SUPPLY")
    po = line["supply"][0]["document_number"]
    described = await _call(api, "GET", f"/purchase-orders/{po}")
    say(
        f"- Order {so} booked: 3 x PRINTER-A1; {po} to {described['supplier']}, shipped to"
        f" {described['ship_to_customer']}  [{line['supply'][0]['type']}, {line['status']}]"
    )
    for number, (quantity, tracking) in enumerate((("2", "1Z-HELIX-1"), ("1", "1Z-HELIX-2")), 1):
        notice = {"ship_notice_id": f"{so}-asn-{number}", "quantity": quantity}
        shipped = await _call(
            api,
            "POST",
            f"/purchase-orders/{po}/ship-notices",
            {**notice, "tracking_number": tracking},
        )
        say(
            f"- SUP-HELIX shipped {quantity} to the customer, tracking {tracking}"
            f"  [{shipped['line_status']}]"
        )
        await _wait_for(api, path, partial(_billed, times=number), "an AR invoice")
    closed = await _wait(api, path, "CLOSED")
    bills = [f"{i['kind']} {i['invoice_number']} {i['amount']}" for i in closed["invoices"]]
    say(f"- Shipped 3 and closed; invoices: {', '.join(bills)}  [{closed['status']}]")
    return dict(closed)


def _billed(line: dict[str, Any], *, times: int) -> bool:
    return len(line["invoices"]) >= times
