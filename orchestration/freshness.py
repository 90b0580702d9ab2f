"""Freshness checks on the raw lake sources and on the marts BI reads, and the sensor that runs them.

A source or mart is fresh when its last update is at most ``C360_FRESHNESS_HOURS`` old (default 26: the
lake drops and the build are daily, plus two hours of slack). The bound is read when the code location
loads; restart ``make ui`` after changing it.

- Lake sources (``[lake, source, table]``): their last update is the newest file's modification time, which
  the ``c360_lake_files`` sensor reports as an observation (``dagster/last_updated_timestamp``). With that
  sensor stopped the sources were never observed and their checks fail with "never observed".
- BI-facing marts, as BI reads them (the ``published/*`` serving assets): their last materialization. The
  build runs these checks at its end, so a fresh build passes them; the freshness sensor re-runs them once
  they may have gone stale.

Checks warn (severity WARN) rather than block: stale data is reported in the UI, never hidden from BI.
The sensor ``c360_freshness_checks`` (stopped by default, like every c360 sensor) launches a check run only
when a passing check may have expired; a failing one re-runs with the next update of its asset.
"""

import warnings
from datetime import timedelta

import dagster as dg

from orchestration.lake_sensor import lake_tables
from orchestration.serving_assets import published_key, serving_model_keys
from orchestration.settings import freshness_hours

FRESHNESS_SENSOR_NAME = "c360_freshness_checks"
FRESHNESS_SENSOR_INTERVAL_S = 15 * 60

# What BI tools read: the published serving views (one per model of schema `serving`: the customer dimension,
# campaign results, clicks, next best offer, player activity and sales), rebuilt and published by every build.
# Their freshness is that of the marts behind them; the marts themselves may be partitioned by day (clicks),
# these are not.
BI_MARTS = [published_key(key) for key in serving_model_keys()]


def freshness_window() -> timedelta:
    return timedelta(hours=freshness_hours())


def lake_source_keys() -> list[dg.AssetKey]:
    return [table.key for table in lake_tables()]


# Dagster 1.13 marks these factories "superseded" by FreshnessPolicy objects. They stay the right tool here:
# they make visible, runnable asset checks (in the build and in the UI's check tab) on external lake sources
# as well as on dbt models, without touching the dbt asset definitions.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.SupersessionWarning)
    lake_freshness_checks = dg.build_last_update_freshness_checks(
        assets=lake_source_keys(), lower_bound_delta=freshness_window()
    )
    mart_freshness_checks = dg.build_last_update_freshness_checks(assets=BI_MARTS, lower_bound_delta=freshness_window())
    freshness_checks = [*lake_freshness_checks, *mart_freshness_checks]
    freshness_sensor = dg.build_sensor_for_freshness_checks(
        freshness_checks=freshness_checks,
        name=FRESHNESS_SENSOR_NAME,
        minimum_interval_seconds=FRESHNESS_SENSOR_INTERVAL_S,
        default_status=dg.DefaultSensorStatus.STOPPED,
    )
