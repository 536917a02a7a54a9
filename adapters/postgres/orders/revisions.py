"""Order revisions: quantity changes to booked lines and new lines, all validated before
anything changes, applied in one transaction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import asyncpg

from adapters.errors import NotFound, Refusal
from adapters.postgres.common import Connection
from adapters.postgres.kits.booking import with_components
from adapters.postgres.kits.lines import lock_components, whole_kits_only
from adapters.postgres.line import ledger as line_ledger
from adapters.postgres.orders.booking import Catalog
from adapters.postgres.orders.cancellations import BACK_FROM_BACKORDER, Cancellations
from adapters.postgres.orders.credit import authorize_revision
from adapters.postgres.orders.orders import Orders
from adapters.postgres.orders.ship_dates import move_ship_dates
from adapters.postgres.outbox.events import append_event
from adapters.postgres.outbox.owed_signals import enqueue_signal
from adapters.postgres.outbox.tell import tell
from adapters.postgres.receiving.free_stock import record_stock_reservation, take_free_stock
from adapters.postgres.setup.input_checks import refuse_imprecise, refuse_oversized
from adapters.postgres.setup.master_data import order_rules
from domain.identity import line_workflow_id, order_workflow_id
from domain.inputs import MAX_ORDER_LINES
from domain.line import Increase
from domain.models import (
    LineChangeIn,
    LinesAddedSignal,
    OrderIn,
    QuantityIncreasedSignal,
    RevisionIn,
    json_quantity,
)
from domain.order_rules import apply_order_rules
from domain.signals import LINES_ADDED, QUANTITY_INCREASED
from domain.statuses import (
    SHIPPED_LINE_STATUSES,
    TERMINAL_LINE_STATUSES,
    EventType,
    LineStatus,
)

# Once released to the warehouse a line's quantity may only go down: more would need a
# second pick for the same line.
RELEASED = frozenset({LineStatus.PICK_RELEASED, LineStatus.STAGED})
REVISED_BY_CUSTOMER = "Revised by the customer"


def _open(line: Any) -> Decimal:
    return line_ledger.ledger_of(line).open


def check_change(line: Any, change: LineChangeIn, path: str) -> None:
    """Refuse a change the line cannot take, naming the field and the rule."""
    number = change.line_number
    if line["status"] == LineStatus.CANCELED:
        raise Refusal(409, f"{path}: line {number} is canceled", field=path)
    shipped = line["shipped_quantity"]
    partly_shipped = shipped > 0 and line["status"] in BACK_FROM_BACKORDER
    if line["status"] in SHIPPED_LINE_STATUSES or (shipped > 0 and not partly_shipped):
        raise Refusal(
            409,
            f"{path}: line {number} has shipped; a revision can no longer change it",
            field=path,
        )
    if (
        partly_shipped
        and change.quantity is not None
        and not (shipped <= change.quantity <= _open(line))
    ):
        raise Refusal(
            409,
            f"{path}.quantity: line {number} has shipped {json_quantity(shipped)} and waits"
            " for the rest; it may only go down, to no less than what shipped",
            field=f"{path}.quantity",
        )
    for flag in ("cancel_backorders", "enforce_single_shipment"):
        wanted = getattr(change, flag)
        if wanted is not None and wanted != line[flag]:
            raise Refusal(
                409,
                f"{path}.{flag}: fixed when the order was booked ({str(line[flag]).lower()});"
                " add a new line in a revision to set it",
                field=f"{path}.{flag}",
            )
    if change.quantity is not None and change.quantity > _open(line) and line["status"] in RELEASED:
        raise Refusal(
            409,
            f"{path}.quantity: line {number} is {line['status']}; once released to the"
            " warehouse its quantity can only go down",
            field=f"{path}.quantity",
        )


class Revisions:
    def __init__(self, pool: asyncpg.Pool, *, orders: Orders, cancellations: Cancellations) -> None:
        self._pool = pool
        self._orders = orders
        self._cancellations = cancellations

    async def revise(
        self, order_number: str, revision: RevisionIn, *, request_id: str
    ) -> tuple[dict[str, Any], list[int]]:
        """Apply a revision: a lower quantity cancels the difference (the customer's reason
        is kept for later backorder cancels), a higher one is owed supply, new lines are
        booked and started by the order workflow. Nothing changes unless all of it can."""
        async with self._pool.acquire() as conn, conn.transaction():
            # The lines, then the order (the lock order of every path that takes both).
            lines = {
                r["line_number"]: r
                for r in await conn.fetch(
                    "SELECT * FROM fulfillment_lines WHERE order_number = $1"
                    " ORDER BY line_number FOR UPDATE",
                    order_number,
                )
            }
            order = await conn.fetchrow(
                "SELECT * FROM orders WHERE order_number = $1 FOR UPDATE", order_number
            )
            if order is None:
                raise NotFound(f"order {order_number}")
            for i, change in enumerate(revision.change_lines):
                path = f"change_lines[{i}]"
                line = lines.get(change.line_number)
                if line is None:
                    raise Refusal(
                        422,
                        f"{path}.line_number: order {order_number} has no line"
                        f" {change.line_number}",
                        field=f"{path}.line_number",
                    )
                check_change(line, change, path)
                await refuse_imprecise(
                    conn, line["item_number"], {f"{path}.quantity": change.quantity}
                )
            dates, outbox = await move_ship_dates(conn, order, lines, revision, request_id)
            if revision.requested_ship_date is not None:  # added lines take the new date
                order = await conn.fetchrow(
                    "SELECT * FROM orders WHERE order_number = $1", order_number
                )
            added = await self._new_lines(conn, order, lines, revision)
            changed: list[dict[str, Any]] = []
            for change in revision.change_lines:
                line = lines[change.line_number]
                if change.quantity is None or change.quantity == _open(line):
                    continue
                if change.quantity < _open(line):
                    body, ids = await self._cancellations.cancel_in(
                        conn,
                        order_number,
                        change.line_number,
                        _open(line) - change.quantity,
                        change.reason or REVISED_BY_CUSTOMER,
                        request_id,
                        reason_given=change.reason is not None,
                    )
                else:
                    body, ids = await self._increase_line(
                        conn, line, change.quantity - _open(line), request_id
                    )
                changed.append(body)
                outbox += ids
            if added:
                outbox += await self._book_lines(conn, order, added, request_id)
            # More to pay is a new credit check; refused, the whole revision rolls back.
            await authorize_revision(conn, order_number, key=f"revision-{request_id}")
            await append_event(
                conn,
                key=f"revision-{request_id}",
                type=EventType.ORDER_REVISED,
                order_number=order_number,
                line_number=None,
                data={
                    "changed_lines": [c["line_number"] for c in changed],
                    "added_lines": [li.line_number for li in added if li.kit_line_number is None],
                    "requested_ship_date": order["requested_ship_date"].isoformat()
                    if order["requested_ship_date"]
                    else None,
                    "moved_dates": dates,
                },
            )
            return {
                "order_number": order_number,
                "requested_ship_date": order["requested_ship_date"],
                "changed": changed,
                "moved_dates": dates,
                "added": [
                    {
                        "line_number": li.line_number,
                        "workflow_id": line_workflow_id(order_number, li.line_number),
                        "cancel_backorders": li.cancel_backorders,
                        "enforce_single_shipment": li.enforce_single_shipment,
                    }
                    for li in added
                    if li.kit_line_number is None
                ],
            }, outbox

    async def _new_lines(
        self, conn: Connection, order: Any, lines: dict[int, Any], revision: RevisionIn
    ) -> list[Any]:
        """The new lines as the booking would make them (order rules included); refused
        when a number is taken or the order is done."""
        if not revision.add_lines:
            return []
        if order["closed_at"] is not None or all(
            line["status"] in TERMINAL_LINE_STATUSES for line in lines.values()
        ):
            raise Refusal(
                409,
                f"add_lines: order {order['order_number']} is done (every line closed or"
                " canceled); book a new order",
                field="add_lines",
            )
        if len(lines) + len(revision.add_lines) > MAX_ORDER_LINES:
            raise Refusal(
                422,
                f"add_lines: an order has at most {MAX_ORDER_LINES} lines; order"
                f" {order['order_number']} has {len(lines)}",
                field="add_lines",
            )
        for i, new in enumerate(revision.add_lines):
            if new.line_number in lines:
                raise Refusal(
                    409,
                    f"add_lines[{i}].line_number: line {new.line_number} exists; change it"
                    " under change_lines",
                    field=f"add_lines[{i}].line_number",
                )
        customer = await conn.fetchrow(
            "SELECT * FROM customers WHERE number = $1", order["customer_number"]
        )
        request = OrderIn(
            order_number=order["order_number"],
            customer_number=order["customer_number"],
            customer_po_number=order["customer_po_number"],
            currency=order["currency"],
            requested_ship_date=order["requested_ship_date"],
            lines=revision.add_lines,
        )
        catalog = await Catalog.load(conn, request)
        ruled = apply_order_rules(
            request,
            await order_rules(conn),
            drop_shipped=catalog.drop_ship_lines(request, order["organization"]),
        )
        new_lines = []
        for i, line in enumerate(ruled.order.lines):
            try:
                built = with_components(
                    catalog,
                    catalog.line_input(ruled.order, i, customer, order["organization"]).model_copy(
                        update={"applied_rules": ruled.line_rules.get(line.line_number, [])}
                    ),
                    line,
                    customer,
                    f"lines[{i}]",
                )
            except Refusal as refusal:
                raise Refusal(
                    refusal.status,
                    "add_" + refusal.reason
                    if refusal.reason.startswith("lines[")
                    else refusal.reason,
                    field="add_" + refusal.field if refusal.field else None,
                ) from refusal
            new_lines += built
        if not order["starts_lines"]:  # its workflow is handed the added lines' inputs
            refuse_oversized(
                LinesAddedSignal(request_id="0" * 32, lines=new_lines),
                what="the signal of the added lines",
                field="add_lines",
            )
        return new_lines

    async def _book_lines(
        self, conn: Connection, order: Any, added: list[Any], request_id: str
    ) -> list[int]:
        """Record the added lines and tell the order's workflow, which starts them: by
        number when it starts its lines from their rows, else with their inputs."""
        await line_ledger.insert_lines(conn, added)
        signal = (
            LinesAddedSignal(
                request_id=request_id, lines=[], line_numbers=[li.line_number for li in added]
            )
            if order["starts_lines"]
            else LinesAddedSignal(request_id=request_id, lines=added)
        )
        return [
            await enqueue_signal(
                conn,
                workflow_id=order_workflow_id(order["order_number"]),
                signal=LINES_ADDED,
                payload=signal,
            )
        ]

    async def _increase_line(
        self, conn: Connection, line: Any, quantity: Decimal, request_id: str
    ) -> tuple[dict[str, Any], list[int]]:
        """Raise a line; a kit line by whole kits, and each of its components with it."""
        if not line["kit_components"]:
            return await self._increase(conn, line, quantity, request_id)
        whole_kits_only(line, quantity)
        body, outbox = await self._increase(conn, line, quantity, request_id)
        for row in await lock_components(conn, line["order_number"], line["line_number"]):
            _, ids = await self._increase(conn, row, quantity * row["per_kit"], request_id)
            outbox += ids
        return body, outbox

    async def _increase(
        self, conn: Connection, line: Any, quantity: Decimal, request_id: str
    ) -> tuple[dict[str, Any], list[int]]:
        """Raise the line's quantity. A line shipped from stock takes what free stock it
        can now; a back-to-back line is owed supply for the difference by its workflow."""
        key = f"revision-{request_id}:{line['workflow_id']}"
        updated = await line_ledger.record(conn, line, Increase(quantity))
        reserved = Decimal(0)
        if not line["back_to_back"] and updated["status"] != LineStatus.BOOKED:
            reserved = await take_free_stock(
                conn, item=line["item_number"], organization=line["organization"], wanted=quantity
            )
            if reserved > 0:
                _, updated = await record_stock_reservation(
                    conn, line=updated, quantity=reserved, key=key
                )
        outbox = [
            await tell(
                conn,
                line,
                key=key,
                event=EventType.LINE_QUANTITY_INCREASED,
                data={
                    "increased_by": json_quantity(quantity),
                    "ordered_quantity": json_quantity(updated["ordered_quantity"]),
                    "reserved_from_stock": json_quantity(reserved),
                },
                signal=QUANTITY_INCREASED,
                payload=QuantityIncreasedSignal(
                    request_id=request_id,
                    quantity=quantity,
                    reserved_quantity=reserved,
                    ledger=line_ledger.ledger_of(updated),
                ),
            )
        ]
        return {
            "order_number": line["order_number"],
            "line_number": line["line_number"],
            "increased_quantity": json_quantity(quantity),
            "ordered_quantity": json_quantity(updated["ordered_quantity"]),
            "line_status": await conn.fetchval(
                "SELECT status FROM fulfillment_lines WHERE order_number = $1 AND line_number = $2",
                line["order_number"],
                line["line_number"],
            ),
        }, outbox
