"""The lake file sensor and the freshness checks: real sensor evaluations and check runs on a copied lake."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from orchestration.resources import C360Resource
from orchestration.run_lock import PID_TAG, run_tags
from orchestration.settings import PROJECT_ROOT, freshness_hours

SAMPLE_LAKE = PROJECT_ROOT / "seeds_data" / "lake"
DAY_S = 24 * 3600


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from orchestration.definitions import defs

    return defs


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    """A small copy of the sample lake: CRM, the game accounts and three telemetry days, the products."""
    if not (SAMPLE_LAKE / "crm" / "contacts.csv").exists():
        pytest.skip(f"the committed sample lake is absent ({SAMPLE_LAKE}); run `make lake` to write it")
    lake = tmp_path / "lake"
    shutil.copytree(SAMPLE_LAKE / "crm", lake / "crm")
    (lake / "game" / "telemetry").mkdir(parents=True)
    shutil.copy2(SAMPLE_LAKE / "game" / "players.csv", lake / "game" / "players.csv")
    for path in sorted((SAMPLE_LAKE / "game" / "telemetry").glob("telemetry_*.jsonl.gz"))[:3]:
        shutil.copy2(path, lake / "game" / "telemetry" / path.name)
    (lake / "reference").mkdir()
    shutil.copy2(SAMPLE_LAKE / "reference" / "products.csv", lake / "reference" / "products.csv")
    return lake


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as instance:
        yield instance


def evaluate(
    defs: dg.Definitions, instance: dg.DagsterInstance, lake: Path, cursor: str | None
) -> dg.SensorResult | dg.SkipReason:
    sensor = defs.resolve_sensor_def("c360_lake_files")
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, definitions=defs, resources={"c360": C360Resource(lake=str(lake))}
    )
    result = sensor(context)
    assert isinstance(result, dg.SensorResult | dg.SkipReason)
    return result


def run_keys(result: dg.SensorResult | dg.SkipReason) -> list[dg.AssetKey]:
    assert isinstance(result, dg.SensorResult)
    assert len(result.run_requests or []) == 1
    return list(result.run_requests[0].asset_selection or [])


def test_lake_sensor_records_first_then_runs_what_a_changed_folder_feeds(
    defs: dg.Definitions, instance: dg.DagsterInstance, lake: Path
) -> None:
    sensor = defs.resolve_sensor_def("c360_lake_files")
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
    assert sensor.job_name == "c360_build_all"

    # first evaluation: the state is recorded and every lake source observed, no run
    first = evaluate(defs, instance, lake, None)
    assert isinstance(first, dg.SensorResult)
    assert not first.run_requests
    assert first.cursor and len(first.cursor) < 4000
    observed = {event.asset_key for event in first.asset_events}
    assert dg.AssetKey(["lake", "game", "players"]) in observed
    assert dg.AssetKey(["lake", "crm", "contacts"]) in observed
    cursor = first.cursor

    # nothing changed: no run
    assert isinstance(evaluate(defs, instance, lake, cursor), dg.SkipReason)

    # files c360 writes into the lake itself (serving layer, curated game data) are not lake input
    (lake / "published").mkdir()
    (lake / "published" / "customers.csv").write_text("customer_id\n1\n")
    (lake / "curated" / "game_events").mkdir(parents=True)
    (lake / "curated" / "game_events" / "events.parquet").write_bytes(b"PAR1")
    assert isinstance(evaluate(defs, instance, lake, cursor), dg.SkipReason)

    # a new telemetry day under game/: one run of what game telemetry feeds, nothing of the CRM
    new_day = lake / "game" / "telemetry" / "telemetry_20991231.jsonl.gz"
    shutil.copy2(next((lake / "game" / "telemetry").glob("telemetry_*.jsonl.gz")), new_day)
    os.utime(new_day)
    changed = evaluate(defs, instance, lake, cursor)
    selection = run_keys(changed)
    assert dg.AssetKey(["staging", "raw_game__telemetry"]) in selection
    assert dg.AssetKey(["staging", "stg_game__game_events"]) in selection
    assert dg.AssetKey(["marts", "game_daily_active_players"]) in selection
    assert dg.AssetKey(["staging", "raw_game__players"]) not in selection  # players.csv did not change
    assert not [key for key in selection if "crm" in key.path[-1]], selection
    assert not [key for key in selection if key.path[0] == "lake"]  # sources are external, never run
    # new data re-scores every customer with the champions; retraining is the retraining sensors' job
    assert dg.AssetKey(["ml", "churn_scores"]) in selection
    assert dg.AssetKey(["published", "bi_player_activity"]) in selection
    assert not [key for key in selection if key.path[0] == "mlflow"], selection
    # the publish writes every BI view at once, so the run holds all of them; the daemon can build the run
    assert dg.AssetKey(["published", "bi_sales_orders"]) in selection
    job = defs.resolve_job_def("c360_build_all").get_subset(asset_selection=set(selection))
    assert set(job.asset_layer.executable_asset_keys) >= set(selection)
    assert isinstance(changed, dg.SensorResult)
    assert [event.asset_key for event in changed.asset_events] == [dg.AssetKey(["lake", "game", "telemetry"])]
    request = changed.run_requests[0]
    assert request.run_key and request.run_key.startswith("lake-")
    assert request.tags["c360/lake_changes"] == "game/telemetry"
    cursor = changed.cursor

    # a touched file is a change too; an unchanged lake after it asks for nothing
    players = lake / "game" / "players.csv"
    os.utime(players, ns=(time.time_ns(), players.stat().st_mtime_ns + 1_000_000_000))
    touched = evaluate(defs, instance, lake, cursor)
    selection = run_keys(touched)
    assert dg.AssetKey(["staging", "stg_game__contacts"]) in selection
    assert not [key for key in selection if "crm" in key.path[-1]], selection
    assert isinstance(touched, dg.SensorResult)
    assert isinstance(evaluate(defs, instance, lake, touched.cursor), dg.SkipReason)


def test_lake_sensor_waits_while_a_run_is_in_progress(
    defs: dg.Definitions, instance: dg.DagsterInstance, lake: Path
) -> None:
    first = evaluate(defs, instance, lake, None)
    assert isinstance(first, dg.SensorResult)
    (lake / "crm" / "contacts.csv").write_text((lake / "crm" / "contacts.csv").read_text() + "\n")
    instance.add_run(dg.DagsterRun(job_name="c360_build_all", run_id="busy-run", status=dg.DagsterRunStatus.STARTED))
    waiting = evaluate(defs, instance, lake, first.cursor)
    assert isinstance(waiting, dg.SkipReason)
    assert "busy-run" in (waiting.skip_message or "")


def test_a_run_whose_process_was_killed_does_not_block_the_lake_sensor(
    defs: dg.Definitions, instance: dg.DagsterInstance, lake: Path
) -> None:
    """orchestration.run tags its runs with its process id: once that process is gone, the run is failed."""
    first = evaluate(defs, instance, lake, None)
    assert isinstance(first, dg.SensorResult)
    (lake / "crm" / "contacts.csv").write_text((lake / "crm" / "contacts.csv").read_text() + "\n")
    gone = subprocess.Popen(["true"])
    gone.wait()
    tags = {**run_tags(), PID_TAG: str(gone.pid)}
    instance.add_run(
        dg.DagsterRun(job_name="c360_build_all", run_id="killed-run", status=dg.DagsterRunStatus.STARTED, tags=tags)
    )
    resumed = evaluate(defs, instance, lake, first.cursor)
    assert isinstance(resumed, dg.SensorResult) and resumed.run_requests, resumed
    killed = instance.get_run_by_id("killed-run")
    assert killed is not None and killed.status == dg.DagsterRunStatus.FAILURE


def _run_checks(
    instance: dg.DagsterInstance, keys: list[dg.AssetKey], checks: list[dg.AssetChecksDefinition]
) -> dict[dg.AssetKey, dg.AssetCheckEvaluation]:
    job = dg.define_asset_job("freshness", selection=dg.AssetSelection.checks(*checks))
    defs = dg.Definitions(assets=[dg.AssetSpec(key) for key in keys], asset_checks=checks, jobs=[job])
    result = defs.resolve_job_def("freshness").execute_in_process(instance=instance)
    return {evaluation.asset_key: evaluation for evaluation in result.get_asset_check_evaluations()}


def test_freshness_checks_read_the_lake_observations_and_the_mart_materializations(
    defs: dg.Definitions, instance: dg.DagsterInstance, lake: Path
) -> None:
    from orchestration.freshness import (
        BI_MARTS,
        FRESHNESS_SENSOR_NAME,
        lake_freshness_checks,
        lake_source_keys,
        mart_freshness_checks,
    )

    assert freshness_hours({}) == 26
    assert freshness_hours({"C360_FRESHNESS_HOURS": "2"}) == 2
    with pytest.raises(ValueError, match="C360_FRESHNESS_HOURS"):
        freshness_hours({"C360_FRESHNESS_HOURS": "a day"})
    graph = defs.resolve_asset_graph()
    for key in [*lake_source_keys(), *BI_MARTS]:
        assert dg.AssetCheckKey(key, "freshness_check") in graph.asset_check_keys, key
    assert defs.resolve_sensor_def(FRESHNESS_SENSOR_NAME).default_status == dg.DefaultSensorStatus.STOPPED

    # the lake sensor observes each source's newest file: a file from today is fresh, one from 3 days ago not
    old = time.time() - 3 * DAY_S
    for path in (lake / "crm").rglob("*"):
        os.utime(path, (old, old))
    first = evaluate(defs, instance, lake, None)
    assert isinstance(first, dg.SensorResult)
    for event in first.asset_events:
        instance.report_runless_asset_event(event)
    lake_results = _run_checks(instance, lake_source_keys(), lake_freshness_checks)
    assert lake_results[dg.AssetKey(["lake", "game", "players"])].passed
    assert not lake_results[dg.AssetKey(["lake", "crm", "contacts"])].passed
    assert not lake_results[dg.AssetKey(["lake", "erp", "customers"])].passed  # no files in this lake
    assert lake_results[dg.AssetKey(["lake", "crm", "contacts"])].severity == dg.AssetCheckSeverity.WARN

    # marts: a materialization now is fresh, a mart never materialized is not
    instance.report_runless_asset_event(dg.AssetMaterialization(BI_MARTS[0]))
    mart_results = _run_checks(instance, BI_MARTS, mart_freshness_checks)
    assert mart_results[BI_MARTS[0]].passed
    assert not mart_results[BI_MARTS[1]].passed
