"""Binds every log line an activity writes to its order, line and workflow id."""

from __future__ import annotations

import re
from typing import Any, cast

import structlog
from temporalio import activity
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

_LINE_ID = re.compile(r"^order-(?P<order>.+)-line-(?P<line>\d+)$")
_ORDER_ID = re.compile(r"^order-(?P<order>.+)$")

log = structlog.get_logger("activity")


def business_ids(workflow_id: str) -> dict[str, Any]:
    """The order and line a workflow id names (`order-{n}` or `order-{n}-line-{l}`)."""
    if match := _LINE_ID.match(workflow_id):
        return {"order_number": match["order"], "line_number": int(match["line"])}
    if match := _ORDER_ID.match(workflow_id):
        return {"order_number": match["order"]}
    return {}


class _BindIds(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        info = activity.info()
        ids = {
            "workflow_id": info.workflow_id,
            "activity": info.activity_type,
            "attempt": info.attempt,
            # Only workflows run this worker's activities, so there is always a workflow id.
            **business_ids(cast(str, info.workflow_id)),
        }
        with structlog.contextvars.bound_contextvars(**ids):
            try:
                result = await super().execute_activity(input)
            except Exception as err:
                log.warning("activity failed", error=str(err))
                raise
            log.debug("activity done")
            return result


class LoggingInterceptor(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _BindIds(next)
