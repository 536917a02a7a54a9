"""Master data: applying a setup document and reading what sourcing and booking need."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import asyncpg

from adapters.errors import NotFound, Refusal
from adapters.postgres.common import Connection
from adapters.postgres.free_stock import allocate_waiting, lock_waiting_lines
from adapters.postgres.input_checks import refuse_imprecise
from domain.models import (
    OrderRuleIn,
    OrderRuleSet,
    OrderRuleWhen,
    SetupDocument,
    json_quantity,
)
from domain.readiness import ItemSetup, missing_prerequisites
from domain.sourcing import AgreementTerms, TransferTerms


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


async def order_rules(conn: Connection) -> list[OrderRuleIn]:
    """Every order rule set up, active or not, in name order."""
    rows = await conn.fetch(
        "SELECT name, conditions, assignments, active FROM order_rules ORDER BY name"
    )
    return [
        OrderRuleIn(
            name=r["name"],
            when=OrderRuleWhen.model_validate(r["conditions"]),
            assignments=OrderRuleSet.model_validate(r["assignments"]),
            active=r["active"],
        )
        for r in rows
    ]


class MasterData:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def apply_setup(self, doc: SetupDocument) -> tuple[dict[str, int], list[int]]:
        """Apply every section in one transaction: all of it or, on a bad reference,
        none of it. Applying the same document again changes nothing. Returns the counts
        and the outbox ids of signals owed to lines that new stock was reserved to."""
        counts: dict[str, int] = {}
        outbox: list[int] = []
        async with self._pool.acquire() as conn, conn.transaction():
            for i, org in enumerate(doc.organizations):
                if org.default:
                    await conn.execute(
                        "UPDATE organizations SET is_default = false"
                        " WHERE is_default AND code <> $1",
                        org.code,
                    )
                await conn.execute(
                    "INSERT INTO organizations (code, name, is_default) VALUES ($1, $2, $3)"
                    " ON CONFLICT (code) DO UPDATE SET name = $2, is_default = $3",
                    org.code,
                    org.name,
                    org.default,
                )
                counts["organizations"] = i + 1
            for i, sup in enumerate(doc.suppliers):
                await conn.execute(
                    "INSERT INTO suppliers (number, name, site, active) VALUES ($1, $2, $3, $4)"
                    " ON CONFLICT (number) DO UPDATE SET name = $2, site = $3, active = $4",
                    sup.number,
                    sup.name,
                    sup.site,
                    sup.active,
                )
                counts["suppliers"] = i + 1
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
                counts["customers"] = i + 1
            for i, item in enumerate(doc.items):
                await self._upsert_item(
                    conn,
                    number=item.number,
                    description=item.description,
                    uom=item.uom,
                    places=item.quantity_decimal_places,
                    list_price=item.list_price,
                    b2b=item.back_to_back_enabled,
                    purchasable=item.purchasable,
                    purchased=item.purchased,
                    cost=item.cost,
                    parent=None,
                )
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
                    parent = await conn.fetchval(
                        "SELECT parent_item FROM items WHERE number = $1", variant.number
                    )
                    if parent is None and await conn.fetchval(
                        "SELECT 1 FROM items WHERE number = $1 AND parent_item IS NULL"
                        " AND number <> $2",
                        variant.number,
                        item.number,
                    ):
                        path = f"items[{i}].variants[{j}].number"
                        raise Refusal(
                            422, f"{path}: {variant.number} is an item, not a variant", field=path
                        )
                    await self._upsert_item(
                        conn,
                        number=variant.number,
                        description=variant.description or item.description,
                        uom=item.uom,
                        places=item.quantity_decimal_places,
                        list_price=(
                            variant.list_price
                            if variant.list_price is not None
                            else item.list_price
                        ),
                        b2b=variant.back_to_back_enabled,
                        purchasable=item.purchasable,
                        purchased=item.purchased,
                        cost=item.cost,
                        parent=item.number,
                    )
                counts["items"] = i + 1
            for i, ag in enumerate(doc.blanket_agreements):
                await _supplier(conn, ag.supplier, f"blanket_agreements[{i}].supplier")
                await _item(conn, ag.item, f"blanket_agreements[{i}].item")
                await conn.execute(
                    "INSERT INTO blanket_agreements (number, supplier, item, unit_price,"
                    " lead_time_days, automatically_generate_orders,"
                    " automatically_submit_for_approval, active)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (number) DO UPDATE SET"
                    " supplier = $2, item = $3, unit_price = $4, lead_time_days = $5,"
                    " automatically_generate_orders = $6,"
                    " automatically_submit_for_approval = $7, active = $8",
                    ag.number,
                    ag.supplier,
                    ag.item,
                    ag.unit_price,
                    ag.lead_time_days,
                    ag.automatically_generate_orders,
                    ag.automatically_submit_for_approval,
                    ag.active,
                )
                counts["blanket_agreements"] = i + 1
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
                counts["work_definitions"] = i + 1
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
                counts["transfer_parameters"] = i + 1
            for i, rule in enumerate(doc.sourcing_rules):
                await _item(conn, rule.item, f"sourcing_rules[{i}].item")
                await _organization(conn, rule.organization, f"sourcing_rules[{i}].organization")
                for j, src in enumerate(rule.sources):
                    await _supplier(
                        conn, src.supplier, f"sourcing_rules[{i}].sources[{j}].supplier"
                    )
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
                counts["sourcing_rules"] = i + 1
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
                counts["on_hand"] = i + 1
            if doc.parameters is not None:
                for name, value in doc.parameters.model_dump(exclude_none=True).items():
                    await conn.execute(
                        "INSERT INTO parameters (name, value) VALUES ($1, $2)"
                        " ON CONFLICT (name) DO UPDATE SET value = $2",
                        name,
                        value,
                    )
                    counts["parameters"] = counts.get("parameters", 0) + 1
            for i, order_rule in enumerate(doc.order_rules):
                when = order_rule.when
                await _customer(
                    conn, when.customer_number, f"order_rules[{i}].when.customer_number"
                )
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
                counts["order_rules"] = i + 1
        return counts, outbox

    @staticmethod
    async def _upsert_item(
        conn: Connection,
        *,
        number: str,
        description: str,
        uom: str,
        places: int | None,
        list_price: Decimal,
        b2b: bool | None,
        purchasable: bool,
        purchased: bool,
        cost: Decimal | None,
        parent: str | None,
    ) -> None:
        await conn.execute(
            "INSERT INTO items (number, description, uom, list_price, back_to_back_enabled,"
            " purchasable, purchased, cost, parent_item, quantity_decimal_places)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (number) DO UPDATE"
            " SET description = $2, uom = $3, list_price = $4, back_to_back_enabled = $5,"
            " purchasable = $6, purchased = $7, cost = $8, parent_item = $9,"
            " quantity_decimal_places = $10",
            number,
            description,
            uom,
            list_price,
            b2b,
            purchasable,
            purchased,
            cost,
            parent,
            places,
        )

    async def sourcing_inputs(self, item_number: str, organization: str) -> dict[str, Any]:
        """What the sourcing rule needs; a variant falls back to its item's rules and
        agreements when it has none of its own."""
        async with self._pool.acquire() as conn:
            parent = await conn.fetchval(
                "SELECT parent_item FROM items WHERE number = $1", item_number
            )
            candidates = [item_number] + ([parent] if parent else [])
            rules = await conn.fetch(
                "SELECT item, organization, sources FROM sourcing_rules"
                " WHERE item = ANY($1::text[]) AND organization IN ('', $2)",
                candidates,
                organization,
            )
            agreements = await conn.fetch(
                "SELECT * FROM blanket_agreements WHERE item = ANY($1::text[])", candidates
            )
            suppliers = await conn.fetch("SELECT number FROM suppliers WHERE active")
            transfer_rows = await conn.fetch(
                "SELECT t.from_organization, t.transit_days, t.transfer_price_markup_pct,"
                " coalesce(h.quantity - h.reserved, 0) AS free FROM transfer_parameters t"
                " LEFT JOIN on_hand h ON h.organization = t.from_organization AND h.item = $2"
                " WHERE t.to_organization = $1",
                organization,
                item_number,
            )
            definitions = await conn.fetch(
                "SELECT item, organization, lead_time_days, use_in_planning"
                " FROM work_definitions WHERE item = ANY($1::text[])",
                candidates,
            )
        work_definitions: dict[str, tuple[int, bool]] = {}
        for candidate in candidates:  # the variant's own definition first
            for d in definitions:
                if d["item"] == candidate:
                    work_definitions.setdefault(
                        d["organization"], (d["lead_time_days"], d["use_in_planning"])
                    )
        local = global_ = None
        for candidate in candidates:  # the variant's own rule first
            for r in rules:
                if r["item"] != candidate:
                    continue
                if r["organization"] == organization and local is None:
                    local = r["sources"]
                elif r["organization"] == "" and global_ is None:
                    global_ = r["sources"]
        return {
            "local_sources": local,
            "global_sources": global_,
            "agreements": [
                AgreementTerms(
                    number=a["number"],
                    supplier=a["supplier"],
                    item=item_number,
                    unit_price=a["unit_price"],
                    lead_time_days=a["lead_time_days"],
                    automatically_generate_orders=a["automatically_generate_orders"],
                    automatically_submit_for_approval=a["automatically_submit_for_approval"],
                    active=a["active"],
                )
                for a in agreements
            ],
            "active_suppliers": {s["number"] for s in suppliers},
            "work_definitions": work_definitions,
            "transfers": {
                t["from_organization"]: TransferTerms(
                    transit_days=t["transit_days"],
                    markup_pct=t["transfer_price_markup_pct"],
                    free_stock=t["free"],
                )
                for t in transfer_rows
            },
        }

    async def customer_of_party(self, party_id: int) -> str | None:
        """The customer number whose `party_id` (the buying party of Order Hub) matches."""
        async with self._pool.acquire() as conn:
            number: str | None = await conn.fetchval(
                "SELECT number FROM customers WHERE party_id = $1", party_id
            )
        return number

    async def parameter(self, name: str, default: Any) -> Any:
        async with self._pool.acquire() as conn:
            value = await conn.fetchval("SELECT value FROM parameters WHERE name = $1", name)
        return default if value is None else value

    async def readiness(self, item_number: str | None = None) -> list[dict[str, Any]]:
        """Per back-to-back item (or the one asked for), the prerequisites it lacks."""
        async with self._pool.acquire() as conn:
            items = await conn.fetch(
                "SELECT i.*, p.back_to_back_enabled AS parent_b2b, p.cost AS parent_cost"
                " FROM items i LEFT JOIN items p ON p.number = i.parent_item"
                " WHERE ($1::text IS NULL AND coalesce(i.back_to_back_enabled,"
                " p.back_to_back_enabled, false)) OR i.number = $1 ORDER BY i.number",
                item_number,
            )
            if item_number is not None and not items:
                raise NotFound(f"item {item_number}")
            rules = await conn.fetch("SELECT item, organization, sources FROM sourcing_rules")
            agreements = await conn.fetch("SELECT * FROM blanket_agreements")
            suppliers = frozenset(
                r["number"] for r in await conn.fetch("SELECT number FROM suppliers WHERE active")
            )
            work = await conn.fetch("SELECT * FROM work_definitions")
            transfers = await conn.fetch("SELECT * FROM transfer_parameters")
            organizations = frozenset(
                r["code"] for r in await conn.fetch("SELECT code FROM organizations")
            )
        answers = []
        for item in items:
            # A variant without setup of its own is served by its item's.
            own = [item["number"]]
            candidates = own + ([item["parent_item"]] if item["parent_item"] else [])
            item_rules: dict[str, list[dict[str, Any]]] = {}
            for candidate in candidates:
                for r in rules:
                    if r["item"] == candidate:
                        item_rules.setdefault(r["organization"], r["sources"])
            setup = ItemSetup(
                item=item["number"],
                back_to_back_enabled=item["back_to_back_enabled"]
                if item["back_to_back_enabled"] is not None
                else item["parent_b2b"],
                purchasable=item["purchasable"],
                purchased=item["purchased"],
                cost=item["cost"] if item["cost"] is not None else item["parent_cost"],
                rules=item_rules,
                agreements=[
                    AgreementTerms(
                        number=a["number"],
                        supplier=a["supplier"],
                        item=item["number"],
                        unit_price=a["unit_price"],
                        lead_time_days=a["lead_time_days"],
                        automatically_generate_orders=a["automatically_generate_orders"],
                        automatically_submit_for_approval=a["automatically_submit_for_approval"],
                        active=a["active"],
                    )
                    for a in agreements
                    if a["item"] in candidates
                ],
                active_suppliers=suppliers,
                work_definitions={
                    w["organization"]: w["use_in_planning"] for w in work if w["item"] in candidates
                },
                transfer_parameters={
                    (t["from_organization"], t["to_organization"]): t["transfer_price_markup_pct"]
                    for t in transfers
                },
                organizations=organizations,
            )
            missing = missing_prerequisites(setup)
            answers.append({"item": item["number"], "ready": not missing, "missing": missing})
        return answers
