"""customer_features, point in time: real dbt and DuckDB on the committed sample lake.

Two homes, one full `dbt build` each (the tests of customer_features' upstream models need more than its
lineage, e.g. quarantined_rows): C360_AS_OF unset (the default, the day after the last order date) and
C360_AS_OF = 2026-06-30, three months before the end of the sample. At the earlier date every time-based
feature checked here must equal what this module recomputes in Python from the staging and mart rows dated
before that day, so no later row can leak in.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from dbt_runs import Build, assert_green, run_dbt, share_identity_key

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_LAKE = PROJECT_ROOT / "seeds_data" / "lake"
EARLY_AS_OF = dt.date(2026, 6, 30)
CHANNELS = ("erp", "web_shop", "pos", "game")


def _build_features(home: Path, as_of: str | None) -> Build:
    """The full dbt build (models and tests), with C360_AS_OF as given (None: unset)."""
    if not (SAMPLE_LAKE / "crm" / "contacts.csv").exists():
        pytest.skip(f"the committed sample lake is absent ({SAMPLE_LAKE}); run `make lake` to write it")
    with pytest.MonkeyPatch.context() as patch:
        if as_of is None:
            patch.delenv("C360_AS_OF", raising=False)
        else:
            patch.setenv("C360_AS_OF", as_of)
        # features of homes built as of different dates are compared per customer id: one identity key
        build = run_dbt(SAMPLE_LAKE, share_identity_key(home), "build")
    assert_green(build)
    return build


@pytest.fixture(scope="module")
def default_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    return _build_features(tmp_path_factory.mktemp("features_default_home"), None)


@pytest.fixture(scope="module")
def early_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    return _build_features(tmp_path_factory.mktemp("features_early_home"), EARLY_AS_OF.isoformat())


def _features(build: Build) -> dict[str, dict]:
    con = build.connect()
    try:
        cursor = con.execute("select * from marts.customer_features")
        columns = [column[0] for column in cursor.description]
        return {row[0]: dict(zip(columns, row, strict=True)) for row in cursor.fetchall()}
    finally:
        con.close()


def _recompute(build: Build, as_of: dt.date) -> dict[str, dict]:
    """Features recomputed in Python from the rows before as_of: the reference the model must match."""
    orders = build.query(
        "select customer_id, channel, order_status, order_date, ordered_at, total_amount_eur "
        "from marts.sales_orders where customer_id is not null"
    )
    game_customer = dict(
        build.query(
            "select customer_contact_id, customer_id from intermediate.int_game_accounts_resolved "
            "where customer_id is not null"
        )
    )
    game_events = build.query(
        "select customer_contact_id, event_date, event_at, session_id, amount_eur from staging.stg_game__game_events"
    )
    clicks = build.query(
        "select customer_id, event_type, event_date from intermediate.int_click_events_resolved "
        "where customer_id is not null"
    )
    exposures = build.query(
        "select customer_id, is_holdout, sent_at, clicked_at from intermediate.int_campaign_exposures_resolved "
        "where customer_id is not null"
    )

    expected: dict[str, dict] = defaultdict(
        lambda: {
            "purchases": [],
            "web_clicks_30d": 0,
            "product_views_30d": 0,
            "web_clicks_90d": 0,
            "game_sessions_30d": set(),
            "campaign_exposures": 0,
            "campaign_clicks": 0,
        }
    )
    for customer_id, channel, status, order_date, ordered_at, amount in orders:
        if status != "cancelled" and order_date < as_of:
            expected[customer_id]["purchases"].append((channel, order_date, ordered_at, amount))
    for contact_id, event_date, event_at, session_id, amount in game_events:
        customer_id = game_customer.get(contact_id)
        if customer_id is None or event_date >= as_of:
            continue
        if amount is not None:
            expected[customer_id]["purchases"].append(("game", event_date, event_at, amount))
        if (as_of - event_date).days <= 30:
            expected[customer_id]["game_sessions_30d"].add(session_id)
    for customer_id, event_type, event_date in clicks:
        if event_date < as_of:
            days_ago = (as_of - event_date).days
            expected[customer_id]["web_clicks_30d"] += days_ago <= 30
            expected[customer_id]["web_clicks_90d"] += days_ago <= 90
            expected[customer_id]["product_views_30d"] += days_ago <= 30 and event_type == "product_view"
    for customer_id, is_holdout, sent_at, clicked_at in exposures:
        if not is_holdout and sent_at is not None and sent_at.date() < as_of:
            expected[customer_id]["campaign_exposures"] += 1
            expected[customer_id]["campaign_clicks"] += clicked_at is not None and clicked_at.date() < as_of

    result = {}
    for customer_id, found in expected.items():
        purchases = found["purchases"]
        days_ago = [(as_of - purchase_date).days for _, purchase_date, _, _ in purchases]
        row = {
            "purchase_count": len(purchases),
            "monetary_eur": sum((amount for *_, amount in purchases), Decimal("0.00")),
            "recency_days": min(days_ago) if days_ago else None,
            "last_purchase_at": max((at for _, _, at, _ in purchases), default=None),
            "purchase_count_30d": sum(days <= 30 for days in days_ago),
            "purchase_count_prev_30d": sum(30 < days <= 60 for days in days_ago),
            "purchase_count_90d": sum(days <= 90 for days in days_ago),
            "monetary_30d_eur": sum(
                (amount for (*_, amount), days in zip(purchases, days_ago, strict=True) if days <= 30),
                Decimal("0.00"),
            ),
            "web_clicks_30d": found["web_clicks_30d"],
            "product_views_30d": found["product_views_30d"],
            "web_clicks_90d": found["web_clicks_90d"],
            "game_sessions_30d": len(found["game_sessions_30d"]),
            "campaign_exposures": found["campaign_exposures"],
            "campaign_clicks": found["campaign_clicks"],
        }
        for channel in CHANNELS:
            row[f"{channel}_purchase_count"] = sum(purchase[0] == channel for purchase in purchases)
        result[customer_id] = row
    return result


ZERO_HISTORY = {
    "purchase_count": 0,
    "monetary_eur": Decimal("0.00"),
    "recency_days": None,
    "last_purchase_at": None,
    "purchase_count_30d": 0,
    "purchase_count_prev_30d": 0,
    "purchase_count_90d": 0,
    "monetary_30d_eur": Decimal("0.00"),
    "web_clicks_30d": 0,
    "product_views_30d": 0,
    "web_clicks_90d": 0,
    "game_sessions_30d": 0,
    "campaign_exposures": 0,
    "campaign_clicks": 0,
    **{f"{channel}_purchase_count": 0 for channel in CHANNELS},
}


def _assert_features_match_recomputation(build: Build, as_of: dt.date) -> None:
    features = _features(build)
    expected = _recompute(build, as_of)
    assert set(expected) <= set(features), "activity of customers missing from customer_features"
    mismatches = []
    for customer_id, row in features.items():
        want = expected.get(customer_id, ZERO_HISTORY)
        got = {name: row[name] for name in want}
        if got != want:
            mismatches.append(
                (customer_id, {name: (got[name], want[name]) for name in want if got[name] != want[name]})
            )
    assert not mismatches, f"{len(mismatches)} customers differ (got, want), e.g. {mismatches[:3]}"


def test_one_row_per_customer_in_both_homes(default_build: Build, early_build: Build) -> None:
    for build in (default_build, early_build):
        customers = build.query("select count(*) from marts.customers")[0][0]
        features, distinct = build.query("select count(*), count(distinct customer_id) from marts.customer_features")[0]
        assert customers > 0
        assert features == distinct == customers


def test_default_as_of_is_the_day_after_the_last_order_date(default_build: Build) -> None:
    (last_order_date,) = default_build.query("select max(order_date) from marts.sales_orders")[0]
    as_of_dates = default_build.query("select distinct as_of_date from marts.customer_features")
    assert as_of_dates == [(last_order_date + dt.timedelta(days=1),)]
    # The last lake day counts: someone bought on it, one day before the as-of date.
    assert default_build.query("select min(recency_days) from marts.customer_features") == [(1,)]


def test_early_as_of_sees_nothing_from_that_day_on(early_build: Build) -> None:
    assert early_build.query("select distinct as_of_date from marts.customer_features") == [(EARLY_AS_OF,)]
    (last_purchase_at,) = early_build.query("select max(last_purchase_at) from marts.customer_features")[0]
    assert last_purchase_at is not None
    assert last_purchase_at < dt.datetime.combine(EARLY_AS_OF, dt.time())
    # The sample holds three more months of activity, so the filter had something to keep out.
    (later_orders,) = early_build.query(
        "select count(*) from marts.sales_orders where customer_id is not null and order_date >= ?",
        [EARLY_AS_OF],
    )[0]
    assert later_orders > 0


def test_early_features_equal_an_independent_recomputation(early_build: Build) -> None:
    _assert_features_match_recomputation(early_build, EARLY_AS_OF)


def test_default_features_equal_an_independent_recomputation(default_build: Build) -> None:
    (as_of,) = default_build.query("select max(as_of_date) from marts.customer_features")[0]
    _assert_features_match_recomputation(default_build, as_of)


def test_earlier_as_of_sees_less(default_build: Build, early_build: Build) -> None:
    late = {
        row[0]: row[1:]
        for row in default_build.query(
            "select customer_id, purchase_count, web_clicks_90d from marts.customer_features"
        )
    }
    early = {
        row[0]: row[1:]
        for row in early_build.query("select customer_id, purchase_count, web_clicks_90d from marts.customer_features")
    }
    assert set(late) == set(early)
    assert all(early[key][0] <= late[key][0] for key in late)
    assert sum(row[0] for row in early.values()) < sum(row[0] for row in late.values())


def test_invalid_as_of_is_a_clear_error(early_build: Build) -> None:
    """A malformed C360_AS_OF stops dbt with a message naming the variable and the expected format."""
    os.environ["C360_AS_OF"] = "2026-02-30"  # the autouse fixture in conftest.py restores the environment
    compiled = run_dbt(SAMPLE_LAKE, early_build.warehouse.parent, "compile", "--select", "customer_features")
    assert compiled.returncode != 0
    assert "C360_AS_OF must be a date written YYYY-MM-DD" in compiled.output
    assert "'2026-02-30'" in compiled.output


# customer_features_history and customer_training_labels: the same features at the training dates (as of minus
# each horizon, default 90 days for churn and 180 for CLV) and the labels of the windows that follow.

CHURN_HORIZON = dt.timedelta(days=90)
CLV_HORIZON = dt.timedelta(days=180)
# Training dates, in days before the scoring date, with the default dbt vars c360_training_date_count (6),
# c360_training_date_spacing_days (30) and c360_training_last_year (true): from the shorter horizon back.
TRAINING_OFFSETS = (90, 120, 150, 180, 210, 240, 365)
ROLE_COLUMNS = ("feature_set", "is_scoring_date", "is_churn_training_date", "is_clv_training_date")


def _history(build: Build, as_of: dt.date) -> dict[str, dict]:
    con = build.connect()
    try:
        cursor = con.execute("select * from marts.customer_features_history where as_of_date = ?", [as_of])
        columns = [column[0] for column in cursor.description]
        return {row[0]: dict(zip(columns, row, strict=True)) for row in cursor.fetchall()}
    finally:
        con.close()


def _scoring_date(build: Build) -> dt.date:
    return build.query("select max(as_of_date) from marts.customer_features")[0][0]


def test_history_holds_every_customer_at_every_feature_date(default_build: Build) -> None:
    as_of = _scoring_date(default_build)
    (customers,) = default_build.query("select count(*) from marts.customers")[0]
    dates = default_build.query(
        "select as_of_date, feature_set, is_scoring_date, is_churn_training_date, is_clv_training_date, count(*) "
        "from marts.customer_features_history group by all order by as_of_date"
    )
    expected = []
    for offset in sorted(TRAINING_OFFSETS, reverse=True):
        is_clv = dt.timedelta(days=offset) >= CLV_HORIZON
        feature_set = "churn_and_clv_training" if is_clv else "churn_training"
        expected.append((as_of - dt.timedelta(days=offset), feature_set, False, True, is_clv, customers))
    assert dates == [*expected, (as_of, "scoring", True, False, False, customers)]


def test_history_at_the_scoring_date_is_customer_features(default_build: Build) -> None:
    features = _features(default_build)
    history = _history(default_build, _scoring_date(default_build))
    assert {key: {name: row[name] for name in features[key]} for key, row in history.items()} == features


def test_history_at_the_churn_training_date_equals_an_independent_recomputation(default_build: Build) -> None:
    training_date = _scoring_date(default_build) - CHURN_HORIZON
    history = _history(default_build, training_date)
    expected = _recompute(default_build, training_date)
    assert set(expected) <= set(history)
    mismatches = [
        customer_id
        for customer_id, row in history.items()
        if {name: row[name] for name in ZERO_HISTORY} != expected.get(customer_id, ZERO_HISTORY)
    ]
    assert not mismatches, f"{len(mismatches)} customers differ at {training_date}, e.g. {mismatches[:3]}"
    # The training date sees less than the scoring date: the filter compared rows with their own date.
    scoring = _features(default_build)
    assert sum(row["purchase_count"] for row in history.values()) < sum(
        row["purchase_count"] for row in scoring.values()
    )


def test_history_training_row_equals_customer_features_built_as_of_that_date(
    default_build: Build, early_build: Build, tmp_path: Path
) -> None:
    """A churn horizon reaching back to 2026-06-30 gives, at that date, every column of customer_features built
    with C360_AS_OF = 2026-06-30. Reruns only the feature dates, the feature families and the history model, in
    a copy of the default home."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy2(default_build.warehouse, home / default_build.warehouse.name)
    horizon_days = (_scoring_date(default_build) - EARLY_AS_OF).days
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("C360_AS_OF", raising=False)
        patch.setenv("C360_CHURN_HORIZON_DAYS", str(horizon_days))
        rerun = run_dbt(
            SAMPLE_LAKE, home, "run", "--select", "path:models/intermediate/features", "customer_features_history"
        )
    assert_green(rerun)
    history = _history(rerun, EARLY_AS_OF)
    early = _features(early_build)
    assert {row["feature_set"] for row in history.values()} == {"churn_training"}
    assert {key: {name: row[name] for name in early[key]} for key, row in history.items()} == early


