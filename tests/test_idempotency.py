"""Activities run at least once: every step run twice makes one document, and a worker
killed in the middle of a batch leaves exactly one PO, AR and AP invoice per line."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import date
from decimal import Decimal

import asyncpg
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment

from activities.billing import BillingActivities
from activities.inventory import InventoryActivities
from activities.payloads import ApInvoiceStep, LineRef, LineStatusChange, LineStep, SupplyStep
from activities.planning import PlanningActivities
from activities.procurement import ProcurementActivities
from activities.shipping import ShippingActivities
from adapters.postgres.billing.invoices import Billing
from adapters.postgres.orders.cancellations import Cancellations
from adapters.postgres.orders.orders import Orders
from adapters.postgres.receiving.inventory import Inventory
from adapters.postgres.setup.master_data import MasterData
from adapters.postgres.supply.procurement import Procurement
from adapters.postgres.warehouse.shipping import Shipping
from domain.models import OrderIn, PickScanIn, ReceiptScanIn, SetupDocument, ShipScanIn
from domain.statuses import EventType, LineStatus
from tests.conftest import Stack, order_number, poll
from tests.fixtures import demo_setup, laptop_order


async def twice(run, arg):
    """Run an activity twice with the same input, as a retry after a lost result would."""
    env = ActivityEnvironment()
    first = await env.run(run, arg)
    second = await env.run(run, arg)
    assert first == second
    return first


async def count(pool: asyncpg.Pool, table: str) -> int:
    async with pool.acquire() as conn:
        return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))


async def test_every_activity_twice_makes_one_document(pool: asyncpg.Pool) -> None:
    await MasterData(pool).apply_setup(SetupDocument.model_validate(demo_setup()))
    so = order_number()
    _, _, order = await Orders(pool).book(OrderIn.model_validate(laptop_order(so, 10)))
    line = order.lines[0]
    wf = f"order-{so}-line-1"

    decision = await twice(
        PlanningActivities(MasterData(pool)).schedule_line,
        LineStep(key=f"{wf}:schedule", line=line),
    )
    procurement = ProcurementActivities(Procurement(pool))
    step = SupplyStep(key=f"{wf}:supply-order", line=line, decision=decision)
    supply = await twice(procurement.create_supply_order, step)
    requisition = await twice(
        procurement.create_requisition,
        step.model_copy(
            update={"key": f"{wf}:requisition", "supply_order_number": supply.supply_order_number}
        ),
    )
    po = await twice(
        procurement.create_purchase_order,
        step.model_copy(
            update={
                "key": f"{wf}:purchase-order",
                "supply_order_number": supply.supply_order_number,
                "requisition_number": requisition.requisition_number,
                "workflow_id": wf,
                "today": date(2026, 11, 23),
            }
        ),
    )
    for table in (
        "supply_orders",
        "requisitions",
        "purchase_orders",
        "purchase_order_lines",
        "pegs",
    ):
        assert await count(pool, table) == 1, table

    await Inventory(pool).receive(
        ReceiptScanIn(scan_id=f"{so}-r", po_number=po.po_number, quantity=Decimal(10))
    )
    # A partial cancel, then the compensations twice each.
    await Cancellations(pool).cancel_line(
        order_number=so, line_number=1, quantity=Decimal(4), reason="test", request_id="c1"
    )
    ref = LineRef(key=f"{wf}:cancel-c1:reduce-supply", order_number=so, line_number=1)
    changes = await twice(procurement.reduce_supply, ref)
    assert changes[0].remaining_quantity == 10  # never below what was received
    released = await twice(
        InventoryActivities(Inventory(pool)).release_excess_reservation,
        ref.model_copy(update={"key": f"{wf}:cancel-c1:release"}),
    )
    assert released == 4
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT reserved FROM on_hand WHERE item = 'LAPTOP-X1'") == 6

    shipping = Shipping(pool)
    await shipping.pick_wave(organization="M1", order_number=so)
    await shipping.confirm_pick(
        PickScanIn(scan_id=f"{so}-p", order_number=so, line_number=1, picked_quantity=Decimal(6))
    )
    await shipping.confirm_ship(
        ShipScanIn(scan_id=f"{so}-s", order_number=so, line_number=1, shipped_quantity=Decimal(6))
    )
    billing = BillingActivities(Billing(pool))
    ar = await twice(billing.create_ar_invoice, LineStep(key=f"{wf}:ar-invoice", line=line))
    assert ar.amount == Decimal("8700.00")
    ap = await twice(
        billing.create_ap_invoice,
        ApInvoiceStep(
            key=f"{wf}:ap-invoice",
            order_number=so,
            line_number=1,
            po_number=po.po_number,
            po_line=1,
        ),
    )
    assert ap.amount == Decimal("9800.00") and ap.status == "VALIDATED"
    await twice(
        procurement.close_supply, LineRef(key=f"{wf}:close-supply", order_number=so, line_number=1)
    )
    await twice(
        ShippingActivities(shipping).record_line_status,
        LineStatusChange(
            key=f"{wf}:closed",
            order_number=so,
            line_number=1,
            status=LineStatus.CLOSED,
            event=EventType.LINE_CLOSED,
        ),
    )
    for table in ("ar_invoices", "ap_invoices", "receipts", "shipments"):
        assert await count(pool, table) == 1, table
    async with pool.acquire() as conn:
        assert (
            await conn.fetchval("SELECT count(*) FROM business_events WHERE type = 'LINE_CLOSED'")
            == 1
        )
        assert (
            await conn.fetchval("SELECT count(*) FROM business_events WHERE type = 'SUPPLY_CLOSED'")
            == 1
        )
        assert await conn.fetchval("SELECT status FROM purchase_orders") == "CLOSED"


def start_worker(stack: Stack, temporal_env: WorkflowEnvironment) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "B2B_DATABASE_URL": stack.database_url,
        "TEMPORAL_ADDRESS": temporal_env.client.service_client.config.target_host,
        "B2B_TASK_QUEUE": stack.base_task_queue,
        "B2B_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen([sys.executable, "-m", "worker"], env=env)


def kill(proc: subprocess.Popen[bytes]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


async def test_worker_killed_mid_batch_every_line_closes_once(
    idle_stack: Stack, temporal_env: WorkflowEnvironment
) -> None:
    stack = idle_stack
    lines = 8
    await stack.call("PUT", "/setup", json=demo_setup())
    worker = start_worker(stack, temporal_env)
    try:
        orders = [order_number() for _ in range(lines)]
        await asyncio.gather(
            *(
                stack.call("POST", "/orders", json=laptop_order(so, 3), role="orders", expect=202)
                for so in orders
            )
        )
        # Kill the worker while the batch is creating its purchase orders.
        await poll(
            lambda: stack.scalar("SELECT count(*) FROM requisitions"),
            lambda n: n >= 1,
            interval=0.01,
        )
        kill(worker)
        made = await stack.scalar("SELECT count(*) FROM purchase_orders")
        assert made < lines, "the kill came too late to interrupt the batch"
        worker = start_worker(stack, temporal_env)
        views = await asyncio.gather(
            *(stack.wait_status(so, "AWAITING_SUPPLY", timeout=60) for so in orders)
        )
        for so, view in zip(orders, views, strict=True):
            await stack.call(
                "POST",
                "/scans/receipts",
                role="scanner",
                json={
                    "scan_id": f"{so}-r",
                    "po_number": view["supply"][0]["document_number"],
                    "po_line": 1,
                    "quantity": 3,
                },
            )
        await asyncio.gather(*(stack.wait_status(so, "AWAITING_SHIPPING") for so in orders))
        await stack.call("POST", "/pick-waves", role="scanner", json={"organization": "M1"})
        for so in orders:
            await stack.call(
                "POST",
                "/scans/picks",
                role="scanner",
                json={
                    "scan_id": f"{so}-p",
                    "order_number": so,
                    "line_number": 1,
                    "picked_quantity": 3,
                },
            )
        await asyncio.gather(*(stack.wait_status(so, "STAGED") for so in orders))
        for so in orders:
            await stack.call(
                "POST",
                "/scans/shipments",
                role="scanner",
                json={
                    "scan_id": f"{so}-s",
                    "order_number": so,
                    "line_number": 1,
                    "shipped_quantity": 3,
                },
            )
        # And again while the lines are invoicing.
        await poll(
            lambda: stack.scalar("SELECT count(*) FROM ar_invoices"),
            lambda n: n >= 1,
            interval=0.01,
        )
        kill(worker)
        worker = start_worker(stack, temporal_env)
        await asyncio.gather(*(stack.wait_status(so, "CLOSED", timeout=60) for so in orders))
    finally:
        worker.terminate()
        worker.wait()
    for table in ("purchase_orders", "ar_invoices", "ap_invoices", "supply_orders", "requisitions"):
        assert await stack.scalar(f"SELECT count(*) FROM {table}") == lines, table
    assert (
        await stack.scalar("SELECT count(DISTINCT (order_number, line_number)) FROM ar_invoices")
        == lines
    )
    assert (
        await stack.scalar("SELECT count(*) FROM business_events WHERE type = 'LINE_CLOSED'")
        == lines
    )
