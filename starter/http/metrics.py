"""Prometheus metrics of the API itself: requests and their latency by route template (not
the raw path, which would make one series per order), method and status; requests in
flight. Each app has its own registry, so two apps in one process never share counts."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# Latency buckets in seconds: most answers take milliseconds, a booking up to a few seconds.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class ApiMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        labels = ("route", "method", "status")
        self.requests = Counter(
            "b2b_api_requests",
            "HTTP requests answered, by route template, method and status",
            labels,
            registry=self.registry,
        )
        self.latency = Histogram(
            "b2b_api_request_duration_seconds",
            "Time to answer an HTTP request, by route template, method and status",
            labels,
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "b2b_api_requests_in_flight",
            "HTTP requests being answered now",
            registry=self.registry,
        )

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route, method, str(status)).observe(seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
