"""Around every request: the body size limit, the request metrics, the audit log of
state-changing requests, and the last word on failures (a dependency that is down answers
503; anything else is logged and answers a JSON 500)."""

from __future__ import annotations

import time
from typing import Any

import structlog
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from starter.http.errors import failure_answer
from starter.http.metrics import ApiMetrics
from starter.http.security import bearer_token, roles_of, token_id

log = structlog.get_logger("api")
CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Guard:
    def __init__(self, app: ASGIApp, *, metrics: ApiMetrics, max_body_bytes: int) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes

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
        try:
            await self.app(scope, self._limited(scope, receive), send)
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
                roles=_roles(scope, token),
                token_id=token_id(token) if token else None,
                duration_ms=round(seconds * 1000, 1),
            )

    def _limited(self, scope: Scope, receive: Receive) -> Receive:
        """`receive`, refusing a body over the limit: at once when its declared length is,
        else as soon as the bytes streamed in pass it (the handler answers 413)."""
        declared = _declared_length(scope)
        read = 0

        async def receiving() -> Message:
            nonlocal read
            if declared > self.max_body_bytes:
                raise HTTPException(413)
            message = await receive()
            read += len(message.get("body", b""))
            if read > self.max_body_bytes:
                raise HTTPException(413)
            return message

        return receiving

    @staticmethod
    def _template(scope: Scope) -> str:
        """The route's path template; requests that match no route share one label."""
        return getattr(scope.get("route"), "path", None) or "unmatched"


def _roles(scope: Scope, token: str | None) -> list[str]:
    """The caller's roles: as its route's check found them, or (a request refused before
    the check, a body too large) as its token carries them."""
    checked: list[str] | None = scope.get("state", {}).get("roles")
    if checked is not None:
        return checked
    ctx = getattr(scope["app"].state, "ctx", None)
    return sorted(roles_of(ctx.tokens, token)) if ctx is not None else []


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
