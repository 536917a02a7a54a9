"""Choosing the supply source of a back-to-back line from the sourcing rules."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.models import SourcingDecision
from domain.statuses import SupplyType

# Supply types this release can create documents for; the others fall through to the
# next ranked source with the reason recorded.
SUPPORTED_SUPPLY_TYPES = frozenset({SupplyType.BUY, SupplyType.MAKE, SupplyType.TRANSFER})


@dataclass(frozen=True)
class TransferTerms:
    transit_days: int
    markup_pct: Decimal
    free_stock: Decimal


@dataclass(frozen=True)
class AgreementTerms:
    number: str
    supplier: str
    item: str
    unit_price: Decimal
    lead_time_days: int
    automatically_generate_orders: bool
    automatically_submit_for_approval: bool
    active: bool = True


def applicable_sources(
    *, local_sources: list[dict[str, Any]] | None, global_sources: list[dict[str, Any]] | None
) -> tuple[list[dict[str, Any]], str]:
    """A rule for the fulfillment organization wins over the global one."""
    if local_sources:
        return sorted(local_sources, key=lambda s: int(s.get("rank", 1))), "local"
    if global_sources:
        return sorted(global_sources, key=lambda s: int(s.get("rank", 1))), "global"
    return [], "none"


def choose_source(
    *,
    item_number: str,
    organization: str,
    local_sources: list[dict[str, Any]] | None,
    global_sources: list[dict[str, Any]] | None,
    agreements: list[AgreementTerms],
    active_suppliers: set[str],
    work_definitions: dict[str, tuple[int, bool]] | None = None,
    transfers: dict[str, TransferTerms] | None = None,
    quantity: Decimal = Decimal("0"),
) -> SourcingDecision:
    """Pick the best-ranked source that can actually supply the item.

    `work_definitions` maps an organization to (lead time days, used in planning) for the
    item; `transfers` maps a source organization to the terms of transferring from it to the
    fulfillment organization, with the free stock there. A source that cannot supply (no
    usable blanket agreement, inactive supplier, no work definition used in planning, no
    inter-organization parameters or too little free stock at the source, a supply type this
    release does not create) is skipped and the reason kept, so a person can see why the
    line went where it went, or why it needs manual action.
    """
    sources, scope = applicable_sources(local_sources=local_sources, global_sources=global_sources)
    if not sources:
        return SourcingDecision(
            manual_action_reason=(
                f"no sourcing rule for item {item_number} at {organization} or globally"
            )
        )
    explanation: list[str] = [f"{scope} sourcing rule with {len(sources)} source(s)"]
    for source in sources:
        supply_type = SupplyType(source["type"])
        rank = source.get("rank", 1)
        if supply_type not in SUPPORTED_SUPPLY_TYPES:
            explanation.append(f"rank {rank} {supply_type}: not supported in this release")
            continue
        if supply_type is SupplyType.TRANSFER:
            source_org = source.get("organization", "")
            terms = (transfers or {}).get(source_org)
            if terms is None:
                explanation.append(
                    f"rank {rank} TRANSFER from {source_org}: no inter-organization parameters"
                    f" to {organization}"
                )
            elif terms.free_stock < quantity:
                explanation.append(
                    f"rank {rank} TRANSFER from {source_org}: only {terms.free_stock.normalize():f}"
                    f" free at {source_org}"
                )
            else:
                explanation.append(f"rank {rank} TRANSFER from {source_org} to {organization}")
                return SourcingDecision(
                    supply_type=SupplyType.TRANSFER,
                    source_organization=source_org,
                    lead_time_days=terms.transit_days,
                    transfer_price_markup_pct=terms.markup_pct,
                    explanation=explanation,
                )
            continue
        if supply_type is SupplyType.MAKE:
            make_at = source.get("organization") or organization
            definition = (work_definitions or {}).get(make_at)
            if make_at != organization:
                explanation.append(
                    f"rank {rank} MAKE at {make_at}: making at another organization than"
                    f" {organization} is not supported in this release"
                )
            elif definition is None or not definition[1]:
                explanation.append(
                    f"rank {rank} MAKE: no work definition used in planning for"
                    f" {item_number} at {organization}"
                )
            else:
                explanation.append(f"rank {rank} MAKE at {organization}")
                return SourcingDecision(
                    supply_type=SupplyType.MAKE,
                    lead_time_days=definition[0],
                    explanation=explanation,
                )
            continue
        supplier = source.get("supplier")
        if supplier not in active_suppliers:
            explanation.append(f"rank {rank} BUY: supplier {supplier} is unknown or inactive")
            continue
        usable = [
            a for a in agreements if a.supplier == supplier and a.item == item_number and a.active
        ]
        if not usable:
            explanation.append(
                f"rank {rank} BUY: no active blanket agreement with {supplier} for {item_number}"
            )
            continue
        # Cheapest agreement first; the number breaks ties so the choice is stable.
        agreement = min(usable, key=lambda a: (a.unit_price, a.number))
        explanation.append(f"rank {rank} BUY from {supplier} on agreement {agreement.number}")
        return SourcingDecision(
            supply_type=SupplyType.BUY,
            supplier=supplier,
            agreement=agreement.number,
            unit_price=agreement.unit_price,
            lead_time_days=agreement.lead_time_days,
            automatic_submission=(
                agreement.automatically_generate_orders
                and agreement.automatically_submit_for_approval
            ),
            explanation=explanation,
        )
    return SourcingDecision(
        manual_action_reason="no source can supply the line: " + "; ".join(explanation[1:]),
        explanation=explanation,
    )
