"""Model inputs: which columns of `customer_features` feed the models, and how a frame becomes a matrix.

Every numeric column of `marts.customer_features` is a candidate except keys, dates and the timestamps
`first_purchase_at` / `last_purchase_at` (documented in dbt_project/models/marts/features/_features__models.yml);
`top_category` is the one categorical input. One calendar feature is derived from the row's `as_of_date`:
`as_of_day_of_year` (1-366), the season of the feature date, so a model trained on several training dates can tell
the label windows of the busy year end from the calm ones (:func:`add_calendar_features`). A candidate that is
missing from the frame, all NULL or constant on the training rows is dropped (a lake holding only orders has no
clicks, game or campaign data); at scoring time a column the model was trained on but the frame lacks is filled
with NaN, which the gradient boosting models treat as "missing".
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

ID_COLUMNS = ("customer_id", "as_of_date")
NOT_INPUTS = frozenset(
    {
        "customer_id",
        "as_of_date",
        "first_purchase_at",
        "last_purchase_at",
        "is_scoring_date",
        "feature_set",
        "is_churn_training_date",
        "is_clv_training_date",
    }
)
CATEGORICAL_FEATURES = ("top_category",)
LABEL_COLUMNS = frozenset(
    {
        "is_churned",
        "churn_spend_in_horizon_eur",
        "churn_purchases_in_horizon",
        "clv_spend_in_horizon_eur",
        "clv_purchases_in_horizon",
        "churn_window_end_date",
        "clv_window_end_date",
        "segment_label",
    }
)
# Derived from as_of_date by add_calendar_features (and by feature_matrix when a frame lacks them).
CALENDAR_FEATURES = ("as_of_day_of_year",)
# Columns the lifetime value model always needs (BG/NBD and Gamma-Gamma inputs, the naive baseline).
BTYD_COLUMNS = ("purchase_count", "days_since_first_purchase", "recency_days", "avg_purchase_value_eur")


def candidate_features(frame: pd.DataFrame) -> list[str]:
    """Every column of ``frame`` that may be a model input (not a key, date, timestamp, flag or label)."""
    return [c for c in frame.columns if c not in NOT_INPUTS and c not in LABEL_COLUMNS and not c.startswith("_")]


def add_calendar_features(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``as_of_day_of_year`` (day of the year of ``as_of_date``, 1-366) added when it has dates."""
    if "as_of_date" not in frame.columns:
        return frame
    return frame.assign(**{name: _calendar_feature(frame, name) for name in CALENDAR_FEATURES})


def _calendar_feature(frame: pd.DataFrame, name: str) -> pd.Series:
    dates = pd.to_datetime(frame["as_of_date"], errors="coerce")
    if name == "as_of_day_of_year":
        return dates.dt.day_of_year.astype(float)
    raise KeyError(f"unknown calendar feature {name!r}; expected one of {CALENDAR_FEATURES}")


def informative_features(frame: pd.DataFrame, candidates: list[str] | None = None) -> list[str]:
    """The candidates present in ``frame`` that are neither all NULL nor constant (at most one distinct value)."""
    chosen = []
    for column in candidates if candidates is not None else candidate_features(frame):
        if column not in frame.columns:
            continue
        if frame[column].nunique(dropna=True) <= 1:
            continue
        chosen.append(column)
    return chosen


def feature_matrix(frame: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    """``frame[features]`` as floats (categoricals as strings), absent columns filled with NaN, in that order."""
    out = {}
    for column in features:
        if column in CATEGORICAL_FEATURES:
            values = frame[column] if column in frame.columns else pd.Series(np.nan, index=frame.index)
            out[column] = values.astype(object).where(values.notna(), np.nan)
        elif column in frame.columns:
            out[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
        elif column in CALENDAR_FEATURES and "as_of_date" in frame.columns:
            out[column] = _calendar_feature(frame, column)
        else:
            out[column] = pd.Series(np.nan, index=frame.index, dtype=float)
    return pd.DataFrame(out, index=frame.index)


def data_snapshot_id(frame: pd.DataFrame) -> str:
    """A deterministic 16-hex-digit hash of a frame's content: same rows and columns (any order) -> same id."""
    ordered = frame.reindex(columns=sorted(frame.columns))
    if "customer_id" in ordered.columns:
        keys = [c for c in ("customer_id", "as_of_date") if c in ordered.columns]
        ordered = ordered.sort_values(keys, kind="mergesort")
    digest = hashlib.sha256()
    digest.update("|".join(ordered.columns).encode())
    digest.update(pd.util.hash_pandas_object(ordered.astype(str), index=False).to_numpy().tobytes())
    return digest.hexdigest()[:16]


def customer_holdout_mask(customer_ids: pd.Series, *, seed: int = 0, share: float = 0.2) -> np.ndarray:
    """Holdout split by customer: a stable hash of (seed, customer_id) puts about ``share`` of customers aside.

    Stable across runs and row orders, so the same customer is always on the same side for a given seed.
    """
    hashed = pd.util.hash_pandas_object(customer_ids.astype(str) + f"#{seed}", index=False).to_numpy()
    return (hashed % 10_000) < int(share * 10_000)
