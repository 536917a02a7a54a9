"""Master data: applying a setup document and reading what sourcing and booking need."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import asyncpg

from adapters.postgres.common import Connection
from adapters.postgres.setup.readiness import agreement_terms, readiness_in
from adapters.postgres.setup.writer import write_setup
from domain.jeopardy import JeopardyTerms
from domain.models import (
    OrderRuleIn,
    OrderRuleSet,
    OrderRuleWhen,
    SetupDocument,
)
from domain.sourcing import TransferTerms


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


async def jeopardy_terms_in(conn: Connection) -> JeopardyTerms:
    """The parameters `jeopardy_medium_days` and `jeopardy_high_days`, or their defaults."""
    rows = await conn.fetch(
        "SELECT name, value FROM parameters WHERE name = ANY($1::text[])",
        ["jeopardy_medium_days", "jeopardy_high_days"],
    )
    values = {r["name"].removeprefix("jeopardy_"): int(r["value"]) for r in rows}
    return JeopardyTerms(**values)


# Everything sourcing reads for one item, in one statement (a step of every line): the
# item and the item it is a variant of, their rules, agreements and work definitions, the
# active suppliers, and the transfers into the organization with the free stock at each
# source. Numbers travel as text, read back as Decimal.
_SOURCING_INPUTS = """
WITH c AS (
  SELECT array_remove(ARRAY[$1::text, (SELECT parent_item FROM items WHERE number = $1)],
    NULL) AS items
)
SELECT c.items,
  (SELECT coalesce(json_agg(json_build_object('item', r.item,
     'organization', r.organization, 'sources', r.sources)), '[]')
   FROM sourcing_rules r
   WHERE r.item = ANY(c.items) AND r.organization IN ('', $2)) AS rules,
  (SELECT coalesce(json_agg(json_build_object('number', a.number, 'supplier', a.supplier,
     'unit_price', a.unit_price::text, 'lead_time_days', a.lead_time_days,
     'automatically_generate_orders', a.automatically_generate_orders,
     'automatically_submit_for_approval', a.automatically_submit_for_approval,
     'active', a.active)), '[]')
   FROM blanket_agreements a WHERE a.item = ANY(c.items)) AS agreements,
  ARRAY(SELECT number FROM suppliers WHERE active) AS suppliers,
  (SELECT coalesce(json_agg(json_build_object('from_organization', t.from_organization,
     'transit_days', t.transit_days, 'markup_pct', t.transfer_price_markup_pct::text,
     'free', coalesce(h.quantity - h.reserved, 0)::text)), '[]')
   FROM transfer_parameters t
   LEFT JOIN on_hand h ON h.organization = t.from_organization AND h.item = $1
   WHERE t.to_organization = $2) AS transfers,
  (SELECT coalesce(json_agg(json_build_object('item', d.item,
     'organization', d.organization, 'lead_time_days', d.lead_time_days,
     'use_in_planning', d.use_in_planning)), '[]')
   FROM work_definitions d WHERE d.item = ANY(c.items)) AS definitions
FROM c
"""


async def sourcing_inputs_in(
    conn: Connection, item_number: str, organization: str
) -> dict[str, Any]:
    """What the sourcing rule needs; a variant falls back to its item's rules and
    agreements when it has none of its own."""
    found = await conn.fetchrow(_SOURCING_INPUTS, item_number, organization)
    candidates: list[str] = found["items"]
    rules, definitions = found["rules"], found["definitions"]
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
            agreement_terms({**a, "unit_price": Decimal(a["unit_price"])}, item_number)
            for a in found["agreements"]
        ],
        "active_suppliers": set(found["suppliers"]),
        "work_definitions": work_definitions,
        "transfers": {
            t["from_organization"]: TransferTerms(
                transit_days=t["transit_days"],
                markup_pct=Decimal(t["markup_pct"]),
                free_stock=Decimal(t["free"]),
            )
            for t in found["transfers"]
        },
    }


class MasterData:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def apply_setup(self, doc: SetupDocument) -> tuple[dict[str, int], list[int]]:
        """Apply every section in one transaction: all of it or, on a bad reference,
        none of it. Applying the same document again changes nothing. Returns the counts
        and the outbox ids of signals owed to lines that new stock was reserved to."""
        async with self._pool.acquire() as conn, conn.transaction():
            return await write_setup(conn, doc)

    async def sourcing_inputs(self, item_number: str, organization: str) -> dict[str, Any]:
        """What the sourcing rule needs (see `sourcing_inputs_in`)."""
        async with self._pool.acquire() as conn:
            return await sourcing_inputs_in(conn, item_number, organization)

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
        """Per back-to-back item and kit (or the one asked for), the prerequisites it lacks."""
        async with self._pool.acquire() as conn:
            return await readiness_in(conn, item_number)
