"""Choosing the supply source of a back-to-back line from the sourcing rules."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from workflows.legacy.release2.domain.models import SourcingDecision
from workflows.legacy.release2.domain.statuses import SupplyType

# Supply types this release can create documents for; the others fall through to the
# next ranked source with the reason recorded.
SUPPORTED_SUPPLY_TYPES = frozenset(
    {SupplyType.BUY, SupplyType.MAKE, SupplyType.TRANSFER, SupplyType.DROP_SHIP}
)


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


def split_quantity(quantity: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split a quantity by weights so the parts add up exactly: whole units when the
    quantity is whole, else to four places (each cut falls at the rounded running total)."""
    total = sum(weights, Decimal(0))
    step = Decimal(1) if quantity == quantity.to_integral_value() else Decimal("0.0001")
    parts: list[Decimal] = []
    running = Decimal(0)
    cut = Decimal(0)
    for weight in weights:
        running += weight
        next_cut = (quantity * running / total).quantize(step, rounding=ROUND_HALF_UP)
        parts.append(next_cut - cut)
        cut = next_cut
    return parts


def _ranks(sources: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Sources grouped by rank, best rank first, in the rule's order within a rank."""
    by_rank: dict[int, list[dict[str, Any]]] = {}
    for source in sources:
        by_rank.setdefault(int(source.get("rank", 1)), []).append(source)
    return [by_rank[rank] for rank in sorted(by_rank)]


def _allocation(source: dict[str, Any]) -> Decimal:
    return Decimal(str(source.get("allocation_pct", 100)))


@dataclass(frozen=True)
class _SupplyOptions:
    """What the master data offers for one item at the fulfillment organization."""

    item_number: str
    organization: str
    agreements: list[AgreementTerms]
    active_suppliers: set[str]
    work_definitions: dict[str, tuple[int, bool]]
    transfers: dict[str, TransferTerms]

    # The line asks to be drop shipped: its BUY sources ship straight to the customer.
    drop_ship: bool = False
    # Why drop ship cannot supply this line (it cancels backorders or ships once), if so.
    no_drop_ship: str | None = None

    def evaluate(
        self, source: dict[str, Any], quantity: Decimal
    ) -> tuple[SourcingDecision | None, str]:
        """Whether one source can supply `quantity`, and the reason in words."""
        supply_type = SupplyType(source["type"])
        rank = source.get("rank", 1)
        if supply_type not in SUPPORTED_SUPPLY_TYPES:
            return None, f"rank {rank} {supply_type}: not supported in this release"
        if self.drop_ship and supply_type in (SupplyType.MAKE, SupplyType.TRANSFER):
            return None, (
                f"rank {rank} {supply_type}: the line is drop shipped, bought from a"
                " supplier who ships to the customer"
            )
        if supply_type is SupplyType.TRANSFER:
            return self._transfer(source, rank, quantity)
        if supply_type is SupplyType.MAKE:
            return self._make(source, rank)
        if self.drop_ship:
            supply_type = SupplyType.DROP_SHIP
        if supply_type is SupplyType.DROP_SHIP and self.no_drop_ship:
            return None, f"rank {rank} DROP_SHIP: {self.no_drop_ship}"
        return self._buy(source, rank, supply_type)

    def _transfer(
        self, source: dict[str, Any], rank: object, quantity: Decimal
    ) -> tuple[SourcingDecision | None, str]:
        source_org = source.get("organization", "")
        terms = self.transfers.get(source_org)
        if terms is None:
            return None, (
                f"rank {rank} TRANSFER from {source_org}: no inter-organization parameters"
                f" to {self.organization}"
            )
        if terms.free_stock < quantity:
            return None, (
                f"rank {rank} TRANSFER from {source_org}: only"
                f" {terms.free_stock.normalize():f} free at {source_org}"
            )
        return SourcingDecision(
            supply_type=SupplyType.TRANSFER,
            source_organization=source_org,
            lead_time_days=terms.transit_days,
            transfer_price_markup_pct=terms.markup_pct,
        ), f"rank {rank} TRANSFER from {source_org} to {self.organization}"

    def _make(self, source: dict[str, Any], rank: object) -> tuple[SourcingDecision | None, str]:
        make_at = source.get("organization") or self.organization
        definition = self.work_definitions.get(make_at)
        if make_at != self.organization:
            return None, (
                f"rank {rank} MAKE at {make_at}: making at another organization than"
                f" {self.organization} is not supported in this release"
            )
        if definition is None or not definition[1]:
            return None, (
                f"rank {rank} MAKE: no work definition used in planning for"
                f" {self.item_number} at {self.organization}"
            )
        return SourcingDecision(
            supply_type=SupplyType.MAKE, lead_time_days=definition[0]
        ), f"rank {rank} MAKE at {self.organization}"

    def _buy(
        self, source: dict[str, Any], rank: object, supply_type: SupplyType
    ) -> tuple[SourcingDecision | None, str]:
        """A BUY or DROP_SHIP source: a PO on the supplier's cheapest active agreement."""
        supplier = source.get("supplier")
        if supplier not in self.active_suppliers:
            return None, f"rank {rank} {supply_type}: supplier {supplier} is unknown or inactive"
        usable = [
            a
            for a in self.agreements
            if a.supplier == supplier and a.item == self.item_number and a.active
        ]
        if not usable:
            return None, (
                f"rank {rank} {supply_type}: no active blanket agreement with {supplier} for"
                f" {self.item_number}"
            )
        # Cheapest agreement first; the number breaks ties so the choice is stable.
        agreement = min(usable, key=lambda a: (a.unit_price, a.number))
        return SourcingDecision(
            supply_type=supply_type,
            supplier=supplier,
            agreement=agreement.number,
            unit_price=agreement.unit_price,
            lead_time_days=agreement.lead_time_days,
            automatic_submission=(
                agreement.automatically_generate_orders
                and agreement.automatically_submit_for_approval
            ),
        ), f"rank {rank} {supply_type} from {supplier} on agreement {agreement.number}"

    def allocate(
        self, ranks: list[list[dict[str, Any]]], quantity: Decimal, explanation: list[str]
    ) -> list[SourcingDecision] | None:
        """Spread `quantity` over the best rank by its allocation percentages. The share of
        a source that cannot supply passes to the next rank; None when some share finds no
        source at all."""
        if not ranks:
            return None
        sources = ranks[0]
        split = len(sources) > 1
        shares = split_quantity(quantity, [_allocation(s) for s in sources])
        parts: list[SourcingDecision] = []
        passed = Decimal(0)
        short = False
        for source, share in zip(sources, shares, strict=True):
            if share <= 0 < quantity:
                continue  # too small a share of this line to be a document
            decision, why = self.evaluate(source, share)
            if split:
                why += f" ({_allocation(source).normalize():f}%: {share.normalize():f})"
            explanation.append(why)
            if decision is None:
                passed += share
                short = True
            else:
                parts.append(decision.model_copy(update={"quantity": share}))
        if short:
            if len(ranks) > 1 and passed > 0:
                explanation.append(
                    f"{passed.normalize():f} passed to rank {ranks[1][0].get('rank', 1)}"
                )
            rest = self.allocate(ranks[1:], passed, explanation)
            if rest is None:
                return None
            parts += rest
        return parts


def _without(
    sources: list[dict[str, Any]], excluded: Collection[str], explanation: list[str]
) -> list[dict[str, Any]]:
    """The sources left once the suppliers that cut this line are taken out."""
    kept: list[dict[str, Any]] = []
    for source in sources:
        supplier = source.get("supplier")
        kind = source.get("type")
        if kind in (SupplyType.BUY, SupplyType.DROP_SHIP) and supplier in excluded:
            explanation.append(
                f"rank {source.get('rank', 1)} {kind} from {supplier}: left out, {supplier} cut"
                " or rejected this line's supply"
            )
        else:
            kept.append(source)
    return kept


def _same_source(a: SourcingDecision, b: SourcingDecision) -> bool:
    return (a.supply_type, a.supplier, a.agreement, a.source_organization) == (
        b.supply_type,
        b.supplier,
        b.agreement,
        b.source_organization,
    )


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
    excluded_suppliers: Collection[str] = (),
    drop_ship: bool = False,
    no_drop_ship: str | None = None,
) -> SourcingDecision:
    """Pick the sources that can actually supply the item, best rank first.

    `work_definitions` maps an organization to (lead time days, used in planning) for the
    item; `transfers` maps a source organization to the terms of transferring from it to the
    fulfillment organization, with the free stock there. Sources of one rank share the line
    by their allocation percentages; with more than one, the decision is split into
    `parts`, each with its quantity. A source that cannot supply (no usable blanket
    agreement, inactive supplier, no work definition used in planning, no
    inter-organization parameters or too little free stock at the source, a supply type this
    release does not create) passes its share to the next rank and the reason is kept, so a
    person can see why the line went where it went, or why it needs manual action.

    `excluded_suppliers` cut or rejected this line's supply: their sources are left out, so
    the others of their rank share the line by their percentages, or the next rank takes it.

    `drop_ship`: the line asks for drop ship; its BUY sources become DROP_SHIP (the supplier
    ships to the customer) and its MAKE and TRANSFER sources pass. `no_drop_ship`: why no
    DROP_SHIP source may supply this line (seed 004: not with Cancel Backorders).
    """
    sources, scope = applicable_sources(local_sources=local_sources, global_sources=global_sources)
    if not sources:
        return SourcingDecision(
            manual_action_reason=(
                f"no sourcing rule for item {item_number} at {organization} or globally"
            )
        )
    explanation: list[str] = [f"{scope} sourcing rule with {len(sources)} source(s)"]
    sources = _without(sources, excluded_suppliers, explanation)
    options = _SupplyOptions(
        item_number=item_number,
        organization=organization,
        agreements=agreements,
        active_suppliers=active_suppliers,
        work_definitions=work_definitions or {},
        transfers=transfers or {},
        drop_ship=drop_ship,
        no_drop_ship=no_drop_ship,
    )
    parts = options.allocate(_ranks(sources), quantity, explanation)
    if not parts:
        return SourcingDecision(
            manual_action_reason="no source can supply the line: " + "; ".join(explanation[1:]),
            explanation=explanation,
        )
    merged: list[SourcingDecision] = []
    for part in parts:
        same = next((m for m in merged if _same_source(m, part)), None)
        if same is None:
            merged.append(part)
        else:
            same.quantity = (same.quantity or Decimal(0)) + (part.quantity or Decimal(0))
    if len(merged) == 1:
        # One source supplies the whole line: its documents take the line's open quantity.
        return merged[0].model_copy(update={"quantity": None, "explanation": explanation})
    return merged[0].model_copy(
        update={"quantity": None, "parts": merged, "explanation": explanation}
    )
