"""How an order of release 2 that began before local starts (`local_starts` false) ran its
credit, shipment-set and close steps. Two builds started such orders alike, with the same
input and the same first commands:

- efdb803 ran the steps as activities and started its lines only once authorized;
- 18993cf, the release of that path, ran them as local activities and started held lines
  at once.

Only each order's history tells them apart. The worker reads it once, before it polls
(`worker/legacy_orders.py`), and records here the orders whose steps were activities; the
workflow reads the record when it reaches a step. An order's record never changes: it is
read from events that are already written, and no new order of either kind is started.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# The order's own steps (activity type names).
ORDER_STEPS = frozenset({"authorize_credit", "release_ready_shipment_sets", "close_order"})
LOCAL_ACTIVITY_MARKER = "core_local_activity"

# Workflow ids of orders whose steps ran as activities (efdb803).
STEPS_AS_ACTIVITIES: set[str] = set()


def steps_ran_as_activities(events: Iterable[Any]) -> bool | None:
    """From one run's history events (temporalio.api.history.v1.HistoryEvent): True when its
    first order step was an activity, False when it was a local activity, None when the run
    has not reached one (a run that continued as new: ask the run before it)."""
    for event in events:
        if event.HasField("activity_task_scheduled_event_attributes"):
            name = event.activity_task_scheduled_event_attributes.activity_type.name
            if name in ORDER_STEPS:
                return True
        elif event.HasField("marker_recorded_event_attributes"):
            marker = event.marker_recorded_event_attributes
            if marker.marker_name == LOCAL_ACTIVITY_MARKER:
                data = marker.details["data"].payloads[0].data
                if any(f'"activity_type":"{name}"'.encode() in data for name in ORDER_STEPS):
                    return False
    return None


def record(workflow_id: str, *, steps_as_activities: bool) -> None:
    if steps_as_activities:
        STEPS_AS_ACTIVITIES.add(workflow_id)
    else:
        STEPS_AS_ACTIVITIES.discard(workflow_id)


def ran_steps_as_activities(workflow_id: str) -> bool:
    return workflow_id in STEPS_AS_ACTIVITIES
