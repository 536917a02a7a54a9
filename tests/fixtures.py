"""Master data the tests book against (the demo setup, loaded from the shipped file)."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml


def demo_setup() -> dict[str, Any]:
    text = (resources.files("starter") / "demo_setup.yaml").read_text()
    return yaml.safe_load(text)


def laptop_order(order_number: str, quantity: int = 50, **line: Any) -> dict[str, Any]:
    return {
        "order_number": order_number,
        "customer_number": "CUST-100",
        "customer_po_number": "PO-7781",
        "currency": "USD",
        "requested_ship_date": "2026-12-01",
        "lines": [
            {
                "line_number": 1,
                "item_number": "LAPTOP-X1",
                "quantity": quantity,
                "uom": "Ea",
                **line,
            }
        ],
    }
