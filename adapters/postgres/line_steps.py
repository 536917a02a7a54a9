"""A line's merged steps, each one transaction built from the same writers as the single
steps (same idempotency keys' tables, same UNIQUE constraints):

- `source_line`: the sourcing decision, then per part the supply order and its purchase
  order (with requisition), work order or transfer order, pegged to the line;
- `bill_and_close`: billing phase, AR invoice, AP invoices, supply documents closed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import asyncpg

from activities.outcomes import LineBilled, SourcedPart, SourcingOutcome
from activities.payloads import PurchaseOrderRef
from adapters.postgres.billing.invoices import ap_invoice_in, ar_invoice_in
from adapters.postgres.common import Connection, lock_line
from adapters.postgres.line import ledger as line_ledger
from adapters.postgres.line.ledger import ledger_of
from adapters.postgres.line.phases import enter_phase_in
from adapters.postgres.orders.holds import line_holds
from adapters.postgres.setup.master_data import jeopardy_terms_in, sourcing_inputs_in
from adapters.postgres.supply.manufacturing import close_work_orders_in, work_order_in
from adapters.postgres.supply.procurement import close_purchase_orders_in
from adapters.postgres.supply.purchasing import purchase_order_in, requisition_in, supply_order_in
from adapters.postgres.supply.shortfalls import open_words, settle_shortfalls, shortfalls_of_line
from adapters.postgres.supply.transfers import close_transfer_orders_in, transfer_order_in
from domain.drop_ship import why_not_drop_shipped
from domain.holds import HoldStep, held_because
from domain.line import EnterPhase, Ledger, Phase
from domain.models import LineInput, SourcingDecision
from domain.sourcing import choose_source
from domain.statuses import LineStatus, SupplyType

CLOSE_IN: dict[SupplyType, Callable[..., Awaitable[None]]] = {
    SupplyType.BUY: close_purchase_orders_in,
    SupplyType.DROP_SHIP: close_purchase_orders_in,
    SupplyType.MAKE: close_work_orders_in,
    SupplyType.TRANSFER: close_transfer_orders_in,
}


class _NothingMade(Exception):
    """Rolls a part's savepoint back: its supply order goes with the document not made."""

    def __init__(self, part: SourcedPart) -> None:
        super().__init__(part.supply_type)
        self.part = part


async def _make_documents(
    conn: Connection,
    *,
    key: str,
    line: LineInput,
    part: SourcingDecision,
    workflow_id: str,
    today: date,
) -> SourcedPart:
    assert part.supply_type is not None
    kind = part.supply_type
    supply_order = await supply_order_in(conn, key=f"{key}:supply-order", line=line, decision=part)
    number = supply_order.supply_order_number
    made = SourcedPart(supply_type=kind, supply_order_number=number)
    if kind in (SupplyType.BUY, SupplyType.DROP_SHIP):
        requisition = await requisition_in(
            conn, key=f"{key}:requisition", supply_order_number=number, line=line, decision=part
        )
        made.requisition_number = requisition.requisition_number
        made.purchase_order = await purchase_order_in(
            conn,
            key=f"{key}:purchase-order",
            line=line,
            decision=part,
            supply_order_number=number,
            requisition_number=requisition.requisition_number,
            workflow_id=workflow_id,
            today=today,
        )
        nothing = made.purchase_order is None
    elif kind is SupplyType.MAKE:
        made.work_order = await work_order_in(
            conn,
            key=f"{key}:work-order",
            line=line,
            lead_time_days=part.lead_time_days,
            supply_order_number=number,
            workflow_id=workflow_id,
            today=today,
            quantity=part.quantity,
        )
        nothing = made.work_order is None
    else:
        transfer = await transfer_order_in(
            conn,
            key=f"{key}:transfer-order",
            line=line,
            decision=part,
            supply_order_number=number,
            workflow_id=workflow_id,
            today=today,
        )
        if transfer is not None and transfer.short:
            raise _NothingMade(SourcedPart(supply_type=kind, short=True))
        made.transfer_order = transfer
        nothing = transfer is None
    if nothing:
        raise _NothingMade(SourcedPart(supply_type=kind, canceled_first=True))
    return made


async def source_line_in(
    conn: Connection, *, key: str, line: LineInput, workflow_id: str, today: date
) -> SourcingOutcome:
    """Apply the sourcing rules to `line.quantity`, without the suppliers that cut this
    line's supply, and make each part's documents. A part whose document cannot be made
    (nothing open, or the transfer's free stock taken) makes nothing; the other parts stay.
    All parts made settle the line's open shortfalls as re-sourced."""
    inputs = await sourcing_inputs_in(conn, line.item_number, line.organization)
    shortfalls = await shortfalls_of_line(conn, line.order_number, line.line_number)
    decision = choose_source(
        item_number=line.item_number,
        organization=line.organization,
        quantity=line.quantity,
        excluded_suppliers={s["supplier"] for s in shortfalls},
        drop_ship=line.drop_ship,
        no_drop_ship=why_not_drop_shipped(line),
        **inputs,
    )
    parts = decision.parts or (
        [decision.model_copy(update={"quantity": line.quantity})]
        if decision.supply_type is not None
        else []
    )
    made = await make_parts_in(
        conn, key=key, line=line, parts=parts, workflow_id=workflow_id, today=today
    )
    owed = open_words(shortfalls)
    resourced = bool(owed and made) and not any(p.short or p.canceled_first for p in made)
    if resourced:
        await settle_shortfalls(
            conn,
            key=key,
            order_number=line.order_number,
            line_number=line.line_number,
            settlement="RESOURCED",
            documents=[number for p in made if (number := p.document_number)],
        )
    elif owed and decision.manual_action_reason:
        reason = f"{'; '.join(owed)}; {decision.manual_action_reason}"
        decision = decision.model_copy(update={"manual_action_reason": reason})
    row = await lock_line(conn, line.order_number, line.line_number)
    return SourcingOutcome(
        decision=decision,
        parts=made,
        ledger=ledger_of(row),
        shortfalls=owed,
        resourced=resourced,
        jeopardy_terms=await jeopardy_terms_in(conn),
    )


