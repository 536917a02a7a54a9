"""The upgrade check on the session's dev server, over one test's task-queue family: what
this release runs is counted as run; a workflow of a type or on a queue it does not run is
named, and `b2b upgrade check` exits 1."""

from __future__ import annotations

import uuid
from typing import Any

from runtime.generations import live_task_queue, task_queue_of
from tests.conftest import Stack, order_number, poll
from tests.fixtures import demo_setup, laptop_order
from tests.served_api import b2b, served


async def check(stack: Stack, role: str = "viewer") -> Any:
    return await stack.call("GET", "/operations/upgrade-check", role=role)


async def test_a_family_whose_open_workflows_this_release_runs_passes(stack: Stack) -> None:
    await stack.call("PUT", "/setup", json=demo_setup())
    so = order_number()
    await stack.call("POST", "/orders", json=laptop_order(so), role="orders", expect=202)
    await stack.wait_status(so, "AWAITING_SUPPLY")

    answer = await poll(lambda: check(stack), lambda a: a["open"] == 2)
    live = live_task_queue(stack.base_task_queue)
    assert answer["all_run"] is True and answer["not_run"] == 0
    assert [
        (g["workflow_type"], g["task_queue"], g["count"]) for g in answer["open_workflows"]
    ] == [
        ("FulfillmentLineWorkflowV3", live, 1),
        ("SalesOrderWorkflow", live, 1),
    ]
    assert all(g["run_by_this_release"] for g in answer["open_workflows"])
    current, carried = answer["generations"]
    assert (current["release"], current["task_queue"], current["live"]) == (3, live, True)
    assert current["open"] == 2 and current["drained_query"] is None
    release2 = task_queue_of(stack.base_task_queue, 2)
    assert (carried["release"], carried["task_queue"], carried["open"]) == (2, release2, 0)
    assert carried["drained_query"] == f"TaskQueue = '{release2}' AND ExecutionStatus = 'Running'"
    assert "FulfillmentLineWorkflow" in carried["workflow_types"]

    async with served(stack) as url:
        code, printed = await b2b(url, "upgrade", "check")
    assert code == 0 and printed["all_run"] is True


async def test_an_open_workflow_this_release_does_not_run_is_named(idle_stack: Stack) -> None:
    stack, base = idle_stack, idle_stack.base_task_queue
    # No worker polls these: they stay Running. One on a queue of a release this one does
    # not carry, one of a type that release 2's queue never ran; one of another family.
    strays = [
        ("SomeOtherWorkflow", f"{base}-release-9"),
        ("SomeOtherWorkflow", f"{base}-release-9"),
        ("RetiredWorkflow", base),
        ("SomeOtherWorkflow", f"tq-unknown-{uuid.uuid4()}"),
    ]
    handles = [
        await stack.client.start_workflow(kind, id=f"stray-{uuid.uuid4()}", task_queue=queue)
        for kind, queue in strays
    ]
    try:
        # Visibility counts and lists apart: the groups are named from a list.
        answer = await poll(
            lambda: check(stack),
            lambda a: (
                a["not_run"] == a["open"] == 3
                and sum(g["count"] for g in a["open_workflows"] if not g["run_by_this_release"])
                == 3
            ),
        )
        assert answer["all_run"] is False and answer["open"] == 3
        assert answer["not_run_unnamed"] == 0
        assert [
            (g["workflow_type"], g["task_queue"], g["count"], g["run_by_this_release"])
            for g in answer["open_workflows"]
        ] == [
            ("RetiredWorkflow", base, 1, False),
            ("SomeOtherWorkflow", f"{base}-release-9", 2, False),
        ]
        # The carried generation's queue holds the stray: not drained.
        assert answer["generations"][1]["open"] == 1
        assert (await check(stack, role="admin"))["not_run"] == 3
        await stack.call("GET", "/operations/upgrade-check", role="orders", expect=403)

        async with served(stack) as url:
            code, printed = await b2b(url, "upgrade", "check")
        assert code == 1 and printed["not_run"] == 3
    finally:
        for handle in handles:
            await handle.terminate(reason="test over")
