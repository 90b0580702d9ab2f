"""The Dagster code location: its asset graph, a real materialization, and the UI process lifecycle."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from ml import pipeline, tracking
from orchestration.settings import PROJECT_ROOT, C360Settings, load_settings
from orchestration.summary import RunSummary

SAMPLE_LAKE = PROJECT_ROOT / "seeds_data" / "lake"


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from orchestration.definitions import defs

    return defs


def _asset_keys(defs: dg.Definitions) -> set[dg.AssetKey]:
    return set(defs.resolve_asset_graph().get_all_asset_keys())


def test_asset_keys_are_schema_and_name_and_groups_are_folders(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    keys = _asset_keys(defs)
    staging = {key for key in keys if key.path[0] == "staging"}
    assert dg.AssetKey(["staging", "stg_crm__contacts"]) in staging
    assert dg.AssetKey(["staging", "quarantined_rows"]) in staging
    for key in keys:
        if key.path[0] == "lake":
            assert len(key.path) == 3, key  # [lake, source, table]
        else:
            assert len(key.path) == 2, key  # [schema, model]
    for key in staging:
        assert graph.get(key).group_name == "staging", key
    # lineage from the raw lake file into its staging model
    upstream = graph.get(dg.AssetKey(["staging", "stg_crm__contacts"])).parent_keys
    lake_parents = {key for key in graph.get_all_asset_keys() if key.path[0] == "lake"}
    reachable: set[dg.AssetKey] = set()
    frontier = set(upstream)
    while frontier:
        key = frontier.pop()
        reachable.add(key)
        frontier |= set(graph.get(key).parent_keys) - reachable
    assert dg.AssetKey(["lake", "crm", "contacts"]) in reachable & lake_parents


def test_dbt_tests_are_asset_checks_and_a_daily_schedule_exists(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    checked_assets = {check_key.asset_key for check_key in graph.asset_check_keys}
    for model in ("stg_crm__contacts", "stg_erp__sales_orders", "stg_web__click_events"):
        assert dg.AssetKey(["staging", model]) in checked_assets, model
    schedule = defs.resolve_schedule_def("c360_daily_build")
    assert schedule.cron_schedule == "0 5 * * *"
    job = defs.resolve_job_def("c360_build_all")
    assert set(job.asset_layer.executable_asset_keys) >= {key for key in _asset_keys(defs) if key.path[0] == "staging"}


def test_scores_sit_between_the_features_and_customer_360(defs: dg.Definitions) -> None:
    """dbt features -> Python train -> Python score -> dbt customer_360, with blocking checks on the scores."""
    graph = defs.resolve_asset_graph()
    customer_360 = graph.get(dg.AssetKey(["marts", "customer_360"]))
    for model, table in (
        ("c360_churn", "churn_scores"),
        ("c360_clv", "clv_scores"),
        ("c360_segment", "customer_segments"),
    ):
        scores_key, model_key = dg.AssetKey(["ml", table]), dg.AssetKey(["mlflow", model])
        assert scores_key in customer_360.parent_keys, table
        assert set(graph.get(scores_key).parent_keys) == {model_key, dg.AssetKey(["marts", "customer_features"])}
        assert dg.AssetKey(["marts", "customer_training_labels"]) in graph.get(model_key).parent_keys
        assert graph.get(scores_key).group_name == graph.get(model_key).group_name == "ml"
        checks = [key for key in graph.asset_check_keys if key.asset_key == scores_key]
        assert checks, table
        assert all(graph.get_check_spec(key).blocking for key in checks), table
    assert defs.resolve_schedule_def("c360_monthly_retrain").cron_schedule == "0 6 1 * *"
    assert {sensor.name for sensor in defs.sensors} >= {"c360_model_decay", "c360_feature_drift"}
    retrain = defs.resolve_job_def("c360_retrain_models")
    assert dg.AssetKey(["marts", "customer_360"]) in retrain.asset_layer.executable_asset_keys


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[bool, RunSummary, C360Settings]:
    """`make run` on the committed sample: dbt -> train -> score -> dbt in one Dagster run. The sample, not a
    smaller lake: the models must pass their thresholds to become champions, and scoring loads champions."""
    from orchestration.run import run_all

    saved = dict(os.environ)
    os.environ["C360_LAKE"] = str(SAMPLE_LAKE)
    os.environ["C360_HOME"] = str(tmp_path_factory.mktemp("sample_run") / "home")
    try:
        success, summary = run_all()
        settings = load_settings()
    finally:  # run_all exports its settings; later tests must not inherit them
        os.environ.clear()
        os.environ.update(saved)
    return success, summary, settings


@pytest.mark.slow
def test_materialize_everything_through_dagster(sample_run: tuple[bool, RunSummary, C360Settings]) -> None:
    success, summary, settings = sample_run
    assert success, summary.render()
    assert summary.rows_per_model["staging.stg_crm__contacts"] > 0
    assert summary.rows_per_model["staging.stg_shop__sales_order_lines"] > 0
    assert summary.rows_quarantined > 0  # the generator injects defects in every source
    assert not any("missing" in warning for warning in summary.warnings), summary.warnings
    rendered = summary.render()
    assert "Rows quarantined" in rendered and "staging.stg_crm__contacts" in rendered
    assert "Scores (schema ml):" in rendered

    # the run is recorded in the Dagster instance under C360_HOME, with every staging asset materialized
    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        records = instance.get_run_records()
        assert len(records) == 1 and records[0].dagster_run.is_success
        materialized = instance.get_latest_materialization_events(
            [dg.AssetKey(["staging", "stg_crm__contacts"]), dg.AssetKey(["staging", "quarantined_rows"])]
        )
        assert all(event is not None for event in materialized.values())
    assert "enabled: false" in (settings.dagster_home / "dagster.yaml").read_text()
    failed_checks = [
        evaluation.check_name for evaluation in result_checks(settings.dagster_home) if not evaluation.passed
    ]
    assert not failed_checks, failed_checks


@pytest.mark.slow
def test_scores_of_another_as_of_date_are_not_mixed_into_customer_360(
    sample_run: tuple[bool, RunSummary, C360Settings], tmp_path: Path
) -> None:
    """A scoring step that failed leaves last run's scores behind: customer_360 must not show them beside this
    run's features (their as-of dates differ), while the scores of this run's as-of date stay."""
    success, _, settings = sample_run
    assert success
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(settings.warehouse_path, warehouse)
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("update ml.churn_scores set as_of = as_of - 30")  # as if churn had not been scored this run
        churn, clv = con.execute("select count(churn_probability), count(clv_eur) from marts.customer_360").fetchone()
        customers = con.execute("select count(*) from marts.customer_360").fetchone()[0]
    finally:
        con.close()
    assert churn == 0 and clv == customers


@pytest.mark.slow
def test_every_customer_is_scored_once_by_a_champion(sample_run: tuple[bool, RunSummary, C360Settings]) -> None:
    success, _, settings = sample_run
    assert success
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        customers = con.execute("select count(*) from marts.customers").fetchone()[0]
        versions = {}
        for table in ("churn_scores", "clv_scores", "customer_segments"):
            rows, distinct, version = con.execute(
                f"select count(*), count(distinct customer_id), any_value(model_version) from ml.{table}"
            ).fetchone()
            assert rows == distinct == customers, table
            versions[table] = version
        unscored = con.execute(
            "select count(*) from marts.customer_360 where churn_probability is null or clv_eur is null "
            "or segment is null or churn_model_version is null"
        ).fetchone()[0]
    finally:
        con.close()
    assert unscored == 0
    from mlflow.tracking import MlflowClient

    from ml.tracking import configure, load_champion

    client = MlflowClient(tracking_uri=configure(settings.home))
    tables = {"c360_churn": "churn_scores", "c360_clv": "clv_scores", "c360_segment": "customer_segments"}
    for model_name, table in tables.items():
        champion = load_champion(settings.home, model_name)
        assert champion is not None and champion.version == versions[table] == "1", model_name
        plots = {Path(artifact.path).name for artifact in client.list_artifacts(champion.run_id, "plots")}
        assert plots, f"{model_name}: no evaluation plots logged"
    churn = load_champion(settings.home, "c360_churn")
    assert churn is not None
    churn_plots = {Path(artifact.path).name for artifact in client.list_artifacts(churn.run_id, "plots")}
    assert {"roc.png", "calibration.png", "lift.png", "points.json"} <= churn_plots
    # runs named after model and as-of date; experiments of the model-training kind; descriptions everywhere
    as_of = str(duckdb.connect(str(settings.warehouse_path), read_only=True).execute(
        "select max(as_of) from ml.churn_scores"
    ).fetchone()[0])  # fmt: skip
    assert client.get_run(churn.run_id).info.run_name == f"c360_churn as of {as_of}"
    for model_name in tables:
        experiment = client.get_experiment_by_name(f"c360/{model_name}")
        assert experiment.tags["mlflow.experimentKind"] == "custom_model_development"
        assert experiment.tags["mlflow.note.content"] and client.get_registered_model(model_name).description


@pytest.mark.slow
def test_charts_are_on_the_asset_pages_and_in_bi_tables(sample_run: tuple[bool, RunSummary, C360Settings]) -> None:
    """Each model asset shows its evaluation charts inline with a link to its MLflow run; the campaign uplift
    chart is drawn; the charts' data is in the BI view bi_model_evaluation."""
    success, _, settings = sample_run
    assert success
    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        for model_name in ("c360_churn", "c360_clv", "c360_segment"):
            event = instance.get_latest_materialization_event(dg.AssetKey(["mlflow", model_name]))
            metadata = event.asset_materialization.metadata
            assert "data:image/png;base64," in metadata["evaluation_charts"].value
            assert metadata["mlflow_run"].value.startswith("http://127.0.0.1:5000/#/experiments/")
        uplift = instance.get_latest_materialization_event(dg.AssetKey(["charts", "campaign_uplift"]))
        chart = uplift.asset_materialization.metadata
        assert chart["campaigns"].value > 0 and "data:image/png;base64," in chart["chart"].value
        weights = instance.get_latest_materialization_event(dg.AssetKey(["charts", "identity_match_weights"]))
        weight_chart = weights.asset_materialization.metadata
        assert (
            weight_chart["levels"].value > 10 and "| name | first and last name exact |" in weight_chart["chart"].value
        )
    assert (settings.home / "charts" / "campaign_uplift.png").stat().st_size > 1000
    assert (settings.home / "charts" / "identity_match_weights.png").stat().st_size > 1000
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        charts = dict(con.execute("select chart, count(*) from serving.bi_model_evaluation group by 1").fetchall())
    finally:
        con.close()
    assert {"roc", "calibration", "lift", "gains", "predicted_vs_actual", "confusion_matrix"} <= set(charts)


