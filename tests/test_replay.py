"""Recorded histories replay without nondeterminism on the generation that runs them.

`tests/histories/corpus.json` names, per folder, the release whose own code recorded it and
the generations that replay it: `release-2` is release 2's frozen code
(`workflows/legacy/release2`), which runs that release's open workflows; `live` is this
release's. Release 2's last recordings (13b3dce) also replay on the live classes: they were
refactored without changing a command.

Record this release's histories with
`B2B_RECORD_HISTORIES=1 pytest tests/test_record_histories.py tests/test_record_second_release.py`
(into `tests/histories/release-3/`). Old folders stay as their release recorded them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from runtime.generations import CARRIED, LIVE_TYPES
from worker.app import CARRIED_WORKFLOWS, WORKFLOWS
from workflows.legacy.release2 import order_steps

HISTORIES = Path(__file__).parent / "histories"
CORPUS = json.loads((HISTORIES / "corpus.json").read_text())["folders"]
RECORD_INTO = HISTORIES / "release-3"
GENERATIONS: dict[str, Sequence[type]] = {
    "live": WORKFLOWS,
    **{f"release-{release}": workflows for release, workflows in CARRIED_WORKFLOWS.items()},
}


def folder_of(path: Path) -> str:
    return str(path.parent.relative_to(HISTORIES))


def cases() -> list[tuple[Path, str]]:
    return [
        (path, generation)
        for path in sorted(HISTORIES.rglob("*.json"))
        if path.name != "corpus.json"
        for generation in CORPUS[folder_of(path)]["replays_on"]
    ]


async def replay(path: Path, workflows: Sequence[type]) -> None:
    data = json.loads(path.read_text())
    history = WorkflowHistory.from_json(data["workflow_id"], data["history"])
    # What the worker reads from a release-2 order's history before it polls.
    as_activities = order_steps.steps_ran_as_activities(history.events)
    order_steps.record(history.workflow_id, steps_as_activities=bool(as_activities))
    replayer = Replayer(workflows=list(workflows), data_converter=pydantic_data_converter)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None


@pytest.mark.parametrize(
    ("path", "generation"),
    cases(),
    ids=lambda c: str(c.relative_to(HISTORIES)) if isinstance(c, Path) else c,
)
async def test_recorded_history_replays(path: Path, generation: str) -> None:
    await replay(path, GENERATIONS[generation])


def test_every_recorded_file_is_in_the_corpus() -> None:
    folders = {folder_of(p) for p in HISTORIES.rglob("*.json") if p.name != "corpus.json"}
    assert folders <= CORPUS.keys()
    for folder, about in CORPUS.items():
        assert about["release"] and about["recorded_by"], folder
        assert set(about["replays_on"]) <= GENERATIONS.keys(), folder


def test_the_generations_registered_are_the_ones_named() -> None:
    def names(workflows: Sequence[type]) -> set[str]:
        return {w.__temporal_workflow_definition.name for w in workflows}  # type: ignore[attr-defined]

    assert names(WORKFLOWS) == set(LIVE_TYPES)
    assert {r: names(w) for r, w in CARRIED_WORKFLOWS.items()} == {
        r: set(t) for r, t in CARRIED.items()
    }


def types_in(folder: str) -> set[str]:
    return {
        json.loads(p.read_text())["history"]["events"][0][
            "workflowExecutionStartedEventAttributes"
        ]["workflowType"]["name"]
        for p in (HISTORIES / folder).glob("*.json")
    }


def test_each_release_recorded_every_type_it_ran() -> None:
    assert types_in("release-1") == {"SalesOrderWorkflow", "FulfillmentLineWorkflow"}
    assert types_in("release-2/ledger") == {"SalesOrderWorkflow", "FulfillmentLineWorkflowV2"}
    assert types_in("release-2/efdb803") == {"SalesOrderWorkflow", "FulfillmentLineWorkflowV2"}
    assert types_in("release-2/13b3dce") == set(LIVE_TYPES)
    assert types_in("release-3") == set(LIVE_TYPES)


@pytest.mark.parametrize("folder", ["release-1", "release-2/ledger", "release-2/efdb803"])
def test_histories_cover_the_first_paths(folder: str) -> None:
    # manual-action-canceled: a stock line parked for a person, a first-release path only.
    names = {p.stem for p in (HISTORIES / folder).glob("*.json")}
    assert {
        "buy-flow-closed-line",
        "buy-flow-closed-order",
        "partial-cancel-after-receipt",
        "approval-then-cancel",
        "manual-action-retried",
        "make-flow-closed",
        "stock-line-canceled",
        "stock-line-backordered-closed",
        "transfer-flow-closed",
        "jeopardy-raised-cleared-closed",
        "split-buy-make-reduced-closed",
        "backorder-canceled-at-pick-release",
        "single-shipment-closed",
        "backorder-kept-open-closed",
        "increase-then-reduce-supply-kept-closed",
        "order-lines-added-canceled",
        "shipment-set-released-order",
        "shipment-set-released-line",
        "credit-hold-released-order",
        "credit-hold-released-line",
        "credit-hold-canceled-order",
    } | ({"manual-action-canceled"} if folder == "release-1" else set()) <= names


def test_efdb803_orders_ran_their_steps_as_activities() -> None:
    """What stranded them on 13b3dce, and what the release-2 generation replays."""
    for path in (HISTORIES / "release-2/efdb803").glob("*-order.json"):
        data = json.loads(path.read_text())
        history = WorkflowHistory.from_json(data["workflow_id"], data["history"])
        assert order_steps.steps_ran_as_activities(history.events) is True, path.name
    for path in (HISTORIES / "release-2/v3-as-released").glob("*-order.json"):
        data = json.loads(path.read_text())
        history = WorkflowHistory.from_json(data["workflow_id"], data["history"])
        assert order_steps.steps_ran_as_activities(history.events) is False, path.name


@pytest.mark.parametrize("folder", ["release-2/v3", "release-2/13b3dce", "release-3"])
def test_the_latest_histories_cover_every_path(folder: str) -> None:
    names = {p.stem for p in (HISTORIES / folder).glob("*.json")}
    assert {
        "billing-hold-released-line",
        "buy-flow-closed-line",
        "buy-flow-closed-order",
        "approval-then-cancel",
        "manual-action-retried",
        "make-flow-closed",
        "transfer-flow-closed",
        "split-buy-make-reduced-closed",
        "continued-as-new-first-run",
        "continued-as-new-closed",
        "shortfall-resourced-closed",
        "shortfall-canceled-closed",
        "dated-jeopardy-closed",
        "jeopardy-priorities-closed",
        "drop-ship-closed",
        "kit-closed",
        "kit-component-closed",
    } <= names
