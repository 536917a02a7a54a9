"""Visibility queries over this installation's workflows.

An installation's workflows run on the task queues of its family: the configured queue
(`B2B_TASK_QUEUE`, release 2's) and each release's queue beside it (`{base}-release-{n}`).
Every query here is restricted to that family, since a namespace may host other
applications too.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import Client

# A visibility call against a Temporal that is down gives up after this (the client retries
# within it): a gauge's refresh, and a worker told to stop, are never held longer.
RPC_TIMEOUT = timedelta(seconds=5)


def literal(value: str) -> str:
    """A string literal of the visibility query language."""
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def in_family(base: str) -> str:
    return f"(TaskQueue = {literal(base)} OR TaskQueue STARTS_WITH {literal(base + '-release-')})"


def open_in_family(base: str) -> str:
    """The family's open (Running) workflows."""
    return f"ExecutionStatus = 'Running' AND {in_family(base)}"


async def count(client: Client, query: str) -> int:
    return (await client.count_workflows(query, rpc_timeout=RPC_TIMEOUT)).count
