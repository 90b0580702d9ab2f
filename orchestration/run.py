"""Materialize every c360 asset through Dagster and print a summary.

`python -m orchestration.run` (what `make run` calls). The run is recorded in the Dagster instance under
C360_HOME, so it shows in the UI (`make ui`) afterwards. Before building, the models of the mapped lake sources
are generated and the lake is checked against the mappings; `--check-lake` does only that.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

import dagster as dg

from orchestration.lake_mappings import LakeMappingError, LakeReport, check_lake, generate
from orchestration.preflight import lake_problem, settings_problems
from orchestration.progress import elapsed
from orchestration.run_lock import (
    RunLocked,
    cancel_own_runs,
    fail_dead_runs,
    run_lock,
    run_tags,
    stop_descendants,
)
from orchestration.settings import DBT_PROJECT_DIR, apply_settings, load_settings
from orchestration.summary import RunSummary, champion_family_lines, summarize_warehouse


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


def run_all(verbose: bool = False) -> tuple[bool, RunSummary]:
    """Every asset, with the daily partitions of game telemetry and clicks as one range over all days. The console
    shows one line per step (orchestration/progress.py); `verbose` adds Dagster's INFO events."""
    settings = apply_settings()
    print(f"c360: lake {settings.lake}\nc360: home {settings.home}", file=sys.stderr, flush=True)
    from orchestration.definitions import build_all_job, defs

    job = defs.resolve_job_def(build_all_job.name)
    with dg.DagsterInstance.get() as instance:
        for run_id in fail_dead_runs(instance):
            print(f"c360: run {run_id} was left in progress by a process that is gone; marked failed", file=sys.stderr)
        tags = {**every_day_tags(), **run_tags()}
        run_config = {"loggers": {"c360_progress": {"config": {"verbose": verbose}}}}
        try:
            result = job.execute_in_process(run_config=run_config, instance=instance, raise_on_error=False, tags=tags)
        except KeyboardInterrupt:
            cancel_own_runs(instance, "interrupted (Ctrl-C or SIGTERM)")
            raise
        if was_interrupted(result):  # Dagster turns a signal during a step into that step's failure
            cancel_own_runs(instance, "interrupted (Ctrl-C or SIGTERM)")
            raise KeyboardInterrupt
    # the sample lake's file times are those of the checkout: no warning about its data being older
    summary = summarize_warehouse(settings.warehouse_path, None if settings.is_sample_lake else settings.lake)
    summary.scores += champion_family_lines(settings.home)
    summary.warnings = failed_checks(result) + summary.warnings
    if not result.success:
        summary.warnings += failure_causes(result)
        summary.warnings.append(f"the failed run's events and logs: `make ui`, Runs, run {result.run_id}")
    return result.success, summary


def was_interrupted(result: dg.ExecuteInProcessResult) -> bool:
    """Whether a step failed because the process was interrupted (Ctrl-C, SIGTERM)."""
    for event in result.all_events:
        error = getattr(event.event_specific_data, "error", None) if event.is_failure else None
        while error is not None:
            if error.cls_name in ("DagsterExecutionInterruptedError", "KeyboardInterrupt"):
                return True
            error = error.cause or error.context
    return False


def failure_causes(result: dg.ExecuteInProcessResult) -> list[str]:
    """One line per failed step: the exception it raised (the ValueError, not Dagster's wrapper around it)."""
    causes = []
    for event in result.all_events:
        if event.event_type_value != "STEP_FAILURE" or event.step_key is None:
            continue
        error = getattr(event.event_specific_data, "error", None)
        if error is None:
            causes.append(f"step {event.step_key} failed")
            continue
        # past Dagster's wrappers to the exception the step raised (not further: its own cause is detail)
        while error.cause is not None and (error.cls_name or "").startswith("Dagster"):
            error = error.cause
        cause = error.message.strip().splitlines()
        causes.append(f"step {event.step_key} failed: {' '.join(line.strip() for line in cause)}")
    return list(dict.fromkeys(causes))  # once each


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.run",
        description="Materialize every c360 asset through Dagster on the lake (C360_LAKE) and print a summary.",
    )
    parser.add_argument(
        "--check-lake",
        action="store_true",
        help="only generate the mapped lake models and check the lake against the mappings (exit 1 on errors)",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="print Dagster's events at INFO too (default: one line per step, dbt's progress, warnings, errors)",
    )
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="stop at once (exit 1) when another c360 run is using C360_HOME, instead of waiting for it",
    )
    return parser.parse_args(argv)


