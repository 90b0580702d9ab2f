"""Rolling-origin backtests of the churn and lifetime value candidates, and the champion family they choose.

A backtest origin is a past date: every candidate is fitted on what was known before it and scored on the
window that follows it, and the family that is best on the model's primary metric (churn: ROC AUC, higher is
better; CLV: RMSE, lower is better) averaged over the origins becomes the family the run trains (the
"point-in-time backtests" of Hyndman & Athanasopoulos, "Forecasting: Principles and Practice", 3rd ed.,
section 5.10, "time series cross-validation"). The candidates:

* ``boosting``: the supervised models of :mod:`ml.training` (churn: gradient boosting and/or logistic
  regression; CLV: gradient boosting alone, :class:`ml.estimators.CLVRegressor` with BG/NBD weight 0);
* ``bgnbd_gamma_gamma``: BG/NBD + Gamma-Gamma fitted on the origin's features alone (no labels), forecasting the
  window (churn: P(no purchase in the window), :func:`ml.btyd.bgnbd_probability_no_purchase`);
* ``blend``: churn: half boosting, half BG/NBD; CLV: the validated blend of :class:`ml.estimators.CLVRegressor`;
* ``naive``: churn: the reference, never promoted (customers ranked by days since their last purchase, the base
  rate of the training rows as probability); CLV: the spend of the last 180 days scaled to the window, a
  label-free model that may be promoted (:class:`ml.estimators.NaiveCLVRegressor`).

Two kinds of origins:

* **labelled** (:func:`labelled_backtests`), where dbt's training dates give labelled windows of the full
  horizon: the latest ``max_origins`` training dates. At each, the supervised candidates train on the windows
  that ended by the origin (training dates at least a horizon earlier); where none did, on the same window's
  other customers (80/20 by customer), said in the ``training`` column.
* **from purchases** (:func:`purchase_backtests`), where no usable labelled window exists (a young lake, or a
  horizon longer than the history): only BG/NBD + Gamma-Gamma and the naive reference, on windows computed
  from ``marts.customer_purchases`` at origins in the lake's own history (CLV: the better of the two by the same
  rule as below becomes the champion; churn: BG/NBD). The window is the horizon when the
  history holds it twice, else shorter, a third of the history (the model then forecasts that window, not the
  horizon), said in ``window_days``. These figures gate the probabilistic champion.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ml import metrics, training
from ml.data import horizon_days, read_only
from ml.estimators import BTYDChurnClassifier, BTYDCLVRegressor
from ml.features import customer_holdout_mask

log = logging.getLogger(__name__)

PURCHASES_TABLE = "marts.customer_purchases"
FAMILIES = ("boosting", "bgnbd_gamma_gamma", "blend", "naive")
# The families a champion may be of: the naive CLV ("same as the last period") is a model too; a recency ranking
# is not a churn probability, so the naive churn reference is never promoted.
PROMOTABLE = {
    "churn": ("boosting", "bgnbd_gamma_gamma", "blend"),
    "clv": ("boosting", "bgnbd_gamma_gamma", "blend", "naive"),
}
LABEL_FREE = ("bgnbd_gamma_gamma", "naive")  # families that need no labelled window
PRIMARY = {"churn": ("roc_auc", True), "clv": ("rmse", False)}
# Below these, a labelled frame cannot train a supervised model worth having: the probabilistic family scores.
MIN_LABELLED_CUSTOMERS = 100
MIN_CLASS_ROWS = 20
MIN_WINDOW_DAYS = 14
MIN_HISTORY_DAYS = 28  # a labelled window trains only where the lake held this many days of sales before it
COLUMNS = [
    "kind", "origin_date", "window_days", "horizon_days", "candidate", "training", "rows_train",
    "rows_evaluated", "metric", "value",
]  # fmt: skip


def usable_for_supervised(frame: pd.DataFrame | None, kind: str) -> tuple[bool, str]:
    """Whether a labelled frame can train a supervised model: (usable?, why not)."""
    if frame is None or frame.empty:
        return False, "no labelled window of the horizon fits in the lake's history"
    buyers = frame.loc[pd.to_numeric(frame["purchase_count"], errors="coerce").fillna(0) > 0, "customer_id"].nunique()
    if buyers < MIN_LABELLED_CUSTOMERS:
        return False, (
            f"only {buyers} labelled customers with a purchase before their training date (fewer than "
            f"{MIN_LABELLED_CUSTOMERS})"
        )
    if kind == "churn":
        counts = frame["is_churned"].value_counts()
        smaller = int(counts.min()) if len(counts) == 2 else 0
        if smaller < MIN_CLASS_ROWS:
            return False, f"only {smaller} rows of the rarer churn class (fewer than {MIN_CLASS_ROWS})"
    else:
        spenders = int((frame["clv_spend_in_horizon_eur"] > 0).sum())
        if spenders < MIN_CLASS_ROWS:
            return False, f"only {spenders} labelled rows with spend (fewer than {MIN_CLASS_ROWS})"
    return True, ""


def after_first_purchase(warehouse: Path, frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """The labelled rows of training dates at least :data:`MIN_HISTORY_DAYS` after the lake's first purchase (None
    when none is left).

    A training date before the shop's first sale labels customers whose source records are older (a CRM
    imported before the shop opened) as churned with zero spend, and gives them empty features: windows of a
    business that did not sell yet, which would teach a supervised model nothing true (found on lakes cut to 3
    months of orders, where such windows trained a churn model ranking at chance). A date days after the first
    sale is little better: on CDNOW as of its sixth month, the one labelled window started the day after the
    shop opened, every customer one day old, and the models evaluated on it ranked churners at 0.51."""
    if frame is None or frame.empty:
        return None
    with read_only(warehouse) as con:
        first = con.execute(f"select min(purchase_date) from {PURCHASES_TABLE}").fetchone()[0]
    if first is None:
        return None
    start = pd.Timestamp(first) + pd.Timedelta(days=MIN_HISTORY_DAYS)
    kept = frame.loc[pd.to_datetime(frame["as_of_date"]) >= start].reset_index(drop=True)
    kept.attrs.update(frame.attrs)
    return kept if len(kept) else None


def _label(kind: str, frame: pd.DataFrame) -> np.ndarray:
    column = "is_churned" if kind == "churn" else "clv_spend_in_horizon_eur"
    return frame[column].to_numpy(dtype=int if kind == "churn" else float)


def _naive(kind: str, rows: pd.DataFrame, window: int) -> np.ndarray:
    return training.recency_rank(rows) if kind == "churn" else training.naive_prediction(rows, window)


def _metrics(kind: str, y: np.ndarray, predicted: np.ndarray, candidate: str, base_rate: float) -> dict[str, float]:
    if kind == "clv":
        return metrics.clv_metrics(y, predicted)
    if candidate == "naive":  # a ranking, not a probability: AUC of the ranking, Brier of the base rate
        out = metrics.churn_metrics(y, predicted / max(float(np.max(predicted, initial=0.0)), 1.0))
        out["brier"] = float(np.mean((y - base_rate) ** 2)) if len(y) else float("nan")
        out.pop("log_loss", None)
        return out
    return metrics.churn_metrics(y, np.clip(predicted, 0.0, 1.0))


def btyd_candidate(kind: str, window: int) -> Any:
    return BTYDChurnClassifier(window) if kind == "churn" else BTYDCLVRegressor(window)


def _btyd_scores(kind: str, model: Any, rows: pd.DataFrame) -> np.ndarray:
    return model.predict_proba(rows)[:, 1] if kind == "churn" else model.predict(rows)


def _rows(kind: str, origin: Any, window: int, candidate: str, training: str, n_train: int, y, values) -> list[dict]:
    horizon = horizon_days(kind)
    return [
        dict(
            kind=kind,
            origin_date=pd.Timestamp(origin).date(),
            window_days=int(window),
            horizon_days=horizon,
            candidate=candidate,
            training=training,
            rows_train=int(n_train),
            rows_evaluated=int(len(y)),
            metric=name,
            value=float(value),
        )  # fmt: skip
        for name, value in values.items()
    ]


def labelled_backtests(frame: pd.DataFrame, kind: str, seed: int = 0, max_origins: int = 3) -> pd.DataFrame:
    """Backtests of every candidate at the latest ``max_origins`` training dates of a labelled frame (long form)."""
    horizon = horizon_days(kind)
    dates = sorted(pd.to_datetime(frame["as_of_date"]).unique(), reverse=True)[:max_origins]
    as_of = pd.to_datetime(frame["as_of_date"])
    out: list[dict] = []
    for origin in dates:
        at = frame.loc[as_of == origin].reset_index(drop=True)
        earlier = frame.loc[as_of <= origin - pd.Timedelta(days=horizon)].reset_index(drop=True)
        if usable_for_supervised(earlier, kind)[0]:
            train_rows, test, how = earlier, at, "earlier windows"
        else:
            holdout = customer_holdout_mask(at["customer_id"], seed=seed)
            train_rows, test = at.loc[~holdout].reset_index(drop=True), at.loc[holdout].reset_index(drop=True)
            how = "same window, other customers"
        if len(test) < 10 or not usable_for_supervised(train_rows, kind)[0]:
            log.info("backtest origin %s of %s skipped: too few labelled rows", origin.date(), kind)
            continue
        y = _label(kind, test)
        base_rate = float(_label(kind, train_rows).mean())
        predictions: dict[str, np.ndarray] = {}
        # BG/NBD + Gamma-Gamma on the origin's features alone (every customer at the origin; no label used).
        try:
            predictions["bgnbd_gamma_gamma"] = _btyd_scores(kind, btyd_candidate(kind, horizon).fit(at), test)
        except ValueError as exc:  # too few buyers at the origin to fit: the candidate sits this origin out
            log.info("BG/NBD not backtested at origin %s of %s: %s", origin.date(), kind, exc)
            predictions["bgnbd_gamma_gamma"] = np.full(len(test), np.nan)
        if kind == "churn":
            # One supervised fit: the blend is half its probability, half BG/NBD's (fitted at the origin here, on
            # the training rows in the trained blend), which saves a second calibrated fit per origin.
            predictions["boosting"] = training.fit_churn(train_rows, seed, "boosting")[0].score_values(test)
            if np.isfinite(predictions["bgnbd_gamma_gamma"]).all():
                predictions["blend"] = (predictions["boosting"] + predictions["bgnbd_gamma_gamma"]) / 2
        else:
            for family in ("boosting", "blend"):
                try:
                    predictions[family] = training.fit_clv(train_rows, seed, family)[0].score_values(test)
                except ValueError as exc:  # BG/NBD inside the CLV model cannot fit these rows
                    log.info("%s not backtested at origin %s of clv: %s", family, origin.date(), exc)
        predictions["naive"] = _naive(kind, test, horizon)
        for candidate in FAMILIES:
            if candidate not in predictions or not np.isfinite(predictions[candidate]).all():
                continue
            values = _metrics(kind, y, predictions[candidate], candidate, base_rate)
            training_how = how if candidate in ("boosting", "blend") else "history before the origin (no labels)"
            out += _rows(kind, origin, horizon, candidate, training_how, len(train_rows), y, values)
        log.info("backtested %s at origin %s (%s): %d rows", kind, origin.date(), how, len(test))
    return pd.DataFrame(out, columns=COLUMNS)


def history_days(warehouse: Path, as_of: date) -> int:
    """Days from the first purchase in ``marts.customer_purchases`` to ``as_of`` (0 without purchases)."""
    with read_only(warehouse) as con:
        first = con.execute(f"select min(purchase_date) from {PURCHASES_TABLE} where purchase_date < ?", [as_of])
        start = first.fetchone()[0]
    return (as_of - start).days if start is not None else 0


def purchase_frame(warehouse: Path, origin: date, window: int) -> pd.DataFrame:
    """Per buyer before ``origin``: the BG/NBD inputs as the features define them (days counted back from the
    origin, 1 = the day before), the last 180 days' spend, and the labels of [origin, origin + window)."""
    end = origin + timedelta(days=window)
    sql = f"""
        with history as (
            select
                customer_id,
                count(*) as purchase_count,
                max(date_diff('day', purchase_date, ?::date)) as days_since_first_purchase,
                min(date_diff('day', purchase_date, ?::date)) as recency_days,
                sum(amount_eur) / count(*) as avg_purchase_value_eur,
                sum(case when purchase_date >= ?::date - 90 then amount_eur else 0 end) as monetary_90d_eur,
                sum(case when purchase_date < ?::date - 90 and purchase_date >= ?::date - 180
                    then amount_eur else 0 end) as monetary_prev_90d_eur
            from {PURCHASES_TABLE}
            where purchase_date < ?::date
            group by customer_id
        ),
        future as (
            select customer_id, count(*) as purchases_in_window, sum(amount_eur) as spend_in_window
            from {PURCHASES_TABLE}
            where purchase_date >= ?::date and purchase_date < ?::date
            group by customer_id
        )
        select
            history.customer_id,
            ?::date as as_of_date,
            cast(history.purchase_count as double) as purchase_count,
            cast(history.days_since_first_purchase as double) as days_since_first_purchase,
            cast(history.recency_days as double) as recency_days,
            cast(history.avg_purchase_value_eur as double) as avg_purchase_value_eur,
            cast(history.monetary_90d_eur as double) as monetary_90d_eur,
            cast(history.monetary_prev_90d_eur as double) as monetary_prev_90d_eur,
            cast(coalesce(future.purchases_in_window, 0) = 0 as integer) as is_churned,
            cast(coalesce(future.spend_in_window, 0) as double) as clv_spend_in_horizon_eur,
            cast(coalesce(future.purchases_in_window, 0) as double) as clv_purchases_in_horizon
        from history
        left join future using (customer_id)
        order by history.customer_id
    """
    with read_only(warehouse) as con:
        parameters = [origin, origin, origin, origin, origin, origin, origin, end, origin]
        frame = con.execute(sql, parameters).df()
    frame.attrs["window_days"] = window
    return frame


