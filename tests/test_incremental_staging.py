"""File-incremental staging of game telemetry and clickstream. Real dbt on a copy of a small lake.

The base models base_game__telemetry and base_web__clickstream parse only new and changed raw files
(macros/lake/lake_incremental.sql). One module fixture builds staging on a copy of `small_lake` without
its last telemetry day and last clickstream partition, then changes the lake twice and runs dbt
incrementally after each change; after each incremental run, a full build of the same lake into a fresh
home must hold exactly the same rows (base models and quarantine; dbt's tests, reconciliation included,
pass on both).
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from dbt_runs import Build, run_green
from lakes import copy_lake, gz_lines, hold_back_newest, put_back, rewrite_gz_lines

SELECTION = [
    "--select", "+stg_game__game_events", "+stg_web__click_events", "+quarantined_rows",
    "--indirect-selection", "cautious",
]  # fmt: skip
# The staging models stg_game__game_events and stg_web__click_events are views over these base tables
# (they name the catalog "warehouse", so they are not compared across two attached files).
COMPARED = [
    "staging.base_game__telemetry",
    "staging.base_web__clickstream",
    "staging.quarantined_rows",
]


def differences(incremental: Build, full: Build) -> dict[str, tuple[int, int]]:
    """Per compared table: rows only in the incremental build, rows only in the full build (if any)."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{incremental.warehouse}' as incremental (read_only)")
        con.execute(f"attach '{full.warehouse}' as full_build (read_only)")
        found = {}
        for table in COMPARED:
            only_incremental = con.execute(
                f"select count(*) from (select * from incremental.{table} except all select * from full_build.{table})"
            ).fetchone()[0]
            only_full = con.execute(
                f"select count(*) from (select * from full_build.{table} except all select * from incremental.{table})"
            ).fetchone()[0]
            if only_incremental or only_full:
                found[table] = (only_incremental, only_full)
        return found
    finally:
        con.close()


def compiled_base_sql(home: Path, name: str) -> str:
    folder = "game" if "game" in name else "web"
    return (home / "target" / "compiled" / "c360" / "models" / "staging" / folder / "base" / f"{name}.sql").read_text()


@dataclass
class Runs:
    work: Path
    lake: Path
    home: Path
    first: Build
    new_day: Build
    new_day_full: Build
    new_day_sql: dict[str, str]
    new_files: tuple[str, str]
    untouched_files: tuple[str, str]
    changed: Build
    changed_full: Build
    duplicated_id: str
    removed_file: str


@pytest.fixture(scope="module")
def runs(small_lake: Path, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    work = tmp_path_factory.mktemp("incremental_staging")
    lake = copy_lake(small_lake, work)
    home = work / "home"
    telemetry_folder, clickstream_folder = lake / "game" / "telemetry", lake / "web" / "clickstream"
    telemetry, held_telemetry = hold_back_newest(telemetry_folder, "telemetry_*.jsonl.gz", work)
    partitions, held_partition = hold_back_newest(clickstream_folder, "dt=*", work)

    # N-1 days: a first build (no table yet), then the last day arrives and an incremental run adds it.
    first = run_green(lake, home, "build", *SELECTION)
    put_back(held_telemetry, telemetry_folder)
    put_back(held_partition, clickstream_folder)
    new_day = run_green(lake, home, "build", *SELECTION)
    # Keep the warehouse as it is after the new day: the next incremental run changes it.
    shutil.copy(new_day.warehouse, work / "new_day.duckdb")
    new_day = Build(new_day.returncode, new_day.output, work / "new_day.duckdb")
    new_day_sql = {name: compiled_base_sql(home, name) for name in ("base_game__telemetry", "base_web__clickstream")}
    new_day_full = run_green(lake, work / "full_1", "build", *SELECTION, "--full-refresh")

    # An earlier telemetry file changes: one of its events reappears in the next file with events (a later
    # duplicate) and that event's original line moves to the end of its own file; a clickstream partition
    # in the middle disappears. Then an incremental run, and a full build to compare with.
    busy = [path for path in telemetry[:-1] if len(gz_lines(path)) >= 2]
    earlier, later = busy[len(busy) // 2], busy[len(busy) // 2 + 1]
    earlier_lines = gz_lines(earlier)
    moved = earlier_lines[0]
    rewrite_gz_lines(earlier, [*earlier_lines[1:], moved])
    rewrite_gz_lines(later, [moved, *gz_lines(later)])
    removed = partitions[len(partitions) // 2]
    shutil.rmtree(removed)
    changed = run_green(lake, home, "build", *SELECTION)
    changed_full = run_green(lake, work / "full_2", "build", *SELECTION, "--full-refresh")

    return Runs(
        work, lake, home, first, new_day, new_day_full, new_day_sql,
        (telemetry[-1].name, partitions[-1].name), (telemetry[-2].name, partitions[-2].name), changed, changed_full,
        json.loads(moved)["event_id"], str(removed.relative_to(lake)),
    )  # fmt: skip


def test_a_new_day_parses_only_the_new_files(runs: Runs) -> None:
    telemetry_file, click_partition = runs.new_files
    game_sql, web_sql = runs.new_day_sql["base_game__telemetry"], runs.new_day_sql["base_web__clickstream"]
    earlier_telemetry_file, earlier_click_partition = runs.untouched_files
    assert telemetry_file in game_sql and earlier_telemetry_file not in game_sql
    assert click_partition in web_sql and earlier_click_partition not in web_sql


def test_full_build_of_n_minus_one_days_plus_incremental_day_equals_full_build(runs: Runs) -> None:
    assert differences(runs.new_day, runs.new_day_full) == {}
    (count,) = runs.new_day.query("select count(*) from staging.base_game__telemetry")[0]
    assert count > 0


def test_changed_and_removed_files_give_the_full_build_result(runs: Runs) -> None:
    assert differences(runs.changed, runs.changed_full) == {}
    removed = runs.changed.query(
        "select count(*) from staging.base_web__clickstream where source_file like ?", [f"{runs.removed_file}%"]
    )
    assert removed == [(0,)]


def test_a_duplicate_in_a_later_file_is_quarantined_incrementally(runs: Runs) -> None:
    rows = runs.changed.query(
        """
        select source_file, rejection_code
        from staging.base_game__telemetry
        where source_record_id = ?
        order by source_file, line_number
        """,
        [runs.duplicated_id],
    )
    assert len(rows) == 2
    assert rows[0][1] != "duplicate_record"
    assert rows[1][1] == "duplicate_record"


def test_reconciliation_reads_only_files_without_rows_when_staging_is_up_to_date(runs: Runs) -> None:
    staging = runs.home / "target" / "compiled" / "c360" / "models" / "staging"
    compiled = list(staging.rglob("reconciles_with_lake_files*"))
    assert len(compiled) == 2, "both reconciliation tests ran"
    for path in compiled:
        # Files recorded in the base model are counted from their recorded line counts; only files that
        # left no row (empty days) are read again.
        for read in re.findall(r"'(/[^'*]+[.]jsonl[.]gz)'", path.read_text()):
            assert gz_lines(Path(read)) == [], f"{path.name} re-read {read}"
