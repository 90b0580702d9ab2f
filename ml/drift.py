"""Feature drift: the population stability index (PSI) between a training frame and the scoring frame.

PSI = sum over bins of (a_i - e_i) * ln(a_i / e_i), with e_i / a_i the share of expected (training) / actual
(scoring) rows in bin i. Binning: numeric features on the deciles of the expected sample (distinct edges only,
so a feature with few values gets fewer bins; open-ended first and last bins), categorical features on their
values; missing values (NULL) form a bin of their own. Empty bins get a share of 1e-4 so the log stays finite.

Reading (N. Siddiqi, "Credit Risk Scorecards", Wiley 2006, the usual industry rule): PSI < 0.1 no significant
shift, 0.1-0.25 moderate shift (investigate), > 0.25 major shift (retrain).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ml.features import CATEGORICAL_FEATURES

PSI_MODERATE = 0.1
PSI_MAJOR = 0.25
BINS = 10
EPSILON = 1e-4


MISSING = "__missing__"


def _shares(counts: np.ndarray) -> np.ndarray:
    total = counts.sum()
    shares = counts / total if total else np.zeros_like(counts, dtype=float)
    return np.where(shares > 0, shares, EPSILON)


def _labels(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), MISSING).astype(str)


def _numeric_counts(values: pd.Series, edges: np.ndarray) -> np.ndarray:
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(numbers)
    binned = np.bincount(np.searchsorted(edges, numbers[ok], side="right"), minlength=len(edges) + 1)
    return np.append(binned, (~ok).sum()).astype(float)


def profile_feature(expected: pd.Series, *, bins: int = BINS, categorical: bool = False) -> dict[str, Any]:
    """The binned distribution of one feature (binning in the module docstring), JSON-ready: kept with a trained
    model, it lets drift be measured later against the population the model learnt from."""
    if categorical:
        counts = _labels(expected).value_counts()
        return {"type": "categorical", "shares": {str(k): float(v) / max(len(expected), 1) for k, v in counts.items()}}
    numbers = pd.to_numeric(expected, errors="coerce").to_numpy(dtype=float)
    finite = numbers[np.isfinite(numbers)]
    edges = np.unique(np.quantile(finite, np.linspace(0, 1, bins + 1)[1:-1])) if len(finite) else np.array([])
    counts = _numeric_counts(expected, edges)
    return {"type": "numeric", "edges": edges.tolist(), "shares": (counts / max(counts.sum(), 1.0)).tolist()}


def psi_against(feature_profile: dict[str, Any], actual: pd.Series) -> float:
    """PSI of ``actual`` against a :func:`profile_feature` of the expected population."""
    if feature_profile["type"] == "categorical":
        expected_shares: dict[str, float] = feature_profile["shares"]
        labels = _labels(actual)
        values = sorted(set(expected_shares) | set(labels))
        e_counts = np.array([expected_shares.get(value, 0.0) for value in values], dtype=float)
        a_counts = labels.value_counts().reindex(values, fill_value=0).to_numpy(dtype=float)
    else:
        e_counts = np.asarray(feature_profile["shares"], dtype=float)
        a_counts = _numeric_counts(actual, np.asarray(feature_profile["edges"], dtype=float))
    e_share, a_share = _shares(e_counts), _shares(a_counts)
    return float(np.sum((a_share - e_share) * np.log(a_share / e_share)))


def psi(expected: pd.Series, actual: pd.Series, *, bins: int = BINS, categorical: bool = False) -> float:
    """PSI of one feature (binning in the module docstring)."""
    return psi_against(profile_feature(expected, bins=bins, categorical=categorical), actual)


def profile(expected: pd.DataFrame, features: list[str]) -> dict[str, dict[str, Any]]:
    """:func:`profile_feature` of each feature present in ``expected`` (text and CATEGORICAL_FEATURES categorical)."""
    out = {}
    for feature in features:
        if feature in expected.columns:
            categorical = feature in CATEGORICAL_FEATURES or not pd.api.types.is_numeric_dtype(expected[feature])
            out[feature] = profile_feature(expected[feature], categorical=categorical)
    return out


def stability_against(profiles: dict[str, dict[str, Any]], actual: pd.DataFrame) -> dict[str, float]:
    """PSI per profiled feature present in ``actual`` (a feature absent from it is skipped)."""
    return {feature: psi_against(p, actual[feature]) for feature, p in profiles.items() if feature in actual.columns}


def population_stability(expected: pd.DataFrame, actual: pd.DataFrame, features: list[str]) -> dict[str, float]:
    """PSI per feature present in both frames (a feature absent from either is skipped; text is categorical)."""
    return stability_against(profile(expected, features), actual)
