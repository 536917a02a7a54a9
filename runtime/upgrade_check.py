"""The upgrade check: the open workflows of this installation by workflow type and task
queue, and whether this release runs each (`runtime/generations.py`).

Each known (queue, type) pair is counted; what is open but run by no generation of this
release is counted by one query of its own and named from a bounded scan, so a workflow
started by a newer release, another deployment on the same queues or a type removed since
is never missed.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass

from temporalio.client import Client

from runtime.generations import Generation, generations
from runtime.visibility import count, literal, open_in_family

SCAN_LIMIT = 1000


@dataclass(frozen=True)
class OpenWorkflows:
    workflow_type: str
    task_queue: str
    count: int
    run_by_this_release: bool


@dataclass(frozen=True)
class GenerationState:
    release: int
    name: str
    task_queue: str
    live: bool
    workflow_types: list[str]
    # Every open workflow named on its queue: what its drained query finds.
    open: int
    # For a carried generation: none found, its code may go in the next release.
    drained_query: str | None


@dataclass(frozen=True)
class UpgradeCheck:
    base_task_queue: str
    query: str
    open: int
    all_run: bool
    not_run: int
    # Open workflows not run by this release beyond the scan (not in `open_workflows`).
    not_run_unnamed: int
    open_workflows: list[OpenWorkflows]
    generations: list[GenerationState]


def not_run_query(base: str) -> str:
    """The family's open workflows that no generation of this release runs."""
    clauses = [open_in_family(base)]
    for g in generations(base):
        types = ", ".join(literal(t) for t in g.workflow_types)
        clauses.append(f"(TaskQueue != {literal(g.task_queue)} OR WorkflowType NOT IN ({types}))")
    return " AND ".join(clauses)


def pair_query(base: str, task_queue: str, workflow_type: str) -> str:
    return (
        f"{open_in_family(base)} AND TaskQueue = {literal(task_queue)}"
        f" AND WorkflowType = {literal(workflow_type)}"
    )


async def not_run_groups(client: Client, query: str, *, limit: int) -> Counter[tuple[str, str]]:
    """(workflow type, task queue) -> how many, from up to `limit` of them."""
    found: Counter[tuple[str, str]] = Counter()
    async for execution in client.list_workflows(query, limit=limit):
        found[(execution.workflow_type, execution.task_queue or "")] += 1
    return found


async def upgrade_check(client: Client, base: str, *, scan_limit: int = SCAN_LIMIT) -> UpgradeCheck:
    gens = generations(base)
    pairs = [(g.task_queue, t) for g in gens for t in g.workflow_types]
    unknown = not_run_query(base)
    *pair_counts, total, not_run = await asyncio.gather(
        *(count(client, pair_query(base, q, t)) for q, t in pairs),
        count(client, open_in_family(base)),
        count(client, unknown),
    )
    strays = await not_run_groups(client, unknown, limit=scan_limit) if not_run else Counter()
    groups = [
        OpenWorkflows(t, q, n, run_by_this_release=True)
        for (q, t), n in zip(pairs, pair_counts, strict=True)
        if n
    ] + [OpenWorkflows(t, q, n, run_by_this_release=False) for (t, q), n in strays.items()]
    groups.sort(key=lambda g: (g.run_by_this_release, g.task_queue, g.workflow_type))
    return UpgradeCheck(
        base_task_queue=base,
        query=open_in_family(base),
        open=total,
        all_run=not_run == 0,
        not_run=not_run,
        not_run_unnamed=max(not_run - sum(strays.values()), 0),
        open_workflows=groups,
        generations=[_state(g, groups) for g in gens],
    )


def _state(g: Generation, groups: list[OpenWorkflows]) -> GenerationState:
    return GenerationState(
        release=g.release,
        name=g.name,
        task_queue=g.task_queue,
        live=g.live,
        workflow_types=list(g.workflow_types),
        open=sum(x.count for x in groups if x.task_queue == g.task_queue),
        drained_query=None if g.live else g.drained_query,
    )
