"""What the scale runs share: their options and the wait until orders' lines have their
POs."""

from __future__ import annotations

import argparse
import asyncio
import time
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from bench.api import SCALE_CUSTOMER, Api, bounded, serve_api
from bench.stack import (
    Parts,
    WorkerProcess,
    cpu_seconds,
    memory_mib,
    start_product_workers,
    stop_all,
)

SCALE_CUSTOMER_NUMBER = str(SCALE_CUSTOMER["number"])
AWAITING_SUPPLY = "AWAITING_SUPPLY"
PROGRESS_EVERY_S = 10.0
POLL_PER_ORDER_S = 0.05
# Statuses a line waiting for its PO does not leave by itself: waiting on would be in vain.
STUCK = frozenset({"MANUAL_ACTION_REQUIRED", "CANCELED"})


@dataclass(frozen=True)
class ScaleOptions:
    order_lines: int
    max_order_lines: int
    open_lines: int
    lines_per_order: int
    order_concurrency: int
    sample: int
    workers: int
    interval: float
    line_interval: float
    deadline: float

    @classmethod
    def of(cls, args: argparse.Namespace) -> ScaleOptions:
        return cls(
            order_lines=args.order_lines,
            max_order_lines=args.max_order_lines,
            open_lines=args.open_lines,
            lines_per_order=args.lines_per_order,
            order_concurrency=args.order_concurrency,
            sample=args.sample,
            workers=args.workers,
            # An order's answer reads all its lines (0.15 s of the API's CPU at 5,000): asked
            # once a second, the figure is a second coarse at most and the stack keeps the CPU.
            interval=max(args.poll_interval, 1.0),
            line_interval=args.poll_interval,
            deadline=args.scale_timeout,
        )


def awaiting_supply(order: dict[str, Any]) -> int:
    """How many of the order's lines wait for their PO's receipt (docs/api.md,
    `line_counts`)."""
    return int(order["line_counts"].get(AWAITING_SUPPLY, 0))


async def wait_orders_awaiting(
    api: Api, lines: dict[str, int], opts: ScaleOptions, began: float
) -> None:
    """Poll `GET /orders/{n}` of every order not done yet until all its lines are
    AWAITING_SUPPLY, saying how far it got now and then."""
    pending = dict(lines)
    total = sum(lines.values())
    deadline = began + opts.deadline
    said = time.monotonic()
    while pending:
        counts = await bounded(
            opts.order_concurrency,
            [partial(api.call, "GET", f"/orders/{so}", role="viewer") for so in pending],
        )
        last: dict[str, int] = {}
        for (so, expected), order in zip(list(pending.items()), counts, strict=True):
            stuck = {s: n for s, n in order["line_counts"].items() if s in STUCK}
            if stuck:
                raise RuntimeError(f"{so}: lines that will not get a PO: {stuck}")
            last[so] = awaiting_supply(order)
            if last[so] >= expected:
                del pending[so]
        now = time.monotonic()
        if not pending:
            return
        done = total - sum(pending[so] - last[so] for so in pending)
        if now > deadline:
            raise RuntimeError(
                f"{done} of {total} lines AWAITING_SUPPLY after {now - began:.0f}s "
                f"(--scale-timeout); orders pending: {len(pending)}"
            )
        if now - said >= PROGRESS_EVERY_S:
            print(f"  {done}/{total} lines AWAITING_SUPPLY after {now - began:.0f}s", flush=True)
            said = now
        # Each order asked costs the API a read of all its lines: with many orders pending,
        # ask less often, so that the driver does not take the stack's CPU.
        await asyncio.sleep(max(opts.interval, POLL_PER_ORDER_S * len(pending)))


@dataclass
class ScaleStack:
    """The stack of one scale run, its workers and the API over it, restartable."""

    parts: Parts
    task_queue: str
    run_id: str
    opts: ScaleOptions
    timeout: float
    workers: list[WorkerProcess] = field(default_factory=list)

    async def start(self) -> None:
        await self.parts.start()
        await self.start_workers()

    async def start_workers(self) -> None:
        self.workers = await start_product_workers(
            self.parts, self.task_queue, self.opts.workers, self.parts.folder
        )

    def api(self) -> AbstractAsyncContextManager[Api]:
        return serve_api(
            self.parts,
            self.task_queue,
            self.run_id,
            interval=self.opts.line_interval,
            timeout=self.timeout,
        )

    async def restart(self) -> None:
        """Workers, Temporal dev server and PostgreSQL stopped, then started again on the
        same SQLite file and data folder."""
        await stop_all(self.workers)
        await self.parts.restart()
        await self.start_workers()

    def memory(self) -> dict[str, Any]:
        """RSS (VmRSS, VmHWM in MiB) of the workers (summed), the dev server and
        PostgreSQL."""
        workers = memory_mib([w.pid for w in self.workers])
        return {"workers": workers, **self.parts.memory()}

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far of the workers (summed), the dev server and PostgreSQL."""
        return {"workers": cpu_seconds([w.pid for w in self.workers]), **self.parts.cpu()}

    async def stop(self) -> None:
        for w in self.workers:
            await w.stop()
            if tail := w.log_tail(5):
                print(f"note: {w.name} (pid {w.pid}) logged; last lines:\n{tail}", flush=True)
        await self.parts.stop()
