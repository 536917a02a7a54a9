"""A supplier's acknowledgment of a purchase order, applied in one transaction: each PO line
answered on its own (a refused line changes nothing), each acknowledgment_id applied once.

Lines are locked as everywhere else: the pegged fulfillment lines first, in (order, line)
order, then the PO lines; receipts take the same order."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import asyncpg

from adapters.errors import NotFound, Refusal
from adapters.postgres.common import Connection, lock_line
from adapters.postgres.outbox.events import append_event
from adapters.postgres.outbox.tell import tell
from adapters.postgres.supply.procurement import cancel_on_po_line, describe_purchase_order
from adapters.postgres.supply.shortfalls import record_shortfall
from domain.acknowledgments import AckDecision, PoLineNow, decide
from domain.models.acknowledgments import (
    AcknowledgmentIn,
    AcknowledgmentLineIn,
    SupplyAcknowledgedSignal,
)
from domain.quantities import json_quantity
from domain.signals import SUPPLY_ACKNOWLEDGED
from domain.statuses import (
    TERMINAL_LINE_STATUSES,
    DocumentType,
    EventType,
    PurchaseOrderStatus,
)


@dataclass(frozen=True)
class Pegged:
    """A PO line's peg and its fulfillment line's row, locked."""

    peg: Any
    line: Any


async def _claim(
    conn: Connection, acknowledgment_id: str, po_number: str, request: dict[str, Any]
) -> dict[str, Any] | None:
    """Record the acknowledgment before applying it; the earlier answer when its id was
    seen (a concurrent twin waits on the key until the first commits or rolls back)."""
    claimed = await conn.fetchval(
        "INSERT INTO po_acknowledgments (acknowledgment_id, po_number, request)"
        " VALUES ($1, $2, $3) ON CONFLICT (acknowledgment_id) DO NOTHING"
        " RETURNING acknowledgment_id",
        acknowledgment_id,
        po_number,
        request,
    )
    if claimed is not None:
        return None
    earlier = await conn.fetchrow(
        "SELECT po_number, request, response FROM po_acknowledgments WHERE acknowledgment_id = $1",
        acknowledgment_id,
    )
    if earlier["po_number"] != po_number or dict(earlier["request"]) != request:
        raise Refusal(
            409,
            f"acknowledgment_id {acknowledgment_id} was already used for another"
            f" acknowledgment (of {earlier['po_number']}); give each one its own id",
            field="acknowledgment_id",
        )
    return dict(earlier["response"])


class Acknowledgments:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def acknowledge(
        self, po_number: str, ack: AcknowledgmentIn
    ) -> tuple[dict[str, Any], list[int]]:
        request = ack.model_dump(mode="json")
        async with self._pool.acquire() as conn, conn.transaction():
            po = await conn.fetchrow(
                "SELECT * FROM purchase_orders WHERE po_number = $1", po_number
            )
            if po is None:
                raise NotFound(f"purchase order {po_number}")
            earlier = await _claim(conn, ack.acknowledgment_id, po_number, request)
            if earlier is not None:
                purchase_order = await describe_purchase_order(conn, po_number)
                return {**earlier, "already_applied": True, "purchase_order": purchase_order}, []
            if po["status"] == PurchaseOrderStatus.AWAITING_APPROVAL:
                raise Refusal(
                    409,
                    f"purchase order {po_number} is awaiting approval: it has not been sent"
                    " to the supplier yet",
                )
            pegged = await _lock_pegged_lines(conn, po_number)
            answers: dict[int, dict[str, Any]] = {}
            outbox: list[int] = []
            for line in sorted(ack.lines, key=lambda li: li.po_line):
                answers[line.po_line], owed = await _acknowledge_line(
                    conn, po, pegged.get(line.po_line), line, ack.acknowledgment_id
                )
                outbox += owed
            # Stored as answered, line by line; the PO itself is shown as it is when asked.
            response = {
                "acknowledgment_id": ack.acknowledgment_id,
                "po_number": po_number,
                "lines": [answers[li.po_line] for li in ack.lines],
            }
            await conn.execute(
                "UPDATE po_acknowledgments SET response = $2 WHERE acknowledgment_id = $1",
                ack.acknowledgment_id,
                response,
            )
            purchase_order = await describe_purchase_order(conn, po_number)
            return {**response, "already_applied": False, "purchase_order": purchase_order}, outbox


async def _lock_pegged_lines(conn: Connection, po_number: str) -> dict[int, Pegged]:
    """The PO's pegs by PO line with their fulfillment lines, locked in (order, line)
    order."""
    pegs = await conn.fetch(
        "SELECT * FROM pegs WHERE document_type = $1 AND document_number = $2"
        " ORDER BY order_number, line_number",
        DocumentType.PURCHASE_ORDER,
        po_number,
    )
    return {
        peg["document_line"]: Pegged(
            peg=peg, line=await lock_line(conn, peg["order_number"], peg["line_number"])
        )
        for peg in pegs
    }


async def _acknowledge_line(
    conn: Connection,
    po: Any,
    pegged: Pegged | None,
    ack: AcknowledgmentLineIn,
    acknowledgment_id: str,
) -> tuple[dict[str, Any], list[int]]:
    po_number = po["po_number"]
    pol = await conn.fetchrow(
        "SELECT * FROM purchase_order_lines WHERE po_number = $1 AND po_line = $2 FOR UPDATE",
        po_number,
        ack.po_line,
    )
    if pol is None:
        return _answer(ack, AckDecision.refused(f"{po_number} has no line {ack.po_line}")), []
    decision = decide(
        PoLineNow(
            label=f"{po_number} line {ack.po_line}",
            status=pol["status"],
            ordered=pol["quantity"] - pol["canceled_quantity"],
            received=pol["received_quantity"],
        ),
        ack.action,
        quantity=ack.quantity,
        promised_date=ack.promised_date,
    )
    if not decision.accepted:
        return _answer(ack, decision), []
    assert decision.status is not None
    await conn.execute(
        "UPDATE purchase_order_lines SET acknowledgment_status = $3,"
        " promised_date = coalesce($4, promised_date) WHERE po_number = $1 AND po_line = $2",
        po_number,
        ack.po_line,
        decision.status,
        decision.promised_date,
    )
    if pegged is None:  # nothing pegged: no line to tell, no shortfall to owe
        return _answer(ack, decision), []
    owed = await _apply_to_line(conn, po, pol, pegged, ack, decision, acknowledgment_id)
    return _answer(ack, decision), owed


async def _apply_to_line(
    conn: Connection,
    po: Any,
    pol: Any,
    pegged: Pegged,
    ack: AcknowledgmentLineIn,
    decision: AckDecision,
    acknowledgment_id: str,
) -> list[int]:
    """An accepted acknowledgment of a pegged PO line: a cut is canceled on the PO line and
    owed to the line as a shortfall; the event is added, and the line's workflow told unless
    it is done. Answers the outbox ids."""
    peg = pegged.peg
    shortfall_id, words = None, None
    if decision.cut > 0:
        shortfall_id, words = await _cut(conn, po, pol, peg, ack, decision.cut, acknowledgment_id)
    # The PO line as the updates above left it.
    quantity = pol["quantity"] - pol["canceled_quantity"] - decision.cut
    promised = decision.promised_date or pol["promised_date"]
    key = f"acknowledgment:{acknowledgment_id}:{ack.po_line}"
    event = EventType.PURCHASE_ORDER_ACKNOWLEDGED
    data = {
        "acknowledgment_id": acknowledgment_id,
        "po_number": po["po_number"],
        "po_line": ack.po_line,
        "action": ack.action,
        "status": decision.status,
        "quantity": json_quantity(quantity),
        "cut_quantity": json_quantity(decision.cut),
        "promised_date": promised.isoformat() if promised else None,
        "reason": ack.reason,
    }
    if pegged.line["status"] in TERMINAL_LINE_STATUSES:  # its workflow has nothing to learn
        await append_event(
            conn,
            key=key,
            type=event,
            order_number=peg["order_number"],
            line_number=peg["line_number"],
            data=data,
        )
        return []
    assert decision.status is not None
    signal = SupplyAcknowledgedSignal(
        acknowledgment_id=acknowledgment_id,
        po_number=po["po_number"],
        po_line=ack.po_line,
        supplier=po["supplier"],
        status=decision.status,
        promised_date=promised,
        quantity=quantity,
        cut=decision.cut,
        shortfall_id=shortfall_id,
        shortfall=words,
    )
    return [
        await tell(
            conn, peg, key=key, event=event, data=data, signal=SUPPLY_ACKNOWLEDGED, payload=signal
        )
    ]


async def _cut(
    conn: Connection,
    po: Any,
    pol: Any,
    peg: Any,
    ack: AcknowledgmentLineIn,
    cut: Decimal,
    acknowledgment_id: str,
) -> tuple[str, str]:
    """What the supplier cut: canceled on the locked PO line (counted apart) and recorded as
    the pegged line's shortfall; answers the shortfall's id and the shortfall in words."""
    await cancel_on_po_line(
        conn,
        pol=pol,
        supply_order_number=peg["supply_order_number"],
        canceled=pol["canceled_quantity"] + cut,
        cut=cut,
    )
    shortfall_id = f"{acknowledgment_id}:{ack.po_line}"
    return shortfall_id, await record_shortfall(
        conn,
        shortfall_id=shortfall_id,
        acknowledgment_id=acknowledgment_id,
        pol=pol,
        peg=peg,
        supplier=po["supplier"],
        quantity=cut,
        action=ack.action,
        reason=ack.reason or "no reason given",
    )


def _answer(ack: AcknowledgmentLineIn, decision: AckDecision) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "po_line": ack.po_line,
        "action": ack.action,
        "accepted": decision.accepted,
        "reason": decision.reason,
    }
    if decision.accepted:
        answer["shortfall_quantity"] = json_quantity(decision.cut)
    return answer
