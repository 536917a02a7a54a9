"""Whether a line is fulfilled back-to-back, and why."""

from __future__ import annotations


def decide_back_to_back(
    *,
    line_flag: bool | None,
    customer_flag: bool,
    variant_flag: bool | None,
    item_flag: bool | None,
) -> tuple[bool, str]:
    """The line's own flag wins; a back-to-back customer makes every line back-to-back;
    else the variant's flag, else the item's."""
    if line_flag is not None:
        return line_flag, f"line flag is {'set' if line_flag else 'cleared'}"
    if customer_flag:
        return True, "customer is flagged back-to-back"
    if variant_flag is not None:
        return variant_flag, f"variant is {'' if variant_flag else 'not '}back-to-back enabled"
    if item_flag:
        return True, "item is back-to-back enabled"
    return False, "item is not back-to-back enabled"
