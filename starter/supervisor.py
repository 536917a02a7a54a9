"""Child processes kept running: each one that dies is restarted after a backoff, every
restart is printed and logged, and all of them stop together within a bound.

The children are recorded in a pid file (pid and start time of each), so a later run on the
same data folder can recognise and stop what a killed supervisor left behind. On Linux each
child also gets a parent-death signal, so it goes when the supervisor is killed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from runtime.processes import die_with_parent, identity, same_process, stop_processes

FIRST_DELAY = 0.5
MAX_DELAY = 30.0
STABLE_AFTER = 30.0  # up this long and the next restart starts from FIRST_DELAY again
STOP_TIMEOUT = 8.0  # every child gone within this after a stop, whatever it is doing


@dataclass
class ChildSpec:
    name: str
    argv: list[str]
    env: dict[str, str] | None = None
    stop_signals: Sequence[int] = (signal.SIGTERM, signal.SIGKILL)
    death_signal: int = signal.SIGTERM  # sent by the kernel when the supervisor dies
    popen_options: dict[str, Any] = field(default_factory=dict)
    pass_fds: tuple[int, ...] = ()
    before_start: Callable[[], str | None] | None = None  # clears leftovers, says what it did


@dataclass
class Child:
    spec: ChildSpec
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    delay: float = FIRST_DELAY
    restart_at: float | None = None
    restarts: int = 0


class Supervisor:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.logs = data_dir / "logs"
        self.pid_file = data_dir / "stack.pid"
        self.children: list[Child] = []

    def say(self, message: str) -> None:
        """Print a line and keep it in logs/stack.log."""
        stamp = datetime.now(UTC).strftime("%H:%M:%S")
        print(f"{stamp} {message}", flush=True)
        with (self.logs / "stack.log").open("a") as out:
            out.write(f"{datetime.now(UTC).isoformat()} {message}\n")

    def start(self, spec: ChildSpec) -> Child:
        child = Child(spec, self.logs / f"{spec.name}.log")
        self.children.append(child)
        self._launch(child)
        return child

    def _launch(self, child: Child) -> None:
        spec = child.spec
        if spec.before_start is not None and (note := spec.before_start()):
            self.say(f"{spec.name}: {note}")
        with child.log.open("ab") as out:
            child.proc = subprocess.Popen(
                spec.argv,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=spec.env,
                # A session of its own: Ctrl-C reaches the supervisor, which stops each child.
                start_new_session=True,
                preexec_fn=die_with_parent(spec.death_signal),
                pass_fds=spec.pass_fds,
                **spec.popen_options,
            )
        child.started = time.monotonic()
        child.restart_at = None
        self.write_pid_file()

    def check(self) -> None:
        """Restart what died, once its backoff has passed."""
        now = time.monotonic()
        for child in self.children:
            proc = child.proc
            if child.restart_at is None and proc is not None and proc.poll() is not None:
                if now - child.started >= STABLE_AFTER:
                    child.delay = FIRST_DELAY
                self.say(
                    f"{child.spec.name} exited with {proc.returncode}; "
                    f"restarting in {child.delay:.1f} s (see {child.log})"
                )
                child.restart_at = now + child.delay
                child.delay = min(child.delay * 2, MAX_DELAY)
            elif child.restart_at is not None and now >= child.restart_at:
                child.restarts += 1
                try:
                    self._launch(child)
                except (OSError, RuntimeError) as error:
                    # Counts as a failed run: the backoff goes on growing.
                    self.say(f"{child.spec.name} did not start again: {error}")
                    child.started = now
                    continue
                pid = child.proc.pid if child.proc else "?"
                self.say(f"{child.spec.name} restarted (pid {pid})")

    def stop(self) -> None:
        """Stop every child at once: its stop signals in turn, SIGKILL at the end."""
        procs = []
        for child in self.children:
            if child.proc is not None and child.proc.poll() is None:
                try:
                    procs.append((psutil.Process(child.proc.pid), child.spec.stop_signals))
                except psutil.Error:
                    pass
        left = stop_processes(procs, STOP_TIMEOUT)
        for child in self.children:
            if child.proc is not None:
                child.proc.wait()
        for proc in left:
            self.say(f"pid {proc.pid} did not stop")
        if self.children:  # else the file may be another stack's
            self.pid_file.unlink(missing_ok=True)
        self.children.clear()

    def write_pid_file(self) -> None:
        record = {
            "supervisor": {"pid": os.getpid(), "created": identity(os.getpid())},
            "children": [
                {
                    "name": child.spec.name,
                    "pid": child.proc.pid,
                    "created": identity(child.proc.pid),
                    "stop_signals": list(child.spec.stop_signals),
                }
                for child in self.children
                if child.proc is not None
            ],
        }
        tmp = self.pid_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(record))
        tmp.replace(self.pid_file)


def stop_leftovers(data_dir: Path) -> list[str]:
    """Stop the children an earlier supervisor on this data folder left running.

    Refuses when that supervisor itself still runs: two stacks on one folder would share
    PostgreSQL's and Temporal's files."""
    pid_file = data_dir / "stack.pid"
    try:
        record = json.loads(pid_file.read_text())
    except (OSError, ValueError):
        record = {}
    owner = record.get("supervisor") or {}
    pid, created = owner.get("pid"), owner.get("created")
    if pid and created and pid != os.getpid() and same_process(pid, created):
        raise SystemExit(
            f"another `b2b up` (pid {pid}) is running on {data_dir}; "
            "stop it first, or set B2B_DATA_DIR to another folder"
        )
    found = [("temporal", proc, [signal.SIGTERM]) for proc in _temporal_servers(data_dir)]
    for entry in record.get("children", []):
        proc = same_process(entry["pid"], entry.get("created") or 0)
        if proc is not None and proc.pid not in {p.pid for _n, p, _s in found}:
            found.append((entry["name"], proc, entry.get("stop_signals") or [signal.SIGTERM]))
    stop_processes([(proc, [*signals, signal.SIGKILL]) for _n, proc, signals in found])
    pid_file.unlink(missing_ok=True)
    return [f"stopped {name} (pid {proc.pid}) left by an earlier run" for name, proc, _s in found]


def _temporal_servers(data_dir: Path) -> list[psutil.Process]:
    """Dev servers on this folder's Temporal database that no pid file records (left by a
    stack that kept none): the next one would fail on the port or the SQLite file."""
    database = str(data_dir / "temporal.db")
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if database in (proc.info["cmdline"] or []) and proc.pid != os.getpid():
            found.append(proc)
    return found


def port_owner(port: int) -> str:
    """Which program listens on a TCP port, as far as this user may see."""
    try:
        for conn in psutil.net_connections(kind="tcp"):
            if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN:
                if conn.pid is None:
                    return "another program"
                try:
                    cmdline = " ".join(psutil.Process(conn.pid).cmdline())[:120]
                except psutil.Error:
                    cmdline = "?"
                return f"pid {conn.pid} ({cmdline})"
    except psutil.Error:
        pass
    return "another program"


def python_module(module: str) -> list[str]:
    return [sys.executable, "-m", module]
