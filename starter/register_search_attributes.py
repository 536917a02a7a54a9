"""`python -m starter.register_search_attributes`: register the contract's search
attributes in the namespace of an existing Temporal cluster (idempotent)."""

from __future__ import annotations

import asyncio

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client

from domain import search_attributes as sa
from runtime.config import Settings
from runtime.temporal import connect


async def register(client: Client, namespace: str) -> list[str]:
    """Add the attributes that are missing; returns the names added."""
    existing = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=namespace)
    )
    missing = {
        key.name: IndexedValueType.ValueType(key.indexed_value_type.value)
        for key in sa.ALL
        if key.name not in existing.custom_attributes
    }
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=namespace, search_attributes=missing)
        )
    return sorted(missing)


def main() -> None:
    settings = Settings()

    async def run() -> None:
        client = await connect(settings, wait_seconds=30)
        added = await register(client, client.namespace)
        print(f"registered: {', '.join(added) or 'all were already registered'}")

    asyncio.run(run())


if __name__ == "__main__":
    main()
