"""Benchmark: identity resolution (map, match, merge) at several scales, with its accuracy against the truth.

    python -m benchmarks.identity --scales 10 100 1000

For each scale: generate the lake (or reuse one already generated with the same scale and seed under
--out), stage the five contact sources and the game and web events (`dbt run` of what the identity models
read; timed apart), then time `dbt run` of the identity models alone (intermediate/identity and the
identity marts: normalize, shared networks, block, score, cluster, name, survivorship) with its peak
memory and the time of each model. Reports
contacts, candidate pairs per contact, customers, the largest cluster, pairwise precision / recall / F1
overall and per source pair beside the exact-normalized-email baseline, people split and customers
merging people, and time(last scale) / time(first scale). With ``--splink``, Splink 5 on the same normalized
contacts beside them (``benchmarks.identity_outside.splink_on_warehouse``, in a measured child process): P / R /
F1 at match probability 0.9 and the best recall at precision >= 0.99 over its thresholds. Not a test: numbers
vary by machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import duckdb

from benchmarks.identity_accuracy import report
from benchmarks.staging import measure_isolated
from orchestration.settings import PROJECT_ROOT, TELEMETRY_OFF

# What the identity models read: the staged contacts, and the game and logged-in web events whose shared home
# connections int_identity_shared_networks finds.
STAGED_INPUTS = ["+int_contacts_unioned", "+stg_game__game_events", "+stg_web__click_events"]
# The identity marts by name: marts/customers also holds customer_360, which needs the features and scores.
IDENTITY_SELECTION = [
    "path:models/intermediate/identity",
    "customers",
    "customer_identity_map",
    "identity_merge_log",
    "identity_cluster_warnings",
]


def ensure_lake(scale: float, seed: int, out: Path) -> tuple[Path, float | None, float | None]:
    """The lake for (scale, seed) under out, generated unless a complete one is there already."""
    manifest_path = out / "truth" / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if float(manifest.get("scale", -1)) == scale and int(manifest.get("seed", -1)) == seed:
            return out, None, None
    generated = measure_isolated(
        [sys.executable, "-m", "seeds_data.generate", "--scale", f"{scale:g}", "--seed", str(seed), "--out", str(out),
         "--quiet"],
        env={**os.environ, **TELEMETRY_OFF},
        cwd=PROJECT_ROOT,
    )  # fmt: skip
    return out, generated.seconds, generated.peak_mb


def model_seconds(target: Path) -> dict[str, float]:
    results = json.loads((target / "run_results.json").read_text())
    return {
        result["unique_id"].split(".")[-1]: round(float(result["execution_time"]), 2)
        for result in results["results"]
        if result["unique_id"].startswith("model.")
    }


def splink_beside(home: Path, truth: Path) -> dict[str, object]:
    """Splink 5 on the warehouse's normalized contacts (benchmarks.identity_outside), timed in a child process."""
    result_path = home / "splink_on_warehouse.json"
    measured = measure_isolated(
        [sys.executable, "-m", "benchmarks.identity_outside", "warehouse", "--home", str(home), "--truth", str(truth),
         "--json", str(result_path)],
        env={**os.environ, **TELEMETRY_OFF},
        cwd=PROJECT_ROOT,
    )  # fmt: skip
    result = json.loads(result_path.read_text())
    return {
        "splink_s": measured.seconds,
        "splink_peak_mb": measured.peak_mb,
        "splink_precision": result["precision"],
        "splink_recall": result["recall"],
        "splink_f1": result["f1"],
        "splink_best_recall_p99": result["best_recall_at_precision_0_99"],
        "splink_blocking_recall": result.get("blocking_recall"),
        "splink": result,
    }


