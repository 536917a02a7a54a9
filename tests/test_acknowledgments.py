"""Supplier acknowledgments (contract: "Supplier acknowledgments and changes"), end to end on
the dev server and PostgreSQL: an accept with a promised date; a cut re-sourced to the
rank-2 supplier; a rejection with no other source, parked for a person, retried once setup
adds a source; a cut on one share of a split line; a repeated acknowledgment id; a cut below
what was received, refused; a shortfall canceled instead of retried."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from tests.conftest import Stack, order_number
from tests.fixtures import demo_setup, laptop_order

HELIX_LAPTOPS = {
    "number": "BPA-3",
    "supplier": "SUP-HELIX",
    "item": "LAPTOP-X1",
    "unit_price": "995.00",
    "lead_time_days": 7,
    "automatically_generate_orders": True,
    "automatically_submit_for_approval": True,
}


def laptop_setup(*helix: dict[str, Any]) -> dict[str, Any]:
    """Laptops from SUP-ACME; with `helix`, those SUP-HELIX sources too (BPA-3)."""
    setup = demo_setup()
    if helix:
        setup["blanket_agreements"].append(HELIX_LAPTOPS)
        rule = next(r for r in setup["sourcing_rules"] if r["item"] == "LAPTOP-X1")
        rule["sources"] = [{**rule["sources"][0], **helix[0]}, *helix[1:]]
    return setup


RANK_2: tuple[dict[str, Any], ...] = (
    {},
    {"type": "BUY", "supplier": "SUP-HELIX", "rank": 2, "allocation_pct": 100},
)
SPLIT: tuple[dict[str, Any], ...] = (
    {"allocation_pct": 60},
    {"type": "BUY", "supplier": "SUP-HELIX", "rank": 1, "allocation_pct": 40},
)


async def booked(stack: Stack, quantity: int, setup: dict[str, Any]) -> tuple[str, str]:
    """A laptop line waiting for its PO from SUP-ACME: (order, PO)."""
    await stack.call("PUT", "/setup", json=setup)
    so = order_number()
    await stack.call("POST", "/orders", json=laptop_order(so, quantity), role="orders", expect=202)
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    acme = [s for s in line["supply"] if s["supplier"] == "SUP-ACME"]
    return so, acme[0]["document_number"]


async def acknowledge(
    stack: Stack, po: str, ack_id: str, *lines: dict[str, Any], role: str = "buyer", **kw: Any
) -> Any:
    body = {"acknowledgment_id": ack_id, "lines": [{"po_line": 1, **li} for li in lines]}
    return await stack.call(
        "POST", f"/purchase-orders/{po}/acknowledgments", role=role, json=body, **kw
    )


def events(line: dict[str, Any], type_: str) -> list[str]:
    return [e["detail"] for e in line["events"] if e["type"] == type_]


async def test_an_accept_with_a_date_shows_on_the_po_and_the_line(stack: Stack) -> None:
    so, po = await booked(stack, 10, laptop_setup())
    answer = await acknowledge(
        stack, po, "ACK-1", {"action": "ACCEPT", "promised_date": "2026-12-20"}
    )
    assert answer["lines"] == [
        {
            "po_line": 1,
            "action": "ACCEPT",
            "accepted": True,
            "reason": None,
            "shortfall_quantity": 0,
        }
    ]
    po_line = answer["purchase_order"]["lines"][0]
    assert po_line["acknowledgment_status"] == "ACCEPTED"
    assert (po_line["promised_date"], po_line["expected_date"]) == ("2026-12-20", "2026-12-20")
    described = await stack.call("GET", f"/purchase-orders/{po}")
    assert described["lines"][0]["acknowledgment_status"] == "ACCEPTED"
    line = await stack.wait_line(
        so, until=lambda v: v["supply"][0]["acknowledgment_status"] == "ACCEPTED"
    )
    assert line["supply"][0]["promised_date"] == "2026-12-20"
    assert line["supply"][0]["expected_date"] == "2026-12-20"  # not the lead time's
    assert line["status"] == "AWAITING_SUPPLY" and line["supply"][0]["quantity"] == 10
    assert f"{po} line 1 accepted by SUP-ACME, promised for 2026-12-20" in events(
        line, "PURCHASE_ORDER_ACKNOWLEDGED"
    )
    # A later acknowledgment may change what an earlier one said.
    await acknowledge(stack, po, "ACK-2", {"action": "CHANGE", "promised_date": "2027-01-05"})
    described = await stack.call("GET", f"/purchase-orders/{po}")
    assert described["lines"][0]["acknowledgment_status"] == "CHANGED"
    assert described["lines"][0]["promised_date"] == "2027-01-05"
    assert Decimal(str(described["lines"][0]["cut_quantity"])) == 0


async def test_a_cut_is_re_sourced_to_the_rank_2_supplier(stack: Stack) -> None:
    so, po = await booked(stack, 10, laptop_setup(*RANK_2))
    await stack.receive(so, po, 3, "r1")
    answer = await acknowledge(
        stack, po, "ACK-CUT", {"action": "CHANGE", "quantity": 6, "reason": "allocation"}
    )
    assert answer["lines"][0]["accepted"] and answer["lines"][0]["shortfall_quantity"] == 4
    po_line = answer["purchase_order"]["lines"][0]
    assert po_line["acknowledgment_status"] == "CHANGED"
    assert Decimal(str(po_line["cut_quantity"])) == 4

    line = await stack.wait_line(so, until=lambda v: len(v["supply"]) == 2)
    acme, helix = line["supply"]
    assert (acme["document_number"], acme["quantity"]) == (po, 6)
    assert (helix["supplier"], helix["quantity"], helix["type"]) == ("SUP-HELIX", 4, "BUY")
    assert events(line, "SUPPLY_SHORTFALL") == [
        f"shortfall of 4: SUP-ACME cut {po} line 1 (allocation)"
    ]
    assert events(line, "LINE_RESOURCED") == [
        f"shortfall of 4: SUP-ACME cut {po} line 1 (allocation): re-sourced on"
        f" {helix['document_number']} (BUY)"
    ]
    why = events(line, "LINE_SCHEDULED")
    assert "rank 1 BUY from SUP-ACME: left out, SUP-ACME cut or rejected this line's supply" in why
    # Nothing received was un-reserved; the line stays whole across both POs.
    assert (line["reserved_quantity"], line["open_quantity"]) == (3, 10)
    assert line["status"] == "AWAITING_SUPPLY"
    stored = await stack.call("GET", "/events?after=0&limit=500")
    types = [e["type"] for e in stored["events"] if e.get("order_number") == so]
    assert types.index("SUPPLY_SHORTFALL") < types.index("LINE_RESOURCED")

    # Both POs deliver; the line ships and closes; each supplier bills what it delivered.
    await stack.receive(so, po, 3, "r2")
    await stack.call(
        "POST",
        "/scans/receipts",
        role="scanner",
        json={"scan_id": f"{so}-r3", "po_number": helix["document_number"], "quantity": 4},
    )
    await stack.ship(so, 10)
    billed = await stack.scalar(
        "SELECT string_agg(po_number || '=' || quantity::int, ',' ORDER BY po_number)"
        " FROM ap_invoices"
    )
    assert billed == f"{po}=6,{helix['document_number']}=4"


async def test_a_rejection_without_another_source_waits_for_a_person(stack: Stack) -> None:
    so, po = await booked(stack, 5, laptop_setup())
    await acknowledge(stack, po, "ACK-REJ", {"action": "REJECT", "reason": "discontinued"})
    line = await stack.wait_status(so, "MANUAL_ACTION_REQUIRED")
    reason = line["manual_action_reason"]
    assert f"shortfall of 5: SUP-ACME rejected {po} line 1 (discontinued)" in reason
    assert "no source can supply the line" in reason
    described = await stack.call("GET", f"/purchase-orders/{po}")
    assert (described["status"], described["lines"][0]["acknowledgment_status"]) == (
        "CANCELED",
        "REJECTED",
    )
    # Retried before setup changed: still nothing, still parked.
    await stack.call("POST", f"/orders/{so}/lines/1/retry", role="orders")
    await stack.wait_line(
        so,
        until=lambda v: (
            v["status"] == "MANUAL_ACTION_REQUIRED"
            and len(events(v, "MANUAL_ACTION_REQUIRED")) == 2
        ),
    )
    # Setup adds SUP-HELIX; a retry re-sources the line there.
    await stack.call("PUT", "/setup", json=laptop_setup(*RANK_2))
    await stack.call("POST", f"/orders/{so}/lines/1/retry", role="orders")
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    assert [(s["supplier"], s["status"], s["quantity"]) for s in line["supply"]] == [
        ("SUP-ACME", "CANCELED", 0),
        ("SUP-HELIX", "AWAITING_RECEIPT", 5),
    ]
    assert len(events(line, "LINE_RESOURCED")) == 1
    helix = line["supply"][1]["document_number"]
    await stack.call(
        "POST",
        "/scans/receipts",
        role="scanner",
        json={"scan_id": f"{so}-r1", "po_number": helix, "quantity": 5},
    )
    await stack.ship(so, 5)
    # The rejected PO brought nothing and is not billed.
    assert await stack.scalar("SELECT string_agg(po_number, ',') FROM ap_invoices") == helix


async def test_a_shortfall_canceled_instead_of_retried(stack: Stack) -> None:
    so, po = await booked(stack, 8, laptop_setup())
    await stack.receive(so, po, 2, "r1")
    await acknowledge(stack, po, "ACK-C", {"action": "CHANGE", "quantity": 5, "reason": "short"})
    await stack.wait_status(so, "MANUAL_ACTION_REQUIRED")
    await stack.call(
        "POST",
        f"/orders/{so}/lines/1/cancel",
        role="orders",
        json={"quantity": 3, "reason": "customer takes 5"},
    )
    line = await stack.wait_status(so, "AWAITING_SUPPLY")
    assert (line["open_quantity"], line["reserved_quantity"]) == (5, 2)
    assert line["manual_action_reason"] is None
    assert events(line, "SHORTFALL_CANCELED")
    assert await stack.scalar("SELECT settlement FROM supply_shortfalls") == "CANCELED"
    await stack.receive(so, po, 3, "r2")
    await stack.ship(so, 5)


async def test_a_cut_on_a_split_line_takes_only_that_share(stack: Stack) -> None:
    so, acme = await booked(stack, 10, laptop_setup(*SPLIT))
    line = await stack.line(so)
    helix = next(s for s in line["supply"] if s["supplier"] == "SUP-HELIX")["document_number"]
    await acknowledge(stack, helix, "ACK-H", {"action": "CHANGE", "quantity": 1, "reason": "x"})
    line = await stack.wait_line(so, until=lambda v: len(v["supply"]) == 3)
    assert [(s["supplier"], s["quantity"]) for s in line["supply"]] == [
        ("SUP-ACME", 6),
        ("SUP-HELIX", 1),
        ("SUP-ACME", 3),
    ]
    assert line["supply"][0]["document_number"] == acme
    assert (
        await stack.scalar("SELECT quantity FROM purchase_order_lines WHERE po_number = $1", acme)
        == 6
    )


async def test_an_acknowledgment_is_applied_once_and_refusals_change_nothing(stack: Stack) -> None:
    so, po = await booked(stack, 10, laptop_setup(*RANK_2))
    await stack.receive(so, po, 4, "r1")
    below = await acknowledge(stack, po, "ACK-LOW", {"action": "CHANGE", "quantity": 3})
    assert below["lines"][0]["accepted"] is False
    assert "below the 4 already received" in below["lines"][0]["reason"]
    above = await acknowledge(stack, po, "ACK-HIGH", {"action": "CHANGE", "quantity": 11})
    assert "more than the 10 ordered" in above["lines"][0]["reason"]
    unknown = await acknowledge(stack, po, "ACK-NO", {"po_line": 2, "action": "ACCEPT"})
    assert unknown["lines"][0] == {
        "po_line": 2,
        "action": "ACCEPT",
        "accepted": False,
        "reason": f"{po} has no line 2",
    }
    described = await stack.call("GET", f"/purchase-orders/{po}")
    assert described["lines"][0]["acknowledgment_status"] == "UNACKNOWLEDGED"
    assert Decimal(str(described["lines"][0]["canceled_quantity"])) == 0

    first = await acknowledge(stack, po, "ACK-1", {"action": "CHANGE", "quantity": 7})
    again = await acknowledge(stack, po, "ACK-1", {"action": "CHANGE", "quantity": 7})
    assert again["lines"] == first["lines"] and again["already_applied"] is True
    assert first["already_applied"] is False
    assert (
        await stack.scalar("SELECT cut_quantity FROM purchase_order_lines WHERE po_number = $1", po)
        == 3
    )
    assert await stack.scalar("SELECT count(*) FROM supply_shortfalls") == 1
    # The same id for something else is refused, naming it.
    other = await acknowledge(stack, po, "ACK-1", {"action": "CHANGE", "quantity": 6}, expect=409)
    assert other["field"] == "acknowledgment_id"
    line = await stack.wait_line(so, until=lambda v: len(v["supply"]) == 2)
    assert [s["quantity"] for s in line["supply"]] == [7, 3]
    assert len(events(line, "SUPPLY_SHORTFALL")) == 1


async def test_bad_acknowledgments_are_refused_naming_the_field(stack: Stack) -> None:
    _so, po = await booked(stack, 2, laptop_setup())
    missing = await acknowledge(stack, po, "A1", {"action": "CHANGE"}, expect=422)
    assert "CHANGE needs a quantity or a promised_date" in str(missing)
    twice = await stack.call(
        "POST",
        f"/purchase-orders/{po}/acknowledgments",
        role="buyer",
        json={
            "acknowledgment_id": "A2",
            "lines": [{"po_line": 1, "action": "ACCEPT"}, {"po_line": 1, "action": "REJECT"}],
        },
        expect=422,
    )
    assert "po_line 1 appears twice" in str(twice)
    await stack.call(
        "POST",
        "/purchase-orders/PO-NOPE/acknowledgments",
        role="buyer",
        json={"acknowledgment_id": "A3", "lines": [{"po_line": 1, "action": "ACCEPT"}]},
        expect=404,
    )
    await acknowledge(stack, po, "A4", {"action": "ACCEPT"}, role="scanner", expect=403)
    assert await stack.scalar("SELECT count(*) FROM po_acknowledgments") == 0


async def test_a_cut_racing_a_receipt_has_one_winner(stack: Stack) -> None:
    """Both lock the pegged line, then the PO line: a receipt of 4 and a cut to 3 on a PO
    line of 10 cannot both hold, and exactly one of them does, every time."""
    await stack.call("PUT", "/setup", json=laptop_setup(*RANK_2))
    for attempt in range(4):
        so = order_number()
        body = laptop_order(so, 10)
        await stack.call("POST", "/orders", json=body, role="orders", expect=202)
        po = (await stack.wait_status(so, "AWAITING_SUPPLY"))["supply"][0]["document_number"]
        receipt, cut = await asyncio.gather(
            stack.receive(so, po, 4, f"r{attempt}", expect=None),
            acknowledge(stack, po, f"{so}-cut", {"action": "CHANGE", "quantity": 3}),
        )
        received = receipt.get("accepted") is True
        assert received != cut["lines"][0]["accepted"], (receipt, cut)
        pol = await stack.call("GET", f"/purchase-orders/{po}")
        line = pol["lines"][0]
        ordered = Decimal(str(line["quantity"])) - Decimal(str(line["canceled_quantity"]))
        assert Decimal(str(line["received_quantity"])) == (4 if received else 0)
        assert ordered == (10 if received else 3)
