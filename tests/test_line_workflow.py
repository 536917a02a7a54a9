"""FulfillmentLineWorkflowV2 (release 2's, frozen in workflows/legacy) on the dev server
with stub activities and no PostgreSQL: a small in-memory system of record applies every
fact to the line's ledger with the same pure rules (`domain.line.apply`) and answers it, as
the real adapters do. One test per path of the cycle."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from activities.payloads import ApInvoiceStep, LineRef, LineStatusChange, LineStep, SupplyStep
from domain import signals
from domain.line import (
    Arrive,
    Cancel,
    EnterPhase,
    Fact,
    Increase,
    Invoice,
    Ledger,
    Phase,
    Pick,
    Refused,
    Release,
    ReleaseExcess,
    ReserveStock,
    Ship,
    SupplyCreated,
    apply,
)
from domain.models import (
    CancelSignal,
    InvoiceResult,
    LineInput,
    LineView,
    PickConfirmSignal,
    PickReleaseSignal,
    PurchaseOrderResult,
    QuantityIncreasedSignal,
    ReceiptSignal,
    RequisitionResult,
    ReservationReleased,
    RetrySignal,
    ShipConfirmSignal,
    SourcingDecision,
    StockReservation,
    StockReservedSignal,
    SupplyChange,
    SupplyOrderResult,
)
from domain.statuses import DocumentType, SupplyType
from tests.conftest import poll
from workflows.legacy.release2.line import FulfillmentLineWorkflowV2

D = Decimal
PHASES = {"MANUAL_ACTION_REQUIRED": Phase.MANUAL, "AWAITING_BILLING": Phase.BILLING}


class Record:
    """The line's system of record, in memory: its ledger, POs and what was asked of it."""

    def __init__(self, line: LineInput, *, free_stock: int = 0, sourceable: bool = True) -> None:
        self.ledger = Ledger(ordered=line.quantity, back_to_back=line.back_to_back)
        self.free_stock = D(free_stock)
        self.sourceable = sourceable
        self.pos: dict[str, Decimal] = {}
        self.calls: list[str] = []

    def apply(self, fact: Fact) -> Ledger:
        result = apply(self.ledger, fact)
        assert not isinstance(result, Refused), result
        self.ledger = result
        return result

    @activity.defn(name="schedule_line")
    async def schedule_line(self, step: LineStep) -> SourcingDecision:
        self.calls.append(f"schedule {step.line.quantity}")
        if not self.sourceable:
            return SourcingDecision(manual_action_reason="no sourcing rule for the item")
        return SourcingDecision(
            supply_type=SupplyType.BUY,
            supplier="SUP-ACME",
            agreement="BPA-1",
            unit_price=D(10),
            lead_time_days=5,
            automatic_submission=True,
        )

    @activity.defn(name="create_supply_order")
    async def create_supply_order(self, step: SupplyStep) -> SupplyOrderResult:
        return SupplyOrderResult(supply_order_number=f"SO-{len(self.pos) + 1}")

    @activity.defn(name="create_requisition")
    async def create_requisition(self, step: SupplyStep) -> RequisitionResult:
        return RequisitionResult(requisition_number=f"REQ-{len(self.pos) + 1}")

    @activity.defn(name="create_purchase_order")
    async def create_purchase_order(self, step: SupplyStep) -> PurchaseOrderResult | None:
        quantity = min(step.decision.quantity or self.ledger.open, self.ledger.to_supply)
        number = f"PO-{len(self.pos) + 1}"
        self.pos[number] = quantity
        self.calls.append(f"{number} {quantity}")
        return PurchaseOrderResult(
            po_number=number,
            po_line=1,
            status="OPEN",
            supplier="SUP-ACME",
            quantity=quantity,
            unit_price=D(10),
            ledger=self.apply(SupplyCreated()),
        )

    @activity.defn(name="reduce_supply")
    async def reduce_supply(self, ref: LineRef) -> list[SupplyChange]:
        self.calls.append("reduce")
        return [
            SupplyChange(
                document_number=number,
                canceled_quantity=quantity,
                remaining_quantity=D(0),
                released_quantity=D(0),
                document_status="CANCELED",
            )
            for number, quantity in self.pos.items()
        ]

    @activity.defn(name="close_supply")
    async def close_supply(self, ref: LineRef) -> None:
        self.calls.append("close")

    @activity.defn(name="reserve_on_hand")
    async def reserve_on_hand(self, step: LineStep) -> StockReservation:
        got = min(self.free_stock, self.ledger.to_supply)
        self.free_stock -= got
        return StockReservation(
            reservation_number="RES-1", quantity=got, ledger=self.apply(ReserveStock(got))
        )

    @activity.defn(name="release_line_excess")
    async def release_line_excess(self, ref: LineRef) -> ReservationReleased:
        excess = self.ledger.excess_reserved
        return ReservationReleased(quantity=excess, ledger=self.apply(ReleaseExcess()))

    @activity.defn(name="enter_line_phase")
    async def enter_line_phase(self, change: LineStatusChange) -> Ledger:
        phase = PHASES.get(change.status.value, Phase.CLOSED)
        return self.apply(EnterPhase(phase))

    @activity.defn(name="record_line_event")
    async def record_line_event(self, change: LineStatusChange) -> None:
        return None

    @activity.defn(name="create_ar_invoice")
    async def create_ar_invoice(self, step: LineStep) -> InvoiceResult:
        billed = self.ledger.shipped - self.ledger.invoiced
        self.calls.append(f"AR {billed}")
        return InvoiceResult(
            invoice_number="AR-1", amount=billed * 10, ledger=self.apply(Invoice(billed))
        )

    @activity.defn(name="create_ap_invoice")
    async def create_ap_invoice(self, step: ApInvoiceStep) -> InvoiceResult:
        self.calls.append(f"AP {step.po_number}")
        return InvoiceResult(invoice_number="AP-1", amount=D(0), status="VALIDATED")

    def activities(self) -> list[Callable[..., Awaitable[Any]]]:
        return [
            self.schedule_line,
            self.create_supply_order,
            self.create_requisition,
            self.create_purchase_order,
            self.reduce_supply,
            self.close_supply,
            self.reserve_on_hand,
            self.release_line_excess,
            self.enter_line_phase,
            self.record_line_event,
            self.create_ar_invoice,
            self.create_ap_invoice,
        ]


