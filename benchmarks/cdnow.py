"""CDNOW: a public transaction log nobody here wrote, loaded as a user's order log (outside data for the scores).

The CDNOW data (Fader & Hardie's copy of the CD retailer's log: every purchase of the customers who made their
first purchase in the first quarter of 1997, through June 1998) ships in the ``lifetimes`` wheel, which
``make install`` downloads into ``.venv/datasets`` (data only; the package is not installed). ``CDNOW_master``
holds 23,570 customers and 69,659 purchases, ``CDNOW_sample`` a 1/10 sample of 2,357 customers and 6,919
purchases. Each line is ``customer_id date(YYYYMMDD) number_of_cds dollar_value``, aligned with blanks; the only
change made to load it is the one a user would make, blanks to commas (:func:`write_cdnow_lake`), and the file is
then declared as a lake source with one mapping (:data:`CDNOW_MAPPING`: an order log, no customer master).

Published reference: Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way", Marketing Science
24(2), estimate the BG/NBD on the sample's first 39 weeks (calibration 1997-01-01 to 1997-09-30) as
r = 0.243, alpha = 4.414, a = 0.793, b = 2.426 (time in weeks; x counts repeat transactions). Data: Fader & Hardie,
"CDNOW dataset" (brucehardie.com/datasets), as redistributed in the lifetimes package 0.11.3 (MIT licence).

Benchmark (``python -m benchmarks.cdnow``, ``make bench-cdnow``): c360's churn and CLV scores on the **master**
file, loaded as a user would (the mapping declared in a copy of the dbt project under ``bench_out/cdnow/``,
:mod:`benchmarks.mapped_project`), at three as-of dates: 1997-04-01, 1997-07-01 and 1997-10-01 (3, 6 and 9
months after the shop's first sale, 1997-01-01; every customer made a first purchase in Q1 1997).

* Per as-of date one ``dbt build`` (``C360_AS_OF``); per horizon h (90, 180, 273 days; ``C360_CHURN_HORIZON_DAYS``
  and ``C360_CLV_HORIZON_DAYS``) a ``dbt run`` of what the horizon changes (the feature dates and families and
  the marts after them, without ``customer_360+``), then churn and CLV trained, registered and scored as the
  Dagster assets do (``benchmarks.history_lengths.train_and_score``) in a fresh MLflow home per as-of and
  horizon. A training error is the champion's result on that row.
* Outcomes: what each customer did in [as-of, as-of + h) in ``marts.sales_orders`` of the same warehouse (the
  lake holds every order through 1998-06-30; features read only those before the as-of date): churned = no order
  in the window, spend = the window's ``total_amount_eur`` (CDNOW's dollars, taken as they are: the log has no
  currency column). Churn: ROC AUC and Brier of ``churn_probability``; CLV: RMSE, Spearman, top-20 % revenue share
  and total error of ``clv_eur`` (``benchmarks.history_lengths.evaluate_frame``).
* Beside them: BG/NBD + Gamma-Gamma fitted directly on ``marts.customer_features`` (``bgnbd_p_no_purchase``,
  ``bgnbd_gg_clv_eur``), the recency ranking (AUC) and the training labels' base rate (Brier) for churn, last
  180 days' spend scaled to h for CLV. 95 % paired bootstrap intervals over customers of c360 minus BG/NBD, and of
  BG/NBD's P(no purchase) AUC minus recency's; the target verdict of ``benchmarks.history_lengths.verdict``.
* The BG/NBD parameters fitted on 39 weeks (as of 1997-10-01) beside :data:`PUBLISHED_BGNBD`, on the master file
  and on the sample (its own small ``dbt build``), for which they were published.

Writes bench_out/cdnow.md and bench_out/cdnow.json (one row per as-of date and horizon) and prints the table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from benchmarks import history_lengths as hl
from benchmarks.mapped_project import mapped_project, run_dbt
from ml import pipeline
from ml.btyd import BTYDModel

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATASETS_DIR = PROJECT_ROOT / ".venv" / "datasets"
MEMBERS = {"sample": "lifetimes/datasets/CDNOW_sample.txt", "master": "lifetimes/datasets/CDNOW_master.txt"}
HEADER = ("customer_id", "date", "number_of_cds", "dollar_value")
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # FHL 2005, CDNOW sample, 39 weeks

# The user's declaration: an order log (customer, date, quantity, amount) and nothing else.
CDNOW_MAPPING: dict[str, dict[str, Any]] = {
    "orders": {
        "path": "cdnow/orders.csv",
        "format": "csv",
        "entity": "sales_order",
        "columns": {
            "customer_source_record_id": "customer_id",
            "ordered_at": {"column": "date", "format": "YYYYMMDD"},
            "quantity": "number_of_cds",
            "extended_amount": "dollar_value",
        },
    }
}


def cdnow_wheel() -> Path | None:
    """The lifetimes wheel that `make install` downloads into .venv/datasets, if it is there."""
    wheels = sorted(DATASETS_DIR.glob("[Ll]ifetimes-*.whl"))
    return wheels[-1] if wheels else None


def cdnow_rows(wheel: Path, which: str = "sample") -> list[tuple[str, ...]]:
    """The log's data lines, split on blanks: (customer_id, date, number_of_cds, dollar_value) as written."""
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(MEMBERS[which]).decode("ascii")
    rows = [tuple(line.split()) for line in text.splitlines() if line.strip()]
    if rows and rows[0][0] == HEADER[0]:  # the master file has a header line, the sample none
        rows = rows[1:]
    return rows


