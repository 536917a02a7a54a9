"""Lines as booking makes them (item, unit of measure, price, volume discount,
back-to-back), from the setup an order names read once for all its lines: an order of
10,000 lines is a few queries, not tens of thousands."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from adapters.errors import Refusal
from adapters.postgres.common import Connection
from adapters.postgres.setup.input_checks import refuse_imprecise_for
from domain.back_to_back import decide_back_to_back
from domain.drop_ship import drop_shipped_by_rule, refused_flags
from domain.jeopardy import line_ship_date
from domain.kits import KitComponent
from domain.models import LineInput, OrderIn
from domain.pricing import volume_unit_discount


@dataclass(frozen=True)
class Catalog:
    """The setup rows an order's lines name: items (and the parents of variants), volume
    discount tiers, organizations, and the sourcing rules (to tell drop-ship lines)."""

    items: dict[str, Any]
    tiers: dict[str, list[tuple[Any, Any]]]
    organizations: frozenset[str]
    default_organization: str | None
    # (item, organization or '' for the global rule) -> sources
    rules: dict[tuple[str, str], list[dict[str, Any]]]
    # kit item -> its components, in order
    kits: dict[str, list[KitComponent]]

    def back_to_back(self, item: Any, customer: Any, line_flag: bool | None) -> tuple[bool, str]:
        """Whether a line of `item` (a row) is back-to-back, and why."""
        parent = self.items.get(item["parent_item"]) if item["parent_item"] else None
        return decide_back_to_back(
            line_flag=line_flag,
            customer_flag=customer["back_to_back"],
            variant_flag=item["back_to_back_enabled"] if parent is not None else None,
            item_flag=(parent or item)["back_to_back_enabled"],
        )

    @classmethod
    async def load(cls, conn: Connection, order: OrderIn) -> Catalog:
        items = await _items_with_setup(conn, sorted({line.item_number for line in order.lines}))
        kits = {
            number: [
                KitComponent(
                    component=int(c["component"]), item=c["item"], per_kit=Decimal(c["quantity"])
                )
                for c in row["kit"]
            ]
            for number, row in items.items()
            if row["kit"]
        }
        # The components' items, then the parents of variants, each with its setup.
        components = {c.item for cs in kits.values() for c in cs} - set(items)
        items |= await _items_with_setup(conn, sorted(components))
        parents = {r["parent_item"] for r in items.values() if r["parent_item"]} - set(items)
        items |= await _items_with_setup(conn, sorted(parents))
        tiers = {
            number: [(Decimal(q), Decimal(d)) for q, d in row["tiers"]]
            for number, row in items.items()
            if row["tiers"]
        }
        orgs = await conn.fetch("SELECT code, is_default FROM organizations")
        return cls(
            items=items,
            tiers=tiers,
            organizations=frozenset(r["code"] for r in orgs),
            default_organization=next((r["code"] for r in orgs if r["is_default"]), None),
            rules={
                (number, rule["organization"]): rule["sources"]
                for number, row in items.items()
                for rule in row["rules"]
            },
            kits=kits,
        )

    def drop_ships(self, item_number: str, organization: str | None, asked: bool) -> bool:
        """Whether a line is drop shipped: it asks, or its item's sourcing rule at its
        organization (a variant's own first, as sourcing reads them) drop ships."""
        if asked:
            return True
        item = self.items.get(item_number)
        if item is None or organization is None:
            return False
        candidates = [item_number] + ([item["parent_item"]] if item["parent_item"] else [])
        local = next(
            (self.rules[(c, organization)] for c in candidates if (c, organization) in self.rules),
            None,
        )
        global_ = next((self.rules[(c, "")] for c in candidates if (c, "") in self.rules), None)
        return drop_shipped_by_rule(local, global_)

    def drop_ship_lines(self, order: OrderIn, organization: str | None) -> frozenset[int]:
        """The numbers of the order's drop-ship lines (order rules leave them alone)."""
        return frozenset(
            line.line_number
            for line in order.lines
            if self.drop_ships(line.item_number, line.organization or organization, line.drop_ship)
        )

    def organization(self, code: str | None, path: str) -> str:
        """`code`, or the default organization; a 422 naming `path` when unknown."""
        if code is None:
            if self.default_organization is None:
                raise Refusal(
                    422, f"{path}: no organization given and none is the default", field=path
                )
            return self.default_organization
        if code not in self.organizations:
            raise Refusal(422, f"{path}: unknown organization {code!r}", field=path)
        return code

    def line_input(
        self, order: OrderIn, i: int, customer: Any, organization: str, *, checked: bool = True
    ) -> LineInput:
        """Line `i` of an order as booking makes it, or a refusal naming `lines[i]...`;
        `checked` False rebuilds a line booked earlier without checking it again."""
        line = order.lines[i]
        path = f"lines[{i}]"
        item = self.items.get(line.item_number)
        if item is None:
            raise Refusal(
                422,
                f"{path}.item_number: unknown item {line.item_number!r}",
                field=f"{path}.item_number",
            )
        if line.uom is not None and line.uom != item["uom"]:
            raise Refusal(
                422,
                f"{path}.uom: {line.uom!r} is not the item's unit of measure {item['uom']!r}",
                field=f"{path}.uom",
            )
        if checked:
            refuse_imprecise_for(item, {f"{path}.quantity": line.quantity})
        line_org = organization
        if line.organization is not None:
            line_org = self.organization(line.organization, f"{path}.organization")
        back_to_back, reason = self.back_to_back(item, customer, line.back_to_back)
        drop_ship = self.drop_ships(line.item_number, line_org, line.drop_ship)
        if drop_ship:
            refused = refused_flags(
                cancel_backorders=line.cancel_backorders,
                enforce_single_shipment=line.enforce_single_shipment,
                shipment_set=line.shipment_set,
            )
            if refused is not None:
                field = f"{path}.{refused.field}"
                raise Refusal(422, f"{field}: {refused.reason}", field=field)
            # Bought for this line like a back-to-back line, shipped by the supplier.
            back_to_back, reason = True, "the line is drop shipped"
        tiers = self.tiers.get(item["parent_item"] or item["number"], [])
        return LineInput(
            order_number=order.order_number,
            line_number=line.line_number,
            customer_number=order.customer_number,
            item_number=line.item_number,
            organization=line_org,
            quantity=line.quantity,
            unit_price=line.unit_price if line.unit_price is not None else item["list_price"],
            unit_discount=volume_unit_discount(line.quantity, tiers),
            currency=order.currency,
            back_to_back=back_to_back,
            back_to_back_reason=reason,
            cancel_backorders=line.cancel_backorders,
            enforce_single_shipment=line.enforce_single_shipment,
            shipment_set=line.shipment_set,
            requested_ship_date=order.requested_ship_date,
            under_ship_tolerance_pct=line.under_ship_tolerance_pct,
            over_ship_tolerance_pct=line.over_ship_tolerance_pct,
            drop_ship=drop_ship,
        )


async def _items_with_setup(conn: Connection, numbers: list[str]) -> dict[str, Any]:
    """Items by number, each with its kit components, sourcing rules and volume discount
    tiers (quantities as text, read exactly), in one round trip."""
    if not numbers:
        return {}
    rows = await conn.fetch(
        "SELECT i.*,"
        " (SELECT coalesce(json_agg(json_build_object('component', k.component, 'item', k.item,"
        "  'quantity', k.quantity::text) ORDER BY k.component), '[]') FROM kit_components k"
        "  WHERE k.kit_item = i.number) AS kit,"
        " (SELECT coalesce(json_agg(json_build_object('organization', r.organization,"
        "  'sources', r.sources)), '[]') FROM sourcing_rules r WHERE r.item = i.number) AS rules,"
        " (SELECT coalesce(json_agg(json_build_array(v.min_quantity::text,"
        "  v.unit_discount::text)), '[]') FROM volume_discounts v WHERE v.item = i.number)"
        "  AS tiers"
        " FROM items i WHERE i.number = ANY($1::text[])",
        numbers,
    )
    return {r["number"]: r for r in rows}


def line_input_of(row: Any, order: Any) -> LineInput:
    """A line's workflow input, rebuilt from its row and its order's row."""
    return LineInput(
        order_number=order["order_number"],
        line_number=row["line_number"],
        customer_number=order["customer_number"],
        item_number=row["item_number"],
        organization=row["organization"],
        quantity=row["ordered_quantity"],
        unit_price=row["unit_price"],
        unit_discount=row["unit_discount"],
        currency=order["currency"],
        back_to_back=row["back_to_back"],
        back_to_back_reason=row["back_to_back_reason"] or "",
        cancel_backorders=row["cancel_backorders"],
        enforce_single_shipment=row["enforce_single_shipment"],
        shipment_set=row["shipment_set"],
        # A revision may have given the line a date of its own before its workflow started.
        requested_ship_date=line_ship_date(
            row.get("requested_ship_date"), order["requested_ship_date"]
        ),
        applied_rules=row["applied_rules"],
        under_ship_tolerance_pct=row["under_ship_tolerance_pct"],
        over_ship_tolerance_pct=row["over_ship_tolerance_pct"],
        drop_ship=row["drop_ship"],
        kit_components=row["kit_components"],
        kit_line_number=row["kit_line_number"],
        component=row["component"],
        per_kit=row["per_kit"],
    )
