"""Workflow ids of the public contract, derived from business ids."""

# Workflow types that run a fulfillment line: new lines run the last; lines started before
# it finish under the type they started with. All carry the same search attributes.
LINE_WORKFLOW_TYPES = (
    "FulfillmentLineWorkflow",
    "FulfillmentLineWorkflowV2",
    "FulfillmentLineWorkflowV3",
)
LINE_WORKFLOW_TYPES_QUERY = "WorkflowType IN ({})".format(
    ", ".join(f"'{name}'" for name in LINE_WORKFLOW_TYPES)
)


def order_workflow_id(order_number: str) -> str:
    return f"order-{order_number}"


def line_workflow_id(order_number: str, line_number: int) -> str:
    return f"order-{order_number}-line-{line_number}"
