"""The product's HTTP API, served in-process (its ASGI app called directly), and the calls
the bench makes through it."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message

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
class InProcess:
    """HTTP requests handed straight to the app's ASGI callable: what a server would pass
    it, without a client library or a socket in between (httpx's ASGI transport cost the
    bench a third of each poll's CPU, counted against the product)."""

    app: ASGIApp
    timeout: float

    async def request(self, method: str, target: str, body: bytes, token: str) -> tuple[int, bytes]:
        path, _, query = target.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [
                (b"host", b"b2b"),
                (b"authorization", f"Bearer {token}".encode()),
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
            "client": ("127.0.0.1", 0),
            "server": ("b2b", 80),
        }
        answered = asyncio.Event()
        pending = [{"type": "http.request", "body": body, "more_body": False}]
        status, chunks = 500, []

        async def receive() -> Message:
            if pending:
                return pending.pop()
            await answered.wait()  # asked again: the client "disconnects" once answered
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    answered.set()

        async with asyncio.timeout(self.timeout):
            await self.app(scope, receive, send)
        return status, b"".join(chunks)


@dataclass
class Api:
    """The product's HTTP API, served in-process."""

    http: InProcess
    tokens: dict[str, str]
    interval: float
    timeout: float

    async def send(self, method: str, path: str, *, role: str, body: Any = None) -> Answer:
        """One call, whatever it answers, timed."""
        began = time.monotonic()
        data = b"" if body is None else json.dumps(body).encode()
        status, raw = await self.http.request(method, path, data, self.tokens[role])
        seconds = time.monotonic() - began
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = raw.decode(errors="replace")
        return Answer(status=status, body=payload, seconds=seconds)

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
    from runtime.database import create_pool
    from runtime.generations import live_task_queue
    from starter.api import AppContext, create_app
    from starter.auth import ROLES, parse_tokens

    tokens = {role: f"{role}-bench-{run_id}" for role in ROLES}
    pool = await create_pool(parts.database_url)
    try:
        ctx = AppContext(
            pool=pool,
            client=parts.client,
            # The workers take B2B_TASK_QUEUE, the family; this release starts on its own.
            task_queue=live_task_queue(task_queue),
            base_task_queue=task_queue,
            tokens=parse_tokens(",".join(f"{r}:{t}" for r, t in tokens.items())),
        )
        app = create_app(ctx)
        async with app.router.lifespan_context(app):
            http = InProcess(app=app, timeout=timeout)
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
