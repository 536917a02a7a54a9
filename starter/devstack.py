"""The dev stack (`make run`, `b2b up`): PostgreSQL, the Temporal dev server with its Web UI,
the schema, one worker and the HTTP API, on the embedded defaults, until interrupted.

Started again on the same data folder it resumes every open line: Temporal keeps its state
in a SQLite file and PostgreSQL its data folder, both under B2B_DATA_DIR.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from domain import search_attributes as sa
from runtime.config import Settings
from runtime.database import EmbeddedPostgres, ensure_database, migrate
from runtime.temporal import DEV_SERVER_SQLITE_PRAGMAS, connect, temporal_binary
from starter.auth import dev_tokens, parse_tokens
from starter.register_search_attributes import register


class DevStack:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.data_dir = settings.data_dir.resolve()
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.postgres: EmbeddedPostgres | None = None
        self.database_url = ""
        self.temporal_address = settings.effective_temporal_address

    def start(self) -> dict[str, str]:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        logs = self.data_dir / "logs"
        logs.mkdir(exist_ok=True)
        if self.settings.database_url:
            self.database_url = self.settings.database_url
        else:
            self.postgres = EmbeddedPostgres(self.data_dir / "postgres")
            asyncio.run(ensure_database(self.postgres.url(), "b2b"))
            self.database_url = self.postgres.url("b2b")
        asyncio.run(migrate(self.database_url))
        if self.settings.temporal_address:
            asyncio.run(self._register_search_attributes())
        else:
            self._spawn(
                "temporal",
                [
                    temporal_binary(),
                    "server",
                    "start-dev",
                    "--db-filename",
                    str(self.data_dir / "temporal.db"),
                    "--ip",
                    "127.0.0.1",
                    "--port",
                    str(self.settings.temporal_port),
                    "--ui-port",
                    str(self.settings.temporal_ui_port),
                    *DEV_SERVER_SQLITE_PRAGMAS,
                    "--log-level",
                    "warn",
                    *sa.cli_flags(),
                ],
                logs / "temporal.log",
            )
            asyncio.run(connect(self.settings, wait_seconds=60))
        tokens = self.settings.api_tokens or dev_tokens(self.data_dir)
        parse_tokens(tokens)  # fail early on a malformed B2B_API_TOKENS
        env = {
            **os.environ,
            "B2B_DATABASE_URL": self.database_url,
            "TEMPORAL_ADDRESS": self.temporal_address,
            "B2B_API_TOKENS": tokens,
            "B2B_TEMPORAL_UI_URL": f"http://localhost:{self.settings.temporal_ui_port}",
        }
        self._spawn("worker", [sys.executable, "-m", "worker"], logs / "worker.log", env)
        self._spawn("api", [sys.executable, "-m", "starter.api"], logs / "api.log", env)
        self._wait_healthy()
        return dict(pair.split(":", 1)[::-1] for pair in tokens.split(","))  # token -> role

    async def _register_search_attributes(self) -> None:
        client = await connect(self.settings, wait_seconds=30)
        await register(client, client.namespace)

    def _spawn(
        self, name: str, argv: list[str], log: Path, env: dict[str, str] | None = None
    ) -> None:
        out = log.open("ab")
        # A process group of its own: Ctrl-C reaches the stack, which stops each child.
        proc = subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        self.children.append((name, proc))

    def _wait_healthy(self, timeout: float = 90) -> None:
        url = f"http://127.0.0.1:{self.settings.api_port}/health"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_children()
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"the API did not become healthy at {url}; see {self.data_dir}/logs")

    def check_children(self) -> None:
        for name, proc in self.children:
            if proc.poll() is not None:
                raise SystemExit(
                    f"{name} exited with {proc.returncode}; see {self.data_dir}/logs/{name}.log"
                )

    def stop(self) -> None:
        """Stop every process this stack started, newest first, each by its own pid."""
        for _name, proc in reversed(self.children):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for _name, proc in reversed(self.children):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.children.clear()
        if self.postgres is not None:
            self.postgres.stop()
            self.postgres = None


def run() -> None:
    settings = Settings()
    stack = DevStack(settings)

    def interrupted(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    try:
        tokens = stack.start()
        ui = f"http://localhost:{settings.temporal_ui_port}"
        print("\nBack-to-back fulfillment is running.\n")
        print(
            f"  API          http://localhost:{settings.api_port}  "
            f"(OpenAPI: /openapi.json, docs: /docs)"
        )
        if not settings.temporal_address:
            print(f"  Temporal UI  {ui}")
        print(f"  Temporal     {stack.temporal_address}")
        print(f"  PostgreSQL   {stack.database_url}")
        print(f"  Data folder  {stack.data_dir}   (logs in {stack.data_dir}/logs)")
        print("\n  API tokens (also in tokens.json in the data folder):")
        for token, role in tokens.items():
            print(f"    {role:<8} {token}")
        print("\nPress Ctrl-C to stop.\n", flush=True)
        (stack.data_dir / "stack.json").write_text(
            json.dumps(
                {
                    "api_url": f"http://localhost:{settings.api_port}",
                    "ui_url": ui,
                    "pid": os.getpid(),
                }
            )
        )
        while True:
            stack.check_children()
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
    finally:
        stack.stop()
        (stack.data_dir / "stack.json").unlink(missing_ok=True)
        print("Stopped.", flush=True)
