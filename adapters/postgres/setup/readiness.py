"""Setup readiness (`GET /setup/check`): per back-to-back item or kit, what its setup lacks
(`domain/readiness.py` decides), from the master data read once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adapters.errors import NotFound
from adapters.postgres.common import Connection
from domain.readiness import ItemSetup, kit_gaps, missing_prerequisites
from domain.sourcing import AgreementTerms


@dataclass(frozen=True)
class _MasterData:
    rules: list[Any]
    agreements: list[Any]
    suppliers: frozenset[str]
    work: list[Any]
    transfers: list[Any]
    organizations: frozenset[str]

    @classmethod
    async def load(cls, conn: Connection) -> _MasterData:
        suppliers = await conn.fetch("SELECT number FROM suppliers WHERE active")
        organizations = await conn.fetch("SELECT code FROM organizations")
        return cls(
            rules=list(await conn.fetch("SELECT item, organization, sources FROM sourcing_rules")),
            agreements=list(await conn.fetch("SELECT * FROM blanket_agreements")),
            suppliers=frozenset(r["number"] for r in suppliers),
            work=list(await conn.fetch("SELECT * FROM work_definitions")),
            transfers=list(await conn.fetch("SELECT * FROM transfer_parameters")),
            organizations=frozenset(r["code"] for r in organizations),
        )

    def setup_of(self, item: Any) -> ItemSetup:
        # A variant without setup of its own is served by its item's.
        candidates = [item["number"]] + ([item["parent_item"]] if item["parent_item"] else [])
        rules: dict[str, list[dict[str, Any]]] = {}
        for candidate in candidates:
            for r in self.rules:
                if r["item"] == candidate:
                    rules.setdefault(r["organization"], r["sources"])
        return ItemSetup(
            item=item["number"],
            back_to_back_enabled=_back_to_back(item),
            purchasable=item["purchasable"],
            purchased=item["purchased"],
            cost=item["cost"] if item["cost"] is not None else item["parent_cost"],
            rules=rules,
            agreements=[
                agreement_terms(a, item["number"])
                for a in self.agreements
                if a["item"] in candidates
            ],
            active_suppliers=self.suppliers,
            work_definitions={
                w["organization"]: w["use_in_planning"]
                for w in self.work
                if w["item"] in candidates
            },
            transfer_parameters={
                (t["from_organization"], t["to_organization"]): t["transfer_price_markup_pct"]
                for t in self.transfers
            },
            organizations=self.organizations,
        )


def _back_to_back(item: Any) -> bool | None:
    own = item["back_to_back_enabled"]
    return own if own is not None else item["parent_b2b"]


def agreement_terms(a: Any, item: str) -> AgreementTerms:
    """A `blanket_agreements` row as sourcing reads it, for `item` (a variant's own)."""
    return AgreementTerms(
        number=a["number"],
        supplier=a["supplier"],
        item=item,
        unit_price=a["unit_price"],
        lead_time_days=a["lead_time_days"],
        automatically_generate_orders=a["automatically_generate_orders"],
        automatically_submit_for_approval=a["automatically_submit_for_approval"],
        active=a["active"],
    )


# An item with what it inherits from the item it is a variant of.
_ITEMS = (
    "SELECT i.*, p.back_to_back_enabled AS parent_b2b, p.cost AS parent_cost"
    " FROM items i LEFT JOIN items p ON p.number = i.parent_item"
)


async def readiness_in(conn: Connection, item_number: str | None) -> list[dict[str, Any]]:
    """Per back-to-back item and kit (or the one asked for), the prerequisites it lacks; a
    kit lacks what its back-to-back components lack (stocked ones need no sourcing)."""
    wanted_rows = await conn.fetch(
        f"{_ITEMS} WHERE ($1::text IS NULL AND (coalesce(i.back_to_back_enabled,"
        " p.back_to_back_enabled, false) OR EXISTS (SELECT 1 FROM kit_components k"
        " WHERE k.kit_item = i.number))) OR i.number = $1 ORDER BY i.number",
        item_number,
    )
    if item_number is not None and not wanted_rows:
        raise NotFound(f"item {item_number}")
    items = {r["number"]: r for r in wanted_rows}
    wanted = list(items)
    kits: dict[str, list[str]] = {}
    for r in await conn.fetch(
        "SELECT kit_item, item FROM kit_components WHERE kit_item = ANY($1::text[])"
        " ORDER BY component",
        wanted,
    ):
        kits.setdefault(r["kit_item"], []).append(r["item"])
    components = sorted({c for cs in kits.values() for c in cs} - set(items))
    if components:
        for r in await conn.fetch(f"{_ITEMS} WHERE i.number = ANY($1::text[])", components):
            items[r["number"]] = r
    data = await _MasterData.load(conn)

    def missing_of(number: str) -> list[str]:
        return missing_prerequisites(data.setup_of(items[number]))

    answers = []
    for number in wanted:
        if number in kits:
            missing = kit_gaps(
                [(c, missing_of(c) if _back_to_back(items[c]) else []) for c in kits[number]]
            )
        else:
            missing = missing_of(number)
        answers.append({"item": number, "ready": not missing, "missing": missing})
    return answers
