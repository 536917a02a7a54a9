"""Workflow ids of the public contract, derived from business ids."""

# Where a kit's component lines are numbered from (domain/kits.py, which imports this).
COMPONENT_BASE = 100_000

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


def line_workflow_id(order_number: str, line_number: int) -> str:
    """`order-{n}-line-{l}`; a kit's component (its stored line number, domain/kits.py):
    `order-{n}-line-{l}-component-{c}`."""
    if line_number >= COMPONENT_BASE:
        kit_line, component = divmod(line_number - COMPONENT_BASE, 100)
        return f"order-{order_number}-line-{kit_line}-component-{component}"
    return f"order-{order_number}-line-{line_number}"
