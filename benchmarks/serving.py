"""Benchmark: the BI serving layer. Query latency with 1 and 8 readers, idle, during republishes and rebuilds;
publish time; freshness from the lake to the serving views.

    python -m benchmarks.serving                     # the committed sample, built in a work folder
    python -m benchmarks.serving --warehouse .c360/warehouse.duckdb   # start from a built warehouse (copied)

Works in --work (default <temp dir>/c360_bench_serving), never on the warehouse it starts from. Steps:

1. the warehouse: copied from --warehouse, else built from --lake with `dbt seed` + `dbt run` (wall time
   recorded: the lake-to-warehouse part of freshness);
2. publish once (wall time: the warehouse-to-serving part of freshness);
3. latency: 1 and 8 reader threads, each with its own locked-down connection (`connect_serving`), run the
   view queries below in a loop: idle for --seconds, while another thread republishes in a loop for
   --seconds, and during a full rebuild (a `dbt run` of every model into the warehouse, then a publish; the
   warehouse must be buildable from --lake); p50 / p95 / max per setting, queries per second and errors
   (expected 0);
4. visibility: a mart changes in the warehouse, a publish runs; the time from the publish's start until a
   reader that opens a new connection for each query sees the new answer (a connection keeps the
   publication it opened).

Not a test: numbers vary with the machine and its load (tests/test_serving.py guards correctness).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb

from orchestration.serving import connect_serving, publish
from orchestration.settings import PROJECT_ROOT, TELEMETRY_OFF, C360Settings, load_settings

QUERIES = {
    "orders_by_channel": "select channel, count(*), sum(total_amount_eur) from bi_sales_orders group by channel",
    "segments": "select segment, age_band, count(*), avg(clv_eur) from bi_customer_360 group by all",
    "clicks_by_day": "select event_date, sum(click_count) from bi_clicks_by_customer_product_offer group by all",
    "players_by_country": "select country_iso_code, sum(active_players) from bi_player_activity group by all",
    "campaign_uplift": "select campaign_id, uplift_abs from bi_campaign_effectiveness order by uplift_abs desc",
    "offers_for_one_customer": "select * from bi_next_best_offer where customer_id = (select min(customer_id) "
    "from bi_next_best_offer)",
}


def _dbt(settings: C360Settings, *args: str) -> float:
    env = {**os.environ, **settings.env(), **TELEMETRY_OFF}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "orchestration.dbt_cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"dbt {' '.join(args)} failed:\n{(done.stdout + done.stderr)[-4000:]}")
    return time.perf_counter() - started


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def measure_latency(serving: Path, readers: int, seconds: float, writer: str, settings: C360Settings) -> dict:
    """Readers query the serving views in a loop while the writer works: `idle` (nothing, for `seconds`),
    `republish` (publish in a loop, for `seconds`) or `rebuild` (a full `dbt run` of the warehouse and a
    publish, as long as that takes)."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    publishes = 0

    def read() -> None:
        con = connect_serving(serving)
        own: list[float] = []
        try:
            while not stop.is_set():
                for sql in QUERIES.values():
                    started = time.perf_counter()
                    try:
                        con.execute(sql).fetchall()
                        own.append(time.perf_counter() - started)
                    except duckdb.Error as error:
                        with lock:
                            errors.append(str(error))
        finally:
            con.close()
            with lock:
                latencies.extend(own)

    def republish() -> None:
        nonlocal publishes
        while not stop.is_set():
            publish(settings, log=lambda _message: None)
            publishes += 1

    threads = [threading.Thread(target=read) for _ in range(readers)]
    if writer == "republish":
        threads.append(threading.Thread(target=republish))
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    if writer == "rebuild":
        _dbt(settings, "run")
        publish(settings, log=lambda _message: None)
        publishes = 1
    else:
        time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "readers": readers,
        "writer": writer,
        "seconds": round(elapsed, 1),
        "queries": len(latencies),
        "queries_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(1000 * _percentile(latencies, 0.50), 2),
        "p95_ms": round(1000 * _percentile(latencies, 0.95), 2),
        "max_ms": round(1000 * max(latencies, default=float("nan")), 2),
        "errors": len(errors),
        "error_examples": sorted(set(errors))[:5],
        "republishes": publishes,
    }


