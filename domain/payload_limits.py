"""How large a workflow's input or a signal may be.

Temporal refuses a gRPC message over 4 MiB, so a workflow input that large could never be
started: its order would stay booked forever and its relay would retry it for ever. What a
booking or revision hands to a workflow is bounded well below that, and checked before
anything is stored.
"""

from __future__ import annotations

from pydantic import BaseModel

GRPC_MESSAGE_LIMIT = 4 * 1024 * 1024
MAX_PAYLOAD_BYTES = 2 * 1024 * 1024


def payload_size(payload: BaseModel) -> int:
    """The payload's size as the pydantic data converter sends it (JSON, UTF-8)."""
    return len(payload.model_dump_json().encode())


def oversize_problem(size: int, *, what: str, limit: int = MAX_PAYLOAD_BYTES) -> str | None:
    """Why a payload of `size` bytes cannot be handed to a workflow, or None when it can."""
    if size <= limit:
        return None
    return (
        f"{what} would be {size:,} bytes, over the {limit:,} bytes a workflow input or"
        " signal may take; send fewer lines (or shorter texts) per request"
    )
