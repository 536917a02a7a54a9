"""Orders: booking (the contract's and Order Hub's), the order and its lines, line search."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import structlog
from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from temporalio.service import RPCError

from adapters.errors import Refusal
from adapters.postgres.orders.credit_view import authorization_view
from domain.backorders import shipment_sets
from domain.identity import LINE_WORKFLOW_TYPES_QUERY, line_workflow_id, order_workflow_id
from domain.models import OrderIn
from domain.order_hub import OrderHubOrder, OrderHubRejected, to_order
from domain.statuses import LineStatus
from runtime.orchestration import start_order_workflow
from starter.http import answers
from starter.http.context import AppContext
from starter.http.errors import READ, WRITE, down_dependency, json_answer, responses
from starter.http.lines import line_counts, line_summary, line_view, order_status, ui_link
from starter.http.params import After, Filter, Limit, LineNumber, OrderNumber
from starter.http.security import OrderDesk, Reader

log = structlog.get_logger("api")
router = APIRouter(tags=["orders"])

BOOKING = {
    **answers.ok(answers.BookingAnswer, 202),
    **answers.ok(answers.BookingAnswer, 200),
    **responses(*WRITE, 409),
}


async def book(ctx: AppContext, order: OrderIn) -> JSONResponse:
    """Record the order and start its workflow: 202 the first time, 200 with the same
    answer when the order number is known. Stored first: if Temporal cannot take the start
    now, the booking still stands and the worker's relay starts it later."""
    created, started, order_input = await ctx.orders.book(order)
    if not started:
        try:
            await start_order_workflow(ctx.client, order_input, task_queue=ctx.task_queue)
            await ctx.orders.mark_started(order.order_number)
        except Exception as err:
            if not isinstance(err, RPCError) and down_dependency(err) is None:
                raise
            log.warning(
                "order workflow not started yet; relay will start it",
                order_number=order.order_number,
                error=f"{type(err).__name__}: {err}",
            )
    log.info(
        "order booked" if created else "order resubmitted",
        order_number=order.order_number,
        workflow_id=order_workflow_id(order.order_number),
        lines=len(order_input.lines),
    )
    body = {
        "order_number": order_input.order_number,
        "workflow_id": order_workflow_id(order_input.order_number),
        "lines": [
            {
                "line_number": li.line_number,
                "workflow_id": line_workflow_id(li.order_number, li.line_number),
            }
            for li in order_input.lines
        ],
    }
    return json_answer(202 if created else 200, body)


@router.post("/orders", status_code=202, responses=BOOKING)
async def book_order(order: OrderIn, ctx: OrderDesk) -> JSONResponse:
    return await book(ctx, order)


@router.post("/orders/order-hub", status_code=202, responses=BOOKING)
async def book_order_hub(payload: OrderHubOrder, ctx: OrderDesk) -> JSONResponse:
    """Book a sales order sent in the payload of Oracle's "Sales Orders for Order Hub"
    REST service; answers like `POST /orders`, naming Order Hub fields in refusals."""
    customer = await ctx.master_data.customer_of_party(payload.buying_party_id)
    if customer is None:
        raise Refusal(
            422,
            f"BuyingPartyId: no customer has party_id {payload.buying_party_id}",
            field="BuyingPartyId",
        )
    try:
        return await book(ctx, to_order(payload, customer_number=customer))
    except OrderHubRejected as rejected:
        raise RequestValidationError(rejected.errors) from rejected
    except Refusal as refusal:
        raise _naming_order_hub_fields(refusal, payload) from refusal


def _naming_order_hub_fields(refusal: Refusal, payload: OrderHubOrder) -> Refusal:
    """The booking's refusal, naming the field as the Order Hub sender wrote it."""
    if refusal.field is None:
        return Refusal(refusal.status, refusal.reason)
    field = payload.field_path(refusal.field)
    reason = refusal.reason
    if reason.startswith(f"{refusal.field}:"):
        reason = field + reason.removeprefix(refusal.field)
    return Refusal(refusal.status, reason, field=field)


# The order answers its first lines; later ones are paged (`GET /orders/{n}/lines`).
ORDER_LINES_PAGE = 1000


