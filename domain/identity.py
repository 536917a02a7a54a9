"""Workflow ids of the public contract, derived from business ids."""


def order_workflow_id(order_number: str) -> str:
    return f"order-{order_number}"


def line_workflow_id(order_number: str, line_number: int) -> str:
    return f"order-{order_number}-line-{line_number}"
