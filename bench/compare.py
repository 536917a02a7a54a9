"""The default mode: N one-line orders through the product, then N bare lines of the fixed
yardstick shape, on a stack of their own."""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.bare import BARE_PLAN, Timing, bare_run
from bench.history import HistoryStats, all_stats
from bench.product import product_run
from bench.report import mean, percentile, throughput
from bench.stack import (
    Parts,
    WorkerProcess,
    cpu_ms_per_line,
    cpu_sample,
    start_product_workers,
    start_worker_process,
    wait_for_pollers,
)


def rounded(values: list[float], digits: int = 2) -> float:
    return round(mean(values), digits)


@dataclass
class Side:
    """One side of the comparison once run: its timings, histories and workers' peak RSS."""

    timings: list[Timing]
    stats: list[HistoryStats]
    peak_rss_mib: float | None
    cpu_ms: dict[str, float]
    order_stats: list[HistoryStats] = field(default_factory=list)


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    from runtime.logging import configure_logging

    configure_logging("WARNING")
    run_id = uuid.uuid4().hex[:8]
    folder = Path(tempfile.mkdtemp(prefix="b2b-bench-"))
    parts = Parts(folder=folder)
    workers: list[WorkerProcess] = []
    try:
        print(f"starting PostgreSQL and the Temporal dev server in {folder} ...", flush=True)
        await parts.start()
        product = await product_side(args, parts, workers, run_id)
        bare = await bare_side(args, parts, workers, run_id)
    finally:
        await stop_everything(parts, workers)
        shutil.rmtree(folder, ignore_errors=True)
    return figures(args, product, bare)


async def product_side(
    args: argparse.Namespace, parts: Parts, workers: list[WorkerProcess], run_id: str
) -> Side:
    queue = f"bench-{run_id}"
    product_workers = await start_product_workers(parts, queue, args.workers, parts.folder)
    workers.extend(product_workers)
    print(
        f"product run: {args.lines} lines, {args.concurrency} in flight "
        f"(worker pids {[w.pid for w in product_workers]}) ...",
        flush=True,
    )
    cpu_before = cpu_sample(parts, product_workers)
    orders, timings = await product_run(
        parts,
        product_workers,
        queue,
        lines=args.lines,
        concurrency=args.concurrency,
        quantity=args.quantity,
        interval=args.poll_interval,
        timeout=args.timeout,
        run_id=run_id,
    )
    cpu = cpu_ms_per_line(cpu_before, cpu_sample(parts, product_workers), args.lines)
    client = parts.client
    await asyncio.gather(
        *(
            asyncio.wait_for(client.get_workflow_handle(f"order-{so}").result(), args.timeout)
            for so in orders
        )
    )
    rss = [w.peak_rss_mib() for w in product_workers]
    return Side(
        timings=timings,
        stats=await all_stats(client, [f"order-{so}-line-1" for so in orders]),
        order_stats=await all_stats(client, [f"order-{so}" for so in orders]),
        peak_rss_mib=None if None in rss else sum(r or 0 for r in rss),
        cpu_ms=cpu,
    )


async def bare_side(
    args: argparse.Namespace, parts: Parts, workers: list[WorkerProcess], run_id: str
) -> Side:
    queue = f"bench-bare-{run_id}"
    env = {"TEMPORAL_ADDRESS": parts.temporal_address, "B2B_TASK_QUEUE": queue}
    args_ = ["-m", "bench.run", "--bare-worker"]
    worker = await start_worker_process("bare-worker", args_, env, parts.folder)
    workers.append(worker)
    await wait_for_pollers(parts.client, queue, [worker])
    print(
        f"bare run: {args.lines} lines, {args.concurrency} in flight, {BARE_PLAN} "
        f"(worker pid {worker.pid}) ...",
        flush=True,
    )
    cpu_before = cpu_sample(parts, [worker])
    try:
        ids, timings = await bare_run(
            parts.client,
            queue,
            BARE_PLAN,
            lines=args.lines,
            concurrency=args.concurrency,
            interval=args.poll_interval,
            timeout=args.timeout,
            run_id=run_id,
        )
    except Exception:
        print(f"--- bare-worker log (tail) ---\n{worker.log_tail()}", file=sys.stderr)
        raise
    cpu = cpu_ms_per_line(cpu_before, cpu_sample(parts, [worker]), args.lines)
    stats = await all_stats(parts.client, ids)
    return Side(timings=timings, stats=stats, peak_rss_mib=worker.peak_rss_mib(), cpu_ms=cpu)


