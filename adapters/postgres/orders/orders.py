"""Booking sales orders into the system of record."""

from __future__ import annotations

from typing import Any

import asyncpg

from adapters.errors import NotFound, Refusal
from adapters.postgres.common import Connection
from adapters.postgres.kits.booking import with_components
from adapters.postgres.line import ledger as line_ledger
from adapters.postgres.orders.booking import Catalog, line_input_of
from adapters.postgres.outbox.events import append_event
from adapters.postgres.setup.master_data import order_rules
from domain.models import OrderIn, OrderInput
from domain.order_rules import apply_order_rules
from domain.statuses import EventType

# What `Orders.header_on` answers of the order and of its credit authorization.
HEADER = (
    "customer_number",
    "customer_po_number",
    "currency",
    "requested_ship_date",
    "organization",
    "booked_at",
    "released_sets",
)
CREDIT = ("status", "amount", "currency", "reason", "updated_at")


class Orders:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def book(self, order: OrderIn) -> tuple[bool, bool, OrderInput]:
        """Record the order and its lines. Returns (created, workflow started, workflow
        input); a known order number books nothing and returns what was booked the first
        time, and whether its workflow was started yet."""
        async with self._pool.acquire() as conn, conn.transaction():
            # Serializes two bookings of the same new number.
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", order.order_number)
            known = await conn.fetchrow(
                "SELECT workflow_started_at FROM orders WHERE order_number = $1",
                order.order_number,
            )
            if known is not None:
                started = known["workflow_started_at"] is not None
                return False, started, await self._order_input(conn, order.order_number)
            customer = await conn.fetchrow(
                "SELECT * FROM customers WHERE number = $1", order.customer_number
            )
            if customer is None:
                raise Refusal(
                    422,
                    f"customer_number: unknown customer {order.customer_number!r}",
                    field="customer_number",
                )
            catalog = await Catalog.load(conn, order)
            organization = catalog.organization(order.organization, "organization")
            # Rules set line flags as the order is saved, before anything is recorded; the
            # request is kept as it was sent.
            ruled = apply_order_rules(
                order,
                await order_rules(conn),
                drop_shipped=catalog.drop_ship_lines(order, organization),
            )
            booked = [
                booked_line
                for i, line in enumerate(ruled.order.lines)
                for booked_line in with_components(
                    catalog,
                    catalog.line_input(ruled.order, i, customer, organization).model_copy(
                        update={"applied_rules": ruled.line_rules.get(line.line_number, [])}
                    ),
                    line,
                    customer,
                    f"lines[{i}]",
                )
            ]
            # The order's own lines; a kit's components are lines of its kit.
            lines = [li for li in booked if li.kit_line_number is None]
            order_input = OrderInput(
                order_number=order.order_number,
                customer_number=order.customer_number,
                customer_po_number=order.customer_po_number,
                currency=order.currency,
                requested_ship_date=order.requested_ship_date,
                lines=lines,
                line_count=len(lines),
            )
            # The workflow starts its lines from their rows (starts_lines).
            await conn.execute(
                "INSERT INTO orders (order_number, customer_number, customer_po_number, currency,"
                " requested_ship_date, organization, request, ship_complete, starts_lines)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true)",
                order.order_number,
                order.customer_number,
                order.customer_po_number,
                order.currency,
                order.requested_ship_date,
                organization,
                order.model_dump(mode="json"),
                order.ship_complete,
            )
            await line_ledger.insert_lines(conn, booked)
            await append_event(
                conn,
                key=f"order-{order.order_number}:booked",
                type=EventType.ORDER_BOOKED,
                order_number=order.order_number,
                line_number=None,
                data={"customer_number": order.customer_number, "lines": len(lines)},
            )
            for applied in ruled.applied:
                await append_event(
                    conn,
                    key=f"order-{order.order_number}:rule:{applied.rule}",
                    type=EventType.ORDER_RULE_APPLIED,
                    order_number=order.order_number,
                    line_number=None,
                    data={
                        "rule": applied.rule,
                        "lines": list(applied.line_numbers),
                        "set": applied.assignments,
                        "detail": applied.sentence(),
                    },
                )
            return True, False, order_input

    async def _order_input(self, conn: Connection, order_number: str) -> OrderInput:
        """The booked order as its workflow and its answer name it, from what was recorded."""
        order = await conn.fetchrow("SELECT * FROM orders WHERE order_number = $1", order_number)
        if order is None:
            raise NotFound(f"order {order_number}")
        rows = await conn.fetch(
            "SELECT * FROM fulfillment_lines WHERE order_number = $1"
            " AND kit_line_number IS NULL ORDER BY line_number",
            order_number,
        )
        return OrderInput(
            order_number=order_number,
            customer_number=order["customer_number"],
            customer_po_number=order["customer_po_number"],
            currency=order["currency"],
            requested_ship_date=order["requested_ship_date"],
            lines=[line_input_of(r, order) for r in rows],
            line_count=len(rows),
        )

    async def order_input(self, order_number: str) -> OrderInput:
        async with self._pool.acquire() as conn:
            return await self._order_input(conn, order_number)

    async def input_on(self, conn: Connection, order_number: str) -> OrderInput:
        """The workflow input of a booked order, read on the caller's connection (the relay
        holds the order's row locked while it starts it)."""
        return await self._order_input(conn, order_number)

    async def mark_started(self, order_number: str) -> None:
        async with self._pool.acquire() as conn:
            await self.mark_started_on(conn, order_number)

    @staticmethod
    async def mark_started_on(conn: Connection, order_number: str) -> None:
        """Temporal took the order's workflow start (the API's or the relay's); a start the
        relay had failed on is settled by this one. One statement: one round trip."""
        await conn.execute(
            "WITH settled AS (DELETE FROM order_start_failures WHERE order_number = $1)"
            " UPDATE orders SET workflow_started_at = now()"
            " WHERE order_number = $1 AND workflow_started_at IS NULL",
            order_number,
        )

    async def header(self, order_number: str) -> dict[str, Any]:
        async with self._pool.acquire() as conn:
            return await self.header_on(conn, order_number)

    @staticmethod
    async def header_on(conn: Connection, order_number: str) -> dict[str, Any]:
        """The order's header, its released shipment sets, its credit authorization's row
        (`credit`, None without one) and its line rows, in one round trip: integrators
        poll this while they wait on a status. The header's columns come on every line's
        row, under `HEADER` names."""
        rows = await conn.fetch(
            "SELECT o.customer_number AS h_customer_number,"
            " o.customer_po_number AS h_customer_po_number, o.currency AS h_currency,"
            " o.requested_ship_date AS h_requested_ship_date,"
            " o.organization AS h_organization, o.booked_at AS h_booked_at,"
            " (SELECT coalesce(array_agg(r.shipment_set), '{}') FROM shipment_set_releases r"
            "  WHERE r.order_number = o.order_number) AS h_released_sets,"
            " a.status AS c_status, a.amount AS c_amount, a.currency AS c_currency,"
            " a.reason AS c_reason, a.updated_at AS c_updated_at, l.*"
            " FROM orders o LEFT JOIN credit_authorizations a ON a.order_number = o.order_number"
            " LEFT JOIN fulfillment_lines l ON l.order_number = o.order_number"
            " AND l.kit_line_number IS NULL"  # a kit's components show in its kit line
            " WHERE o.order_number = $1 ORDER BY l.line_number",
            order_number,
        )
        if not rows:
            raise NotFound(f"order {order_number}")
        first = rows[0]
        header = {
            "order_number": order_number,
            **{name: first[f"h_{name}"] for name in HEADER},
            "credit": {name: first[f"c_{name}"] for name in CREDIT},
        }
        lines = [
            {k: v for k, v in r.items() if not k.startswith(("h_", "c_"))}
            for r in rows
            if r["line_number"] is not None
        ]
        return {**header, "lines": lines}

    async def lines_after(self, order_number: str, *, after: int, limit: int) -> list[Any]:
        """The order's line rows after a line number, in line order; NotFound for no order."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT * FROM fulfillment_lines WHERE order_number = $1 AND line_number > $2"
                " AND kit_line_number IS NULL ORDER BY line_number LIMIT $3",
                order_number,
                after,
                limit,
            )
            if not rows and not await conn.fetchval(
                "SELECT 1 FROM orders WHERE order_number = $1", order_number
            ):
                raise NotFound(f"order {order_number}")
        return [dict(r) for r in rows]

    async def kit_component_rows(
        self, order_number: str, kit_line: int
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """A kit line's component rows, in component order, and its AR invoices as the line
        view shows invoices (the kit bills once, as it closes)."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT * FROM fulfillment_lines WHERE order_number = $1"
                " AND kit_line_number = $2 ORDER BY line_number",
                order_number,
                kit_line,
            )
            invoices = await conn.fetch(
                "SELECT invoice_number, amount FROM ar_invoices WHERE order_number = $1"
                " AND line_number = $2 ORDER BY created_at, invoice_number",
                order_number,
                kit_line,
            )
        billed = [
            {
                "kind": "AR",
                "invoice_number": i["invoice_number"],
                "amount": str(i["amount"]),
                "status": "CREATED",
            }
            for i in invoices
        ]
        return [dict(r) for r in rows], billed

    async def line_row(self, order_number: str, line_number: int) -> dict[str, Any]:
        """A line's stored row, with its order's `customer_number` and
        `order_requested_ship_date`."""
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(
                "SELECT l.*, o.customer_number,"
                " o.requested_ship_date AS order_requested_ship_date FROM fulfillment_lines l"
                " JOIN orders o USING (order_number)"
                " WHERE l.order_number = $1 AND l.line_number = $2",
                order_number,
                line_number,
            )
        if row is None:
            raise NotFound(f"line {line_number} of order {order_number}")
        return dict(row)
