"""A wrong setting stops `python -m orchestration.run` before any build, with one message saying what to change."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, SAMPLE_LAKE

from orchestration.preflight import as_of_problem, newest_file_day


def run_c360(tmp_path: Path, module: str = "orchestration.run", *args: str, **settings: str):
    env = {**os.environ, "C360_HOME": str(tmp_path / "home"), "C360_LAKE": str(SAMPLE_LAKE), **settings}
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"C360_LAKE": "/nonexistent/c360-lake"}, "C360_LAKE=/nonexistent/c360-lake does not exist"),
        ({"C360_AS_OF": "2026-13-45"}, "C360_AS_OF='2026-13-45' is not a day; write it as YYYY-MM-DD"),
        ({"C360_AS_OF": "2099-01-01"}, "C360_AS_OF=2099-01-01 is after the lake's newest file"),
        ({"C360_AS_OF": "1980-01-01"}, "C360_AS_OF=1980-01-01 is before 1990-01-01"),
        ({"C360_FRESHNESS_HOURS": "a day"}, "C360_FRESHNESS_HOURS must be a number of hours"),
        ({"C360_CLV_HORIZON_DAYS": "six months"}, "C360_CLV_HORIZON_DAYS='six months' is not a whole number"),
        ({"C360_CHURN_HORIZON_DAYS": "0"}, "C360_CHURN_HORIZON_DAYS=0 must be a positive number of days"),
    ],
)
def test_a_wrong_setting_stops_the_run_before_building(tmp_path: Path, settings: dict, message: str) -> None:
    result = run_c360(tmp_path, **settings)
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if "run stopped before building" in line]
    assert len(lines) == 1 and message in lines[0], result.stdout + result.stderr
    assert not (tmp_path / "home" / "warehouse.duckdb").exists()  # nothing was built


def test_a_lake_without_any_declared_file_stops_the_run(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    (lake / "notes").mkdir(parents=True)
    (lake / "notes" / "readme.txt").write_text("not a lake file\n")
    result = run_c360(tmp_path, C360_LAKE=str(lake))
    assert result.returncode == 1
    assert "holds no file of any declared lake source" in result.stdout, result.stdout + result.stderr


def test_as_of_is_checked_against_the_lakes_newest_file(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    (lake / "crm").mkdir(parents=True)
    (lake / "crm" / "contacts.csv").write_text("contactid\n1\n")
    (lake / "published").mkdir()  # c360's own output is not lake data
    newest = newest_file_day(lake)
    assert newest == date.today() or newest == date.today() - timedelta(days=1)  # UTC against local day
    assert as_of_problem(str(newest + timedelta(days=1)), lake) is None
    assert "after the lake's newest file" in (as_of_problem(str(newest + timedelta(days=2)), lake) or "")
    assert as_of_problem(None, lake) is None


def test_the_ui_does_not_start_on_a_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_c360(tmp_path, "orchestration.ui", "--port", str(port))
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr and "C360_UI_PORT" in result.stderr


def test_help_starts_nothing(tmp_path: Path) -> None:
    for module in ("orchestration.run", "orchestration.ui", "orchestration.mlflow_ui"):
        result = run_c360(tmp_path, module, "--help")
        assert result.returncode == 0 and "usage:" in result.stdout, module
    assert not (tmp_path / "home").exists()
