"""FulfillmentLineWorkflowV3 on the dev server with stub activities over the in-memory
record of `test_line_workflow`: the merged steps, a short history, and continue-as-new
with signals arriving while the line switches runs."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from activities.outcomes import LineBilled, SourcedPart, SourcingOutcome
from activities.payloads import CloseStep, SourceStep, SupplyStep
from domain import signals
from domain.line import Arrive, Cancel, EnterPhase, Invoice, Phase
from domain.models import (
    CancelSignal,
    InvoiceResult,
    LineInput,
    LineView,
    ReceiptSignal,
    RetrySignal,
    SourcingDecision,
)
from domain.statuses import DocumentType, SupplyType
from tests.conftest import poll
from tests.test_line_workflow import Line, Record, a_line
from tests.test_replay import RECORD_INTO
from workflows.line import FulfillmentLineWorkflowV3
from workflows.line_state import LineCarry

D = Decimal


class RecordV3(Record):
    """The record answering the merged steps."""

    def __init__(self, line: LineInput, *, transfer_short: bool = False, **record: Any) -> None:
        super().__init__(line, **record)
        # The next sourcing finds the transfer source's free stock taken.
        self.transfer_short = transfer_short

    @activity.defn(name="source_line")
    async def source_line(self, step: SourceStep) -> SourcingOutcome:
        decision = await self.schedule_line(step)  # type: ignore[arg-type]
        self.calls.append("source")
        if self.transfer_short:
            self.transfer_short = False
            short = SourcedPart(supply_type=SupplyType.TRANSFER, short=True)
            transfer = SourcingDecision(supply_type=SupplyType.TRANSFER, source_organization="M2")
            return SourcingOutcome(decision=transfer, parts=[short], ledger=self.ledger)
        if decision.supply_type is None:
            return SourcingOutcome(decision=decision, ledger=self.ledger)
        po = await self.create_purchase_order(
            SupplyStep(key=step.key, line=step.line, decision=decision)
        )
        part = SourcedPart(
            supply_type=SupplyType.BUY,
            supply_order_number="SUP-1",
            requisition_number="REQ-1",
            purchase_order=po,
        )
        return SourcingOutcome(decision=decision, parts=[part], ledger=self.ledger)

    @activity.defn(name="bill_and_close")
    async def bill_and_close(self, step: CloseStep) -> LineBilled:
        self.apply(EnterPhase(Phase.BILLING))
        billed = self.ledger.shipped - self.ledger.invoiced
        self.apply(Invoice(billed))
        self.calls.append(
            f"bill and close: AR {billed}, AP {[p.po_number for p in step.purchase_orders]}"
        )
        return LineBilled(
            ar_invoice=InvoiceResult(invoice_number="AR-1", amount=billed * 10),
            ap_invoices=[
                InvoiceResult(invoice_number=f"AP-{p.po_number}", amount=D(0))
                for p in step.purchase_orders
            ],
            ledger=self.ledger,
        )

    def activities(self) -> list[Callable[..., Awaitable[Any]]]:
        return [*super().activities(), self.source_line, self.bill_and_close]


class LineV3(Line):
    """A running V3 line, addressed by its workflow id alone: queries and signals go to
    its latest run. `first_run_id` is the run it started with."""

    first_run_id: str | None = None
    client: Client | None = None

    async def view(self, until: Callable[[LineView], bool]) -> LineView:
        async def query() -> LineView:
            return await self.handle.query(FulfillmentLineWorkflowV3.line_status, rpc_timeout=None)

        return await poll(query, until, timeout=60)


@pytest.fixture
async def start(client: Client) -> AsyncIterator[Callable[..., Awaitable[LineV3]]]:
    task_queue = f"tq-{uuid.uuid4()}"
    worker: Worker | None = None

    async def go(line: LineInput, carry: LineCarry | None = None, **record: Any) -> LineV3:
        nonlocal worker
        stub = RecordV3(line, **record)
        worker = Worker(
            client,
            task_queue=task_queue,
            workflows=[FulfillmentLineWorkflowV3],
            activities=stub.activities(),
        )
        await worker.__aenter__()
        handle = await client.start_workflow(
            FulfillmentLineWorkflowV3.run,
            args=[line, carry or LineCarry()],
            id=f"order-{line.order_number}-line-1",
            task_queue=task_queue,
        )
        running = LineV3(client.get_workflow_handle(handle.id, result_type=LineView), stub)
        running.first_run_id = handle.result_run_id
        running.client = client
        return running

    yield go
    if worker is not None:
        await worker.__aexit__(None, None, None)


async def history_length(handle: WorkflowHandle[Any, Any]) -> int:
    return len((await handle.fetch_history()).events)


async def test_a_buy_line_runs_two_merged_steps(
    start: Callable[..., Awaitable[LineV3]],
) -> None:
    line = await start(a_line(10))
    await line.status("AWAITING_SUPPLY")
    await line.receive("r1", 6)
    await line.receive("r2", 4)
    await line.status("AWAITING_SHIPPING")
    await line.release_pick_ship("1", 10)
    view = await line.status("CLOSED")
    assert line.record.calls == [
        "schedule 10",
        "source",
        "PO-1 10",
        "bill and close: AR 10, AP ['PO-1']",
    ]
    assert [i["invoice_number"] for i in view.invoices] == ["AR-1", "AP-PO-1"]
    assert [s.status for s in view.supply] == ["CLOSED"]
    assert view.events[-1].type == "LINE_CLOSED"
    assert await history_length(line.handle) <= 60


async def test_manual_action_and_a_full_cancel(
    start: Callable[..., Awaitable[LineV3]],
) -> None:
    line = await start(a_line(4), sourceable=False)
    view = await line.status("MANUAL_ACTION_REQUIRED")
    assert view.manual_action_reason == "no sourcing rule for the item"
    line.record.sourceable = True
    ledger = line.record.apply(EnterPhase(Phase.BOOKED))
    await line.signal(signals.RETRY_REQUESTED, RetrySignal(request_id="t1", ledger=ledger))
    view = await line.status("AWAITING_SUPPLY")
    assert view.supply[0].quantity == 4
    ledger = line.record.apply(Cancel(D(4)))
    await line.signal(
        signals.CANCEL_REQUESTED,
        CancelSignal(request_id="c1", quantity=D(4), reason="Dup", full=True, ledger=ledger),
    )
    assert (await line.handle.result()).status == "CANCELED"


async def test_a_transfer_short_of_stock_parks_the_line_until_a_retry(
    start: Callable[..., Awaitable[LineV3]],
) -> None:
    line = await start(a_line(3), transfer_short=True)
    view = await line.status("MANUAL_ACTION_REQUIRED")
    assert view.manual_action_reason is not None
    assert view.manual_action_reason.startswith("the free stock at M2 was taken")
    assert view.supply == []
    ledger = line.record.apply(EnterPhase(Phase.BOOKED))
    await line.signal(signals.RETRY_REQUESTED, RetrySignal(request_id="t1", ledger=ledger))
    view = await line.status("AWAITING_SUPPLY")
    assert [s.document_number for s in view.supply] == ["PO-1"]


def receipt(line: LineV3, scan: str, ledger: Any) -> ReceiptSignal:
    return ReceiptSignal(
        scan_id=scan,
        document_type=DocumentType.PURCHASE_ORDER,
        document_number="PO-1",
        document_line=1,
        quantity=D(1),
        reserved_quantity=D(1),
        receipt_number=f"RCV-{scan}",
        ledger=ledger,
    )


async def test_a_long_line_continues_as_new_and_loses_no_scan(
    start: Callable[..., Awaitable[LineV3]],
) -> None:
    scans = 120
    line = await start(a_line(scans), LineCarry(history_bound=80))
    await line.status("AWAITING_SUPPLY")
    # One unit per scan, signalled in bursts so that some arrive while the line switches.
    ledgers = [line.record.apply(Arrive(D(1), "PO-1", D(scans))) for _ in range(scans)]
    for start_at in range(0, scans, 15):
        await asyncio.gather(
            *(
                line.signal(signals.RECEIPT_RECORDED, receipt(line, f"r{i}", ledgers[i]))
                for i in range(start_at, min(start_at + 15, scans))
            )
        )
    view = await line.status("AWAITING_SHIPPING")
    # Delivered twice (at least once): applied once, across runs.
    await line.signal(signals.RECEIPT_RECORDED, receipt(line, "r0", ledgers[0]))
    await line.signal(signals.RECEIPT_RECORDED, receipt(line, "r7", ledgers[7]))
    assert (await line.handle.describe()).run_id != line.first_run_id
    view = await line.view(lambda v: v.reserved_quantity == scans)
    received = [e for e in view.events if e.type == "RECEIPT_RECORDED"]
    assert len(received) == scans
    assert view.supply[0].status == "RECEIVED"
    await line.release_pick_ship("1", scans)
    view = await line.status("CLOSED")
    assert view.invoiced_quantity == scans
    assert len([e for e in view.events if e.type == "RECEIPT_RECORDED"]) == scans
    assert (await line.handle.result()).status == "CLOSED"
    assert line.record.calls.count("source") == 1  # the next runs did not source again
    if os.environ.get("B2B_RECORD_HISTORIES"):
        await record(line, "continued-as-new-first-run", line.first_run_id)
        await record(line, "continued-as-new-closed", None)


async def record(line: LineV3, name: str, run_id: str | None) -> None:
    """Save a run's history for tests/test_replay.py (the first run ends continued as new;
    the last one starts from the snapshot)."""
    assert line.client is not None
    handle = line.client.get_workflow_handle(line.handle.id, run_id=run_id)
    history = await handle.fetch_history()
    RECORD_INTO.mkdir(parents=True, exist_ok=True)
    (RECORD_INTO / f"{name}.json").write_text(
        json.dumps(
            {"workflow_id": line.handle.id, "history": json.loads(history.to_json())}, indent=1
        )
    )
