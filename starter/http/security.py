"""Bearer tokens: found in constant time, known in logs only by their id, never in full."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from starter.http.context import AppContext
from starter.http.errors import json_answer


def token_id(token: str) -> str:
    """Names a token in logs and records: the first 8 hex digits of its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()[:8]


def bearer_token(authorization: str | None) -> str | None:
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def roles_of(tokens: dict[str, set[str]], token: str | None) -> set[str]:
    """The roles of a token; every known token is compared, each in constant time, so the
    time taken does not tell how much of a guess was right."""
    if token is None:
        return set()
    presented = token.encode()
    roles: set[str] = set()
    for known, granted in tokens.items():
        if hmac.compare_digest(known.encode(), presented):
            roles |= granted
    return roles


class Unauthorized(Exception):
    pass


class Forbidden(Exception):
    def __init__(self, allowed: tuple[str, ...]) -> None:
        super().__init__()
        self.allowed = allowed or ("admin",)


def caller_roles(request: Request) -> set[str]:
    """The roles of the request's token (empty without a valid one), kept on the request
    for the audit log."""
    ctx: AppContext = request.app.state.ctx
    token = bearer_token(request.headers.get("authorization"))
    roles = roles_of(ctx.tokens, token)
    request.state.roles = sorted(roles)
    return roles


# Declares the bearer scheme in the OpenAPI document; the token is checked by `role`.
_bearer = HTTPBearer(auto_error=False, description="A token of the roles the operation needs")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def role(*allowed: str) -> Callable[..., Awaitable[AppContext]]:
    """A dependency that lets a token with one of `allowed` (or admin) through."""

    async def check(request: Request, credentials: Credentials) -> AppContext:
        del credentials  # read again, with the roles, from the request
        roles = caller_roles(request)
        if not roles:
            raise Unauthorized
        if "admin" not in roles and not roles.intersection(allowed):
            raise Forbidden(allowed)
        ctx: AppContext = request.app.state.ctx
        return ctx

    return check


Reader = Annotated[AppContext, Depends(role("orders", "scanner", "buyer", "viewer"))]
Admin = Annotated[AppContext, Depends(role())]
# Operators: those who watch (viewer) and those who act (admin).
Operator = Annotated[AppContext, Depends(role("viewer"))]
OrderDesk = Annotated[AppContext, Depends(role("orders"))]
Scanner = Annotated[AppContext, Depends(role("scanner"))]
Buyer = Annotated[AppContext, Depends(role("buyer"))]


async def _unauthorized(_: Request, __: Exception) -> JSONResponse:
    return json_answer(
        401, {"detail": "a valid bearer token is needed"}, **{"WWW-Authenticate": "Bearer"}
    )


async def _forbidden(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Forbidden)
    needs = ", ".join(exc.allowed)
    return json_answer(
        403, {"detail": f"this token's roles may not call this; it needs one of: {needs}"}
    )


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Unauthorized, _unauthorized)
    app.add_exception_handler(Forbidden, _forbidden)
