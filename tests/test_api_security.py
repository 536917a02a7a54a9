"""Tokens: found in constant time, read from a mounted file, known in logs and records only
by their id; health says no more than ok or degraded without one."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest
from structlog.testing import capture_logs
from temporalio.testing import WorkflowEnvironment

from runtime.config import Settings
from starter.api import create_app
from starter.auth import load_tokens
from starter.http.security import roles_of, token_id
from tests.conftest import TOKENS, Stack, auth, order_number
from tests.fixtures import demo_setup, laptop_order


async def test_health_details_need_a_valid_token(idle_stack: Stack) -> None:
    anonymous = await idle_stack.api.get("/health")
    assert anonymous.status_code == 200 and anonymous.json() == {"status": "ok"}
    guessed = await idle_stack.api.get("/health", headers={"Authorization": "Bearer guess"})
    assert guessed.json() == {"status": "ok"}
    viewer = await idle_stack.api.get("/health", headers=auth("viewer"))
    assert viewer.json() == {"status": "ok", "postgresql": "ok", "temporal": "ok"}


def test_tokens_file_takes_pairs_by_line_or_comma(tmp_path: Path) -> None:
    secret = tmp_path / "tokens"
    secret.write_text(
        "# mounted from the b2b-api-tokens secret\n"
        "orders:o-1\n"
        "\n"
        "scanner:s-1, buyer:b-1\n"
        "viewer:o-1  # a second role for the same token\n"
    )
    tokens = load_tokens("admin:a-1", secret)
    assert tokens == {
        "a-1": {"admin"},
        "o-1": {"orders", "viewer"},
        "s-1": {"scanner"},
        "b-1": {"buyer"},
    }
    assert load_tokens(None, secret)["b-1"] == {"buyer"}
    secret.write_text("auditor:x-1\n")
    with pytest.raises(ValueError, match="auditor:x-1"):
        load_tokens(None, secret)


def test_tokens_file_is_named_by_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("B2B_API_TOKENS_FILE", str(tmp_path / "tokens"))
    assert Settings().api_tokens_file == tmp_path / "tokens"
    monkeypatch.delenv("B2B_API_TOKENS_FILE")
    assert Settings().api_tokens_file is None


async def test_api_process_reads_its_tokens_from_the_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    temporal_env: WorkflowEnvironment,
) -> None:
    secret = tmp_path / "tokens"
    secret.write_text("viewer:from-the-file\n")
    monkeypatch.delenv("B2B_API_TOKENS", raising=False)
    monkeypatch.setenv("B2B_API_TOKENS_FILE", str(secret))
    monkeypatch.setenv("B2B_DATABASE_URL", database_url)
    monkeypatch.setenv("TEMPORAL_ADDRESS", temporal_env.client.service_client.config.target_host)
    app = create_app()  # connects from the environment, as `python -m starter.api` does
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://b2b") as api:
            token = {"Authorization": "Bearer from-the-file"}
            assert (await api.get("/events", headers=token)).status_code == 200
            assert (await api.get("/events", headers=auth("viewer"))).status_code == 401


def test_only_the_whole_token_matches() -> None:
    tokens = {"secret-token": {"orders"}, "other": {"viewer"}}
    assert roles_of(tokens, "secret-token") == {"orders"}
    assert roles_of(tokens, "secret-toke") == set()
    assert roles_of(tokens, "secret-token-and-more") == set()
    assert roles_of(tokens, "") == set()
    assert roles_of(tokens, None) == set()


def test_token_id_is_a_hash_prefix() -> None:
    assert token_id("abc") == hashlib.sha256(b"abc").hexdigest()[:8]


async def test_state_changing_requests_are_logged_with_roles_and_token_id(
    idle_stack: Stack,
) -> None:
    scanner = TOKENS["scanner"]
    with capture_logs() as logs:
        await idle_stack.call(
            "POST", "/pick-waves", role="scanner", json={"organization": "M1"}, expect=422
        )
        await idle_stack.call("POST", "/orders", role="scanner", json={}, expect=403)
        await idle_stack.api.post("/orders", json={}, headers={"Authorization": "Bearer nope"})
        big = b"[" + b"0," * 2_600_000 + b"0]"
        await idle_stack.api.post("/pick-waves", content=big, headers=auth("scanner"))
        await idle_stack.call("GET", "/events", role="scanner")
    requests = [entry for entry in logs if entry["event"] == "request"]
    assert [(r["method"], r["path"], r["status_code"]) for r in requests] == [
        ("POST", "/pick-waves", 422),  # no organization M1 set up yet
        ("POST", "/orders", 403),
        ("POST", "/orders", 401),
        ("POST", "/pick-waves", 413),  # refused before its route checked the token
    ]
    assert requests[0]["roles"] == requests[1]["roles"] == requests[3]["roles"] == ["scanner"]
    assert requests[0]["token_id"] == token_id(scanner)
    assert requests[2]["roles"] == [] and requests[2]["token_id"] == token_id("nope")
    for entry in logs:
        assert all(scanner not in str(value) for value in entry.values()), entry


async def test_approval_records_the_token_id_not_the_token(stack: Stack) -> None:
    so = order_number()
    await stack.call("PUT", "/setup", json=demo_setup())
    order = laptop_order(so, quantity=1)
    order["lines"][0]["item_number"] = "SERVER-HE"  # its supplier's POs wait for a buyer
    await stack.call("POST", "/orders", json=order, role="orders", expect=202)
    line = await stack.wait_line(so, until=lambda v: bool(v["supply"]))
    po = line["supply"][0]["document_number"]
    approved = await stack.call("POST", f"/purchase-orders/{po}/approve", role="buyer")
    assert approved["approved_by"] == "buyer:" + token_id(TOKENS["buyer"])
    stored = await stack.scalar(
        "SELECT data->>'approved_by' FROM business_events WHERE type = 'PURCHASE_ORDER_APPROVED'"
    )
    assert stored == approved["approved_by"]
    assert TOKENS["buyer"][:6] not in stored
