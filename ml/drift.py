"""Feature drift: the population stability index (PSI) between a training frame and the scoring frame.

PSI = sum over bins of (a_i - e_i) * ln(a_i / e_i), with e_i / a_i the share of expected (training) / actual
(scoring) rows in bin i. Binning: numeric features on the deciles of the expected sample (distinct edges only,
so a feature with few values gets fewer bins; open-ended first and last bins), categorical features on their
values; missing values (NULL) form a bin of their own. Empty bins get a share of 1e-4 so the log stays finite.

Reading (N. Siddiqi, "Credit Risk Scorecards", Wiley 2006, the usual industry rule): PSI < 0.1 no significant
shift, 0.1-0.25 moderate shift (investigate), > 0.25 major shift (retrain).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml.features import CATEGORICAL_FEATURES

PSI_MODERATE = 0.1
PSI_MAJOR = 0.25
BINS = 10
EPSILON = 1e-4


def _shares(counts: np.ndarray) -> np.ndarray:
    total = counts.sum()
    shares = counts / total if total else np.zeros_like(counts, dtype=float)
    return np.where(shares > 0, shares, EPSILON)


def psi(expected: pd.Series, actual: pd.Series, *, bins: int = BINS, categorical: bool = False) -> float:
    """PSI of one feature (binning in the module docstring)."""
    if categorical:
        e = expected.astype(object).where(expected.notna(), "__missing__").astype(str)
        a = actual.astype(object).where(actual.notna(), "__missing__").astype(str)
        values = sorted(set(e) | set(a))
        e_counts = e.value_counts().reindex(values, fill_value=0).to_numpy(dtype=float)
        a_counts = a.value_counts().reindex(values, fill_value=0).to_numpy(dtype=float)
    else:
        e = pd.to_numeric(expected, errors="coerce").to_numpy(dtype=float)
        a = pd.to_numeric(actual, errors="coerce").to_numpy(dtype=float)
        finite = e[np.isfinite(e)]
        edges = np.unique(np.quantile(finite, np.linspace(0, 1, bins + 1)[1:-1])) if len(finite) else np.array([])

        def counts(values: np.ndarray) -> np.ndarray:
            ok = np.isfinite(values)
            binned = np.bincount(np.searchsorted(edges, values[ok], side="right"), minlength=len(edges) + 1)
            return np.append(binned, (~ok).sum()).astype(float)

        e_counts, a_counts = counts(e), counts(a)
    e_share, a_share = _shares(e_counts), _shares(a_counts)
    return float(np.sum((a_share - e_share) * np.log(a_share / e_share)))


def population_stability(expected: pd.DataFrame, actual: pd.DataFrame, features: list[str]) -> dict[str, float]:
    """PSI per feature present in both frames (a feature absent from either is skipped; text is categorical)."""
    out = {}
    for feature in features:
        if feature in expected.columns and feature in actual.columns:
            categorical = feature in CATEGORICAL_FEATURES or not pd.api.types.is_numeric_dtype(expected[feature])
            out[feature] = psi(expected[feature], actual[feature], categorical=categorical)
    return out