@pytest.mark.slow
def test_backtest_table_reconciles_with_mlflow(sample_run: tuple[bool, RunSummary, C360Settings]) -> None:
    """ml.model_backtests (and its BI view) holds exactly the backtests each model's newest run logged to MLflow,
    and that run's backtest_* metrics are their means over the origins."""
    from mlflow import MlflowClient

    success, summary, settings = sample_run
    assert success
    client = MlflowClient(tracking.tracking_uri(settings.home))
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        for model_name in ("c360_churn", "c360_clv"):
            run_id, logged = tracking.latest_backtests(settings.home, model_name)
            table = con.execute(
                "select mlflow_run_id, cast(origin_date as varchar), candidate, metric, value from ml.model_backtests "
                "where model_name = ? order by 2, 3, 4",
                [model_name],
            ).fetchall()
            served = con.execute("select count(*) from serving.bi_model_backtests where model_name = ?", [model_name])
            assert served.fetchone()[0] == len(table) == len(logged) > 0
            assert {row[0] for row in table} == {run_id}

            def same(value: float) -> float | None:
                return None if value != value else round(value, 9)  # NaN (one class at an origin) compares as None

            expected = sorted((r["origin_date"], r["candidate"], r["metric"], same(r["value"])) for r in logged)
            assert [(*row[1:4], same(row[4])) for row in table] == expected
            metrics = client.get_run(run_id).data.metrics
            means = con.execute(
                "select candidate, metric, avg(value) from ml.model_backtests where model_name = ? "
                "and isfinite(value) group by 1, 2",
                [model_name],
            ).fetchall()
            for candidate, metric, mean in means:
                assert metrics[f"backtest_{candidate}_{metric}"] == pytest.approx(mean)
    finally:
        con.close()
    assert "churn backtests (3 origins" in summary.render()


