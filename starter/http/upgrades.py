"""Upgrades, seen from Temporal: which open workflows this release runs (the upgrade check),
read from visibility over this installation's task-queue family only
(`runtime/visibility.py`)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter
from pydantic import RootModel

from runtime.upgrade_check import UpgradeCheck, upgrade_check
from starter.http import answers
from starter.http.errors import READ, responses
from starter.http.security import Operator

router = APIRouter(tags=["operations"])


class UpgradeCheckAnswer(RootModel[UpgradeCheck]):
    """The open workflows by type and queue, and this release's generations."""


@router.get(
    "/operations/upgrade-check",
    responses={**answers.ok(UpgradeCheckAnswer), **responses(*READ, 403)},
)
async def check_upgrade(ctx: Operator) -> dict[str, Any]:
    """The open workflows of this installation by workflow type and task queue, whether
    this release runs each, and this release's generations with their task queues."""
    return asdict(await upgrade_check(ctx.client, ctx.base_task_queue))
