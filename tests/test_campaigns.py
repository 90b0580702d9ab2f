"""Campaign effectiveness (models/intermediate/campaigns, models/marts/campaigns) on the committed sample.

A real dbt build (the session fixture `sample_build`), checked against the generator's ground truth
(truth/campaign_uplift.csv: the 95 % interval covers the true uplift for at least 90 % of campaigns), against
staging and sales_orders (revenue, every exposure once) and against independent Python recomputations of
the conversion flag, of Newcombe's intervals (conversion, up-sell and cross-sell uplift) and of the log-method
interval of the relative uplift. The generator has no truth for up-sell and cross-sell.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections import defaultdict
from decimal import Decimal

import pytest
from conftest import SAMPLE_TRUTH
from dbt_runs import Build

pytestmark = pytest.mark.slow

WINDOW_DAYS = 30  # default of the dbt var c360_campaign_attribution_window_days
Z_95 = 1.959963984540054


def true_uplift() -> dict[str, float]:
    with (SAMPLE_TRUTH / "campaign_uplift.csv").open(newline="") as handle:
        return {row["campaign_id"]: float(row["true_uplift"]) for row in csv.DictReader(handle)}


def wilson(p: float, n: int) -> tuple[float, float]:
    centre = (p + Z_95**2 / (2 * n)) / (1 + Z_95**2 / n)
    half = Z_95 * math.sqrt(p * (1 - p) / n + Z_95**2 / (4 * n * n)) / (1 + Z_95**2 / n)
    return centre - half, centre + half


def newcombe(p1: float, n1: int, p2: float, n2: int) -> tuple[float, float]:
    """Newcombe (1998) method 10: the hybrid score interval of p1 - p2."""
    (l1, u1), (l2, u2) = wilson(p1, n1), wilson(p2, n2)
    return (p1 - p2) - math.hypot(p1 - l1, u2 - p2), (p1 - p2) + math.hypot(u1 - p1, p2 - l2)


def relative_interval(x1: int, n1: int, x2: int, n2: int) -> tuple[float | None, float | None]:
    """Katz et al. (1978) log method for the ratio p1 / p2, minus 1; (None, None) when a count is 0."""
    if x1 == 0 or x2 == 0:
        return None, None
    p1, p2 = x1 / n1, x2 / n2
    half = Z_95 * math.sqrt((1 - p1) / x1 + (1 - p2) / x2)
    return math.exp(math.log(p1 / p2) - half) - 1, math.exp(math.log(p1 / p2) + half) - 1


@pytest.fixture(scope="module")
def effectiveness(sample_build: Build) -> dict[str, dict]:
    con = sample_build.connect()
    try:
        cursor = con.execute("select * from marts.campaign_effectiveness")
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
    assert rows, f"marts.campaign_effectiveness is empty or missing:\n{sample_build.output[-4000:]}"
    return {row["campaign_id"]: row for row in rows}


def test_interval_covers_the_true_uplift_for_at_least_90_percent_of_campaigns(effectiveness: dict) -> None:
    truth = true_uplift()
    assert set(truth) == set(effectiveness), "campaigns differ between the mart and the truth"
    missed = {
        cid: (truth[cid], row["uplift_ci_lower"], row["uplift_ci_upper"])
        for cid, row in effectiveness.items()
        if not row["uplift_ci_lower"] <= truth[cid] <= row["uplift_ci_upper"]
    }
    coverage = 1 - len(missed) / len(truth)
    print(f"campaign uplift: 95 % interval covers the true uplift for {coverage:.1%} of {len(truth)} campaigns")
    assert coverage >= 0.9, f"coverage {coverage:.1%}; missed (true, lower, upper): {missed}"


def test_adjusted_interval_covers_the_true_uplift_for_at_least_90_percent_of_campaigns(effectiveness: dict) -> None:
    """The attribution-adjusted uplift: q (attribution_share) in (0, 1] inside its interval, the adjusted figures
    are the observed ones divided by q, and the adjusted interval covers the true uplift for >= 90 % of campaigns."""
    truth = true_uplift()
    missed = {}
    for cid, row in effectiveness.items():
        q = row["attribution_share"]
        assert q is not None and 0 < q <= 1, (cid, q)
        assert 0 < row["attribution_share_ci_lower"] <= q <= row["attribution_share_ci_upper"] <= 1, cid
        assert row["uplift_adjusted"] == pytest.approx(row["uplift_abs"] / q, abs=1e-12), cid
        assert row["treated_conversion_rate_adjusted"] == pytest.approx(row["treated_conversion_rate"] / q), cid
        assert row["holdout_conversion_rate_adjusted"] == pytest.approx(row["holdout_conversion_rate"] / q), cid
        lower, upper = row["uplift_adjusted_ci_lower"], row["uplift_adjusted_ci_upper"]
        assert lower <= row["uplift_adjusted"] <= upper, cid
        assert lower <= row["uplift_ci_lower"] / q and upper >= row["uplift_ci_upper"] / q, cid
        if not lower <= truth[cid] <= upper:
            missed[cid] = (truth[cid], lower, upper)
    coverage = 1 - len(missed) / len(truth)
    print(f"campaign uplift, attribution-adjusted: 95 % interval covers the true uplift for {coverage:.1%}")
    assert coverage >= 0.9, f"coverage {coverage:.1%}; missed (true, lower, upper): {missed}"


def test_interval_is_newcombes_hybrid_score_interval(effectiveness: dict) -> None:
    for cid, row in effectiveness.items():
        n1, n2 = row["treated_observed_count"], row["holdout_observed_count"]
        p1 = row["treated_conversion_count"] / n1
        p2 = row["holdout_conversion_count"] / n2
        lower, upper = newcombe(p1, n1, p2, n2)
        assert row["uplift_abs"] == pytest.approx(p1 - p2, abs=1e-12), cid
        assert row["uplift_ci_lower"] == pytest.approx(lower, abs=1e-9), cid
        assert row["uplift_ci_upper"] == pytest.approx(upper, abs=1e-9), cid
        if p2 > 0:
            assert row["uplift_relative"] == pytest.approx((p1 - p2) / p2, rel=1e-9), cid
        assert float(row["incremental_revenue_eur"]) == pytest.approx(
            (row["treated_revenue_per_member_eur"] - row["holdout_revenue_per_member_eur"]) * row["treated_size"],
            abs=0.01,
        ), cid


def test_relative_up_sell_and_cross_sell_intervals(effectiveness: dict) -> None:
    relative_intervals = 0
    for cid, row in effectiveness.items():
        n1, n2 = row["treated_observed_count"], row["holdout_observed_count"]
        lower, upper = relative_interval(row["treated_conversion_count"], n1, row["holdout_conversion_count"], n2)
        if lower is None:
            assert row["uplift_relative_ci_lower"] is None and row["uplift_relative_ci_upper"] is None, cid
        else:
            assert row["uplift_relative_ci_lower"] == pytest.approx(lower, rel=1e-9), cid
            assert row["uplift_relative_ci_upper"] == pytest.approx(upper, rel=1e-9), cid
            relative_intervals += 1
        for measure in ("up_sell", "cross_sell"):
            p1 = row[f"treated_{measure}_count"] / n1
            p2 = row[f"holdout_{measure}_count"] / n2
            lower, upper = newcombe(p1, n1, p2, n2)
            assert row[f"{measure}_uplift_abs"] == pytest.approx(p1 - p2, abs=1e-12), (cid, measure)
            assert row[f"{measure}_uplift_ci_lower"] == pytest.approx(lower, abs=1e-9), (cid, measure)
            assert row[f"{measure}_uplift_ci_upper"] == pytest.approx(upper, abs=1e-9), (cid, measure)
    assert relative_intervals > 0, "no campaign of the sample has conversions in both groups"


def test_every_staged_exposure_is_counted_once(sample_build: Build, effectiveness: dict) -> None:
    staged = dict(
        sample_build.query("select campaign_id, count(*) from staging.stg_marketing__campaign_exposures group by 1")
    )
    members, distinct_members = sample_build.query(
        "select count(*), count(distinct exposure_id) from intermediate.int_campaign_members_measured"
    )[0]
    assert members == distinct_members == sum(staged.values())
    assert {cid: row["audience_size"] for cid, row in effectiveness.items() if row["audience_size"]} == staged
    for cid, row in effectiveness.items():
        assert row["audience_size"] == row["treated_size"] + row["holdout_size"], cid
        assert (
            row["treated_observed_count"] + row["holdout_observed_count"] + row["unknown_contact_count"]
            == row["audience_size"]
        ), cid


def test_unknown_contact_exposures_are_kept_and_counted(sample_build: Build, effectiveness: dict) -> None:
    unknown, unknown_clicks = sample_build.query("""
        select count(*), count(clicked_at)
        from intermediate.int_campaign_exposures_resolved
        where customer_resolution = 'unknown_contact'
    """)[0]
    assert unknown > 0, "the sample should hold exposures of unknown contacts (quarantined recipients)"
    assert sum(row["unknown_contact_count"] for row in effectiveness.values()) == unknown
    assert sample_build.query("""
        select count(*) from intermediate.int_campaign_members_measured
        where customer_resolution = 'unknown_contact' and is_converted is null and revenue_eur is null
    """)[0][0] == unknown  # fmt: skip
    clicks = sample_build.query("select count(clicked_at) from intermediate.int_campaign_exposures_resolved")[0][0]
    assert sum(row["click_count"] for row in effectiveness.values()) == clicks >= unknown_clicks


def test_revenue_equals_the_purchases_in_sales_orders_and_game_staging(
    sample_build: Build, effectiveness: dict
) -> None:
    """Accounting identity: the mart's revenue is the completed orders (sales_orders, which reconciles with
    the three staging tables) and staged in-game purchases of each member's customer in its window."""
    purchases: dict[str, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for customer_id, day, amount in sample_build.query("""
        select customer_id, order_date, total_amount_eur
        from marts.sales_orders
        where customer_id is not null and coalesce(order_status, '') <> 'cancelled'
        union all
        select identity_map.customer_id, events.event_date, events.amount_eur
        from staging.stg_game__game_events as events
        inner join marts.customer_identity_map as identity_map
            on events.customer_contact_id = identity_map.contact_id
        where events.amount_eur is not null
    """):
        purchases[customer_id].append((day, amount))
    expected: dict[tuple[str, bool], Decimal] = defaultdict(Decimal)
    for campaign_id, is_holdout, customer_id, assigned_at in sample_build.query("""
        select exposures.campaign_id, exposures.is_holdout, identity_map.customer_id, exposures.assigned_at
        from staging.stg_marketing__campaign_exposures as exposures
        inner join marts.customer_identity_map as identity_map
            on exposures.recipient_contact_id = identity_map.contact_id
    """):
        start = assigned_at.date()
        end = start + dt.timedelta(days=WINDOW_DAYS)
        expected[campaign_id, is_holdout] += sum(
            (amount for day, amount in purchases[customer_id] if start <= day < end), Decimal(0)
        )
    for cid, row in effectiveness.items():
        assert row["treated_revenue_eur"] == expected[cid, False], cid
        assert row["holdout_revenue_eur"] == expected[cid, True], cid
    assert sum(expected.values()) > 0


def test_conversion_is_a_completed_purchase_of_the_target_category_in_the_window(sample_build: Build) -> None:
    lines: dict[str, list[tuple[dt.date, str]]] = defaultdict(list)
    for customer_id, day, category in sample_build.query("""
        with order_lines as (
            select sales_order_id, product_id from staging.stg_erp__sales_order_lines
            union all
            select sales_order_id, product_id from staging.stg_shop__sales_order_lines
            union all
            select sales_order_id, product_id from staging.stg_pos__sales_order_lines
        )
        select orders.customer_id, orders.order_date, products.category
        from order_lines
        inner join marts.sales_orders as orders on order_lines.sales_order_id = orders.sales_order_id
        inner join staging.stg_reference__products as products on order_lines.product_id = products.product_id
        where orders.customer_id is not null and coalesce(orders.order_status, '') <> 'cancelled'
    """):
        lines[customer_id].append((day, category))
    members = sample_build.query("""
        select exposure_id, customer_id, assigned_at, target_category, is_converted
        from intermediate.int_campaign_members_measured
        where is_outcome_observed
    """)
    assert members
    wrong = []
    for exposure_id, customer_id, assigned_at, category, is_converted in members:
        start = assigned_at.date()
        end = start + dt.timedelta(days=WINDOW_DAYS)
        expected = any(start <= day < end and cat == category for day, cat in lines[customer_id])
        if expected != is_converted:
            wrong.append(exposure_id)
    assert not wrong, f"{len(wrong)} members with a wrong is_converted, e.g. {wrong[:5]}"
    assert sum(1 for *_, converted in members if converted) > 0