def a_line(quantity: int = 10, *, back_to_back: bool = True) -> LineInput:
    return LineInput(
        order_number=f"WF-{uuid.uuid4().hex[:8]}",
        line_number=1,
        customer_number="CUST-100",
        item_number="LAPTOP-X1",
        organization="M1",
        quantity=D(quantity),
        unit_price=D(20),
        back_to_back=back_to_back,
    )


class Line:
    """A running line, its record, and the warehouse's signals."""

    def __init__(self, handle: WorkflowHandle[Any, Any], record: Record) -> None:
        self.handle, self.record = handle, record

    async def view(self, until: Callable[[LineView], bool]) -> LineView:
        async def query() -> LineView:
            # The frozen class speaks release 2's models; the live ones read its answers.
            return await self.handle.query(
                signals.LINE_STATUS_QUERY, result_type=LineView, rpc_timeout=None
            )

        return await poll(query, until, timeout=20)

    async def status(self, status: str) -> LineView:
        return await self.view(lambda v: v.status == status)

    async def signal(self, name: str, payload: Any) -> None:
        await self.handle.signal(name, payload)

    async def receive(self, scan: str, quantity: int, po: str = "PO-1") -> None:
        ledger = self.record.apply(Arrive(D(quantity), po, self.record.pos[po]))
        await self.signal(
            signals.RECEIPT_RECORDED,
            ReceiptSignal(
                scan_id=scan,
                document_type=DocumentType.PURCHASE_ORDER,
                document_number=po,
                document_line=1,
                quantity=D(quantity),
                reserved_quantity=D(quantity),
                receipt_number=f"RCV-{scan}",
                ledger=ledger,
            ),
        )

    async def release_pick_ship(self, tag: str, quantity: int, *, kept: int = 0) -> None:
        q = D(quantity)
        ledger = self.record.apply(Release(q))
        await self.signal(
            signals.PICK_RELEASED,
            PickReleaseSignal(wave_number=f"WAVE-{tag}", quantity=q, ledger=ledger),
        )
        ledger = self.record.apply(Pick(q))
        await self.signal(
            signals.PICK_CONFIRMED,
            PickConfirmSignal(scan_id=f"P-{tag}", picked_quantity=q, ledger=ledger),
        )
        shipped = q - kept
        ledger = self.record.apply(Ship(shipped, kept=D(kept)))
        await self.signal(
            signals.SHIP_CONFIRMED,
            ShipConfirmSignal(
                scan_id=f"S-{tag}",
                shipment_number=f"SHP-{tag}",
                shipped_quantity=shipped,
                kept_backordered_quantity=D(kept),
                ledger=ledger,
            ),
        )


@pytest.fixture
async def start(client: Client) -> AsyncIterator[Callable[..., Awaitable[Line]]]:
    task_queue = f"tq-{uuid.uuid4()}"
    records: list[Record] = []
    worker: Worker | None = None

    async def go(line: LineInput, **record: Any) -> Line:
        nonlocal worker
        records.append(Record(line, **record))
        worker = Worker(
            client,
            task_queue=task_queue,
            workflows=[FulfillmentLineWorkflowV2],
            activities=records[-1].activities(),
        )
        await worker.__aenter__()
        handle = await client.start_workflow(
            "FulfillmentLineWorkflowV2",
            line,
            result_type=LineView,
            id=f"order-{line.order_number}-line-1",
            task_queue=task_queue,
        )
        return Line(handle, records[-1])

    yield go
    if worker is not None:
        await worker.__aexit__(None, None, None)


