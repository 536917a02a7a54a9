"""Waiting in the worker's loops (relay, gauges, start-up) that a stop cuts short."""

from __future__ import annotations

import asyncio


async def wait_unless_stopped(stop: asyncio.Event, seconds: float) -> None:
    """Wait `seconds`, or less when `stop` is set meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass
