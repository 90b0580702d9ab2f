"""When the models retrain: a monthly schedule, a metric-decay sensor and a feature-drift sensor.

- ``c360_monthly_retrain`` (schedule, 06:00 UTC on the 1st): retrains and rescores every model, then rebuilds
  ``customer_360``.
- ``c360_model_decay`` (sensor, daily): evaluates each champion on the latest labelled window in the
  warehouse; when its primary metric has fallen more than the model's tolerance below the value it had on its
  own holdout (or below the floor), it asks for that model to be retrained.
- ``c360_feature_drift`` (sensor, daily): population stability index (PSI) of each champion's features
  between the scoring population the champion was trained for (its binned distribution when it was trained,
  ``feature_profile.json`` in its MLflow run) and today's; when any feature's PSI is above
  ``C360_PSI_THRESHOLD`` (default 0.25, the usual "significant shift" level), it asks for a retrain. A champion
  trained on today's data is left alone: a retrain would learn from the same rows.

A sensor that finds the warehouse locked by a running build skips this tick and says so. Run keys carry the
champion version and the as-of date, so one state of the data asks for at most one retrain per model.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd

from ml import pipeline, tracking
from orchestration.ml_assets import ML_GROUP, model_key, scores_key
from orchestration.resources import C360Resource
from orchestration.settings import C360Settings

CUSTOMER_360_KEY = dg.AssetKey(["marts", "customer_360"])
DAY_S = 24 * 3600


@dataclass(frozen=True)
class DecayRule:
    metric: str
    higher_is_better: bool
    tolerance: float  # how far below its own holdout value the champion may fall
    floor: float  # the value it must never cross


DECAY_RULES: dict[str, DecayRule] = {
    "churn": DecayRule("roc_auc", True, tolerance=0.05, floor=0.75),
    "clv": DecayRule("spearman", True, tolerance=0.10, floor=0.30),
    "segment": DecayRule("accuracy", True, tolerance=0.05, floor=0.70),
}

retrain_job = dg.define_asset_job(
    name="c360_retrain_models",
    selection=dg.AssetSelection.groups(ML_GROUP) | dg.AssetSelection.assets(CUSTOMER_360_KEY),
    description="Retrain every model (champion only if it wins), rescore every customer, rebuild customer_360.",
)

monthly_retrain_schedule = dg.ScheduleDefinition(
    name="c360_monthly_retrain",
    job=retrain_job,
    cron_schedule="0 6 1 * *",
    execution_timezone="UTC",
    description="Monthly retraining of the churn, CLV and segment models, after the daily build.",
)


def _retrain_request(kind: str, run_key: str, reason: str) -> dg.RunRequest:
    return dg.RunRequest(
        run_key=run_key,
        asset_selection=[model_key(kind), scores_key(kind), CUSTOMER_360_KEY],
        tags={"c360/retrain_reason": reason[:255], "c360/model": pipeline.MODEL_NAMES[kind]},
    )


def decayed(rule: DecayRule, holdout_value: float | None, latest_value: float) -> bool:
    """True when the champion's metric on the latest window fell past its tolerance or floor."""
    sign = 1.0 if rule.higher_is_better else -1.0
    below_floor = sign * (latest_value - rule.floor) < 0
    below_holdout = holdout_value is not None and sign * (latest_value - holdout_value) < -rule.tolerance
    return below_floor or below_holdout


def decay_requests(home: Path, warehouse: Path) -> list[dg.RunRequest]:
    requests = []
    for kind in pipeline.KINDS:
        champion = tracking.load_champion(home, pipeline.MODEL_NAMES[kind])
        if champion is None:
            continue
        rule = DECAY_RULES[kind]
        frame = pipeline.load_latest_labelled_frame(warehouse, kind)
        latest = pipeline.evaluate(kind, champion.model, champion.features, frame).get(rule.metric)
        if latest is None:
            continue
        holdout = champion.metrics.get(rule.metric)
        if decayed(rule, holdout, latest):
            as_of = str(frame["as_of_date"].max()) if "as_of_date" in frame else "unknown"
            reason = f"{rule.metric} of {pipeline.MODEL_NAMES[kind]} v{champion.version} fell to {latest:.3f} "
            reason += f"(holdout {holdout:.3f})" if holdout is not None else ""
            requests.append(_retrain_request(kind, f"decay-{kind}-v{champion.version}-{as_of}", reason))
    return requests


