"""Operations: health and metrics, both without a token (health then says only ok or
degraded; the state of each dependency needs a valid token)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from starter.http import answers
from starter.http.context import AppContext
from starter.http.errors import json_answer
from starter.http.metrics import ApiMetrics
from starter.http.security import caller_roles

router = APIRouter(tags=["operations"])
CHECK_SECONDS = 5


async def _postgresql(ctx: AppContext) -> str:
    try:
        async with ctx.pool.acquire(timeout=CHECK_SECONDS) as conn:
            await conn.fetchval("SELECT 1", timeout=CHECK_SECONDS)
        return "ok"
    except Exception as err:
        return f"unreachable: {type(err).__name__}: {err}"


async def _temporal(ctx: AppContext) -> str:
    try:
        await asyncio.wait_for(ctx.client.service_client.check_health(), timeout=CHECK_SECONDS)
        return "ok"
    except Exception as err:
        return f"unreachable: {type(err).__name__}: {err}"


@router.get(
    "/health",
    responses={
        **answers.ok(answers.HealthAnswer),
        503: {"model": answers.HealthAnswer, "description": "A dependency is unreachable"},
    },
)
async def health(request: Request) -> JSONResponse:
    ctx: AppContext = request.app.state.ctx
    postgresql, temporal = await asyncio.gather(_postgresql(ctx), _temporal(ctx))
    ok = postgresql == temporal == "ok"
    body: dict[str, str] = {"status": "ok" if ok else "degraded"}
    if caller_roles(request):
        body |= {"postgresql": postgresql, "temporal": temporal}
    return json_answer(200 if ok else 503, body)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text"}},
)
async def metrics(request: Request) -> Response:
    """The API's request metrics in Prometheus' text format."""
    api_metrics: ApiMetrics = request.app.state.metrics
    return Response(api_metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
