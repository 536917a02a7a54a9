import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from runtime.logging import configure_logging
from worker.interceptors import business_ids


def test_workflow_ids_name_their_order_and_line() -> None:
    assert business_ids("order-SO-1001-line-12") == {"order_number": "SO-1001", "line_number": 12}
    assert business_ids("order-SO-line-9-line-2") == {"order_number": "SO-line-9", "line_number": 2}
    assert business_ids("order-SO-1001") == {"order_number": "SO-1001"}
    assert business_ids("something-else") == {}


@pytest.fixture
def json_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """JSON logging, undone afterwards: a handler left on a test's captured stream would
    fail every later test that logs. Each test calls `configure_logging` itself, once its
    stderr is captured."""
    monkeypatch.setenv("B2B_LOG_FORMAT", "json")
    yield
    structlog.reset_defaults()
    logging.getLogger().handlers.clear()


def test_logs_are_json_lines_carrying_the_bound_ids(
    json_logs: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO")
    with structlog.contextvars.bound_contextvars(
        workflow_id="order-SO-1-line-1", order_number="SO-1", line_number=1
    ):
        structlog.get_logger("test").info("receipt reserved", quantity=30)
    # The standard library (the Temporal SDK, workflow.logger) goes the same way.
    logging.getLogger("temporalio.workflow").info(
        "line status", extra={"order_number": "SO-2", "status": "CLOSED"}
    )
    lines = [json.loads(x) for x in capsys.readouterr().err.strip().splitlines()]
    first, second = lines
    assert first["event"] == "receipt reserved" and first["quantity"] == 30
    assert first["workflow_id"] == "order-SO-1-line-1" and first["line_number"] == 1
    assert first["level"] == "info" and "timestamp" in first
    assert second["order_number"] == "SO-2" and second["status"] == "CLOSED"


def test_the_pool_reconnecting_logs_one_line_without_a_traceback(
    json_logs: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO")
    pool_log = logging.getLogger("asyncpg.pool")
    try:
        raise ConnectionRefusedError(111, "Connect call failed")
    except ConnectionRefusedError:
        pool_log.warning("Failed to restore the pool connection floor; retrying", exc_info=True)
    try:
        raise ValueError("a real bug")
    except ValueError:
        pool_log.warning("something else", exc_info=True)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    floor, other = lines
    assert "ConnectionRefusedError" in floor["event"] and "exception" not in floor
    assert "Traceback" in other["exception"]
