"""Churn and CLV quality by history length: c360's champion beside BG/NBD + Gamma-Gamma and the naive baseline.

Method (benchmarks and tests only; models never read the truth):

* Lake: ``seeds_data.generate --future-days 273`` (seed 2027 by default, which no test uses), so the truth holds
  ``is_churned_{90,180,273}d`` and ``spend_next_{90,180,273}d_eur`` after the as-of date 2026-10-01.
* History length N months (3, 6, 9, 16): a copy of the lake without any dated record before 2026-10-01 minus N
  months (:func:`truncate_lake`), a young shop that opened N months ago. Master data (contacts, customers,
  accounts, players, loyalty members, products, stores, campaigns, offers, reference data) stays. 16 months is
  the whole lake.
* Per history: one ``dbt build`` with ``C360_AS_OF=2026-10-01``; per horizon h (90, 180, 273 days, both
  ``C360_CHURN_HORIZON_DAYS`` and ``C360_CLV_HORIZON_DAYS``) a ``dbt run`` of the horizon-dependent feature
  marts only (``customer_features_history+`` without ``customer_360+``), then churn and CLV trained, registered
  and scored as the Dagster assets do (``orchestration.ml_assets.train_and_register``, the champion from
  ``ml.tracking.load_champion``, ``ml.pipeline.score_to_table``) with a fresh MLflow home per history and
  horizon. A training error (a short history holds no labelled window) is the champion's result on that row.
* Truth: each person once, through the customer holding most of the person's records
  (``benchmarks.scores_quality.truth_population``). Churn: ROC AUC and Brier of ``churn_probability`` against
  ``is_churned_{h}d``; CLV: RMSE, Spearman, top-20 % revenue share and total error (predicted / actual total - 1)
  of ``clv_eur`` against ``spend_next_{h}d_eur`` (``ml.metrics``).
* Baselines: BG/NBD + Gamma-Gamma (``ml.btyd.BTYDModel``) fitted on the scoring date's features
  (``marts.customer_features``): ``bgnbd_p_no_purchase`` for churn, ``bgnbd_gg_clv_eur`` for CLV; naive: the
  recency-only ranking (days since the last purchase, never bought = longest) for the AUC, the training labels'
  base rate for the Brier, and spend in the last 180 days scaled to h (``ml.training.naive_prediction``) for CLV.
* Uncertainty: 95 % paired bootstrap intervals over persons of champion minus BG/NBD on AUC, Brier, RMSE,
  Spearman and top-20 % share (``scores_quality.paired_bootstrap`` for CLV). Target on a row: the champion is
  at least as good as BG/NBD on every metric within its interval (the interval reaches the favourable side of
  0); where the history holds two or more labelled windows it must also be better (every point estimate
  favours the champion and at least one interval lies wholly on its side). Also: BG/NBD's P(no purchase) AUC
  minus the recency baseline's, with its paired interval.

``python -m benchmarks.history_lengths --scale 0.5 --seed 2027`` (``make bench-history``) prints a Markdown
table and writes bench_out/history_lengths.md and bench_out/history_lengths.json.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from benchmarks.scores_quality import build, paired_bootstrap, truth_population
from ml import metrics, pipeline, tracking
from ml.btyd import BTYDModel
from ml.training import naive_prediction

PROJECT_ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 10, 1)  # C360_AS_OF: the day after the generator's last history day (2026-09-30)
HISTORY_MONTHS = (3, 6, 9, 16)
HORIZONS = (90, 180, 273)
FEATURE_MARTS = ("--select", "path:models/intermediate/features+", "--exclude", "customer_360+")
HIGHER_IS_BETTER = {"roc_auc": True, "brier": False, "rmse": False, "spearman": True, "top20_share": True}


# ------------------------------------------------------------------------------------------------ truncation
def cut_date(months: int, as_of: date = AS_OF) -> date:
    """``as_of`` minus ``months`` calendar months (day of month kept; the as-of date is a 1st)."""
    month = as_of.year * 12 + as_of.month - 1 - months
    return date(month // 12, month % 12 + 1, as_of.day)


@dataclass
class FileCount:
    file: str
    rows_in: int
    rows_kept: int

    @property
    def rows_dropped(self) -> int:
        return self.rows_in - self.rows_kept


def _open_text(path: Path, mode: str):
    if path.name.endswith(".gz"):
        # mtime=0 and no file name, as the generator writes them
        return gzip.open(path, mode + "t", encoding="utf-8", newline="") if "r" in mode else _gzip_writer(path)
    return path.open(mode, encoding="utf-8", newline="")


def _gzip_writer(path: Path):
    raw = path.open("wb")
    return _ClosingText(gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0), raw)


class _ClosingText:
    def __init__(self, gz: gzip.GzipFile, raw):
        self.gz, self.raw = gz, raw

    def write(self, text: str) -> None:
        self.gz.write(text.encode("utf-8"))

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.gz.close()
        self.raw.close()


def _filter_lines(src: Path, dst: Path, keep, header: bool) -> FileCount:
    """Copy ``src`` to ``dst`` keeping the header and every line for which ``keep(line)`` holds, bytes unchanged."""
    kept = total = 0
    with _open_text(src, "r") as reader, _open_text(dst, "w") as writer:
        for number, line in enumerate(reader):
            if header and number == 0:
                writer.write(line)
                continue
            total += 1
            if keep(line):
                kept += 1
                writer.write(line)
    return FileCount(str(dst), total, kept)


def _count_rows(path: Path) -> int:
    if path.suffix == ".parquet":
        return pq.ParquetFile(path).metadata.num_rows
    with _open_text(path, "r") as reader:
        return sum(1 for _ in reader)


def _day_of_partition(rel: str) -> date | None:
    """The day of a daily partition file (POS, clickstream, game telemetry), None for anything else."""
    parts = rel.split("/")
    name = parts[-1]
    if rel.startswith("pos/transactions/") and name.startswith("pos_"):
        return datetime.strptime(name[4:12], "%Y%m%d").date()
    if rel.startswith("game/telemetry/") and name.startswith("telemetry_"):
        return datetime.strptime(name[10:18], "%Y%m%d").date()
    if rel.startswith("web/clickstream/") and len(parts) >= 3 and parts[2].startswith("dt="):
        return date.fromisoformat(parts[2][3:13])
    return None


def _parse_day(text: str, fmt: str) -> date | None:
    try:
        if fmt == "iso":  # ISO timestamp with offset or Z: its UTC date, as staging compares
            return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).date()
        return datetime.strptime(text, fmt).date()
    except (TypeError, ValueError):
        return None  # a malformed date: the record stays, staging quarantines it as on the full lake


def truncate_lake(lake: Path, out: Path, months: int, as_of: date = AS_OF) -> list[FileCount]:
    """Copy ``lake`` to ``out`` without the dated records before ``as_of`` minus ``months`` months.

    Daily partitions (POS Parquet, clickstream ``dt=`` folders, game telemetry dumps) are dropped whole when
    their day is before the cut. Record files are filtered line by line with kept lines byte-identical: ERP
    orders by ``AUDAT`` (their lines with them, by ``VBELN``), web-shop orders by ``created_at`` (UTC date; a
    monthly file left empty is dropped), campaign exposures by ``assigned_at``. Lines whose date does not parse
    (the generator's defects) stay. Everything else is master data and is copied. Returns rows in / kept per
    file (the dropped daily partitions under their source path).
    """
    cut = cut_date(months, as_of)
    lake, out = Path(lake), Path(out)
    if out.exists():
        shutil.rmtree(out)
    counts: list[FileCount] = []
    dropped_orders: set[str] = set()

    def keep_erp_order(line: str) -> bool:
        fields = line.split(";")
        day = _parse_day(fields[2] if len(fields) > 2 else "", "%Y%m%d")
        if day is not None and day < cut:
            dropped_orders.add(fields[0])
            return False
        return True

    def keep_shop_order(line: str) -> bool:
        try:
            day = _parse_day(json.loads(line).get("created_at"), "iso")
        except (ValueError, AttributeError):
            return True  # broken JSON stays where it was
        return day is None or day >= cut

    def keep_exposure(line: str) -> bool:
        fields = next(csv.reader([line]))
        day = _parse_day(fields[6] if len(fields) > 6 else "", "iso")
        return day is None or day >= cut

    files = sorted(p for p in lake.rglob("*") if p.is_file() and p.relative_to(lake).parts[0] != "published")
    # ERP orders before their lines: the lines follow the orders they belong to
    files.sort(key=lambda p: p.relative_to(lake).as_posix() != "erp/sales_orders.csv")
    for src in files:
        rel = src.relative_to(lake).as_posix()
        dst = out / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        day = _day_of_partition(rel)
        if day is not None:
            rows = _count_rows(src)
            if day < cut:
                counts.append(FileCount(rel, rows, 0))
            else:
                shutil.copyfile(src, dst)
                counts.append(FileCount(rel, rows, rows))
            continue
        if rel == "erp/sales_orders.csv":
            counts.append(_filter_lines(src, dst, keep_erp_order, header=True))
        elif rel == "erp/sales_order_lines.csv":
            counts.append(_filter_lines(src, dst, lambda line: line.split(";")[0] not in dropped_orders, header=True))
        elif rel.startswith("shop/orders/"):
            count = _filter_lines(src, dst, keep_shop_order, header=False)
            if count.rows_kept == 0:
                dst.unlink()
            counts.append(count)
        elif rel == "marketing/exposures.csv.gz":
            counts.append(_filter_lines(src, dst, keep_exposure, header=True))
        else:
            shutil.copyfile(src, dst)
            continue
        counts[-1].file = rel
    for folder in out.glob("web/clickstream/dt=*"):
        if not any(folder.iterdir()):
            folder.rmdir()  # a dropped dt= partition leaves no empty folder behind
    return counts


def summarize_counts(counts: list[FileCount]) -> list[dict[str, Any]]:
    """Rows in / kept / dropped per source (daily partition files summed under their folder)."""
    by_source: dict[str, list[int]] = {}
    for count in counts:
        parts = count.file.split("/")
        key = "/".join(parts[:2]) + "/*" if _day_of_partition(count.file) or parts[1] == "orders" else count.file
        total = by_source.setdefault(key, [0, 0, 0])
        total[0] += count.rows_in
        total[1] += count.rows_kept
        total[2] += 1
    return [
        {"source": key, "rows_in": rows_in, "rows_kept": kept, "rows_dropped": rows_in - kept, "files": files}
        for key, (rows_in, kept, files) in sorted(by_source.items())
    ]


# ------------------------------------------------------------------------------------------------ evaluation
def labelled_windows(warehouse: Path) -> dict[str, int]:
    """Training dates with labels per model: ``churn`` / ``clv`` count those on or after the first purchase in
    the warehouse (the shop's opening, whose window fits the history), ``*_dbt`` every date dbt labelled.

    dbt labels a training date for every customer created before it (``customers.first_created_at``), and the
    master data of a truncated lake is older than its first purchase: the windows before the opening come out
    labelled, every customer churned and nobody spending, though no purchase could have happened then.
    """
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        counts = con.execute("""
            with labelled as (
                select distinct
                    labels.as_of_date,
                    history.is_churn_training_date and labels.is_churned is not null as is_churn_labelled,
                    history.is_clv_training_date and labels.clv_spend_in_horizon_eur is not null as is_clv_labelled,
                    labels.as_of_date >= (select min(purchase_date) from marts.customer_purchases) as is_after_opening
                from marts.customer_training_labels as labels
                inner join marts.customer_features_history as history using (customer_id, as_of_date)
            )
            select
                count(distinct as_of_date) filter (where is_churn_labelled and is_after_opening),
                count(distinct as_of_date) filter (where is_clv_labelled and is_after_opening),
                count(distinct as_of_date) filter (where is_churn_labelled),
                count(distinct as_of_date) filter (where is_clv_labelled)
            from labelled
        """).fetchone()
    finally:
        con.close()
    return dict(zip(("churn", "clv", "churn_dbt", "clv_dbt"), (int(value) for value in counts), strict=True))


def _score_table(warehouse: Path, kind: str) -> pd.DataFrame:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(f"select * from ml.{pipeline.SCORE_TABLES[kind]}").df()
    finally:
        con.close()


def train_and_score(kind: str, home: Path, warehouse: Path) -> dict[str, Any]:
    """The Dagster train and score assets' bodies: returns the model that scored, or the training error."""
    from orchestration.ml_assets import train_and_register  # Dagster import, only when running

    model_name = pipeline.MODEL_NAMES[kind]
    try:
        logged, decision, outcome = train_and_register(kind, home, warehouse)
        pipeline.close_figures(outcome)
    except Exception as error:  # noqa: BLE001 - any training failure is the champion's result on this row
        return {"error": f"{type(error).__name__}: {str(error).strip().splitlines()[0]}"}
    champion = tracking.load_champion(home, model_name)
    if champion is None:
        return {"error": f"no champion: {decision.reason}"}
    pipeline.score_to_table(
        warehouse, kind, champion.model, champion.features,
        model_name=model_name, model_version=champion.version, scored_at=datetime.now(UTC).replace(tzinfo=None),
    )  # fmt: skip
    scores = _score_table(warehouse, kind)
    family = str(scores["model_family"].iloc[0]) if "model_family" in scores.columns and len(scores) else "boosting"
    return {"scores": scores, "model_name": model_name, "model_version": champion.version, "model_family": family}


def _interval(draws: list[float]) -> list[float]:
    return [float(np.nanpercentile(draws, 2.5)), float(np.nanpercentile(draws, 97.5))]


def churn_bootstrap(
    y: np.ndarray, model: np.ndarray, bgnbd: np.ndarray, recency: np.ndarray, *, resamples: int = 200, seed: int = 0
) -> dict[str, list[float]]:
    """95 % paired intervals: champion minus BG/NBD on AUC and Brier, BG/NBD minus recency on AUC."""
    rng = np.random.default_rng(seed)
    draws: dict[str, list[float]] = {}
    for _ in range(resamples):
        rows = rng.integers(0, len(y), len(y))
        if len(np.unique(y[rows])) < 2:
            continue
        theirs = metrics.churn_metrics(y[rows], bgnbd[rows])
        recent = metrics.churn_metrics(y[rows], recency[rows])
        draws.setdefault("roc_auc_bgnbd_minus_recency", []).append(theirs["roc_auc"] - recent["roc_auc"])
        if model is not None:
            ours = metrics.churn_metrics(y[rows], model[rows])
            for metric in ("roc_auc", "brier"):
                draws.setdefault(f"{metric}_minus_bgnbd", []).append(ours[metric] - theirs[metric])
    return {key: _interval(values) for key, values in draws.items()}


def verdict(figures: dict[str, Any], intervals: dict[str, list[float]], windows: int) -> dict[str, Any]:
    """At least as good as BG/NBD on every metric within its interval; better too with >= 2 labelled windows."""
    if figures.get("churn_error") or figures.get("clv_error"):
        return {"at_least_as_good": False, "better": False if windows >= 2 else None, "reason": "champion failed"}
    as_good, favoured, resolved, worse = True, True, False, []
    for kind, metric in (("churn", "roc_auc"), ("churn", "brier"), ("clv", "rmse"), ("clv", "spearman"),
                         ("clv", "top20_share")):  # fmt: skip
        low, high = intervals.get(f"{metric}_minus_bgnbd", [float("nan")] * 2)
        ours, theirs = figures.get(f"{kind}_{metric}", np.nan), figures.get(f"bgnbd_{kind}_{metric}", np.nan)
        if HIGHER_IS_BETTER[metric]:
            ok, better_point, sure = not high < 0, ours > theirs, low > 0
        else:
            ok, better_point, sure = not low > 0, ours < theirs, high < 0
        if not ok:
            as_good = False
            worse.append(f"{kind} {metric}")
        favoured &= bool(better_point)
        resolved |= bool(sure)
    return {
        "at_least_as_good": as_good,
        "better": (favoured and resolved) if windows >= 2 else None,
        "reason": "worse on " + ", ".join(worse) if worse else "",
    }


def evaluate_row(warehouse: Path, truth: Path, horizon: int, outcome: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Truth figures of the champion (where it trained), BG/NBD + Gamma-Gamma and the naive baselines."""
    population = truth_population(warehouse, truth)
    features = pipeline.feature_frame_for_drift(warehouse)
    frame = population.merge(features, on="customer_id", how="left")
    return evaluate_frame(frame, features, horizon, outcome)


def evaluate_frame(
    frame: pd.DataFrame, features: pd.DataFrame, horizon: int, outcome: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Figures of the champion, BG/NBD + Gamma-Gamma (fitted on ``features``) and the naive baselines on ``frame``:
    one row per person with ``customer_id``, the scoring-date features and the outcomes ``is_churned_{h}d``
    (NULL: not judged) and ``spend_next_{h}d_eur``. ``row["bgnbd_params"]`` holds the fitted BG/NBD parameters."""
    row: dict[str, Any] = {"persons": len(frame)}
    try:
        fitted = BTYDModel.fit(features)
        btyd = fitted.predict_frame(frame, horizon)
        row["bgnbd_params"] = {name: float(value) for name, value in fitted.bgnbd.items()}
    except ValueError as error:
        btyd = None
        row["bgnbd_error"] = str(error).splitlines()[0]

    # churn
    churn = frame[frame[f"is_churned_{horizon}d"].notna()].copy()
    y = churn[f"is_churned_{horizon}d"].to_numpy(dtype=int)
    recency = churn["recency_days"].to_numpy(dtype=float)
    recency = np.where(np.isfinite(recency), recency, np.nanmax(recency, initial=0) + 1)
    recency = recency / max(recency.max(initial=0), 1)
    row.update(churn_persons=len(churn), truth_churn_share=float(y.mean()) if len(y) else float("nan"))
    row["naive_churn_roc_auc"] = metrics.churn_metrics(y, recency)["roc_auc"]
    base_rate = outcome["churn"].get("base_rate")
    row["naive_churn_brier"] = float(np.mean((y - base_rate) ** 2)) if base_rate is not None else float("nan")
    bgnbd_churn = btyd.loc[churn.index, "bgnbd_p_no_purchase"].to_numpy() if btyd is not None else None
    if bgnbd_churn is not None:
        theirs = metrics.churn_metrics(y, bgnbd_churn)
        row.update(bgnbd_churn_roc_auc=theirs["roc_auc"], bgnbd_churn_brier=theirs["brier"])
    model_churn = None
    if "scores" in outcome["churn"]:
        scored = churn.merge(outcome["churn"]["scores"][["customer_id", "churn_probability"]], on="customer_id")
        model_churn = scored["churn_probability"].to_numpy(dtype=float)
        ours = metrics.churn_metrics(y, model_churn)
        row.update(churn_roc_auc=ours["roc_auc"], churn_brier=ours["brier"])
    else:
        row["churn_error"] = outcome["churn"]["error"]
    intervals: dict[str, list[float]] = {}
    if bgnbd_churn is not None:
        intervals.update(churn_bootstrap(y, model_churn, bgnbd_churn, recency))

    # clv
    actual = frame[f"spend_next_{horizon}d_eur"].fillna(0).to_numpy(dtype=float)
    row["actual_total_eur"] = float(actual.sum())
    for name, predicted in (("naive", naive_prediction(frame, horizon)),
                            ("bgnbd", None if btyd is None else btyd["bgnbd_gg_clv_eur"].to_numpy())):  # fmt: skip
        if predicted is not None:
            row.update(metrics.clv_metrics(actual, np.asarray(predicted, dtype=float), prefix=f"{name}_clv_"))
    if "scores" in outcome["clv"]:
        scores = outcome["clv"]["scores"][["customer_id", "clv_eur"]]
        model_clv = frame[["customer_id"]].merge(scores, on="customer_id", how="left")["clv_eur"].fillna(0)
        row.update(metrics.clv_metrics(actual, model_clv.to_numpy(dtype=float), prefix="clv_"))
        if btyd is not None:
            clv_intervals = paired_bootstrap(
                actual, model_clv.to_numpy(dtype=float), {"bgnbd": btyd["bgnbd_gg_clv_eur"].to_numpy()}
            )
            intervals.update({k: v for k, v in clv_intervals.items() if k.endswith("_minus_bgnbd")})
    else:
        row["clv_error"] = outcome["clv"]["error"]
    row["bootstrap_95"] = intervals
    return row


def run_history(
    months: int, lake: Path, truth: Path, work: Path, horizons: tuple[int, ...] = HORIZONS
) -> list[dict[str, Any]]:
    """Truncate, build once, then per horizon: rebuild the feature marts, train, score and evaluate."""
    started = time.perf_counter()
    history_lake = work / f"lake_{months}m"
    counts = truncate_lake(lake, history_lake, months)
    summary = summarize_counts(counts)
    print(f"\n{months} months (records from {cut_date(months)}):")
    for item in summary:
        print(
            f"  {item['source']:30s} in {item['rows_in']:>9,}  kept {item['rows_kept']:>9,}"
            f"  dropped {item['rows_dropped']:>9,}"
        )
    home = work / f"home_{months}m"
    warehouse = home / "warehouse.duckdb"
    os.environ["C360_AS_OF"] = AS_OF.isoformat()
    rows = []
    for position, horizon in enumerate(horizons):
        os.environ["C360_CHURN_HORIZON_DAYS"] = os.environ["C360_CLV_HORIZON_DAYS"] = str(horizon)
        if position == 0:
            if home.exists():
                shutil.rmtree(home)
            dbt_s = build(history_lake, home)
        else:
            dbt_s = build(history_lake, home, ("run", "--quiet", *FEATURE_MARTS))
        train_started = time.perf_counter()
        windows = labelled_windows(warehouse)
        mlflow_home = work / f"mlflow_{months}m_{horizon}d"
        if mlflow_home.exists():
            shutil.rmtree(mlflow_home)
        outcome = {kind: train_and_score(kind, mlflow_home, warehouse) for kind in ("churn", "clv")}
        outcome["churn"]["base_rate"] = label_base_rate(warehouse)
        figures = evaluate_row(warehouse, truth, horizon, outcome)
        row = {
            "history_months": months,
            "horizon_days": horizon,
            "labelled_windows": windows,
            "churn_model": model_label(outcome["churn"]),
            "clv_model": model_label(outcome["clv"]),
            **figures,
            "dbt_s": round(dbt_s, 1),
            "train_score_evaluate_s": round(time.perf_counter() - train_started, 1),
        }
        row["target"] = verdict(row, row["bootstrap_95"], min(windows["churn"], windows["clv"]))
        rows.append(row)
        print(f"  horizon {horizon} d: windows {windows}, {format_cell(row)}")
    rows[0]["truncation"] = summary
    for row in rows:
        row["history_elapsed_s"] = round(time.perf_counter() - started, 1)
    return rows


def label_base_rate(warehouse: Path) -> float | None:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        value = con.execute("""
            select avg(cast(labels.is_churned as double))
            from marts.customer_training_labels as labels
            inner join marts.customer_features_history as history using (customer_id, as_of_date)
            where history.is_churn_training_date and labels.is_churned is not null
        """).fetchone()[0]
    finally:
        con.close()
    return None if value is None else float(value)


def model_label(outcome: dict[str, Any]) -> str:
    if "error" in outcome:
        return "failed"
    return f"{outcome['model_family']} ({outcome['model_name']} v{outcome['model_version']})"


# ------------------------------------------------------------------------------------------------ report
def _f(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    return f"{value:.{digits}f}"


def _ci(intervals: dict[str, list[float]], key: str, digits: int = 3) -> str:
    if key not in intervals:
        return "–"
    low, high = intervals[key]
    return f"[{low:+.{digits}f}, {high:+.{digits}f}]"


def format_cell(row: dict[str, Any]) -> str:
    return (
        f"churn AUC {_f(row.get('churn_roc_auc'))} (BG/NBD {_f(row.get('bgnbd_churn_roc_auc'))}, recency"
        f" {_f(row.get('naive_churn_roc_auc'))}), CLV Spearman {_f(row.get('clv_spearman'))} (BG/NBD"
        f" {_f(row.get('bgnbd_clv_spearman'))}), target {row['target']}"
    )


COLUMNS = [
    ("months", lambda r: str(r["history_months"])),
    ("h (d)", lambda r: str(r["horizon_days"])),
    ("windows churn/clv (dbt)", lambda r: "{churn}/{clv} ({churn_dbt}/{clv_dbt})".format(**r["labelled_windows"])),
    ("champion family", lambda r: _family(r)),
    ("churn AUC c360 / BG/NBD / recency", lambda r: " / ".join(
        _f(r.get(k)) for k in ("churn_roc_auc", "bgnbd_churn_roc_auc", "naive_churn_roc_auc"))),
    ("Δ AUC c360−BG/NBD", lambda r: _ci(r["bootstrap_95"], "roc_auc_minus_bgnbd")),
    ("Brier c360 / BG/NBD / base rate", lambda r: " / ".join(
        _f(r.get(k)) for k in ("churn_brier", "bgnbd_churn_brier", "naive_churn_brier"))),
    ("Δ Brier", lambda r: _ci(r["bootstrap_95"], "brier_minus_bgnbd")),
    ("AUC BG/NBD P(no purchase)−recency", lambda r: _ci(r["bootstrap_95"], "roc_auc_bgnbd_minus_recency")),
    ("CLV RMSE c360 / BG/NBD / naive", lambda r: " / ".join(
        _f(r.get(k), 0) for k in ("clv_rmse", "bgnbd_clv_rmse", "naive_clv_rmse"))),
    ("Δ RMSE", lambda r: _ci(r["bootstrap_95"], "rmse_minus_bgnbd", 0)),
    ("Spearman c360 / BG/NBD / naive", lambda r: " / ".join(
        _f(r.get(k)) for k in ("clv_spearman", "bgnbd_clv_spearman", "naive_clv_spearman"))),
    ("Δ Spearman", lambda r: _ci(r["bootstrap_95"], "spearman_minus_bgnbd")),
    ("top-20 % c360 / BG/NBD / naive", lambda r: " / ".join(
        _f(r.get(k)) for k in ("clv_top20_share", "bgnbd_clv_top20_share", "naive_clv_top20_share"))),
    ("Δ top-20 %", lambda r: _ci(r["bootstrap_95"], "top20_share_minus_bgnbd")),
    ("total error c360 / BG/NBD / naive", lambda r: " / ".join(
        _f(r.get(k), 2) for k in ("clv_total_error", "bgnbd_clv_total_error", "naive_clv_total_error"))),
    ("target: ≥ BG/NBD", lambda r: _target(r)),
    ("better (≥ 2 windows)", lambda r: {True: "yes", False: "no", None: "n/a"}[r["target"]["better"]]),
    ("s", lambda r: f"{r['dbt_s'] + r['train_score_evaluate_s']:.0f}"),
]  # fmt: skip


def _family(row: dict[str, Any]) -> str:
    families = {row["churn_model"].split(" ")[0], row["clv_model"].split(" ")[0]}
    return "/".join(sorted(families))


def _target(row: dict[str, Any]) -> str:
    target = row["target"]
    return "yes" if target["at_least_as_good"] else f"no ({target['reason']})"


def format_table(rows: list[dict[str, Any]], columns: list[tuple[str, Any]] = COLUMNS, errors: bool = True) -> str:
    """Markdown table of ``rows``, then (``errors``) the distinct training and fitting errors below it."""
    lines = ["| " + " | ".join(name for name, _ in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(row) for _, cell in columns) + " |" for row in rows]
    messages = sorted({f"{row[k]}" for row in rows for k in ("churn_error", "clv_error", "bgnbd_error") if k in row})
    if errors and messages:
        lines += ["", "Errors (the champion's or BG/NBD's result on the rows where they occur):"]
        lines += [f"- {error}" for error in messages]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=2027, help="generator seed (default 2027, unused by tests)")
    parser.add_argument("--months", type=int, nargs="+", default=list(HISTORY_MONTHS))
    parser.add_argument("--horizons", type=int, nargs="+", default=list(HORIZONS))
    parser.add_argument("--work", type=Path, default=PROJECT_ROOT / "bench_out" / "history_lengths")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "bench_out" / "history_lengths")
    args = parser.parse_args(argv)
    from seeds_data.generate import generate

    started = time.perf_counter()
    generated = args.work / f"generated_scale_{args.scale:g}_seed_{args.seed}"
    generate(args.scale, args.seed, generated, future_days=max(args.horizons))
    generate_s = time.perf_counter() - started
    print(
        f"generated scale {args.scale:g} seed {args.seed} with {max(args.horizons)} future days in {generate_s:.0f} s"
    )
    rows: list[dict[str, Any]] = []
    for months in args.months:
        rows += run_history(months, generated / "lake", generated / "truth", args.work, tuple(args.horizons))
    table = format_table(rows)
    elapsed = time.perf_counter() - started
    header = (
        f"History lengths at scale {args.scale:g}, seed {args.seed}, as of {AS_OF}: c360's champion beside"
        f" BG/NBD + Gamma-Gamma and the naive baselines (Δ = 95 % paired bootstrap interval of c360 minus BG/NBD,"
        f" over persons); {elapsed:.0f} s in all.\n\n"
    )
    print("\n" + header + table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text(header + table + "\n", encoding="utf-8")
    report = {"scale": args.scale, "seed": args.seed, "as_of": AS_OF.isoformat(), "elapsed_s": round(elapsed, 1),
              "generate_s": round(generate_s, 1), "rows": rows}  # fmt: skip
    args.out.with_suffix(".json").write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print(f"wrote {args.out.with_suffix('.md')} and {args.out.with_suffix('.json')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
