"""Inputs at their bounds: an order whose workflow input would be too large to start is
refused before it is stored; valid boundary inputs stay valid; text the input types accept
is stored by PostgreSQL as it is."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import asyncpg
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from tests.conftest import Stack, order_number
from tests.fixtures import demo_setup, laptop_order
from tests.unit.test_inputs import ANY_TEXT, TEXTS
from tests.unit.test_order_hub import seed_payload


async def test_an_order_whose_lines_once_overflowed_its_workflow_input_is_booked(
    idle_stack: Stack,
) -> None:
    """Order rules name the PO in every line's reasons: 500 lines under ten rules matching a
    240-character PO hold over 2 MiB of line inputs. They stay in their rows: the order's
    workflow input names the order only, and each line's input is its own."""
    stack = idle_stack
    po = "P" * 240
    setup = demo_setup()
    setup["order_rules"] = [
        {"name": f"po-rule-{i:02}", "when": {"customer_po_number_starts_with": po[: 230 + i]},
         "set": {"cancel_backorders": True}}
        for i in range(10)
    ]  # fmt: skip
    await stack.call("PUT", "/setup", json=setup)
    so = order_number()
    body = laptop_order(so, 1)
    body["customer_po_number"] = po
    body["lines"] = [
        {"line_number": n, "item_number": "CABLE-C6", "quantity": 1} for n in range(1, 501)
    ]
    answer = await stack.call("POST", "/orders", role="orders", json=body, expect=202)
    assert len(answer["lines"]) == 500
    rules = await stack.scalar(
        "SELECT applied_rules FROM fulfillment_lines WHERE order_number = $1 AND line_number = 500",
        so,
    )
    assert len(rules) == 10 and po in rules[0]
    history = await stack.client.get_workflow_handle(f"order-{so}").fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    assert sum(len(p.data) for p in started.input.payloads) < 2_000


async def test_valid_boundary_inputs_stay_valid(idle_stack: Stack) -> None:
    stack = idle_stack
    setup = demo_setup()
    setup["items"].append(
        {"number": "WIRE-CU", "description": "Copper wire,\nsold by the kilogram", "uom": "Kg",
         "quantity_decimal_places": 2, "list_price": "12.50"}
    )  # fmt: skip
    setup["customers"][0]["party_id"] = 2**63 - 1
    await stack.call("PUT", "/setup", json=setup)
    so = order_number()
    body = laptop_order(so, 50)
    body["customer_po_number"] = "Bestellung für Zürich 🚚 " + "é" * 216
    assert len(body["customer_po_number"]) == 240
    body["lines"][0].update(line_number="1", quantity="50")
    body["lines"].append({"line_number": 2, "item_number": "WIRE-CU", "quantity": "2.25"})
    await stack.call("POST", "/orders", role="orders", json=body, expect=202)
    header = await stack.call("GET", f"/orders/{so}")
    assert header["customer_po_number"] == body["customer_po_number"]
    ordered = [Decimal(str(li["ordered_quantity"])) for li in header["lines"]]
    assert ordered == [50, Decimal("2.25")]
    finer = laptop_order(order_number())
    finer["lines"] = [{"line_number": 1, "item_number": "WIRE-CU", "quantity": "2.125"}]
    answer = await stack.call("POST", "/orders", role="orders", json=finer, expect=422)
    assert answer["field"] == "lines[0].quantity" and "at most 2 decimal places" in answer["reason"]
    reason = "Customer called:\n\tno longer needed"
    canceled = await stack.call(
        "POST", f"/orders/{so}/lines/2/cancel", role="orders", json={"reason": reason}
    )
    assert canceled["reason"] == reason
    hub = seed_payload()
    hub["SourceTransactionNumber"] = hub["SourceTransactionId"] = order_number()
    hub["BuyingPartyId"] = str(2**63 - 1)
    hub["lines"][0].update(ProductNumber="LAPTOP-X1", OrderedQuantity="3")
    await stack.call("POST", "/orders/order-hub", role="orders", json=hub, expect=202)


def accepted_texts(count: int) -> list[str]:
    """Strings of every code point (controls and surrogates included) that the text types
    accept, as they store them."""
    texts: list[str] = []
    kinds = [TypeAdapter(Annotated[str, rule]) for rule in TEXTS]

    @settings(max_examples=count, database=None, deadline=None, derandomize=True)
    @given(text=ANY_TEXT, kind=st.sampled_from(kinds))
    def collect(text: str, kind: TypeAdapter[str]) -> None:
        try:
            texts.append(kind.validate_python(text))
        except ValidationError:
            pass

    collect()
    return texts


async def test_text_the_types_accept_is_stored_by_postgresql_as_it_is(
    pool: asyncpg.Pool,
) -> None:
    texts = accepted_texts(400)
    assert len(texts) > 100
    async with pool.acquire() as conn:
        await conn.execute("CREATE TEMPORARY TABLE accepted_text (value text NOT NULL)")
        await conn.executemany("INSERT INTO accepted_text VALUES ($1)", [(t,) for t in texts])
        stored = [r["value"] for r in await conn.fetch("SELECT value FROM accepted_text")]
    assert sorted(stored) == sorted(texts)
