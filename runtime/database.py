"""PostgreSQL: the connection pool, the schema migrations and the embedded server."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, TypeAlias

import asyncpg
import structlog

from runtime.embedded_postgres import EmbeddedPostgres

__all__ = ["EmbeddedPostgres", "Pool", "create_pool", "ensure_database", "migrate"]

log = structlog.get_logger(__name__)

Pool: TypeAlias = asyncpg.Pool
# Serializes concurrent migration runs (API and worker starting together).
_MIGRATION_LOCK = 7_220_001


async def _init_connection(conn: asyncpg.Connection) -> None:
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name,
            encoder=lambda v: json.dumps(v, default=str),
            decoder=json.loads,
            schema="pg_catalog",
        )


async def _keep_session(conn: asyncpg.Connection) -> None:
    """A connection goes back to the pool as it is, after asyncpg's own rollback of any open
    transaction: the product keeps no session state (no LISTEN, no SET, advisory locks only
    per transaction, the migration's aside), so the default `RESET ALL; UNLISTEN *; ...`
    would be one more round trip per query for nothing."""


async def create_pool(url: str, *, min_size: int = 2, max_size: int = 10) -> Pool:
    pool = await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=_keep_session,
        command_timeout=60,
    )
    assert pool is not None
    return pool


def migration_files() -> list[tuple[str, str]]:
    folder = resources.files("migrations")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))
    return [(name, (folder / name).read_text()) for name in names]


async def migrate(url_or_pool: str | Pool) -> list[str]:
    """Apply the SQL files of `migrations/` that have not been applied, in name order."""
    conn: Any
    if isinstance(url_or_pool, str):
        conn = await asyncpg.connect(url_or_pool)
    else:
        conn = await url_or_pool.acquire()
    applied: list[str] = []
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
        for name, sql in migration_files():
            if name in done:
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_migrations (version) VALUES ($1)", name)
            applied.append(name)
            log.info("migration applied", version=name)
        await conn.execute("SELECT pg_advisory_unlock($1)", _MIGRATION_LOCK)
    except BaseException:
        # A pooled session goes back as it is (`_keep_session`): one that failed here may
        # still hold the migration lock, so it is closed instead.
        if not isinstance(url_or_pool, str):
            conn.terminate()
        raise
    finally:
        if isinstance(url_or_pool, str):
            await conn.close()
        else:
            await url_or_pool.release(conn)
    return applied


async def ensure_database(server_url: str, name: str) -> None:
    """Create a database on the server if it does not exist yet."""
    conn = await asyncpg.connect(server_url)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
