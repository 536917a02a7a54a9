"""The live API fuzzed from its own OpenAPI document (schemathesis): every operation, with a
bounded number of generated requests that fit the schema and that do not, sent to the app
wired to the real PostgreSQL and Temporal with the admin token. No answer may be a 5xx, and
every answer must match what the document declares for it."""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from starter.api import create_app
from tests.conftest import TOKENS, Stack, order_number
from tests.fixtures import demo_setup, laptop_order

# Requests per operation and generation mode, per batch (random path parameters, then the
# booked order's): bounded so the whole run stays around a minute on two cores.
EXAMPLES = int(os.environ.get("B2B_FUZZ_EXAMPLES", "24"))
HEADERS = {"Authorization": f"Bearer {TOKENS['admin']}"}
CONFORMANCE = [status_code_conformance, content_type_conformance, response_schema_conformance]


def _spec() -> dict[str, Any]:
    return create_app().openapi()


def _labels(spec: dict[str, Any]) -> list[str]:
    return [
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "put", "post", "patch", "delete")
    ]


OPERATIONS = _labels(_spec())


@dataclass
class Outcome:
    """What one operation answered to its generated requests."""

    sent: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    nonconforming: list[str] = field(default_factory=list)

    def line(self, label: str) -> str:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(self.by_status.items()))
        return f"{label}: {self.sent} requests ({statuses})"


def generate(operation: Any, mode: GenerationMode, path_parameters: dict[str, Any]) -> list[Any]:
    """Up to EXAMPLES cases, the same on every run (derandomized); none when the mode has
    nothing to generate (no parameters to break)."""
    cases: list[Any] = []
    strategy = operation.as_strategy(
        generation_mode=mode, headers=HEADERS, path_parameters=path_parameters or None
    )

    @settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(case: Any) -> None:
        cases.append(case)

    try:
        collect()
    except Exception as err:  # hypothesis' Unsatisfiable: nothing to negate
        if type(err).__name__ != "Unsatisfiable":
            raise
    return cases


def _params(params: dict[str, Any]) -> dict[str, Any]:
    # Negative cases may nest objects in a query string; send them as text.
    return {
        k: [str(v) for v in value] if isinstance(value, list) else str(value)
        if isinstance(value, dict) else value
        for k, value in params.items()
    }  # fmt: skip


async def send(stack: Stack, case: Any) -> tuple[int, str, Any]:
    """The case sent to the app: its status, the request and the answer's start. An
    exception out of the app is what a server answers 500 to."""
    kwargs = case.as_transport_kwargs(base_url="http://b2b")
    headers = {k: v for k, v in kwargs["headers"].items() if k.lower() != "content-length"}
    content: bytes | None = None
    if "json" in kwargs:
        # As any client would send it; NaN and Infinity as Python writes them.
        content = json.dumps(kwargs["json"]).encode()
    elif isinstance(kwargs.get("data"), bytes | str):
        data = kwargs["data"]
        content = data.encode() if isinstance(data, str) else data
    request = f"{case.method} {kwargs['url']} {kwargs.get('params') or ''} {content!r:.300}"
    try:
        response = await stack.api.request(
            kwargs["method"],
            kwargs["url"],
            headers=headers,
            params=_params(kwargs.get("params") or {}),
            content=content,
        )
    except Exception as err:
        return 500, request, f"unhandled {type(err).__name__}: {err}"
    return response.status_code, request, response


def check(case: Any, sent: tuple[int, str, Any], checks: list[Any], outcome: Outcome) -> None:
    status, request, response = sent
    outcome.sent += 1
    outcome.by_status[status] = outcome.by_status.get(status, 0) + 1
    if status >= 500:
        answer = response if isinstance(response, str) else response.text
        outcome.server_errors.append(f"{status} {request}: {answer[:300]}")
        return
    try:
        case.validate_response(response, checks=checks)
    except (AssertionError, BaseExceptionGroup) as err:  # schemathesis' failures
        first = str(err).strip().splitlines()[:6]
        outcome.nonconforming.append(f"{request}: {' / '.join(first)}")


async def booked_order(stack: Stack) -> dict[str, Any]:
    """Setup and one booked order, so generated requests also reach real rows."""
    await stack.call("PUT", "/setup", json=demo_setup())
    so = order_number()
    await stack.call("POST", "/orders", role="orders", json=laptop_order(so, 5), expect=202)
    return {"order_number": so, "line_number": 1, "po_number": "PO-000001"}


async def fuzz(stack: Stack, schema: Any, label: str, checks: list[Any], known: Any) -> Outcome:
    """Every generated case of one operation, sent and checked: random path parameters, then
    the booked order's, each with cases that fit the schema and cases that do not."""
    operation = next(op for op in schema.get_all_operations() if op.ok().label == label).ok()
    names = {p.name for p in operation.path_parameters}
    batches = [{}, {k: v for k, v in known.items() if k in names}] if names else [{}]
    outcome = Outcome()
    for path_parameters in batches:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            cases = await asyncio.to_thread(generate, operation, mode, path_parameters)
            for case in cases:
                check(case, await send(stack, case), checks, outcome)
    return outcome


async def test_every_operation_fuzzed_answers_no_5xx_and_as_documented(
    idle_stack: Stack,
) -> None:
    stack = idle_stack
    known = await booked_order(stack)
    spec = (await stack.api.get("/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(spec)
    checks = [not_a_server_error, *CONFORMANCE]
    began = time.monotonic()
    outcomes = {label: await fuzz(stack, schema, label, checks, known) for label in OPERATIONS}
    print(
        f"\nfuzzed {len(outcomes)} operations, {sum(o.sent for o in outcomes.values())}"
        f" requests in {time.monotonic() - began:.0f}s"
    )
    print("\n".join(o.line(label) for label, o in outcomes.items()))
    server_errors = [f"{label}: {e}" for label, o in outcomes.items() for e in o.server_errors]
    nonconforming = [f"{label}: {e}" for label, o in outcomes.items() for e in o.nonconforming]
    assert len(outcomes) == len(OPERATIONS) > 0
    assert server_errors == [], f"{len(server_errors)} 5xx:\n" + "\n".join(server_errors)
    assert nonconforming == [], f"{len(nonconforming)} nonconforming:\n" + "\n".join(nonconforming)
