"""Quality of the churn, CLV and segment scores against the generator's truth (benchmarks and tests only).

Trains the three models on a built warehouse (ml.pipeline), writes the score tables, then compares the scores
at the scoring date with seeds_data truth (people.csv, as of 2026-09-30 inclusive = our scoring date
2026-10-01 exclusive):

* Population: each person is evaluated once, through the customer holding most of that person's source
  records (truth/source_records.csv matched to marts.customer_identity_map; ties: the smallest customer_id);
  persons without a customer are left out.
* Churn: ROC AUC and Brier of ``churn_probability`` against ``is_churned_90d`` (persons where it is 1/0), beside
  the recency-only ranking (days since the last purchase; never bought = longest) and the training base rate.
* CLV: per-person RMSE, Spearman rank correlation, the share of next-period revenue held by the top 20 % by
  predicted value, and total-spend error (predicted total / actual total - 1) of ``clv_eur`` against
  ``spend_next_180d_eur``, beside BG/NBD + Gamma-Gamma and the naive "same as last period" (spend in the 180
  days before the scoring date), both without seasonal factor (as published / as defined).
* CLV uncertainty: 95 % paired bootstrap intervals over persons for the total error and for model minus each
  baseline on RMSE, Spearman and top-20 % share (:func:`paired_bootstrap`).
* Segment: holdout accuracy of the classifier against the rule segment, beside the majority class; and the
  agreement of the scored segment with the rules applied to the scoring-date features.

``python -m benchmarks.scores_quality --lake L --truth T --home H [--skip-build]`` prints a table and writes
JSON to bench_out/scores_quality_<lake name>.json (or --json PATH).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ml import metrics, pipeline, segments
from ml.btyd import BTYDModel
from ml.training import naive_prediction

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"churn_roc_auc_min": 0.80, "clv_total_error_abs_max": 0.10}


def build(lake: Path, home: Path, dbt_args: tuple[str, ...] = ("build", "--quiet")) -> float:
    """dbt build of ``lake`` into ``home`` (or another dbt command: ``dbt_args``); returns seconds."""
    home.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "C360_LAKE": str(lake.resolve()),
        "C360_HOME": str(home.resolve()),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "orchestration.dbt_cli", *dbt_args],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"dbt {' '.join(dbt_args)} of {lake} failed:\n{(done.stdout + done.stderr)[-4000:]}")
    return time.perf_counter() - started


def truth_population(warehouse: Path, truth: Path) -> pd.DataFrame:
    """One row per person with a customer: person_id, customer_id and the truth columns (every ``is_churned_<h>d``
    and ``spend_next_<h>d_eur`` that people.csv holds: 90 and 180 days by default, 273 with --future-days 273)."""
    records = str(truth / "source_records.csv").replace("'", "''")
    people = str(truth / "people.csv").replace("'", "''")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(f"""
            with truth_records as (
                select source_system, source_record_id, person_id
                from read_csv('{records}', header = true, all_varchar = true)
            ),
            held as (
                select person_id, customer_id, count(*) as records, min(contact_id) as first_contact_id
                from marts.customer_identity_map
                inner join truth_records using (source_system, source_record_id)
                group by person_id, customer_id
            ),
            person_customer as (
                -- ties broken by the customer's smallest contact id, so reruns evaluate the same population (a
                -- customer_id is keyed by each warehouse's own secret, so it orders differently in each)
                select person_id, customer_id
                from held
                qualify row_number() over (partition by person_id order by records desc, first_contact_id) = 1
            )
            select
                person_customer.person_id,
                person_customer.customer_id,
                try_cast(nullif(columns('^is_churned_[0-9]+d$'), '') as integer),
                cast(columns('^spend_next_[0-9]+d_eur$') as double)
            from person_customer
            inner join read_csv('{people}', header = true, all_varchar = true) as people using (person_id)
        """).df()
    finally:
        con.close()


def _scores(warehouse: Path, table: str) -> pd.DataFrame:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(f"select * from ml.{table}").df()
    finally:
        con.close()


def paired_bootstrap(
    actual: np.ndarray, model: np.ndarray, baselines: dict[str, np.ndarray], *, resamples: int = 200, seed: int = 0
) -> dict[str, list[float]]:
    """95 % percentile intervals over persons resampled with replacement (the same resample for every predictor):
    the model's total error, and model minus each baseline on RMSE, Spearman and top-20 % share.

    A difference whose interval spans 0 is not resolved by this population: on the sample (~870 persons) the
    next-period spend of a handful of big spenders moves every CLV figure by several per cent.
    """
    rng = np.random.default_rng(seed)
    draws: dict[str, list[float]] = {}
    for _ in range(resamples):
        rows = rng.integers(0, len(actual), len(actual))
        ours = metrics.clv_metrics(actual[rows], model[rows])
        draws.setdefault("total_error", []).append(ours["total_error"])
        for name, predicted in baselines.items():
            theirs = metrics.clv_metrics(actual[rows], predicted[rows])
            for metric in ("rmse", "spearman", "top20_share"):
                draws.setdefault(f"{metric}_minus_{name}", []).append(ours[metric] - theirs[metric])
    return {key: [float(np.nanpercentile(v, 2.5)), float(np.nanpercentile(v, 97.5))] for key, v in draws.items()}


def evaluate_against_truth(warehouse: Path, truth: Path, outcomes: dict[str, Any]) -> dict[str, Any]:
    """Truth metrics of the score tables (written beforehand) and their baselines; see the module docstring."""
    population = truth_population(warehouse, truth)
    features = pipeline.feature_frame_for_drift(warehouse)
    frame = population.merge(features, on="customer_id", how="left")
    result: dict[str, Any] = {"persons_evaluated": len(population)}

    churn = frame.merge(_scores(warehouse, "churn_scores")[["customer_id", "churn_probability"]], on="customer_id")
    churn = churn[churn["is_churned_90d"].notna()]
    y = churn["is_churned_90d"].to_numpy(dtype=int)
    recency = churn["recency_days"].to_numpy(dtype=float)
    recency = np.where(np.isfinite(recency), recency, np.nanmax(recency, initial=0) + 1)
    holdout = outcomes["churn"].holdout
    # the churn share the training labels knew (a label-free champion without a holdout: its own mean forecast)
    base_rate = float(
        holdout["is_churned"].mean()
        if holdout is not None and "is_churned" in holdout
        else churn["churn_probability"].mean()
    )
    result["churn"] = {
        "persons": len(churn),
        "model_family": outcomes["churn"].model_family,
        "truth_churn_share": float(y.mean()),
        **metrics.churn_metrics(y, churn["churn_probability"].to_numpy()),
        "baseline_recency_roc_auc": metrics.churn_metrics(y, recency / max(recency.max(), 1))["roc_auc"],
        "baseline_base_rate_brier": float(np.mean((y - base_rate) ** 2)),
    }

    clv_scores = _scores(warehouse, "clv_scores")[["customer_id", "clv_eur"]]
    clv = frame.merge(clv_scores, on="customer_id")
    actual = clv["spend_next_180d_eur"].fillna(0).to_numpy(dtype=float)
    model = outcomes["clv"].model
    horizon = model.estimator_.horizon_days
    if hasattr(model.estimator_, "predict_btyd"):  # the BG/NBD the model carries (fitted at its training date)
        btyd = model.estimator_.predict_btyd(clv)["bgnbd_gg_clv_eur"].to_numpy()
    else:  # a naive champion: BG/NBD + Gamma-Gamma fitted on the scoring date's features, as published
        btyd = BTYDModel.fit(features).predict_frame(clv, horizon)["bgnbd_gg_clv_eur"].to_numpy()
    naive = naive_prediction(clv, horizon)
    result["clv"] = {
        "persons": len(clv),
        "model_family": outcomes["clv"].model_family,
        "actual_total_eur": float(actual.sum()),
        "predicted_total_eur": float(clv["clv_eur"].sum()),
        "seasonal_factor": float(outcomes["clv"].params.get("seasonal_factor", 1.0)),
        "attribution_factor": float(outcomes["clv"].params.get("attribution_factor", 1.0)),
        "btyd_blend_weight": float(outcomes["clv"].params.get("btyd_blend_weight", 0.0)),
        **metrics.clv_metrics(actual, clv["clv_eur"].to_numpy()),
        **metrics.clv_metrics(actual, btyd, prefix="baseline_bgnbd_"),
        **metrics.clv_metrics(actual, naive, prefix="baseline_naive_"),
        "bootstrap_95": paired_bootstrap(
            actual, clv["clv_eur"].to_numpy(dtype=float), {"bgnbd": btyd, "naive": np.asarray(naive, dtype=float)}
        ),
    }

    segment_scores = _scores(warehouse, "customer_segments")[["customer_id", "segment"]]
    scored = features.merge(segment_scores, on="customer_id")
    rules = segments.assign_segments(scored, outcomes["segment"].model.segment_thresholds_)
    majority = pd.Series(rules).mode().iloc[0]
    result["segment"] = {
        "holdout_accuracy": outcomes["segment"].metrics["accuracy"],
        "holdout_baseline_majority_accuracy": outcomes["segment"].metrics["baseline_majority_accuracy"],
        "scoring_rule_agreement": float(np.mean(scored["segment"].to_numpy() == rules)),
        "scoring_baseline_majority_agreement": float(np.mean(rules == majority)),
        "scoring_segment_counts": scored["segment"].value_counts().to_dict(),
    }
    return result


def run(warehouse: Path, truth: Path) -> dict[str, Any]:
    """Train, score and evaluate the three models on a built warehouse; returns the report dict."""
    outcomes: dict[str, Any] = {}
    timings: dict[str, float] = {}
    for kind in pipeline.KINDS:
        started = time.perf_counter()
        outcome = pipeline.train_champion(warehouse, kind)  # what the train assets do: backtests choose the family
        timings[f"{kind}_train_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        pipeline.score_to_table(
            warehouse, kind, outcome.model, outcome.features,
            model_name=outcome.model_name, model_version="benchmark", scored_at=datetime.now(),
        )  # fmt: skip
        timings[f"{kind}_score_s"] = round(time.perf_counter() - started, 2)
        outcomes[kind] = outcome
    report = evaluate_against_truth(warehouse, truth, outcomes)
    report["holdout"] = {kind: outcome.metrics for kind, outcome in outcomes.items()}
    report["params"] = {kind: outcome.params for kind, outcome in outcomes.items()}
    report["timings"] = timings
    return report


def format_report(report: dict[str, Any]) -> str:
    churn, clv, seg = report["churn"], report["clv"], report["segment"]
    lines = [
        f"persons evaluated: {report['persons_evaluated']}",
        f"churn ({churn['persons']} persons, truth churn share {churn['truth_churn_share']:.3f})",
        f"  model ({churn['model_family']})  ROC AUC {churn['roc_auc']:.4f}  Brier {churn['brier']:.4f}",
        f"  baselines  recency ROC AUC {churn['baseline_recency_roc_auc']:.4f}  base-rate Brier"
        f" {churn['baseline_base_rate_brier']:.4f}",
        f"clv ({clv['persons']} persons, actual total {clv['actual_total_eur']:.0f} EUR, seasonal factor"
        f" {clv['seasonal_factor']:.3f}, attribution factor {clv['attribution_factor']:.3f}, BG/NBD blend weight"
        f" {clv.get('btyd_blend_weight', 0.0):.1f})",
        f"  {'':14s} {'RMSE':>10s} {'Spearman':>9s} {'top20 share':>12s} {'total error':>12s}",
    ]
    for name, prefix in ((clv["model_family"], ""), ("BG/NBD+GG", "baseline_bgnbd_"), ("naive", "baseline_naive_")):
        lines.append(
            f"  {name:14s} {clv[prefix + 'rmse']:10.1f} {clv[prefix + 'spearman']:9.4f}"
            f" {clv[prefix + 'top20_share']:12.4f} {clv[prefix + 'total_error']:+12.4f}"
        )
    intervals = clv.get("bootstrap_95", {})
    if intervals:
        lines.append("  95 % paired bootstrap intervals over persons (model minus baseline):")
        lines += [f"    {key:28s} [{low:+.4f}, {high:+.4f}]" for key, (low, high) in intervals.items()]
    lines += [
        f"segment: holdout accuracy {seg['holdout_accuracy']:.4f}"
        f" (majority {seg['holdout_baseline_majority_accuracy']:.4f});"
        f" scoring agreement with rules {seg['scoring_rule_agreement']:.4f}"
        f" (majority {seg['scoring_baseline_majority_agreement']:.4f})",
        f"timings: {report['timings']}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", type=Path, default=PROJECT_ROOT / "seeds_data" / "lake")
    parser.add_argument("--truth", type=Path, default=PROJECT_ROOT / "seeds_data" / "truth")
    parser.add_argument("--home", type=Path, required=True, help="C360_HOME to build into (warehouse.duckdb)")
    parser.add_argument("--skip-build", action="store_true", help="use the warehouse already in --home")
    parser.add_argument("--json", type=Path, default=None, help="output JSON (default bench_out/...)")
    args = parser.parse_args(argv)
    build_s = None if args.skip_build else round(build(args.lake, args.home), 1)
    report = run(args.home / "warehouse.duckdb", args.truth)
    report["lake"] = str(args.lake)
    report["dbt_build_s"] = build_s
    print(format_report(report))
    out = args.json or PROJECT_ROOT / "bench_out" / f"scores_quality_{args.lake.parent.name or 'lake'}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
