"""The API's own Prometheus metrics: by route template, method and status."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import Stack, auth


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def key(name: str, **labels: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    return name, tuple(sorted(labels.items()))


async def test_metrics_count_requests_by_route_template(idle_stack: Stack) -> None:
    viewer = auth("viewer")
    for _ in range(2):
        assert (await idle_stack.api.get("/events", headers=viewer)).status_code == 200
    assert (await idle_stack.api.get("/orders/SO-NOPE-1", headers=viewer)).status_code == 404
    assert (await idle_stack.api.get("/orders/SO-NOPE-2", headers=viewer)).status_code == 404
    assert (
        await idle_stack.api.post("/orders", json={}, headers=auth("orders"))
    ).status_code == 422
    scrape = await idle_stack.api.get("/metrics")
    assert scrape.status_code == 200
    assert scrape.headers["content-type"].startswith("text/plain")
    seen = samples(scrape.text)

    events = {"route": "/events", "method": "GET", "status": "200"}
    order = {"route": "/orders/{order_number}", "method": "GET", "status": "404"}
    assert seen[key("b2b_api_requests_total", **events)] == 2
    assert seen[key("b2b_api_requests_total", **order)] == 2
    assert seen[key("b2b_api_requests_total", route="/orders", method="POST", status="422")] == 1
    assert seen[key("b2b_api_request_duration_seconds_count", **events)] == 2
    assert seen[key("b2b_api_request_duration_seconds_bucket", le="+Inf", **events)] == 2
    assert seen[key("b2b_api_requests_in_flight")] == 1  # the scrape itself
    routes = {dict(labels).get("route") for _, labels in seen}
    assert not any(r and "SO-NOPE" in r for r in routes)  # templates, never raw paths


async def test_unknown_paths_share_one_label(idle_stack: Stack) -> None:
    for path in ("/nope/1", "/nope/2"):
        assert (await idle_stack.api.get(path)).status_code == 404
    seen = samples((await idle_stack.api.get("/metrics")).text)
    unmatched = key("b2b_api_requests_total", route="unmatched", method="GET", status="404")
    assert seen[unmatched] == 2
