"""`python -m starter.migrate`: apply the schema to B2B_DATABASE_URL."""

from __future__ import annotations

import asyncio

from runtime.config import Settings
from runtime.database import migrate
from runtime.logging import configure_logging


def main() -> None:
    configure_logging()
    url = Settings().database_url
    if not url:
        raise SystemExit("B2B_DATABASE_URL is not set")
    applied = asyncio.run(migrate(url))
    print(f"applied: {', '.join(applied) or 'nothing, the schema is current'}")


if __name__ == "__main__":
    main()
