"""Applying a setup document: one writer per section, in the order their references need
(organizations, suppliers and customers before items; items before agreements, work, sourcing
and stock), all in the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from adapters.errors import Refusal
from adapters.postgres.common import Connection
from adapters.postgres.kits.setup import write_kit_components
from adapters.postgres.receiving.free_stock import allocate_waiting, lock_waiting_lines
from adapters.postgres.setup.input_checks import refuse_imprecise
from domain.models import ItemIn, SetupDocument, VariantIn, json_quantity


async def _require(conn: Connection, sql: str, value: Any, path: str, what: str) -> None:
    if value is not None and not await conn.fetchval(sql, value):
        raise Refusal(422, f"{path}: unknown {what} {value!r}", field=path)


async def _organization(conn: Connection, code: str | None, path: str) -> None:
    await _require(conn, "SELECT 1 FROM organizations WHERE code = $1", code, path, "organization")


async def _supplier(conn: Connection, number: str | None, path: str) -> None:
    await _require(conn, "SELECT 1 FROM suppliers WHERE number = $1", number, path, "supplier")


async def _item(conn: Connection, number: str | None, path: str) -> None:
    await _require(conn, "SELECT 1 FROM items WHERE number = $1", number, path, "item")


async def _customer(conn: Connection, number: str | None, path: str) -> None:
    await _require(conn, "SELECT 1 FROM customers WHERE number = $1", number, path, "customer")


async def _organizations(conn: Connection, doc: SetupDocument, outbox: list[int]) -> int:
    for org in doc.organizations:
        if org.default:
            await conn.execute(
                "UPDATE organizations SET is_default = false WHERE is_default AND code <> $1",
                org.code,
            )
        await conn.execute(
            "INSERT INTO organizations (code, name, is_default) VALUES ($1, $2, $3)"
            " ON CONFLICT (code) DO UPDATE SET name = $2, is_default = $3",
            org.code,
            org.name,
            org.default,
        )
    return len(doc.organizations)


async def _suppliers(conn: Connection, doc: SetupDocument, outbox: list[int]) -> int:
    for sup in doc.suppliers:
        await conn.execute(
            "INSERT INTO suppliers (number, name, site, active) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (number) DO UPDATE SET name = $2, site = $3, active = $4",
            sup.number,
            sup.name,
            sup.site,
            sup.active,
        )
    return len(doc.suppliers)


async def _customers(conn: Connection, doc: SetupDocument, outbox: list[int]) -> int:
    for i, cust in enumerate(doc.customers):
        if cust.party_id is not None:
            other = await conn.fetchval(
                "SELECT number FROM customers WHERE party_id = $1 AND number <> $2",
                cust.party_id,
                cust.number,
            )
            if other:
                path = f"customers[{i}].party_id"
                raise Refusal(
                    422,
                    f"{path}: party_id {cust.party_id} belongs to customer {other}",
                    field=path,
                )
        await conn.execute(
            "INSERT INTO customers (number, name, back_to_back, credit_limit, party_id)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (number) DO UPDATE SET"
            " name = $2, back_to_back = $3, credit_limit = $4, party_id = $5",
            cust.number,
            cust.name,
            cust.back_to_back,
            cust.credit_limit,
            cust.party_id,
        )
    return len(doc.customers)


async def _items(conn: Connection, doc: SetupDocument, outbox: list[int]) -> int:
    for i, item in enumerate(doc.items):
        await _upsert_item(conn, item, number=item.number, parent=None)
        await conn.execute("DELETE FROM volume_discounts WHERE item = $1", item.number)
        for tier in item.volume_discounts:
            await conn.execute(
                "INSERT INTO volume_discounts (item, min_quantity, unit_discount)"
                " VALUES ($1, $2, $3)",
                item.number,
                tier.min_quantity,
                tier.unit_discount,
            )
        for j, variant in enumerate(item.variants):
            await _variant(conn, item, variant, f"items[{i}].variants[{j}].number")
    return len(doc.items)


async def _variant(conn: Connection, item: ItemIn, variant: VariantIn, path: str) -> None:
    """A variant takes its item's unit, precision, purchasing and cost; an item that is not
    a variant cannot become one."""
    parent = await conn.fetchval("SELECT parent_item FROM items WHERE number = $1", variant.number)
    if parent is None and await conn.fetchval(
        "SELECT 1 FROM items WHERE number = $1 AND parent_item IS NULL AND number <> $2",
        variant.number,
        item.number,
    ):
        raise Refusal(422, f"{path}: {variant.number} is an item, not a variant", field=path)
    await _upsert_item(
        conn,
        item,
        number=variant.number,
        parent=item.number,
        description=variant.description or item.description,
        list_price=variant.list_price if variant.list_price is not None else item.list_price,
        b2b=variant.back_to_back_enabled,
    )


async def _upsert_item(
    conn: Connection,
    item: ItemIn,
    *,
    number: str,
    parent: str | None,
    description: str | None = None,
    list_price: Decimal | None = None,
    b2b: bool | None = None,
) -> None:
    """An item, or one of its variants (which override description, price and flag)."""
    await conn.execute(
        "INSERT INTO items (number, description, uom, list_price, back_to_back_enabled,"
        " purchasable, purchased, cost, parent_item, quantity_decimal_places)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (number) DO UPDATE"
        " SET description = $2, uom = $3, list_price = $4, back_to_back_enabled = $5,"
        " purchasable = $6, purchased = $7, cost = $8, parent_item = $9,"
        " quantity_decimal_places = $10",
        number,
        description if parent else item.description,
        item.uom,
        list_price if parent else item.list_price,
        b2b if parent else item.back_to_back_enabled,
        item.purchasable,
        item.purchased,
        item.cost,
        parent,
        item.quantity_decimal_places,
    )


async def _blanket_agreements(conn: Connection, doc: SetupDocument, outbox: list[int]) -> int:
    for i, ag in enumerate(doc.blanket_agreements):
        await _supplier(conn, ag.supplier, f"blanket_agreements[{i}].supplier")
        await _item(conn, ag.item, f"blanket_agreements[{i}].item")
        await conn.execute(
            "INSERT INTO blanket_agreements (number, supplier, item, unit_price,"
            " lead_time_days, automatically_generate_orders,"
            " automatically_submit_for_approval, active, over_receipt_tolerance_pct)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (number) DO UPDATE SET"
            " supplier = $2, item = $3, unit_price = $4, lead_time_days = $5,"
            " automatically_generate_orders = $6,"
            " automatically_submit_for_approval = $7, active = $8,"
            " over_receipt_tolerance_pct = $9",
            ag.number,
            ag.supplier,
            ag.item,
            ag.unit_price,
            ag.lead_time_days,
            ag.automatically_generate_orders,
            ag.automatically_submit_for_approval,
            ag.active,
            ag.over_receipt_tolerance_pct,
        )
    return len(doc.blanket_agreements)


async def _work_definitions(conn: Connection, doc: SetupDocument, outbox: list[int]) -> int:
    for i, wd in enumerate(doc.work_definitions):
        await _item(conn, wd.item, f"work_definitions[{i}].item")
        await _organization(conn, wd.organization, f"work_definitions[{i}].organization")
        await conn.execute(
            "INSERT INTO work_definitions (item, organization, lead_time_days,"
            " use_in_planning) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (item, organization) DO UPDATE SET lead_time_days = $3,"
            " use_in_planning = $4",
            wd.item,
            wd.organization,
            wd.lead_time_days,
            wd.use_in_planning,
        )
    return len(doc.work_definitions)


async def _transfer_parameters(conn: Connection, doc: SetupDocument, outbox: list[int]) -> int:
    for i, tp in enumerate(doc.transfer_parameters):
        await _organization(conn, tp.from_organization, f"transfer_parameters[{i}].from")
        await _organization(conn, tp.to_organization, f"transfer_parameters[{i}].to")
        await conn.execute(
            "INSERT INTO transfer_parameters (from_organization, to_organization,"
            " transit_days, transfer_price_markup_pct) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (from_organization, to_organization) DO UPDATE SET"
            " transit_days = $3, transfer_price_markup_pct = $4",
            tp.from_organization,
            tp.to_organization,
            tp.transit_days,
            tp.transfer_price_markup_pct,
        )
    return len(doc.transfer_parameters)


async def _sourcing_rules(conn: Connection, doc: SetupDocument, outbox: list[int]) -> int:
    for i, rule in enumerate(doc.sourcing_rules):
        await _item(conn, rule.item, f"sourcing_rules[{i}].item")
        await _organization(conn, rule.organization, f"sourcing_rules[{i}].organization")
        for j, src in enumerate(rule.sources):
            await _supplier(conn, src.supplier, f"sourcing_rules[{i}].sources[{j}].supplier")
            await _organization(
                conn, src.organization, f"sourcing_rules[{i}].sources[{j}].organization"
            )
        sources = [s.model_dump(mode="json", exclude_none=True) for s in rule.sources]
        await conn.execute(
            "INSERT INTO sourcing_rules (item, organization, sources) VALUES ($1, $2, $3)"
            " ON CONFLICT (item, organization) DO UPDATE SET sources = $3",
            rule.item,
            rule.organization or "",
            sources,
        )
    return len(doc.sourcing_rules)


async def _on_hand(conn: Connection, doc: SetupDocument, outbox: list[int]) -> int:
    for i, oh in enumerate(doc.on_hand):
        await _item(conn, oh.item, f"on_hand[{i}].item")
        await _organization(conn, oh.organization, f"on_hand[{i}].organization")
        await refuse_imprecise(conn, oh.item, {f"on_hand[{i}].quantity": oh.quantity})
        waiting = await lock_waiting_lines(conn, oh.item, oh.organization)
        reserved = await conn.fetchval(
            "SELECT reserved FROM on_hand WHERE item = $1 AND organization = $2 FOR UPDATE",
            oh.item,
            oh.organization,
        ) or Decimal("0")
        if oh.quantity < reserved:
            path = f"on_hand[{i}].quantity"
            raise Refusal(
                409,
                f"{path}: {json_quantity(oh.quantity)} is below the"
                f" {json_quantity(reserved)} already reserved",
                field=path,
            )
        await conn.execute(
            "INSERT INTO on_hand (item, organization, quantity) VALUES ($1, $2, $3)"
            " ON CONFLICT (item, organization) DO UPDATE SET quantity = $3",
            oh.item,
            oh.organization,
            oh.quantity,
        )
        # Stock that arrives serves the lines waiting for it, oldest booking first.
        outbox += await allocate_waiting(
            conn,
            item=oh.item,
            organization=oh.organization,
            waiting=waiting,
            cause=f"stock-{uuid.uuid4().hex}",
        )
    return len(doc.on_hand)


async def _parameters(conn: Connection, doc: SetupDocument, outbox: list[int]) -> int:
    if doc.parameters is None:
        return 0
    values = doc.parameters.model_dump(exclude_none=True)
    for name, value in values.items():
        await conn.execute(
            "INSERT INTO parameters (name, value) VALUES ($1, $2)"
            " ON CONFLICT (name) DO UPDATE SET value = $2",
            name,
            value,
        )
    return len(values)


async def _order_rules(conn: Connection, doc: SetupDocument, outbox: list[int]) -> int:
    for i, order_rule in enumerate(doc.order_rules):
        when = order_rule.when
        await _customer(conn, when.customer_number, f"order_rules[{i}].when.customer_number")
        await _item(conn, when.item_number, f"order_rules[{i}].when.item_number")
        await conn.execute(
            "INSERT INTO order_rules (name, conditions, assignments, active)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO UPDATE SET"
            " conditions = $2, assignments = $3, active = $4",
            order_rule.name,
            when.model_dump(mode="json", exclude_none=True),
            order_rule.assignments.model_dump(mode="json", exclude_none=True),
            order_rule.active,
        )
    return len(doc.order_rules)


async def _hold_codes(conn: Connection, doc: SetupDocument, outbox: list[int]) -> int:
    for hold_code in doc.hold_codes:
        await conn.execute(
            "INSERT INTO hold_codes (code, name, blocks) VALUES ($1, $2, $3)"
            " ON CONFLICT (code) DO UPDATE SET name = $2, blocks = $3",
            hold_code.code,
            hold_code.name,
            [str(step) for step in hold_code.blocks],
        )
    return len(doc.hold_codes)


Section = Callable[[Connection, SetupDocument, list[int]], Awaitable[int]]
SECTIONS: tuple[tuple[str, Section], ...] = (
    ("organizations", _organizations),
    ("suppliers", _suppliers),
    ("customers", _customers),
    ("items", _items),
    ("kits", write_kit_components),
    ("blanket_agreements", _blanket_agreements),
    ("work_definitions", _work_definitions),
    ("transfer_parameters", _transfer_parameters),
    ("sourcing_rules", _sourcing_rules),
    ("on_hand", _on_hand),
    ("parameters", _parameters),
    ("order_rules", _order_rules),
    ("hold_codes", _hold_codes),
)


async def write_setup(conn: Connection, doc: SetupDocument) -> tuple[dict[str, int], list[int]]:
    """Write every section; returns the count of each non-empty one and the outbox ids of
    signals owed to lines that new stock was reserved to."""
    counts: dict[str, int] = {}
    outbox: list[int] = []
    for name, write in SECTIONS:
        if written := await write(conn, doc, outbox):
            counts[name] = written
    return counts, outbox
