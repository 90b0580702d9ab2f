"""A user's dbt project for benchmarks on outside data: a copy of dbt_project/ with their lake mappings declared.

What a user does with their own order log or CRM export: declare each source table's mapping (``config.meta.lake``)
in ``models/staging/<system>/_<system>__sources.yml`` and generate its models (``make sources``). Here that happens
in a copy, so the repository's project stays as it is; :func:`run_dbt` then runs dbt in the copy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import yaml

from orchestration.lake_mappings import generate
from orchestration.resources import dbt_executable
from orchestration.settings import DBT_PROJECT_DIR, TELEMETRY_OFF

RUN_OUTPUTS = {"target", "logs", "dbt_packages"}  # folders of a dbt project that a run writes, not part of it
Mappings = dict[str, dict[str, dict[str, Any]]]  # system -> table -> config.meta.lake


def copy_dbt_project(destination: Path) -> Path:
    """A copy of the repository's dbt project without its run outputs (target, logs, dbt_packages)."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        return RUN_OUTPUTS & set(names) if Path(folder) == DBT_PROJECT_DIR else set()

    shutil.copytree(DBT_PROJECT_DIR, destination, ignore=ignore)
    return destination


def write_sources(project: Path, system: str, tables: dict[str, dict[str, Any]]) -> Path:
    """models/staging/<system>/_<system>__sources.yml declaring `tables` (name -> config.meta.lake)."""
    folder = project / "models" / "staging" / system
    folder.mkdir(parents=True, exist_ok=True)
    document = {
        "version": 2,
        "sources": [
            {
                "name": system,
                "description": f"Brought by a user: {system}.",
                "tables": [{"name": name, "config": {"meta": {"lake": lake}}} for name, lake in tables.items()],
            }
        ],
    }
    path = folder / f"_{system}__sources.yml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def mapped_project(destination: Path, mappings: Mappings) -> Path:
    """Copy dbt_project/ to ``destination`` (replacing it), declare ``mappings`` as each system's sources YAML in
    the copy and generate their staging models there."""
    destination = Path(destination)
    if destination.exists():
        shutil.rmtree(destination)
    project = copy_dbt_project(destination)
    for system, tables in mappings.items():
        write_sources(project, system, tables)
    generate(project)
    return project


def dbt_command(project: Path, lake: Path, home: Path, *args: str) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of ``dbt <args>`` in ``project`` on ``lake`` into ``home`` (C360_LAKE /
    C360_HOME, absolute; target and logs under ``home``), to run with ``cwd=project``."""
    project, home = Path(project).resolve(), Path(home).resolve()
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "C360_LAKE": str(Path(lake).resolve()), "C360_HOME": str(home), **TELEMETRY_OFF}
    command = [
        dbt_executable(), *args,
        "--project-dir", str(project), "--profiles-dir", str(project),
        "--target-path", str(home / "target"), "--log-path", str(home / "logs"),
    ]  # fmt: skip
    return command, env


def run_dbt(project: Path, lake: Path, home: Path, *args: str) -> float:
    """``dbt <args>`` in ``project`` on ``lake`` into ``home`` (:func:`dbt_command`); returns seconds.

    Raises RuntimeError with the end of dbt's output when dbt fails.
    """
    command, env = dbt_command(project, lake, home, *args)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=Path(project).resolve(), env=env, capture_output=True, text=True)
    if done.returncode != 0:
        output = (done.stdout + done.stderr)[-4000:]
        raise RuntimeError(f"dbt {' '.join(args)} in {project} on {lake} failed:\n{output}")
    return time.perf_counter() - started
