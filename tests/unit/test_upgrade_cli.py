"""How `b2b upgrade check` and `b2b workflows failing` read on a terminal."""

from __future__ import annotations

from typing import Any

from starter.upgrade_cli import failing_workflows, upgrade_check


def check(**changes: Any) -> dict[str, Any]:
    return {
        "all_run": False,
        "not_run": 1,
        "not_run_unnamed": 0,
        "open_workflows": [
            {
                "workflow_type": "SomeOtherWorkflow",
                "task_queue": "b2b-release-4",
                "count": 1,
                "run_by_this_release": False,
            },
            {
                "workflow_type": "SalesOrderWorkflow",
                "task_queue": "b2b-release-3",
                "count": 2,
                "run_by_this_release": True,
            },
        ],
        "generations": [
            {
                "name": "release-3",
                "task_queue": "b2b-release-3",
                "live": True,
                "open": 2,
                "drained_query": None,
            },
            {
                "name": "release-2",
                "task_queue": "b2b",
                "live": False,
                "open": 0,
                "drained_query": "TaskQueue = 'b2b' AND ExecutionStatus = 'Running'",
            },
        ],
    } | changes


def test_the_check_marks_what_is_not_run_and_says_how_to_see_a_generation_drained() -> None:
    lines = upgrade_check(check()).splitlines()
    assert lines[1].split() == ["SomeOtherWorkflow", "b2b-release-4", "1", "NO"]
    assert lines[2].split() == ["SalesOrderWorkflow", "b2b-release-3", "2", "yes"]
    assert "release-2 (carried) on b2b: 0 open" in lines
    assert (
        "  drained when this finds none: TaskQueue = 'b2b' AND ExecutionStatus = 'Running'" in lines
    )
    assert lines[-1] == "1 open workflow(s) are not run by this release."
    clean = check(all_run=True, not_run=0, open_workflows=[])
    assert upgrade_check(clean).splitlines()[0] == "No open workflows."
    assert upgrade_check(clean).endswith("Every open workflow is run by this release.")


def test_failing_workflows_are_one_line_each_with_their_error() -> None:
    failing = {
        "workflow_id": "order-SO-1-line-1",
        "workflow_type": "FulfillmentLineWorkflowV3",
        "task_queue": "b2b-release-3",
        "error": "Nondeterminism error:\n" + "x" * 300,
    }
    text = failing_workflows({"count": 3, "failing": [failing]})
    header, row, more = text.splitlines()
    assert header.split() == ["WORKFLOW", "ID", "TYPE", "TASK", "QUEUE", "ERROR"]
    assert row.startswith("order-SO-1-line-1") and row.endswith("...")
    assert "Nondeterminism error: xxx" in row and more == "... and 2 more"
    assert failing_workflows({"count": 0, "failing": []}) == "No workflow is failing."
