"""`--scale large-order`: one order of many back-to-back lines, from booking until every
line has its PO, and what reading such an order costs."""

from __future__ import annotations

import time
from typing import Any

from bench.api import Api
from bench.history import history_stats
from bench.report import percentile
from bench.scale_common import SCALE_CUSTOMER_NUMBER, ScaleOptions, wait_orders_awaiting
from bench.stack import Parts


def said(body: Any) -> str:
    """What a refusal says, briefly."""
    reason = body.get("reason") or body.get("detail") if isinstance(body, dict) else body
    return str(reason)[:160]


def large_order_body(order_number: str, lines: int) -> dict[str, Any]:
    from bench.api import order_body

    return order_body(order_number, 1, lines=lines, customer=SCALE_CUSTOMER_NUMBER)


async def large_order(api: Api, parts: Parts, opts: ScaleOptions, run_id: str) -> dict[str, Any]:
    n = opts.order_lines
    so = f"SO-L{run_id}"
    print(f"large-order: booking {so} of {n} lines ...", flush=True)
    began = time.monotonic()
    booked = await api.send("POST", "/orders", role="orders", body=large_order_body(so, n))
    figures: dict[str, Any] = {
        "large_order_lines": n,
        "large_order_booking_status": booked.status,
        "large_order_booking_answer_s": round(booked.seconds, 3),
    }
    if booked.status != 202:
        # Refused (over the lines an order may have): say so, and measure the largest order.
        figures["large_order_booking_answer"] = said(booked.body)
        return figures | await max_order_answer(api, run_id, opts.max_order_lines)
    await wait_orders_awaiting(api, {so: n}, opts, began)
    supplied = time.monotonic() - began
    stats = await history_stats(parts.client, f"order-{so}")
    figures |= {
        "large_order_all_awaiting_supply_s": round(supplied, 3),
        "large_order_lines_per_s": round(n / supplied, 2),
        "large_order_history_events": stats.events,
        "large_order_history_bytes": stats.size_bytes,
        "large_order_state_transitions": stats.state_transitions,
    }
    figures |= await order_read_latency(api, so)
    figures |= await page_every_line(api, so, n)
    figures |= await max_order_answer(api, run_id, opts.max_order_lines)
    return figures


async def order_read_latency(api: Api, so: str, times: int = 5) -> dict[str, Any]:
    """GET /orders/{n}, a few times: its latency does not depend on which call it is."""
    seconds = []
    for _ in range(times):
        answer = await api.send("GET", f"/orders/{so}", role="viewer")
        if answer.status != 200:
            raise RuntimeError(f"GET /orders/{so} -> {answer.status}: {answer.body}")
        seconds.append(answer.seconds)
    return {
        "large_order_get_order_p50_s": round(percentile(seconds, 0.5), 4),
        "large_order_get_order_max_s": round(max(seconds), 4),
    }


async def page_every_line(api: Api, so: str, expected: int, limit: int = 1000) -> dict[str, Any]:
    """Every line once through GET /orders/{n}/lines?after=&limit=, checked and timed."""
    seen: list[int] = []
    pages = 0
    after: int | None = None
    began = time.monotonic()
    while True:
        query = f"limit={limit}" + ("" if after is None else f"&after={after}")
        page = await api.call("GET", f"/orders/{so}/lines?{query}", role="viewer")
        pages += 1
        seen.extend(line["line_number"] for line in page["lines"])
        after = page["next_after"]
        if after is None:
            break
    seconds = time.monotonic() - began
    if sorted(seen) != list(range(1, expected + 1)):
        missing = expected - len(set(seen))
        raise RuntimeError(
            f"paging {so}: {len(seen)} lines answered, {len(seen) - len(set(seen))} twice, "
            f"{missing} missing, of {expected}"
        )
    return {
        "large_order_paged_lines": len(seen),
        "large_order_pages": pages,
        "large_order_paging_s": round(seconds, 3),
    }


async def max_order_answer(api: Api, run_id: str, lines: int) -> dict[str, Any]:
    """How the API answers an order of the largest size it should take: 202, in how long
    (a refusal says why)."""
    so = f"SO-M{run_id}"
    print(f"large-order: booking {so} of {lines} lines ...", flush=True)
    answer = await api.send("POST", "/orders", role="orders", body=large_order_body(so, lines))
    figures: dict[str, Any] = {
        "max_order_lines": lines,
        "max_order_status": answer.status,
        "max_order_answer_s": round(answer.seconds, 3),
    }
    if answer.status != 202:
        figures["max_order_answer"] = said(answer.body)
    return figures