async def test_buy_line_from_po_to_closed(start: Callable[..., Awaitable[Line]]) -> None:
    line = await start(a_line(10))
    view = await line.status("AWAITING_SUPPLY")
    assert [s.document_number for s in view.supply] == ["PO-1"]
    await line.receive("r1", 6)
    view = await line.view(lambda v: v.reserved_quantity == 6)
    assert (view.status, view.awaiting_supply_quantity) == ("AWAITING_SUPPLY", 4)
    await line.receive("r2", 4)
    await line.status("AWAITING_SHIPPING")
    await line.release_pick_ship("1", 10)
    view = await line.status("CLOSED")
    assert (view.shipped_quantity, view.invoiced_quantity) == (10, 10)
    assert line.record.calls[-3:] == ["AR 10", "AP PO-1", "close"]
    assert [s.status for s in view.supply] == ["CLOSED"]


async def test_a_stock_line_waits_as_a_backorder_until_stock_arrives(
    start: Callable[..., Awaitable[Line]],
) -> None:
    line = await start(a_line(5, back_to_back=False), free_stock=3)
    view = await line.status("BACKORDERED")
    assert (view.reserved_quantity, view.awaiting_supply_quantity) == (3, 2)
    ledger = line.record.apply(ReserveStock(D(2)))
    await line.signal(
        signals.STOCK_RESERVED,
        StockReservedSignal(reservation_number="RES-2", quantity=D(2), ledger=ledger),
    )
    await line.status("AWAITING_SHIPPING")
    await line.release_pick_ship("1", 5)
    await line.status("CLOSED")
    assert "schedule 5" not in line.record.calls  # stock lines are never sourced


async def test_a_full_cancel_reduces_the_po_and_ends_the_line(
    start: Callable[..., Awaitable[Line]],
) -> None:
    line = await start(a_line(10))
    await line.status("AWAITING_SUPPLY")
    ledger = line.record.apply(Cancel(D(10)))
    await line.signal(
        signals.CANCEL_REQUESTED,
        CancelSignal(request_id="c1", quantity=D(10), reason="Dup", full=True, ledger=ledger),
    )
    view = await line.status("CANCELED")
    assert view.cancel_reason == "Dup" and view.supply[0].status == "CANCELED"
    assert "reduce" in line.record.calls
    assert (await line.handle.result()).status == "CANCELED"


async def test_a_line_without_a_source_waits_for_a_retry(
    start: Callable[..., Awaitable[Line]],
) -> None:
    line = await start(a_line(4), sourceable=False)
    view = await line.status("MANUAL_ACTION_REQUIRED")
    assert view.manual_action_reason == "no sourcing rule for the item"
    line.record.sourceable = True
    ledger = line.record.apply(EnterPhase(Phase.BOOKED))
    await line.signal(signals.RETRY_REQUESTED, RetrySignal(request_id="t1", ledger=ledger))
    view = await line.status("AWAITING_SUPPLY")
    assert view.manual_action_reason is None and view.supply[0].quantity == 4


async def test_an_increase_and_a_kept_backorder_are_sourced_again(
    start: Callable[..., Awaitable[Line]],
) -> None:
    line = await start(a_line(5))
    await line.status("AWAITING_SUPPLY")
    ledger = line.record.apply(Increase(D(2)))
    await line.signal(
        signals.QUANTITY_INCREASED,
        QuantityIncreasedSignal(request_id="i1", quantity=D(2), ledger=ledger),
    )
    view = await line.view(lambda v: len(v.supply) == 2)
    assert [s.quantity for s in view.supply] == [5, 2]
    await line.receive("r1", 5, "PO-1")
    await line.receive("r2", 2, "PO-2")
    await line.status("AWAITING_SHIPPING")
    # 3 of 7 ship; 4 backordered at ship confirm are kept and bought again.
    await line.release_pick_ship("1", 7, kept=4)
    view = await line.view(lambda v: len(v.supply) == 3)
    assert (view.supply[2].quantity, view.backordered_quantity) == (4, 4)
    assert view.status == "AWAITING_SUPPLY"
    await line.receive("r3", 4, "PO-3")
    await line.status("AWAITING_SHIPPING")
    await line.release_pick_ship("2", 4)
    view = await line.status("CLOSED")
    # One AR invoice per shipment: the 3, then the 4.
    assert view.shipped_quantity == 7 and view.invoiced_quantity == 7
    assert [c for c in line.record.calls if c.startswith("AR")] == ["AR 3", "AR 4"]
