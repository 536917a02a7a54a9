"""Orders left waiting, and driven to their end, through the public API only: the same
calls work on every release, so the upgrade tests book on a previous release and finish on
this one.

Each `waiting` step books one order and brings it to a state where it waits (for a receipt,
a buyer, a wave, a scan, a credit review...). `drive_to_end` then does what the warehouse,
the buyers and a person would do, looking again until every order is closed.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import httpx

from tests.conftest import poll

FUTURE = "2027-06-01"  # far enough that no line is in jeopardy by its date


class Api:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def call(self, method: str, path: str, body: Any = None, *, ok: bool = True) -> Any:
        response = await self.client.request(method, path, json=body)
        if ok:
            assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    async def try_call(self, method: str, path: str, body: Any = None) -> int:
        """A call that may be refused for now (a set not released yet): its status."""
        response = await self.client.request(method, path, json=body)
        assert response.status_code < 500, f"{method} {path}: {response.text}"
        return response.status_code

    async def line(self, so: str, line: int = 1) -> Any:
        return await self.call("GET", f"/orders/{so}/lines/{line}")

    async def line_if_answered(self, so: str, line: int) -> Any:
        """The line, or None while no worker answers its workflow (503: a stack just
        started)."""
        response = await self.client.get(f"/orders/{so}/lines/{line}")
        if response.status_code == 503:
            return None
        assert response.is_success, f"line {so}/{line}: {response.status_code} {response.text}"
        return response.json()

    async def wait_line(
        self, so: str, until: Callable[[Any], bool], line: int = 1, timeout: float = 60
    ) -> Any:
        return await poll(lambda: self.line(so, line), until, timeout=timeout, interval=0.2)


def number(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8].upper()}"


def order(so: str, *lines: dict[str, Any], customer: str = "CUST-200") -> dict[str, Any]:
    return {
        "order_number": so,
        "customer_number": customer,
        "customer_po_number": f"PO-{so}",
        "currency": "USD",
        "requested_ship_date": FUTURE,
        "lines": [{"line_number": n, "uom": "Ea", **line} for n, line in enumerate(lines, start=1)],
    }


async def book(api: Api, so: str, *lines: dict[str, Any], customer: str = "CUST-200") -> str:
    await api.call("POST", "/orders", order(so, *lines, customer=customer))
    return so


def document(view: Any, kind: str | None = None) -> Any:
    docs = [s for s in view["supply"] if kind is None or s["document_type"] == kind]
    return docs[0] if docs else None


async def supplied(api: Api, so: str, line: int = 1) -> Any:
    return await api.wait_line(so, lambda v: bool(v["supply"]), line)


async def receive(api: Api, so: str, view: Any, quantity: Decimal | int, tag: str) -> None:
    po = document(view, "PURCHASE_ORDER")
    body = {"scan_id": f"{so}-{view['line_number']}-{tag}", "quantity": str(quantity)}
    if po is not None:
        body |= {"po_number": po["document_number"], "po_line": po["document_line"]}
    else:
        body["transfer_order_number"] = document(view, "TRANSFER_ORDER")["document_number"]
    await api.call("POST", "/scans/receipts", body)


async def wave(api: Api, so: str) -> None:
    await api.call("POST", "/pick-waves", {"organization": "M1", "order_number": so})


async def scan(api: Api, so: str, kind: str, line: int, quantity: Any, **extra: Any) -> int:
    path, field = {
        "pick": ("/scans/picks", "picked_quantity"),
        "ship": ("/scans/shipments", "shipped_quantity"),
    }[kind]
    tag = "-".join(str(v) for v in (line, *extra.values(), kind, quantity))
    body = {"scan_id": f"{so}-{tag}", "order_number": so, "line_number": line, field: str(quantity)}
    return await api.try_call("POST", path, body | extra)


# ---------------------------------------------------------------------- waiting states


async def open_po(api: Api) -> str:
    """A Buy line waiting for its receipts."""
    so = await book(api, number("UP-PO"), {"item_number": "LAPTOP-X1", "quantity": 4})
    await supplied(api, so)
    return so


async def partly_received(api: Api) -> str:
    so = await book(api, number("UP-PART"), {"item_number": "LAPTOP-X1", "quantity": 6})
    await receive(api, so, await supplied(api, so), 2, "r1")
    await api.wait_line(so, lambda v: Decimal(str(v["received_quantity"])) == 2)
    return so


async def received(api: Api) -> str:
    """Reserved in full, waiting for a pick wave."""
    so = await book(api, number("UP-RCV"), {"item_number": "LAPTOP-X1", "quantity": 3})
    await receive(api, so, await supplied(api, so), 3, "r1")
    await api.wait_line(so, lambda v: v["status"] == "AWAITING_SHIPPING")
    return so


async def released(api: Api) -> str:
    so = await received(api)
    await wave(api, so)
    await api.wait_line(so, lambda v: v["status"] == "PICK_RELEASED")
    return so


async def staged(api: Api) -> str:
    so = await released(api)
    await scan(api, so, "pick", 1, 3)
    await api.wait_line(so, lambda v: v["status"] == "STAGED")
    return so


async def awaiting_approval(api: Api) -> str:
    so = await book(api, number("UP-APPR"), {"item_number": "SERVER-HE", "quantity": 1})
    await api.wait_line(
        so, lambda v: bool(v["supply"]) and v["supply"][0]["status"] == "AWAITING_APPROVAL"
    )
    return so


async def from_stock(api: Api) -> str:
    so = await book(api, number("UP-STK"), {"item_number": "CABLE-C6", "quantity": 10})
    await api.wait_line(so, lambda v: v["status"] == "AWAITING_SHIPPING")
    return so


async def in_production(api: Api) -> str:
    so = await book(api, number("UP-MAKE"), {"item_number": "RACK-42U", "quantity": 2})
    await api.wait_line(so, lambda v: bool(document(v, "WORK_ORDER")))
    return so


async def in_transit(api: Api) -> str:
    so = await book(api, number("UP-XFER"), {"item_number": "UPS-3KVA", "quantity": 2})
    await api.wait_line(so, lambda v: bool(document(v, "TRANSFER_ORDER")))
    return so


async def set_half_staged(api: Api) -> str:
    """A shipment set of two lines, both received, one picked: the order holds the set."""
    line = {"item_number": "LAPTOP-X1", "quantity": 2, "shipment_set": "S1"}
    so = await book(api, number("UP-SET"), line, line)
    for n in (1, 2):
        await receive(api, so, await supplied(api, so, n), 2, "r1")
        await api.wait_line(so, lambda v: v["status"] == "AWAITING_SHIPPING", n)
    await wave(api, so)
    await api.wait_line(so, lambda v: v["status"] == "PICK_RELEASED", 2)
    await scan(api, so, "pick", 1, 2)
    await api.wait_line(so, lambda v: v["status"] == "STAGED")
    return so


async def credit_hold(api: Api) -> str:
    """Over CUST-100's limit of 250,000: on hold until a person raises it and retries."""
    line = {"item_number": "LAPTOP-X1", "quantity": 200}
    so = await book(api, number("UP-HOLD"), line, customer="CUST-100")
    await poll(
        lambda: api.call("GET", f"/orders/{so}"),
        lambda v: (v.get("credit_authorization") or {}).get("status") == "ON_HOLD",
        timeout=60,
    )
    return so


