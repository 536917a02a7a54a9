"""`python -m bench.run --scale large-order|open-lines|all`: figures at size, each scenario
on a stack of its own (a fresh temporary folder), stopped at the end whatever happens."""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.api import apply_setup
from bench.report import print_json, print_table
from bench.scale_common import ScaleOptions, ScaleStack
from bench.scale_open import open_lines
from bench.scale_order import large_order

SCENARIOS = ("large-order", "open-lines")


async def run_large_order(stack: ScaleStack) -> dict[str, Any]:
    async with stack.api() as api:
        await apply_setup(api)
        return await large_order(api, stack.parts, stack.opts, stack.run_id)


RUNS: dict[str, Callable[[ScaleStack], Awaitable[dict[str, Any]]]] = {
    "large-order": run_large_order,
    "open-lines": open_lines,
}


async def scenario(name: str, args: argparse.Namespace) -> dict[str, Any]:
    from bench.stack import Parts

    run_id = uuid.uuid4().hex[:8]
    folder = Path(tempfile.mkdtemp(prefix=f"b2b-bench-{name}-"))
    stack = ScaleStack(
        parts=Parts(folder=folder),
        task_queue=f"bench-{run_id}",
        run_id=run_id,
        opts=ScaleOptions.of(args),
        timeout=args.timeout,
    )
    try:
        print(f"{name}: starting the stack in {folder} ...", flush=True)
        await stack.start()
        print(f"{name}: worker pids {[w.pid for w in stack.workers]}", flush=True)
        return await RUNS[name](stack)
    finally:
        await stack.stop()
        shutil.rmtree(folder, ignore_errors=True)


async def scale(args: argparse.Namespace) -> dict[str, Any]:
    from runtime.logging import configure_logging

    configure_logging("WARNING")
    names = SCENARIOS if args.scale == "all" else (args.scale,)
    figures: dict[str, Any] = {"mode": f"scale:{args.scale}", "workers": args.workers}
    for name in names:
        figures |= await scenario(name, args)
        # The machine may be shared: its load says how much the figures are worth.
        figures[f"load_average_1m_after_{name.replace('-', '_')}"] = round(os.getloadavg()[0], 2)
    return figures


def report_scale(f: dict[str, Any]) -> None:
    print()
    print(f"scale figures, {f['workers']} worker process(es)")
    shown = {k: v for k, v in f.items() if k not in ("mode", "workers")}
    print_table(("figure", "value"), [(k, v) for k, v in shown.items() if not isinstance(v, str)])
    for key, value in shown.items():
        if isinstance(value, str):
            print(f"{key}: {value}")
    print_json(f)
