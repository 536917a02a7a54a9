"""The error bodies the API answers, their handlers, and what a dependency being down looks
like from here (an answer of 503, never 500)."""

from __future__ import annotations

from typing import Any, Literal

import structlog
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from adapters.errors import NotFound, Refusal
from runtime.reachability import NAMES, Dependency
from runtime.reachability import unreachable_dependency as down_dependency

log = structlog.get_logger("api")

RETRY_AFTER_SECONDS = 5
NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f]*$"


class ErrorBody(BaseModel):
    """401, 403, 404, 413 and 500 answers."""

    detail: str


class FieldError(BaseModel):
    field: str
    message: str


class ValidationErrorBody(BaseModel):
    """422 for a malformed request: every field at fault, as a path (`lines[0].quantity`)."""

    accepted: Literal[False] = False
    detail: str
    reason: str
    errors: list[FieldError]


class RefusalBody(BaseModel):
    """409 (or 422) for a request that breaks a rule or conflicts with the current state."""

    accepted: Literal[False] = False
    detail: str
    reason: str
    field: str | None = None


class UnavailableBody(BaseModel):
    """503 while a dependency cannot be reached; retry after `Retry-After` seconds."""

    detail: str
    dependency: Dependency


_DESCRIPTIONS: dict[int, tuple[Any, str]] = {
    401: (ErrorBody, "No valid bearer token"),
    403: (ErrorBody, "The token's roles may not call this"),
    404: (ErrorBody, "Not found"),
    409: (RefusalBody, "Conflicts with the current state; nothing changed"),
    413: (ErrorBody, "Request body too large"),
    422: (ValidationErrorBody | RefusalBody, "Invalid input; nothing changed"),
    503: (UnavailableBody, "A dependency is unavailable; retry after Retry-After seconds"),
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the error statuses an operation answers."""
    documented: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        model, description = _DESCRIPTIONS[code]
        entry: dict[str, Any] = {"model": model, "description": description}
        if code == 503:
            entry["headers"] = {
                "Retry-After": {"description": "seconds", "schema": {"type": "integer"}}
            }
        documented[code] = entry
    return documented


# Reads: a token of any role; writes add 403 for a token whose roles may not.
READ = (401, 422, 503)
WRITE = (401, 403, 413, 422, 503)


def json_answer(status: int, body: dict[str, Any], **headers: str) -> JSONResponse:
    return JSONResponse(status_code=status, content=jsonable_encoder(body), headers=headers)


def unavailable(dependency: Dependency) -> JSONResponse:
    body = {"detail": f"{NAMES[dependency]} is unavailable; retry later", "dependency": dependency}
    return json_answer(503, body, **{"Retry-After": str(RETRY_AFTER_SECONDS)})


def _field_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if part in ("body", "query", "path", "header"):
            continue
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def _message(error: dict[str, Any]) -> str:
    if error["type"] == "string_pattern_mismatch" and (
        error.get("ctx", {}).get("pattern") == NO_CONTROL_CHARACTERS
    ):
        return "must not contain control characters (NUL, tab, newline...)"
    return str(error["msg"])


def _field_error(error: dict[str, Any]) -> dict[str, str]:
    if error["type"] == "json_invalid":
        # Its location is the character where the JSON went wrong, not a field.
        why = error.get("ctx", {}).get("error", "")
        return {"field": "body", "message": f"is not valid JSON: {why} (at {error['loc'][-1]})"}
    return {"field": _field_path(tuple(error["loc"])), "message": _message(error)}


async def _invalid(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [_field_error(e) for e in exc.errors()]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return json_answer(
        422, {"accepted": False, "detail": detail, "reason": detail, "errors": errors}
    )


async def _refused(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Refusal)
    body = {"accepted": False, "detail": exc.reason, "reason": exc.reason, "field": exc.field}
    return json_answer(exc.status, body)


async def _not_found(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NotFound)
    return json_answer(404, {"detail": f"{exc.what} not found"})


# FastAPI's answer to a body it cannot decode (not UTF-8): a malformed body, like bad JSON.
UNPARSABLE_BODY = "There was an error parsing the body"


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    detail = str(exc.detail)
    if exc.status_code == 400 and detail == UNPARSABLE_BODY:
        error = {"field": "body", "message": "must be JSON text encoded in UTF-8"}
        reason = f"{error['field']}: {error['message']}"
        body = {"accepted": False, "detail": reason, "reason": reason, "errors": [error]}
        return json_answer(422, body)
    if exc.status_code == 413:
        limit = request.app.state.max_body_bytes
        detail = f"the request body is larger than {limit} bytes (B2B_MAX_BODY_BYTES)"
    return json_answer(exc.status_code, {"detail": detail}, **(exc.headers or {}))


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(Refusal, _refused)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(HTTPException, _http_error)


async def failure_answer(err: Exception) -> JSONResponse:
    """A 503 naming the dependency that is down; else, logged, a 500 with a JSON body."""
    dependency = down_dependency(err)
    if dependency is not None:
        log.warning(
            "dependency unavailable", dependency=dependency, error=f"{type(err).__name__}: {err}"
        )
        return unavailable(dependency)
    log.exception("request failed", exc_info=err)
    return json_answer(500, {"detail": "internal error; it was logged"})
