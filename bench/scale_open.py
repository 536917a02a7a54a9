"""`--scale open-lines`: many lines open at once, waiting for their POs' receipts; the
memory they hold, and how fast a receipt reaches a line after the stack restarted."""

from __future__ import annotations

import time
from functools import partial
from typing import Any

from bench.api import Api, apply_setup, bounded, order_body, poll
from bench.history import all_stats
from bench.report import mean, percentile
from bench.scale_common import SCALE_CUSTOMER_NUMBER, ScaleStack, wait_orders_awaiting
from bench.stack import database_bytes


def order_sizes(lines: int, per_order: int) -> list[int]:
    """`lines` split into orders of `per_order`, the last one smaller if need be."""
    full, rest = divmod(lines, per_order)
    return [per_order] * full + ([rest] if rest else [])


def sample_lines(sizes: dict[str, int], k: int) -> list[tuple[str, int]]:
    """k lines spread evenly over every line booked (order, line number)."""
    every = [(so, n) for so, size in sizes.items() for n in range(1, size + 1)]
    if k >= len(every):
        return every
    step = len(every) / k
    return [every[int(i * step)] for i in range(k)]


async def book(api: Api, so: str, lines: int) -> None:
    body = order_body(so, 1, lines=lines, customer=SCALE_CUSTOMER_NUMBER)
    await api.call("POST", "/orders", role="orders", body=body, ok=(202,))


async def open_lines(stack: ScaleStack) -> dict[str, Any]:
    opts = stack.opts
    sizes = {
        f"SO-O{stack.run_id}-{i:05d}": size
        for i, size in enumerate(order_sizes(opts.open_lines, opts.lines_per_order), start=1)
    }
    print(
        f"open-lines: {opts.open_lines} lines as {len(sizes)} orders, "
        f"{opts.order_concurrency} bookings in flight ...",
        flush=True,
    )
    async with stack.api() as api:
        await apply_setup(api)
        figures = await open_until_awaiting_supply(stack, api, sizes)
        samples = [(so, n, await api.line(so, n)) for so, n in sample_lines(sizes, opts.sample)]
    stats = await all_stats(stack.parts.client, [line["workflow_id"] for *_, line in samples])
    figures["open_lines_sample_line_history_events"] = round(mean([s.events for s in stats]), 1)
    figures["open_lines_sample_line_history_bytes"] = round(mean([s.size_bytes for s in stats]))
    print("open-lines: restarting the workers, the Temporal dev server and PostgreSQL ...")
    restart_began = time.monotonic()
    await stack.restart()
    async with stack.api() as api:
        await poll(
            lambda: api.call("GET", "/health", role="viewer"),
            lambda h: h.get("status") == "ok",
            what="GET /health ok after the restart",
            timeout=stack.timeout,
            interval=opts.interval,
        )
        figures["open_lines_restart_s"] = round(time.monotonic() - restart_began, 3)
        pos = [(so, n, line["supply"][0]) for so, n, line in samples]
        figures |= await receipts_after_restart(api, pos, stack.run_id)
    return figures


async def open_until_awaiting_supply(
    stack: ScaleStack, api: Api, sizes: dict[str, int]
) -> dict[str, Any]:
    """Book every order and wait until all its lines have their POs: time, memory, CPU
    and the database's growth on the way."""
    opts = stack.opts
    bytes_before, cpu_before = await database_bytes(stack.parts.database_url), stack.cpu()
    began = time.monotonic()
    await bounded(opts.order_concurrency, [partial(book, api, so, n) for so, n in sizes.items()])
    booked = time.monotonic() - began
    await wait_orders_awaiting(api, sizes, opts, began)
    supplied = time.monotonic() - began
    memory, cpu = stack.memory(), stack.cpu()
    grown = await database_bytes(stack.parts.database_url) - bytes_before
    lines = opts.open_lines
    figures: dict[str, Any] = {
        "open_lines": lines,
        "open_lines_orders": len(sizes),
        "open_lines_booking_s": round(booked, 3),
        "open_lines_all_awaiting_supply_s": round(supplied, 3),
        "open_lines_lines_per_s": round(lines / supplied, 2),
        "open_lines_db_bytes_per_line": round(grown / lines),
    }
    for part, figure in memory.items():
        figures[f"open_lines_{part}_vmrss_mib"] = figure["VmRSS"]
        figures[f"open_lines_{part}_vmhwm_mib"] = figure["VmHWM"]
    for part, seconds in cpu.items():
        figures[f"open_lines_{part}_cpu_ms_per_line"] = round(
            1000 * (seconds - cpu_before[part]) / lines, 2
        )
    return figures


async def wait_reserved(api: Api, so: str, n: int, quantity: float) -> None:
    await poll(
        partial(api.line, so, n),
        lambda line: float(line["reserved_quantity"]) >= quantity,
        what=f"{so} line {n} reserved",
        timeout=api.timeout,
        interval=api.interval,
    )


async def receipts_after_restart(
    api: Api, pos: list[tuple[str, int, dict[str, Any]]], run_id: str
) -> dict[str, Any]:
    """For each sampled line in turn: a receipt of its PO, then the time from the scan's
    answer until the line shows the quantity reserved."""
    answers, reserved = [], []
    for so, n, po in pos:
        scan_began = time.monotonic()
        await api.receipt(f"{so}-{n}-r-{run_id}", po)
        answered = time.monotonic()
        await wait_reserved(api, so, n, float(po["quantity"]))
        answers.append(answered - scan_began)
        reserved.append(time.monotonic() - answered)
    print(f"open-lines: reserved after the answer, in turn (s): {[round(r, 2) for r in reserved]}")
    return {
        "open_lines_sample": len(pos),
        "open_lines_receipt_answer_p50_s": round(percentile(answers, 0.5), 3),
        "open_lines_receipt_answer_max_s": round(max(answers), 3),
        "open_lines_reserved_after_answer_p50_s": round(percentile(reserved, 0.5), 3),
        "open_lines_reserved_after_answer_max_s": round(max(reserved), 3),
    }
