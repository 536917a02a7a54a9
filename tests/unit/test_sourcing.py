from decimal import Decimal

from domain.sourcing import AgreementTerms, choose_source
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


def choose(local=None, global_=None, agreements=None, suppliers=None):  # type: ignore[no-untyped-def]
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
