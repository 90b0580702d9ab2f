"""The scores as Dagster assets: for each model (churn, CLV, segment) train -> score, with blocking checks.

Asset keys say where the thing lives: the trained model is the registered MLflow model
``["mlflow", "c360_churn"]``; its scores are the warehouse table ``["ml", "churn_scores"]``, which the dbt
source ``ml.churn_scores`` maps to, so ``customer_360`` (dbt) sits downstream and one materialization runs
dbt (features) -> Python (train, score) -> dbt (customer_360).

- Train: reads the labelled training-date features, fits, evaluates on a holdout beside baselines, logs the
  run to MLflow under C360_HOME and registers a version. The version becomes the ``champion`` alias only if it
  passes the model's thresholds and beats the current champion evaluated on the same holdout.
- Score: loads the champion and writes one row per customer of ``marts.customer_features`` to ``ml.<table>``.
- Checks (blocking, so nothing downstream reads bad scores): every customer scored exactly once; scores in
  range; every row names the model version.

All the modelling lives in ``ml/`` (plain Python); this module only wires it.
"""

import base64
import io
import os
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
import duckdb
import pandas as pd

from ml import pipeline, tracking
from orchestration.resources import C360Resource

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ML_GROUP = "ml"
FEATURES_KEY = dg.AssetKey(["marts", "customer_features"])
TRAINING_KEYS = [
    dg.AssetKey(["marts", "customer_features_history"]),
    dg.AssetKey(["marts", "customer_training_labels"]),
]

# Per model: the score column and its valid range, checked on every scoring run.
SCORE_RANGES: dict[str, tuple[str, float, float | None]] = {
    "churn": ("churn_probability", 0.0, 1.0),
    "clv": ("clv_eur", 0.0, None),
    "segment": ("segment_probability", 0.0, 1.0),
}


def model_key(kind: str) -> dg.AssetKey:
    return dg.AssetKey(["mlflow", pipeline.MODEL_NAMES[kind]])


def scores_key(kind: str) -> dg.AssetKey:
    return dg.AssetKey(["ml", pipeline.SCORE_TABLES[kind]])


def _metadata_value(value: object) -> dg.MetadataValue | object:
    if isinstance(value, float):
        return dg.MetadataValue.float(value)
    return value


def mlflow_ui_url() -> str:
    """Where `make mlflow-ui` serves the MLflow UI (C360_MLFLOW_UI_HOST / C360_MLFLOW_UI_PORT)."""
    host = os.environ.get("C360_MLFLOW_UI_HOST", "127.0.0.1")
    return f"http://{host}:{os.environ.get('C360_MLFLOW_UI_PORT', '5000')}"


def png_markdown(title: str, figure: "Figure", dpi: int = 72) -> str:
    """A figure as a Markdown image the Dagster UI shows inline (a PNG data URI; ~20-40 kB at 72 dpi)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return f"![{title}](data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode('ascii')})"


def charts_markdown(figures: Mapping[str, "Figure"], run_page: str) -> str:
    """The evaluation figures of a training run, inline, with the link to its MLflow run."""
    parts = [f"Evaluation on the holdout ([MLflow run]({run_page}); `make mlflow-ui` serves it)."]
    for name, figure in figures.items():
        title = name.removesuffix(".png").replace("_", " ")
        parts.append(f"**{title}**\n\n{png_markdown(title, figure)}")
    return "\n\n".join(parts)


def train_and_register(
    kind: str, home: Path, warehouse: Path
) -> tuple[tracking.LoggedModel, tracking.PromotionDecision, pipeline.TrainingOutcome]:
    """Train one model on the warehouse's labelled history, log and register it, promote it if it wins."""
    outcome = pipeline.train_champion(warehouse, kind)
    backtests = None
    if outcome.backtests is not None:
        backtests = [
            {**row, "origin_date": str(row["origin_date"])} for row in outcome.backtests.to_dict(orient="records")
        ]
    logged = tracking.log_training_run(
        home,
        model_name=outcome.model_name,
        model=outcome.model,
        params=outcome.params,
        metrics=outcome.metrics,
        features=outcome.features,
        data_snapshot_id=outcome.data_snapshot_id,
        figures=outcome.figures,
        feature_profile=pipeline.scoring_profile(warehouse, outcome.features),
        backtests=backtests,
        tags={
            "c360.kind": kind,
            "c360.model_family": outcome.model_family,
            "c360.primary_metric": outcome.primary_metric,
            "c360.higher_is_better": str(outcome.higher_is_better).lower(),
        },
    )
    champion = tracking.load_champion(home, outcome.model_name)
    champion_value = None
    if champion is not None and outcome.holdout is not None and len(outcome.holdout):
        # The current champion on the challenger's holdout: both judged on the same rows.
        champion_metrics = pipeline.evaluate(kind, champion.model, champion.features, outcome.holdout)
        champion_value = champion_metrics.get(outcome.primary_metric)
    decision = tracking.promote_if_better(
        home,
        logged,
        metric=outcome.primary_metric,
        higher_is_better=outcome.higher_is_better,
        challenger_value=outcome.metrics[outcome.primary_metric],
        champion_value=champion_value,
        passes_thresholds=outcome.passes_thresholds,
    )
    return logged, decision, outcome


