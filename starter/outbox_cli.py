"""`b2b outbox ...`: what the relay parked, read straight from PostgreSQL (it works while the
API is down, which is when an operator needs it most)."""

from __future__ import annotations

import asyncio

import asyncpg

from adapters.errors import NotFound
from adapters.postgres.outbox.relay_parking import ParkedItem, RelayParking
from runtime.config import Settings


def database_url() -> str:
    url = Settings().database_url
    if not url:
        raise SystemExit("B2B_DATABASE_URL is not set (b2b up prints the PostgreSQL address)")
    return url


def age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m"
    if seconds < 172800:
        return f"{seconds / 3600:.0f}h"
    return f"{seconds / 86400:.0f}d"


def table(items: list[ParkedItem]) -> str:
    if not items:
        return "Nothing is parked."
    rows = [("ID", "KIND", "WORKFLOW", "ATTEMPTS", "AGE", "REASON")]
    rows += [
        (
            p.id,
            p.kind if p.signal is None else f"signal {p.signal}",
            p.workflow_id,
            str(p.attempts),
            age(p.age_seconds),
            p.reason if len(p.reason) <= 200 else p.reason[:197] + "...",
        )
        for p in items
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(r[:5], widths, strict=True)) + "  " + r[5]
        for r in rows
    )


async def _with_parking(action: str, item_id: str | None) -> int:
    pool = await asyncpg.create_pool(database_url(), min_size=1, max_size=1)
    try:
        parking = RelayParking(pool)
        if action == "parked" or item_id is None:
            print(table(await parking.parked()))
            return 0
        try:
            item = await parking.retry(item_id)
        except NotFound:
            print(f"{item_id} is not parked (see b2b outbox parked)")
            return 1
        print(f"{item.id} unparked: the relay tries it again at its next round")
        return 0
    finally:
        await pool.close()


def run(action: str, item_id: str | None = None) -> int:
    return asyncio.run(_with_parking(action, item_id))