async def mixed_lines(api: Api) -> str:
    """One order, a Buy line waiting for supply and a stock line waiting for a wave."""
    so = await book(
        api,
        number("UP-MIX"),
        {"item_number": "LAPTOP-X1", "quantity": 2},
        {"item_number": "CABLE-C6", "quantity": 5},
    )
    await supplied(api, so)
    await api.wait_line(so, lambda v: v["status"] == "AWAITING_SHIPPING", 2)
    return so


async def kit_waiting(api: Api) -> str:
    so = await book(api, number("UP-KIT"), {"item_number": "WS-BUNDLE", "quantity": 1})
    await api.wait_line(
        so, lambda v: bool(v["components"]) and all(c["supply"] for c in v["components"])
    )
    return so


async def drop_ship_waiting(api: Api) -> str:
    so = await book(api, number("UP-DROP"), {"item_number": "PRINTER-A1", "quantity": 1})
    await supplied(api, so)
    return so


# What each release supports, in the order they are left waiting.
EVERY_STATE: list[Callable[[Api], Awaitable[str]]] = [
    open_po,
    partly_received,
    received,
    released,
    staged,
    awaiting_approval,
    from_stock,
    in_production,
    in_transit,
    set_half_staged,
    credit_hold,
    mixed_lines,
]
KITS_AND_DROP_SHIP: list[Callable[[Api], Awaitable[str]]] = [kit_waiting, drop_ship_waiting]


async def leave_waiting(api: Api, steps: list[Callable[[Api], Awaitable[str]]]) -> list[str]:
    return list(await asyncio.gather(*(step(api) for step in steps)))


# ---------------------------------------------------------------------- to the end


