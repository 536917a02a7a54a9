"""Child processes that die with their parent, and stopping a process within a bound."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence

import psutil

_PR_SET_PDEATHSIG = 1
# Loaded before any fork: a preexec function must not import or allocate much.
_libc = ctypes.CDLL(ctypes.util.find_library("c")) if sys.platform == "linux" else None


def die_with_parent(sig: int = signal.SIGTERM) -> Callable[[], None] | None:
    """A `preexec_fn` that has the kernel send `sig` to the child when its parent dies.

    It runs after the switch to another user (which would clear the setting) and before
    exec, so it holds for any program, Python or not. The parent must spawn from a thread
    that lives as long as it does: the kernel watches the forking thread, not the process.
    """
    if _libc is None:
        return None
    parent = os.getpid()
    prctl = _libc.prctl

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, sig)
        if os.getppid() != parent:  # the parent died before the setting took effect
            os._exit(1)

    return preexec


def identity(pid: int) -> float | None:
    """The start time of a running process, to recognise it later despite pid reuse."""
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def same_process(pid: int, created: float) -> psutil.Process | None:
    """The process `pid` if it is still the one that started at `created`."""
    try:
        proc = psutil.Process(pid)
        if abs(proc.create_time() - created) < 0.01 and proc.status() != psutil.STATUS_ZOMBIE:
            return proc
    except psutil.Error:
        pass
    return None


def stop_processes(
    procs: Sequence[tuple[psutil.Process, Sequence[int]]], timeout: float = 8.0
) -> list[psutil.Process]:
    """Stop processes at once, each with its signals in turn (e.g. SIGTERM, then SIGKILL):
    the next one when it is still alive after an equal share of `timeout`. Returns the ones
    that survived everything."""
    began = time.monotonic()
    pending = [(proc, list(signals), 0) for proc, signals in procs if signals]
    while pending and time.monotonic() - began < timeout + 1:
        left = []
        for proc, signals, sent in pending:
            if sent and not _running(proc):
                continue
            due = int((time.monotonic() - began) / (timeout / len(signals))) + 1
            if sent < min(due, len(signals)):
                _send(proc, signals[sent])
                sent += 1
            left.append((proc, signals, sent))
        pending = left
        time.sleep(0.05)
    return [proc for proc, _signals, _sent in pending if _running(proc)]


def _send(proc: psutil.Process, sig: int) -> None:
    try:
        proc.send_signal(sig)
    except psutil.Error:
        pass


def _running(proc: psutil.Process) -> bool:
    try:
        if isinstance(proc, psutil.Popen):
            proc.poll()
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False
