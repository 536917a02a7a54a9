"""Order rules applied on save (seed 004's order management extension), without Temporal."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from domain.models import OrderIn, OrderRuleIn, SetupDocument
from domain.order_rules import apply_order_rules, describe_assignments

SEED_RULE = {
    "name": "cancel-backorders-po-prefix",
    "when": {"customer_po_number_starts_with": "Cancel_Backorders"},
    "set": {"cancel_backorders": True, "enforce_single_shipment": True},
}


def rule(**fields: Any) -> OrderRuleIn:
    return OrderRuleIn.model_validate({**SEED_RULE, **fields})


def order(po: str | None, *items: str, customer: str = "CUST-100") -> OrderIn:
    return OrderIn.model_validate(
        {
            "order_number": "SO-1",
            "customer_number": customer,
            "customer_po_number": po,
            "lines": [
                {"line_number": i + 1, "item_number": item, "quantity": 1}
                for i, item in enumerate(items or ("LAPTOP-X1",))
            ],
        }
    )


@pytest.mark.parametrize(
    ("po", "applies"),
    [("Cancel_Backorders-001", True), ("Cancel_Backorders-002", True), ("003", False)],
)
def test_seed_004_po_prefix_sets_both_flags_on_every_line(po: str, applies: bool) -> None:
    outcome = apply_order_rules(order(po, "LAPTOP-X1", "CABLE-C6"), [rule()])
    flags = {(li.cancel_backorders, li.enforce_single_shipment) for li in outcome.order.lines}
    assert flags == ({(True, True)} if applies else {(False, False)})
    assert [a.rule for a in outcome.applied] == (["cancel-backorders-po-prefix"] if applies else [])
    if applies:
        assert outcome.applied[0].line_numbers == (1, 2)
        assert outcome.line_rules[1] == [
            f"order rule cancel-backorders-po-prefix: customer PO {po} starts with"
            " Cancel_Backorders; set cancel_backorders, enforce_single_shipment"
        ]
    else:
        assert outcome.line_rules == {}


def test_no_po_number_and_case_differences_do_not_match() -> None:
    assert apply_order_rules(order(None), [rule()]).applied == ()
    assert apply_order_rules(order("cancel_backorders-001"), [rule()]).applied == ()


def test_the_request_is_left_as_it_was_sent() -> None:
    sent = order("Cancel_Backorders-001")
    outcome = apply_order_rules(sent, [rule()])
    assert sent.lines[0].cancel_backorders is False
    assert outcome.order.lines[0].cancel_backorders is True
    assert outcome.order.order_number == sent.order_number


def test_inactive_rule_does_nothing() -> None:
    outcome = apply_order_rules(order("Cancel_Backorders-001"), [rule(active=False)])
    assert outcome.applied == () and outcome.order.lines[0].cancel_backorders is False


def test_every_condition_must_hold() -> None:
    both = rule(when={"customer_po_number_starts_with": "Cancel", "customer_number": "CUST-200"})
    assert apply_order_rules(order("Cancel-1"), [both]).applied == ()
    hit = apply_order_rules(order("Cancel-1", customer="CUST-200"), [both])
    assert hit.line_rules[1] == [
        "order rule cancel-backorders-po-prefix: customer PO Cancel-1 starts with Cancel,"
        " customer is CUST-200; set cancel_backorders, enforce_single_shipment"
    ]


def test_item_condition_sets_only_the_matching_lines() -> None:
    cables = rule(name="cables", when={"item_number": "CABLE-C6"}, set={"cancel_backorders": True})
    outcome = apply_order_rules(order("PO-1", "LAPTOP-X1", "CABLE-C6"), [cables])
    assert [li.cancel_backorders for li in outcome.order.lines] == [False, True]
    assert [li.enforce_single_shipment for li in outcome.order.lines] == [False, False]
    assert outcome.applied[0].line_numbers == (2,)
    assert 1 not in outcome.line_rules
    assert outcome.line_rules[2] == ["order rule cables: item is CABLE-C6; set cancel_backorders"]
    # A rule whose item is on no line of the order did not apply.
    assert apply_order_rules(order("PO-1", "LAPTOP-X1"), [cables]).applied == ()


def test_rules_run_in_name_order_and_the_later_name_wins() -> None:
    on = rule(name="a-on")
    off = rule(
        name="b-off",
        when={"customer_number": "CUST-100"},
        set={"cancel_backorders": False, "enforce_single_shipment": False},
    )
    outcome = apply_order_rules(order("Cancel_Backorders-9"), [off, on])
    line = outcome.order.lines[0]
    assert (line.cancel_backorders, line.enforce_single_shipment) == (False, False)
    assert [a.rule for a in outcome.applied] == ["a-on", "b-off"]
    assert outcome.line_rules[1][1] == (
        "order rule b-off: customer is CUST-100; cleared cancel_backorders, enforce_single_shipment"
    )


def test_a_rule_keeps_what_it_does_not_set() -> None:
    sent = order("Cancel_Backorders-1")
    sent.lines[0] = sent.lines[0].model_copy(
        update={"cancel_backorders": True, "enforce_single_shipment": True}
    )
    only_cancel = rule(set={"cancel_backorders": True})
    line = apply_order_rules(sent, [only_cancel]).order.lines[0]
    assert (line.cancel_backorders, line.enforce_single_shipment) == (True, True)


def test_describe_assignments() -> None:
    assert describe_assignments({"cancel_backorders": True}) == "set cancel_backorders"
    assert (
        describe_assignments({"cancel_backorders": True, "enforce_single_shipment": False})
        == "set cancel_backorders; cleared enforce_single_shipment"
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"set": {"enforce_single_shipment": True}}, ("set",)),
        ({"set": {"cancel_backorders": False}}, ("set",)),
        ({"set": {}}, ("set",)),
        ({"set": {"cancel_backorders": True, "ship_complete": True}}, ("set", "ship_complete")),
        ({"when": {}}, ("when",)),
        ({"when": {"customer_po_number_ends_with": "X"}}, ("when", "customer_po_number_ends_with")),
        (
            {"when": {"customer_po_number_starts_with": ""}},
            ("when", "customer_po_number_starts_with"),
        ),
        ({"name": "has spaces"}, ("name",)),
        ({"priority": 1}, ("priority",)),
    ],
)
def test_rules_are_strictly_validated(change: dict[str, Any], field: tuple[str, ...]) -> None:
    with pytest.raises(ValidationError) as raised:
        rule(**change)
    assert field in [e["loc"] for e in raised.value.errors()]


def test_setup_refuses_the_same_rule_name_twice() -> None:
    with pytest.raises(ValidationError) as raised:
        SetupDocument.model_validate({"order_rules": [SEED_RULE, SEED_RULE]})
    assert raised.value.errors()[0]["loc"] == ("order_rules",)
    assert SetupDocument.model_validate({"order_rules": [SEED_RULE]}).order_rules[0].active