async def stop_everything(parts: Parts, workers: list[WorkerProcess]) -> None:
    """Stop every worker and the stack, saying what a worker logged."""
    for w in workers:
        await w.stop()
        if tail := w.log_tail(5):
            print(f"note: {w.name} (pid {w.pid}) logged; last lines:\n{tail}", file=sys.stderr)
    await parts.stop()


def figures(args: argparse.Namespace, product: Side, bare: Side) -> dict[str, Any]:
    product_timings, bare_timings = product.timings, bare.timings
    line_stats, order_stats, bare_stats = product.stats, product.order_stats, bare.stats
    product_wall, product_rate = throughput(product_timings)
    bare_wall, bare_rate = throughput(bare_timings)
    product_latency = [t.closed - t.started for t in product_timings]
    bare_latency = [t.closed - t.started for t in bare_timings]
    first = line_stats[0]
    shapes = {(s.activities, s.signals, s.pre_signal_activities) for s in line_stats}
    if len(shapes) > 1:
        print(
            "note: product lines differ in shape (activities, signals, before first signal): "
            f"{sorted(shapes)}; the figures name the first",
            flush=True,
        )
    return {
        "lines": args.lines,
        "concurrency": args.concurrency,
        "quantity": args.quantity,
        "workers": args.workers,
        "product_lines_per_s": round(product_rate, 3),
        "bare_lines_per_s": round(bare_rate, 3),
        "ratio_product_over_bare": round(product_rate / bare_rate, 4),
        "product_wall_s": round(product_wall, 3),
        "bare_wall_s": round(bare_wall, 3),
        "product_latency_p50_s": round(percentile(product_latency, 0.5), 3),
        "product_latency_p95_s": round(percentile(product_latency, 0.95), 3),
        "bare_latency_p50_s": round(percentile(bare_latency, 0.5), 3),
        "bare_latency_p95_s": round(percentile(bare_latency, 0.95), 3),
        "activities_per_line": first.activities,
        "signals_per_line": first.signals,
        "activities_before_first_signal": first.pre_signal_activities,
        "bare_activities_per_line": BARE_PLAN.activities,
        "bare_signals_per_line": BARE_PLAN.signals,
        "bare_activities_before_first_signal": BARE_PLAN.pre_activities,
        "history_events_per_line": rounded([s.events for s in line_stats]),
        "order_history_events": rounded([s.events for s in order_stats]),
        "bare_history_events_per_line": rounded([s.events for s in bare_stats]),
        "state_transitions_per_line": rounded([s.state_transitions for s in line_stats]),
        "order_state_transitions": rounded([s.state_transitions for s in order_stats]),
        "bare_state_transitions_per_line": rounded([s.state_transitions for s in bare_stats]),
        "worker_peak_rss_mib": rss_figure(product.peak_rss_mib),
        "bare_worker_peak_rss_mib": rss_figure(bare.peak_rss_mib),
        # From booking (or start) to the last line closed; "driver" is this process: the
        # bench's calls, and on the product side the API it serves in-process.
        "cpu_ms_per_line": product.cpu_ms,
        "bare_cpu_ms_per_line": bare.cpu_ms,
    }


def rss_figure(mib: float | None) -> float | None:
    return None if mib is None else round(mib, 1)
