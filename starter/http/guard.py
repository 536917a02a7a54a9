"""Around every request: the body size limit on the declared length, the request metrics,
the audit log of state-changing requests, and the last word on failures (a dependency
that is down answers 503; anything else is logged and answers a JSON 500)."""

from __future__ import annotations

import time
from typing import Any

import structlog
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from starter.http.errors import failure_answer, json_answer
from starter.http.metrics import ApiMetrics
from starter.http.security import bearer_token, token_id

log = structlog.get_logger("api")
CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Guard:
    def __init__(
        self, app: ASGIApp, *, metrics: ApiMetrics, max_body_bytes: int, routes: list[BaseRoute]
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        answered: dict[str, Any] = {"status": 500, "started": False}

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                answered.update(status=message["status"], started=True)
            await send(message)

        self.metrics.in_flight.inc()
        try:
            await self._answer(scope, receive, sending, answered)
        finally:
            self.metrics.in_flight.dec()
            self._record(scope, answered["status"], time.perf_counter() - began)

    async def _answer(
        self, scope: Scope, receive: Receive, send: Send, answered: dict[str, Any]
    ) -> None:
        if _declared_length(scope) > self.max_body_bytes:
            # Refused before a byte of it is read; streamed bodies are counted as they come
            # (FastAPI's max_body_size) and answer the same 413.
            detail = f"the request body is larger than {self.max_body_bytes} bytes"
            await json_answer(413, {"detail": f"{detail} (B2B_MAX_BODY_BYTES)"})(
                scope, receive, send
            )
            return
        try:
            await self.app(scope, receive, send)
        except Exception as err:
            if answered["started"]:
                raise
            await (await failure_answer(_single(err)))(scope, receive, send)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        method = scope["method"]
        route = self._template(scope)
        self.metrics.observe(route, method, status, seconds)
        if method in CHANGES:
            headers = dict(scope["headers"])
            token = bearer_token(headers.get(b"authorization", b"").decode("latin-1"))
            log.info(
                "request",
                method=method,
                path=scope["path"],
                route=route,
                status_code=status,
                roles=scope.get("state", {}).get("roles", []),
                token_id=token_id(token) if token else None,
                duration_ms=round(seconds * 1000, 1),
            )

    def _template(self, scope: Scope) -> str:
        """The route's path template; requests that match no route share one label."""
        route = scope.get("route")
        if route is None:
            route = next((r for r in self.routes if r.matches(scope)[0] is Match.FULL), None)
        return getattr(route, "path", None) or "unmatched"


def _declared_length(scope: Scope) -> int:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def _single(err: Exception) -> Exception:
    """The one exception inside a group (a task group around the handler), if one."""
    while isinstance(err, BaseExceptionGroup) and len(err.exceptions) == 1:
        inner = err.exceptions[0]
        if not isinstance(inner, Exception):
            break
        err = inner
    return err
