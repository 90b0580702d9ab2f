"""Benchmark: game telemetry (curated Parquet days, geo enrichment, player-activity marts) at one scale.

    python -m benchmarks.game --scale 100

Works on a lake of symlinks under --work (default <temp dir>/c360_bench_game/scale_S), pointing into an existing
lake (--source, default bench_out/scale_S/lake, generated there if absent), so the source lake is never
written to; the telemetry folder holds links to every daily file but the last, which is linked in later as
"the new day". Steps, each a separate `dbt` process (its parse time included in the wall time):

1. upstream: seed + staging + identity (what the game models read), not part of the figures;
2. full build: telemetry staging + intermediate/game + marts/game with --full-refresh (all days written);
3. no-change run: the same selection again (nothing to do: staging is rebuilt, no day is written);
4. incremental run: the last day's file appears, the same selection runs (one day rebuilt and written);
5. geo join in isolation (in-process DuckDB over the built warehouse): the bucketed range join, the plain
   range join, on the real networks and on synthetic ones (one /24 each, --synthetic-networks of them).

Reports wall times, per-model execution times, incremental / full ratios (end to end, and the game models
alone, since staging re-parses every raw file whatever changed) and geo-join rows per second. The game
marts are views: their "build" is creating the view, so the report also times querying each mart in full.
Not a test: numbers vary with the machine and its load.
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

import duckdb

from benchmarks.identity import ensure_lake, model_seconds
from benchmarks.staging import measure_isolated
from orchestration.settings import PROJECT_ROOT, TELEMETRY_OFF

TELEMETRY_STAGING = ["raw_game__telemetry", "base_game__telemetry", "stg_game__game_events"]
GAME_MODELS = ["path:models/intermediate/game", "path:models/marts/game"]
MARTS = ["game_events", "game_daily_active_players", "game_sessions", "game_purchases"]


def link_lake(source: Path, lake: Path) -> Path:
    """A lake of symlinks to source, with every telemetry file linked except the last; returns that file."""
    if lake.exists():
        shutil.rmtree(lake)
    lake.mkdir(parents=True)
    for entry in source.iterdir():
        if entry.name not in ("game", "curated"):
            (lake / entry.name).symlink_to(entry.resolve())
    (lake / "game").mkdir()
    for entry in (source / "game").iterdir():
        if entry.name != "telemetry":
            (lake / "game" / entry.name).symlink_to(entry.resolve())
    telemetry = lake / "game" / "telemetry"
    telemetry.mkdir()
    files = sorted((source / "game" / "telemetry").glob("telemetry_*.jsonl.gz"))
    for path in files[:-1]:
        (telemetry / path.name).symlink_to(path.resolve())
    return files[-1].resolve()


def geo_join_seconds(con: duckdb.DuckDBPyConnection, events: str, networks: str, bucketed: bool) -> float:
    """Seconds to materialize events left-joined to networks on the address range (bucketed or not)."""
    condition = "events.ip_number between networks.network_start_ip and networks.network_end_ip"
    if bucketed:
        condition = "events.ip_bucket = networks.ip_bucket and " + condition
    started = time.perf_counter()
    con.execute(f"""
        create or replace temp table joined as
        select events.event_id, networks.network
        from {events} as events
        left join {networks} as networks
            on {condition}
    """)
    return time.perf_counter() - started


def bench_geo(warehouse: Path, synthetic_networks: int) -> dict[str, float]:
    con = duckdb.connect()
    try:
        con.execute(f"attach '{warehouse}' as warehouse (read_only)")
        con.execute("""
            create temp table events as
            select event_id, ip_number, cast(floor(ip_number / 65536) as bigint) as ip_bucket
            from warehouse.intermediate.int_game_events_geolocated
        """)
        con.execute("""
            create temp table networks_plain as
            select distinct network, network_start_ip, network_end_ip
            from warehouse.intermediate.int_geo_networks_bucketed
        """)
        rows = con.execute("select count(*) from events").fetchone()[0]
        networks = con.execute("select count(*) from networks_plain").fetchone()[0]
        result: dict[str, float] = {"geo_events": rows, "geo_networks": networks}
        result["geo_bucketed_s"] = geo_join_seconds(
            con, "events", "warehouse.intermediate.int_geo_networks_bucketed", True
        )
        result["geo_plain_range_s"] = geo_join_seconds(con, "events", "networks_plain", False)
        # Synthetic GeoLite2-sized table: consecutive /24s from 1.0.0.0, events spread over them.
        con.execute(f"""
            create temp table synthetic_networks as
            select
                'n' || range as network,
                16777216 + range * 256 as network_start_ip,
                16777216 + range * 256 + 255 as network_end_ip,
                cast(floor((16777216 + range * 256) / 65536) as bigint) as ip_bucket
            from range({synthetic_networks})
        """)
        con.execute(f"""
            create temp table synthetic_events as
            select
                event_id,
                16777216 + cast(hash(event_id) % ({synthetic_networks} * 256) as bigint) as ip_number,
                cast(floor((16777216 + cast(hash(event_id) % ({synthetic_networks} * 256) as bigint)) / 65536)
                    as bigint) as ip_bucket
            from events
        """)
        result["synthetic_networks"] = synthetic_networks
        result["synthetic_bucketed_s"] = geo_join_seconds(con, "synthetic_events", "synthetic_networks", True)
        result["synthetic_plain_range_s"] = geo_join_seconds(con, "synthetic_events", "synthetic_networks", False)
        return result
    finally:
        con.close()


def time_marts(warehouse: Path) -> dict[str, float]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        seconds = {}
        for mart in MARTS:
            started = time.perf_counter()
            con.execute(f"select count(*) from (select * from marts.{mart})").fetchone()
            seconds[mart] = round(time.perf_counter() - started, 2)
        return seconds
    finally:
        con.close()


def bench(scale: float, seed: int, source: Path | None, work: Path, synthetic_networks: int) -> dict[str, object]:
    if source is None:
        out, _, _ = ensure_lake(scale, seed, PROJECT_ROOT / "bench_out" / f"scale_{scale:g}")
        source = out / "lake"
    lake, home = work / "lake", work / "home"
    new_day = link_lake(source, lake)
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    target = home / "target"
    env = {**os.environ, **TELEMETRY_OFF, "C360_LAKE": str(lake), "C360_HOME": str(home)}
    dbt = [sys.executable, "-m", "orchestration.dbt_cli"]
    common = ["--target-path", str(target), "--log-path", str(home / "logs"), "--quiet"]
    selection = ["--select", *TELEMETRY_STAGING, *GAME_MODELS]

    def run(*args: str) -> tuple[float, dict[str, float]]:
        measured = measure_isolated([*dbt, *args, *common], env=env, cwd=PROJECT_ROOT)
        return measured.seconds, model_seconds(target)

    seed_s, _ = run("seed")
    staged_s, _ = run("run", "--select", "+path:models/marts/game", "--exclude", *GAME_MODELS)
    upstream_s = seed_s + staged_s
    full_s, full_models = run("run", *selection, "--full-refresh")
    marts_s = time_marts(home / "warehouse.duckdb")
    unchanged_s, unchanged_models = run("run", *selection)
    (lake / "game" / "telemetry" / new_day.name).symlink_to(new_day)
    incremental_s, incremental_models = run("run", *selection)

    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        events, days = con.execute(
            "select count(*), count(distinct event_date) from intermediate.int_game_events_geolocated"
        ).fetchone()
        new_rows = con.execute(
            "select count(*) from intermediate.int_game_events_geolocated where source_file like ?",
            [f"%{new_day.name}"],
        ).fetchone()[0]
    finally:
        con.close()
    geo = bench_geo(home / "warehouse.duckdb", synthetic_networks)

    def game_only(models: dict[str, float]) -> float:
        return round(sum(s for name, s in models.items() if name not in TELEMETRY_STAGING), 2)

    return {
        "scale": scale, "events": events, "days": days, "new_day_events": new_rows,
        "upstream_s": round(upstream_s, 1),
        "full_s": round(full_s, 1), "unchanged_s": round(unchanged_s, 1), "incremental_s": round(incremental_s, 1),
        "full_models": full_models, "unchanged_models": unchanged_models, "incremental_models": incremental_models,
        "full_game_s": game_only(full_models), "incremental_game_s": game_only(incremental_models),
        "mart_query_s": marts_s, **geo,
    }  # fmt: skip


def render(result: dict[str, object]) -> str:
    full_geo = result["full_models"].get("int_game_events_geolocated", 0.0)
    lines = [
        f"game telemetry benchmark, scale {result['scale']:g}: {result['events']:,} events over "
        f"{result['days']} days; the new day has {result['new_day_events']:,} events",
        f"  upstream (seed, staging, identity; not counted):  {result['upstream_s']:.1f} s",
        "  wall time, one dbt process each (telemetry staging + intermediate/game + marts/game):",
        f"    full rebuild (--full-refresh, every day written) {result['full_s']:.1f} s",
        f"    no change                                        {result['unchanged_s']:.1f} s",
        f"    incremental (one new day's file)                 {result['incremental_s']:.1f} s"
        f"   ratio incremental / full = {result['incremental_s'] / result['full_s']:.2f}",
        "  model execution time, game models only (staging excluded):",
        f"    full {result['full_game_s']:.2f} s, incremental {result['incremental_game_s']:.2f} s,"
        f" ratio {result['incremental_game_s'] / max(result['full_game_s'], 1e-9):.3f}",
        f"  per model, full:        {json.dumps(result['full_models'])}",
        f"  per model, incremental: {json.dumps(result['incremental_models'])}",
        f"  querying each mart view in full (s): {json.dumps(result['mart_query_s'])}",
        f"  int_game_events_geolocated, full build: {full_geo:.2f} s = "
        f"{result['events'] / max(full_geo, 1e-9):,.0f} events/s (parse IP, bucketed geo join, fingerprints, insert,"
        " Parquet days)",
        f"  geo join alone, {result['geo_events']:,} events x {result['geo_networks']} networks:"
        f" bucketed {result['geo_bucketed_s']:.2f} s ({result['geo_events'] / result['geo_bucketed_s']:,.0f} rows/s),"
        f" plain range join {result['geo_plain_range_s']:.2f} s"
        f" ({result['geo_events'] / result['geo_plain_range_s']:,.0f} rows/s)",
        f"  geo join alone, same events x {result['synthetic_networks']:,} synthetic /24 networks:"
        f" bucketed {result['synthetic_bucketed_s']:.2f} s"
        f" ({result['geo_events'] / result['synthetic_bucketed_s']:,.0f} rows/s),"
        f" plain range join {result['synthetic_plain_range_s']:.2f} s"
        f" ({result['geo_events'] / result['synthetic_plain_range_s']:,.0f} rows/s)",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=100.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--source", type=Path, help="existing lake to link to (default bench_out/scale_S/lake)")
    parser.add_argument("--work", type=Path, help="work folder (default <temp dir>/c360_bench_game/scale_S)")
    parser.add_argument("--synthetic-networks", type=int, default=1_000_000)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.gettempdir()) / "c360_bench_game" / f"scale_{args.scale:g}"
    result = bench(args.scale, args.seed, args.source, work, args.synthetic_networks)
    print(render(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
