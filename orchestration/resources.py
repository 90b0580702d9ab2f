"""Dagster resources: c360 settings resolved at run time, and the dbt CLI."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.settings import DBT_PROJECT_DIR, C360Settings, apply_settings, load_settings


class C360Resource(dg.ConfigurableResource):
    """c360 configuration. Empty fields fall back to the environment (C360_LAKE, C360_HOME, C360_AS_OF,
    C360_PUBLISHED), which is read when a run starts, not when the code location is imported."""

    lake: str = ""
    home: str = ""
    as_of: str = ""
    published: str = ""

    def settings(self) -> C360Settings:
        base = load_settings()
        overrides = {
            "C360_LAKE": self.lake or str(base.lake),
            "C360_HOME": self.home or str(base.home),
            "C360_AS_OF": self.as_of or (base.as_of or ""),
            "C360_PUBLISHED": self.published or (str(base.published) if base.published else ""),
        }
        return load_settings(overrides)

    def apply(self) -> C360Settings:
        """Export the resolved settings to this process so dbt children inherit them."""
        return apply_settings(self.settings())


def dbt_executable() -> str:
    """The dbt installed beside this Python (the venv need not be activated), else dbt on PATH."""
    beside_python = Path(sys.executable).parent / "dbt"
    return str(beside_python) if beside_python.exists() else (shutil.which("dbt") or "dbt")


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=str(DBT_PROJECT_DIR), profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable()
    )
