"""What active holds block, as a table."""

from __future__ import annotations

import pytest

from domain.holds import ActiveHold, HoldStep, blocking, held_because

QUALITY = ActiveHold(
    "HLD-2", "QUALITY", "inspect", frozenset({HoldStep.PICK_RELEASE, HoldStep.SHIPPING}), 1
)
FINANCE = ActiveHold("HLD-1", "FINANCE", "dispute", frozenset({HoldStep.BILLING}), None)


@pytest.mark.parametrize(
    ("holds", "step", "ids"),
    [
        ([], HoldStep.PICK_RELEASE, []),
        ([QUALITY], HoldStep.PICK_RELEASE, ["HLD-2"]),
        ([QUALITY], HoldStep.BILLING, []),
        ([QUALITY, FINANCE], HoldStep.BILLING, ["HLD-1"]),
        ([QUALITY, FINANCE], HoldStep.SHIPPING, ["HLD-2"]),
    ],
)
def test_what_blocks_a_step(holds: list[ActiveHold], step: HoldStep, ids: list[str]) -> None:
    assert [h.hold_id for h in blocking(holds, step)] == ids
    assert (held_because(holds, step) is None) == (not ids)


def test_the_reason_names_each_hold_and_the_step() -> None:
    both = ActiveHold("HLD-3", "CREDIT", "late payer", frozenset({HoldStep.SHIPPING}), None)
    reason = held_because([both, QUALITY], HoldStep.SHIPPING)
    assert reason == (
        "on hold, shipping blocked by HLD-2 (QUALITY: inspect);"
        " HLD-3 (CREDIT on the order: late payer)"
    )
