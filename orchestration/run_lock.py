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

import fcntl
import json
import os
import socket
import sys
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
