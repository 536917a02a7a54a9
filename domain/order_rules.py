"""Order rules: line flags set when an order is saved, before its lines are recorded.

The counterpart of an order management extension on the On Save extension point (seed
004): "orders whose customer PO starts with Cancel_Backorders cancel backorders and ship
once". Rules run in name order, so with two matching rules the later name's value wins.
Every rule keeps `enforce_single_shipment` implying `cancel_backorders` (checked when the
rule is set up), so the lines they produce are always valid.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from domain.models import OrderIn, OrderLineIn, OrderRuleIn


@dataclass(frozen=True)
class RuleApplied:
    """One rule that matched an order: which lines it set, what, and why."""

    rule: str
    line_numbers: tuple[int, ...]
    assignments: dict[str, bool]
    reason: str

    def sentence(self) -> str:
        return f"order rule {self.rule}: {self.reason}; {describe_assignments(self.assignments)}"


@dataclass(frozen=True)
class OrderRulesOutcome:
    order: OrderIn
    applied: tuple[RuleApplied, ...] = ()
    line_rules: dict[int, list[str]] = field(default_factory=dict)


def describe_assignments(assignments: dict[str, bool]) -> str:
    """`set cancel_backorders, enforce_single_shipment` / `cleared ...`."""
    parts = []
    turned_on = [name for name, value in assignments.items() if value]
    turned_off = [name for name, value in assignments.items() if not value]
    if turned_on:
        parts.append("set " + ", ".join(turned_on))
    if turned_off:
        parts.append("cleared " + ", ".join(turned_off))
    return "; ".join(parts)


def _header_reason(order: OrderIn, rule: OrderRuleIn) -> str | None:
    """Why the order matches the rule's header conditions, or None when it does not."""
    when = rule.when
    reasons = []
    if when.customer_po_number_starts_with is not None:
        po = order.customer_po_number
        if po is None or not po.startswith(when.customer_po_number_starts_with):
            return None
        reasons.append(f"customer PO {po} starts with {when.customer_po_number_starts_with}")
    if when.customer_number is not None:
        if order.customer_number != when.customer_number:
            return None
        reasons.append(f"customer is {order.customer_number}")
    if when.item_number is not None:
        reasons.append(f"item is {when.item_number}")
    return ", ".join(reasons)


def _line_matches(line: OrderLineIn, rule: OrderRuleIn) -> bool:
    return rule.when.item_number is None or line.item_number == rule.when.item_number


def apply_order_rules(
    order: OrderIn, rules: Sequence[OrderRuleIn], *, drop_shipped: Collection[int] = ()
) -> OrderRulesOutcome:
    """The order with every active matching rule's flags set on its lines, the rules that
    matched, and per line number the sentences naming them. The flags do not apply to
    drop-ship lines (seed 004): the rules leave the `drop_shipped` line numbers alone."""
    lines = list(order.lines)
    applied: list[RuleApplied] = []
    line_rules: dict[int, list[str]] = {}
    for rule in sorted(rules, key=lambda r: r.name):
        if not rule.active:
            continue
        reason = _header_reason(order, rule)
        if reason is None:
            continue
        matched = [
            i
            for i, line in enumerate(lines)
            if _line_matches(line, rule) and line.line_number not in drop_shipped
        ]
        if not matched:
            continue
        assignments = rule.assignments.assigned()
        for i in matched:
            lines[i] = OrderLineIn.model_validate({**lines[i].model_dump(), **assignments})
        result = RuleApplied(
            rule=rule.name,
            line_numbers=tuple(lines[i].line_number for i in matched),
            assignments=assignments,
            reason=reason,
        )
        applied.append(result)
        for number in result.line_numbers:
            line_rules.setdefault(number, []).append(result.sentence())
    if not applied:
        return OrderRulesOutcome(order=order)
    return OrderRulesOutcome(
        order=order.model_copy(update={"lines": lines}),
        applied=tuple(applied),
        line_rules=line_rules,
    )
