"""`make demo`: seed 001's example, then a Make and a Transfer line, then a supplier who cuts
a PO and the line re-sourced, through the public API.

A corporate customer orders 50 laptops that are not stocked; a PO goes to the supplier;
the goods arrive in two receipts (30, then 20), each reserved to the line and shipped as it
arrives (pick wave, pick and ship confirmations, an AR invoice per shipment); the AP invoice;
the line closes. Uses a running stack
(B2B_API_URL) or starts one for the length of the demo.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from importlib import resources
from typing import Any

import httpx
import yaml

Say = Callable[[str], None]


class DemoError(RuntimeError):
    pass


async def _call(api: httpx.AsyncClient, method: str, path: str, body: Any = None) -> Any:
    response = await api.request(method, path, json=body)
    if response.status_code >= 400:
        raise DemoError(f"{method} {path} -> {response.status_code}: {response.text}")
    return response.json()


async def _apply_demo_setups(api: httpx.AsyncClient) -> None:
    """The demo's master data, and the more of the later parts on top."""
    for name in ("demo_setup.yaml", "demo_more_setup.yaml"):
        setup = yaml.safe_load((resources.files("starter") / name).read_text())
        await _call(api, "PUT", "/setup", setup)


async def _wait(api: httpx.AsyncClient, path: str, status: str, timeout: float = 60) -> Any:
    return await _wait_for(api, path, lambda v: v["status"] == status, status, timeout)


async def _wait_for(
    api: httpx.AsyncClient,
    path: str,
    until: Callable[[Any], bool],
    what: str,
    timeout: float = 60,
) -> Any:
    deadline = time.monotonic() + timeout
    line: Any = None
    while time.monotonic() < deadline:
        line = await _call(api, "GET", path)
        if until(line):
            return line
        await asyncio.sleep(0.2)
    raise DemoError(f"{path} did not reach {what} in {timeout}s (last: {line})")


async def _ship_part(
    api: httpx.AsyncClient, so: str, part: int, quantity: int, step: Callable[..., None]
) -> None:
    """A pick wave releases what has arrived; it is picked and shipped (and billed)."""
    wave = await _call(api, "POST", "/pick-waves", {"organization": "M1", "order_number": so})
    step(f"Pick wave {wave['wave_number']} released {wave['lines'][0]['released_quantity']}")
    scan = {"order_number": so, "line_number": 1}
    picked = await _call(
        api,
        "POST",
        "/scans/picks",
        {**scan, "scan_id": f"{so}-p{part}", "picked_quantity": quantity},
    )
    step(f"Picked and staged {quantity}", {"status": picked["line_status"]})
    ship = await _call(
        api,
        "POST",
        "/scans/shipments",
        {**scan, "scan_id": f"{so}-s{part}", "shipped_quantity": quantity},
    )
    step(f"Shipped {quantity} on {ship['shipment_number']}", {"status": ship["line_status"]})


async def play(
    api: httpx.AsyncClient, say: Say = print, *, order_number: str | None = None
) -> dict[str, Any]:
    """Play the demo with an authenticated admin client; returns the closed line."""
    so = order_number or f"SO-DEMO-{uuid.uuid4().hex[:6].upper()}"
    line_path = f"/orders/{so}/lines/1"

    def step(title: str, line: dict[str, Any] | None = None) -> None:
        status = f"  [{line['status']}]" if line else ""
        say(f"- {title}{status}")

    setup = yaml.safe_load((resources.files("starter") / "demo_setup.yaml").read_text())
    await _call(api, "PUT", "/setup", setup)
    step("Demo setup applied: LAPTOP-X1 is back-to-back, bought from SUP-ACME on BPA-1")

    booked = await _call(
        api,
        "POST",
        "/orders",
        {
            "order_number": so,
            "customer_number": "CUST-100",
            "customer_po_number": "PO-7781",
            "currency": "USD",
            "requested_ship_date": "2026-12-01",
            "lines": [{"line_number": 1, "item_number": "LAPTOP-X1", "quantity": 50, "uom": "Ea"}],
        },
    )
    step(f"Order {so} booked for Initech: 50 x LAPTOP-X1 (none in stock)")
    line = await _wait(api, line_path, "AWAITING_SUPPLY")
    say(f"  Temporal UI: {line['ui_url']}")
    po = line["supply"][0]
    step(
        f"Purchase order {po['document_number']} sent to {po['supplier']} for "
        f"{po['quantity']}, pegged to the line",
        line,
    )

    # Ship what has arrived: each receipt is released, picked and shipped as it comes.
    for part, quantity in ((1, 30), (2, 20)):
        answer = await _call(
            api,
            "POST",
            "/scans/receipts",
            {
                "scan_id": f"{so}-r{part}",
                "po_number": po["document_number"],
                "po_line": po["document_line"],
                "quantity": quantity,
            },
        )
        step(
            f"Received {quantity} on {po['document_number']} ({answer['receipt_number']}); "
            f"{answer['reserved_quantity']} reserved to the line",
            {"status": answer["line_status"]},
        )
        await _ship_part(api, so, part, quantity, step)

    line = await _wait(api, line_path, "CLOSED")
    for invoice in line["invoices"]:
        who = "to CUST-100" if invoice["kind"] == "AR" else f"from {po['supplier']}"
        step(
            f"{invoice['kind']} invoice {invoice['invoice_number']} {who}: "
            f"{invoice['amount']} ({invoice['status']})"
        )
    step("Line closed", line)
    say(
        f"  Order workflow: {booked['workflow_id']}; line workflow: "
        f"{booked['lines'][0]['workflow_id']}"
    )
    return dict(line)


