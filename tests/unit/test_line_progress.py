"""What a line's workflow does next, as a table over its ledger and its documents."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.line import Ledger, Phase
from domain.line.progress import Progress, Step, next_step

D = Decimal


def ledger(**quantities: int | bool) -> Ledger:
    values = {k: (v if isinstance(v, bool) else D(v)) for k, v in quantities.items()}
    return Ledger(phase=Phase.SUPPLYING, **values)


@pytest.mark.parametrize(
    ("progress", "step"),
    [
        # Everything open has shipped (or what is left was canceled): bill.
        (Progress(ledger(ordered=10, released=10, picked=10, shipped=10)), Step.SHIPPED),
        (Progress(ledger(ordered=10, canceled=4, released=6, picked=6, shipped=6)), Step.SHIPPED),
        # A PO brings all that is missing: wait for receipts.
        (Progress(ledger(ordered=10), outstanding=D(10), supplied_once=True), Step.WAIT),
        # Raised by 5 with the PO bringing 10: source the 5.
        (Progress(ledger(ordered=15), outstanding=D(10), supplied_once=True), Step.SUPPLY_MORE),
        # 4 kept open at ship confirm, the PO all received: buy them again.
        (
            Progress(
                ledger(ordered=10, released=6, picked=6, shipped=6, invoiced=6, backordered=4),
                outstanding=D(0),
                supplied_once=True,
            ),
            Step.SUPPLY_MORE,
        ),
        # 6 of 10 shipped and not invoiced yet: their AR invoice first.
        (
            Progress(
                ledger(ordered=10, released=6, picked=6, shipped=6),
                outstanding=D(4),
                supplied_once=True,
            ),
            Step.BILL_SHIPMENT,
        ),
        # A stock line waits for stock; it is never sourced.
        (
            Progress(ledger(ordered=10, reserved=6, back_to_back=False), supplied_once=True),
            Step.WAIT,
        ),
        # Before its first supply exists, the line is being sourced: nothing more to do.
        (Progress(ledger(ordered=10)), Step.WAIT),
        # A set line staged for the first time tells its order; then it waits.
        (
            Progress(
                ledger(ordered=5, received=5, reserved=5, released=5, picked=5),
                outstanding=D(0),
                supplied_once=True,
                in_shipment_set=True,
            ),
            Step.TELL_STAGED,
        ),
        (
            Progress(
                ledger(ordered=5, received=5, reserved=5, released=5, picked=5),
                outstanding=D(0),
                supplied_once=True,
                in_shipment_set=True,
                told_staged=True,
            ),
            Step.WAIT,
        ),
        # Still picking: not staged yet.
        (
            Progress(
                ledger(ordered=5, received=5, reserved=5, released=5, picked=3),
                supplied_once=True,
                in_shipment_set=True,
            ),
            Step.WAIT,
        ),
    ],
)
def test_next_step(progress: Progress, step: Step) -> None:
    assert next_step(progress) is step


def test_need_is_what_no_document_brings() -> None:
    progress = Progress(ledger(ordered=10, reserved=3), outstanding=D(5), supplied_once=True)
    assert progress.need == 2
    assert Progress(ledger(ordered=10), outstanding=D(12)).need == 0
