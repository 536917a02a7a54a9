"""The default mode: rounds of N one-line orders through the product and N bare lines of the
fixed yardstick shape, alternating which goes first, on a stack of their own."""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
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


@dataclass
class Runners:
    """The worker processes of both sides, started once for all rounds."""

    product_workers: list[WorkerProcess]
    product_queue: str
    bare_worker: WorkerProcess
    bare_queue: str


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    from runtime.logging import configure_logging

    configure_logging("WARNING")
    run_id = uuid.uuid4().hex[:8]
    folder = Path(tempfile.mkdtemp(prefix="b2b-bench-"))
    parts = Parts(folder=folder)
    workers: list[WorkerProcess] = []
    rounds: list[tuple[Side, Side]] = []
    try:
        print(f"starting PostgreSQL and the Temporal dev server in {folder} ...", flush=True)
        await parts.start()
        runners = await start_runners(args, parts, workers, run_id)
        if args.warmup:
            # Not counted: first calls pay for what later ones reuse (prepared statements,
            # caches, connections), and the product has more of them than the bare side.
            warm = argparse.Namespace(**{**vars(args), "lines": args.warmup})
            await product_side(warm, parts, runners, f"{run_id}w", 0)
            await bare_side(warm, parts, runners, f"{run_id}w", 0)
        for n in range(1, args.rounds + 1):
            # Product first in odd rounds, bare first in even ones: the stack's drift over
            # the run (its files grow) falls on both sides alike.
            round_id = f"{run_id}{n}"
            if n % 2:
                product = await product_side(args, parts, runners, round_id, n)
                bare = await bare_side(args, parts, runners, round_id, n)
            else:
                bare = await bare_side(args, parts, runners, round_id, n)
                product = await product_side(args, parts, runners, round_id, n)
            rounds.append((product, bare))
    finally:
        await stop_everything(parts, workers)
        shutil.rmtree(folder, ignore_errors=True)
    return figures(args, rounds)


async def start_runners(
    args: argparse.Namespace, parts: Parts, workers: list[WorkerProcess], run_id: str
) -> Runners:
    queue = f"bench-{run_id}"
    product_workers = await start_product_workers(parts, queue, args.workers, parts.folder)
    workers.extend(product_workers)
    bare_queue = f"bench-bare-{run_id}"
    env = {"TEMPORAL_ADDRESS": parts.temporal_address, "B2B_TASK_QUEUE": bare_queue}
    bare = await start_worker_process(
        "bare-worker", ["-m", "bench.run", "--bare-worker"], env, parts.folder
    )
    workers.append(bare)
    await wait_for_pollers(parts.client, bare_queue, [bare])
    print(
        f"workers: product pids {[w.pid for w in product_workers]}, bare pid {bare.pid};"
        f" {args.rounds} round(s) of {args.lines} lines a side, {args.concurrency} in flight,"
        f" bare {BARE_PLAN}",
        flush=True,
    )
    return Runners(product_workers, queue, bare, bare_queue)


async def product_side(
    args: argparse.Namespace, parts: Parts, runners: Runners, run_id: str, n: int
) -> Side:
    print(f"round {n or 'warm-up'}: product ...", flush=True)
    product_workers = runners.product_workers
    cpu_before = cpu_sample(parts, product_workers)
    orders, timings = await product_run(
        parts,
        product_workers,
        runners.product_queue,
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
    args: argparse.Namespace, parts: Parts, runners: Runners, run_id: str, n: int
) -> Side:
    print(f"round {n or 'warm-up'}: bare ...", flush=True)
    worker = runners.bare_worker
    cpu_before = cpu_sample(parts, [worker])
    try:
        ids, timings = await bare_run(
            parts.client,
            runners.bare_queue,
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


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def cpu_medians(sides: list[Side]) -> dict[str, float]:
    return {part: round(median([x.cpu_ms[part] for x in sides]), 1) for part in sides[0].cpu_ms}


def figures(args: argparse.Namespace, rounds: list[tuple[Side, Side]]) -> dict[str, Any]:
    """Each side's rate and the ratio per round, and their medians; the other figures over
    every round's lines."""
    products, bares = [p for p, _ in rounds], [b for _, b in rounds]
    product_rates = [throughput(p.timings)[1] for p in products]
    bare_rates = [throughput(b.timings)[1] for b in bares]
    ratios = [p / b for p, b in zip(product_rates, bare_rates, strict=True)]
    product_timings = [t for p in products for t in p.timings]
    bare_timings = [t for b in bares for t in b.timings]
    line_stats = [x for p in products for x in p.stats]
    order_stats = [x for p in products for x in p.order_stats]
    bare_stats = [x for b in bares for x in b.stats]
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
        "rounds": len(rounds),
        "concurrency": args.concurrency,
        "quantity": args.quantity,
        "workers": args.workers,
        "product_lines_per_s": round(median(product_rates), 3),
        "bare_lines_per_s": round(median(bare_rates), 3),
        "ratio_product_over_bare": round(median(ratios), 4),
        "ratio_per_round": [round(r, 4) for r in ratios],
        "product_wall_s": round(sum(throughput(p.timings)[0] for p in products), 3),
        "bare_wall_s": round(sum(throughput(b.timings)[0] for b in bares), 3),
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
        "worker_peak_rss_mib": rss_figure(max_rss(products)),
        "bare_worker_peak_rss_mib": rss_figure(max_rss(bares)),
        # Medians over the rounds, from booking (or start) to the last line closed; "driver"
        # is this process: the bench's calls, and on the product side the API it serves.
        "cpu_ms_per_line": cpu_medians(products),
        "bare_cpu_ms_per_line": cpu_medians(bares),
    }


def max_rss(sides: list[Side]) -> float | None:
    values = [x.peak_rss_mib for x in sides]
    return None if None in values else max(v or 0 for v in values)


def rss_figure(mib: float | None) -> float | None:
    return None if mib is None else round(mib, 1)
