"""The setup document (`PUT /setup`): master data, sourcing, stock, parameters, order rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import ConfigDict, Field, field_validator, model_validator

from workflows.legacy.release2.domain.holds import HoldStep

# The rules of every request body: domain/inputs.py.
from workflows.legacy.release2.domain.inputs import (
    Days,
    Description,
    Identifier,
    LargePercent,
    Money,
    Name,
    NonNegativeQuantity,
    PartyId,
    Percent,
    PoPrefix,
    PositiveQuantity,
    QuantityDecimalPlaces,
    Rank,
    UomCode,
)
from workflows.legacy.release2.domain.kits import MAX_COMPONENTS
from workflows.legacy.release2.domain.models.base import StrictModel
from workflows.legacy.release2.domain.statuses import SupplyType


class OrganizationIn(StrictModel):
    code: Identifier
    name: Name
    default: bool = False


class SupplierIn(StrictModel):
    number: Identifier
    name: Name
    site: Name | None = None
    active: bool = True


class CustomerIn(StrictModel):
    number: Identifier
    name: Name
    back_to_back: bool = False
    credit_limit: Money | None = None
    party_id: PartyId | None = None


class VolumeDiscountIn(StrictModel):
    min_quantity: PositiveQuantity
    unit_discount: Money


class VariantIn(StrictModel):
    number: Identifier
    description: Description | None = None
    back_to_back_enabled: bool | None = None
    list_price: Money | None = None


class KitComponentIn(StrictModel):
    item: Identifier
    # Of the component's unit of measure, per kit.
    quantity: PositiveQuantity


class ItemIn(StrictModel):
    number: Identifier
    description: Description = ""
    uom: UomCode = "Ea"
    # Decimal places a quantity of the item may have (variants included); None: its unit of
    # measure decides (domain.units: counted units such as Ea are whole).
    quantity_decimal_places: QuantityDecimalPlaces | None = None
    list_price: Money = Decimal("0")
    back_to_back_enabled: bool = False
    purchasable: bool = True
    purchased: bool = True
    cost: Money | None = None
    volume_discounts: list[VolumeDiscountIn] = []
    variants: list[VariantIn] = []
    # A kit (pick-to-order, contract: "Kits"): its components, numbered 1, 2, ... in this order.
    kit_components: Annotated[list[KitComponentIn], Field(max_length=MAX_COMPONENTS)] = []

    @field_validator("kit_components")
    @classmethod
    def _each_component_once(cls, components: list[KitComponentIn]) -> list[KitComponentIn]:
        items = [c.item for c in components]
        for item in items:
            if items.count(item) > 1:
                raise ValueError(f"component {item} appears twice")
        return components


class BlanketAgreementIn(StrictModel):
    number: Identifier
    supplier: Identifier
    item: Identifier
    unit_price: Money
    lead_time_days: Days = 0
    automatically_generate_orders: bool = False
    automatically_submit_for_approval: bool = False
    active: bool = True
    # A PO line under the agreement may receive this much more than ordered; the excess
    # goes to free on-hand (contract: "Over-receipt tolerance").
    over_receipt_tolerance_pct: LargePercent = Decimal("0")


class WorkDefinitionIn(StrictModel):
    item: Identifier
    organization: Identifier
    lead_time_days: Days = 0
    use_in_planning: bool = True


class TransferParameterIn(StrictModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_organization: Identifier = Field(alias="from")
    to_organization: Identifier = Field(alias="to")
    transit_days: Days = 0
    transfer_price_markup_pct: LargePercent = Decimal("0")


class SourceIn(StrictModel):
    type: SupplyType
    supplier: Identifier | None = None
    organization: Identifier | None = None
    rank: Rank = 1
    allocation_pct: Annotated[Percent, Field(gt=0)] = Decimal("100")

    @model_validator(mode="after")
    def _supplier_for_buy(self) -> SourceIn:
        if self.type in (SupplyType.BUY, SupplyType.DROP_SHIP) and not self.supplier:
            raise ValueError(f"a {self.type} source needs a supplier")
        if self.type is SupplyType.TRANSFER and not self.organization:
            raise ValueError("a TRANSFER source needs the organization it transfers from")
        return self


class SourcingRuleIn(StrictModel):
    item: Identifier
    organization: Identifier | None = None
    sources: Annotated[list[SourceIn], Field(min_length=1)]

    @model_validator(mode="after")
    def _allocations_of_a_rank_add_up(self) -> SourcingRuleIn:
        totals: dict[int, Decimal] = {}
        for source in self.sources:
            totals[source.rank] = totals.get(source.rank, Decimal(0)) + source.allocation_pct
        for rank, total in sorted(totals.items()):
            if total != 100:
                raise ValueError(
                    f"the allocation_pct of the rank {rank} sources add up to "
                    f"{total.normalize():f}, not 100"
                )
        return self


class OnHandIn(StrictModel):
    item: Identifier
    organization: Identifier
    quantity: NonNegativeQuantity


class ParametersIn(StrictModel):
    cancel_supply_when_canceling_backorders: bool | None = None
    auto_pick_release: bool | None = None
    # Lines of a shipment set ship only when all of them are staged.
    enforce_shipment_sets: bool | None = None
    # Days late from which a line in jeopardy is MEDIUM, and HIGH (below: LOW).
    jeopardy_medium_days: Annotated[int, Field(ge=1, le=365)] | None = None
    jeopardy_high_days: Annotated[int, Field(ge=1, le=365)] | None = None

    @model_validator(mode="after")
    def _medium_before_high(self) -> ParametersIn:
        medium, high = self.jeopardy_medium_days, self.jeopardy_high_days
        if medium is not None and high is not None and medium > high:
            raise ValueError("jeopardy_medium_days may not be more than jeopardy_high_days")
        return self


# Order rules run when an order is saved, like an order management extension on the On Save
# extension point (seed 004): a small, closed vocabulary instead of code.
class OrderRuleWhen(StrictModel):
    """What an order (and, with `item_number`, a line) must match; every condition given
    must hold."""

    customer_po_number_starts_with: PoPrefix | None = None
    customer_number: Identifier | None = None
    item_number: Identifier | None = None

    @model_validator(mode="after")
    def _at_least_one_condition(self) -> OrderRuleWhen:
        if all(value is None for value in self.model_dump().values()):
            raise ValueError(
                "give at least one condition: customer_po_number_starts_with,"
                " customer_number or item_number"
            )
        return self


class OrderRuleSet(StrictModel):
    """The line flags a matching rule sets on every line it matches."""

    cancel_backorders: bool | None = None
    enforce_single_shipment: bool | None = None

    @model_validator(mode="after")
    def _single_shipment_needs_cancel_backorders(self) -> OrderRuleSet:
        if self.cancel_backorders is None and self.enforce_single_shipment is None:
            raise ValueError("set at least one of cancel_backorders, enforce_single_shipment")
        # Each rule keeps a line valid on its own, whatever other rules did before it.
        if self.enforce_single_shipment and self.cancel_backorders is not True:
            raise ValueError("enforce_single_shipment requires cancel_backorders: true")
        if self.cancel_backorders is False and self.enforce_single_shipment is not False:
            raise ValueError("cancel_backorders: false also needs enforce_single_shipment: false")
        return self

    def assigned(self) -> dict[str, bool]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class OrderRuleIn(StrictModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: Identifier
    when: OrderRuleWhen
    assignments: OrderRuleSet = Field(alias="set")
    active: bool = True


class HoldCodeIn(StrictModel):
    """What a hold of this code blocks (contract: "Holds")."""

    code: Identifier
    name: Name
    blocks: list[HoldStep] = Field(min_length=1, max_length=3)

    @field_validator("blocks")
    @classmethod
    def _each_once(cls, blocks: list[HoldStep]) -> list[HoldStep]:
        if len(set(blocks)) != len(blocks):
            raise ValueError("a step appears twice")
        return blocks


class SetupDocument(StrictModel):
    organizations: list[OrganizationIn] = []
    suppliers: list[SupplierIn] = []
    customers: list[CustomerIn] = []
    items: list[ItemIn] = []
    blanket_agreements: list[BlanketAgreementIn] = []
    work_definitions: list[WorkDefinitionIn] = []
    transfer_parameters: list[TransferParameterIn] = []
    sourcing_rules: list[SourcingRuleIn] = []
    on_hand: list[OnHandIn] = []
    parameters: ParametersIn | None = None
    order_rules: list[OrderRuleIn] = []
    hold_codes: list[HoldCodeIn] = []

    @field_validator("order_rules")
    @classmethod
    def _unique_rule_names(cls, rules: list[OrderRuleIn]) -> list[OrderRuleIn]:
        seen: set[str] = set()
        for rule in rules:
            if rule.name in seen:
                raise ValueError(f"order rule {rule.name!r} appears twice")
            seen.add(rule.name)
        return rules
