"""One c360 run at a time per C360_HOME, and recovery from runs a killed process left behind.

- ``run_lock(home)``: an exclusive lock on ``<home>/run.lock`` (``fcntl.flock``), held for the whole run: the
  DuckDB warehouse admits one writer, and a fresh Dagster instance must be initialised by one process. A second
  ``make run`` waits with a message naming the holder (or, with ``wait=False``, stops with that message). The
  kernel releases the lock when its holder dies, even by SIGKILL, so a killed run never blocks the next one.
- ``fail_dead_runs(instance)``: the Dagster runs that ``orchestration.run`` started (tagged with its process id)
  and that are still STARTING or STARTED although that process is gone are reported failed. Otherwise they
  would stay "in progress" forever, and the lake sensor, which waits while a run is in progress, would never
  launch again. Called at the start of every run and on every lake sensor tick.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import dagster as dg

LOCK_FILE = "run.lock"
PID_TAG = "c360/pid"
HOST_TAG = "c360/host"
_UNFINISHED = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]


class RunLocked(RuntimeError):
    """Another c360 run holds the home's run lock (raised only when asked not to wait)."""


def _holder(path: Path) -> str:
    """Who holds the lock, as its holder wrote it: 'pid N, since T'."""
    try:
        found = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        found = {}
    if not found:
        return "a c360 run"
    return f"pid {found.get('pid')} on {found.get('host')}, since {found.get('started_at')}"


@contextmanager
def run_lock(home: Path, *, wait: bool = True, out: TextIO | None = None) -> Iterator[Path]:
    """Hold ``<home>/run.lock`` for the duration of the block; wait for (or refuse) another holder."""
    out = out or sys.stderr
    home.mkdir(parents=True, exist_ok=True)
    path = home / LOCK_FILE
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(path)
            if not wait:
                raise RunLocked(
                    f"another c360 run ({holder}) is using {home}: wait for it to finish, stop it, or use another "
                    "C360_HOME"
                ) from None
            print(f"c360: another run ({holder}) is using {home}; waiting for it to finish", file=out, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        started = datetime.now(UTC).isoformat(timespec="seconds")
        handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started_at": started}))
        handle.flush()
        try:
            yield path
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_tags() -> dict[str, str]:
    """Tags that let a later process tell whether this process, which runs the job, is still alive."""
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def fail_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Report failed every unfinished run whose (tagged) process on this host is gone; returns their ids."""
    failed = []
    host = socket.gethostname()
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=_UNFINISHED)):
        pid = run.tags.get(PID_TAG)
        if pid is None or run.tags.get(HOST_TAG) != host or not pid.isdigit() or _is_alive(int(pid)):
            continue
        instance.report_run_failed(
            run, message=f"c360: the process that ran this run (pid {pid}) is gone; marked failed so runs resume"
        )
        failed.append(run.run_id)
    return failed


def cancel_own_runs(instance: dg.DagsterInstance, reason: str) -> list[str]:
    """Report canceled every run this process started that has not finished or that an interrupt failed."""
    canceled = []
    own = dg.RunsFilter(tags={PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()})
    for run in instance.get_runs(filters=own):
        if run.status in _UNFINISHED or run.status == dg.DagsterRunStatus.FAILURE:
            instance.report_run_canceled(run, message=f"c360: {reason}")
            canceled.append(run.run_id)
    return canceled


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children first found, then theirs), from `pgrep -P` (Linux and macOS)."""
    found: list[int] = []
    parents = [pid]
    while parents:
        parent = parents.pop()
        try:
            listed = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        children = [int(child) for child in listed.split() if child.isdigit()]
        found += children
        parents += children
    return found


# Helpers Python's multiprocessing starts for this process (joblib's too): they end with it, and stopping them
# first makes it print a warning and start them again.
_HELPERS = (b"multiprocessing.resource_tracker", b"multiprocessing.forkserver", b"loky.backend")


def _is_helper(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return any(helper in cmdline.read() for helper in _HELPERS)
    except OSError:
        return False


def stop_descendants(grace_seconds: float = 10.0) -> list[int]:
    """SIGTERM every process this one started (dbt and what it started), SIGKILL those left after the grace."""
    processes = [pid for pid in descendants(os.getpid()) if not _is_helper(pid)]
    for pid in processes:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline and any(_is_alive(pid) and not _is_zombie(pid) for pid in processes):
        time.sleep(0.1)
    for pid in processes:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return processes


def _is_zombie(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reap our own child if it has ended
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return not _is_alive(pid)