def bench_scale(scale: float, seed: int, out_root: Path, splink: bool = False) -> dict[str, object]:
    out, generate_s, generate_peak_mb = ensure_lake(scale, seed, out_root / f"scale_{scale:g}")
    home = out / "identity_home"
    warehouse = home / "warehouse.duckdb"
    home.mkdir(parents=True, exist_ok=True)
    for stale in (warehouse, home / "warehouse.duckdb.wal"):
        stale.unlink(missing_ok=True)
    target = home / "target"
    env = {**os.environ, **TELEMETRY_OFF, "C360_LAKE": str(out / "lake"), "C360_HOME": str(home)}
    dbt = [sys.executable, "-m", "orchestration.dbt_cli"]
    common = ["--target-path", str(target), "--log-path", str(home / "logs"), "--quiet"]

    measure_isolated([*dbt, "seed", *common], env=env, cwd=PROJECT_ROOT)
    staged = measure_isolated(
        [*dbt, "run", "--select", *STAGED_INPUTS, "--exclude", "int_contacts_unioned", *common],
        env=env,
        cwd=PROJECT_ROOT,
    )
    identity = measure_isolated([*dbt, "run", "--select", *IDENTITY_SELECTION, *common], env=env, cwd=PROJECT_ROOT)
    per_model = model_seconds(target)

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        contacts, pairs, edges, customers, largest = con.execute("""
            select
                (select count(*) from intermediate.int_contacts_normalized),
                (select count(*) from intermediate.int_identity_candidate_pairs),
                (select count(*) from intermediate.int_identity_match_edges),
                (select count(*) from marts.customers),
                (select max(cluster_size) from intermediate.int_identity_clusters)
        """).fetchone()
        unconverged = con.execute("""
            select count(*)
            from intermediate.int_identity_match_edges as edges
            inner join intermediate.int_identity_clusters as a on edges.contact_id_a = a.contact_id
            inner join intermediate.int_identity_clusters as b on edges.contact_id_b = b.contact_id
            where a.propagated_cluster_label <> b.propagated_cluster_label
        """).fetchone()[0]
    finally:
        con.close()
    accuracy = report(warehouse, out / "truth")
    c360, baseline = accuracy["c360"], accuracy["email_baseline"]
    assert isinstance(c360, dict) and isinstance(baseline, dict)
    beside = splink_beside(home, out / "truth") if splink else {}
    return {
        "scale": scale,
        "generate_s": generate_s,
        "generate_peak_mb": generate_peak_mb,
        "stage_contacts_s": staged.seconds,
        "identity_s": identity.seconds,
        "identity_peak_mb": identity.peak_mb,
        "identity_model_s": per_model,
        "contacts": contacts,
        "candidate_pairs": pairs,
        "candidate_pairs_per_contact": pairs / contacts if contacts else 0.0,
        "blocking_recall": accuracy["blocking_recall"],
        "match_edges": edges,
        "customers": customers,
        "largest_cluster": largest,
        "edges_not_converged": unconverged,
        "accuracy": accuracy,
        "precision": c360["overall"]["precision"],
        "recall": c360["overall"]["recall"],
        "f1": c360["overall"]["f1"],
        "people_split": c360["people_split"],
        "customers_merging_people": c360["clusters_merging_people"],
        "email_precision": baseline["overall"]["precision"],
        "email_recall": baseline["overall"]["recall"],
        "email_f1": baseline["overall"]["f1"],
        **beside,
    }


def render(results: list[dict[str, object]]) -> str:
    columns = [
        ("scale", "{:g}"),
        ("contacts", "{:,}"),
        ("stage_contacts_s", "{:.1f}"),
        ("identity_s", "{:.1f}"),
        ("identity_peak_mb", "{:,.0f}"),
        ("candidate_pairs", "{:,}"),
        ("candidate_pairs_per_contact", "{:.2f}"),
        ("blocking_recall", "{:.4f}"),
        ("match_edges", "{:,}"),
        ("customers", "{:,}"),
        ("largest_cluster", "{:,}"),
        ("edges_not_converged", "{:,}"),
        ("precision", "{:.4f}"),
        ("recall", "{:.4f}"),
        ("f1", "{:.4f}"),
        ("people_split", "{:,}"),
        ("customers_merging_people", "{:,}"),
        ("email_precision", "{:.4f}"),
        ("email_recall", "{:.4f}"),
        ("email_f1", "{:.4f}"),
    ]
    if all("splink_f1" in result for result in results):
        columns += [
            ("splink_s", "{:.1f}"),
            ("splink_peak_mb", "{:,.0f}"),
            ("splink_precision", "{:.4f}"),
            ("splink_recall", "{:.4f}"),
            ("splink_f1", "{:.4f}"),
            ("splink_best_recall_p99", "{}"),
            ("splink_blocking_recall", "{}"),
        ]
    lines = [f"{name:<28}" + "".join(f"{fmt.format(result[name]):>14}" for result in results) for name, fmt in columns]
    models = sorted({model for result in results for model in result["identity_model_s"]})  # type: ignore[union-attr]
    lines.append("seconds per model:")
    for model in models:
        lines.append(
            f"  {model:<26}" + "".join(f"{result['identity_model_s'].get(model, 0.0):>14.2f}" for result in results)  # type: ignore[union-attr]
        )
    if len(results) > 1:
        first, last = results[0], results[-1]
        lines.append(
            f"identity_s scale {last['scale']:g} / scale {first['scale']:g}: "
            f"{last['identity_s'] / first['identity_s']:.1f}x for {last['scale'] / first['scale']:g}x the people"  # type: ignore[operator]
        )
        for earlier, later in zip(results, results[1:], strict=False):
            if later is not last or earlier is not first:
                lines.append(
                    f"identity_s scale {later['scale']:g} / scale {earlier['scale']:g}: "
                    f"{later['identity_s'] / earlier['identity_s']:.1f}x"  # type: ignore[operator]
                )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "bench_out")
    parser.add_argument("--splink", action="store_true", help="also run Splink 5 on each warehouse's contacts")
    args = parser.parse_args(argv)
    args.out = args.out.resolve()  # dbt runs from dbt_project/, so every path handed to it is absolute
    results = []
    for scale in args.scales:
        print(f"identity benchmark: scale {scale:g} ...", file=sys.stderr, flush=True)
        results.append(bench_scale(scale, args.seed, args.out, splink=args.splink))
        print(render(results), file=sys.stderr, flush=True)
    print(render(results))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "identity_benchmark.json").write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
