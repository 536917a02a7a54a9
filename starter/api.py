"""The HTTP API of the public contract (`../shared/api.md`, kept in docs/api.md)."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any

import asyncpg
import structlog
from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from temporalio.client import Client, WorkflowQueryRejectedError
from temporalio.common import QueryRejectCondition
from temporalio.service import RPCError, RPCStatusCode

from adapters.errors import NotFound, Refusal
from adapters.postgres.cancellations import Cancellations
from adapters.postgres.credit import Credit
from adapters.postgres.events import BusinessEvents
from adapters.postgres.inventory import Inventory
from adapters.postgres.line_ledger import ledger_of
from adapters.postgres.manufacturing import Manufacturing
from adapters.postgres.master_data import MasterData
from adapters.postgres.orders import Orders
from adapters.postgres.outbox import SignalOutbox
from adapters.postgres.procurement import Procurement
from adapters.postgres.revisions import Revisions
from adapters.postgres.shipping import Shipping
from adapters.postgres.transfers import Transfers
from domain import signals
from domain.backorders import shipment_sets
from domain.identity import LINE_WORKFLOW_TYPES_QUERY, line_workflow_id, order_workflow_id
from domain.line.view import ledger_fields
from domain.models import (
    CancelIn,
    LineView,
    OrderCancelIn,
    OrderIn,
    PickScanIn,
    PickWaveIn,
    ReceiptScanIn,
    RevisionIn,
    SetupDocument,
    ShipScanIn,
    WorkOrderCompletionIn,
)
from domain.order_hub import OrderHubOrder, OrderHubRejected, to_order
from domain.pricing import line_amount
from domain.statuses import TERMINAL_LINE_STATUSES, CreditStatus, LineStatus
from runtime.config import Settings
from runtime.database import create_pool, migrate
from runtime.orchestration import start_order_workflow
from runtime.temporal import connect
from starter.auth import parse_tokens

log = structlog.get_logger("api")


@dataclass
class AppContext:
    pool: asyncpg.Pool
    client: Client
    task_queue: str
    tokens: dict[str, set[str]]
    ui_url: str = "http://localhost:8233"
    namespace: str = "default"
    owns_resources: bool = False
    orders: Orders = field(init=False)
    master_data: MasterData = field(init=False)
    procurement: Procurement = field(init=False)
    inventory: Inventory = field(init=False)
    manufacturing: Manufacturing = field(init=False)
    shipping: Shipping = field(init=False)
    cancellations: Cancellations = field(init=False)
    transfers: Transfers = field(init=False)
    revisions: Revisions = field(init=False)
    events: BusinessEvents = field(init=False)
    outbox: SignalOutbox = field(init=False)
    credit: Credit = field(init=False)

    def __post_init__(self) -> None:
        self.orders = Orders(self.pool)
        self.master_data = MasterData(self.pool)
        self.procurement = Procurement(self.pool)
        self.inventory = Inventory(self.pool)
        self.manufacturing = Manufacturing(self.pool)
        self.shipping = Shipping(self.pool)
        self.cancellations = Cancellations(self.pool)
        self.transfers = Transfers(self.pool)
        self.revisions = Revisions(self.pool, orders=self.orders, cancellations=self.cancellations)
        self.events = BusinessEvents(self.pool)
        self.outbox = SignalOutbox(self.pool, self.client)
        self.credit = Credit(self.pool)

    async def deliver(self, outbox_ids: list[int]) -> None:
        """Signal right away; if this fails the worker's relay delivers later."""
        if not outbox_ids:
            return
        try:
            await self.outbox.deliver(outbox_ids)
        except Exception:
            log.exception("immediate signal delivery failed; relay will retry")


