"""The merged steps of a line (`source_line`, `bill_and_close`) against PostgreSQL: run
twice with the same key (a retry after a lost result), they make each document once and
answer the same; a part whose document cannot be made leaves nothing behind."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import asyncpg

from activities.lines import LineActivities
from activities.outcomes import LineBilled
from activities.payloads import CloseStep, PurchaseOrderRef, SourceStep
from adapters.postgres.line_steps import LineSteps, make_parts_in
from adapters.postgres.orders.cancellations import Cancellations
from adapters.postgres.orders.orders import Orders
from adapters.postgres.receiving.inventory import Inventory
from adapters.postgres.setup.master_data import MasterData
from adapters.postgres.warehouse.shipping import Shipping
from domain.line import line_status
from domain.models import (
    OrderIn,
    PickScanIn,
    ReceiptScanIn,
    SetupDocument,
    ShipScanIn,
    SourcingDecision,
)
from domain.statuses import SupplyType
from tests.conftest import order_number
from tests.fixtures import demo_setup, laptop_order
from tests.test_idempotency import count, twice
from tests.test_transfer_flow import transfer_setup

TODAY = date(2026, 11, 23)


def invoices_of(billed: LineBilled) -> list[tuple[str, Decimal, str]]:
    found = [billed.ar_invoice] if billed.ar_invoice else []
    return [(i.invoice_number, i.amount, i.status) for i in found + billed.ap_invoices]


async def test_source_and_bill_twice_make_each_document_once(pool: asyncpg.Pool) -> None:
    await MasterData(pool).apply_setup(SetupDocument.model_validate(demo_setup()))
    so = order_number()
    _, _, order = await Orders(pool).book(OrderIn.model_validate(laptop_order(so, 10)))
    line, wf = order.lines[0], f"order-{so}-line-1"
    steps = LineActivities(LineSteps(pool))
    tables = ("supply_orders", "requisitions", "purchase_orders", "purchase_order_lines", "pegs")
    before = {t: await count(pool, t) for t in tables}

    sourced = await twice(
        steps.source_line,
        SourceStep(key=f"{wf}:source-0-0", line=line, workflow_id=wf, today=TODAY),
    )
    assert [p.supply_type for p in sourced.parts] == [SupplyType.BUY]
    po = sourced.parts[0].purchase_order
    assert po is not None and po.quantity == 10 and line_status(sourced.ledger) == "AWAITING_SUPPLY"
    for table in tables:
        assert await count(pool, table) == before[table] + 1, table

    await Inventory(pool).receive(
        ReceiptScanIn(scan_id=f"{so}-r", po_number=po.po_number, quantity=Decimal(10))
    )
    shipping = Shipping(pool)
    await shipping.pick_wave(organization="M1", order_number=so)
    await shipping.confirm_pick(
        PickScanIn(scan_id=f"{so}-p", order_number=so, line_number=1, picked_quantity=Decimal(10))
    )
    await shipping.confirm_ship(
        ShipScanIn(scan_id=f"{so}-s", order_number=so, line_number=1, shipped_quantity=Decimal(10))
    )
    invoices = {t: await count(pool, t) for t in ("ar_invoices", "ap_invoices")}
    close = CloseStep(
        key=f"{wf}:close",
        line=line,
        purchase_orders=[PurchaseOrderRef(po_number=po.po_number, po_line=po.po_line)],
        supply_types=[SupplyType.BUY],
    )
    billed = await steps.bill_and_close(close)
    again = await steps.bill_and_close(close)
    # The same invoices; the billing phase entered again only moves the ledger's version.
    assert invoices_of(again) == invoices_of(billed)
    assert again.ledger.model_copy(update={"version": billed.ledger.version}) == billed.ledger
    assert billed.ar_invoice is not None and billed.ar_invoice.amount == Decimal("14500.00")
    assert [ap.status for ap in billed.ap_invoices] == ["VALIDATED"]
    assert billed.ledger.invoiced == 10
    for table, was in invoices.items():
        assert await count(pool, table) == was + 1, table
    async with pool.acquire() as conn:
        assert (
            await conn.fetchval(
                "SELECT status FROM purchase_order_lines WHERE po_number = $1", po.po_number
            )
            == "CLOSED"
        )


async def test_a_line_canceled_first_gets_no_document(pool: asyncpg.Pool) -> None:
    await MasterData(pool).apply_setup(SetupDocument.model_validate(demo_setup()))
    so = order_number()
    _, _, order = await Orders(pool).book(OrderIn.model_validate(laptop_order(so, 3)))
    line, wf = order.lines[0], f"order-{so}-line-1"
    await Cancellations(pool).cancel_line(
        order_number=so, line_number=1, quantity=Decimal(3), reason="test", request_id="c1"
    )
    before = await count(pool, "supply_orders")
    sourced = await LineActivities(LineSteps(pool)).source_line(
        SourceStep(key=f"{wf}:source-0-0", line=line, workflow_id=wf, today=TODAY)
    )
    assert [(p.canceled_first, p.supply_order_number) for p in sourced.parts] == [(True, None)]
    assert await count(pool, "supply_orders") == before  # the savepoint took it back


async def test_a_transfer_short_of_free_stock_leaves_nothing_behind(pool: asyncpg.Pool) -> None:
    """The source's free stock was taken after the decision read it: nothing is made, not
    even the supply order, and the source's stock is as it was."""
    await MasterData(pool).apply_setup(SetupDocument.model_validate(transfer_setup(3)))
    so = order_number()
    order_in = laptop_order(so, 4)
    order_in["lines"][0]["item_number"] = "UPS-3KVA"
    _, _, order = await Orders(pool).book(OrderIn.model_validate(order_in))
    line, wf = order.lines[0], f"order-{so}-line-1"
    transfer = SourcingDecision(
        supply_type=SupplyType.TRANSFER, source_organization="M2", lead_time_days=2
    )
    before = await count(pool, "supply_orders")
    async with pool.acquire() as conn, conn.transaction():
        made = await make_parts_in(
            conn, key=f"{wf}:source-0-0", line=line, parts=[transfer], workflow_id=wf, today=TODAY
        )
    assert [(p.short, p.supply_order_number) for p in made] == [(True, None)]
    assert await count(pool, "supply_orders") == before
    async with pool.acquire() as conn:
        assert await conn.fetchval(
            "SELECT array[quantity, reserved]::int[] FROM on_hand WHERE item = 'UPS-3KVA'"
            " AND organization = 'M2'"
        ) == [3, 0]