def check_mapped_lake() -> LakeReport:
    """Generate the models of the mapped lake sources, then check the lake files against the mappings."""
    for path in generate(DBT_PROJECT_DIR):
        action = "generated" if path.exists() else "removed"
        print(f"c360: {action} {path.relative_to(DBT_PROJECT_DIR)}", file=sys.stderr)
    return check_lake(DBT_PROJECT_DIR, load_settings().lake)


def main(argv: list[str] | None = None) -> int:
    """`make run`. Ctrl-C or SIGTERM stops it cleanly: the Dagster run is recorded canceled, every process it
    started (dbt) is stopped, and the run lock and the warehouse are free for the next run."""
    started = time.monotonic()
    args = parse_args(argv)
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM stops the run as Ctrl-C does
    try:
        return _main(args, started)
    except KeyboardInterrupt:
        stopped = stop_descendants()
        print(
            f"c360: run CANCELED after {elapsed(time.monotonic() - started)} (interrupted)"
            + (f"; stopped {len(stopped)} processes it had started" if stopped else "")
            + "; the warehouse is free for the next run",
            flush=True,
        )
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)


def _main(args: argparse.Namespace, started: float) -> int:
    # seconds of checks before any build: a wrong setting stops here, with what to change
    problems = settings_problems(load_settings())
    if problems and not args.check_lake:
        for problem in problems:
            print(f"c360: run stopped before building: {problem}")
        return 1
    try:
        report = check_mapped_lake()
    except LakeMappingError as error:
        print(f"c360: {error}", file=sys.stderr)
        return 1
    if args.check_lake:
        print(report.render())
        return 1 if report.errors else 0
    if report.errors:
        print(report.render())
        print("c360: run stopped before building: the lake does not match the mappings (errors above)")
        return 1
    empty = lake_problem(report.lake_root, [len(t.files) for t in report.tables] + [n for *_, n in report.other_tables])
    if empty:
        print(f"c360: run stopped before building: {empty}")
        return 1
    for finding in report.warnings:
        print(f"c360: {finding.render()}", file=sys.stderr)
    try:
        # one run per C360_HOME: the warehouse admits one writer, the Dagster instance one initialisation
        with run_lock(load_settings().home, wait=not args.no_wait):
            try:
                success, summary = run_all(verbose=args.verbose)
            except KeyboardInterrupt:
                stop_descendants()  # before the lock is released: dbt must not hold the warehouse beyond it
                raise
    except RunLocked as error:
        print(f"c360: run FAILED: {error}")
        return 1
    except Exception as error:  # a known failure ends in its cause, not a traceback
        print(f"c360: run FAILED: {type(error).__name__}: {error}")
        return 1
    print(summary.render())
    settings = load_settings()
    if settings.serving_path.exists():
        print(
            f"\nBI serving database (open read-only; README: Serving to BI tools): {settings.serving_path}\n"
            f"  views over the Parquet files in {settings.published_path}"
        )
    took = elapsed(time.monotonic() - started)
    if success:
        print(next_steps(settings.serving_path))
    print(f"c360: run succeeded in {took}" if success else f"c360: run FAILED after {took} (causes above)")
    return 0 if success else 1


def next_steps(serving_path: Path) -> str:
    """What to open after a run: the UIs and one query of the serving layer."""
    query = (
        f".venv/bin/python -c \"import duckdb; duckdb.connect('{serving_path}', read_only=True)"
        ".sql('select * from bi_customer_360 limit 5').show()\""
    )
    return "\n".join(
        [
            "",
            "Next:",
            "  make ui          Dagster: assets, lineage, checks, this run (http://127.0.0.1:3000)",
            "  make mlflow-ui   MLflow: model runs, charts, champions (http://127.0.0.1:5000)",
            "  make docs        dbt docs: every model and column (http://127.0.0.1:8080)",
            f"  {query}",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