def psi_threshold() -> float:
    value = os.environ.get("C360_PSI_THRESHOLD", "0.25")
    try:
        return float(value)
    except ValueError as error:
        raise ValueError(f"C360_PSI_THRESHOLD must be a number such as 0.25, not {value!r}") from error


def drift_reason(
    champion: tracking.Champion, current: pd.DataFrame, as_of: str, threshold: float, warehouse: Path | None = None
) -> str | None:
    """Why ``champion`` should retrain on drift, or None.

    None when the champion was trained on today's data (its run's ``scoring_as_of`` is ``as_of`` or later): a
    retrain would learn from the same rows.
    """
    trained_for = champion.params.get("scoring_as_of")
    if trained_for and trained_for[:10] >= as_of[:10]:
        return None
    if champion.feature_profile is not None:  # the population it was trained for, stored with its run
        psi = pipeline.stability_against_profile(champion.feature_profile, current)
    elif warehouse is not None:  # a run logged before profiles were kept: the training rows of today's warehouse
        kind = champion.params.get("kind", "")
        training = pipeline.load_training_frame(warehouse, kind)
        psi = pipeline.population_stability(training, current, champion.features)
    else:
        return None
    drifted = {feature: value for feature, value in psi.items() if value > threshold}
    if not drifted:
        return None
    worst = sorted(drifted.items(), key=lambda item: -item[1])[:3]
    return f"PSI above {threshold} for {len(drifted)} feature(s) since {trained_for}: " + ", ".join(
        f"{feature} {value:.2f}" for feature, value in worst
    )


def drift_requests(home: Path, warehouse: Path, threshold: float) -> list[dg.RunRequest]:
    requests = []
    current = pipeline.feature_frame_for_drift(warehouse)
    as_of = str(current["as_of_date"].max())[:10] if "as_of_date" in current and len(current) else "unknown"
    for kind in pipeline.KINDS:
        champion = tracking.load_champion(home, pipeline.MODEL_NAMES[kind])
        reason = None if champion is None else drift_reason(champion, current, as_of, threshold, warehouse)
        if reason:
            requests.append(_retrain_request(kind, f"drift-{kind}-v{champion.version}-{as_of}", reason))
    return requests


def _sensor_result(
    requests_of: Callable[[C360Settings], list[dg.RunRequest]], c360: C360Resource
) -> dg.SensorResult | dg.SkipReason:
    settings = c360.settings()
    if not settings.warehouse_path.exists():
        return dg.SkipReason(f"no warehouse at {settings.warehouse_path} yet; run the build first")
    try:
        requests = requests_of(settings)
    except duckdb.IOException as error:  # a build holds the write lock
        return dg.SkipReason(f"warehouse busy ({error}); trying again next tick")
    if not requests:
        return dg.SkipReason("every champion is within its limits")
    return dg.SensorResult(run_requests=requests)


@dg.sensor(
    name="c360_model_decay",
    job=retrain_job,
    minimum_interval_seconds=DAY_S,
    description="Retrain a model when its champion, evaluated on the latest labelled window, has decayed.",
)
def model_decay_sensor(context: dg.SensorEvaluationContext, c360: C360Resource) -> dg.SensorResult | dg.SkipReason:
    return _sensor_result(lambda settings: decay_requests(settings.home, settings.warehouse_path), c360)


@dg.sensor(
    name="c360_feature_drift",
    job=retrain_job,
    minimum_interval_seconds=DAY_S,
    description="Retrain a model when its features drift (PSI above C360_PSI_THRESHOLD, default 0.25).",
)
def feature_drift_sensor(context: dg.SensorEvaluationContext, c360: C360Resource) -> dg.SensorResult | dg.SkipReason:
    return _sensor_result(
        lambda settings: drift_requests(settings.home, settings.warehouse_path, psi_threshold()), c360
    )
