"""The ML pipeline's public API: load -> train -> evaluate -> score, for the churn, CLV and segment models.

Orchestration (Dagster assets) and tracking (:mod:`ml.tracking`, MLflow) call these functions; nothing here
imports either. Training labels come from history only: train on the features at the training dates (as_of -
horizon and earlier, see dbt's `customer_features_history`), label on the window that follows each (dbt's
`customer_training_labels`), score the features at as_of. No model reads the generator's truth.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from threadpoolctl import threadpool_limits

from ml import backtest, data, drift, training
from ml.features import customer_holdout_mask, data_snapshot_id

if TYPE_CHECKING:
    from matplotlib.figure import Figure

log = logging.getLogger(__name__)

KINDS = ("churn", "clv", "segment")
MODEL_NAMES = {"churn": "c360_churn", "clv": "c360_clv", "segment": "c360_segment"}
SCORE_TABLES = {"churn": "churn_scores", "clv": "clv_scores", "segment": "customer_segments"}  # schema `ml`
SCORE_SCHEMA = "ml"
BACKTESTS_TABLE = "model_backtests"  # schema `ml`: per-origin backtest figures of the latest training runs
DEFAULT_FAMILY = {"churn": "boosting", "clv": "blend", "segment": "boosting"}
TOP_FEATURES = 3


@dataclass
class TrainingOutcome:
    """Everything one training run produced: the fitted model, its holdout metrics beside the baselines, and
    what tracking needs (params, figures, a data snapshot id) to decide whether it becomes the champion."""

    kind: str
    model_name: str
    model: Any
    features: list[str]
    params: dict[str, Any]
    metrics: dict[str, float]
    primary_metric: str
    higher_is_better: bool
    thresholds: dict[str, float]
    passes_thresholds: bool
    figures: dict[str, Figure]
    data_snapshot_id: str
    holdout: pd.DataFrame
    model_family: str = "boosting"
    backtests: pd.DataFrame | None = None


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown model kind {kind!r}; expected one of {', '.join(KINDS)}")


def load_training_frame(warehouse: Path, kind: str) -> pd.DataFrame:
    """The labelled training rows of ``kind`` (see :func:`ml.data.history_frame`), read-only, connection closed.

    For clv, ``frame.attrs`` carries the factors the scores of the current scoring date will use
    (:func:`ml.data.clv_scoring_factor`), so that training params record them.
    """
    _check_kind(kind)
    frame = data.history_frame(Path(warehouse), kind)
    if kind == "clv":
        with data.read_only(Path(warehouse)) as con:
            frame.attrs.update(data.clv_scoring_factor(con, data.horizon_days("clv"))[1])
    return frame


def load_latest_labelled_frame(warehouse: Path, kind: str) -> pd.DataFrame:
    """The most recent labelled window of ``kind``: the rows of the latest training date (the window that ends on
    the scoring date), on which a champion is judged for metric decay."""
    frame = load_training_frame(warehouse, kind)
    if "as_of_date" not in frame.columns or frame.empty:
        return frame
    return frame.loc[frame["as_of_date"] == frame["as_of_date"].max()].reset_index(drop=True)


def train(kind: str, frame: pd.DataFrame, *, seed: int = 0, family: str | None = None) -> TrainingOutcome:
    """Fit the ``kind`` model of ``family`` on ``frame`` (customers split 80/20 into training and holdout) and
    evaluate it. ``family`` (churn, clv): ``boosting`` or ``blend`` (see :mod:`ml.backtest`); default: churn
    boosting, CLV blend; the segment model has one family.

    Features that are missing, all NULL or constant are dropped (``params['dropped_features']``). Above
    500,000 rows, a seeded random subsample is used (``params['subsampled_from_rows']``).
    """
    _check_kind(kind)
    if frame.empty:
        raise ValueError(f"the {kind} training frame is empty; load it with load_training_frame(warehouse, {kind!r})")
    snapshot = data_snapshot_id(frame)
    used, sampling = training.subsample(frame, seed)
    family = family or DEFAULT_FAMILY[kind]
    with threadpool_limits(limits=data.thread_limit()):
        if kind == "segment":
            result = training.train_segment(used, seed)
        else:
            result = training.TRAINERS[kind](used, seed, family)
    return _outcome(kind, frame, used, result, seed, snapshot, sampling, family)


def _outcome(
    kind: str,
    frame: pd.DataFrame,
    used: pd.DataFrame,
    result: dict[str, Any],
    seed: int,
    snapshot: str,
    sampling: dict[str, Any],
    family: str,
) -> TrainingOutcome:
    as_of = used["as_of_date"].max() if "as_of_date" in used.columns else None  # the latest training date
    params: dict[str, Any] = {
        "kind": kind,
        "seed": seed,
        "horizon_days": data.horizon_days(kind),
        "churn_horizon_days": data.horizon_days("churn"),
        "clv_horizon_days": data.horizon_days("clv"),
        "training_as_of": str(as_of.date() if isinstance(as_of, (pd.Timestamp, datetime)) else as_of),
        "rows": len(frame),
        "rows_train": len(result["train_rows"]),
        "rows_holdout": len(result["holdout"]),
        "holdout_share": 0.2,
        "feature_count": len(result["features"]),
        "dropped_features": ",".join(result["dropped"]),
        "explain_features": ",".join(result["model"].explain_features_),
        **sampling,
        **{k: v for k, v in frame.attrs.items() if isinstance(v, (int, float, str))},
        **result["params"],
    }
    metrics = {k: float(v) for k, v in result["metrics"].items()}
    outcome = TrainingOutcome(
        kind=kind,
        model_name=MODEL_NAMES[kind],
        model=result["model"],
        features=list(result["features"]),
        params=params,
        metrics=metrics,
        primary_metric=result["primary_metric"],
        higher_is_better=result["higher_is_better"],
        thresholds=result["thresholds"],
        passes_thresholds=training.passes(metrics, result["thresholds"]),
        figures=result["figures"],
        data_snapshot_id=snapshot,
        holdout=result["holdout"],
        model_family=family,
    )
    outcome.model.model_family_ = family
    outcome.params["model_family"] = family
    log.info(
        "trained %s on %d rows: %s=%.4f (passes thresholds: %s)",
        kind, len(result["train_rows"]), outcome.primary_metric, metrics[outcome.primary_metric],
        outcome.passes_thresholds,
    )  # fmt: skip
    return outcome


def train_champion(warehouse: Path, kind: str, *, seed: int = 0) -> TrainingOutcome:
    """Train the ``kind`` model whose family the backtests choose, at any history length.

    churn and clv: where the lake holds usable labelled windows of the horizon (:func:`ml.backtest.usable_for_
    supervised`), every candidate is backtested at the latest training dates (:func:`ml.backtest.labelled_
    backtests`) and the best family on the primary metric is trained as :func:`train` does. Where it does not
    (a young lake, a horizon longer than the history, too few customers or churners), the champion is BG/NBD +
    Gamma-Gamma fitted on all history before the as-of date (:func:`ml.training.train_probabilistic`), backtested
    and gated on windows computed from the purchases (:func:`ml.backtest.purchase_backtests`). The outcome
    carries the backtest table and ``params['champion_family_reason']``. A family that misses its thresholds
    gives way to the next the backtests rank (on generated lakes of 16 months BG/NBD led the CLV backtests but
    missed its fit check; on CDNOW boosting led at 6 months and missed its AUC floor), so a champion is left
    unless every family fails.
    segment: :func:`train` as is.
    """
    _check_kind(kind)
    warehouse = Path(warehouse)
    if kind == "segment":
        return train(kind, load_training_frame(warehouse, kind), seed=seed)
    try:
        frame = load_training_frame(warehouse, kind)
    except data.NoLabelledRows:
        frame = None
    frame = backtest.after_first_purchase(warehouse, frame)
    usable, reason = backtest.usable_for_supervised(frame, kind)
    if usable:
        used, _ = training.subsample(frame, seed)
        with threadpool_limits(limits=data.thread_limit()):
            table = backtest.labelled_backtests(used, kind, seed)
        ranked, why = backtest.ranked_families(table, kind)
        # label-free families are judged beside the others on the latest labelled window's holdout customers
        latest = frame.loc[frame["as_of_date"] == frame["as_of_date"].max()].reset_index(drop=True)
        holdout = latest.loc[customer_holdout_mask(latest["customer_id"], seed=seed)].reset_index(drop=True)
    else:
        why = reason if frame is not None else "no labelled window of the horizon fits in the lake's history"
        with data.read_only(warehouse) as con:
            as_of = data.scoring_as_of(con)
        with threadpool_limits(limits=data.thread_limit()):
            table, holdout, how = backtest.purchase_backtests(warehouse, kind, as_of)
        ranked, chosen = backtest.ranked_families(table, kind, label_free_only=True)
        why = f"{why}: a family that needs no labels; {how}; {chosen}"
    # The backtests' favourite that passes its thresholds; none passing, the favourite (not promoted, said so).
    tried: list[TrainingOutcome] = []
    scoring: pd.DataFrame | None = None  # the scoring date's features, read when a label-free family is tried
    for family in ranked:
        if family in backtest.LABEL_FREE:
            scoring = data.scoring_frame(warehouse) if scoring is None else scoring
            as_of = pd.to_datetime(scoring["as_of_date"]).max().date()
            with threadpool_limits(limits=data.thread_limit()):
                result = training.train_probabilistic(kind, scoring, holdout, seed, family)
            result["params"]["training_as_of"] = str(as_of)
            outcome = _outcome(kind, scoring, scoring, result, seed, data_snapshot_id(scoring), {}, family)
            if holdout is None:
                outcome.holdout = None
        else:
            outcome = train(kind, frame, seed=seed, family=family)
        tried.append(outcome)
        if outcome.passes_thresholds:
            break
        missed = f"{outcome.primary_metric} {outcome.metrics.get(outcome.primary_metric, float('nan')):.4g}"
        why += f"; {family} missed its thresholds ({missed})"
    else:
        outcome = tried[0]
    family = outcome.model_family
    outcome.backtests = table
    outcome.params["champion_family_reason"] = why
    outcome.metrics.update(backtest.summary_metrics(table))
    log.info("%s: family %s (%s)", kind, family, why)
    return outcome


def close_figures(outcome: TrainingOutcome) -> None:
    """Release the outcome's matplotlib figures once they are logged and drawn (pyplot keeps every open one)."""
    import matplotlib.pyplot as plt

    for figure in outcome.figures.values():
        plt.close(figure)


