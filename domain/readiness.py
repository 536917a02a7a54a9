"""Whether an item's setup lets back-to-back lines find supply, and what is missing.

The prerequisites follow seed 000: the back-to-back flag, a sourcing rule, and per source
type a blanket agreement that generates and submits orders automatically (Buy, and Drop
ship, whose supplier ships to the customer), a work
definition used in planning (Make), inter-organization parameters with transfer pricing
(Transfer); and an item cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from domain.sourcing import AgreementTerms
from domain.statuses import SupplyType


@dataclass(frozen=True)
class ItemSetup:
    """What the master data holds for one item (a variant carries its item's setup)."""

    item: str
    back_to_back_enabled: bool | None
    purchasable: bool
    purchased: bool
    cost: Decimal | None
    rules: dict[str, list[dict[str, Any]]]  # organization ('' = global) -> sources
    agreements: list[AgreementTerms] = field(default_factory=list)
    active_suppliers: frozenset[str] = frozenset()
    work_definitions: dict[str, bool] = field(default_factory=dict)  # org -> use in planning
    # (from, to) -> transfer price markup: the parameters row carries the transfer pricing.
    transfer_parameters: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    organizations: frozenset[str] = frozenset()


def missing_prerequisites(setup: ItemSetup) -> list[str]:
    """Every prerequisite the item lacks, in words a planner acts on; empty when ready."""
    missing: list[str] = []
    if not setup.back_to_back_enabled:
        missing.append(f"item {setup.item} is not back-to-back enabled")
    if setup.cost is None:
        missing.append(f"item {setup.item} has no item cost")
    if not setup.rules:
        missing.append(f"no sourcing rule for item {setup.item}, local or global")
    for organization, sources in sorted(setup.rules.items()):
        scope = f"rule at {organization}" if organization else "global rule"
        for source in sorted(sources, key=lambda s: int(s.get("rank", 1))):
            missing += _source_gaps(setup, scope, organization, source)
    return missing


def _source_gaps(
    setup: ItemSetup, scope: str, organization: str, source: dict[str, Any]
) -> list[str]:
    kind = SupplyType(source["type"])
    where = f"{scope}, rank {source.get('rank', 1)} {kind}"
    gaps: list[str] = []
    if kind in (SupplyType.BUY, SupplyType.DROP_SHIP):
        supplier = source.get("supplier")
        if not (setup.purchasable and setup.purchased):
            gaps.append(f"{where}: item {setup.item} is not purchasable and purchased")
        if supplier not in setup.active_suppliers:
            gaps.append(f"{where}: supplier {supplier} is unknown or inactive")
        agreements = [a for a in setup.agreements if a.supplier == supplier and a.active]
        if not agreements:
            gaps.append(f"{where}: no active blanket agreement with {supplier}")
        elif not any(
            a.automatically_generate_orders and a.automatically_submit_for_approval
            for a in agreements
        ):
            gaps.append(
                f"{where}: no blanket agreement with {supplier} generates and submits orders"
                " automatically"
            )
    elif kind is SupplyType.MAKE:
        orgs = [organization] if organization else sorted(setup.organizations)
        if not any(setup.work_definitions.get(org) for org in orgs):
            gaps.append(f"{where}: no work definition used in planning")
    elif kind is SupplyType.TRANSFER:
        source_org = source.get("organization", "")
        destinations = (
            [organization] if organization else sorted(setup.organizations - {source_org})
        )
        for destination in destinations:
            if (source_org, destination) not in setup.transfer_parameters:
                gaps.append(
                    f"{where}: no inter-organization parameters and transfer pricing from "
                    f"{source_org} to {destination}"
                )
    return gaps


def kit_gaps(components: list[tuple[str, list[str]]]) -> list[str]:
    """What a kit lacks: what each of its components lacks, `(item, gaps)` in component
    order, named by the component."""
    return [f"component {item}: {gap}" for item, gaps in components for gap in gaps]