async def cancel_shortfalls_in(
    conn: Connection, *, key: str, order_number: str, line_number: int
) -> Ledger:
    """A person canceled the quantity a shortfall left without a source: the line leaves
    manual action and waits for the supply it has; its shortfalls are settled CANCELED."""
    row = await lock_line(conn, order_number, line_number)
    if ledger_of(row).phase is Phase.MANUAL:
        row = await line_ledger.record(conn, row, EnterPhase(Phase.SUPPLYING))
    await settle_shortfalls(
        conn,
        key=key,
        order_number=order_number,
        line_number=line_number,
        settlement="CANCELED",
        documents=[],
    )
    return ledger_of(row)


async def make_parts_in(
    conn: Connection,
    *,
    key: str,
    line: LineInput,
    parts: list[SourcingDecision],
    workflow_id: str,
    today: date,
) -> list[SourcedPart]:
    """Each part's documents under a savepoint of its own; a part that makes no document
    rolls its savepoint back. After a part canceled first, no other part is tried."""
    made: list[SourcedPart] = []
    for index, part in enumerate(parts, start=1):
        try:
            async with conn.transaction():
                made.append(
                    await _make_documents(
                        conn,
                        key=f"{key}-{index}",
                        line=line,
                        part=part,
                        workflow_id=workflow_id,
                        today=today,
                    )
                )
        except _NothingMade as nothing:
            made.append(nothing.part)
            if nothing.part.canceled_first:
                break  # nothing is open for the parts after it either
    return made


async def bill_and_close_in(
    conn: Connection,
    *,
    key: str,
    line: LineInput,
    purchase_orders: list[PurchaseOrderRef],
    supply_types: list[SupplyType],
) -> LineBilled:
    """The shipped line enters billing, gets its AR invoice for what is not invoiced yet
    and an AP invoice per purchase order, and its supply documents close. The line is
    closed after, once its workflow shows the invoices: a reader that sees CLOSED in the
    stored row sees them too."""
    order_number, line_number = line.order_number, line.line_number
    row = await lock_line(conn, order_number, line_number)
    if ledger_of(row).phase is not Phase.BILLING:  # not billed by an earlier attempt yet
        held = held_because(await line_holds(conn, order_number, line_number), HoldStep.BILLING)
        if held is not None:
            return LineBilled(ledger=ledger_of(row), held=held)
    await enter_phase_in(
        conn,
        key=f"{key}:billing",
        order_number=order_number,
        line_number=line_number,
        status=LineStatus.AWAITING_BILLING,
        locked=row,
    )
    # A kit's component carries no price: its kit line bills the kits.
    ar = (
        await ar_invoice_in(conn, key=f"{key}:ar-invoice", line=line)
        if line.kit_line_number is None
        else None
    )
    ap = [
        await ap_invoice_in(
            conn,
            key=f"{key}:ap-invoice-{po.po_number}",
            order_number=order_number,
            line_number=line_number,
            po_number=po.po_number,
            po_line=po.po_line,
        )
        for po in purchase_orders
    ]
    for close in dict.fromkeys(CLOSE_IN[type_] for type_ in supply_types):
        await close(
            conn, key=f"{key}:close-supply", order_number=order_number, line_number=line_number
        )
    ledger = ledger_of(await lock_line(conn, order_number, line_number))
    return LineBilled(
        ar_invoice=ar if ar is not None and ar.invoice_number else None,
        ap_invoices=ap,
        ledger=ledger,
    )


class LineSteps:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def source_line(
        self, *, key: str, line: LineInput, workflow_id: str, today: date
    ) -> SourcingOutcome:
        async with self._pool.acquire() as conn, conn.transaction():
            return await source_line_in(
                conn, key=key, line=line, workflow_id=workflow_id, today=today
            )

    async def cancel_shortfalls(self, *, key: str, order_number: str, line_number: int) -> Ledger:
        async with self._pool.acquire() as conn, conn.transaction():
            return await cancel_shortfalls_in(
                conn, key=key, order_number=order_number, line_number=line_number
            )

    async def bill_and_close(
        self,
        *,
        key: str,
        line: LineInput,
        purchase_orders: list[PurchaseOrderRef],
        supply_types: list[SupplyType],
    ) -> LineBilled:
        async with self._pool.acquire() as conn, conn.transaction():
            return await bill_and_close_in(
                conn,
                key=key,
                line=line,
                purchase_orders=purchase_orders,
                supply_types=supply_types,
            )
