"""What the API answers to bad paths and queries, large bodies and unexpected failures, and
that its OpenAPI document describes those answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from starter.api import create_app
from starter.http.errors import ValidationErrorBody
from tests.conftest import Stack, auth, order_number
from tests.fixtures import demo_setup, laptop_order

INT4, INT8 = 2**31, 2**63


@pytest.mark.parametrize(
    ("method", "path", "parameter"),
    [
        ("GET", "/orders/%00", "order_number"),
        ("GET", "/orders/SO%001/lines/1", "order_number"),
        ("GET", "/orders/SO%0A1/lines/1", "order_number"),
        ("GET", "/lines?order_number=%00", "order_number"),
        ("GET", "/lines?customer_number=C%1F", "customer_number"),
        ("GET", "/events?order_number=%00", "order_number"),
        ("GET", "/supply/review?order_number=%7F", "order_number"),
        ("GET", "/setup/check?item=%00", "item"),
        ("GET", "/purchase-orders/PO%00", "po_number"),
        ("POST", "/purchase-orders/PO%00/approve", "po_number"),
        ("POST", "/orders/%00/credit/retry", "order_number"),
        ("GET", f"/orders/{'S' * 241}", "order_number"),
        ("GET", f"/lines?item_number={'I' * 241}", "item_number"),
        ("GET", f"/orders/SO-1/lines/{INT4}", "line_number"),
        ("GET", "/orders/SO-1/lines/0", "line_number"),
        ("POST", f"/orders/SO-1/lines/{INT4}/retry", "line_number"),
        ("GET", f"/events?after={INT8}", "after"),
        ("GET", "/events?after=-1", "after"),
    ],
)
async def test_bad_path_or_query_parameter_is_422_naming_it(
    idle_stack: Stack, method: str, path: str, parameter: str
) -> None:
    response = await idle_stack.api.request(method, path, headers=auth("admin"))
    assert response.status_code == 422, response.text
    body = ValidationErrorBody.model_validate(response.json())
    assert [e.field for e in body.errors] == [parameter]
    assert body.detail.startswith(f"{parameter}: ")


async def test_parameters_at_their_bounds_are_accepted(idle_stack: Stack) -> None:
    line = await idle_stack.api.get(f"/orders/SO-1/lines/{INT4 - 1}", headers=auth("viewer"))
    assert line.status_code == 404, line.text
    events = await idle_stack.api.get(f"/events?after={INT8 - 1}", headers=auth("viewer"))
    assert events.status_code == 200 and events.json()["next_cursor"] == INT8 - 1
    long_id = await idle_stack.api.get(f"/orders/{'S' * 240}", headers=auth("viewer"))
    assert long_id.status_code == 404


async def test_control_characters_get_a_plain_message(idle_stack: Stack) -> None:
    response = await idle_stack.api.get("/orders/%00", headers=auth("viewer"))
    assert "control characters" in response.json()["detail"]


def oversized_order(so: str) -> bytes:
    order = laptop_order(so)
    order["customer_po_number"] = "P" * (4 * 1024 * 1024)
    return httpx.Request("POST", "/", json=order).content


async def test_body_over_the_limit_is_413_and_stores_nothing(idle_stack: Stack) -> None:
    so = order_number()
    response = await idle_stack.api.post(
        "/orders", content=oversized_order(so), headers=auth("orders")
    )
    assert response.status_code == 413, response.text
    assert "larger than 4194304 bytes" in response.json()["detail"]
    assert await idle_stack.scalar("SELECT count(*) FROM orders") == 0


async def test_streamed_body_over_the_limit_is_413(idle_stack: Stack) -> None:
    body = oversized_order(order_number())

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    response = await idle_stack.api.post(
        "/orders",
        content=chunks(),
        headers={**auth("orders"), "Content-Type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413, response.text
    assert response.json()["detail"].startswith("the request body is larger than")
    assert await idle_stack.scalar("SELECT count(*) FROM orders") == 0


async def test_unexpected_failure_is_a_logged_json_500(idle_stack: Stack) -> None:
    app = create_app()

    async def broken() -> None:
        raise ZeroDivisionError("a bug")

    app.add_api_route("/broken", broken)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://b2b") as api:
        response = await api.get("/broken")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error; it was logged"}


async def test_openapi_documents_the_error_answers(idle_stack: Stack) -> None:
    spec = (await idle_stack.api.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    assert schemas["ValidationErrorBody"]["properties"]["detail"]["type"] == "string"
    assert schemas["UnavailableBody"]["required"] == ["detail", "dependency"]
    assert "HTTPValidationError" not in schemas  # the default body, not what the API sends
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            if path in ("/health", "/metrics"):
                continue
            assert {"401", "503"} <= codes, (method, path)
            if method != "get":
                assert {"403", "413", "422"} <= codes, (method, path)
            if "{" in path:
                assert "422" in codes, (method, path)
    order = spec["paths"]["/orders/{order_number}"]["get"]["responses"]
    assert "404" in order and "503" in order
    assert "Retry-After" in order["503"]["headers"]
    assert {"200", "202", "409"} <= set(spec["paths"]["/orders"]["post"]["responses"])


async def test_validation_errors_answer_the_documented_body(idle_stack: Stack) -> None:
    await idle_stack.call("PUT", "/setup", json=demo_setup())
    bad: dict[str, Any] = laptop_order(order_number(), quantity=-1)
    response = await idle_stack.api.post("/orders", json=bad, headers=auth("orders"))
    assert response.status_code == 422
    body = ValidationErrorBody.model_validate(response.json())
    assert isinstance(body.detail, str) and body.errors[0].field == "lines[0].quantity"