async def play_make_and_transfer(
    api: httpx.AsyncClient, say: Say = print, *, order_number: str | None = None
) -> list[dict[str, Any]]:
    """An order with a rack made in-house (a work order) and UPS units transferred from
    the regional warehouse (a transfer order), both to CLOSED; returns the closed lines."""
    so = order_number or f"SO-DEMO-{uuid.uuid4().hex[:6].upper()}"
    paths = [f"/orders/{so}/lines/{n}" for n in (1, 2)]
    await _apply_demo_setups(api)
    say(
        "- Setup: RACK-42U is made at M1 (work definition, 10 days); UPS-3KVA is"
        " transferred from M2 (2 days in transit)"
    )
    await _call(
        api,
        "POST",
        "/orders",
        {
            "order_number": so,
            "customer_number": "CUST-200",
            "currency": "USD",
            "lines": [
                {"line_number": 1, "item_number": "RACK-42U", "quantity": 2},
                {"line_number": 2, "item_number": "UPS-3KVA", "quantity": 3},
            ],
        },
    )
    say(f"- Order {so} booked for Globex: 2 x RACK-42U, 3 x UPS-3KVA")
    rack = await _wait(api, paths[0], "AWAITING_SUPPLY")
    ups = await _wait(api, paths[1], "AWAITING_SUPPLY")
    wo, to = rack["supply"][0], ups["supply"][0]
    say(f"- Work order {wo['document_number']} released at M1 for 2 racks  [{rack['status']}]")
    say(
        f"- Transfer order {to['document_number']} shipped from M2 with 3 UPS, due"
        f" {to['need_by_date']}  [{ups['status']}]"
    )
    say(f"  Temporal UI: {rack['ui_url']}")
    done = await _call(
        api,
        "POST",
        "/scans/work-order-completions",
        {"scan_id": f"{so}-wo", "work_order_number": wo["document_number"], "quantity": 2},
    )
    say(f"- Production completed 2 racks, reserved to line 1  [{done['line_status']}]")
    arrived = await _call(
        api,
        "POST",
        "/scans/receipts",
        {"scan_id": f"{so}-to", "transfer_order_number": to["document_number"], "quantity": 3},
    )
    say(f"- The transfer arrived at M1, reserved to line 2  [{arrived['line_status']}]")
    for path in paths:
        await _wait(api, path, "AWAITING_SHIPPING")
    wave = await _call(api, "POST", "/pick-waves", {"organization": "M1", "order_number": so})
    say(f"- Pick wave {wave['wave_number']} released both lines")
    for n, quantity in ((1, 2), (2, 3)):
        await _wait(api, paths[n - 1], "PICK_RELEASED")
        await _call(
            api,
            "POST",
            "/scans/picks",
            {
                "scan_id": f"{so}-p{n}",
                "order_number": so,
                "line_number": n,
                "picked_quantity": quantity,
            },
        )
        await _wait(api, paths[n - 1], "STAGED")
        await _call(
            api,
            "POST",
            "/scans/shipments",
            {
                "scan_id": f"{so}-s{n}",
                "order_number": so,
                "line_number": n,
                "shipped_quantity": quantity,
            },
        )
    closed = [await _wait(api, path, "CLOSED") for path in paths]
    for line in closed:
        invoice = line["invoices"][0]
        say(
            f"- Line {line['line_number']} closed: AR invoice {invoice['invoice_number']}"
            f" {invoice['amount']}  [{line['status']}]"
        )
    return closed


def main() -> None:
    from starter.cli import api_url, token
    from starter.demo_drop_ship import play_drop_ship
    from starter.demo_kit import play_kit
    from starter.demo_supplier import play_supplier_cut
    from starter.devstack import DevStack

    url = api_url()
    stack = None
    try:
        httpx.get(f"{url}/health", timeout=2).raise_for_status()
        print(f"Using the stack at {url}")
    except httpx.HTTPError:
        from runtime.config import Settings

        print("No stack running: starting one for the demo...")
        stack = DevStack(Settings())
        stack.start()

    async def run() -> None:
        headers = {"Authorization": f"Bearer {token()}"}
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as api:
            await play(api)
            print("\nMake and Transfer:")
            await play_make_and_transfer(api)
            print("\nA supplier cuts a PO:")
            await play_supplier_cut(api)
            print("\nDrop ship:")
            await play_drop_ship(api)
            print("\nA kit:")
            await play_kit(api)

    try:
        asyncio.run(run())
    finally:
        if stack is not None:
            stack.stop()


if __name__ == "__main__":
    main()