def evaluate(kind: str, model: Any, features: list[str], frame: pd.DataFrame) -> dict[str, float]:
    """Metrics of ``model`` on a labelled frame, named as in ``TrainingOutcome.metrics`` (baselines included).

    ``features`` must be the model's own inputs (``model.features``); columns the frame lacks count as missing.
    """
    _check_kind(kind)
    if list(features) != list(getattr(model, "features", features)):
        raise ValueError(f"features {features} are not the inputs the {kind} model was trained on ({model.features})")
    with threadpool_limits(limits=data.thread_limit()):
        return {k: float(v) for k, v in training.EVALUATORS[kind](model, frame).items()}


def _score_columns(kind: str) -> list[tuple[str, pa.DataType]]:
    score = {
        "churn": [("churn_probability", pa.float64())],
        "clv": [("clv_eur", pa.float64()), ("expected_purchases", pa.float64())],
        "segment": [("segment", pa.string()), ("segment_probability", pa.float64())],
    }[kind]
    explanation = []
    for i in range(1, TOP_FEATURES + 1):
        explanation += [(f"top_feature_{i}", pa.string()), (f"top_feature_{i}_contribution", pa.float64())]
    meta = [
        ("model_name", pa.string()),
        ("model_family", pa.string()),
        ("model_version", pa.string()),
        ("as_of", pa.date32()),
        ("scored_at", pa.timestamp("us")),
    ]
    return [("customer_id", pa.string()), *score, *explanation, *meta]


