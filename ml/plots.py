"""Evaluation figures (matplotlib, Agg backend: no display needed). Each function returns a new Figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from sklearn.calibration import calibration_curve  # noqa: E402
from sklearn.metrics import confusion_matrix, roc_curve  # noqa: E402


def roc_figure(y: np.ndarray, curves: dict[str, np.ndarray]) -> Figure:
    """ROC curves of several score vectors (name -> score, higher = more likely churned)."""
    fig, ax = plt.subplots(figsize=(5, 5))
    for name, score in curves.items():
        fpr, tpr, _ = roc_curve(y, score)
        ax.plot(fpr, tpr, label=name)
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=0.8)
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title="Churn ROC (holdout)")
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


def calibration_figure(y: np.ndarray, probability: np.ndarray) -> Figure:
    """Reliability diagram: mean predicted probability vs observed churn share per quantile bin."""
    fig, ax = plt.subplots(figsize=(5, 5))
    observed, predicted = calibration_curve(y, probability, n_bins=10, strategy="quantile")
    ax.plot(predicted, observed, marker="o", label="model")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=0.8, label="perfect")
    ax.set(xlabel="predicted churn probability", ylabel="observed churn share", title="Calibration (holdout)")
    ax.legend(loc="upper left")
    fig.tight_layout()
    return fig


def lift_figure(y: np.ndarray, probability: np.ndarray, bins: int = 10) -> Figure:
    """Churn share per decile of predicted probability, divided by the base rate (lift)."""
    order = np.argsort(-probability, kind="stable")
    groups = np.array_split(np.asarray(y, dtype=float)[order], bins)
    base = float(np.mean(y)) or 1.0
    lift = [g.mean() / base if len(g) else 0.0 for g in groups]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.bar(np.arange(1, len(lift) + 1), lift)
    ax.axhline(1.0, color="grey", linestyle="--", linewidth=0.8)
    ax.set(xlabel="decile of predicted churn probability (1 = highest)", ylabel="lift", title="Churn lift")
    fig.tight_layout()
    return fig


def gains_figure(actual: np.ndarray, predictions: dict[str, np.ndarray]) -> Figure:
    """Cumulative share of actual revenue captured when customers are ranked by each prediction."""
    fig, ax = plt.subplots(figsize=(5, 5))
    actual = np.asarray(actual, dtype=float)
    total = actual.sum() or 1.0
    x = np.arange(1, len(actual) + 1) / max(len(actual), 1)
    for name, predicted in predictions.items():
        order = np.argsort(-np.asarray(predicted, dtype=float), kind="stable")
        ax.plot(x, np.cumsum(actual[order]) / total, label=name)
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=0.8)
    ax.set(xlabel="share of customers (by predicted value)", ylabel="share of actual spend", title="CLV gains")
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


def predicted_vs_actual_figure(actual: np.ndarray, predicted: np.ndarray) -> Figure:
    """Scatter of predicted vs actual spend (log1p axes)."""
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.scatter(np.log1p(predicted), np.log1p(actual), s=6, alpha=0.5)
    top = float(max(np.log1p(np.max(actual, initial=0)), np.log1p(np.max(predicted, initial=0)), 1.0))
    ax.plot([0, top], [0, top], linestyle="--", color="grey", linewidth=0.8)
    ax.set(xlabel="log(1 + predicted EUR)", ylabel="log(1 + actual EUR)", title="CLV: predicted vs actual")
    fig.tight_layout()
    return fig


def confusion_figure(actual: np.ndarray, predicted: np.ndarray, labels: list[str]) -> Figure:
    """Confusion matrix of rule segment (rows) vs predicted segment (columns), row-normalised."""
    matrix = confusion_matrix(actual, predicted, labels=labels).astype(float)
    matrix = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(6, 5))
    image = ax.imshow(matrix, vmin=0, vmax=1, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set(xlabel="predicted", ylabel="rule segment", title="Segment confusion (holdout)")
    fig.colorbar(image, ax=ax)
    fig.tight_layout()
    return fig


def segment_sizes_figure(counts: dict[str, int]) -> Figure:
    """Customers per segment."""
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.bar(list(counts), list(counts.values()))
    ax.set(ylabel="customers", title="Segment sizes (training date)")
    ax.tick_params(axis="x", rotation=45)
    fig.tight_layout()
    return fig


MAX_POINTS = 2000  # per series: a BI chart needs no more, and a holdout of 100,000 rows would otherwise be copied


def _even(count: int) -> np.ndarray:
    """Indices of at most MAX_POINTS points spread evenly over `count`, first and last included."""
    if count <= MAX_POINTS:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, MAX_POINTS).round().astype(int))


def _is_number(text: str) -> bool:
    try:
        float(text.replace("\u2212", "-"))  # matplotlib writes minus signs as U+2212
    except ValueError:
        return False
    return True


def _axis_points(chart: str, ax, series: str, xs, ys) -> list[dict[str, object]]:
    """Rows of one series of an axis: at most MAX_POINTS, with the tick label at each x (a category) if any."""
    ticks = {
        round(float(tick), 6): label.get_text()
        for tick, label in zip(ax.get_xticks(), ax.get_xticklabels(), strict=False)
        if not _is_number(label.get_text())
    }
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    return [
        {
            "chart": chart,
            "series": series,
            "x_label": ax.get_xlabel(),
            "y_label": ax.get_ylabel(),
            "point_index": int(index),
            "x": float(xs[index]),
            "y": float(ys[index]),
            "x_category": ticks.get(round(float(xs[index]), 6)) or None,
        }
        for index in _even(len(xs))
    ]


def figure_points(chart: str, figure: Figure) -> list[dict[str, object]]:
    """The data a figure draws, as rows a BI tool can chart again: lines and scatters (x, y per point), bars
    (position, height, and the category at that position), heat maps (column, value per row). Reference lines
    are kept (series 'perfect', or '_reference' when unlabelled)."""
    rows: list[dict[str, object]] = []
    for ax in figure.axes:
        if ax.get_label() == "<colorbar>":
            continue
        for line in ax.get_lines():
            label = str(line.get_label())
            series = "_reference" if label.startswith("_") else label
            rows += _axis_points(chart, ax, series, line.get_xdata(), line.get_ydata())
        for collection in ax.collections:
            offsets = np.asarray(collection.get_offsets())
            if offsets.ndim == 2 and len(offsets):
                label = str(collection.get_label())
                series = "points" if label.startswith("_") else label
                rows += _axis_points(chart, ax, series, offsets[:, 0], offsets[:, 1])
        for container in ax.containers:
            label = str(container.get_label())
            bars = list(container)
            centres = [bar.get_x() + bar.get_width() / 2 for bar in bars]
            series = "bars" if label.startswith("_") else label
            rows += _axis_points(chart, ax, series, centres, [bar.get_height() for bar in bars])
        y_ticks = [label.get_text() for label in ax.get_yticklabels()]
        for image in ax.get_images():
            matrix = np.asarray(image.get_array())
            for row in range(matrix.shape[0]):
                series = y_ticks[row] if row < len(y_ticks) and y_ticks[row] else f"row {row}"
                rows += _axis_points(chart, ax, series, np.arange(matrix.shape[1]), matrix[row])
    return rows