def _recompute_labels(build: Build, training_date: dt.date, horizon: dt.timedelta) -> dict[str, tuple]:
    """(purchases, EUR) per customer in [training_date, training_date + horizon), recomputed in Python."""
    orders = build.query(
        "select customer_id, order_status, order_date, total_amount_eur from marts.sales_orders "
        "where customer_id is not null"
    )
    game_customer = dict(
        build.query(
            "select customer_contact_id, customer_id from intermediate.int_game_accounts_resolved "
            "where customer_id is not null"
        )
    )
    game_purchases = build.query(
        "select customer_contact_id, event_date, amount_eur from staging.stg_game__game_events "
        "where amount_eur is not null"
    )
    purchases = [(customer_id, day, amount) for customer_id, status, day, amount in orders if status != "cancelled"]
    purchases += [
        (game_customer[contact_id], day, amount)
        for contact_id, day, amount in game_purchases
        if contact_id in game_customer
    ]
    found: dict[str, list] = defaultdict(lambda: [0, Decimal("0.00")])
    for customer_id, day, amount in purchases:
        if training_date <= day < training_date + horizon:
            found[customer_id][0] += 1
            found[customer_id][1] += amount
    return {customer_id: tuple(value) for customer_id, value in found.items()}


def test_labels_equal_an_independent_recomputation(default_build: Build) -> None:
    """Every training date is labelled: churn on dates at least the churn horizon back, CLV on those at least the
    CLV horizon back, each on the window that starts on the date and ends by the scoring date."""
    as_of = _scoring_date(default_build)
    history_known = {
        (customer_id, day): known
        for customer_id, day, known in default_build.query(
            "select customer_id, as_of_date, has_history_before_as_of from marts.customer_features_history "
            "where not is_scoring_date"
        )
    }
    labels = default_build.query(
        "select customer_id, as_of_date, churn_window_end_date, churn_purchases_in_horizon, "
        "churn_spend_in_horizon_eur, is_churned, clv_window_end_date, clv_purchases_in_horizon, "
        "clv_spend_in_horizon_eur from marts.customer_training_labels"
    )
    (customers,) = default_build.query("select count(*) from marts.customers")[0]
    assert len(labels) == len(TRAINING_OFFSETS) * customers
    windows = {}
    for offset in TRAINING_OFFSETS:
        day = as_of - dt.timedelta(days=offset)
        windows[day] = (
            _recompute_labels(default_build, day, CHURN_HORIZON) if day + CHURN_HORIZON <= as_of else None,
            _recompute_labels(default_build, day, CLV_HORIZON) if day + CLV_HORIZON <= as_of else None,
        )
    none = (0, Decimal("0.00"))
    mismatches = []
    for customer_id, training_date, churn_end, churn_n, churn_eur, churned, clv_end, clv_n, clv_eur in labels:
        churn, clv = windows[training_date]
        want: tuple = ()
        if churn is None:
            want += (None, None, None, None)
        else:
            n, eur = churn.get(customer_id, none)
            known = history_known[(customer_id, training_date)]
            want += (training_date + CHURN_HORIZON, n, eur, (n == 0) if known else None)
        if clv is None:
            want += (None, None, None)
        else:
            want += (training_date + CLV_HORIZON, *clv.get(customer_id, none))
        got = (churn_end, churn_n, churn_eur, churned, clv_end, clv_n, clv_eur)
        if got != want:
            mismatches.append((customer_id, training_date, got, want))
    assert not mismatches, f"{len(mismatches)} label rows differ (got, want), e.g. {mismatches[:3]}"
    # Both outcomes occur, and the windows end on the scoring date, never after it.
    assert {row[5] for row in labels if row[5] is not None} == {True, False}
    assert max(end for row in labels for end in (row[2], row[6]) if end is not None) == as_of


def test_invalid_horizon_is_a_clear_error(early_build: Build) -> None:
    """A horizon that is not a positive whole number stops dbt with a message naming the variable (the feature
    dates read the horizons)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("C360_CLV_HORIZON_DAYS", "0")
        compiled = run_dbt(SAMPLE_LAKE, early_build.warehouse.parent, "compile", "--select", "int_feature_dates_listed")
    assert compiled.returncode != 0
    assert "C360_CLV_HORIZON_DAYS must be a positive whole number of days" in compiled.output
    assert "'0'" in compiled.output


def test_invalid_training_date_count_is_a_clear_error(early_build: Build) -> None:
    """A training-date count that is not a positive whole number stops dbt with a message naming the var."""
    compiled = run_dbt(
        SAMPLE_LAKE,
        early_build.warehouse.parent,
        "compile",
        "--select",
        "int_feature_dates_listed",
        "--vars",
        "{c360_training_date_count: 0}",
    )
    assert compiled.returncode != 0
    assert "dbt var c360_training_date_count must be a positive whole number" in compiled.output
