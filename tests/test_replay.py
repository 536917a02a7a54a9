"""Recorded histories of released workflow code must replay without nondeterminism.

Record new ones (after a change that is meant to be compatible, or for a new flow) with
`B2B_RECORD_HISTORIES=1 pytest tests/test_record_histories.py tests/test_record_second_release.py`
(the recorders); commit them next to the
old ones, which stay: old histories must keep replaying for as long as such workflows may
still be running.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from worker.app import WORKFLOWS

HISTORIES = Path(__file__).parent / "histories"
# New recordings go here: the histories of FulfillmentLineWorkflowV3 lines and of the order
# workflows that start them. `ledger/` holds FulfillmentLineWorkflowV2's, the files above it
# the first release's, `v3-as-released/` V3 lines and orders as V3 was first released (their
# runs began without `one_upsert_at_close` and `local_starts`); all stay as they are.
LEDGER = HISTORIES / "ledger"
RECORD_INTO = HISTORIES / "v3"


def recorded() -> list[Path]:
    return sorted(HISTORIES.rglob("*.json"))


@pytest.mark.parametrize("path", recorded(), ids=lambda p: str(p.relative_to(HISTORIES)))
async def test_recorded_history_replays(path: Path) -> None:
    data = json.loads(path.read_text())
    history = WorkflowHistory.from_json(data["workflow_id"], data["history"])
    replayer = Replayer(workflows=list(WORKFLOWS), data_converter=pydantic_data_converter)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None


@pytest.mark.parametrize("folder", [HISTORIES, LEDGER], ids=["first-release", "ledger"])
def test_histories_cover_the_flows(folder: Path) -> None:
    # manual-action-canceled: a stock line parked for a person, a first-release path only.
    names = {p.stem for p in folder.glob("*.json")}
    assert {
        "buy-flow-closed-line",
        "buy-flow-closed-order",
        "partial-cancel-after-receipt",
        "approval-then-cancel",
        "manual-action-canceled",
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
    } - ({"manual-action-canceled"} if folder == LEDGER else set()) <= names


def test_v3_as_first_released_keeps_replaying() -> None:
    names = {p.stem for p in (HISTORIES / "v3-as-released").glob("*.json")}
    assert {
        "buy-flow-closed-line",
        "continued-as-new-closed",
        "buy-flow-closed-order",
        "credit-hold-released-order",
        "credit-hold-canceled-order",
        "order-lines-added-canceled",
        "shipment-set-released-order",
    } <= names


def test_v3_histories_cover_the_flows() -> None:
    names = {p.stem for p in RECORD_INTO.glob("*.json")}
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
