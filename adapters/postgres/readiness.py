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


async def readiness_in(conn: Connection, item_number: str | None) -> list[dict[str, Any]]:
    """Per back-to-back item and kit (or the one asked for), the prerequisites it lacks; a
    kit lacks what its back-to-back components lack (stocked ones need no sourcing)."""
    items = {
        r["number"]: r
        for r in await conn.fetch(
            "SELECT i.*, p.back_to_back_enabled AS parent_b2b, p.cost AS parent_cost"
            " FROM items i LEFT JOIN items p ON p.number = i.parent_item ORDER BY i.number"
        )
    }
    kits: dict[str, list[str]] = {}
    for r in await conn.fetch("SELECT kit_item, item FROM kit_components ORDER BY component"):
        kits.setdefault(r["kit_item"], []).append(r["item"])
    if item_number is not None:
        if item_number not in items:
            raise NotFound(f"item {item_number}")
        wanted = [item_number]
    else:
        wanted = [n for n, r in items.items() if _back_to_back(r) or n in kits]
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
