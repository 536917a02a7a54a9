"""Drop ship's decisions without Temporal or a database: which lines are drop shipped, what
they may not ask for, how sourcing supplies them, and what order rules leave alone."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from domain.drop_ship import (
    NO_BACKORDERS,
    NO_SHIPMENT_SET,
    drop_shipped_by_rule,
    refused_flags,
)
from domain.models import OrderIn, OrderRuleIn
from domain.order_rules import apply_order_rules
from domain.readiness import missing_prerequisites
from domain.sourcing import AgreementTerms, choose_source
from domain.statuses import SupplyType
from tests.unit.test_readiness import setup as item_setup


def source(kind: str, rank: int = 1, **kw: Any) -> dict[str, Any]:
    return {"type": kind, "rank": rank, "allocation_pct": 100, **kw}


DROP = source("DROP_SHIP", supplier="SUP-ACME")
BUY = source("BUY", supplier="SUP-ACME")
MAKE = source("MAKE")


@pytest.mark.parametrize(
    ("local", "global_", "drop_ships"),
    [
        ([DROP], None, True),
        (None, [DROP], True),
        ([BUY], [DROP], False),  # the organization's rule wins
        ([BUY, {**DROP, "rank": 2}], None, False),  # its best rank buys
        ([{**DROP, "allocation_pct": 50}, {**BUY, "allocation_pct": 50}], None, False),
        ([{**DROP, "allocation_pct": 50}, {**DROP, "allocation_pct": 50}], None, True),
        (None, None, False),
    ],
)
def test_a_rule_drop_ships_when_its_best_rank_only_drop_ships(
    local: list[dict[str, Any]] | None, global_: list[dict[str, Any]] | None, drop_ships: bool
) -> None:
    assert drop_shipped_by_rule(local, global_) is drop_ships


@pytest.mark.parametrize(
    ("flags", "field", "reason"),
    [
        ({"cancel_backorders": True}, "cancel_backorders", NO_BACKORDERS),
        ({"enforce_single_shipment": True}, "enforce_single_shipment", NO_BACKORDERS),
        ({"cancel_backorders": True, "shipment_set": "S"}, "cancel_backorders", NO_BACKORDERS),
        ({"shipment_set": "S"}, "shipment_set", NO_SHIPMENT_SET),
        ({}, None, None),
    ],
)
def test_what_a_drop_ship_line_may_not_ask_for(
    flags: dict[str, Any], field: str | None, reason: str | None
) -> None:
    given = {"cancel_backorders": False, "enforce_single_shipment": False, "shipment_set": None}
    refused = refused_flags(**{**given, **flags})
    assert (refused.field if refused else None, refused.reason if refused else None) == (
        field,
        reason,
    )


def terms(supplier: str = "SUP-ACME", number: str = "BPA-1") -> AgreementTerms:
    return AgreementTerms(
        number=number,
        supplier=supplier,
        item="LAPTOP-X1",
        unit_price=Decimal("980"),
        lead_time_days=5,
        automatically_generate_orders=True,
        automatically_submit_for_approval=True,
    )


def choose(sources: list[dict[str, Any]], **kw: Any) -> Any:
    return choose_source(
        item_number="LAPTOP-X1",
        organization="M1",
        local_sources=sources,
        global_sources=None,
        agreements=[terms(), terms("SUP-B", "BPA-B")],
        active_suppliers={"SUP-ACME", "SUP-B"},
        work_definitions={"M1": (3, True)},
        quantity=Decimal(10),
        **kw,
    )


@pytest.mark.parametrize(
    ("sources", "kw", "supply_type", "supplier", "explained"),
    [
        ([DROP], {}, SupplyType.DROP_SHIP, "SUP-ACME", "rank 1 DROP_SHIP from SUP-ACME"),
        ([BUY], {"drop_ship": True}, SupplyType.DROP_SHIP, "SUP-ACME", "DROP_SHIP from"),
        ([BUY], {}, SupplyType.BUY, "SUP-ACME", "rank 1 BUY from SUP-ACME"),
        # A line that asks for drop ship passes a MAKE source by.
        (
            [MAKE, source("BUY", 2, supplier="SUP-B")],
            {"drop_ship": True},
            SupplyType.DROP_SHIP,
            "SUP-B",
            "rank 1 MAKE: the line is drop shipped",
        ),
        # A line that cancels backorders passes a DROP_SHIP source by.
        (
            [DROP, source("BUY", 2, supplier="SUP-B")],
            {"no_drop_ship": NO_BACKORDERS},
            SupplyType.BUY,
            "SUP-B",
            f"rank 1 DROP_SHIP: {NO_BACKORDERS}",
        ),
        # A supplier that cut the line is left out of its DROP_SHIP sources too.
        (
            [DROP, source("DROP_SHIP", 2, supplier="SUP-B")],
            {"excluded_suppliers": {"SUP-ACME"}},
            SupplyType.DROP_SHIP,
            "SUP-B",
            "rank 1 DROP_SHIP from SUP-ACME: left out",
        ),
    ],
)
def test_sourcing_a_drop_ship_line(
    sources: list[dict[str, Any]],
    kw: dict[str, Any],
    supply_type: SupplyType,
    supplier: str,
    explained: str,
) -> None:
    decision = choose(sources, **kw)
    assert (decision.supply_type, decision.supplier) == (supply_type, supplier)
    assert any(explained in e for e in decision.explanation), decision.explanation


def test_a_drop_ship_line_with_only_a_make_source_needs_a_person() -> None:
    decision = choose([MAKE], drop_ship=True)
    assert decision.supply_type is None
    assert "the line is drop shipped" in (decision.manual_action_reason or "")


def test_order_rules_leave_drop_ship_lines_alone() -> None:
    order = OrderIn.model_validate(
        {
            "order_number": "SO-1",
            "customer_number": "CUST-100",
            "customer_po_number": "Cancel_Backorders-1",
            "lines": [
                {"line_number": 1, "item_number": "LAPTOP-X1", "quantity": 1},
                {"line_number": 2, "item_number": "LAPTOP-X1", "quantity": 1, "drop_ship": True},
            ],
        }
    )
    rule = OrderRuleIn.model_validate(
        {
            "name": "seed-004",
            "when": {"customer_po_number_starts_with": "Cancel_Backorders"},
            "set": {"cancel_backorders": True},
        }
    )
    ruled = apply_order_rules(order, [rule], drop_shipped={2})
    assert [line.cancel_backorders for line in ruled.order.lines] == [True, False]
    assert ruled.applied[0].line_numbers == (1,)


def test_readiness_checks_a_drop_ship_source_like_a_buy_source() -> None:
    ready = item_setup(rules={"M1": [DROP]})
    assert missing_prerequisites(ready) == []
    gaps = missing_prerequisites(item_setup(rules={"M1": [{**DROP, "supplier": "SUP-X"}]}))
    assert "rule at M1, rank 1 DROP_SHIP: supplier SUP-X is unknown or inactive" in gaps
