"""The API served over HTTP on a free local port, and the `b2b` command run against it
(the CLI calls a real URL; the stack's in-process client does not listen on one)."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn

from starter.api import AppContext, create_app
from starter.auth import parse_tokens
from tests.conftest import TOKENS, Stack, poll


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def served(stack: Stack) -> AsyncIterator[str]:
    """The stack's API (same pool, client and task queues) at the URL yielded."""
    ctx = AppContext(
        pool=stack.pool,
        client=stack.client,
        task_queue=stack.task_queue,
        base_task_queue=stack.base_task_queue,
        tokens=parse_tokens(",".join(f"{r}:{t}" for r, t in TOKENS.items())),
    )
    port = free_port()
    config = uvicorn.Config(create_app(ctx), host="127.0.0.1", port=port, log_config=None)
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        await poll(lambda: _started(server), bool, timeout=10, interval=0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving


async def _started(server: uvicorn.Server) -> bool:
    return server.started


async def b2b(url: str, *args: str, role: str = "viewer") -> tuple[int, Any]:
    """Run `b2b ARGS` piped (so it prints JSON); its exit status and parsed output."""
    env = {**os.environ, "B2B_API_URL": url, "B2B_TOKEN": TOKENS[role]}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "starter.cli",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    assert out, f"b2b {' '.join(args)} printed nothing: {err.decode()}"
    return process.returncode, json.loads(out)
