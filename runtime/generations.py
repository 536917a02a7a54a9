"""The workflow generations a release runs, and the task queue of each.

Each release runs its own workflows on a task queue of its own; new orders, lines and kits
start there. The previous release's workflows finish on that release's queue, run by its
frozen code (`workflows/legacy/release{n}/`), which the worker carries beside the live code.
A release thus never replays another release's histories with its own code, and an upgrade
strands nothing: the open workflows of the previous release go on as they began.

Older releases upgrade release by release: a release carries only its predecessor. What a
generation still runs is counted by its `drained_query`; once it finds nothing, the next
release drops that generation's package. This module names generations only (no workflow
classes): the API's upgrade check and the worker's registry both read it.
"""

from __future__ import annotations

from dataclasses import dataclass

RELEASE = 3
LIVE_TYPES = ("SalesOrderWorkflow", "FulfillmentLineWorkflowV3", "KitLineWorkflow")
# The types of each release this one carries, as that release ran them.
CARRIED: dict[int, tuple[str, ...]] = {
    2: (
        "SalesOrderWorkflow",
        "FulfillmentLineWorkflowV3",
        "KitLineWorkflow",
        "FulfillmentLineWorkflowV2",
        "FulfillmentLineWorkflow",
    ),
}


@dataclass(frozen=True)
class Generation:
    release: int
    task_queue: str
    workflow_types: tuple[str, ...]
    # New workflows start on the live generation only.
    live: bool

    @property
    def name(self) -> str:
        return f"release-{self.release}"

    @property
    def drained_query(self) -> str:
        """The visibility query of this generation's open workflows: none left, its code
        may go."""
        return f"TaskQueue = '{self.task_queue}' AND ExecutionStatus = 'Running'"


def task_queue_of(base: str, release: int) -> str:
    """Release 2 ran on the configured queue itself; from release 3 on, each release has a
    queue of its own beside it."""
    return base if release <= 2 else f"{base}-release-{release}"


def live_task_queue(base: str) -> str:
    return task_queue_of(base, RELEASE)


def generations(base: str) -> list[Generation]:
    """This release's generation first, then each carried one."""
    return [
        Generation(RELEASE, live_task_queue(base), LIVE_TYPES, live=True),
        *(
            Generation(release, task_queue_of(base, release), types, live=False)
            for release, types in sorted(CARRIED.items(), reverse=True)
        ),
    ]


def runs(base: str, task_queue: str, workflow_type: str) -> bool:
    """Whether this release runs workflows of `workflow_type` on `task_queue`."""
    return any(
        g.task_queue == task_queue and workflow_type in g.workflow_types for g in generations(base)
    )
