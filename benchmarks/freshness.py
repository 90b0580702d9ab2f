"""Benchmark: end-to-end freshness through the incremental path, a new lake file to its data in the BI views.

    python -m benchmarks.freshness                                  # the committed sample
    python -m benchmarks.freshness --lake bench_out/scale_100/lake  # a generated lake

Works in --work (default <temp dir>/c360_bench_freshness); the source lake is never written (the work lake
is made of symbolic links to it). Steps:

1. a lake with the newest game telemetry day held back, built end to end through Dagster as `make run` does
   (dbt, training, scoring, publishing; wall time recorded);
2. the lake sensor's first evaluation records the lake's state;
3. the held-back day arrives (a new file); the clock starts. The sensor is evaluated (as the daemon does on
   its tick), and the run it requests is executed in process: the assets downstream of game telemetry
   (incremental dbt models, the day-partitioned models without a partition, so only changed days, the
   scores by the current champions, the serving views and the publish);
4. the clock stops when a new read-only serving connection sees the new day's events in
   `bi_player_activity`.

The figure excludes the wait for the sensor's tick (at most its interval, 120 s, when the daemon runs).
Not a test: numbers vary with the machine and its load (tests/test_lake_sensor.py guards correctness).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg

from benchmarks.game import link_lake
from orchestration.serving import connect_serving
from orchestration.settings import PROJECT_ROOT, load_settings

EVENTS_SQL = "select coalesce(sum(event_count), 0) from bi_player_activity"


def serving_events(serving: Path) -> int:
    con = connect_serving(serving)
    try:
        return int(con.execute(EVENTS_SQL).fetchone()[0])
    finally:
        con.close()


def bench(source: Path, work: Path) -> dict[str, object]:
    shutil.rmtree(work, ignore_errors=True)
    lake, home = work / "lake", work / "home"
    held_day = link_lake(source, lake)
    settings = load_settings({"C360_LAKE": str(lake), "C360_HOME": str(home), "C360_PUBLISHED": str(work / "pub")})
    saved = dict(os.environ)
    os.environ.update(settings.env())
    try:
        from orchestration.definitions import defs
        from orchestration.resources import C360Resource
        from orchestration.run import run_all

        started = time.perf_counter()
        success, summary = run_all()
        full_s = time.perf_counter() - started
        if not success:
            raise RuntimeError(f"the first build failed:\n{summary.render()}")
        events_before = serving_events(settings.serving_path)

        sensor = defs.resolve_sensor_def("c360_lake_files")
        resources = {"c360": C360Resource(lake=str(lake), home=str(home))}
        with dg.DagsterInstance.get() as instance:
            context = dg.build_sensor_context(instance=instance, definitions=defs, resources=resources)
            first = sensor(context)
            assert isinstance(first, dg.SensorResult) and first.cursor, first

            (lake / "game" / "telemetry" / held_day.name).symlink_to(held_day)
            arrived = time.perf_counter()
            context = dg.build_sensor_context(
                instance=instance, definitions=defs, resources=resources, cursor=first.cursor
            )
            tick = sensor(context)
            if not isinstance(tick, dg.SensorResult) or not tick.run_requests:
                raise RuntimeError(f"the sensor requested no run for the new file: {tick}")
            sensor_s = time.perf_counter() - arrived
            request = tick.run_requests[0]
            selection = set(request.asset_selection or [])
            job = defs.resolve_job_def("c360_build_all").get_subset(asset_selection=selection)
            result = job.execute_in_process(instance=instance, tags=request.tags, raise_on_error=False)
            run_s = time.perf_counter() - arrived - sensor_s
            if not result.success:
                raise RuntimeError("the sensor's run failed")
            events_after = serving_events(settings.serving_path)
            visible_s = time.perf_counter() - arrived
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return {
        "lake": str(source),
        "new_file": held_day.name,
        "full_build_seconds": round(full_s, 1),
        "sensor_evaluation_seconds": round(sensor_s, 2),
        "sensor_run_seconds": round(run_s, 1),
        "new_file_to_serving_seconds": round(visible_s, 1),
        "assets_in_sensor_run": len(selection),
        "serving_events_before": events_before,
        "serving_events_after": events_after,
    }


def render(result: dict[str, object]) -> str:
    return "\n".join(
        [
            f"freshness through the lake sensor on {result['lake']} (new file {result['new_file']})",
            f"  first build through Dagster (make run): {result['full_build_seconds']} s",
            f"  new file to its data in the serving views: {result['new_file_to_serving_seconds']} s "
            f"(sensor evaluation {result['sensor_evaluation_seconds']} s + run of "
            f"{result['assets_in_sensor_run']} assets {result['sensor_run_seconds']} s), plus the wait for the "
            "sensor's tick (at most 120 s)",
            f"  game events in bi_player_activity: {result['serving_events_before']} -> "
            f"{result['serving_events_after']}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lake", type=Path, default=PROJECT_ROOT / "seeds_data" / "lake")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "c360_bench_freshness")
    parser.add_argument("--json", type=Path, default=PROJECT_ROOT / "bench_out" / "freshness.json")
    args = parser.parse_args(argv)
    result = bench(args.lake.resolve(), args.work)
    print(render(result))
    if result["serving_events_after"] <= result["serving_events_before"]:  # type: ignore[operator]
        print("the new day's events did not reach the serving views", file=sys.stderr)
        return 1
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))
    print(f"written: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
