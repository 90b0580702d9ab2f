"""Per-customer explanations: which features moved a customer's score most.

Method ("replace by the reference value"): for a feature f, the contribution of f to customer i's score is
``score(x_i) - score(x_i with f set to its training reference)``, the reference being the training median
(numeric) or most frequent value (categorical). Positive = the customer's value of f raises the score above
what a typical value would give. It is one model call per feature on a stacked copy of the rows (vectorised,
no loop over customers), restricted to the ``top_n`` globally most important features (largest mean absolute
contribution on a training sample) to bound the cost at N x the scoring cost. Contributions do not add up to
the score exactly (features interact), but a single changed feature is recovered exactly.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ml.features import CATEGORICAL_FEATURES

ScoreFunction = Callable[[pd.DataFrame], np.ndarray]


def reference_values(matrix: pd.DataFrame) -> dict[str, object]:
    """Training medians of numeric columns and modes of categorical ones (NaN when a column is all missing)."""
    out: dict[str, object] = {}
    for column in matrix.columns:
        values = matrix[column].dropna()
        if values.empty:
            out[column] = np.nan
        elif column in CATEGORICAL_FEATURES:
            out[column] = values.astype(str).mode().iloc[0]
        else:
            out[column] = float(values.median())
    return out


def contributions(
    score: ScoreFunction,
    matrix: pd.DataFrame,
    features: list[str],
    reference: dict[str, object],
    *,
    batch_rows: int = 10_000,
    row_classes: np.ndarray | None = None,
) -> pd.DataFrame:
    """Contribution of each feature in ``features`` to each row's score (rows x features), vectorised by batch.

    With ``row_classes`` (one value per row), ``score`` is called as ``score(frame, classes)`` so that a
    multi-class model can score each row's own class.
    """
    parts = []
    for start in range(0, len(matrix), batch_rows):
        block = matrix.iloc[start : start + batch_rows]
        if row_classes is None:
            base = np.asarray(score(block), dtype=float)
        else:
            classes = row_classes[start : start + batch_rows]
            base = np.asarray(score(block, classes), dtype=float)
        stacked = pd.concat([block] * len(features), ignore_index=True)
        n = len(block)
        for j, feature in enumerate(features):
            value = reference.get(feature, np.nan)
            column = stacked[feature].copy()
            column.iloc[j * n : (j + 1) * n] = value
            stacked[feature] = column
        if row_classes is None:
            replaced = np.asarray(score(stacked), dtype=float)
        else:
            replaced = np.asarray(score(stacked, np.tile(classes, len(features))), dtype=float)
        replaced = replaced.reshape(len(features), n).T
        parts.append(pd.DataFrame(base[:, None] - replaced, columns=features, index=block.index))
    if not parts:
        return pd.DataFrame(columns=features, index=matrix.index, dtype=float)
    return pd.concat(parts)


def global_importance(
    score: ScoreFunction,
    matrix: pd.DataFrame,
    reference: dict[str, object],
    *,
    sample_rows: int = 2_000,
    seed: int = 0,
) -> pd.Series:
    """Mean absolute contribution of every column on a sample of rows, largest first."""
    sample = matrix.sample(n=min(sample_rows, len(matrix)), random_state=seed) if len(matrix) else matrix
    values = contributions(score, sample, list(matrix.columns), reference)
    return values.abs().mean().sort_values(ascending=False)


def top_features(values: pd.DataFrame, k: int = 3) -> pd.DataFrame:
    """For each row the ``k`` features of largest absolute contribution: top_feature_i / top_feature_i_contribution.

    Fewer explaining features than ``k`` leave the remaining pairs NULL.
    """
    n = len(values)
    out: dict[str, object] = {}
    if values.shape[1] == 0:
        order = np.zeros((n, 0), dtype=int)
    else:
        order = np.argsort(-np.abs(values.to_numpy(dtype=float)), axis=1, kind="stable")
    names = np.asarray(values.columns, dtype=object)
    matrix = values.to_numpy(dtype=float)
    for i in range(k):
        if i < order.shape[1]:
            idx = order[:, i]
            out[f"top_feature_{i + 1}"] = names[idx]
            out[f"top_feature_{i + 1}_contribution"] = matrix[np.arange(n), idx]
        else:
            out[f"top_feature_{i + 1}"] = np.full(n, None, dtype=object)
            out[f"top_feature_{i + 1}_contribution"] = np.full(n, np.nan)
    return pd.DataFrame(out, index=values.index)