def purchase_backtests(
    warehouse: Path, kind: str, as_of: date, max_origins: int = 3
) -> tuple[pd.DataFrame, pd.DataFrame | None, str]:
    """Backtests of BG/NBD + Gamma-Gamma and the naive reference on windows computed from the purchases alone.

    The window is the horizon when the history before ``as_of`` holds it twice, else a third of the history (at
    least :data:`MIN_WINDOW_DAYS`); origins step back by half a window from ``as_of - window`` while the
    calibration history before an origin is at least a window long (three origins when the window is a third).
    Returns (the long table, the latest origin's frame, which is the holdout the champion comparison uses, or
    None, and a sentence saying what was done).
    """
    horizon = horizon_days(kind)
    history = history_days(warehouse, as_of)
    window = horizon if history >= 2 * horizon else history // 3
    if window < MIN_WINDOW_DAYS:
        return (
            pd.DataFrame(columns=COLUMNS),
            None,
            (
                f"the lake holds {history} days of purchases: too short for a backtest window of at least "
                f"{MIN_WINDOW_DAYS} days; gated on the fit alone"
            ),
        )
    step = max(window // 2, 7)
    origins = [as_of - timedelta(days=window + k * step) for k in range(max_origins)]
    origins = [o for o in origins if (o - (as_of - timedelta(days=history))).days >= window] or origins[:1]
    out: list[dict] = []
    latest = None
    for origin in origins:
        frame = purchase_frame(warehouse, origin, window)
        if len(frame) < 10:
            continue
        latest = frame if latest is None else latest
        y = _label(kind, frame)
        try:
            model = btyd_candidate(kind, window).fit(frame)
        except ValueError as exc:  # too few buyers before this origin to fit
            log.info("backtest origin %s of %s skipped: %s", origin, kind, exc)
            continue
        base_rate = float(y.mean())
        for candidate, predicted in (
            ("bgnbd_gamma_gamma", _btyd_scores(kind, model, frame)),
            ("naive", _naive(kind, frame, window)),
        ):
            values = _metrics(kind, y, predicted, candidate, base_rate)
            out += _rows(
                kind, origin, window, candidate, "history before the origin (no labels)", len(frame), y, values
            )
    how = f"backtested on {len(origins)} origin(s) with {window}-day windows from the purchases" + (
        "" if window == horizon else f" (the {horizon}-day horizon does not fit twice in {history} days of history)"
    )
    return pd.DataFrame(out, columns=COLUMNS), latest, how


# CLV is read four ways (error, ranking, who holds the revenue, the total); a family is chosen on all four.
CLV_CRITERIA = {"rmse": False, "spearman": True, "top20_share": True, "abs_total_error": False}


def choose_family(table: pd.DataFrame, kind: str, label_free_only: bool = False) -> tuple[str, str]:
    """The first of :func:`ranked_families` and why (a sentence)."""
    ranked, reason = ranked_families(table, kind, label_free_only)
    return ranked[0], reason


def ranked_families(table: pd.DataFrame, kind: str, label_free_only: bool = False) -> tuple[list[str], str]:
    """The promotable families the backtests favour, best first, and why (a sentence); ``label_free_only``
    where no labelled window exists (BG/NBD + Gamma-Gamma, or for CLV the naive "same as the last period").
    Training takes the first that passes its thresholds (:func:`ml.pipeline.train_champion`).

    churn: the best ROC AUC averaged over the origins. CLV: the best mean rank over :data:`CLV_CRITERIA` (each
    averaged over the origins, ranked among the promotable families; ties by RMSE): RMSE alone is dominated by a
    few big spenders, and a family that wins it by a little can rank customers clearly worse (on generated lakes
    cut to 6 and 9 months, boosting won RMSE while its Spearman trailed BG/NBD's by 0.04-0.08).
    """
    metric, higher = PRIMARY[kind]
    rows = table.loc[table["candidate"].isin(FAMILIES)].copy()
    rows.loc[rows["metric"] == "total_error", "value"] = rows.loc[rows["metric"] == "total_error", "value"].abs()
    rows.loc[rows["metric"] == "total_error", "metric"] = "abs_total_error"
    means = rows.groupby(["metric", "candidate"])["value"].mean().unstack("metric")
    if means.empty or metric not in means or means[metric].dropna().empty:
        return ["bgnbd_gamma_gamma"], "no backtest origin: the probabilistic family, which needs no labels"
    allowed = [f for f in PROMOTABLE[kind] if f in LABEL_FREE or not label_free_only]
    promotable = means.loc[means.index.isin(allowed)].dropna(subset=[metric])
    if promotable.empty:
        return ["bgnbd_gamma_gamma"], "no promotable candidate was backtested: the probabilistic family"
    origins = rows["origin_date"].nunique()
    if kind == "churn":
        ranked = list(promotable[metric].sort_values(ascending=False).index)
        listing = ", ".join(f"{name} {value:.4f}" for name, value in means[metric].sort_values(ascending=False).items())
        reason = f"best mean {metric} over {origins} backtest origin(s): {listing}"
    else:
        criteria = [c for c in CLV_CRITERIA if c in promotable]
        ranks = pd.concat([promotable[c].rank(ascending=not CLV_CRITERIA[c]) for c in criteria], axis=1)
        order = pd.DataFrame({"rank": ranks.mean(axis=1), "rmse": promotable["rmse"]}).sort_values(["rank", "rmse"])
        ranked = list(order.index)
        listing = ", ".join(
            f"{name} (rank {row['rank']:.2f}; rmse {promotable.loc[name, 'rmse']:.4g}, spearman "
            f"{promotable.loc[name, 'spearman']:.3f})"
            for name, row in order.iterrows()
        )
        reason = f"best mean rank on {', '.join(criteria)} over {origins} backtest origin(s): {listing}"
    best = ranked[0]
    naive = means[metric].get("naive")
    if naive is not None and ((naive > means[metric][best]) if higher else (naive < means[metric][best])):
        reason += f"; the naive reference did better on {metric}, a warning that the features carry little signal"
    return [str(name) for name in ranked], reason


def summary_metrics(table: pd.DataFrame) -> dict[str, float]:
    """``backtest_<candidate>_<metric>`` means over the origins, for MLflow."""
    if table.empty:
        return {}
    means = table.groupby(["candidate", "metric"])["value"].mean()
    return {f"backtest_{candidate}_{metric}": float(value) for (candidate, metric), value in means.items()}


__all__ = [
    "COLUMNS",
    "FAMILIES",
    "choose_family",
    "labelled_backtests",
    "purchase_backtests",
    "purchase_frame",
    "summary_metrics",
    "usable_for_supervised",
]