def build_train_asset(kind: str) -> dg.AssetsDefinition:
    model_name = pipeline.MODEL_NAMES[kind]

    @dg.asset(
        key=model_key(kind),
        deps=TRAINING_KEYS,
        group_name=ML_GROUP,
        kinds={"scikit-learn", "mlflow"},
        description=(
            f"The {kind} model, trained on the features at C360_AS_OF minus its horizon and labelled on the "
            f"window that follows; logged to MLflow (C360_HOME/mlflow) and registered as `{model_name}`. "
            "Becomes the `champion` alias only when it passes its thresholds and beats the current champion "
            "on the same holdout."
        ),
    )
    def train(context: dg.AssetExecutionContext, c360: C360Resource) -> dg.MaterializeResult:
        settings = c360.apply()
        logged, decision, outcome = train_and_register(kind, settings.home, settings.warehouse_path)
        context.log.info(f"{model_name} v{logged.version}: {decision.reason}")
        metadata: dict[str, object] = {
            "model_version": logged.version,
            "mlflow_run_id": logged.run_id,
            "promoted_to_champion": decision.promoted,
            "promotion_reason": decision.reason,
            "primary_metric": outcome.primary_metric,
            "model_family": outcome.model_family,
            "model_family_reason": str(outcome.params.get("champion_family_reason", "")),
            "features": len(outcome.features),
            "data_snapshot_id": outcome.data_snapshot_id,
        }
        metadata.update({f"metric/{name}": value for name, value in sorted(outcome.metrics.items())})
        result = {name: _metadata_value(value) for name, value in metadata.items()}
        run_page = tracking.run_page(settings.home, logged.run_id, mlflow_ui_url())
        result["mlflow_run"] = dg.MetadataValue.url(run_page)
        result["evaluation_charts"] = dg.MetadataValue.md(charts_markdown(outcome.figures, run_page))
        pipeline.close_figures(outcome)
        return dg.MaterializeResult(metadata=result)

    return train


def build_score_asset(kind: str) -> dg.AssetsDefinition:
    model_name = pipeline.MODEL_NAMES[kind]
    table = pipeline.SCORE_TABLES[kind]

    @dg.asset(
        key=scores_key(kind),
        deps=[model_key(kind), FEATURES_KEY],
        group_name=ML_GROUP,
        kinds={"python", "duckdb"},
        description=(
            f"`ml.{table}`: the champion `{model_name}` scores every customer of `marts.customer_features` "
            "once, with its top three feature contributions, model name and version, as_of and scored_at."
        ),
    )
    def score(context: dg.AssetExecutionContext, c360: C360Resource) -> dg.MaterializeResult:
        settings = c360.apply()
        champion = tracking.load_champion(settings.home, model_name)
        if champion is None:
            raise dg.Failure(
                f"No champion for {model_name} in the MLflow registry under {settings.home / 'mlflow'}: no "
                f"training run has passed its thresholds yet. Materialize mlflow/{model_name} and read its "
                "promotion_reason metadata (or the MLflow UI, `make mlflow-ui`)."
            )
        rows = pipeline.score_to_table(
            settings.warehouse_path,
            kind,
            champion.model,
            champion.features,
            model_name=model_name,
            model_version=champion.version,
            scored_at=datetime.now(UTC).replace(tzinfo=None),
        )
        context.log.info(f"ml.{table}: {rows:,} customers scored by {model_name} v{champion.version}")
        return dg.MaterializeResult(
            metadata={"rows": rows, "model_name": model_name, "model_version": champion.version}
        )

    return score


