"""Game telemetry: curated Parquet days, incremental by day, geo enrichment. Real dbt on a copy of a small lake.

One module fixture builds a copy of `small_lake` without its last telemetry day, then runs dbt three more
times (nothing changed; a one-day window; the last day added and another day's file changed) and keeps a
snapshot of the curated files after each run; the tests check the snapshots.
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from dbt_runs import Build, run_green
from lakes import copy_lake, gz_lines, hold_back_newest, put_back, rewrite_gz_lines

GAME_SELECTION = [
    "raw_game__telemetry", "base_game__telemetry", "stg_game__game_events",
    "path:models/intermediate/game", "path:models/marts/game",
]  # fmt: skip
UNLISTED_IP = "45.1.2.3"  # 45.0.0.0/8 is deliberately absent from the generator's GeoIP table


@dataclass(frozen=True)
class DayFile:
    mtime_ns: int
    inode: int
    event_ids: tuple[str, ...]


def snapshot(curated: Path) -> dict[str, DayFile]:
    """Every day file under the curated root: 'YYYY-MM-DD' -> mtime, inode and event ids."""
    days = {}
    con = duckdb.connect()
    try:
        for path in sorted(curated.glob("year=*/month=*/day=*/events.parquet")):
            day = "-".join(part.split("=")[1] for part in path.relative_to(curated).parts[:3])
            ids = con.execute("select event_id from read_parquet(?) order by event_id", [str(path)]).fetchall()
            stat = path.stat()
            days[day] = DayFile(stat.st_mtime_ns, stat.st_ino, tuple(row[0] for row in ids))
    finally:
        con.close()
    return days


def staged_ids_by_day(build: Build) -> dict[str, tuple[str, ...]]:
    rows = build.query("select cast(event_date as varchar), event_id from staging.stg_game__game_events")
    days: dict[str, list[str]] = {}
    for day, event_id in rows:
        days.setdefault(day, []).append(event_id)
    return {day: tuple(sorted(ids)) for day, ids in days.items()}


def rewrite_day_file(path: Path) -> tuple[list[str], str]:
    """Drop the first two events of a daily dump and move the third to an unlisted IP; returns both."""
    lines = gz_lines(path)
    records = [json.loads(line) for line in lines[:3]]
    records[2]["client_ip"] = UNLISTED_IP
    rewrite_gz_lines(path, [json.dumps(records[2]), *lines[3:]])
    return [records[0]["event_id"], records[1]["event_id"]], records[2]["event_id"]


@dataclass
class Runs:
    lake: Path
    curated: Path
    first: Build
    first_files: dict[str, DayFile]
    first_staged: dict[str, tuple[str, ...]]
    unchanged: Build
    unchanged_files: dict[str, DayFile]
    window_day: str
    window: Build
    window_files: dict[str, DayFile]
    new_day: str
    changed_day: str
    dropped_ids: list[str]
    moved_id: str
    last: Build
    last_files: dict[str, DayFile]
    last_staged: dict[str, tuple[str, ...]]


def day_of(file_name: str) -> str:
    stamp = file_name.removeprefix("telemetry_").split(".")[0]
    return f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:]}"


@pytest.fixture(scope="module")
def runs(small_lake: Path, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    work = tmp_path_factory.mktemp("game_telemetry")
    lake = copy_lake(small_lake, work)
    home = work / "home"
    telemetry = lake / "game" / "telemetry"
    day_files, held_back = hold_back_newest(telemetry, "telemetry_*.jsonl.gz", work)
    curated = lake / "curated" / "game_events"

    first = run_green(lake, home, "build", "--select", "+path:models/marts/game", "--indirect-selection", "cautious")
    first_files, first_staged = snapshot(curated), staged_ids_by_day(first)

    unchanged = run_green(lake, home, "run", "--select", *GAME_SELECTION)
    unchanged_files = snapshot(curated)

    window_day = sorted(first_files)[len(first_files) // 3]
    window = run_green(
        lake, home, "run", "--select", *GAME_SELECTION, "--vars", f"{{c360_game_start_day: '{window_day}'}}"
    )
    window_files = snapshot(curated)

    put_back(held_back, telemetry)
    busy = [path for path in day_files[:-1] if len(gz_lines(path)) >= 6]
    changed_file = busy[len(busy) // 2]
    dropped_ids, moved_id = rewrite_day_file(changed_file)
    last = run_green(lake, home, "build", "--select", *GAME_SELECTION, "--indirect-selection", "cautious")
    return Runs(
        lake, curated, first, first_files, first_staged, unchanged, unchanged_files, window_day, window,
        window_files, day_of(held_back.name), day_of(changed_file.name), dropped_ids, moved_id, last,
        snapshot(curated), staged_ids_by_day(last),
    )  # fmt: skip


def test_curated_days_hold_exactly_the_staged_events(runs: Runs) -> None:
    assert runs.first_files, "no curated day files were written"
    assert {day: files.event_ids for day, files in runs.first_files.items()} == runs.first_staged
    assert not list(runs.curated.rglob("*.tmp")), "a temporary file was left behind"
    located = runs.first.query("select count(*), count(distinct event_id) from intermediate.int_game_events_geolocated")
    # the warehouse holds the state after the last run by now
    assert located[0][0] == located[0][1] == sum(len(ids) for ids in runs.last_staged.values())


def test_rerun_without_changes_writes_nothing(runs: Runs) -> None:
    assert runs.unchanged_files == runs.first_files  # same mtimes, inodes and events
    assert "wrote 0 curated day file(s)" in runs.unchanged.output


def test_day_window_rewrites_that_day_only(runs: Runs) -> None:
    touched = {day for day in runs.window_files if runs.window_files[day] != runs.unchanged_files.get(day)}
    rewritten = {day for day in runs.window_files if runs.window_files[day].inode != runs.unchanged_files[day].inode}
    assert rewritten == {runs.window_day}
    assert touched == {runs.window_day}
    assert runs.window_files[runs.window_day].event_ids == runs.unchanged_files[runs.window_day].event_ids


def test_new_and_changed_day_files_rebuild_those_days_only(runs: Runs) -> None:
    before, after = runs.window_files, runs.last_files
    touched = {day for day in after if after[day] != before.get(day)}
    assert touched == {runs.new_day, runs.changed_day}
    assert runs.new_day not in before
    # the changed day is replaced exactly: its file holds what staging holds now, nothing else
    assert after[runs.changed_day].event_ids == runs.last_staged[runs.changed_day]
    assert not set(runs.dropped_ids) & set(after[runs.changed_day].event_ids)
    assert after[runs.new_day].event_ids == runs.last_staged[runs.new_day]
    assert {day: files.event_ids for day, files in after.items()} == runs.last_staged
    assert runs.last.query(
        "select count(*) - count(distinct event_id) from intermediate.int_game_events_geolocated"
    ) == [(0,)]


def test_unresolved_ips_are_kept_as_unknown(runs: Runs) -> None:
    rows = runs.last.query(
        "select ip_address, geo_resolution, country_iso_code, country_name, city_name "
        "from marts.game_events where event_id = ?",
        [runs.moved_id],
    )
    assert rows == [(UNLISTED_IP, "unknown_network", "ZZ", "Unknown", None)]
    staged, unknown = runs.last.query("""
        select
            (select count(*) from staging.stg_game__game_events),
            (select count(*) from marts.game_events where geo_resolution <> 'resolved')
    """)[0]
    assert unknown >= 1 and staged == runs.last.query("select count(*) from marts.game_events")[0][0]


def test_geo_enrichment_matches_brute_force_on_a_sample(runs: Runs) -> None:
    """Every 7th event, located by Python's ipaddress against every network of the GeoIP CSV files."""
    geoip = runs.lake / "reference" / "geoip"
    con = duckdb.connect()
    try:
        networks = con.execute(
            "select network, geoname_id, registered_country_geoname_id "
            f"from read_csv('{geoip / 'GeoLite2-City-Blocks-IPv4.csv'}', all_varchar = true)"
        ).fetchall()
        countries = dict(
            con.execute(
                "select geoname_id, country_iso_code "
                f"from read_csv('{geoip / 'GeoLite2-City-Locations-en.csv'}', all_varchar = true)"
            ).fetchall()
        )
    finally:
        con.close()
    parsed = [(ipaddress.ip_network(cidr, strict=False), geo or reg) for cidr, geo, reg in networks]
    sample = runs.last.query("""
        select event_id, ip_address, network, country_iso_code
        from intermediate.int_game_events_geolocated
        where ip_address is not null
        qualify row_number() over (order by event_id) % 7 = 0
    """)
    assert len(sample) > 100
    for event_id, ip, network, country in sample:
        address = ipaddress.ip_address(ip)
        matches = [(str(net), countries.get(geoname)) for net, geoname in parsed if address in net]
        assert len(matches) <= 1, f"{ip} lies in several networks: {matches}"
        expected = matches[0] if matches else (None, "ZZ")
        assert (network, country) == expected, f"event {event_id} ({ip})"