def score_frame(
    kind: str,
    model: Any,
    frame: pd.DataFrame,
    *,
    model_name: str,
    model_version: str,
    scored_at: datetime,
    seasonal_factor: float = 1.0,
) -> pd.DataFrame:
    """Score rows of `customer_features` into the score-table shape (see :func:`score_to_table`)."""
    out = pd.DataFrame({"customer_id": frame["customer_id"].astype(str).to_numpy()})
    if kind == "churn":
        out["churn_probability"] = np.clip(model.score_values(frame), 0.0, 1.0)
    elif kind == "clv":
        out["clv_eur"] = np.clip(model.score_values(frame), 0.0, None) * seasonal_factor
        out["expected_purchases"] = model.estimator_.expected_purchases(frame) * seasonal_factor
    else:
        proba = model.predict_proba(frame)
        classes = np.asarray(model.classes_, dtype=object)
        out["segment"] = classes[proba.argmax(axis=1)] if len(frame) else np.array([], dtype=object)
        out["segment_probability"] = proba.max(axis=1) if len(frame) else np.array([], dtype=float)
    explained = model.explain(frame, TOP_FEATURES).reset_index(drop=True)
    if kind == "clv":
        for i in range(1, TOP_FEATURES + 1):
            explained[f"top_feature_{i}_contribution"] *= seasonal_factor
    out = pd.concat([out, explained], axis=1)
    out["model_name"] = model_name
    out["model_family"] = getattr(model, "model_family_", DEFAULT_FAMILY[kind])
    out["model_version"] = str(model_version)
    as_of = pd.to_datetime(frame["as_of_date"]).dt.date if "as_of_date" in frame else None
    out["as_of"] = as_of.to_numpy() if as_of is not None else None
    out["scored_at"] = (
        pd.Timestamp(scored_at).tz_localize(None)
        if scored_at.tzinfo is None
        else pd.Timestamp(scored_at).tz_convert("UTC").tz_localize(None)
    )
    return out


