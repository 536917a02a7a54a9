"""Workflows whose task keeps failing (a nondeterminism error, a bug): open, not moving, and
flagged by the Temporal server with the `TemporalReportedProblems` search attribute after
`system.numConsecutiveWorkflowTaskProblemsToTriggerSearchAttribute` failures in a row
(the flag clears once a task succeeds). Counted for the worker's gauge, listed with the
error for `b2b workflows failing`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType, WorkflowTaskFailedCause
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.workflowservice.v1 import GetWorkflowExecutionHistoryReverseRequest
from temporalio.client import Client
from temporalio.client import WorkflowExecution as Execution

from runtime.visibility import count, open_in_family

LIST_LIMIT = 100
# The last failed task is near the end of a history: read that far back at most.
PAGE_SIZE, MAX_PAGES = 100, 10
CAUSE_PREFIX = "WORKFLOW_TASK_FAILED_CAUSE_"


@dataclass(frozen=True)
class TaskFailure:
    error: str
    cause: str
    failed_at: datetime | None


@dataclass(frozen=True)
class FailingWorkflow:
    workflow_id: str
    run_id: str
    workflow_type: str
    task_queue: str
    # What the server reported (`category=WorkflowTaskFailed`, `cause=...`).
    reported_problems: list[str]
    # From the last WORKFLOW_TASK_FAILED event of its history (None if none is there,
    # e.g. its tasks time out instead).
    error: str | None
    cause: str | None
    failed_at: datetime | None


@dataclass(frozen=True)
class FailingWorkflows:
    client: Client
    base_task_queue: str

    @property
    def query(self) -> str:
        return f"{open_in_family(self.base_task_queue)} AND TemporalReportedProblems IS NOT NULL"

    async def count(self) -> int:
        return await count(self.client, self.query)

    async def listed(self, *, limit: int = LIST_LIMIT) -> list[FailingWorkflow]:
        return [
            await self._described(execution)
            async for execution in self.client.list_workflows(self.query, limit=limit)
        ]

    async def _described(self, execution: Execution) -> FailingWorkflow:
        failure = await self.last_task_failure(execution.id, execution.run_id)
        problems = execution.search_attributes.get("TemporalReportedProblems", [])
        return FailingWorkflow(
            workflow_id=execution.id,
            run_id=execution.run_id,
            workflow_type=execution.workflow_type,
            task_queue=execution.task_queue or "",
            reported_problems=[str(p) for p in problems],
            error=failure.error if failure else None,
            cause=failure.cause if failure else None,
            failed_at=failure.failed_at if failure else None,
        )

    async def last_task_failure(self, workflow_id: str, run_id: str) -> TaskFailure | None:
        """Reads the history backwards to its last failed workflow task."""
        execution = WorkflowExecution(workflow_id=workflow_id, run_id=run_id)
        token = b""
        for _ in range(MAX_PAGES):
            page = await self.client.workflow_service.get_workflow_execution_history_reverse(
                GetWorkflowExecutionHistoryReverseRequest(
                    namespace=self.client.namespace,
                    execution=execution,
                    maximum_page_size=PAGE_SIZE,
                    next_page_token=token,
                )
            )
            for event in page.history.events:
                if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
                    return await self._task_failure(event)
            token = page.next_page_token
            if not token:
                break
        return None

    async def _task_failure(self, event: HistoryEvent) -> TaskFailure:
        attributes = event.workflow_task_failed_event_attributes
        # Decoded like any failure, in case a codec encodes its message.
        error = await self.client.data_converter.decode_failure(attributes.failure)
        cause = WorkflowTaskFailedCause.Name(attributes.cause).removeprefix(CAUSE_PREFIX)
        return TaskFailure(
            error=str(getattr(error, "message", None) or error),
            cause=cause,
            failed_at=event.event_time.ToDatetime(tzinfo=UTC)
            if event.HasField("event_time")
            else None,
        )