@pytest.mark.slow
def test_retraining_sensors_read_the_warehouse_and_target_the_models(
    sample_run: tuple[bool, RunSummary, C360Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.resources import C360Resource
    from orchestration.retraining import drift_reason, feature_drift_sensor, model_decay_sensor

    success, _, settings = sample_run
    assert success
    resource = C360Resource(lake=str(settings.lake), home=str(settings.home))
    with dg.build_sensor_context(resources={"c360": resource}) as context:
        # the champions were just trained on the latest labelled window: nothing has decayed
        decay = model_decay_sensor(context)
    assert isinstance(decay, dg.SkipReason), decay

    monkeypatch.setenv("C360_PSI_THRESHOLD", "0")  # any shift at all counts as drift
    with dg.build_sensor_context(resources={"c360": resource}) as context:
        # ... but every champion was trained on today's data: a retrain would learn from the same rows
        assert isinstance(feature_drift_sensor(context), dg.SkipReason)

    # The same champions seen from a later day: each is compared with the scoring population it was trained for,
    # stored with its run (feature_profile.json). Unchanged customers do not drift; lapsed ones do.
    current = pipeline.feature_frame_for_drift(settings.warehouse_path)
    for kind in pipeline.KINDS:
        champion = tracking.load_champion(settings.home, pipeline.MODEL_NAMES[kind])
        assert champion is not None and champion.feature_profile, kind
        assert set(champion.feature_profile) <= set(champion.features), kind
        older = dataclasses.replace(champion, params={**champion.params, "scoring_as_of": "2026-09-01"})
        assert drift_reason(older, current, "2026-10-01", threshold=1e-9) is None, kind  # the same rows: PSI 0
        shifted = current.assign(recency_days=current["recency_days"] + 400)  # everyone lapsed by 400 days
        reason = drift_reason(older, shifted, "2026-10-01", threshold=0.25) or ""
        assert reason.startswith("PSI above 0.25 for ") and "since 2026-09-01" in reason, kind
        assert "recency_days" in reason, kind


DAILY_MODELS = {
    dg.AssetKey(["intermediate", "int_game_events_geolocated"]): "intermediate.int_game_events_geolocated",
    dg.AssetKey(["marts", "clicks_by_customer_product_offer"]): "marts.clicks_by_customer_product_offer",
}


def test_day_window_vars_cover_a_partition_range_with_open_outer_ends() -> None:
    from orchestration.dbt_assets import daily_partitions, day_window_vars
    from orchestration.settings import partitions_start

    partitions = daily_partitions()
    first, last = partitions.get_first_partition_key(), partitions.get_last_partition_key()
    assert first == partitions_start() == "2025-06-01"
    middle = day_window_vars(partitions, dg.PartitionKeyRange("2025-09-01", "2025-09-03"))
    assert middle == {
        "c360_game_start_day": "2025-09-01",
        "c360_game_end_day": "2025-09-03",
        "c360_clicks_start_day": "2025-09-01",
        "c360_clicks_end_day": "2025-09-03",
    }
    single = day_window_vars(partitions, dg.PartitionKeyRange("2025-09-02", "2025-09-02"))
    assert single["c360_game_start_day"] == single["c360_game_end_day"] == "2025-09-02"
    # the first partition also holds earlier event days, the last later ones: all partitions = the table
    every_day = day_window_vars(partitions, dg.PartitionKeyRange(first, last))
    assert (every_day["c360_clicks_start_day"], every_day["c360_clicks_end_day"]) == ("1900-01-01", "9999-12-31")
    assert day_window_vars(partitions, dg.PartitionKeyRange(first, "2025-06-02"))["c360_game_end_day"] == "2025-06-02"
    assert partitions_start({"C360_PARTITIONS_START": "2024-01-01"}) == "2024-01-01"
    for wrong in ("June 2025", "2025-6-1", "2025-02-30"):
        with pytest.raises(ValueError, match="C360_PARTITIONS_START"):
            partitions_start({"C360_PARTITIONS_START": wrong})


def _day_builds(warehouse: Path) -> dict[tuple[str, str], tuple[int, frozenset[str]]]:
    """(table, event day) -> (rows, dbt invocations that wrote them) of the day-incremental models."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        days = {}
        for table in DAILY_MODELS.values():
            rows = con.execute(
                "select cast(event_date as varchar), count(*), list(distinct dbt_invocation_id) "
                f"from {table} group by 1"
            ).fetchall()
            days |= {(table, day): (count, frozenset(invocations)) for day, count, invocations in rows}
        return days
    finally:
        con.close()


@pytest.mark.slow
def test_a_day_or_a_range_of_daily_partitions_rebuilds_exactly_those_days_in_one_run(
    sample_run: tuple[bool, RunSummary, C360Settings], defs: dg.Definitions
) -> None:
    from orchestration.dbt_assets import daily_partitions

    success, _, settings = sample_run
    assert success
    all_days = set(daily_partitions().get_partition_keys())
    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        # `make run` materialized every day of both models, as one range in its one run
        for key in DAILY_MODELS:
            assert instance.get_materialized_partitions(key) == all_days, key

    # a range (as a backfill launches it), then a single day
    for tags, window in (
        (
            {"dagster/asset_partition_range_start": "2026-09-01", "dagster/asset_partition_range_end": "2026-09-03"},
            ["2026-09-01", "2026-09-02", "2026-09-03"],
        ),
        ({"dagster/partition": "2026-09-10"}, ["2026-09-10"]),
    ):
        before = _day_builds(settings.warehouse_path)
        assert all((table, day) in before for table in DAILY_MODELS.values() for day in window)
        os.environ.update(settings.env())  # conftest's _restore_environment undoes it after the test
        with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
            runs_before = len(instance.get_run_records())
            result = defs.resolve_job_def("c360_rebuild_days").execute_in_process(
                instance=instance, raise_on_error=False, tags=tags
            )
            assert len(instance.get_run_records()) == runs_before + 1
        assert result.success, window
        materialized = {(event.asset_key, event.partition) for event in result.get_asset_materialization_events()}
        assert materialized == {(key, day) for key in DAILY_MODELS for day in window}

        after = _day_builds(settings.warehouse_path)
        assert after.keys() == before.keys()
        assert all(after[key][0] == before[key][0] for key in before), "a rebuilt day lost or gained rows"
        rebuilt = {key for key in before if after[key][1] != before[key][1]}
        assert rebuilt == {(table, day) for table in DAILY_MODELS.values() for day in window}
        # one dbt invocation wrote every rebuilt day of both models
        assert len({invocation for key in rebuilt for invocation in after[key][1]}) == 1


def result_checks(dagster_home: Path) -> list[dg.AssetCheckEvaluation]:
    """Every asset check evaluation recorded in the instance's latest run."""
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        run_id = instance.get_run_records(limit=1)[0].dagster_run.run_id
        records = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        return [record.dagster_event.event_specific_data for record in records]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_ui_serves_on_localhost_and_stops_cleanly(tmp_path: Path, stop_signal: signal.Signals) -> None:
    port = _free_port()
    env = {**os.environ, "C360_HOME": str(tmp_path / "home")}
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestration.ui", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        ready = False
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2) as response:
                    ready = response.status == 200
                    break
            except OSError:
                time.sleep(1)
        assert ready, "the Dagster UI did not answer on 127.0.0.1"
        # the code location loaded: the asset graph is served through the UI's GraphQL API
        query = json.dumps({"query": "{ assetNodes { assetKey { path } } }"}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/graphql", data=query, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            nodes = json.loads(response.read())["data"]["assetNodes"]
        assert ["staging", "stg_crm__contacts"] in [node["assetKey"]["path"] for node in nodes]
        process.send_signal(stop_signal)
        output, _ = process.communicate(timeout=60)
        assert process.returncode == 0, output
        assert "Dagster UI stopped" in output
        time.sleep(1)
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    # nothing of the UI's process tree is left behind (the wrapper ran the UI in its own group)
    leftovers = subprocess.run(["pgrep", "-f", f"dagster.*{port}"], capture_output=True, text=True).stdout.split()
    assert not leftovers, leftovers


def test_lake_sources_are_a_group_and_every_check_is_described(defs: dg.Definitions) -> None:
    """The lake files sit in the lineage as the group `lake`; every asset check says what it checks."""
    graph = defs.resolve_asset_graph()
    lake = [key for key in graph.get_all_asset_keys() if key.path[0] == "lake"]
    assert len(lake) >= 19 and {graph.get(key).group_name for key in lake} == {"lake"}
    assert "Files: `crm/contacts.csv` (csv)" in (graph.get(dg.AssetKey(["lake", "crm", "contacts"])).description or "")
    undescribed = [key for key in graph.asset_check_keys if not graph.get_check_spec(key).description]
    assert not undescribed, undescribed[:5]
    descriptions = {key.name: graph.get_check_spec(key).description for key in graph.asset_check_keys}
    assert descriptions["not_null_customer_360_customer_id"] == "`customer_id` is never NULL"
    assert descriptions["unique_customer_360_customer_id"] == "`customer_id` is unique"