def _check_scores(warehouse: Path, kind: str) -> dg.AssetCheckResult:
    table = pipeline.SCORE_TABLES[kind]
    column, low, high = SCORE_RANGES[kind]
    upper = f"or {column} > {high}" if high is not None else ""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        customers, scored, distinct_scored, missing, out_of_range, without_version = con.execute(
            f"""
            select
                (select count(*) from marts.customer_features),
                count(*),
                count(distinct customer_id),
                (select count(*) from marts.customer_features as f
                 where not exists (select 1 from ml.{table} as s where s.customer_id = f.customer_id)),
                count(*) filter (where {column} is null or {column} < {low} {upper}),
                count(*) filter (where model_version is null or model_name is null)
            from ml.{table}
            """
        ).fetchone()
    finally:
        con.close()
    passed = scored == customers == distinct_scored and missing == 0 and out_of_range == 0 and without_version == 0
    return dg.AssetCheckResult(
        passed=bool(passed),
        metadata={
            "customers": customers,
            "rows": scored,
            "duplicate_rows": scored - distinct_scored,
            "customers_not_scored": missing,
            "scores_out_of_range": out_of_range,
            "rows_without_model_version": without_version,
        },
        description=f"every customer scored exactly once, {column} in [{low}, {high if high is not None else 'inf'})",
    )


def build_score_check(kind: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=scores_key(kind),
        name=f"{pipeline.SCORE_TABLES[kind]}_complete_and_in_range",
        blocking=True,
        description="Blocking: every customer of customer_features scored exactly once, scores in range, "
        "every row names its model version.",
    )
    def check(c360: C360Resource) -> dg.AssetCheckResult:
        return _check_scores(c360.settings().warehouse_path, kind)

    return check


EVALUATION_POINTS_KEY = dg.AssetKey(["ml", "model_evaluation_points"])
EVALUATION_COLUMNS = {
    "model_name": "varchar",
    "model_version": "varchar",
    "mlflow_run_id": "varchar",
    "chart": "varchar",
    "series": "varchar",
    "x_label": "varchar",
    "y_label": "varchar",
    "point_index": "integer",
    "x": "double",
    "y": "double",
    "x_category": "varchar",
}


def write_evaluation_points(home: Path, warehouse: Path, kinds: Sequence[str] = pipeline.KINDS) -> dict[str, int]:
    """Replace ml.model_evaluation_points with the data of the champions' evaluation charts; rows per model."""
    rows: list[dict[str, object]] = []
    counts: dict[str, int] = {}
    for kind in kinds:
        model_name = pipeline.MODEL_NAMES[kind]
        found = tracking.champion_chart_points(home, model_name)
        if found is None:
            continue
        version, run_id, points = found
        rows += [{"model_name": model_name, "model_version": version, "mlflow_run_id": run_id, **p} for p in points]
        counts[model_name] = len(points)
    replace_ml_table(
        warehouse, "model_evaluation_points", EVALUATION_COLUMNS, pd.DataFrame(rows, columns=list(EVALUATION_COLUMNS))
    )
    return counts


def replace_ml_table(warehouse: Path, table: str, columns: Mapping[str, str], frame: pd.DataFrame) -> None:
    """Replace ``ml.<table>`` (name -> DuckDB type ``columns``) with the rows of ``frame``, in that column order, in
    one short read-write connection; an empty frame leaves the table empty but typed."""
    typed = ", ".join(f"{name} {kind}" for name, kind in columns.items())
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("create schema if not exists ml")
        con.execute(f"create or replace table ml.{table} ({typed})")
        if len(frame):
            con.register("new_rows", frame[list(columns)])
            con.execute(f"insert into ml.{table} select * from new_rows")
    finally:
        con.close()


