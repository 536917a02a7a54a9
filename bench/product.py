"""The product run: one-line orders through the Buy flow, driven the way the warehouse
would drive them. Waits for a status read `GET /orders/{n}` (the system of record) as an
integrator would; the bare workflow has nothing but its query to be asked."""

from __future__ import annotations

import sys
import time
from functools import partial

from bench.api import (
    ORGANIZATION,
    SCALE_CUSTOMER,
    Api,
    apply_setup,
    bounded,
    order_body,
    poll,
    serve_api,
)
from bench.bare import Timing
from bench.stack import Parts, WorkerProcess


async def product_line(api: Api, so: str, quantity: int) -> Timing:
    """One order of one line: booking, receipt, pick wave, pick, ship, closed."""
    started = time.monotonic()
    # The customer without a credit limit: an order closes a moment after its line, and
    # the demo customer's limit would hold the orders back, not the workflows.
    body = order_body(so, quantity, customer=str(SCALE_CUSTOMER["number"]))
    await api.call("POST", "/orders", role="orders", body=body, ok=(202,))
    # Status waits read the system of record; the PO to receive is in the line's view.
    await api.wait_stored_status(so, "AWAITING_SUPPLY")
    line = await poll(
        lambda: api.line(so),
        lambda v: bool(v["supply"]),
        what=f"{so} line 1 supply",
        timeout=api.timeout,
        interval=api.interval,
    )
    receipt = await api.receipt(f"{so}-r1", line["supply"][0])
    if receipt.get("line_status") != "AWAITING_SHIPPING":
        raise RuntimeError(f"{so}: the receipt left the line {receipt.get('line_status')}")
    wave = await api.call(
        "POST",
        "/pick-waves",
        role="scanner",
        body={"organization": ORGANIZATION, "order_number": so},
    )
    if not wave["lines"]:
        raise RuntimeError(f"{so}: the pick wave released nothing: {wave}")
    released = wave["lines"][0]["released_quantity"]
    await api.call(
        "POST",
        "/scans/picks",
        role="scanner",
        body={
            "scan_id": f"{so}-p1",
            "order_number": so,
            "line_number": 1,
            "picked_quantity": released,
        },
    )
    await api.call(
        "POST",
        "/scans/shipments",
        role="scanner",
        body={
            "scan_id": f"{so}-s1",
            "order_number": so,
            "line_number": 1,
            "shipped_quantity": released,
        },
    )
    await api.wait_stored_status(so, "CLOSED")
    return Timing(started=started, closed=time.monotonic())


async def product_run(
    parts: Parts,
    workers: list[WorkerProcess],
    task_queue: str,
    *,
    lines: int,
    concurrency: int,
    quantity: int,
    interval: float,
    timeout: float,
    run_id: str,
) -> tuple[list[str], list[Timing]]:
    """Apply the demo setup and drive `lines` orders; returns the order numbers and timings."""
    async with serve_api(parts, task_queue, run_id, interval=interval, timeout=timeout) as api:
        await apply_setup(api)
        numbers = [f"SO-B{run_id}-{i:05d}" for i in range(1, lines + 1)]
        try:
            timings = await bounded(
                concurrency, [partial(product_line, api, so, quantity) for so in numbers]
            )
        except Exception:
            for w in workers:
                print(f"--- {w.name} log (tail) ---\n{w.log_tail()}", file=sys.stderr)
            raise
    return numbers, timings
