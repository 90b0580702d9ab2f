"""Checks that take seconds and run before any build: a wrong setting stops the run at once, with one message
saying what to change, instead of after staging and identity have run for twenty minutes.

Checked: C360_AS_OF (a day YYYY-MM-DD inside the lake's plausible dates: not before 1990-01-01, the dbt var
c360_plausible_from's default, and not after the newest lake file's day plus one, as the staging's plausibility
window), C360_FRESHNESS_HOURS, C360_PARTITIONS_START and the horizons C360_CHURN_HORIZON_DAYS /
C360_CLV_HORIZON_DAYS (their formats; any length fits any history, see ml/backtest.py), the lake (C360_LAKE
exists, and at least one declared lake source has a file). Ports of the UIs are checked by the UI entry points
(`port_problem`).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from orchestration.settings import C360Settings, freshness_hours, partitions_start

PLAUSIBLE_FROM = date(1990, 1, 1)  # dbt var c360_plausible_from (dbt_project.yml)


# Folders under the lake root that c360 itself writes (the published serving files, the curated game events).
OUTPUT_FOLDERS = ("published", "curated")


def newest_file_day(lake: Path) -> date | None:
    """The day (UTC) the newest lake file was written, c360's own top-level output folders and hidden files
    aside; None without files."""
    newest: float | None = None
    stack = [(lake, True)]
    while stack:
        folder, top = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or (top and entry.name in OUTPUT_FOLDERS):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append((Path(entry.path), False))
            elif entry.is_file():
                modified = entry.stat().st_mtime
                newest = modified if newest is None or modified > newest else newest
    return None if newest is None else datetime.fromtimestamp(newest, UTC).date()


def as_of_problem(value: str | None, lake: Path) -> str | None:
    """Why C360_AS_OF cannot be used with this lake, or None (unset is fine: the last day in the data)."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return f"C360_AS_OF={value!r} is not a day; write it as YYYY-MM-DD, e.g. C360_AS_OF=2026-10-01"
    if len(value) != len("YYYY-MM-DD"):
        return f"C360_AS_OF={value!r} is not a day; write it as YYYY-MM-DD, e.g. C360_AS_OF=2026-10-01"
    if day < PLAUSIBLE_FROM:
        return f"C360_AS_OF={value} is before {PLAUSIBLE_FROM}, the first plausible day of any lake data"
    newest = newest_file_day(lake)
    if newest is not None and day > newest + timedelta(days=1):
        return (
            f"C360_AS_OF={value} is after the lake's newest file ({newest}): no data can be that recent; "
            f"leave C360_AS_OF unset (the last day in the data) or give a day up to {newest + timedelta(days=1)}"
        )
    return None


def settings_problems(settings: C360Settings) -> list[str]:
    """Every configuration mistake found in seconds (one message each), before any build."""
    problems = []
    if not settings.lake.is_dir():
        hint = " (a file, not a folder)" if settings.lake.exists() else ""
        problems.append(
            f"C360_LAKE={settings.lake} does not exist{hint}; set C360_LAKE to the lake folder that holds the "
            "source folders (crm/, shop/, ... or your own)"
        )
    else:
        as_of = as_of_problem(settings.as_of, settings.lake)
        if as_of:
            problems.append(as_of)
    for check in (freshness_hours, partitions_start):
        try:
            check()
        except ValueError as error:
            problems.append(str(error))
    problems += horizon_problems()
    return problems


def horizon_problems() -> list[str]:
    """C360_CHURN_HORIZON_DAYS / C360_CLV_HORIZON_DAYS that are not whole numbers of days. Any length fits any
    history: where no labelled window of the horizon fits, BG/NBD + Gamma-Gamma scores (ml/backtest.py)."""
    from ml.data import horizon_days

    problems = []
    for kind in ("churn", "clv"):
        try:
            horizon_days(kind)
        except ValueError as error:
            problems.append(str(error))
    return problems


def lake_problem(lake: Path, files_per_source: Iterable[int]) -> str | None:
    """None when at least one declared lake source has a file, else what to do."""
    if lake.is_dir() and not any(count > 0 for count in files_per_source):
        return (
            f"the lake {lake} holds no file of any declared lake source; check C360_LAKE, or declare your files "
            "(README: Bring your own data; `make check-lake` lists what each source expects)"
        )
    return None


def port_problem(host: str, port: int, setting: str) -> str | None:
    """None when `host:port` can be listened on, else which setting to change."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do: TIME_WAIT is no hindrance
        try:
            probe.bind((host, port))
        except OSError as error:
            return f"port {port} on {host} is in use ({error.strerror}); stop what uses it or set {setting}"
    return None


def main(argv: list[str] | None = None) -> int:
    """`python -m orchestration.preflight [--port N]`: the checks above, e.g. before `make docs` builds anything."""
    import argparse
    import sys

    from orchestration.settings import load_settings

    parser = argparse.ArgumentParser(prog="python -m orchestration.preflight", description=__doc__)
    parser.add_argument("--port", type=int, help="also check that this port on 127.0.0.1 is free")
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    problems = settings_problems(load_settings())
    if args.port is not None:
        busy = port_problem(args.host, args.port, f"--port of the command that listens on {args.port}")
        problems += [busy] if busy else []
    for problem in problems:
        print(f"c360: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
