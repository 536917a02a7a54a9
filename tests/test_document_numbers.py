"""Document numbers come from one SQL function, `document_number` (migration 019): the
sequence's next value, zero-padded to six digits and kept whole beyond them, after the
document type's prefix. Every INSERT of a document names it with it."""

from __future__ import annotations

import asyncpg
import pytest


@pytest.mark.parametrize("before", [0, 41, 999_998, 999_999, 123_456_788])
async def test_the_next_number_is_padded_to_six_digits_and_never_cut(
    pool: asyncpg.Pool, before: int
) -> None:
    async with pool.acquire() as conn:
        # setval(.., false): the next value is `before + 1` (0 is not a valid sequence value).
        await conn.execute("SELECT setval('document_numbers', $1, false)", before + 1)
        first = await conn.fetchval("SELECT document_number('PO')")
        second = await conn.fetchval("SELECT document_number('AR')")
    assert first == f"PO-{before + 1:06d}"
    assert second == f"AR-{before + 2:06d}"
    assert int(second.removeprefix("AR-")) == before + 2  # nothing cut off


async def test_an_insert_names_its_document_and_returns_the_number(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await conn.execute("SELECT setval('document_numbers', 7, false)")
        number = await conn.fetchval(
            "INSERT INTO pick_waves (wave_number, organization, order_number)"
            " VALUES (document_number($1), 'M1', NULL) RETURNING wave_number",
            "WAVE",
        )
        stored = await conn.fetchval("SELECT wave_number FROM pick_waves")
    assert number == stored == "WAVE-000007"
