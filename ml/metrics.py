"""Evaluation metrics of the three models (all on numpy arrays, vectorised).

Churn: ``roc_auc`` (probability that a random churner is ranked above a random non-churner), ``brier`` (mean
squared error of the probability, lower is better), ``log_loss``, ``base_rate`` (share churned).
Lifetime value: ``rmse`` (root mean squared error per customer, EUR), ``mae``, ``spearman`` (rank correlation
of predicted and actual spend), ``top20_share`` (share of the actual next-period revenue held by the 20 % of
customers with the highest prediction), ``total_error`` (predicted total / actual total - 1).
Segment: ``accuracy`` and ``macro_f1`` against the rule segment.
"""

from __future__ import annotations

import numpy as np
from scipy import stats
from sklearn.metrics import accuracy_score, brier_score_loss, f1_score, log_loss, roc_auc_score


def churn_metrics(y_true: np.ndarray, probability: np.ndarray, prefix: str = "") -> dict[str, float]:
    """roc_auc, brier, log_loss of churn probabilities (roc_auc is NaN with a single class)."""
    y = np.asarray(y_true, dtype=int)
    p = np.clip(np.asarray(probability, dtype=float), 1e-6, 1 - 1e-6)
    two_classes = len(np.unique(y)) == 2
    return {
        f"{prefix}roc_auc": float(roc_auc_score(y, p)) if two_classes else float("nan"),
        f"{prefix}brier": float(brier_score_loss(y, p)),
        f"{prefix}log_loss": float(log_loss(y, p, labels=[0, 1])),
    }


def top_share(actual: np.ndarray, predicted: np.ndarray, share: float = 0.2) -> float:
    """Share of the actual total held by the ``share`` of rows with the highest prediction (ties: row order)."""
    actual = np.asarray(actual, dtype=float)
    total = actual.sum()
    if total <= 0 or len(actual) == 0:
        return float("nan")
    k = max(1, int(round(share * len(actual))))
    order = np.argsort(-np.asarray(predicted, dtype=float), kind="stable")
    return float(actual[order[:k]].sum() / total)


def clv_metrics(actual: np.ndarray, predicted: np.ndarray, prefix: str = "") -> dict[str, float]:
    """rmse, mae, spearman, top20_share, total_error of spend predictions (EUR)."""
    y = np.asarray(actual, dtype=float)
    p = np.asarray(predicted, dtype=float)
    spearman = stats.spearmanr(y, p).statistic if np.ptp(y) > 0 and np.ptp(p) > 0 else float("nan")
    total = y.sum()
    return {
        f"{prefix}rmse": float(np.sqrt(np.mean((y - p) ** 2))),
        f"{prefix}mae": float(np.mean(np.abs(y - p))),
        f"{prefix}spearman": float(spearman),
        f"{prefix}top20_share": top_share(y, p, 0.2),
        f"{prefix}total_error": float(p.sum() / total - 1.0) if total > 0 else float("nan"),
    }


def segment_metrics(actual: np.ndarray, predicted: np.ndarray, prefix: str = "") -> dict[str, float]:
    """accuracy and macro-averaged F1 of predicted segments."""
    return {
        f"{prefix}accuracy": float(accuracy_score(actual, predicted)),
        f"{prefix}macro_f1": float(f1_score(actual, predicted, average="macro", zero_division=0)),
    }


def paired_rmse_difference_interval(
    actual: np.ndarray, first: np.ndarray, second: np.ndarray, seed: int = 0, resamples: int = 400
) -> tuple[float, float]:
    """95 % paired bootstrap interval (percentile) of RMSE(first) - RMSE(second) over the rows: rows are drawn
    with replacement, the same rows for both predictions. An interval that holds 0 means the rows cannot tell
    the two apart. Memory stays O(rows): one resample at a time."""
    actual = np.asarray(actual, dtype=float)
    first_errors = (actual - np.asarray(first, dtype=float)) ** 2
    second_errors = (actual - np.asarray(second, dtype=float)) ** 2
    if len(actual) < 2:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    differences = np.empty(resamples)
    for index in range(resamples):
        rows = rng.integers(0, len(actual), len(actual))
        differences[index] = np.sqrt(first_errors[rows].mean()) - np.sqrt(second_errors[rows].mean())
    low, high = np.percentile(differences, [2.5, 97.5])
    return float(low), float(high)
