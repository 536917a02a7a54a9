"""A kit line as booking makes it: the kit line (it carries the price) and one line per
component, in whole kits (domain/kits.py)."""

from __future__ import annotations

from typing import Any

from adapters.errors import Refusal
from adapters.postgres.orders.booking import Catalog
from domain.kits import component_line_number, kit_set
from domain.models import LineInput, OrderLineIn

NOT_DROP_SHIPPED = "a kit ships from the warehouse as one set; it cannot be drop shipped"


def with_components(
    catalog: Catalog, kit: LineInput, line: OrderLineIn, customer: Any, path: str
) -> list[LineInput]:
    """`kit` and its component lines when its item is a kit; else `[kit]`. The components
    take the kit's organization, dates, flags and shipment set (their own kit set without
    one); each is back-to-back or shipped from stock as its own item says."""
    components = catalog.kits.get(kit.item_number)
    if not components:
        return [kit]
    if kit.drop_ship:
        field = f"{path}.drop_ship"
        raise Refusal(422, f"{field}: {NOT_DROP_SHIPPED}", field=field)
    lines = [
        kit.model_copy(
            update={
                "kit_components": len(components),
                "back_to_back": True,
                "back_to_back_reason": "a kit: each component is supplied as its item says",
            }
        )
    ]
    for c in components:
        item = catalog.items[c.item]
        back_to_back, reason = catalog.back_to_back(item, customer, line.back_to_back)
        lines.append(
            kit.model_copy(
                update={
                    "line_number": component_line_number(kit.line_number, c.component),
                    "item_number": c.item,
                    "quantity": kit.quantity * c.per_kit,
                    "unit_price": 0,
                    "unit_discount": 0,
                    "back_to_back": back_to_back,
                    "back_to_back_reason": reason,
                    "shipment_set": kit_set(kit.line_number, kit.shipment_set),
                    "applied_rules": [],
                    "under_ship_tolerance_pct": 0,
                    "over_ship_tolerance_pct": 0,
                    "kit_line_number": kit.line_number,
                    "component": c.component,
                    "per_kit": c.per_kit,
                }
            )
        )
    return lines
