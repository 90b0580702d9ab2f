"""Run dbt for real in dbt_project/ against a lake, with its own C360 home, target and log folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


@dataclass
class Build:
    returncode: int
    output: str
    warehouse: Path

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.warehouse), read_only=True)

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        con = self.connect()
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()


def _dbt_executable() -> str:
    beside_python = Path(sys.executable).parent / "dbt"
    return str(beside_python) if beside_python.exists() else (shutil.which("dbt") or "dbt")


# The identity key (dbt_project/macros/identity/customer_id_key.sql) of test homes whose customer ids are compared
# with another home's: warehouses keyed alike give the same ids for the same people.
SHARED_IDENTITY_KEY = "0123456789abcdef" * 4


def share_identity_key(home: Path) -> Path:
    """Give `home` the shared test identity key (before its first build); returns `home`."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "identity.key").write_text(SHARED_IDENTITY_KEY + "\n")
    return home


def run_dbt(lake: Path, home: Path, *args: str, project_dir: Path | None = None) -> Build:
    """Run dbt for real in dbt_project/ (or `project_dir`, e.g. a copy), with its own home, target and log folders."""
    project_dir = DBT_PROJECT_DIR if project_dir is None else Path(project_dir)
    home.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "C360_LAKE": str(lake),
        "C360_HOME": str(home),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        "DBT_VERSION_CHECK": "false",
    }
    command = [
        _dbt_executable(), *args,
        "--profiles-dir", str(project_dir),
        "--project-dir", str(project_dir),
        "--target-path", str(home / "target"),
        "--log-path", str(home / "logs"),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=project_dir, env=env, capture_output=True, text=True, timeout=900)
    return Build(done.returncode, done.stdout + done.stderr, home / "warehouse.duckdb")


def assert_green(build: Build) -> None:
    assert build.returncode == 0, build.output[-6000:]


def run_green(lake: Path, home: Path, *args: str, project_dir: Path | None = None) -> Build:
    """run_dbt, failing the test with dbt's output unless dbt succeeded."""
    build = run_dbt(lake, home, *args, project_dir=project_dir)
    assert_green(build)
    return build
