"""The c360 Dagster code location: `dagster dev -m orchestration.definitions`."""

from __future__ import annotations

import dagster as dg

from orchestration.dbt_assets import build_dbt_assets
from orchestration.resources import C360Resource, dbt_resource

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

defs = dg.Definitions(
    assets=[c360_dbt],
    jobs=[build_all_job],
    schedules=[daily_build_schedule],
    resources={"dbt": dbt_resource(), "c360": C360Resource()},
)
