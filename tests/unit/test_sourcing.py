from decimal import Decimal

from domain.sourcing import AgreementTerms, choose_source, split_quantity
from domain.statuses import SupplyType


def agreement(number: str = "BPA-1", supplier: str = "SUP-ACME", **kw: object) -> AgreementTerms:
    fields = {
        "number": number,
        "supplier": supplier,
        "item": "LAPTOP-X1",
        "unit_price": Decimal("980"),
        "lead_time_days": 5,
        "automatically_generate_orders": True,
        "automatically_submit_for_approval": True,
    }
    fields.update(kw)
    return AgreementTerms(**fields)  # type: ignore[arg-type]


def buy(supplier: str, rank: int = 1) -> dict[str, object]:
    return {"type": "BUY", "supplier": supplier, "rank": rank, "allocation_pct": 100}


def choose(local=None, global_=None, agreements=None, suppliers=None):
    return choose_source(
        item_number="LAPTOP-X1",
        organization="M1",
        local_sources=local,
        global_sources=global_,
        agreements=agreements if agreements is not None else [agreement()],
        active_suppliers=suppliers or {"SUP-ACME", "SUP-B"},
    )


def test_local_rule_wins_over_global() -> None:
    decision = choose(
        local=[buy("SUP-ACME")],
        global_=[buy("SUP-B")],
        agreements=[agreement(), agreement("BPA-B", "SUP-B")],
    )
    assert decision.supplier == "SUP-ACME"
    assert decision.explanation[0].startswith("local")


def test_global_rule_when_no_local_rule() -> None:
    decision = choose(global_=[buy("SUP-ACME")])
    assert decision.supply_type is SupplyType.BUY and decision.agreement == "BPA-1"


def test_no_rule_needs_manual_action() -> None:
    decision = choose()
    assert decision.supply_type is None
    assert "no sourcing rule" in (decision.manual_action_reason or "")


def test_rank_one_without_agreement_falls_back_to_rank_two() -> None:
    decision = choose(local=[buy("SUP-B", rank=1), buy("SUP-ACME", rank=2)])
    assert decision.supplier == "SUP-ACME"
    assert any("no active blanket agreement with SUP-B" in e for e in decision.explanation)


def test_inactive_supplier_is_skipped() -> None:
    decision = choose(local=[buy("SUP-ACME")], suppliers={"SUP-B"})
    assert decision.supply_type is None
    assert "inactive" in (decision.manual_action_reason or "")


def test_automatic_submission_needs_both_flags() -> None:
    assert choose(local=[buy("SUP-ACME")]).automatic_submission is True
    manual = choose(
        local=[buy("SUP-ACME")], agreements=[agreement(automatically_submit_for_approval=False)]
    )
    assert manual.automatic_submission is False


def test_cheapest_active_agreement_is_used() -> None:
    decision = choose(
        local=[buy("SUP-ACME")],
        agreements=[
            agreement("BPA-1", unit_price=Decimal("990")),
            agreement("BPA-2", unit_price=Decimal("950")),
            agreement("BPA-3", unit_price=Decimal("900"), active=False),
        ],
    )
    assert decision.agreement == "BPA-2" and decision.unit_price == Decimal("950")


def test_make_needs_a_work_definition_used_in_planning() -> None:
    make = [{"type": "MAKE", "rank": 1}, buy("SUP-ACME", rank=2)]
    unusable = choose_source(
        item_number="LAPTOP-X1",
        organization="M1",
        local_sources=make,
        global_sources=None,
        agreements=[agreement()],
        active_suppliers={"SUP-ACME"},
        work_definitions={"M1": (10, False)},
    )
    assert unusable.supply_type is SupplyType.BUY
    assert "rank 1 MAKE: no work definition used in planning" in unusable.explanation[1]
    made = choose_source(
        item_number="LAPTOP-X1",
        organization="M1",
        local_sources=make,
        global_sources=None,
        agreements=[],
        active_suppliers=set(),
        work_definitions={"M1": (10, True)},
    )
    assert made.supply_type is SupplyType.MAKE and made.lead_time_days == 10
    elsewhere = choose_source(
        item_number="LAPTOP-X1",
        organization="M1",
        global_sources=None,
        local_sources=[{"type": "MAKE", "organization": "M2", "rank": 1}],
        agreements=[],
        active_suppliers=set(),
        work_definitions={"M2": (3, True)},
    )
    assert elsewhere.supply_type is None
    assert "making at another organization" in (elsewhere.manual_action_reason or "")


def make(rank: int = 1, allocation_pct: int = 100) -> dict[str, object]:
    return {"type": "MAKE", "rank": rank, "allocation_pct": allocation_pct}


