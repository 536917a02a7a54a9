"""The dev stack (`make run`, `b2b up`): PostgreSQL, the Temporal dev server with its Web UI,
the schema, B2B_WORKERS workers and B2B_API_PROCESSES API processes, on the embedded
defaults, until interrupted. Each of them is a supervised child: restarted with backoff when
it dies, stopped with the stack (see starter/supervisor.py).

Started again on the same data folder it resumes every open line: Temporal keeps its state
in a SQLite file and PostgreSQL its data folder, both under B2B_DATA_DIR.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import time

import httpx

from domain import search_attributes as sa
from runtime.config import Settings
from runtime.database import EmbeddedPostgres, ensure_database, migrate
from runtime.embedded_postgres import STOP_SIGNALS as POSTGRES_STOP_SIGNALS
from runtime.temporal import DEV_SERVER_ARGS, connect, temporal_binary
from starter.auth import dev_tokens, parse_tokens
from starter.register_search_attributes import register
from starter.supervisor import ChildSpec, Supervisor, port_owner, python_module, stop_leftovers
from worker.metrics import metrics_port


def _count(variable: str) -> int:
    value = os.environ.get(variable, "1")
    if not value.isdigit() or not 1 <= int(value) <= 16:
        raise SystemExit(f"{variable} must be a whole number from 1 to 16, not {value!r}")
    return int(value)


class DevStack:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.data_dir = settings.data_dir.resolve()
        self.supervisor = Supervisor(self.data_dir)
        self.workers = _count("B2B_WORKERS")
        self.api_processes = _count("B2B_API_PROCESSES")
        self.database_url = ""
        self.temporal_address = settings.effective_temporal_address
        self.api_socket: socket.socket | None = None

    def start(self) -> dict[str, str]:
        (self.data_dir / "logs").mkdir(parents=True, exist_ok=True)
        for note in stop_leftovers(self.data_dir):
            self.supervisor.say(note)
        self._open_ports()
        if self.settings.database_url:
            self.database_url = self.settings.database_url
        else:
            self.database_url = self._start_postgres()
        asyncio.run(migrate(self.database_url))
        if self.settings.temporal_address:
            asyncio.run(self._register_search_attributes())
        else:
            self._start_temporal()
        tokens = self.settings.api_tokens or dev_tokens(self.data_dir)
        parse_tokens(tokens)  # fail early on a malformed B2B_API_TOKENS
        env = {
            **os.environ,
            "B2B_DATABASE_URL": self.database_url,
            "TEMPORAL_ADDRESS": self.temporal_address,
            "B2B_API_TOKENS": tokens,
            "B2B_TEMPORAL_UI_URL": f"http://localhost:{self.settings.temporal_ui_port}",
        }
        for n, port in enumerate(self.worker_metrics_ports(), start=1):
            name = "worker" if self.workers == 1 else f"worker-{n}"
            worker_env = {**env, "B2B_WORKER_METRICS_PORT": str(port)}
            self.supervisor.start(ChildSpec(name, python_module("worker"), worker_env))
        assert self.api_socket is not None
        api_env = {**env, "B2B_API_FD": str(self.api_socket.fileno())}
        for n in range(1, self.api_processes + 1):
            name = "api" if self.api_processes == 1 else f"api-{n}"
            argv = python_module("starter.api_process")
            fds = (self.api_socket.fileno(),)
            self.supervisor.start(ChildSpec(name, argv, api_env, pass_fds=fds))
        self._wait_healthy()
        return dict(pair.split(":", 1)[::-1] for pair in tokens.split(","))  # token -> role

    def worker_metrics_ports(self) -> list[int]:
        """B2B_WORKER_METRICS_PORT for the first worker, the next ports for the others (all 0,
        no metrics, when it is 0)."""
        first = metrics_port()
        return [first + n if first else 0 for n in range(self.workers)]

    def _open_ports(self) -> None:
        """Hold the API port, and check that Temporal's are free, before starting anything:
        a taken port is named with its owner and the variable that moves it."""
        host = os.environ.get("B2B_API_HOST", "127.0.0.1")
        ports = [(self.settings.api_port, "B2B_API_PORT", host)]
        if not self.settings.temporal_address:
            ports += [
                (self.settings.temporal_port, "B2B_TEMPORAL_PORT", "127.0.0.1"),
                (self.settings.temporal_ui_port, "B2B_TEMPORAL_UI_PORT", "127.0.0.1"),
            ]
        for port, variable, address in ports:
            try:
                probe = socket.create_server((address, port), backlog=512)
            except OSError:
                raise SystemExit(
                    f"port {port} is taken by {port_owner(port)}; stop that program or set "
                    f"{variable} to a free port"
                ) from None
            if variable == "B2B_API_PORT":
                probe.set_inheritable(True)
                self.api_socket = probe
            else:
                probe.close()

    def _start_postgres(self) -> str:
        postgres = EmbeddedPostgres(self.data_dir / "postgres", start=False)
        child = self.supervisor.start(
            ChildSpec(
                "postgres",
                postgres.command(),
                stop_signals=POSTGRES_STOP_SIGNALS,
                death_signal=signal.SIGINT,  # fast shutdown
                popen_options=postgres.popen_options(),
                before_start=postgres.clear_leftover,
            )
        )
        assert child.proc is not None
        postgres.wait_ready(child.proc)
        asyncio.run(ensure_database(postgres.url(), "b2b"))
        return postgres.url("b2b")

    def _start_temporal(self) -> None:
        argv = [
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
            *DEV_SERVER_ARGS,
            "--log-level",
            "warn",
            *sa.cli_flags(),
        ]
        self.supervisor.start(ChildSpec("temporal", argv))
        asyncio.run(connect(self.settings, wait_seconds=60))

    async def _register_search_attributes(self) -> None:
        client = await connect(self.settings, wait_seconds=30)
        await register(client, client.namespace)

    def _wait_healthy(self, timeout: float = 90) -> None:
        url = f"http://127.0.0.1:{self.settings.api_port}/health"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.supervisor.check()
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"the API did not become healthy at {url}; see {self.data_dir}/logs")

    def watch(self) -> None:
        while True:
            self.supervisor.check()
            time.sleep(0.2)

    def stop(self) -> None:
        """Stop every process this stack started, each by its own pid, within 10 s."""
        self.supervisor.stop()
        if self.api_socket is not None:
            self.api_socket.close()
            self.api_socket = None

    def describe(self) -> dict[str, object]:
        return {
            "api_url": f"http://localhost:{self.settings.api_port}",
            "ui_url": f"http://localhost:{self.settings.temporal_ui_port}",
            "database_url": self.database_url,
            "temporal_address": self.temporal_address,
            "workers": self.workers,
            "api_processes": self.api_processes,
            "pid": os.getpid(),
        }


def _print_banner(stack: DevStack, tokens: dict[str, str]) -> None:
    settings = stack.settings
    print("\nBack-to-back fulfillment is running.\n")
    print(
        f"  API          http://localhost:{settings.api_port}  "
        f"(OpenAPI: /openapi.json, docs: /docs; {stack.api_processes} process(es))"
    )
    if not settings.temporal_address:
        print(f"  Temporal UI  http://localhost:{settings.temporal_ui_port}")
    print(f"  Temporal     {stack.temporal_address}")
    print(f"  PostgreSQL   {stack.database_url}")
    print(f"  Workers      {stack.workers}")
    scrape = [f"http://localhost:{port}/metrics" for port in stack.worker_metrics_ports() if port]
    print(f"  Metrics      API http://localhost:{settings.api_port}/metrics", end="")
    print(f"; worker {', '.join(scrape)}" if scrape else "", flush=True)
    print(f"  Data folder  {stack.data_dir}   (logs in {stack.data_dir}/logs)")
    print("\n  API tokens (also in tokens.json in the data folder):")
    for token, role in tokens.items():
        print(f"    {role:<8} {token}")
    print("\nA part that stops is restarted. Press Ctrl-C to stop.\n", flush=True)


def run() -> None:
    stack = DevStack(Settings())

    def interrupted(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    state = stack.data_dir / "stack.json"
    try:
        tokens = stack.start()
        _print_banner(stack, tokens)
        state.write_text(json.dumps(stack.describe()))
        stack.watch()
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
    finally:
        # A second Ctrl-C must not cut the stop short and leave children behind.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stack.stop()
        state.unlink(missing_ok=True)
        print("Stopped.", flush=True)
