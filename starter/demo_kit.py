"""`make demo`, fifth part: a kit. Two workstation bundles (a tower, two monitors and a
keyboard each, every component bought back-to-back from its own supplier) arrive at
different times, are picked and shipped together, and are billed as two kits."""

from __future__ import annotations

import asyncio
import time
import uuid
from functools import partial
from typing import Any

import httpx

from starter.demo import Say, _apply_demo_setups, _call, _wait_for


async def play_kit(
    api: httpx.AsyncClient, say: Say = print, *, order_number: str | None = None
) -> dict[str, Any]:
    so = order_number or f"SO-DEMO-{uuid.uuid4().hex[:6].upper()}"
    path = f"/orders/{so}/lines/1"
    await _apply_demo_setups(api)
    say("- Setup: WS-BUNDLE is a kit of TOWER-W1, 2 x MONITOR-27 and KEYBOARD-K1")
    order = {
        "order_number": so,
        "customer_number": "CUST-200",
        "lines": [{"line_number": 1, "item_number": "WS-BUNDLE", "quantity": 2}],
    }
    await _call(api, "POST", "/orders", order)
    kit = await _wait_for(
        api,
        path,
        lambda v: bool(v["components"]) and all(c["supply"] for c in v["components"]),
        "a PO per component",
    )
    say(f"- Order {so} booked: 2 x WS-BUNDLE, one line per component  [{kit['status']}]")
    for c in kit["components"]:
        supply = c["supply"][0]
        say(
            f"  component {c['component']}: {c['ordered_quantity']} {c['item_number']},"
            f" {supply['document_number']} to {supply['supplier']}"
        )
    for c in kit["components"]:
        supply = c["supply"][0]
        scan = {
            "scan_id": f"{so}-r{c['component']}",
            "po_number": supply["document_number"],
            "quantity": c["ordered_quantity"],
        }
        await _call(api, "POST", "/scans/receipts", scan)
        view = await _wait_for(
            api, path, partial(_component_is, c["component"], "AWAITING_SHIPPING"), "reserved"
        )
        say(f"- Received {c['ordered_quantity']} {c['item_number']}  [kit {view['status']}]")
    await _call(api, "POST", "/pick-waves", {"organization": "M1", "order_number": so})
    for kind, path_ in (("picked", "/scans/picks"), ("shipped", "/scans/shipments")):
        for c in kit["components"]:
            body = {
                "scan_id": f"{so}-{kind}-{c['component']}",
                "order_number": so,
                "line_number": 1,
                "component": c["component"],
                f"{kind}_quantity": c["ordered_quantity"],
            }
            await _ship_scan(api, path_, body, kind)
        status = "STAGED" if kind == "picked" else "CLOSED"
        view = await _wait_for(api, path, partial(_kit_is, status), status)
        say(f"- All components {kind} together  [kit {view['status']}]")
    bills = [f"{i['invoice_number']} {i['amount']}" for i in view["invoices"] if i["kind"] == "AR"]
    say(f"- Billed as kits: {view['kit']['shipped']} kits, AR {', '.join(bills)}")
    return dict(view)


def _component_is(component: int, status: str, kit: dict[str, Any]) -> bool:
    return bool(kit["components"][component - 1]["status"] == status)


def _kit_is(status: str, kit: dict[str, Any]) -> bool:
    return bool(kit["status"] == status)


async def _ship_scan(api: httpx.AsyncClient, path: str, body: dict[str, Any], kind: str) -> None:
    """A scan. A ship scan answered 409 while the order releases the kit's set (its last
    component staged a moment ago) is scanned again, under a new scan id, as a scanner
    would; for at most 10 s."""
    deadline = time.monotonic() + 10
    attempt = 0
    while True:
        response = await api.post(path, json={**body, "scan_id": f"{body['scan_id']}-{attempt}"})
        retry = kind == "shipped" and response.status_code == 409
        if not retry or time.monotonic() > deadline:
            response.raise_for_status()
            return
        attempt += 1
        await asyncio.sleep(0.2)