@router.get("/orders/{order_number}", responses=responses(*READ, 404))
async def get_order(order_number: OrderNumber, ctx: Reader) -> dict[str, Any]:
    """The header and a summary of every line, read from the system of record in one go:
    the stored status and quantities are the ones each line's workflow and answers wrote
    (read your writes), so no workflow is asked, whatever the order's size."""
    header = await ctx.orders.header(order_number)
    rows = header["lines"]
    summaries = [line_summary(row) for row in rows]
    page = summaries[:ORDER_LINES_PAGE]
    return {
        "order_number": order_number,
        "customer_number": header["customer_number"],
        "customer_po_number": header["customer_po_number"],
        "currency": header["currency"],
        "requested_ship_date": header["requested_ship_date"],
        "organization": header["organization"],
        "booked_at": header["booked_at"],
        "status": order_status([s["status"] for s in summaries]),
        "total_amount": str(sum((s["line_amount"] for s in summaries), Decimal("0"))),
        "credit_authorization": authorization_view(header["credit"]),
        "shipment_sets": shipment_sets(rows, header["released_sets"]),
        "workflow_id": order_workflow_id(order_number),
        "ui_url": ui_link(ctx, order_workflow_id(order_number)),
        "line_counts": line_counts(s["status"] for s in summaries),
        "lines": page,
        "more_lines_after": page[-1]["line_number"] if len(summaries) > len(page) else None,
    }


@router.get("/orders/{order_number}/lines", responses=responses(*READ, 404))
async def get_order_lines(
    order_number: OrderNumber, ctx: Reader, after: After = 0, limit: Limit = 100
) -> dict[str, Any]:
    """The order's lines after a line number, in line order, `limit` at most (1-1000);
    `next_after` pages on, null on the last page."""
    rows = await ctx.orders.lines_after(order_number, after=after, limit=limit + 1)
    page = [line_summary(row) for row in rows[:limit]]
    more = len(rows) > limit
    return {
        "order_number": order_number,
        "lines": page,
        "next_after": page[-1]["line_number"] if more else None,
    }


@router.get(
    "/orders/{order_number}/lines/{line_number}",
    responses={**answers.ok(answers.LineAnswer), **responses(*READ, 404)},
)
async def get_line(
    order_number: OrderNumber, line_number: LineNumber, ctx: Reader
) -> dict[str, Any]:
    view = await line_view(ctx, order_number, line_number)  # 404 for an unknown line
    return {**view.model_dump(mode="json"), "ui_url": ui_link(ctx, view.workflow_id)}


@router.get("/lines", responses={**answers.ok(answers.LinesAnswer), **responses(*READ)})
async def find_lines(
    ctx: Reader,
    status: LineStatus | None = None,
    customer_number: Filter = None,
    item_number: Filter = None,
    order_number: Filter = None,
    supply_status: Filter = None,
    supply_document: Filter = None,
    supplier: Filter = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    clauses = [LINE_WORKFLOW_TYPES_QUERY]
    for attr, value in (
        ("LineStatus", status),
        ("CustomerNumber", customer_number),
        ("ItemNumber", item_number),
        ("OrderNumber", order_number),
        ("SupplyStatus", supply_status),
        ("SupplyDocuments", supply_document),
        ("Supplier", supplier),
    ):
        if value is not None:
            clauses.append(f"{attr} = '{_quote(str(value))}'")
    query = " AND ".join(clauses)
    found = [_found_line(wf) async for wf in ctx.client.list_workflows(query, limit=limit)]
    return {"query": query, "lines": found}


def _found_line(wf: Any) -> dict[str, Any]:
    attrs = wf.typed_search_attributes
    return {
        "workflow_id": wf.id,
        "order_number": _attr(attrs, "OrderNumber"),
        "item_number": _attr(attrs, "ItemNumber"),
        "customer_number": _attr(attrs, "CustomerNumber"),
        "status": _attr(attrs, "LineStatus"),
        "supply_status": _attr(attrs, "SupplyStatus"),
        "supply_documents": _attr(attrs, "SupplyDocuments") or [],
        "warehouse": _attr(attrs, "Warehouse"),
        "supplier": _attr(attrs, "Supplier"),
    }


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _attr(attrs: Any, name: str) -> Any:
    for pair in attrs:
        if pair.key.name == name:
            return pair.value
    return None
