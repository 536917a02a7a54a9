"""The worker's Prometheus endpoint: the Temporal SDK's runtime metrics and, on the same
endpoint through the SDK's metric meter, business gauges read from PostgreSQL (and the
count of failing workflows, from Temporal's visibility)."""

from __future__ import annotations

import asyncio
import os

import asyncpg
import structlog
from temporalio.common import MetricMeter
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from adapters.postgres.operations import Operations, OperationsFigures
from runtime.failing_workflows import FailingWorkflows
from runtime.logging import core_logging
from runtime.reachability import unreachable_dependency
from runtime.waiting import wait_unless_stopped

log = structlog.get_logger(__name__)

DEFAULT_METRICS_PORT = 9464
REFRESH_SECONDS = 15.0


def metrics_port() -> int:
    """B2B_WORKER_METRICS_PORT (0 turns the endpoint off). Several workers on one machine
    each need a port of their own."""
    return int(os.environ.get("B2B_WORKER_METRICS_PORT", str(DEFAULT_METRICS_PORT)))


def metrics_runtime(port: int, *, host: str = "0.0.0.0") -> Runtime | None:
    """A Temporal runtime serving http://{host}:{port}/metrics, the SDK core's logs
    forwarded to Python logging; the worker's client must be created with it. None when the
    port is 0, or taken (the worker then runs without metrics rather than not at all, and
    says so)."""
    if port == 0:
        return None
    try:
        return Runtime(
            telemetry=TelemetryConfig(
                logging=core_logging(),
                metrics=PrometheusConfig(bind_address=f"{host}:{port}"),
            )
        )
    except ValueError as err:
        log.warning(
            "worker metrics off: set B2B_WORKER_METRICS_PORT to a free port", error=str(err)
        )
        return None


def logging_runtime() -> Runtime:
    """The worker's Temporal runtime without metrics: its core's logs still forwarded."""
    return Runtime(telemetry=TelemetryConfig(logging=core_logging()))


class BusinessGauges:
    def __init__(self, meter: MetricMeter) -> None:
        self._lines = meter.create_gauge("b2b_lines", "Fulfillment lines by status")
        self._jeopardy = meter.create_gauge(
            "b2b_lines_in_jeopardy", "Open lines whose supply is late for the ship date"
        )
        self._manual = meter.create_gauge(
            "b2b_lines_manual_action", "Lines waiting for manual action"
        )
        self._oldest = meter.create_gauge_float(
            "b2b_outbox_oldest_undelivered_seconds",
            "Age of the oldest signal still to deliver (0 when none)",
            "s",
        )
        self._parked = meter.create_gauge(
            "b2b_relay_parked", "Order starts and signals the relay parked"
        )
        self._failing = meter.create_gauge(
            "b2b_workflows_failing",
            "Open workflows whose task keeps failing (b2b workflows failing lists them)",
        )

    def publish(self, figures: OperationsFigures) -> None:
        for status, count in figures.lines_by_status.items():
            self._lines.set(count, {"status": status})
        self._jeopardy.set(figures.lines_in_jeopardy)
        self._manual.set(figures.lines_waiting_for_manual_action)
        self._oldest.set(figures.oldest_undelivered_signal_seconds)
        for kind, count in figures.parked.items():
            self._parked.set(count, {"kind": kind})

    def publish_failing(self, count: int) -> None:
        self._failing.set(count)


async def refresh_business_gauges(
    pool: asyncpg.Pool,
    meter: MetricMeter,
    *,
    stop: asyncio.Event,
    interval: float = REFRESH_SECONDS,
    failing: FailingWorkflows | None = None,
) -> None:
    """Read the figures (and with `failing`, count the failing workflows) every `interval`
    seconds until stopped. While PostgreSQL or Temporal is down the gauges keep their last
    values (the relay says that it is down)."""
    gauges, operations = BusinessGauges(meter), Operations(pool)
    refused: set[str] = set()
    while not stop.is_set():
        try:
            gauges.publish(await operations.figures())
        except Exception as err:
            if unreachable_dependency(err) is None:
                log.exception("business gauges not refreshed")
        if failing is not None:
            await _count_failing(failing, gauges, refused)
        await wait_unless_stopped(stop, interval)


async def _count_failing(
    failing: FailingWorkflows, gauges: BusinessGauges, refused: set[str]
) -> None:
    """A cluster that does not report workflow task problems refuses the query: said once
    per distinct refusal, not every refresh."""
    try:
        gauges.publish_failing(await failing.count())
    except Exception as err:
        if unreachable_dependency(err) is None and str(err) not in refused:
            refused.add(str(err))
            log.warning(
                "b2b_workflows_failing not refreshed: Temporal must set TemporalReportedProblems"
                " (server 1.30 or later, see README)",
                error=str(err),
            )
