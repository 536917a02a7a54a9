"""Typed calls of the activities the workflows run: an activity method and its argument in,
its declared result out. Each activity is one short transaction of the system of record,
idempotent by the business key in its argument, so running one again changes nothing.

A local activity runs inside the workflow task (one marker in the history, no task queue
round trip); a lost worker fails the task, and the step runs again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.payloads import LineStatusChange
    from domain.models import LineInput
    from domain.statuses import EventType, LineStatus

# Each activity of a line is one short transaction; a lost worker is noticed within this.
LINE_TIMEOUT = timedelta(seconds=10)
# An order's steps may read and write many lines' rows.
ORDER_TIMEOUT = timedelta(seconds=30)
# Business systems may be down for a while; keep retrying with a capped backoff.
RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=60))
# A local activity retries inside its workflow task while its backoff stays below this;
# beyond it, a timer waits and the task completes. A system of record that is down then
# holds no workflow task open, and a worker told to stop is not kept by retries.
LOCAL_RETRY_THRESHOLD = timedelta(seconds=1.5)
T = TypeVar("T")


async def activity(
    method: Callable[[Any, Any], Awaitable[T]],
    arg: Any,
    *,
    summary: str,
    timeout: timedelta = LINE_TIMEOUT,
    heartbeat: timedelta | None = None,
) -> T:
    """One step as an activity task."""
    return await workflow.execute_activity_method(
        method,
        arg,
        start_to_close_timeout=timeout,
        heartbeat_timeout=heartbeat,
        retry_policy=RETRY,
        summary=summary,
    )


async def local(
    method: Callable[[Any, Any], Awaitable[T]],
    arg: Any,
    *,
    summary: str,
    timeout: timedelta = LINE_TIMEOUT,
) -> T:
    """One step as a local activity."""
    return await workflow.execute_local_activity_method(
        method,
        arg,
        start_to_close_timeout=timeout,
        retry_policy=RETRY,
        local_retry_threshold=LOCAL_RETRY_THRESHOLD,
        summary=summary,
    )


async def local_named(
    name: str, arg: Any, *, result_type: Any, summary: str, timeout: timedelta = LINE_TIMEOUT
) -> Any:
    """One step as a local activity named by its type (the order's own steps, whose
    implementation needs the Temporal client: the workflow does not import it)."""
    return await workflow.execute_local_activity(
        name,
        arg,
        result_type=result_type,
        start_to_close_timeout=timeout,
        retry_policy=RETRY,
        local_retry_threshold=LOCAL_RETRY_THRESHOLD,
        summary=summary,
    )


def key(step: str) -> str:
    """A step's idempotency key: the workflow id (not the run id) and the step."""
    return f"{workflow.info().workflow_id}:{step}"


def phase(
    line: LineInput,
    status: LineStatus,
    step: str,
    event: EventType | None,
    data: dict[str, object] | None = None,
) -> LineStatusChange:
    """A phase (or an event) the line records of itself, keyed by its step."""
    return LineStatusChange(
        key=key(step),
        order_number=line.order_number,
        line_number=line.line_number,
        status=status,
        event=event,
        data=data or {},
    )