def choose_split(sources, quantity: str = "100", work_definitions=None):
    return choose_source(
        item_number="LAPTOP-X1",
        organization="M1",
        local_sources=sources,
        global_sources=None,
        agreements=[agreement(), agreement("BPA-B", "SUP-B")],
        active_suppliers={"SUP-ACME", "SUP-B"},
        work_definitions={"M1": (10, True)} if work_definitions is None else work_definitions,
        quantity=Decimal(quantity),
    )


def test_split_quantity_adds_up_exactly() -> None:
    assert split_quantity(Decimal(10), [Decimal(60), Decimal(40)]) == [6, 4]
    assert split_quantity(Decimal(7), [Decimal(1), Decimal(1), Decimal(1)]) == [2, 3, 2]
    assert sum(split_quantity(Decimal(7), [Decimal(1)] * 3)) == 7
    assert split_quantity(Decimal("2.5"), [Decimal(50), Decimal(50)]) == [
        Decimal("1.25"),
        Decimal("1.25"),
    ]


def test_allocation_below_100_splits_the_line_across_sources() -> None:
    decision = choose_split(
        [{**buy("SUP-ACME"), "allocation_pct": 60}, make(allocation_pct=40)], quantity="50"
    )
    assert [(p.supply_type, p.quantity) for p in decision.parts] == [
        (SupplyType.BUY, 30),
        (SupplyType.MAKE, 20),
    ]
    assert decision.parts[0].agreement == "BPA-1" and decision.parts[1].lead_time_days == 10
    assert "rank 1 BUY from SUP-ACME on agreement BPA-1 (60%: 30)" in decision.explanation


def test_share_of_a_source_that_cannot_supply_passes_to_the_next_rank() -> None:
    decision = choose_split(
        [
            {**buy("SUP-ACME"), "allocation_pct": 60},
            make(allocation_pct=40),
            buy("SUP-B", rank=2),
        ],
        work_definitions={},
    )
    assert [(p.supplier, p.quantity) for p in decision.parts] == [("SUP-ACME", 60), ("SUP-B", 40)]
    assert "40 passed to rank 2" in decision.explanation


def test_shares_that_end_at_the_same_source_merge_into_one_document() -> None:
    decision = choose_split(
        [{**buy("SUP-ACME"), "allocation_pct": 50}, make(allocation_pct=50), buy("SUP-ACME", 2)],
        work_definitions={},
    )
    assert decision.parts == [] and decision.supplier == "SUP-ACME"
    assert decision.quantity is None  # the whole line: its document takes the open quantity


def test_a_share_no_rank_can_supply_needs_manual_action() -> None:
    decision = choose_split(
        [{**buy("SUP-ACME"), "allocation_pct": 60}, make(allocation_pct=40)], work_definitions={}
    )
    assert decision.supply_type is None and decision.parts == []
    assert "no work definition used in planning" in (decision.manual_action_reason or "")


def test_a_supplier_that_cut_the_line_is_left_out_for_the_next_rank() -> None:
    decision = choose_source(
        item_number="LAPTOP-X1",
        organization="M1",
        local_sources=[buy("SUP-ACME"), buy("SUP-B", rank=2)],
        global_sources=None,
        agreements=[agreement(), agreement("BPA-B", "SUP-B")],
        active_suppliers={"SUP-ACME", "SUP-B"},
        quantity=Decimal(4),
        excluded_suppliers={"SUP-ACME"},
    )
    assert decision.supplier == "SUP-B"
    assert (
        "rank 1 BUY from SUP-ACME: left out, SUP-ACME cut or rejected this line's supply"
        in decision.explanation
    )


def test_a_split_rank_without_the_supplier_that_cut_goes_to_the_others_of_its_rank() -> None:
    decision = choose_source(
        item_number="LAPTOP-X1",
        organization="M1",
        local_sources=[
            {**buy("SUP-ACME"), "allocation_pct": 60},
            {**buy("SUP-B"), "allocation_pct": 40},
        ],
        global_sources=None,
        agreements=[agreement(), agreement("BPA-B", "SUP-B")],
        active_suppliers={"SUP-ACME", "SUP-B"},
        quantity=Decimal(3),
        excluded_suppliers={"SUP-B"},
    )
    assert decision.supplier == "SUP-ACME" and not decision.parts


def test_no_source_left_without_the_suppliers_that_cut_needs_manual_action() -> None:
    decision = choose_source(
        item_number="LAPTOP-X1",
        organization="M1",
        local_sources=[buy("SUP-ACME")],
        global_sources=None,
        agreements=[agreement()],
        active_suppliers={"SUP-ACME"},
        quantity=Decimal(4),
        excluded_suppliers={"SUP-ACME"},
    )
    assert decision.supply_type is None
    assert "left out, SUP-ACME cut" in (decision.manual_action_reason or "")
