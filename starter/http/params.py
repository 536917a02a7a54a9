"""Path and query parameters, bounded to what PostgreSQL and the search index hold: no
control characters (PostgreSQL text cannot hold a NUL), lengths as Order Hub caps them, and
integers within the database's columns."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from starter.http.errors import NO_CONTROL_CHARACTERS

MAX_ID_LENGTH = 240
INT4_MAX = 2**31 - 1  # PostgreSQL integer
INT8_MAX = 2**63 - 1  # PostgreSQL bigint

OrderNumber = Annotated[
    str,
    Path(
        min_length=1,
        max_length=MAX_ID_LENGTH,
        pattern=NO_CONTROL_CHARACTERS,
        description="Sales order number",
    ),
]
PoNumber = Annotated[
    str,
    Path(
        min_length=1,
        max_length=MAX_ID_LENGTH,
        pattern=NO_CONTROL_CHARACTERS,
        description="Purchase order number",
    ),
]
LineNumber = Annotated[int, Path(ge=1, le=INT4_MAX, description="Line number, from 1")]
HoldId = Annotated[
    str, Path(pattern=r"^HLD-[0-9]{6,19}$", description="Hold id, as applying it answered")
]
Filter = Annotated[str | None, Query(max_length=MAX_ID_LENGTH, pattern=NO_CONTROL_CHARACTERS)]
Cursor = Annotated[int, Query(ge=0, le=INT8_MAX, description="Answer events after this cursor")]
Limit = Annotated[int, Query(ge=1, le=1000)]
After = Annotated[int, Query(ge=0, le=INT4_MAX, description="Answer lines after this line number")]
