"""`make demo`, third part: a supplier answers back. Acme accepts a PO for 20 docking
stations with a promised date, then cuts it to 12; the 8 short are re-sourced to Helix, the
rank-2 supplier; both deliver, and the line ships and closes with an AP invoice from each."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx

from starter.demo import Say, _apply_demo_setups, _call, _wait, _wait_for


async def play_supplier_cut(
    api: httpx.AsyncClient, say: Say = print, *, order_number: str | None = None
) -> dict[str, Any]:
    so = order_number or f"SO-DEMO-{uuid.uuid4().hex[:6].upper()}"
    path = f"/orders/{so}/lines/1"
    await _apply_demo_setups(api)
    say("- Setup: DOCK-USB4 is bought from SUP-ACME (rank 1), else SUP-HELIX (rank 2)")
    order = {
        "order_number": so,
        "customer_number": "CUST-100",
        "lines": [{"line_number": 1, "item_number": "DOCK-USB4", "quantity": 20}],
    }
    await _call(api, "POST", "/orders", order)
    line = await _wait(api, path, "AWAITING_SUPPLY")
    po = line["supply"][0]["document_number"]
    say(f"- Order {so} booked: 20 x DOCK-USB4; {po} sent to SUP-ACME  [{line['status']}]")
    promised = (date.today() + timedelta(days=4)).isoformat()
    await _acknowledge(api, po, f"{so}-ack-1", {"action": "ACCEPT", "promised_date": promised})
    say(f"- SUP-ACME accepted {po}, promised for {promised}")
    cut = {"action": "CHANGE", "quantity": 12, "reason": "allocation"}
    answer = await _acknowledge(api, po, f"{so}-ack-2", cut)
    short = answer["lines"][0]["shortfall_quantity"]
    say(f"- SUP-ACME cut {po} to 12 (allocation): a shortfall of {short}")
    line = await _wait_for(api, path, lambda v: len(v["supply"]) == 2, "a second document")
    helix = line["supply"][1]
    resourced = [e["detail"] for e in line["events"] if e["type"] == "LINE_RESOURCED"]
    say(
        f"- Re-sourced: {helix['document_number']} to {helix['supplier']} for"
        f" {helix['quantity']}  [{line['status']}]"
    )
    say(f"  {resourced[0]}")
    for number, quantity in ((po, 12), (helix["document_number"], 8)):
        scan = {"scan_id": f"{so}-{number}", "po_number": number, "quantity": quantity}
        received = await _call(api, "POST", "/scans/receipts", scan)
        say(f"- Received {quantity} on {number}  [{received['line_status']}]")
    await _wait(api, path, "AWAITING_SHIPPING")
    await _call(api, "POST", "/pick-waves", {"organization": "M1", "order_number": so})
    ids = {"order_number": so, "line_number": 1}
    await _call(api, "POST", "/scans/picks", {**ids, "scan_id": f"{so}-p", "picked_quantity": 20})
    await _wait(api, path, "STAGED")
    await _call(
        api, "POST", "/scans/shipments", {**ids, "scan_id": f"{so}-s", "shipped_quantity": 20}
    )
    closed = await _wait(api, path, "CLOSED")
    bills = [
        f"{i['invoice_number']} {i['amount']}" for i in closed["invoices"] if i["kind"] == "AP"
    ]
    say(f"- Shipped 20 and closed; AP invoices: {', '.join(bills)}  [{closed['status']}]")
    return dict(closed)


async def _acknowledge(api: httpx.AsyncClient, po: str, ack_id: str, line: dict[str, Any]) -> Any:
    body = {"acknowledgment_id": ack_id, "lines": [{"po_line": 1, **line}]}
    return await _call(api, "POST", f"/purchase-orders/{po}/acknowledgments", body)
