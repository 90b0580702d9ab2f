"""The one place on the Python side that reads c360's configuration from the environment.

Environment variables (documented in the README):

- ``C360_LAKE``: raw lake root (default ``seeds_data/lake``; relative paths are taken from the project root).
- ``C360_HOME``: warehouse file, MLflow store and Dagster home (default ``.c360`` in the project root).
- ``C360_AS_OF``: point in time for features and scores (default: the last day in the data).
- ``C360_PUBLISHED``: where the BI serving layer publishes Parquet (default ``<C360_LAKE>/published``, or
  ``<C360_HOME>/published`` for the committed sample lake, which stays as generated).
- ``C360_FRESHNESS_HOURS``: how old the lake sources and the BI-facing marts may get before their freshness
  checks fail (default 26: daily data plus two hours of slack).
- ``C360_PARTITIONS_START``: first day of the daily partitions of game telemetry and clicks (default
  2025-06-01, the sample's first day; the first partition also holds any earlier event day).

Paths handed to dbt and DuckDB are made absolute, because DuckDB views keep paths as written.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

# Variables that switch off usage reporting; nothing may reach the internet at run time.
TELEMETRY_OFF = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DO_NOT_TRACK": "1",
    "DBT_VERSION_CHECK": "false",
    # MLflow 3 honours DO_NOT_TRACK only when it is "true"; this one it always reads.
    "MLFLOW_DISABLE_TELEMETRY": "true",
}

_DAGSTER_YAML = """\
# Written by c360 (orchestration/settings.py). Telemetry off: nothing leaves this machine.
telemetry:
  enabled: false
"""


def _absolute(value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (PROJECT_ROOT / path).resolve()


@dataclass(frozen=True)
class C360Settings:
    lake: Path
    home: Path
    as_of: str | None
    published: Path | None = None  # C360_PUBLISHED; None: the default of `published_path`

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def published_path(self) -> Path:
        """Published area of the BI serving layer: one Parquet file per serving model.

        C360_PUBLISHED when set, else `<lake>/published`; the committed sample lake (recognised by the
        generator beside it, as for the curated game events) is never written to, so for it `<home>/published`.
        """
        if self.published is not None:
            return self.published
        if self.is_sample_lake:
            return self.home / "published"
        return self.lake / "published"

    @property
    def is_sample_lake(self) -> bool:
        """Whether the lake is the committed sample (recognised by the generator beside it): a snapshot whose file
        times are those of the checkout, not of the data."""
        return (self.lake.parent / "generate.py").exists()

    @property
    def serving_path(self) -> Path:
        """The serving database BI tools open read-only: views over the published Parquet."""
        return self.home / "serving.duckdb"

    def env(self) -> dict[str, str]:
        """Environment for dbt and Dagster child processes."""
        env = {
            "C360_LAKE": str(self.lake),
            "C360_HOME": str(self.home),
            "DAGSTER_HOME": str(self.dagster_home),
            **TELEMETRY_OFF,
        }
        if self.as_of:
            env["C360_AS_OF"] = self.as_of
        if self.published is not None:
            env["C360_PUBLISHED"] = str(self.published)
        return env


def load_settings(environ: dict[str, str] | None = None) -> C360Settings:
    environ = dict(os.environ if environ is None else environ)
    return C360Settings(
        lake=_absolute(environ.get("C360_LAKE") or "seeds_data/lake"),
        home=_absolute(environ.get("C360_HOME") or ".c360"),
        as_of=environ.get("C360_AS_OF") or None,
        published=_absolute(environ["C360_PUBLISHED"]) if environ.get("C360_PUBLISHED") else None,
    )


def apply_settings(settings: C360Settings | None = None) -> C360Settings:
    """Resolve settings, export them (absolute) to this process, and prepare C360_HOME.

    Called by every Python entry point before dbt or Dagster starts, so a child process (dbt, the
    Dagster webserver) sees absolute paths and telemetry switched off.
    """
    settings = settings or load_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    dagster_yaml = settings.dagster_home / "dagster.yaml"
    if not dagster_yaml.exists() or dagster_yaml.read_text() != _DAGSTER_YAML:
        dagster_yaml.write_text(_DAGSTER_YAML)
    os.environ.update(settings.env())
    # dbt and dagster live beside this Python; children (dbt parse, dagster dev) find them without an
    # activated virtual environment.
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])
    return settings


DEFAULT_FRESHNESS_HOURS = 26.0


def freshness_hours(environ: dict[str, str] | None = None) -> float:
    """Hours a lake source or a BI-facing mart may go without an update (``C360_FRESHNESS_HOURS``)."""
    value = (os.environ if environ is None else environ).get("C360_FRESHNESS_HOURS") or str(DEFAULT_FRESHNESS_HOURS)
    try:
        hours = float(value)
    except ValueError as error:
        raise ValueError(f"C360_FRESHNESS_HOURS must be a number of hours such as 26, not {value!r}") from error
    if hours <= 0:
        raise ValueError(f"C360_FRESHNESS_HOURS must be positive, not {value!r}")
    return hours


DEFAULT_PARTITIONS_START = "2025-06-01"


def partitions_start(environ: dict[str, str] | None = None) -> str:
    """First day ('YYYY-MM-DD') of the daily partitions of game telemetry and clicks (``C360_PARTITIONS_START``)."""
    value = (os.environ if environ is None else environ).get("C360_PARTITIONS_START") or DEFAULT_PARTITIONS_START
    try:
        date.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"C360_PARTITIONS_START must be a day YYYY-MM-DD such as 2025-06-01, not {value!r}") from error
    if len(value) != len("YYYY-MM-DD"):
        raise ValueError(f"C360_PARTITIONS_START must be a day YYYY-MM-DD such as 2025-06-01, not {value!r}")
    return value
