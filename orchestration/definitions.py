"""The c360 Dagster code location: `dagster dev -m orchestration.definitions`."""

from __future__ import annotations

import dagster as dg

from orchestration.dbt_assets import build_dbt_assets
from orchestration.ml_assets import ml_assets, ml_checks
from orchestration.resources import C360Resource, dbt_resource
from orchestration.retraining import feature_drift_sensor, model_decay_sensor, monthly_retrain_schedule, retrain_job

c360_dbt = build_dbt_assets()

# Every asset of the code location, end to end.
build_all_job = dg.define_asset_job(
    name="c360_build_all",
    selection=dg.AssetSelection.all(),
    description="Materialize every c360 asset from the raw lake to the marts, with all dbt tests as checks.",
)

daily_build_schedule = dg.ScheduleDefinition(
    name="c360_daily_build",
    job=build_all_job,
    cron_schedule="0 5 * * *",
    execution_timezone="UTC",
    description="Daily rebuild after the overnight lake drops.",
)

# One step at a time: a DuckDB file admits one writer and no reader beside it, and dbt, the model training
# and the scoring all open the warehouse.
one_step_at_a_time = dg.multiprocess_executor.configured({"max_concurrent": 1})

defs = dg.Definitions(
    assets=[c360_dbt, *ml_assets()],
    asset_checks=ml_checks(),
    jobs=[build_all_job, retrain_job],
    schedules=[daily_build_schedule, monthly_retrain_schedule],
    sensors=[model_decay_sensor, feature_drift_sensor],
    resources={"dbt": dbt_resource(), "c360": C360Resource()},
    executor=one_step_at_a_time,
)
