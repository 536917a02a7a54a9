"""Errors the adapters raise for the API to turn into answers."""

from __future__ import annotations


class Refusal(Exception):
    """A request that conflicts with the current state (409) or names something that does
    not exist or breaks a rule (422). Nothing was changed."""

    def __init__(self, status: int, reason: str, *, field: str | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.field = field


class NotFound(Exception):
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what
