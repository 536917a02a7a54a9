from decimal import Decimal

from domain.readiness import ItemSetup, missing_prerequisites
from domain.sourcing import AgreementTerms


def agreement(**kw: object) -> AgreementTerms:
    fields = {
        "number": "BPA-1",
        "supplier": "SUP-ACME",
        "item": "LAPTOP-X1",
        "unit_price": Decimal("980"),
        "lead_time_days": 5,
        "automatically_generate_orders": True,
        "automatically_submit_for_approval": True,
    }
    fields.update(kw)
    return AgreementTerms(**fields)  # type: ignore[arg-type]


def setup(**kw: object) -> ItemSetup:
    fields: dict[str, object] = {
        "item": "LAPTOP-X1",
        "back_to_back_enabled": True,
        "purchasable": True,
        "purchased": True,
        "cost": Decimal("980"),
        "rules": {"M1": [{"type": "BUY", "supplier": "SUP-ACME", "rank": 1}]},
        "agreements": [agreement()],
        "active_suppliers": frozenset({"SUP-ACME"}),
        "organizations": frozenset({"M1", "M2"}),
    }
    fields.update(kw)
    return ItemSetup(**fields)  # type: ignore[arg-type]


def test_a_complete_buy_setup_is_ready() -> None:
    assert missing_prerequisites(setup()) == []


def test_every_gap_is_named() -> None:
    missing = missing_prerequisites(
        setup(
            back_to_back_enabled=False,
            cost=None,
            purchasable=False,
            agreements=[agreement(automatically_submit_for_approval=False)],
        )
    )
    assert missing == [
        "item LAPTOP-X1 is not back-to-back enabled",
        "item LAPTOP-X1 has no item cost",
        "rule at M1, rank 1 BUY: item LAPTOP-X1 is not purchasable and purchased",
        "rule at M1, rank 1 BUY: no blanket agreement with SUP-ACME generates and submits"
        " orders automatically",
    ]


def test_no_rule_and_no_agreement() -> None:
    assert missing_prerequisites(setup(rules={})) == [
        "no sourcing rule for item LAPTOP-X1, local or global"
    ]
    assert missing_prerequisites(setup(agreements=[], active_suppliers=frozenset())) == [
        "rule at M1, rank 1 BUY: supplier SUP-ACME is unknown or inactive",
        "rule at M1, rank 1 BUY: no active blanket agreement with SUP-ACME",
    ]


def test_make_needs_a_work_definition_used_in_planning() -> None:
    rules = {"M1": [{"type": "MAKE", "rank": 1}]}
    assert missing_prerequisites(setup(rules=rules, work_definitions={"M1": False})) == [
        "rule at M1, rank 1 MAKE: no work definition used in planning"
    ]
    assert missing_prerequisites(setup(rules=rules, work_definitions={"M1": True})) == []


def test_transfer_needs_inter_organization_parameters() -> None:
    rules = {"M1": [{"type": "TRANSFER", "organization": "M2", "rank": 1}]}
    assert missing_prerequisites(setup(rules=rules)) == [
        "rule at M1, rank 1 TRANSFER: no inter-organization parameters and transfer pricing"
        " from M2 to M1"
    ]
    assert (
        missing_prerequisites(setup(rules=rules, transfer_parameters={("M2", "M1"): Decimal("5")}))
        == []
    )
