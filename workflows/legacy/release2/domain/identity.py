"""Workflow ids of the public contract, derived from business ids."""

# A kit's component is a line of its own, stored under a number no order line can have
# (order lines are 1..99,999): 100,000 + kit line × 100 + component (domain/kits.py).
COMPONENT_BASE = 100_000
MAX_COMPONENTS = 99

# Workflow types that run a fulfillment line: new lines run the last; lines started before
# it finish under the type they started with. All carry the same search attributes.
LINE_WORKFLOW_TYPES = (
    "FulfillmentLineWorkflow",
    "FulfillmentLineWorkflowV2",
    "FulfillmentLineWorkflowV3",
    "KitLineWorkflow",
)
LINE_WORKFLOW_TYPES_QUERY = "WorkflowType IN ({})".format(
    ", ".join(f"'{name}'" for name in LINE_WORKFLOW_TYPES)
)


def order_workflow_id(order_number: str) -> str:
    return f"order-{order_number}"


def component_line_number(kit_line: int, component: int) -> int:
    """The stored line number of component `component` (1..99) of kit line `kit_line`."""
    assert 1 <= component <= MAX_COMPONENTS and 1 <= kit_line < COMPONENT_BASE
    return COMPONENT_BASE + kit_line * 100 + component


def kit_component_of(line_number: int) -> tuple[int, int] | None:
    """(kit line, component) of a component's stored line number; None for an order line."""
    if line_number < COMPONENT_BASE:
        return None
    kit_line, component = divmod(line_number - COMPONENT_BASE, 100)
    return kit_line, component


def line_workflow_id(order_number: str, line_number: int) -> str:
    """`order-{n}-line-{l}`; a kit's component (its stored line number):
    `order-{n}-line-{l}-component-{c}`."""
    kit = kit_component_of(line_number)
    if kit is not None:
        return f"order-{order_number}-line-{kit[0]}-component-{kit[1]}"
    return f"order-{order_number}-line-{line_number}"
