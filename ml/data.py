"""Warehouse I/O of the models: read-only DuckDB reads of the feature marts, horizons and the seasonal factor.

A DuckDB file admits one writer and no other reader, so every function here opens its own read-only
connection and closes it before returning; :func:`ml.pipeline.score_to_table` does the single write.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

FEATURES_TABLE = "marts.customer_features"
HISTORY_TABLE = "marts.customer_features_history"
LABELS_TABLE = "marts.customer_training_labels"
ORDERS_TABLE = "marts.sales_orders"
SKIPPED_TYPES = ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE")


class NoLabelledRows(ValueError):
    """The warehouse holds no labelled training row of a model: no label window of its horizon fits the history."""


def horizon_days(kind: str) -> int:
    """C360_CHURN_HORIZON_DAYS (default 90) for churn and segment, C360_CLV_HORIZON_DAYS (default 180) for clv."""
    name, default = ("C360_CLV_HORIZON_DAYS", 180) if kind == "clv" else ("C360_CHURN_HORIZON_DAYS", 90)
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a whole number of days; set it to e.g. {default}") from None
    if value <= 0:
        raise ValueError(f"{name}={value} must be a positive number of days")
    return value


@contextmanager
def read_only(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the warehouse file, closed on exit."""
    path = Path(warehouse)
    if not path.exists():
        raise FileNotFoundError(f"warehouse {path} does not exist; build it first (dbt build with C360_HOME set)")
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def select_list(con: duckdb.DuckDBPyConnection, table: str, alias: str) -> str:
    """Columns of ``table`` for pandas: numbers and booleans as DOUBLE, text and dates kept, timestamps left out."""
    schema, name = table.split(".")
    rows = con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, name],
    ).fetchall()
    if not rows:
        raise LookupError(f"table {table} is missing from the warehouse; run `dbt build` to create the marts")
    parts = []
    for column, data_type in rows:
        upper = data_type.upper()
        if upper in SKIPPED_TYPES:
            continue
        if upper.startswith(("VARCHAR", "DATE")) or column in ("customer_id",):
            parts.append(f'{alias}."{column}"')
        else:
            parts.append(f'cast({alias}."{column}" as double) as "{column}"')
    return ", ".join(parts)


def _flag_column(kind: str) -> str:
    return "is_clv_training_date" if kind == "clv" else "is_churn_training_date"


def history_frame(warehouse: Path, kind: str) -> pd.DataFrame:
    """Features at every training date of ``kind`` (customers with history), joined to their labels.

    churn: rows with ``is_churned`` (not NULL); clv: the CLV training dates' rows with history and their
    ``clv_spend_in_horizon_eur`` / ``clv_purchases_in_horizon``; segment: the scoring date's rows with history.
    The segment label is the rules applied to the same row's features (:mod:`ml.segments`), no later window, so
    the classifier learns at the date it scores: trained at an earlier date, it met cumulative features
    (monetary_eur, days_since_first_purchase, tenure) beyond their training range at scoring time and agreed
    with the rules on only 70 % of customers at scale 10. Rows are ordered by customer and date;
    ``frame.attrs['scoring_as_of']`` is the scoring date (ISO text).
    """
    flag = _flag_column(kind)
    with read_only(warehouse) as con:
        features = select_list(con, HISTORY_TABLE, "f")
        if kind == "segment":
            sql = f"select {features} from {HISTORY_TABLE} f where f.is_scoring_date and f.has_history_before_as_of"
        else:
            labels = (
                "cast(l.is_churned as integer) as is_churned, "
                "cast(l.churn_spend_in_horizon_eur as double) as churn_spend_in_horizon_eur"
                if kind == "churn"
                else "cast(l.clv_spend_in_horizon_eur as double) as clv_spend_in_horizon_eur, "
                "cast(l.clv_purchases_in_horizon as double) as clv_purchases_in_horizon"
            )
            label_filter = "l.is_churned is not null" if kind == "churn" else "f.has_history_before_as_of"
            sql = f"""
                select {features}, {labels}
                from {HISTORY_TABLE} f
                inner join {LABELS_TABLE} l using (customer_id, as_of_date)
                where f.{flag} and {label_filter}
            """
        frame = con.execute(sql + " order by customer_id, as_of_date").df()
        scoring = con.execute(f"select max(as_of_date) from {HISTORY_TABLE} where is_scoring_date").fetchone()[0]
    if frame.empty:
        horizon = horizon_days(kind)
        setting = "C360_CLV_HORIZON_DAYS" if kind == "clv" else "C360_CHURN_HORIZON_DAYS"
        raise NoLabelledRows(
            f"{LABELS_TABLE} / {HISTORY_TABLE} have no labelled rows for {kind} at the training date "
            f"({flag}); does the lake hold at least {horizon} days ({setting}) of orders before C360_AS_OF, "
            "and customers with history before the training date?"
        )
    frame.attrs["scoring_as_of"] = str(scoring)
    return frame


def scoring_frame(warehouse: Path) -> pd.DataFrame:
    """All of ``marts.customer_features`` (the scoring date), timestamps left out."""
    with read_only(warehouse) as con:
        return con.execute(f"select {select_list(con, FEATURES_TABLE, 'f')} from {FEATURES_TABLE} f").df()


