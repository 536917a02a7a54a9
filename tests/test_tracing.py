"""Tracing through the Temporal SDK's interceptor: one trace from the API's workflow start
through the order workflow, its line and their activities."""

from __future__ import annotations

import asyncpg
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from temporalio.client import Client
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from runtime.tracing import tracing_interceptors
from tests.conftest import order_number, stack_on
from tests.fixtures import demo_setup, laptop_order


def test_tracing_is_off_without_an_otlp_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    assert tracing_interceptors() == []


async def test_one_trace_from_the_booking_to_the_line_activities(
    pool: asyncpg.Pool, temporal_env: WorkflowEnvironment, database_url: str
) -> None:
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    client = await Client.connect(
        temporal_env.client.service_client.config.target_host,
        data_converter=pydantic_data_converter,
        interceptors=[TracingInterceptor(tracer=provider.get_tracer("b2b-test"))],
    )
    async with stack_on(pool, client, database_url) as stack:
        await stack.start_worker()
        await stack.call("PUT", "/setup", json=demo_setup())
        so = order_number()
        await stack.call("POST", "/orders", json=laptop_order(so), role="orders", expect=202)
        await stack.wait_status(so, "AWAITING_SUPPLY")

    finished = spans.get_finished_spans()
    start = next(s for s in finished if s.name == "StartWorkflow:SalesOrderWorkflow")
    assert start.context is not None
    trace = {s.name for s in finished if s.context and s.context.trace_id == start.context.trace_id}
    assert {
        "RunWorkflow:SalesOrderWorkflow",
        "RunActivity:start_lines",
        "StartWorkflow:FulfillmentLineWorkflowV3",
        "RunWorkflow:FulfillmentLineWorkflowV3",
        "RunActivity:source_line",
    } <= trace
