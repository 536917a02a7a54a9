"""The kit components of a setup document's items, written once every item is: each item
named in the document gets exactly the components it lists (none: it is not a kit)."""

from __future__ import annotations

from adapters.errors import Refusal
from adapters.postgres.common import Connection
from adapters.postgres.setup.input_checks import refuse_imprecise
from domain.kits import setup_refusal
from domain.models import SetupDocument


async def write_kit_components(conn: Connection, doc: SetupDocument, outbox: list[int]) -> int:
    named = [item.number for item in doc.items]
    # Which items are kits once this document is applied: its own say for the items it
    # names, the stored components for the rest.
    stored = await conn.fetch(
        "SELECT DISTINCT kit_item FROM kit_components WHERE NOT (kit_item = ANY($1::text[]))",
        named,
    )
    kits = {r["kit_item"]: True for r in stored}
    kits |= {item.number: bool(item.kit_components) for item in doc.items}
    await conn.execute("DELETE FROM kit_components WHERE kit_item = ANY($1::text[])", named)
    count = 0
    for i, item in enumerate(doc.items):
        for j, component in enumerate(item.kit_components):
            path = f"items[{i}].kit_components[{j}].item"
            why = setup_refusal(item.number, [component.item], kits)
            if why is None and not await conn.fetchval(
                "SELECT 1 FROM items WHERE number = $1", component.item
            ):
                why = f"unknown item {component.item!r}"
            if why is not None:
                raise Refusal(422, f"{path}: {why}", field=path)
            quantity_path = f"items[{i}].kit_components[{j}].quantity"
            await refuse_imprecise(conn, component.item, {quantity_path: component.quantity})
            await conn.execute(
                "INSERT INTO kit_components (kit_item, component, item, quantity)"
                " VALUES ($1, $2, $3, $4)",
                item.number,
                j + 1,
                component.item,
                component.quantity,
            )
        if item.kit_components:
            count += 1
            path = f"items[{i}].kit_components"
            used_in = await conn.fetchval(
                "SELECT kit_item FROM kit_components WHERE item = $1 LIMIT 1", item.number
            )
            if used_in is not None:
                why = f"{item.number} is a component of kit {used_in}: a component cannot be a kit"
                raise Refusal(422, f"{path}: {why}", field=path)
    return count
