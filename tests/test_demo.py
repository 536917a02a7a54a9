"""`make demo` plays seed 001's example to CLOSED."""

from __future__ import annotations

from starter.demo import play, play_make_and_transfer
from starter.demo_drop_ship import play_drop_ship
from starter.demo_kit import play_kit
from starter.demo_supplier import play_supplier_cut
from tests.conftest import Stack, auth


async def test_demo_runs_to_closed(stack: Stack) -> None:
    stack.api.headers.update(auth("admin"))
    said: list[str] = []
    line = await play(stack.api, said.append)
    assert line["status"] == "CLOSED"
    assert line["received_quantity"] == 50 and line["shipped_quantity"] == 50
    assert [i["kind"] for i in line["invoices"]] == ["AR", "AR", "AP"]
    # Shipped what had arrived, in two parts.
    assert any("Shipped 30" in s for s in said) and any("Shipped 20" in s for s in said)
    assert any("Received 30" in s for s in said) and any("Received 20" in s for s in said)
    assert any("Temporal UI: " in s and line["workflow_id"] in s for s in said)
    assert await stack.scalar("SELECT count(*) FROM receipts") == 2


async def test_make_and_transfer_demo_runs_to_closed(stack: Stack) -> None:
    stack.api.headers.update(auth("admin"))
    said: list[str] = []
    lines = await play_make_and_transfer(stack.api, said.append)
    assert [line["status"] for line in lines] == ["CLOSED", "CLOSED"]
    assert [line["supply"][0]["type"] for line in lines] == ["MAKE", "TRANSFER"]
    assert any("Work order WO-" in s for s in said) and any("Transfer order TO-" in s for s in said)
    assert await stack.scalar("SELECT status FROM work_orders") == "CLOSED"
    assert await stack.scalar("SELECT status FROM transfer_orders") == "CLOSED"


async def test_supplier_cut_demo_re_sources_and_closes(stack: Stack) -> None:
    stack.api.headers.update(auth("admin"))
    said: list[str] = []
    line = await play_supplier_cut(stack.api, said.append)
    assert line["status"] == "CLOSED" and line["shipped_quantity"] == 20
    assert [(s["supplier"], s["quantity"]) for s in line["supply"]] == [
        ("SUP-ACME", 12),
        ("SUP-HELIX", 8),
    ]
    assert [i["kind"] for i in line["invoices"]].count("AP") == 2
    assert any("a shortfall of 8" in s for s in said)
    assert any(s.startswith("- Re-sourced: PO-") and "SUP-HELIX for 8" in s for s in said)


async def test_drop_ship_demo_ships_in_two_notices_and_closes(stack: Stack) -> None:
    stack.api.headers.update(auth("admin"))
    said: list[str] = []
    line = await play_drop_ship(stack.api, said.append)
    assert line["status"] == "CLOSED" and line["shipped_quantity"] == 3
    assert [s["type"] for s in line["supply"]] == ["DROP_SHIP"]
    assert [i["kind"] for i in line["invoices"]] == ["AR", "AR", "AP"]
    assert any("shipped to CUST-200" in s for s in said)
    assert sum("SUP-HELIX shipped" in s for s in said) == 2


async def test_kit_demo_ships_the_components_together_and_bills_kits(stack: Stack) -> None:
    stack.api.headers.update(auth("admin"))
    said: list[str] = []
    line = await play_kit(stack.api, said.append)
    assert line["status"] == "CLOSED" and line["kit"]["shipped"] == 2
    assert [c["status"] for c in line["components"]] == ["CLOSED"] * 3
    assert [i["kind"] for i in line["invoices"]] == ["AR"]
    assert any(s.startswith("- Billed as kits: 2 kits") for s in said)