def score_to_table(
    warehouse: Path,
    kind: str,
    model: Any,
    features: list[str],
    *,
    model_name: str,
    model_version: str,
    scored_at: datetime,
    chunk_rows: int = 100_000,
) -> int:
    """Score every customer of `marts.customer_features` and replace table ``ml.<SCORE_TABLES[kind]>``.

    Reads the features in record batches of ``chunk_rows`` through one read-only connection, scores and
    explains each batch, appends it to a temporary Parquet file; closes; then opens the warehouse read-write
    once and replaces the table from the Parquet file (schema ``ml`` created if needed). CLV scores are
    multiplied by :func:`ml.data.clv_scoring_factor`: the seasonal factor (training-window season -> scoring
    window season: the model's own ``season_factor_`` when it learnt one from last year's same season, else
    from last year's orders) times the attribution factor (anonymous store revenue). Returns
    the number of rows written.
    """
    _check_kind(kind)
    if list(features) != list(getattr(model, "features", features)):
        raise ValueError(f"features {features} are not the inputs the {kind} model was trained on")
    warehouse = Path(warehouse)
    schema = pa.schema(_score_columns(kind))
    table = f"{SCORE_SCHEMA}.{SCORE_TABLES[kind]}"
    rows = 0
    with tempfile.TemporaryDirectory(prefix="c360_scores_", dir=warehouse.parent) as tmp:
        parquet_path = Path(tmp) / f"{SCORE_TABLES[kind]}.parquet"
        with pq.ParquetWriter(parquet_path, schema) as writer, data.read_only(warehouse) as con:
            factor = 1.0
            if kind == "clv":
                factor, info = data.clv_scoring_factor(
                    con,
                    data.horizon_days("clv"),
                    season_factor=getattr(model, "season_factor_", None),
                    season_how=getattr(model, "season_factor_method_", ""),
                )
                log.info("clv scoring factor %.4f (%s)", factor, info)
            columns = data.select_list(con, data.FEATURES_TABLE, "f")
            reader = con.sql(f"select {columns} from {data.FEATURES_TABLE} f").to_arrow_reader(chunk_rows)
            for batch in reader:
                frame = batch.to_pandas()
                if frame.empty:
                    continue
                with threadpool_limits(limits=data.thread_limit()):
                    scored = score_frame(
                        kind, model, frame, model_name=model_name, model_version=model_version,
                        scored_at=scored_at, seasonal_factor=factor,
                    )  # fmt: skip
                writer.write_table(pa.Table.from_pandas(scored, schema=schema, preserve_index=False))
                rows += len(scored)
                log.info("scored %d %s rows", rows, kind)
        con = duckdb.connect(str(warehouse))
        try:
            con.execute(f"create schema if not exists {SCORE_SCHEMA}")
            path = str(parquet_path).replace("'", "''")
            con.execute(f"create or replace table {table} as select * from read_parquet('{path}')")
        finally:
            con.close()
    log.info("wrote %d rows to %s", rows, table)
    return rows


def feature_frame_for_drift(warehouse: Path) -> pd.DataFrame:
    """The scoring-date features (`marts.customer_features`), to compare with a training frame by PSI."""
    return data.scoring_frame(Path(warehouse))


def population_stability(expected: pd.DataFrame, actual: pd.DataFrame, features: list[str]) -> dict[str, float]:
    """PSI per feature (binning and the 0.1 / 0.25 reading in :mod:`ml.drift`, after Siddiqi 2006)."""
    return drift.population_stability(expected, actual, features)


def scoring_profile(warehouse: Path, features: list[str]) -> dict[str, dict[str, Any]]:
    """Binned distribution (:func:`ml.drift.profile`) of ``features`` over today's scoring population
    (`marts.customer_features`). Kept with a training run, it is the reference of the drift sensor: the population
    the model was trained for. (Not the training rows: churn and CLV learn from earlier dates, whose tenure and
    recency are shorter by construction, so they would always look drifted.)"""
    return drift.profile(feature_frame_for_drift(warehouse), features)


def stability_against_profile(profile: dict[str, dict[str, Any]], actual: pd.DataFrame) -> dict[str, float]:
    """PSI per feature of ``actual`` against a :func:`scoring_profile` kept with a training run."""
    return drift.stability_against(profile, actual)


__all__ = [
    "KINDS",
    "MODEL_NAMES",
    "SCORE_TABLES",
    "TrainingOutcome",
    "evaluate",
    "feature_frame_for_drift",
    "load_latest_labelled_frame",
    "load_training_frame",
    "train_champion",
    "population_stability",
    "score_to_table",
    "scoring_profile",
    "stability_against_profile",
    "train",
]
