"""`b2b upgrade check` and `b2b workflows failing`, and how they read on a terminal (piped,
they print the API's JSON answer like every other command)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

COMMANDS = ("upgrade", "workflows")


def add_commands(sub: Any) -> None:
    """Their parsers, under the `b2b` command's subparsers."""
    upgrade = sub.add_parser("upgrade", help="before and after an upgrade").add_subparsers(
        dest="action", required=True
    )
    upgrade.add_parser(
        "check",
        help="GET /operations/upgrade-check: open workflows by type and task queue, and"
        " whether this release runs each (exit 1 if one is not)",
    )
    workflows = sub.add_parser("workflows", help="workflows in Temporal").add_subparsers(
        dest="action", required=True
    )
    failing = workflows.add_parser(
        "failing",
        help="GET /operations/workflows/failing: workflows whose task keeps failing, with the"
        " error",
    )
    failing.add_argument("--limit", type=int, default=100)


def run(args: argparse.Namespace, call: Callable[..., int]) -> int:
    if args.command == "upgrade":
        return call(
            "GET",
            "/operations/upgrade-check",
            ok=lambda body: body["all_run"],
            render=upgrade_check,
        )
    return call(
        "GET", f"/operations/workflows/failing?limit={args.limit}", render=failing_workflows
    )


def columns(rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def upgrade_check(answer: dict[str, Any]) -> str:
    rows = [("WORKFLOW TYPE", "TASK QUEUE", "OPEN", "RUN BY THIS RELEASE")]
    rows += [
        (
            g["workflow_type"],
            g["task_queue"],
            str(g["count"]),
            "yes" if g["run_by_this_release"] else "NO",
        )
        for g in answer["open_workflows"]
    ]
    lines = [columns(rows) if len(rows) > 1 else "No open workflows."]
    if answer["not_run_unnamed"]:
        lines.append(f"... and {answer['not_run_unnamed']} more not run, beyond the scan")
    lines.append("")
    for g in answer["generations"]:
        role = "live" if g["live"] else "carried"
        lines.append(f"{g['name']} ({role}) on {g['task_queue']}: {g['open']} open")
        if g["drained_query"]:
            lines.append(f"  drained when this finds none: {g['drained_query']}")
    verdict = (
        "Every open workflow is run by this release."
        if answer["all_run"]
        else f"{answer['not_run']} open workflow(s) are not run by this release."
    )
    return "\n".join([*lines, "", verdict])


def failing_workflows(answer: dict[str, Any]) -> str:
    if not answer["failing"]:
        return "No workflow is failing."
    rows = [("WORKFLOW ID", "TYPE", "TASK QUEUE", "ERROR")]
    rows += [
        (f["workflow_id"], f["workflow_type"], f["task_queue"], _one_line(f["error"] or ""))
        for f in answer["failing"]
    ]
    more = answer["count"] - len(answer["failing"])
    return columns(rows) + (f"\n... and {more} more" if more > 0 else "")


def _one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
