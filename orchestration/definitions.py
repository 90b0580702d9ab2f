"""The c360 Dagster code location: `dagster dev -m orchestration.definitions`."""

from __future__ import annotations

import dagster as dg

from orchestration.chart_assets import campaign_uplift_chart, identity_match_weights_chart
from orchestration.dbt_assets import build_dbt_assets, lake_source_specs
from orchestration.freshness import freshness_checks, freshness_sensor, lake_freshness_checks
from orchestration.lake_sensor import build_lake_files_sensor
from orchestration.ml_assets import ml_assets, ml_checks
from orchestration.progress import progress_logger
from orchestration.resources import C360Resource, dbt_resource
from orchestration.retraining import feature_drift_sensor, model_decay_sensor, monthly_retrain_schedule, retrain_job
from orchestration.serving_assets import serving_assets

c360_dbt, c360_dbt_daily = build_dbt_assets()

# Every asset of the code location, end to end, with every check but the lake sources' freshness (the lake
# sensor's observations feed those; the freshness sensor runs them).
build_all_job = dg.define_asset_job(
    name="c360_build_all",
    selection=dg.AssetSelection.all() - dg.AssetSelection.checks(*lake_freshness_checks),
    description="Materialize every c360 asset from the raw lake to the marts, with all dbt tests as checks.",
)

# The daily partitions of game telemetry and clicks (orchestration/dbt_assets.py): launched with a partition
# or a range (the launchpad, or a backfill from the asset page), one run rebuilds exactly those event days.
rebuild_days_job = dg.define_asset_job(
    name="c360_rebuild_days",
    selection=dg.AssetSelection.assets(*c360_dbt_daily.keys),
    description="Rebuild the chosen event days of game telemetry (with geo) and clicks by customer, product "
    "and offer, in one run; materialize the marts downstream afterwards to pass the days on.",
)

daily_build_schedule = dg.ScheduleDefinition(
    name="c360_daily_build",
    job=build_all_job,
    cron_schedule="0 5 * * *",
    execution_timezone="UTC",
    description="Daily rebuild after the overnight lake drops. It runs without a partition: the game "
    "telemetry and clicks rebuild the event days whose lake files changed.",
)

# New files in the lake rebuild what they feed (a subset of the build job).
lake_files_sensor = build_lake_files_sensor(build_all_job)

# One step at a time: a DuckDB file admits one writer and no reader beside it, and dbt, the model training
# and the scoring all open the warehouse.
one_step_at_a_time = dg.multiprocess_executor.configured({"max_concurrent": 1})

defs = dg.Definitions(
    assets=[
        *lake_source_specs(),
        c360_dbt,
        c360_dbt_daily,
        *ml_assets(),
        *serving_assets(),
        campaign_uplift_chart,
        identity_match_weights_chart,
    ],
    asset_checks=[*ml_checks(), *freshness_checks],
    jobs=[build_all_job, rebuild_days_job, retrain_job],
    schedules=[daily_build_schedule, monthly_retrain_schedule],
    sensors=[lake_files_sensor, freshness_sensor, model_decay_sensor, feature_drift_sensor],
    resources={"dbt": dbt_resource(), "c360": C360Resource()},
    executor=one_step_at_a_time,
    # Dagster's own console logger for runs the UI launches; `make run` picks c360_progress (one line per step)
    loggers={"console": dg.colored_console_logger, "c360_progress": progress_logger},
)