def write_cdnow_lake(wheel: Path, lake: Path, which: str = "sample") -> int:
    """lake/cdnow/orders.csv: the log with a header and commas for blanks (values as written); returns rows."""
    rows = cdnow_rows(wheel, which)
    if which == "sample":  # the sample's first column is the master's customer id, the second its own
        rows = [(row[1], *row[2:]) for row in rows]
    target = lake / "cdnow" / "orders.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(",".join(row) for row in [HEADER, *rows]) + "\n", encoding="ascii")
    return len(rows)


# ------------------------------------------------------------------------------------------------ benchmark
FIRST_SALE = date(1997, 1, 1)
AS_OF_DATES = (date(1997, 4, 1), date(1997, 7, 1), date(1997, 10, 1))
HORIZONS = (90, 180, 273)
CALIBRATION_AS_OF = date(1997, 10, 1)  # 39 weeks after 1997-01-01, FHL 2005's calibration period


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def outcome_frame(warehouse: Path, as_of: date, horizon: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(frame, features): the scoring-date features of every customer with what they did in [as_of, as_of + h)
    (``is_churned_{h}d``: no order then; ``spend_next_{h}d_eur``: the orders' total), from the same warehouse."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        window = con.execute(
            """
            select
                customers.customer_id,
                count(orders.sales_order_id) = 0 as is_churned,
                coalesce(sum(orders.total_amount_eur), 0) as spend_eur
            from marts.customer_features as customers
            left join marts.sales_orders as orders
                on customers.customer_id = orders.customer_id
                and orders.order_date >= $start and orders.order_date < $end
            group by all
            """,
            {"start": as_of, "end": as_of + timedelta(days=horizon)},
        ).df()
    finally:
        con.close()
    window = window.rename(columns={"is_churned": f"is_churned_{horizon}d", "spend_eur": f"spend_next_{horizon}d_eur"})
    window[f"spend_next_{horizon}d_eur"] = window[f"spend_next_{horizon}d_eur"].astype(float)
    features = pipeline.feature_frame_for_drift(warehouse)
    return window.merge(features, on="customer_id", how="left"), features


def loaded(warehouse: Path) -> dict[str, int]:
    """Orders and customers in marts.sales_orders, and the orders resolved to a customer."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        orders, customers, resolved = con.execute(
            "select count(*), count(distinct customer_id), count(*) filter (where customer_resolution = 'resolved')"
            " from marts.sales_orders"
        ).fetchone()
    finally:
        con.close()
    return {"orders": int(orders), "customers": int(customers), "resolved_orders": int(resolved)}


def run_as_of(
    as_of: date, project: Path, lake: Path, work: Path, horizons: tuple[int, ...] = HORIZONS
) -> list[dict[str, Any]]:
    """Build once as of ``as_of``, then per horizon: rebuild what it changes, train, score and evaluate."""
    started = time.perf_counter()
    months = months_between(FIRST_SALE, as_of)
    home = work / f"home_{as_of}"
    warehouse = home / "warehouse.duckdb"
    if home.exists():
        shutil.rmtree(home)
    os.environ["C360_AS_OF"] = as_of.isoformat()
    print(f"\nas of {as_of} ({months} months of history):")
    rows = []
    for position, horizon in enumerate(horizons):
        os.environ["C360_CHURN_HORIZON_DAYS"] = os.environ["C360_CLV_HORIZON_DAYS"] = str(horizon)
        if position == 0:
            dbt_s = run_dbt(project, lake, home, "build", "--quiet")
        else:
            dbt_s = run_dbt(project, lake, home, "run", "--quiet", *hl.FEATURE_MARTS)
        train_started = time.perf_counter()
        windows = hl.labelled_windows(warehouse)
        mlflow_home = work / f"mlflow_{as_of}_{horizon}d"
        if mlflow_home.exists():
            shutil.rmtree(mlflow_home)
        outcome = {kind: hl.train_and_score(kind, mlflow_home, warehouse) for kind in ("churn", "clv")}
        outcome["churn"]["base_rate"] = hl.label_base_rate(warehouse)
        frame, features = outcome_frame(warehouse, as_of, horizon)
        figures = hl.evaluate_frame(frame, features, horizon, outcome)
        row = {
            "as_of": as_of.isoformat(),
            "history_months": months,
            "horizon_days": horizon,
            "labelled_windows": windows,
            "churn_model": hl.model_label(outcome["churn"]),
            "clv_model": hl.model_label(outcome["clv"]),
            **figures,
            "dbt_s": round(dbt_s, 1),
            "train_score_evaluate_s": round(time.perf_counter() - train_started, 1),
        }
        if position == 0:
            row["loaded"] = loaded(warehouse)
        row["target"] = hl.verdict(row, row["bootstrap_95"], min(windows["churn"], windows["clv"]))
        rows.append(row)
        print(f"  horizon {horizon} d: windows {windows}, {hl.format_cell(row)}")
    for row in rows:
        row["as_of_elapsed_s"] = round(time.perf_counter() - started, 1)
    return rows


def sample_bgnbd(project: Path, wheel: Path, work: Path) -> dict[str, Any]:
    """BG/NBD fitted on the sample's features as of 1997-10-01 (its own lake and dbt build)."""
    lake, home = work / "lake_sample", work / f"home_sample_{CALIBRATION_AS_OF}"
    if home.exists():
        shutil.rmtree(home)
    rows = write_cdnow_lake(wheel, lake, "sample")
    os.environ["C360_AS_OF"] = CALIBRATION_AS_OF.isoformat()
    dbt_s = run_dbt(project, lake, home, "build", "--quiet")
    features = pipeline.feature_frame_for_drift(home / "warehouse.duckdb")
    fitted = BTYDModel.fit(features).bgnbd
    return {
        "rows": rows,
        "customers": len(features),
        "bgnbd_params": {name: float(value) for name, value in fitted.items()},
        "dbt_s": round(dbt_s, 1),
    }


def bgnbd_table(fits: dict[str, dict[str, float]]) -> str:
    """Markdown: one line per fit (published first), r / alpha / a / b and the ratio to the published value."""
    lines = ["| fit (39 weeks, as of 1997-10-01) | r | alpha | a | b |", "|---|---|---|---|---|"]
    for name, params in fits.items():
        cells = [
            f"{params[key]:.3f}" if name == "published" else f"{params[key]:.3f} ({params[key] / published - 1:+.0%})"
            for key, published in PUBLISHED_BGNBD.items()
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


COLUMNS = [("as of (months)", lambda r: f"{r['as_of']} ({r['history_months']})"), *hl.COLUMNS[1:]]


def render(report: dict[str, Any]) -> str:
    """The Markdown report of a run (what ``main`` writes to bench_out/cdnow.md) from its JSON."""
    rows = report["rows"]
    first = rows[0].get("loaded", {}) if rows else {}
    header = (
        f"CDNOW master ({report['purchases']:,} purchases; {first.get('orders', 0):,} orders of"
        f" {first.get('customers', 0):,} customers in marts.sales_orders, {first.get('resolved_orders', 0):,}"
        " resolved): c360's champion beside BG/NBD + Gamma-Gamma and the naive baselines against what customers did"
        " in [as-of, as-of + h) (Δ = 95 % paired bootstrap interval of c360 minus BG/NBD, over customers; windows:"
        " labelled training dates after the first sale, in brackets every date dbt labelled; base rate: the"
        f" training labels', – without any); {report['elapsed_s']:.0f} s in all.\n\n"
    )
    table = hl.format_table(rows, COLUMNS, errors=False)
    failures = [
        f"- {row['as_of']}, {row['horizon_days']} d, {kind}: {row[f'{kind}_error']}"
        for row in rows
        for kind in ("churn", "clv", "bgnbd")
        if f"{kind}_error" in row
    ]
    if failures:
        table += "\n\nErrors (the champion's or BG/NBD's result on that row):\n" + "\n".join(failures)
    params = (
        "\n\nBG/NBD fitted on the first 39 weeks beside Fader, Hardie & Lee (2005) on the sample (c360 counts each"
        " line of the log as a purchase, so two on one day count twice; the paper counts days):\n\n"
        + bgnbd_table(report["bgnbd_39_weeks"])
    )
    return header + table + params


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", type=date.fromisoformat, nargs="+", default=list(AS_OF_DATES))
    parser.add_argument("--horizons", type=int, nargs="+", default=list(HORIZONS))
    parser.add_argument("--no-sample", action="store_true", help="skip the BG/NBD fit on the sample file")
    parser.add_argument("--work", type=Path, default=PROJECT_ROOT / "bench_out" / "cdnow")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "bench_out" / "cdnow")
    args = parser.parse_args(argv)
    wheel = cdnow_wheel()
    if wheel is None:
        raise SystemExit(f"the lifetimes wheel (CDNOW data) is not in {DATASETS_DIR}; `make install` downloads it")
    started = time.perf_counter()
    args.work.mkdir(parents=True, exist_ok=True)
    project = mapped_project(args.work / "dbt_project", {"cdnow": CDNOW_MAPPING})
    lake = args.work / "lake_master"
    written = write_cdnow_lake(wheel, lake, "master")
    print(f"CDNOW master: {written:,} purchases written to {lake}; project copy with the mapping in {project}")
    rows: list[dict[str, Any]] = []
    for as_of in args.as_of:
        rows += run_as_of(as_of, project, lake, args.work, tuple(args.horizons))
    fits: dict[str, dict[str, float]] = {"published": PUBLISHED_BGNBD}
    master_fit = next((row for row in rows if row["as_of"] == CALIBRATION_AS_OF.isoformat()), None)
    if master_fit is not None and "bgnbd_params" in master_fit:
        fits["c360 on the master file (23,570 customers)"] = master_fit["bgnbd_params"]
    sample = None if args.no_sample else sample_bgnbd(project, wheel, args.work)
    if sample is not None:
        fits[f"c360 on the sample file ({sample['customers']:,} customers)"] = sample["bgnbd_params"]
    report = {
        "data": MEMBERS["master"], "wheel": wheel.name, "purchases": written, "first_sale": FIRST_SALE.isoformat(),
        "elapsed_s": round(time.perf_counter() - started, 1), "bgnbd_39_weeks": fits, "sample": sample, "rows": rows,
    }  # fmt: skip
    markdown = render(report)
    print("\n" + markdown)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text(markdown + "\n", encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print(f"wrote {args.out.with_suffix('.md')} and {args.out.with_suffix('.json')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
