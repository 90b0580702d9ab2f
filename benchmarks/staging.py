"""Benchmark: the generator and the dbt staging build at several scales, beside a plain DuckDB scan.

    python -m benchmarks.staging --scales 10 100

For each scale: generate a lake (wall time, lake rows per second, peak memory), scan every lake file
once with plain DuckDB into a table (the floor: what reading the bytes costs), then `dbt run` and
`dbt build` of the staging layer on the same files. Prints figures and ratios. Not a test: numbers vary by
machine; tests never assert on time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR, PROJECT_ROOT, TELEMETRY_OFF

# One plain DuckDB read per lake file family: the floor any staging build pays.
FLOOR_SCAN = """
import sys, duckdb
lake = sys.argv[1]
con = duckdb.connect(sys.argv[2])
con.execute("set enable_progress_bar = false")
reads = {
    "crm_contacts": f"read_csv('{lake}/crm/contacts.csv', all_varchar=true)",
    "erp_customers": f"read_csv('{lake}/erp/customers.csv', delim=';', all_varchar=true)",
    "erp_orders": f"read_csv('{lake}/erp/sales_orders.csv', delim=';', all_varchar=true)",
    "erp_lines": f"read_csv('{lake}/erp/sales_order_lines.csv', delim=';', all_varchar=true)",
    "shop_accounts": f"read_json('{lake}/shop/accounts.jsonl', format='newline_delimited', ignore_errors=true)",
    "shop_orders": f"read_json('{lake}/shop/orders/*.jsonl.gz', format='newline_delimited', ignore_errors=true)",
    "pos_lines": f"read_parquet('{lake}/pos/transactions/*.parquet')",
    "loyalty": f"read_csv('{lake}/pos/loyalty_members.csv', all_varchar=true)",
    "clicks": f"read_json('{lake}/web/clickstream/*/*.jsonl.gz', format='newline_delimited', ignore_errors=true)",
    "game_events": f"read_json('{lake}/game/telemetry/*.jsonl.gz', format='newline_delimited', ignore_errors=true)",
    "players": f"read_csv('{lake}/game/players.csv', all_varchar=true)",
    "exposures": f"read_csv('{lake}/marketing/exposures.csv.gz', all_varchar=true)",
}
rows = 0
for name, read in reads.items():
    con.execute(f"create table {name} as select * from {read}")
    rows += con.execute(f"select count(*) from {name}").fetchone()[0]
print(rows)
"""


@dataclass
class Measured:
    seconds: float
    peak_mb: float
    stdout: str


def measure_isolated(command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Measured:
    """Measure in a fresh Python parent, so the peak memory is this command's alone."""
    wrapper = [
        sys.executable,
        "-c",
        "import json,resource,subprocess,sys,time;t=time.perf_counter();"
        "p=subprocess.run(sys.argv[1:],capture_output=True,text=True);"
        "json.dump({'rc':p.returncode,'s':time.perf_counter()-t,"
        "'kb':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,'out':p.stdout,'err':p.stderr[-4000:]},"
        "sys.stdout)",
        *command,
    ]
    result = json.loads(subprocess.run(wrapper, env=env, cwd=cwd, capture_output=True, text=True).stdout)
    if result["rc"] != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result['rc']}):\n{result['err']}")
    return Measured(result["s"], result["kb"] / 1024, result["out"])


def lake_size_mb(lake: Path) -> float:
    return sum(path.stat().st_size for path in lake.rglob("*") if path.is_file()) / 1e6


def bench_scale(scale: float, out_root: Path, seed: int) -> dict[str, float]:
    out = out_root / f"scale_{scale:g}"
    home = out / "home"
    shutil.rmtree(out, ignore_errors=True)
    home.mkdir(parents=True)
    base_env = {**os.environ, **TELEMETRY_OFF}
    python = sys.executable

    generated = measure_isolated(
        [python, "-m", "seeds_data.generate", "--scale", f"{scale:g}", "--seed", str(seed), "--out", str(out)],
        env=base_env,
        cwd=PROJECT_ROOT,
    )
    manifest = json.loads((out / "truth" / "manifest.json").read_text())
    lake_rows = sum(manifest["row_counts"].values())
    lake = out / "lake"

    floor = measure_isolated([python, "-c", FLOOR_SCAN, str(lake), str(home / "floor.duckdb")], env=base_env)

    dbt_env = {**base_env, "C360_LAKE": str(lake), "C360_HOME": str(home)}
    dbt = [python, "-m", "orchestration.dbt_cli"]
    run = measure_isolated([*dbt, "run", "--select", "staging"], env=dbt_env, cwd=PROJECT_ROOT)
    build = measure_isolated([*dbt, "build", "--select", "staging"], env=dbt_env, cwd=PROJECT_ROOT)
    return {
        "scale": scale,
        "people": manifest.get("people", 1000 * scale),
        "lake_rows": lake_rows,
        "lake_mb": lake_size_mb(lake),
        "generate_s": generated.seconds,
        "generate_rows_per_s": lake_rows / generated.seconds,
        "generate_peak_mb": generated.peak_mb,
        "floor_scan_s": floor.seconds,
        "floor_rows": float(floor.stdout.strip().splitlines()[-1]),
        "dbt_run_staging_s": run.seconds,
        "dbt_run_peak_mb": run.peak_mb,
        "dbt_build_staging_s": build.seconds,
        "dbt_run_over_floor": run.seconds / floor.seconds,
        "dbt_build_over_floor": build.seconds / floor.seconds,
    }


def render(results: list[dict[str, float]]) -> str:
    columns = [
        ("scale", "{:g}"),
        ("people", "{:,.0f}"),
        ("lake_rows", "{:,.0f}"),
        ("lake_mb", "{:.1f}"),
        ("generate_s", "{:.1f}"),
        ("generate_rows_per_s", "{:,.0f}"),
        ("generate_peak_mb", "{:.0f}"),
        ("floor_scan_s", "{:.2f}"),
        ("dbt_run_staging_s", "{:.1f}"),
        ("dbt_run_peak_mb", "{:.0f}"),
        ("dbt_build_staging_s", "{:.1f}"),
        ("dbt_run_over_floor", "{:.1f}x"),
        ("dbt_build_over_floor", "{:.1f}x"),
    ]
    lines = []
    for name, fmt in columns:
        lines.append(f"{name:<22}" + "".join(f"{fmt.format(result[name]):>16}" for result in results))
    if len(results) > 1:
        first, last = results[0], results[-1]
        factor = last["scale"] / first["scale"]
        lines.append("")
        for name in ("generate_s", "floor_scan_s", "dbt_run_staging_s", "dbt_build_staging_s"):
            lines.append(
                f"{name} scale {last['scale']:g} / scale {first['scale']:g}: "
                f"{last[name] / first[name]:.1f}x for {factor:g}x the data"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=[10, 100])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "bench_out")
    args = parser.parse_args(argv)
    if not DBT_PROJECT_DIR.exists():
        parser.error(f"no dbt project at {DBT_PROJECT_DIR}")
    results = []
    for scale in args.scales:
        print(f"benchmark: scale {scale:g} ...", file=sys.stderr, flush=True)
        results.append(bench_scale(scale, args.out, args.seed))
        print(render(results), file=sys.stderr, flush=True)
    print(render(results))
    (args.out / "staging_benchmark.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
