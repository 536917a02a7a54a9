"""The dev stack's supervisor on plain processes: restarts with a growing backoff, children
that die with their parent, a bounded stop, and leftovers recognised by pid and start time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from runtime.embedded_postgres import EmbeddedPostgres
from runtime.processes import die_with_parent, identity, stop_processes
from starter.supervisor import ChildSpec, Supervisor, stop_leftovers

IGNORES_SIGTERM = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
    "print('ready', flush=True); time.sleep(60)"
)


def ignoring_sigterm(preexec_fn: Callable[[], None] | None = None) -> subprocess.Popen[str]:
    """A process that ignores SIGTERM, once it does."""
    proc = subprocess.Popen(
        [sys.executable, "-c", IGNORES_SIGTERM],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=preexec_fn,
    )
    assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    return proc


def wait_until(condition: Callable[[], bool], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_a_child_that_ignores_sigterm_is_killed_within_the_bound() -> None:
    proc = ignoring_sigterm()
    began = time.monotonic()
    left = stop_processes([(psutil.Process(proc.pid), (signal.SIGTERM, signal.SIGKILL))], 2.0)
    assert left == []
    assert proc.wait(timeout=5) == -signal.SIGKILL
    assert 0.9 < time.monotonic() - began < 4


@pytest.mark.skipif(sys.platform != "linux", reason="parent-death signals are Linux's")
def test_a_child_dies_with_its_parent_even_one_killed_outright() -> None:
    spawn = (
        "import subprocess, sys, time;"
        "from runtime.processes import die_with_parent;"
        "c = subprocess.Popen(['sleep', '60'], preexec_fn=die_with_parent());"
        "print(c.pid, flush=True); time.sleep(60)"
    )
    parent = subprocess.Popen([sys.executable, "-c", spawn], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert not gone(child)
    parent.kill()
    parent.wait()
    wait_until(lambda: gone(child), timeout=5)


def test_a_child_that_exits_is_restarted_with_a_growing_backoff(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    supervisor = Supervisor(tmp_path)
    marker = tmp_path / "runs"
    count_run = f"open({str(marker)!r}, 'a').write('x'); raise SystemExit(3)"
    child = supervisor.start(ChildSpec("flaky", [sys.executable, "-c", count_run]))
    try:

        def runs() -> int:
            supervisor.check()
            return len(marker.read_text()) if marker.exists() else 0

        wait_until(lambda: runs() >= 3)
        assert child.restarts >= 2
        said = (tmp_path / "logs" / "stack.log").read_text()
        assert "flaky exited with 3; restarting in 0.5 s" in said
        assert "flaky exited with 3; restarting in 1.0 s" in said
        assert "flaky restarted (pid" in said
        assert json.loads((tmp_path / "stack.pid").read_text())["children"][0]["name"] == "flaky"
    finally:
        supervisor.stop()
    assert not (tmp_path / "stack.pid").exists()


def test_leftovers_are_stopped_only_when_they_are_the_recorded_processes(tmp_path: Path) -> None:
    survivor = ignoring_sigterm(preexec_fn=die_with_parent())
    stranger = subprocess.Popen(["sleep", "60"])
    try:
        record = {
            "supervisor": {"pid": 9_999_999, "created": 1.0},
            "children": [
                {"name": "worker", "pid": survivor.pid, "created": identity(survivor.pid)},
                # Same pid as recorded, but not the process that was started then.
                {"name": "api", "pid": stranger.pid, "created": 1.0},
            ],
        }
        (tmp_path / "stack.pid").write_text(json.dumps(record))
        said = stop_leftovers(tmp_path)
        assert said == [f"stopped worker (pid {survivor.pid}) left by an earlier run"]
        assert survivor.wait(timeout=15) == -signal.SIGKILL
        assert stranger.poll() is None
        assert not (tmp_path / "stack.pid").exists()
    finally:
        for proc in (survivor, stranger):
            proc.kill()
            proc.wait()


def test_a_running_stack_on_the_same_folder_is_not_touched(tmp_path: Path) -> None:
    other = subprocess.Popen(["sleep", "60"])
    try:
        record = {"supervisor": {"pid": other.pid, "created": identity(other.pid)}}
        (tmp_path / "stack.pid").write_text(json.dumps(record))
        with pytest.raises(SystemExit, match=f"another `b2b up` \\(pid {other.pid}\\)"):
            stop_leftovers(tmp_path)
        assert other.poll() is None
    finally:
        other.kill()
        other.wait()


def test_a_postmaster_pid_left_to_another_program_is_cleared(tmp_path: Path) -> None:
    postgres = EmbeddedPostgres(tmp_path / "pgdata", start=False)
    # The pid in the file is alive but is not a postgres: postgres would refuse to start.
    stale = f"{os.getpid()}\n{postgres.data_dir}\n1\n5432\n\n\n0 0\nready\n"
    (postgres.data_dir / "postmaster.pid").write_text(stale)
    assert not gone(os.getpid())
    said = postgres.clear_leftover()
    assert said == f"removed a stale postmaster.pid (pid {os.getpid()} is now another program)"
    postgres.start(tmp_path / "postgres.log")
    try:
        assert postgres.ready() and postgres.pid is not None
        assert postgres.clear_leftover() is not None  # a live server of the folder: stopped
        assert gone(postgres.pid)
    finally:
        postgres.stop()
