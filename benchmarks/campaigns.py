"""Benchmark: the campaign-effectiveness family (intermediate/campaigns + marts/campaigns) at one or more scales.

    python -m benchmarks.campaigns --scales 10 100

For each scale, on the lake bench_out/scale_S/lake (generated there if absent) and its own home
(--home-root, default <temp dir>/c360_bench_campaigns/scale_S):

1. upstream: everything the family reads (`+path:models/marts/campaigns` minus the family), models only,
   timed but reported apart; skipped with --reuse-upstream when the home already holds a warehouse;
2. family build: `dbt build` of the family (models and their tests), wall time of the dbt process (its
   parse time included) and per-model execution times;
3. family run: the same models again without tests (the rebuild cost in a daily run);
4. query: campaign_effectiveness is a view, so the time to read it in full is timed in-process;
5. quality against truth/campaign_uplift.csv: the share of campaigns whose 95 % interval covers the true
   uplift, the mean absolute error and the mean interval width, for the observed uplift (uplift_abs) and
   the attribution-adjusted one (uplift_adjusted = uplift_abs / attribution_share), with the mean q.

Prints one block per scale and writes bench_out/campaigns_benchmark.json. Not a test: times vary with the
machine and its load.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks.identity import ensure_lake, model_seconds
from benchmarks.staging import measure_isolated
from orchestration.settings import PROJECT_ROOT, TELEMETRY_OFF

FAMILY = ["path:models/intermediate/campaigns", "path:models/marts/campaigns"]
UPSTREAM = ["--select", "+path:models/marts/campaigns", "--exclude", *FAMILY]


def uplift_quality(warehouse: Path, truth: Path) -> dict[str, object]:
    """Interval coverage of the true uplift, mean absolute error and mean interval width over campaigns, for the
    observed uplift (top-level keys) and the attribution-adjusted one (key "adjusted")."""
    with (truth / "campaign_uplift.csv").open(newline="") as handle:
        true_uplift = {row["campaign_id"]: float(row["true_uplift"]) for row in csv.DictReader(handle)}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("""
            select
                campaign_id, uplift_abs, uplift_ci_lower, uplift_ci_upper,
                uplift_adjusted, uplift_adjusted_ci_lower, uplift_adjusted_ci_upper, attribution_share
            from marts.campaign_effectiveness
            where uplift_abs is not null
        """).fetchall()
    finally:
        con.close()
    observed = [(true_uplift[row[0]], *row[1:4]) for row in rows if row[0] in true_uplift]
    if not observed:
        raise RuntimeError(f"no campaign of {warehouse} has an uplift and a true uplift in {truth}")
    adjusted = [(true_uplift[row[0]], *row[4:7]) for row in rows if row[0] in true_uplift and row[4] is not None]
    shares = [row[7] for row in rows if row[0] in true_uplift and row[7] is not None]
    return {
        **interval_quality(observed),
        "adjusted": {
            **(interval_quality(adjusted) if adjusted else {"campaigns": 0}),
            "mean_attribution_share": sum(shares) / len(shares) if shares else None,
        },
    }


def interval_quality(measured: list[tuple[float, float, float, float]]) -> dict[str, float | int]:
    """Coverage, mean |error| and mean width of (true, estimate, lower, upper) tuples."""
    covered = sum(low <= true <= high for true, _, low, high in measured)
    return {
        "campaigns": len(measured),
        "covered": covered,
        "coverage": covered / len(measured),
        "mean_abs_error": sum(abs(est - true) for true, est, _, _ in measured) / len(measured),
        "mean_ci_width": sum(high - low for _, _, low, high in measured) / len(measured),
    }


def query_seconds(warehouse: Path) -> tuple[float, int, int]:
    """Seconds to read campaign_effectiveness in full, its rows and the members behind it."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        started = time.perf_counter()
        rows = con.execute("select * from marts.campaign_effectiveness").fetchall()
        seconds = time.perf_counter() - started
        members = con.execute("select count(*) from intermediate.int_campaign_members_measured").fetchone()[0]
    finally:
        con.close()
    return seconds, len(rows), members


