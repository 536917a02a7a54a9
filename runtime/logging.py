"""structlog set-up: JSON when not on a terminal, readable lines on one; the Temporal SDK
core's own lines go the same way."""

from __future__ import annotations

import logging
import os
import sys
from typing import TextIO

import structlog
from temporalio.runtime import LogForwardingConfig, LoggingConfig, TelemetryFilter

SHARED: list[structlog.types.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.processors.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.processors.format_exc_info,
]


def configure_logging(level: str | None = None) -> None:
    fmt = os.environ.get("B2B_LOG_FORMAT") or ("console" if sys.stderr.isatty() else "json")
    renderer: structlog.types.Processor = (
        structlog.dev.ConsoleRenderer() if fmt == "console" else structlog.processors.JSONRenderer()
    )
    log_level = getattr(logging, (level or os.environ.get("B2B_LOG_LEVEL", "INFO")).upper())
    structlog.configure(
        processors=[*SHARED, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(log_level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    handler = stdlib_handler(renderer, sys.stderr)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(log_level)
    logging.getLogger("asyncpg.pool").addFilter(outage_without_traceback)


def stdlib_handler(renderer: structlog.types.Processor, stream: TextIO) -> logging.Handler:
    """Standard-library records (the Temporal SDK and its core, uvicorn) rendered like the
    project's own lines."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
            foreign_pre_chain=[
                structlog.stdlib.add_logger_name,
                structlog.stdlib.ExtraAdder(),
                core_entry_fields,
                *SHARED,
            ],
        )
    )
    return handler


def outage_without_traceback(record: logging.LogRecord) -> bool:
    """The pool's retries to reconnect while PostgreSQL is down (backing off from 1 s to
    60 s) keep their line, with the error on it, but not a traceback each time: the relay
    and the API already say that PostgreSQL is unreachable."""
    if record.exc_info and "connection floor" in record.getMessage():
        error = record.exc_info[1]
        record.msg = f"{record.getMessage()}: {type(error).__name__}: {error}"
        record.args = None
        record.exc_info = None
    return True


# Where the SDK core's log lines arrive in Python logging (see `core_logging`).
CORE_LOGGER = "temporalio.core"


def core_logging() -> LoggingConfig:
    """The Temporal runtime's logging: the SDK core's warnings (such as "Failing workflow
    task") forwarded to Python logging, so they are rendered like every other line (JSON
    when JSON logs are on) instead of being written by the core in its own format."""
    return LoggingConfig(
        filter=TelemetryFilter(core_level="WARN", other_level="ERROR"),
        forwarding=LogForwardingConfig(
            logger=logging.getLogger(CORE_LOGGER),
            append_target_to_name=False,
            prepend_target_on_message=False,
            append_log_fields_to_message=False,
        ),
    )


def core_entry_fields(
    _: object, __: str, event_dict: structlog.types.EventDict
) -> structlog.types.EventDict:
    """A forwarded core line carries the core's entry (`temporal_log`): its target and
    fields become keys of the line (without overwriting the line's own)."""
    entry = event_dict.pop("temporal_log", None)
    if entry is None:
        return event_dict
    event_dict.setdefault("target", entry.target)
    try:
        fields = entry.fields
    except Exception:  # the SDK says it cannot happen; the line is kept without them
        fields = {}
    for key, value in fields.items():
        event_dict.setdefault(key, value)
    return event_dict
