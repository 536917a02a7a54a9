"""What workflows cost Temporal, read from their histories and descriptions."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from temporalio.client import Client


@dataclass
class HistoryStats:
    """What one workflow cost Temporal (its current run)."""

    events: int
    activities: int
    signals: int
    pre_signal_activities: int
    state_transitions: int
    size_bytes: int


async def history_stats(client: Client, workflow_id: str) -> HistoryStats:
    from temporalio.api.enums.v1 import EventType

    handle = client.get_workflow_handle(workflow_id)
    history = await handle.fetch_history()
    description = await handle.describe()
    activities = signals = pre = 0
    for event in history.events:
        local = (
            event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
            and event.marker_recorded_event_attributes.marker_name == "core_local_activity"
        )
        if local or event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            activities += 1
            if signals == 0:
                pre += 1
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
            signals += 1
    info = description.raw_description.workflow_execution_info
    return HistoryStats(
        events=len(history.events),
        activities=activities,
        signals=signals,
        pre_signal_activities=pre,
        state_transitions=info.state_transition_count,
        size_bytes=info.history_size_bytes,
    )


async def all_stats(
    client: Client, workflow_ids: Sequence[str], parallel: int = 10
) -> list[HistoryStats]:
    gate = asyncio.Semaphore(parallel)

    async def one(workflow_id: str) -> HistoryStats:
        async with gate:
            return await history_stats(client, workflow_id)

    return list(await asyncio.gather(*(one(w) for w in workflow_ids)))
