"""Settings from the environment (see the README's configuration table)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from runtime.generations import live_task_queue

DEFAULT_TASK_QUEUE = "b2b-fulfillment"


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=lambda: Path(os.environ.get("B2B_DATA_DIR", ".b2b")))
    database_url: str | None = field(default_factory=lambda: os.environ.get("B2B_DATABASE_URL"))
    temporal_address: str | None = field(default_factory=lambda: os.environ.get("TEMPORAL_ADDRESS"))
    temporal_namespace: str = field(
        default_factory=lambda: os.environ.get("TEMPORAL_NAMESPACE", "default")
    )
    task_queue: str = field(
        default_factory=lambda: os.environ.get("B2B_TASK_QUEUE", DEFAULT_TASK_QUEUE)
    )
    api_port: int = field(default_factory=lambda: int(os.environ.get("B2B_API_PORT", "8000")))
    temporal_port: int = field(
        default_factory=lambda: int(os.environ.get("B2B_TEMPORAL_PORT", "7233"))
    )
    temporal_ui_port: int = field(
        default_factory=lambda: int(os.environ.get("B2B_TEMPORAL_UI_PORT", "8233"))
    )
    api_tokens: str | None = field(default_factory=lambda: os.environ.get("B2B_API_TOKENS"))
    api_tokens_file: Path | None = field(
        default_factory=lambda: Path(f) if (f := os.environ.get("B2B_API_TOKENS_FILE")) else None
    )
    max_body_bytes: int = field(
        default_factory=lambda: int(os.environ.get("B2B_MAX_BODY_BYTES", str(4 * 1024 * 1024)))
    )
    ui_url: str = field(
        default_factory=lambda: os.environ.get("B2B_TEMPORAL_UI_URL", "http://localhost:8233")
    )

    @property
    def live_task_queue(self) -> str:
        """Where this release starts its workflows (B2B_TASK_QUEUE names the family: see
        runtime/generations.py)."""
        return live_task_queue(self.task_queue)

    @property
    def effective_temporal_address(self) -> str:
        return self.temporal_address or f"localhost:{self.temporal_port}"
