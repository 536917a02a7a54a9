"""OpenTelemetry tracing through the Temporal SDK's interceptor, on when an OTLP endpoint is
configured (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTLP over
HTTP). The API's client starts a trace with each workflow start and signal; the worker's
continues it through the workflow and its activities."""

from __future__ import annotations

import os

from temporalio.client import Interceptor

ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")


def tracing_enabled() -> bool:
    return any(os.environ.get(name) for name in ENDPOINT_VARIABLES)


def tracing_interceptors() -> list[Interceptor]:
    """The interceptors a client needs to trace (none when tracing is off). The first call
    installs the process's tracer provider, exporting in batches to the OTLP endpoint; the
    standard OTEL_* variables (service name, headers, sampling) apply."""
    if not tracing_enabled():
        return []
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from temporalio.contrib.opentelemetry import TracingInterceptor

    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {"service.name": "b2b"}
        provider = TracerProvider(resource=Resource.create(attributes))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(provider)
    return [TracingInterceptor()]
