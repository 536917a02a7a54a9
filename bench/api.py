"""The product's HTTP API, served in-process over httpx's ASGI transport, and the calls the
bench makes through it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import httpx

    from bench.stack import Parts

T = TypeVar("T")
ITEM = "LAPTOP-X1"
ORGANIZATION = "M1"
# The scale runs keep thousands of lines open at once: their customer has no credit limit
# (null), so that credit never holds an order back.
SCALE_CUSTOMER = {
    "number": "CUST-BENCH",
    "name": "Bench customer",
    "back_to_back": False,
    "credit_limit": None,
}


async def poll(
    fetch: Callable[[], Awaitable[Any]],
    until: Callable[[Any], bool],
    *,
    what: str,
    timeout: float,
    interval: float,
) -> Any:
    """Poll with a deadline; an error while a workflow starts counts as 'not yet'."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = await fetch()
        except Exception as err:
            last = err
        else:
            if until(last):
                return last
        await asyncio.sleep(interval)
    raise RuntimeError(f"{what}: not reached within {timeout}s; last seen: {last!r}")


@dataclass
class Answer:
    """An HTTP answer and how long it took."""

    status: int
    body: Any
    seconds: float


@dataclass
class Api:
    """The product's HTTP API, served in-process."""

    http: httpx.AsyncClient
    tokens: dict[str, str]
    interval: float
    timeout: float

    async def send(self, method: str, path: str, *, role: str, body: Any = None) -> Answer:
        """One call, whatever it answers, timed."""
        began = time.monotonic()
        response = await self.http.request(
            method, path, json=body, headers={"Authorization": f"Bearer {self.tokens[role]}"}
        )
        seconds = time.monotonic() - began
        try:
            payload = response.json()
        except ValueError:
            payload = response.text
        return Answer(status=response.status_code, body=payload, seconds=seconds)

    async def call(
        self, method: str, path: str, *, role: str, body: Any = None, ok: Sequence[int] = (200,)
    ) -> Any:
        answer = await self.send(method, path, role=role, body=body)
        if answer.status not in ok:
            raise RuntimeError(f"{method} {path} -> {answer.status}: {answer.body}")
        return answer.body

    async def line(self, order_number: str, line_number: int = 1) -> dict[str, Any]:
        return await self.call("GET", f"/orders/{order_number}/lines/{line_number}", role="viewer")

    async def wait_stored_status(self, order_number: str, status: str) -> dict[str, Any]:
        """Wait for line 1's stored status in `GET /orders/{n}`: the system of record, as an
        integrator would watch it, with no workflow asked."""
        return await poll(
            lambda: self.call("GET", f"/orders/{order_number}", role="viewer"),
            lambda order: order["lines"][0]["status"] == status,
            what=f"{order_number} line 1 stored {status}",
            timeout=self.timeout,
            interval=self.interval,
        )

    async def receipt(self, scan_id: str, po: dict[str, Any]) -> dict[str, Any]:
        """Receive a line's whole PO quantity (`po` is the line's `supply[0]`)."""
        return await self.call(
            "POST",
            "/scans/receipts",
            role="scanner",
            body={
                "scan_id": scan_id,
                "po_number": po["document_number"],
                "po_line": po["document_line"],
                "quantity": po["quantity"],
            },
        )


def order_body(
    order_number: str,
    quantity: int,
    *,
    lines: int = 1,
    customer: str = "CUST-100",
) -> dict[str, Any]:
    """An order of `lines` lines of the back-to-back laptop."""
    return {
        "order_number": order_number,
        "customer_number": customer,
        "customer_po_number": "BENCH",
        "currency": "USD",
        "requested_ship_date": (date.today() + timedelta(days=30)).isoformat(),
        "lines": [
            {"line_number": n, "item_number": ITEM, "quantity": quantity, "uom": "Ea"}
            for n in range(1, lines + 1)
        ],
    }


def demo_setup() -> dict[str, Any]:
    """starter/demo_setup.yaml, with the scale runs' customer added."""
    from importlib import resources

    import yaml

    setup: dict[str, Any] = yaml.safe_load(
        (resources.files("starter") / "demo_setup.yaml").read_text()
    )
    setup["customers"] = [*setup["customers"], SCALE_CUSTOMER]
    return setup


@asynccontextmanager
async def serve_api(
    parts: Parts, task_queue: str, run_id: str, *, interval: float, timeout: float
) -> AsyncIterator[Api]:
    """The API over the stack's current PostgreSQL and Temporal (serve it again after a
    restart: it holds a pool and a client of the stack it was started on)."""
    import httpx

    from runtime.database import create_pool
    from starter.api import AppContext, create_app
    from starter.auth import ROLES, parse_tokens

    tokens = {role: f"{role}-bench-{run_id}" for role in ROLES}
    pool = await create_pool(parts.database_url)
    try:
        ctx = AppContext(
            pool=pool,
            client=parts.client,
            task_queue=task_queue,
            tokens=parse_tokens(",".join(f"{r}:{t}" for r, t in tokens.items())),
        )
        app = create_app(ctx)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://b2b", timeout=timeout
            ) as http:
                yield Api(http=http, tokens=tokens, interval=interval, timeout=timeout)
    finally:
        await pool.close()


async def apply_setup(api: Api) -> None:
    await api.call("PUT", "/setup", role="admin", body=demo_setup())


async def bounded(concurrency: int, jobs: Sequence[Callable[[], Awaitable[T]]]) -> list[T]:
    """Run the jobs with at most `concurrency` in flight."""
    gate = asyncio.Semaphore(concurrency)

    async def one(job: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await job()

    return list(await asyncio.gather(*(one(job) for job in jobs)))
