"""Concurrency at volume, end to end: a storm of repeated receipt scans and a crowd of pick
waves against one order. Scans are never lost or double-counted; no unit is released twice."""

from __future__ import annotations

import asyncio
import random
from decimal import Decimal
from typing import Any

from tests.conftest import Stack, auth, order_number
from tests.fixtures import demo_setup, laptop_order

SCANS = 1000
DISTINCT = 100


async def post(stack: Stack, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    response = await stack.api.post(path, json=body, headers=auth("scanner"))
    return response.status_code, response.json()


async def test_a_storm_of_repeated_receipts_counts_each_scan_once(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = order_number()
    await stack.call("POST", "/orders", json=laptop_order(so, DISTINCT), role="orders", expect=202)
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    po = line["supply"][0]["document_number"]

    # Every distinct scan is sent ten times, in a shuffled order, all at once.
    scan_ids = [f"{so}-r{i % DISTINCT}" for i in range(SCANS)]
    random.Random(7).shuffle(scan_ids)
    answers = await asyncio.gather(
        *(
            post(
                stack,
                "/scans/receipts",
                {"scan_id": s, "po_number": po, "po_line": 1, "quantity": 1},
            )
            for s in scan_ids
        )
    )

    by_scan: dict[str, set[str]] = {}
    for scan_id, (status, body) in zip(scan_ids, answers, strict=True):
        assert status == 200, body
        by_scan.setdefault(scan_id, set()).add(repr(sorted(body.items())))
    assert len(by_scan) == DISTINCT
    # Each repeat is answered exactly like its first.
    assert all(len(bodies) == 1 for bodies in by_scan.values())

    received = await stack.scalar(
        "SELECT sum(quantity) FROM receipts WHERE document_number = $1", po
    )
    assert received == DISTINCT
    assert await stack.scalar("SELECT count(*) FROM scans WHERE scan_id LIKE $1", f"{so}-r%") == (
        DISTINCT
    )
    line = await stack.wait_status(so, "AWAITING_SHIPPING")
    assert Decimal(line["received_quantity"]) == DISTINCT
    assert Decimal(line["reserved_quantity"]) == DISTINCT


async def test_a_crowd_of_pick_waves_releases_each_unit_once(stack: Stack) -> None:
    setup = demo_setup()
    setup["on_hand"] = [{"item": "CABLE-C6", "organization": "M1", "quantity": 1000}]
    await stack.call("PUT", "/setup", json=setup)
    so = order_number()
    quantities = {n: 3 * n for n in range(1, 11)}
    order = laptop_order(so)
    order["lines"] = [
        {"line_number": n, "item_number": "CABLE-C6", "quantity": q, "uom": "Ea"}
        for n, q in quantities.items()
    ]
    await stack.call("POST", "/orders", json=order, role="orders", expect=202)
    for n in quantities:
        await stack.wait_status(so, "AWAITING_SHIPPING", line_number=n)

    waves = await asyncio.gather(
        *(post(stack, "/pick-waves", {"organization": "M1", "order_number": so}) for _ in range(50))
    )
    assert all(status == 200 for status, _ in waves), waves
    released: dict[int, Decimal] = {}
    for _, body in waves:
        for line in body["lines"]:
            n = line["line_number"]
            released[n] = released.get(n, Decimal(0)) + Decimal(line["released_quantity"])
    assert released == {n: Decimal(q) for n, q in quantities.items()}

    stored = await stack.scalar(
        "SELECT sum(quantity) FROM pick_releases WHERE order_number = $1", so
    )
    assert stored == sum(quantities.values())
    for n, q in quantities.items():
        line = await stack.line(so, n)
        assert Decimal(line["released_quantity"]) == q