def bench_scale(scale: float, seed: int, out_root: Path, home_root: Path, reuse_upstream: bool) -> dict[str, object]:
    out, _, _ = ensure_lake(scale, seed, out_root / f"scale_{scale:g}")
    home = home_root / f"scale_{scale:g}"
    warehouse = home / "warehouse.duckdb"
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **TELEMETRY_OFF, "C360_LAKE": str(out / "lake"), "C360_HOME": str(home)}
    dbt = [sys.executable, "-m", "orchestration.dbt_cli"]
    common = ["--target-path", str(home / "target"), "--log-path", str(home / "logs"), "--quiet"]

    upstream_s = None
    if not (reuse_upstream and warehouse.exists()):
        for stale in (warehouse, home / "warehouse.duckdb.wal"):
            stale.unlink(missing_ok=True)
        measure_isolated([*dbt, "seed", *common], env=env, cwd=PROJECT_ROOT)
        upstream_s = measure_isolated([*dbt, "run", *UPSTREAM, *common], env=env, cwd=PROJECT_ROOT).seconds
    build = measure_isolated([*dbt, "build", "--select", *FAMILY, *common], env=env, cwd=PROJECT_ROOT)
    run = measure_isolated([*dbt, "run", "--select", *FAMILY, *common], env=env, cwd=PROJECT_ROOT)
    per_model = model_seconds(home / "target")
    read_s, campaigns, members = query_seconds(warehouse)
    return {
        "scale": scale,
        "upstream_s": upstream_s,
        "family_build_s": build.seconds,
        "family_build_peak_mb": build.peak_mb,
        "family_run_s": run.seconds,
        "model_s": per_model,
        "view_read_s": read_s,
        "campaigns": campaigns,
        "members": members,
        "quality": uplift_quality(warehouse, out / "truth"),
    }


def render(results: list[dict[str, object]]) -> str:
    lines = []
    for result in results:
        quality = result["quality"]
        assert isinstance(quality, dict)
        upstream = result["upstream_s"]
        lines += [
            f"scale {result['scale']:g}: {result['members']} members, {result['campaigns']} campaigns",
            f"  upstream (not part of the family): {'reused' if upstream is None else f'{upstream:.1f} s'}",
            f"  family build (models + tests, one dbt process): {result['family_build_s']:.1f} s, "
            f"peak {result['family_build_peak_mb']:.0f} MB",
            f"  family run (models only): {result['family_run_s']:.1f} s; per model: {result['model_s']}",
            f"  campaign_effectiveness (view) read in full: {result['view_read_s']:.3f} s",
            f"  95 % interval covers the true uplift: {quality['covered']}/{quality['campaigns']} "
            f"= {quality['coverage']:.1%}; mean |error| {quality['mean_abs_error']:.4f}, "
            f"mean width {quality['mean_ci_width']:.4f}",
        ]
        adjusted = quality["adjusted"]
        assert isinstance(adjusted, dict)
        if adjusted["campaigns"]:
            lines.append(
                f"  attribution-adjusted (mean q {adjusted['mean_attribution_share']:.3f}): interval covers "
                f"{adjusted['covered']}/{adjusted['campaigns']} = {adjusted['coverage']:.1%}; "
                f"mean |error| {adjusted['mean_abs_error']:.4f}, mean width {adjusted['mean_ci_width']:.4f}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=[10, 100])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "bench_out")
    parser.add_argument("--home-root", type=Path, default=Path(tempfile.gettempdir()) / "c360_bench_campaigns")
    parser.add_argument(
        "--reuse-upstream", action="store_true", help="keep an existing warehouse under the home (skip step 1)"
    )
    args = parser.parse_args(argv)
    args.out = args.out.resolve()  # dbt runs from dbt_project/, so every path handed to it is absolute
    args.home_root = args.home_root.resolve()
    results = []
    for scale in args.scales:
        print(f"campaigns benchmark: scale {scale:g} ...", file=sys.stderr, flush=True)
        results.append(bench_scale(scale, args.seed, args.out, args.home_root, args.reuse_upstream))
        print(render(results[-1:]), file=sys.stderr, flush=True)
    print(render(results))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "campaigns_benchmark.json").write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
