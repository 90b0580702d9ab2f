"""Materialize every c360 asset through Dagster and print a summary.

`python -m orchestration.run` (what `make run` calls). The run is recorded in the Dagster instance under
C360_HOME, so it shows in the UI (`make ui`) afterwards.
"""

from __future__ import annotations

import sys

import dagster as dg

from orchestration.settings import apply_settings, load_settings
from orchestration.summary import RunSummary, summarize_warehouse


def failed_checks(result: dg.ExecuteInProcessResult) -> list[str]:
    """dbt tests that failed, as readable warnings (warn-severity tests do not fail the run)."""
    messages = []
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            severity = evaluation.severity.value if evaluation.severity else "ERROR"
            messages.append(
                f"check {evaluation.check_name} on {evaluation.asset_key.to_user_string()} failed ({severity})"
            )
    return messages


def every_day_tags() -> dict[str, str]:
    """Run tags selecting every daily partition as one range (Dagster's backfill tags, one run)."""
    from orchestration.dbt_assets import daily_partitions

    partitions = daily_partitions()
    return {
        "dagster/asset_partition_range_start": partitions.get_first_partition_key(),
        "dagster/asset_partition_range_end": partitions.get_last_partition_key(),
    }


def run_all() -> tuple[bool, RunSummary]:
    """Every asset, with the daily partitions of game telemetry and clicks as one range over all days."""
    settings = apply_settings()
    print(f"c360: lake {settings.lake}\nc360: home {settings.home}", file=sys.stderr, flush=True)
    from orchestration.definitions import build_all_job, defs

    job = defs.resolve_job_def(build_all_job.name)
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False, tags=every_day_tags())
    summary = summarize_warehouse(settings.warehouse_path)
    summary.warnings = failed_checks(result) + summary.warnings
    if not result.success:
        for event in result.all_events:
            if event.is_failure and event.event_specific_data is not None:
                error = getattr(event.event_specific_data, "error", None)
                if error is not None:
                    summary.warnings.append(f"step {event.step_key} failed: {error.message.strip()}")
    return result.success, summary


def main() -> int:
    success, summary = run_all()
    print(summary.render())
    settings = load_settings()
    if settings.serving_path.exists():
        print(
            f"\nBI serving database (open read-only; README: Serving to BI tools): {settings.serving_path}\n"
            f"  views over the Parquet files in {settings.published_path}"
        )
    print("c360: run succeeded" if success else "c360: run FAILED (see warnings above)")
    return 0 if success else 1


if __name__ == "__main__":
    sys.exit(main())