def seasonal_factor(con: duckdb.DuckDBPyConnection, as_of: date, horizon: int) -> tuple[float, str]:
    """How much busier the scoring window is than the training label window, from last year's orders.

    The model learns spend over the label window [as_of - horizon, as_of) and predicts the scoring window
    [as_of, as_of + horizon), a different season. The factor is the daily revenue of all completed sales
    orders (every channel, anonymous store receipts included: the business's seasonality, not one
    customer's) in the same two windows one year (365 days) earlier:
    rate[as_of - 365, as_of - 365 + horizon) / rate[as_of - 365 - horizon, as_of - 365), rates per day of data.
    It is 1.0 (no correction) unless the lake covers the first window fully and at least half of the second.
    Returns (factor, how it was obtained).
    """
    start = con.execute(
        f"select min(order_date) from {ORDERS_TABLE} where coalesce(order_status, '') <> 'cancelled'"
    ).fetchone()[0]
    if start is None:
        return 1.0, "no orders: factor 1"
    season_start = as_of - timedelta(days=365)
    season_end = season_start + timedelta(days=horizon)
    base_start = season_start - timedelta(days=horizon)
    covered_base = (season_start - max(base_start, start)).days
    if start > season_start or covered_base < horizon / 2:
        return 1.0, f"orders start {start}: less than a year plus half a horizon of history, factor 1"
    revenue = con.execute(
        f"""
        select
            sum(case when order_date >= ? and order_date < ? then total_amount_eur end),
            sum(case when order_date >= ? and order_date < ? then total_amount_eur end)
        from {ORDERS_TABLE}
        where coalesce(order_status, '') <> 'cancelled'
        """,
        [season_start, season_end, max(base_start, start), season_start],
    ).fetchone()
    season, base = (float(v or 0.0) for v in revenue)
    if season <= 0 or base <= 0:
        return 1.0, "no revenue in a comparison window, factor 1"
    factor = (season / horizon) / (base / covered_base)
    how = (
        f"daily revenue {season_start}..{season_end} / {max(base_start, start)}..{season_start} "
        f"({covered_base} of {horizon} base days covered)"
    )
    return factor, how


def scoring_as_of(con: duckdb.DuckDBPyConnection) -> date | None:
    """The as_of_date of ``marts.customer_features`` (None when empty)."""
    return con.execute(f"select max(as_of_date) from {FEATURES_TABLE}").fetchone()[0]


def thread_limit() -> int:
    """Threads for numpy/OpenMP work (scikit-learn's gradient boosting): env C360_ML_THREADS, default 1.

    One thread by default: OpenMP threads that busy-wait on a shared, loaded machine slowed a 700-row fit from
    about 1 s to 45 s in our measurements; raise it on a dedicated machine for large training frames.
    """
    raw = os.environ.get("C360_ML_THREADS", "").strip()
    if not raw:
        return 1
    try:
        return max(1, int(raw))
    except ValueError:
        raise ValueError(f"C360_ML_THREADS={raw!r} is not a whole number; set it to e.g. 1 or 4") from None


def attribution_factor(con: duckdb.DuckDBPyConnection, as_of: date, horizon: int) -> tuple[float, str]:
    """Completed revenue / revenue attributed to a customer, over the label window [as_of - horizon, as_of).

    The labels count only purchases the warehouse can tie to a customer; store receipts without a scanned
    loyalty card stay anonymous (``sales_orders.customer_id`` NULL) although real customers made them. Scaling
    the expected spend by this ratio turns "attributed spend" into an estimate of the customers' whole spend,
    assuming anonymous revenue belongs to known customers in proportion to their attributed spend (it also
    lands a little on people the warehouse never met, so it may overstate). 1.0 without anonymous revenue.
    """
    start = as_of - timedelta(days=horizon)
    total, attributed = con.execute(
        f"""
        select sum(total_amount_eur), sum(case when customer_id is not null then total_amount_eur end)
        from {ORDERS_TABLE}
        where coalesce(order_status, '') <> 'cancelled' and order_date >= ? and order_date < ?
        """,
        [start, as_of],
    ).fetchone()
    total, attributed = float(total or 0.0), float(attributed or 0.0)
    if total <= 0 or attributed <= 0:
        return 1.0, "no attributed revenue in the label window, factor 1"
    return total / attributed, f"completed / attributed sales_orders revenue {start}..{as_of}"


def clv_scoring_factor(
    con: duckdb.DuckDBPyConnection, horizon: int, season_factor: float | None = None, season_how: str = ""
) -> tuple[float, dict[str, object]]:
    """Seasonal factor x attribution_factor at the scoring date of ``marts.customer_features`` (1.0 if empty).

    The seasonal factor is ``season_factor`` when the model learnt one from its labels (the CLV model trained
    on the same season one year earlier, see :func:`ml.training.train_clv`), else :func:`seasonal_factor`
    from last year's revenue.
    """
    as_of = scoring_as_of(con)
    if as_of is None:
        return 1.0, {}
    if season_factor is not None and np.isfinite(season_factor) and season_factor > 0:
        seasonal, seasonal_how = float(season_factor), season_how or "learnt by the model"
    else:
        seasonal, seasonal_how = seasonal_factor(con, as_of, horizon)
    attribution, attribution_how = attribution_factor(con, as_of, horizon)
    info = {
        "seasonal_factor": seasonal,
        "seasonal_factor_method": seasonal_how,
        "attribution_factor": attribution,
        "attribution_factor_method": attribution_how,
        "clv_scoring_factor": seasonal * attribution,
    }
    return seasonal * attribution, info
