"""The API application: routers per bounded context, error handlers, the request guard."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from runtime.config import Settings
from runtime.database import create_pool, migrate
from runtime.temporal import API_RETRY, connect
from starter.auth import load_tokens
from starter.http import (
    buyers,
    errors,
    events,
    operations,
    order_changes,
    orders,
    relay,
    security,
    setup,
    upgrades,
    warehouse,
)
from starter.http.context import AppContext
from starter.http.guard import Guard
from starter.http.metrics import ApiMetrics

ROUTERS = (operations, relay, upgrades, setup, orders, order_changes, buyers, warehouse, events)


async def context_from(settings: Settings) -> AppContext:
    """Connect to what the environment names (the API run as a process)."""
    if not settings.database_url:
        raise RuntimeError("B2B_DATABASE_URL is not set")
    tokens = load_tokens(settings.api_tokens, settings.api_tokens_file)
    if not tokens:
        raise RuntimeError("neither B2B_API_TOKENS nor B2B_API_TOKENS_FILE gives a token")
    await migrate(settings.database_url)
    return AppContext(
        pool=await create_pool(settings.database_url),
        client=await connect(settings, wait_seconds=60, retry_config=API_RETRY),
        task_queue=settings.live_task_queue,
        base_task_queue=settings.task_queue,
        tokens=tokens,
        ui_url=settings.ui_url,
        namespace=settings.temporal_namespace,
        owns_resources=True,
    )


def create_app(context: AppContext | None = None, *, max_body_bytes: int | None = None) -> FastAPI:
    """The API; with no context it connects from the environment at start-up."""
    limit = Settings().max_body_bytes if max_body_bytes is None else max_body_bytes

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx = context or await context_from(Settings())
        app.state.ctx = ctx
        yield
        if ctx.owns_resources:
            await ctx.pool.close()

    app = FastAPI(
        title="Back-to-back fulfillment",
        version="0.1.0",
        lifespan=lifespan,
        description="Books back-to-back sales orders, takes warehouse scans and reports "
        "line status. Every endpoint but /health and /metrics needs a bearer token.",
    )
    app.state.max_body_bytes = limit
    app.state.metrics = ApiMetrics()
    errors.install_handlers(app)
    security.install_handlers(app)
    for module in ROUTERS:
        app.include_router(module.router)
    app.add_middleware(Guard, metrics=app.state.metrics, max_body_bytes=limit)
    return app


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