async def drive_to_end(
    api: Api, orders: list[str], *, timeout: float = 180, until_lines_closed: bool = False
) -> None:
    """What the warehouse, buyers and a person do, until every order is closed (or, with
    `until_lines_closed`, until each order's lines are)."""
    deadline = time.monotonic() + timeout
    open_, retried = list(orders), set[str]()
    while open_:
        views = await asyncio.gather(*(api.call("GET", f"/orders/{so}") for so in open_))
        open_ = [v["order_number"] for v in views if not _done(v, until_lines_closed)]
        await asyncio.gather(*(_next(api, v, retried) for v in views if v["order_number"] in open_))
        if open_ and time.monotonic() > deadline:
            states = {v["order_number"]: (v["status"], v.get("line_counts")) for v in views}
            raise AssertionError(f"orders still open after {timeout}s: {states}")
        await asyncio.sleep(0.3)  # between looks: the workflows move on their own


def _done(order_view: Any, lines_only: bool) -> bool:
    if lines_only:
        return all(li["status"] in ("CLOSED", "CANCELED") for li in order_view["lines"])
    return order_view["status"] in ("CLOSED", "CANCELED")


async def _next(api: Api, order_view: Any, retried: set[str]) -> None:
    so = order_view["order_number"]
    credit = order_view.get("credit_authorization") or {}
    if credit.get("status") == "ON_HOLD":
        if so not in retried:  # a person raises the limit, then retries once
            await api.call("PUT", "/setup", {"customers": _raised_limits()})
            await api.try_call("POST", f"/orders/{so}/credit/retry")
            retried.add(so)
        return
    for line in order_view["lines"]:
        view = await api.line_if_answered(so, line["line_number"])
        if view is None:
            continue  # looked at again on the next pass
        if view.get("components"):
            for component in view["components"]:
                await _advance(api, so, view["line_number"], component, component["component"])
        else:
            await _advance(api, so, view["line_number"], view, None)


def _raised_limits() -> list[dict[str, Any]]:
    customers = (("CUST-100", "Initech", 1006), ("CUST-200", "Globex Corporation", 1007))
    return [
        {
            "number": n,
            "name": name,
            "back_to_back": False,
            "credit_limit": "900000.00",
            "party_id": p,
        }
        for n, name, p in customers
    ]


async def _advance(api: Api, so: str, line: int, view: Any, component: int | None) -> None:
    """One step for a line (or a kit's component) from what its view says."""
    q = {k: Decimal(str(v)) for k, v in view.items() if k.endswith("_quantity") and v is not None}
    extra = {"component": component} if component is not None else {}
    status = view["status"]
    if status in ("AWAITING_SUPPLY", "BACKORDERED"):
        missing = q["ordered_quantity"] - q["canceled_quantity"] - q["received_quantity"]
        await _supply(api, view, missing)
    elif status == "AWAITING_SHIPPING":
        await api.try_call("POST", "/pick-waves", {"organization": "M1", "order_number": so})
    elif status == "PICK_RELEASED":
        staged = q["picked_quantity"] - q["shipped_quantity"]
        # Released and not picked (a component's view shows what is reserved: all of it
        # was released by the wave).
        in_pick = q.get("released_quantity", q["reserved_quantity"]) - staged
        await scan(api, so, "pick", line, in_pick, **extra)
    elif status == "STAGED":
        await scan(api, so, "ship", line, q["picked_quantity"] - q["shipped_quantity"], **extra)


async def _supply(api: Api, view: Any, missing: Decimal) -> None:
    """The buyer approves; the supplier, the shop floor or the other warehouse delivers what
    is missing (each scan id names what it brings, so a repeated look sends it again)."""
    for doc in view["supply"]:
        number_, kind, line = doc["document_number"], doc["document_type"], doc["document_line"]
        if doc["status"] == "AWAITING_APPROVAL":
            await api.try_call("POST", f"/purchase-orders/{number_}/approve")
            continue
        if missing <= 0 or doc["status"] in ("RECEIVED", "CANCELED", "CLOSED"):
            continue
        quantity, scan_id = str(missing), f"{number_}-{line}-{missing}"
        if doc["type"] == "DROP_SHIP":
            path = f"/purchase-orders/{number_}/ship-notices"
            body = {"ship_notice_id": scan_id, "po_line": line, "quantity": quantity}
        elif kind == "PURCHASE_ORDER":
            path = "/scans/receipts"
            body = {"scan_id": scan_id, "po_number": number_, "po_line": line, "quantity": quantity}
        elif kind == "WORK_ORDER":
            path = "/scans/work-order-completions"
            body = {"scan_id": scan_id, "work_order_number": number_, "quantity": quantity}
        elif kind == "TRANSFER_ORDER":
            path = "/scans/receipts"
            body = {"scan_id": scan_id, "transfer_order_number": number_, "quantity": quantity}
        else:
            continue
        await api.try_call("POST", path, body)
