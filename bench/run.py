"""Throughput of the Buy flow end to end, against a bare workflow of a fixed shape; with
`--scale`, figures at size.

    python -m bench.run [--lines N] [--concurrency C] [--workers W]
    python -m bench.run --scale large-order|open-lines|all [--order-lines N] ...

Starts its own embedded PostgreSQL, Temporal dev server and worker processes in a temporary
folder and stops them at the end (on failure and Ctrl-C too). The default mode drives N
one-line orders through the HTTP API (in-process, its ASGI app called directly) with at most
C in flight, then N `BareLineWorkflow`s (9 no-op activities, 4 signals) on a second worker
process. Prints figures and a `BENCH_JSON` line; it asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Awaitable, Sequence
from typing import Any


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--lines", type=int, default=100, help="orders of one line (100)")
    add("--concurrency", type=int, default=20, help="lines in flight (20)")
    add("--rounds", type=int, default=3, help="rounds of both sides, the first alternating (3)")
    add("--warmup", type=int, default=20, help="lines a side run first and not counted (20)")
    add("--quantity", type=int, default=5, help="quantity per line (5)")
    add("--workers", type=int, default=1, help="product worker processes (1)")
    add("--poll-interval", type=float, default=0.05, help="seconds between line polls (0.05)")
    add("--timeout", type=float, default=120, help="deadline of each wait, in seconds (120)")
    scale = parser.add_argument_group("scale (--scale)")
    add = scale.add_argument
    add("--scale", choices=("large-order", "open-lines", "all"), help="figures at size")
    add("--order-lines", type=int, default=5000, help="lines of the large order (5000)")
    add("--max-order-lines", type=int, default=10000, help="lines of the largest order (10000)")
    add("--open-lines", type=int, default=10000, help="lines open at once (10000)")
    add("--lines-per-order", type=int, default=100, help="lines per order of them (100)")
    add("--order-concurrency", type=int, default=4, help="order calls in flight (4)")
    add("--sample", type=int, default=20, help="lines received after the restart (20)")
    add("--scale-timeout", type=float, default=3600, help="until every PO exists, s (3600)")
    parser.add_argument("--bare-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    counts = [
        *("lines", "rounds", "concurrency", "quantity", "workers", "order_lines"),
        "max_order_lines",
        *("open_lines", "lines_per_order", "order_concurrency", "sample"),
    ]
    if args.warmup < 0:
        parser.error("--warmup must be 0 or more")
    if any(getattr(args, name) < 1 for name in counts):
        parser.error("counts and sizes must be at least 1")
    return args


async def until_terminated(work: Awaitable[Any]) -> Any:
    """Run `work`; SIGTERM cancels it like Ctrl-C does, so that its clean-up runs."""
    task = asyncio.ensure_future(work)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        return await task
    finally:
        loop.remove_signal_handler(signal.SIGTERM)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        run(args)
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("interrupted: everything the bench started is stopped", file=sys.stderr)
        sys.exit(130)


def run(args: argparse.Namespace) -> None:
    if args.bare_worker:
        from bench.bare import run_bare_worker

        asyncio.run(run_bare_worker())
    elif args.scale:
        from bench.scale import report_scale, scale

        report_scale(asyncio.run(until_terminated(scale(args))))
    else:
        from bench.compare import bench
        from bench.report import report

        report(asyncio.run(until_terminated(bench(args))))


if __name__ == "__main__":
    main()
