"""Figures: small statistics, the tables and the `BENCH_JSON` line."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bench.bare import Timing


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def throughput(timings: Sequence[Timing]) -> tuple[float, float]:
    """(wall seconds from first start to last close, lines per second)."""
    wall = max(t.closed for t in timings) - min(t.started for t in timings)
    return wall, len(timings) / wall


def fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def print_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """The first column left-aligned, the others right-aligned."""
    cells = [list(header), *([row[0], *(fmt(v) for v in row[1:])] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for n, row in enumerate(cells):
        first = f"{row[0]:<{widths[0]}}"
        print("  ".join([first, *(f"{c:>{w}}" for c, w in zip(row[1:], widths[1:], strict=True))]))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def print_json(figures: dict[str, Any]) -> None:
    print()
    print("BENCH_JSON " + json.dumps(figures, sort_keys=True))


CPU_PARTS = (
    ("temporal", "dev server"),
    ("workers", "worker"),
    ("driver", "API and driver"),
    ("postgresql", "PostgreSQL"),
    ("total", "all"),
)


def report(f: dict[str, Any]) -> None:
    """The default mode: the product line against the bare yardstick."""
    print()
    print(
        f"{f['rounds']} round(s) of {f['lines']} lines a side, concurrency {f['concurrency']},"
        f" {f['quantity']} LAPTOP-X1 per line"
    )
    print_table(
        ("figure", "product", "bare"),
        [
            ("lines/s (median of the rounds)", f["product_lines_per_s"], f["bare_lines_per_s"]),
            ("ratio product/bare (median)", f["ratio_product_over_bare"], None),
            ("ratio per round", ", ".join(f"{r:.2f}" for r in f["ratio_per_round"]), None),
            ("wall time, all rounds (s)", f["product_wall_s"], f["bare_wall_s"]),
            ("line latency p50 (s)", f["product_latency_p50_s"], f["bare_latency_p50_s"]),
            ("line latency p95 (s)", f["product_latency_p95_s"], f["bare_latency_p95_s"]),
            ("activities per line", f["activities_per_line"], f["bare_activities_per_line"]),
            ("signals per line", f["signals_per_line"], f["bare_signals_per_line"]),
            (
                "history events per line",
                f["history_events_per_line"],
                f["bare_history_events_per_line"],
            ),
            ("history events per order wf", f["order_history_events"], None),
            (
                "state transitions per line",
                f["state_transitions_per_line"],
                f["bare_state_transitions_per_line"],
            ),
            ("state transitions per order wf", f["order_state_transitions"], None),
            ("worker peak RSS (MiB)", f["worker_peak_rss_mib"], f["bare_worker_peak_rss_mib"]),
            *(
                (
                    f"CPU ms per line: {name}",
                    f["cpu_ms_per_line"][part],
                    f["bare_cpu_ms_per_line"][part],
                )
                for part, name in CPU_PARTS
            ),
        ],
    )
    print_json(f)