BACKTEST_COLUMNS = {
    "model_name": "varchar",
    "mlflow_run_id": "varchar",
    "kind": "varchar",
    "origin_date": "date",
    "window_days": "integer",
    "horizon_days": "integer",
    "candidate": "varchar",
    "training": "varchar",
    "rows_train": "bigint",
    "rows_evaluated": "bigint",
    "metric": "varchar",
    "value": "double",
}


def write_backtests(home: Path, warehouse: Path, kinds: Sequence[str] = pipeline.KINDS) -> dict[str, int]:
    """Replace ml.model_backtests with the backtest rows of each model's newest training run; rows per model."""
    frames = []
    counts: dict[str, int] = {}
    for kind in kinds:
        model_name = pipeline.MODEL_NAMES[kind]
        found = tracking.latest_backtests(home, model_name)
        if found is None:
            continue
        run_id, rows = found
        frame = pd.DataFrame(rows, columns=[c for c in BACKTEST_COLUMNS if c not in ("model_name", "mlflow_run_id")])
        frame.insert(0, "mlflow_run_id", run_id)
        frame.insert(0, "model_name", model_name)
        frames.append(frame)
        counts[model_name] = len(frame)
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(BACKTEST_COLUMNS))
    replace_ml_table(warehouse, pipeline.BACKTESTS_TABLE, BACKTEST_COLUMNS, frame)
    return counts


def build_evaluation_points_asset(kinds: Sequence[str] = pipeline.KINDS) -> dg.AssetsDefinition:
    @dg.asset(
        key=EVALUATION_POINTS_KEY,
        deps=[model_key(kind) for kind in kinds],
        group_name=ML_GROUP,
        kinds={"python", "duckdb"},
        description="`ml.model_evaluation_points`: the data of each champion's evaluation charts (churn ROC, "
        "calibration and lift; CLV gains and predicted vs actual; segment confusion and sizes), one row per "
        "point, so a BI tool can draw them again (serving view bi_model_evaluation).",
    )
    def evaluation_points(context: dg.AssetExecutionContext, c360: C360Resource) -> dg.MaterializeResult:
        settings = c360.apply()
        counts = write_evaluation_points(settings.home, settings.warehouse_path, kinds)
        context.log.info(f"ml.model_evaluation_points: {sum(counts.values()):,} points of {len(counts)} champions")
        return dg.MaterializeResult(metadata={f"points/{name}": count for name, count in counts.items()})

    return evaluation_points


BACKTESTS_KEY = dg.AssetKey(["ml", pipeline.BACKTESTS_TABLE])


def build_backtests_asset(kinds: Sequence[str] = pipeline.KINDS) -> dg.AssetsDefinition:
    @dg.asset(
        key=BACKTESTS_KEY,
        deps=[model_key(kind) for kind in kinds],
        group_name=ML_GROUP,
        kinds={"python", "duckdb"},
        description="`ml.model_backtests`: the rolling-origin backtests of the newest churn and CLV training runs "
        "(ml/backtest.py), one row per origin, candidate (boosting, BG/NBD + Gamma-Gamma, blend, naive) and "
        "metric, as each run logged them to MLflow (backtests.json); the serving view bi_model_backtests.",
    )
    def model_backtests(context: dg.AssetExecutionContext, c360: C360Resource) -> dg.MaterializeResult:
        settings = c360.apply()
        counts = write_backtests(settings.home, settings.warehouse_path, kinds)
        context.log.info(f"ml.{pipeline.BACKTESTS_TABLE}: {sum(counts.values()):,} backtest figures")
        return dg.MaterializeResult(metadata={f"rows/{name}": count for name, count in counts.items()})

    return model_backtests


def ml_assets(kinds: Sequence[str] = pipeline.KINDS) -> list[dg.AssetsDefinition]:
    per_model = [asset for kind in kinds for asset in (build_train_asset(kind), build_score_asset(kind))]
    return [*per_model, build_evaluation_points_asset(kinds), build_backtests_asset(kinds)]


def ml_checks(kinds: Sequence[str] = pipeline.KINDS) -> list[dg.AssetChecksDefinition]:
    return [build_score_check(kind) for kind in kinds]