def measure_visibility(settings: C360Settings) -> float:
    """Seconds from a publish's start until a new reader connection sees the changed mart."""
    sql = "select round(sum(total_amount_eur), 2) from bi_sales_orders"

    def answer() -> object:
        reader = connect_serving(settings.serving_path)
        try:
            return reader.execute(sql).fetchone()
        finally:
            reader.close()

    before = answer()
    writer = duckdb.connect(str(settings.warehouse_path))
    try:
        writer.execute("update marts.sales_orders set total_amount_eur = total_amount_eur + 1")
    finally:
        writer.close()
    started = time.perf_counter()
    done = threading.Thread(target=publish, args=(settings,), kwargs={"log": lambda _message: None})
    done.start()
    while answer() == before:
        if time.perf_counter() - started > 120:
            raise RuntimeError("the change did not reach the serving views within 120 s")
    seconds = time.perf_counter() - started
    done.join()
    return seconds


def bench(lake: Path, warehouse: Path | None, work: Path, seconds: float, rebuild: bool) -> dict[str, object]:
    home = work / "home"
    shutil.rmtree(work, ignore_errors=True)
    home.mkdir(parents=True)
    settings = load_settings(
        {"C360_LAKE": str(lake), "C360_HOME": str(home), "C360_PUBLISHED": str(work / "published")}
    )
    result: dict[str, object] = {"lake": str(lake)}
    if warehouse is not None:
        shutil.copy(warehouse, settings.warehouse_path)
        result["warehouse_copied_from"] = str(warehouse)
    else:
        result["dbt_seed_seconds"] = round(_dbt(settings, "seed"), 2)
        result["dbt_run_seconds"] = round(_dbt(settings, "run"), 2)
    started = time.perf_counter()
    published = publish(settings, log=lambda _message: None)
    result["publish_seconds"] = round(time.perf_counter() - started, 3)
    result["published_rows"] = {view.name: view.row_count for view in published.views}
    result["published_bytes"] = sum(view.parquet_path.stat().st_size for view in published.views)
    result["serving_database_bytes"] = settings.serving_path.stat().st_size
    writers = ("idle", "republish", "rebuild") if rebuild else ("idle", "republish")
    result["latency"] = [
        measure_latency(settings.serving_path, readers, seconds, writer, settings)
        for writer in writers
        for readers in (1, 8)
    ]
    result["publish_to_reader_seconds"] = round(measure_visibility(settings), 3)
    if "dbt_run_seconds" in result:
        result["lake_to_serving_seconds"] = round(
            float(result["dbt_run_seconds"]) + float(result["publish_seconds"]),
            2,  # type: ignore[arg-type]
        )
    return result


def render(result: dict[str, object]) -> str:
    lines = [
        f"serving benchmark on {result['lake']}",
        f"  publish: {result['publish_seconds']} s for {sum(result['published_rows'].values())} rows "  # type: ignore[union-attr]
        f"({result['published_bytes']} bytes of Parquet; serving database {result['serving_database_bytes']} bytes)",
    ]
    if "lake_to_serving_seconds" in result:
        lines.append(
            f"  freshness, lake to serving views: {result['lake_to_serving_seconds']} s "
            f"(dbt run {result['dbt_run_seconds']} s + publish {result['publish_seconds']} s)"
        )
    lines.append(
        f"  publish start to a new reader connection seeing the change: {result['publish_to_reader_seconds']} s"
    )
    lines.append("  readers  while      queries/s  p50 ms  p95 ms  max ms  errors  publishes")
    for row in result["latency"]:  # type: ignore[union-attr]
        lines.append(
            f"  {row['readers']:>7}  {row['writer']:<9}"
            f"  {row['queries_per_second']:>9}  {row['p50_ms']:>6}  {row['p95_ms']:>6}  {row['max_ms']:>6}"
            f"  {row['errors']:>6}  {row['republishes']:>9}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lake", type=Path, default=PROJECT_ROOT / "seeds_data" / "lake")
    parser.add_argument("--warehouse", type=Path, default=None, help="a built warehouse to copy (skips dbt)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "c360_bench_serving")
    parser.add_argument("--seconds", type=float, default=5.0, help="per latency setting")
    parser.add_argument("--json", type=Path, default=PROJECT_ROOT / "bench_out" / "serving.json")
    parser.add_argument(
        "--no-rebuild", action="store_true", help="skip the latencies during a full dbt rebuild of the warehouse"
    )
    args = parser.parse_args(argv)
    warehouse = args.warehouse.resolve() if args.warehouse else None
    result = bench(args.lake.resolve(), warehouse, args.work, args.seconds, rebuild=not args.no_rebuild)
    print(render(result))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, default=str))
    print(f"written: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