def _field_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if part in ("body", "query", "path"):
            continue
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def _json(status: int, body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(status_code=status, content=jsonable_encoder(body))


def create_app(context: AppContext | None = None) -> FastAPI:
    """The API; with no context it connects from the environment at start-up."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx = context
        if ctx is None:
            settings = Settings()
            if not settings.database_url:
                raise RuntimeError("B2B_DATABASE_URL is not set")
            if not settings.api_tokens:
                raise RuntimeError("B2B_API_TOKENS is not set")
            await migrate(settings.database_url)
            ctx = AppContext(
                pool=await create_pool(settings.database_url),
                client=await connect(settings, wait_seconds=60),
                task_queue=settings.task_queue,
                tokens=parse_tokens(settings.api_tokens),
                ui_url=settings.ui_url,
                namespace=settings.temporal_namespace,
                owns_resources=True,
            )
        app.state.ctx = ctx
        yield
        if ctx.owns_resources:
            await ctx.pool.close()

    app = FastAPI(
        title="Back-to-back fulfillment",
        version="0.1.0",
        lifespan=lifespan,
        description="Books back-to-back sales orders, takes warehouse scans and reports "
        "line status. Every endpoint but /health needs a bearer token.",
    )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field_path(tuple(e["loc"])), "message": e["msg"]} for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return _json(422, {"accepted": False, "detail": detail, "reason": detail, "errors": errors})

    @app.exception_handler(Refusal)
    async def _refused(_: Request, exc: Refusal) -> JSONResponse:
        return _json(
            exc.status,
            {"accepted": False, "detail": exc.reason, "reason": exc.reason, "field": exc.field},
        )

    @app.exception_handler(NotFound)
    async def _not_found(_: Request, exc: NotFound) -> JSONResponse:
        return _json(404, {"detail": f"{exc.what} not found"})

    def ctx_of(request: Request) -> AppContext:
        return request.app.state.ctx

    def role(*allowed: str) -> Callable[..., Awaitable[AppContext]]:
        async def check(
            request: Request, authorization: Annotated[str | None, Header()] = None
        ) -> AppContext:
            ctx = ctx_of(request)
            scheme, _, token = (authorization or "").partition(" ")
            roles = ctx.tokens.get(token) if scheme.lower() == "bearer" else None
            if not roles:
                raise _Unauthorized
            if "admin" not in roles and not roles.intersection(allowed):
                raise _Forbidden(allowed)
            return ctx

        return check

    @app.exception_handler(_Unauthorized)
    async def _unauthorized(_: Request, __: _Unauthorized) -> JSONResponse:
        return JSONResponse(
            status_code=401,
            content={"detail": "a valid bearer token is needed"},
            headers={"WWW-Authenticate": "Bearer"},
        )

    @app.exception_handler(_Forbidden)
    async def _forbidden(_: Request, exc: _Forbidden) -> JSONResponse:
        return _json(
            403,
            {
                "detail": f"this token's roles may not call this; it needs one of:"
                f" {', '.join(exc.allowed)}"
            },
        )

    reader = role("orders", "scanner", "buyer", "viewer")
    Reader = Annotated[AppContext, Depends(reader)]
    Admin = Annotated[AppContext, Depends(role())]
    OrderDesk = Annotated[AppContext, Depends(role("orders"))]
    Scanner = Annotated[AppContext, Depends(role("scanner"))]
    Buyer = Annotated[AppContext, Depends(role("buyer"))]

    # ------------------------------------------------------------------ health and setup

    @app.get("/health", tags=["operations"])
    async def health(request: Request) -> JSONResponse:
        ctx = ctx_of(request)
        checks: dict[str, str] = {}
        try:
            async with ctx.pool.acquire() as conn:
                await conn.fetchval("SELECT 1")
            checks["postgresql"] = "ok"
        except Exception as err:
            checks["postgresql"] = f"unreachable: {err}"
        try:
            await asyncio.wait_for(ctx.client.service_client.check_health(), timeout=5)
            checks["temporal"] = "ok"
        except Exception as err:
            checks["temporal"] = f"unreachable: {err}"
        ok = all(v == "ok" for v in checks.values())
        return _json(200 if ok else 503, {"status": "ok" if ok else "degraded", **checks})

    @app.put("/setup", tags=["setup"])
    async def apply_setup(doc: SetupDocument, ctx: Admin) -> dict[str, Any]:
        applied, outbox = await ctx.master_data.apply_setup(doc)
        await ctx.deliver(outbox)
        return {"applied": applied}

    @app.get("/setup/check", tags=["setup"])
    async def check_setup(ctx: Reader, item: str | None = None) -> dict[str, Any]:
        """The back-to-back prerequisites each item lacks (seed 000's setup list)."""
        items = await ctx.master_data.readiness(item)
        return {"ready": all(i["ready"] for i in items), "items": items}

    # ------------------------------------------------------------------ orders

    async def book(ctx: AppContext, order: OrderIn) -> JSONResponse:
        """Record the order and start its workflow: 202 the first time, 200 with the same
        answer when the order number is known."""
        created, started, order_input = await ctx.orders.book(order)
        if not started:
            try:
                await start_order_workflow(ctx.client, order_input, task_queue=ctx.task_queue)
                await ctx.orders.mark_started(order.order_number)
            except RPCError:
                log.exception(
                    "order workflow not started yet; relay will start it",
                    order_number=order.order_number,
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
        return _json(202 if created else 200, body)

    @app.post("/orders", tags=["orders"], status_code=202)
    async def book_order(order: OrderIn, ctx: OrderDesk) -> JSONResponse:
        return await book(ctx, order)

    @app.post("/orders/order-hub", tags=["orders"], status_code=202)
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

    async def line_view(
        ctx: AppContext, order_number: str, line_number: int, *, row: dict[str, Any] | None = None
    ) -> LineView:
        """The line as its workflow shows it; `row`, the line's stored row when the caller
        read it already (an order's lines, in one query)."""
        handle = ctx.client.get_workflow_handle(line_workflow_id(order_number, line_number))
        try:
            view: LineView = await handle.query(
                signals.LINE_STATUS_QUERY,
                result_type=LineView,
                reject_condition=QueryRejectCondition.NOT_OPEN,
            )
            return await with_stored_ledger(ctx, view, row)
        except WorkflowQueryRejectedError:
            # Closed: its result is the final status, read from history without a worker.
            result = await handle.result()
            return LineView.model_validate(result)
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
        # Booked, its workflow not started yet: answer from the system of record.
        row = await ctx.orders.line_row(order_number, line_number)
        header = await ctx.orders.header(order_number)
        open_quantity = row["ordered_quantity"] - row["canceled_quantity"]
        held = await credit_hold_reason(ctx, order_number, row["status"])
        return LineView(
            order_number=order_number,
            line_number=line_number,
            item_number=row["item_number"],
            customer_number=header["customer_number"],
            organization=row["organization"],
            status=LineStatus(row["status"]),
            ordered_quantity=row["ordered_quantity"],
            canceled_quantity=row["canceled_quantity"],
            unit_price=row["unit_price"],
            line_amount=line_amount(open_quantity, row["unit_price"], row["unit_discount"]),
            back_to_back=row["back_to_back"],
            cancel_reason=row["cancel_reason"],
            reserved_quantity=row["reserved_quantity"],
            received_quantity=row["received_quantity"],
            waiting_for=f"Waiting for credit: {held}"
            if held
            else "Waiting for the order workflow to start the line",
            manual_action_reason=held,
            workflow_id=row["workflow_id"],
        )

    async def with_stored_ledger(
        ctx: AppContext, view: LineView, row: dict[str, Any] | None
    ) -> LineView:
        """Read your writes: a line on the ledger shows the stored ledger when it is newer
        than its workflow's (a scan, wave, cancel or revision answered a moment ago). A line
        still BOOKED in its workflow shows that until the workflow has its first document."""
        if view.ledger_version is None or view.status is LineStatus.BOOKED:
            return view
        if row is None:
            row = await ctx.orders.line_row(view.order_number, view.line_number)
        ledger = ledger_of(row)
        if ledger.version <= view.ledger_version:
            return view
        return view.model_copy(
            update=ledger_fields(
                ledger, unit_price=row["unit_price"], unit_discount=row["unit_discount"]
            )
        )

    async def credit_hold_reason(ctx: AppContext, order_number: str, status: str) -> str | None:
        """Why a line not started yet waits: its order's credit hold, if it is on one."""
        if status != LineStatus.MANUAL_ACTION_REQUIRED:
            return None
        credit = await ctx.credit.authorization(order_number)
        if credit is None or credit["status"] != CreditStatus.ON_HOLD:
            return None
        return (
            f"{credit['reason']}; raise the credit limit and POST"
            f" /orders/{order_number}/credit/retry, or cancel the order"
        )

    def ui_link(ctx: AppContext, workflow_id: str) -> str:
        return f"{ctx.ui_url}/namespaces/{ctx.namespace}/workflows/{workflow_id}"

    @app.get("/orders/{order_number}", tags=["orders"])
    async def get_order(order_number: str, ctx: Reader) -> dict[str, Any]:
        header = await ctx.orders.header(order_number)
        views = await asyncio.gather(
            *(line_view(ctx, order_number, li["line_number"], row=li) for li in header["lines"])
        )
        statuses = {v.status for v in views}
        if statuses <= TERMINAL_LINE_STATUSES:
            status = "CANCELED" if statuses == {LineStatus.CANCELED} else "CLOSED"
        else:
            status = "OPEN"
        total = sum((v.line_amount for v in views), Decimal("0"))
        credit = await ctx.credit.authorization(order_number)
        return {
            "order_number": order_number,
            "customer_number": header["customer_number"],
            "customer_po_number": header["customer_po_number"],
            "currency": header["currency"],
            "requested_ship_date": header["requested_ship_date"],
            "organization": header["organization"],
            "booked_at": header["booked_at"],
            "status": status,
            "total_amount": str(total),
            "credit_authorization": credit,
            "shipment_sets": shipment_sets(header["lines"], header["released_sets"]),
            "workflow_id": order_workflow_id(order_number),
            "ui_url": ui_link(ctx, order_workflow_id(order_number)),
            "lines": [
                {
                    "line_number": v.line_number,
                    "item_number": v.item_number,
                    "status": v.status,
                    "ordered_quantity": v.ordered_quantity,
                    "canceled_quantity": v.canceled_quantity,
                    "shipped_quantity": v.shipped_quantity,
                    "line_amount": v.line_amount,
                    "workflow_id": v.workflow_id,
                }
                for v in views
            ],
        }

    @app.get("/orders/{order_number}/lines/{line_number}", tags=["orders"])
    async def get_line(order_number: str, line_number: int, ctx: Reader) -> dict[str, Any]:
        view = await line_view(ctx, order_number, line_number)  # 404 for an unknown line
        return {**view.model_dump(mode="json"), "ui_url": ui_link(ctx, view.workflow_id)}

    @app.get("/lines", tags=["orders"])
    async def find_lines(
        ctx: Reader,
        status: LineStatus | None = None,
        customer_number: str | None = None,
        item_number: str | None = None,
        order_number: str | None = None,
        supply_status: str | None = None,
        supply_document: str | None = None,
        supplier: str | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
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
        found: list[dict[str, Any]] = []
        async for wf in ctx.client.list_workflows(query, limit=limit):
            attrs = wf.typed_search_attributes
            found.append(
                {
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
            )
        return {"query": query, "lines": found}

    @app.post("/orders/{order_number}/lines/{line_number}/cancel", tags=["orders"])
    async def cancel_line(
        order_number: str, line_number: int, body: CancelIn, ctx: OrderDesk
    ) -> dict[str, Any]:
        result, outbox = await ctx.cancellations.cancel_line(
            order_number=order_number,
            line_number=line_number,
            quantity=body.quantity,
            reason=body.reason or "Canceled by the customer",
            request_id=uuid.uuid4().hex,
            reason_given=body.reason is not None,
        )
        await ctx.deliver(outbox)
        return result

    @app.post("/orders/{order_number}/lines/{line_number}/retry", tags=["orders"])
    async def retry_line(order_number: str, line_number: int, ctx: OrderDesk) -> dict[str, Any]:
        """Resume a line that needed manual action, once its setup has been fixed."""
        row = await ctx.orders.line_row(order_number, line_number)
        held = await credit_hold_reason(ctx, order_number, row["status"])
        if held:
            # Its order waits for credit: retrying the line cannot release it.
            raise Refusal(
                409, f"line {line_number} of order {order_number} waits for credit: {held}"
            )
        result, outbox = await ctx.shipping.retry_line(
            order_number=order_number, line_number=line_number, request_id=uuid.uuid4().hex
        )
        await ctx.deliver(outbox)
        return result

    @app.post("/orders/{order_number}/revisions", tags=["orders"])
    async def revise_order(order_number: str, body: RevisionIn, ctx: OrderDesk) -> dict[str, Any]:
        """Change line quantities and add lines; validated whole before anything changes."""
        result, outbox = await ctx.revisions.revise(order_number, body, request_id=uuid.uuid4().hex)
        await ctx.deliver(outbox)
        return result

    @app.post("/orders/{order_number}/credit/retry", tags=["orders"])
    async def retry_credit(order_number: str, ctx: OrderDesk) -> dict[str, Any]:
        """Authorize an order on credit hold again, once its customer's credit limit has been
        raised; its lines start if it passes."""
        result, outbox = await ctx.credit.request_retry(
            order_number=order_number, request_id=uuid.uuid4().hex
        )
        await ctx.deliver(outbox)
        return result

    @app.post("/orders/{order_number}/cancel", tags=["orders"])
    async def cancel_order(
        order_number: str, body: OrderCancelIn, ctx: OrderDesk
    ) -> dict[str, Any]:
        result, outbox = await ctx.cancellations.cancel_order(
            order_number=order_number,
            reason=body.reason or "Canceled by the customer",
            request_id=uuid.uuid4().hex,
        )
        await ctx.deliver(outbox)
        return result

    @app.get("/supply/review", tags=["buyers"])
    async def supply_review(ctx: Reader, order_number: str | None = None) -> dict[str, Any]:
        """Supply that cancels left in place (Cancel Supply When Canceling Backorders off),
        for a planner to reduce or cancel by hand."""
        return {"supply": await ctx.cancellations.supply_reviews(order_number=order_number)}

    # ------------------------------------------------------------------ buyers

    @app.post("/purchase-orders/{po_number}/approve", tags=["buyers"])
    async def approve_po(po_number: str, request: Request, ctx: Buyer) -> dict[str, Any]:
        token = request.headers.get("authorization", "").partition(" ")[2]
        result, outbox = await ctx.procurement.approve(po_number, approved_by="buyer:" + token[:6])
        await ctx.deliver(outbox)
        return result

    @app.get("/purchase-orders/{po_number}", tags=["buyers"])
    async def get_po(po_number: str, ctx: Reader) -> dict[str, Any]:
        return await ctx.procurement.describe(po_number)

    # ------------------------------------------------------------------ warehouse scanners

    async def answer(
        ctx: AppContext, outcome: tuple[int, dict[str, Any], list[int]]
    ) -> JSONResponse:
        code, body, outbox = outcome
        await ctx.deliver(outbox)
        log.info(
            "scan answered",
            status_code=code,
            scan_id=body.get("scan_id"),
            order_number=body.get("order_number"),
            line_number=body.get("line_number"),
            accepted=body.get("accepted"),
            reason=body.get("reason"),
        )
        return _json(code, body)

    @app.post("/scans/receipts", tags=["warehouse"])
    async def scan_receipt(scan: ReceiptScanIn, ctx: Scanner) -> JSONResponse:
        if scan.transfer_order_number is not None:
            return await answer(ctx, await ctx.transfers.receive(scan))
        return await answer(ctx, await ctx.inventory.receive(scan))

    @app.post("/scans/work-order-completions", tags=["warehouse"])
    async def scan_completion(scan: WorkOrderCompletionIn, ctx: Scanner) -> JSONResponse:
        return await answer(ctx, await ctx.manufacturing.complete(scan))

    @app.post("/pick-waves", tags=["warehouse"])
    async def pick_wave(body: PickWaveIn, ctx: Scanner) -> dict[str, Any]:
        result, outbox = await ctx.shipping.pick_wave(
            organization=body.organization, order_number=body.order_number
        )
        await ctx.deliver(outbox)
        return result

    @app.post("/scans/picks", tags=["warehouse"])
    async def scan_pick(scan: PickScanIn, ctx: Scanner) -> JSONResponse:
        return await answer(ctx, await ctx.shipping.confirm_pick(scan))

    @app.post("/scans/shipments", tags=["warehouse"])
    async def scan_shipment(scan: ShipScanIn, ctx: Scanner) -> JSONResponse:
        return await answer(ctx, await ctx.shipping.confirm_ship(scan))

    # ------------------------------------------------------------------ events

    @app.get("/events", tags=["events"])
    async def events(
        ctx: Reader,
        after: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        order_number: str | None = None,
    ) -> dict[str, Any]:
        rows = await ctx.events.after(after, limit=limit, order_number=order_number)
        return {"events": rows, "next_cursor": rows[-1]["cursor"] if rows else after}

    return app


class _Unauthorized(Exception):
    pass


class _Forbidden(Exception):
    def __init__(self, allowed: tuple[str, ...]) -> None:
        super().__init__()
        self.allowed = allowed or ("admin",)


def _naming_order_hub_fields(refusal: Refusal, payload: OrderHubOrder) -> Refusal:
    """The booking's refusal, naming the field as the Order Hub sender wrote it."""
    if refusal.field is None:
        return Refusal(refusal.status, refusal.reason)
    field = payload.field_path(refusal.field)
    reason = refusal.reason
    if reason.startswith(f"{refusal.field}:"):
        reason = field + reason.removeprefix(refusal.field)
    return Refusal(refusal.status, reason, field=field)


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _attr(attrs: Any, name: str) -> Any:
    for pair in attrs:
        if pair.key.name == name:
            return pair.value
    return None


def main() -> None:
    import os

    import uvicorn

    from runtime.logging import configure_logging

    configure_logging()
    settings = Settings()
    uvicorn.run(
        create_app(),
        host=os.environ.get("B2B_API_HOST", "127.0.0.1"),
        port=settings.api_port,
        log_config=None,
    )


if __name__ == "__main__":
    main()
