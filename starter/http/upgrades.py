"""Upgrades, seen from Temporal: which open workflows this release runs (the upgrade check)
and which workflows' tasks keep failing. Both read visibility over this installation's
task-queue family only (`runtime/visibility.py`)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, RootModel

from runtime.failing_workflows import FailingWorkflow, FailingWorkflows
from runtime.upgrade_check import UpgradeCheck, upgrade_check
from starter.http import answers
from starter.http.errors import READ, responses
from starter.http.security import Operator

router = APIRouter(tags=["operations"])


class UpgradeCheckAnswer(RootModel[UpgradeCheck]):
    """The open workflows by type and queue, and this release's generations."""


class FailingAnswer(BaseModel):
    query: str
    count: int
    failing: list[FailingWorkflow]


@router.get(
    "/operations/upgrade-check",
    responses={**answers.ok(UpgradeCheckAnswer), **responses(*READ, 403)},
)
async def check_upgrade(ctx: Operator) -> dict[str, Any]:
    """The open workflows of this installation by workflow type and task queue, whether
    this release runs each, and this release's generations with their task queues."""
    return asdict(await upgrade_check(ctx.client, ctx.base_task_queue))


@router.get(
    "/operations/workflows/failing",
    responses={**answers.ok(FailingAnswer), **responses(*READ, 403)},
)
async def failing_workflows(
    ctx: Operator, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> dict[str, Any]:
    """Open workflows whose task keeps failing, each with the error of its last failed
    workflow task."""
    failing = FailingWorkflows(ctx.client, ctx.base_task_queue)
    listed = await failing.listed(limit=limit)
    return {
        "query": failing.query,
        "count": max(await failing.count(), len(listed)),
        "failing": [asdict(f) for f in listed],
    }
