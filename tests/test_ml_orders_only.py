"""The models on a lake that holds order history only: no clickstream, game, marketing or CRM data, and no
personal data on any contact (ids and dates only). Features whose inputs are missing are dropped, not fatal."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pytest
from conftest import SAMPLE_LAKE
from dbt_runs import Build, assert_green, run_dbt
from lakes import blank_csv_columns, blank_jsonl_fields
from scipy import stats
from sklearn.metrics import roc_auc_score

from benchmarks.cdnow import CDNOW_MAPPING, PUBLISHED_BGNBD, cdnow_wheel, write_cdnow_lake
from benchmarks.mapped_project import mapped_project
from ml import pipeline

pytestmark = pytest.mark.slow

ABSENT_INPUTS = (
    "web_clicks",
    "days_since_last_web",
    "days_since_last_game",
    "product_views",
    "add_to_carts",
    "game_sessions",
    "game_play",
    "campaign_",
)


@pytest.fixture(scope="module")
def orders_only_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lake = tmp_path_factory.mktemp("orders_only") / "lake"
    for system in ("erp", "shop", "pos", "reference"):
        shutil.copytree(SAMPLE_LAKE / system, lake / system)
    blank_csv_columns(lake / "erp" / "customers.csv", {"KUNNR", "ERDAT", "AEDAT"}, delimiter=";")
    blank_csv_columns(lake / "pos" / "loyalty_members.csv", {"card_id", "enrolled_on", "home_store_id"})
    blank_jsonl_fields(lake / "shop" / "accounts.jsonl", {"account_id", "loyalty_card", "created_at", "updated_at"})
    build = run_dbt(lake, tmp_path_factory.mktemp("orders_only_home"), "build")
    assert_green(build)
    assert build.query("select count(*) from marts.customers where email_address is not null or last_name is not null")[
        0
    ] == (0,)
    return build.warehouse


@pytest.mark.parametrize("kind", pipeline.KINDS)
def test_models_train_and_score_on_order_history_alone(orders_only_warehouse: Path, kind: str) -> None:
    frame = pipeline.load_training_frame(orders_only_warehouse, kind)
    outcome = pipeline.train(kind, frame)
    absent = [feature for feature in outcome.features if feature.startswith(ABSENT_INPUTS)]
    assert not absent, f"{kind} uses features this lake cannot feed: {absent}"
    assert "purchase_count" in outcome.features or "recency_days" in outcome.features
    assert outcome.metrics[outcome.primary_metric] == outcome.metrics[outcome.primary_metric]  # not NaN
    rows = pipeline.score_to_table(
        orders_only_warehouse,
        kind,
        outcome.model,
        outcome.features,
        model_name=outcome.model_name,
        model_version="test",
        scored_at=datetime(2026, 10, 1),
    )
    con = duckdb.connect(str(orders_only_warehouse), read_only=True)
    try:
        customers = con.execute("select count(*) from marts.customer_features").fetchone()[0]
        distinct = con.execute(f"select count(distinct customer_id) from ml.{pipeline.SCORE_TABLES[kind]}").fetchone()[
            0
        ]
    finally:
        con.close()
    assert rows == distinct == customers > 0


# ------------------------------------------------------------------------------- a public order log, alone
CDNOW_AS_OF, CDNOW_HORIZON = "1997-10-01", "273"  # 39 weeks of calibration and 39 weeks after, as FHL 2005


@pytest.fixture(scope="module")
def cdnow_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, int]:
    """CDNOW's sample (2,357 customers of a CD shop, 1997-01 to 1998-06) declared as the lake's only source: an
    order log without a customer master, as of 1997-10-01 (nine months of orders), horizons of 273 days."""
    wheel = cdnow_wheel()
    if wheel is None:
        pytest.skip("the lifetimes wheel (CDNOW data) is not in .venv/datasets; `make install` downloads it")
    root = tmp_path_factory.mktemp("cdnow")
    project = mapped_project(root / "dbt_project", {"cdnow": CDNOW_MAPPING})
    rows = write_cdnow_lake(wheel, root / "lake")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("C360_AS_OF", CDNOW_AS_OF)
        patch.setenv("C360_CHURN_HORIZON_DAYS", CDNOW_HORIZON)
        patch.setenv("C360_CLV_HORIZON_DAYS", CDNOW_HORIZON)
        build = run_dbt(root / "lake", root / "home", "build", project_dir=project)
    assert_green(build)
    return build, rows


def test_a_public_order_log_alone_is_scored_end_to_end(
    cdnow_build: tuple[Build, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nine months of a real shop's orders, nothing else, and a 273-day horizon: no labelled window fits, so
    BG/NBD + Gamma-Gamma scores every customer; checked against what they did in the 273 days after."""
    build, rows = cdnow_build
    monkeypatch.setenv("C360_AS_OF", CDNOW_AS_OF)
    monkeypatch.setenv("C360_CHURN_HORIZON_DAYS", CDNOW_HORIZON)
    monkeypatch.setenv("C360_CLV_HORIZON_DAYS", CDNOW_HORIZON)
    # the customer ids the orders name became customers: every order resolves, every customer is one person
    orders, customers, resolved = build.query(
        "select count(*), count(distinct customer_id), count(*) filter (where customer_resolution = 'resolved') "
        "from marts.sales_orders"
    )[0]
    assert orders == resolved == rows and customers == 2357
    scores = {}
    for kind in ("churn", "clv"):
        outcome = pipeline.train_champion(build.warehouse, kind)
        assert outcome.model_family == "bgnbd_gamma_gamma", outcome.params["champion_family_reason"]
        assert outcome.passes_thresholds, (outcome.metrics, outcome.thresholds)
        written = pipeline.score_to_table(
            build.warehouse, kind, outcome.model, outcome.features, model_name=outcome.model_name,
            model_version="test", scored_at=datetime(1997, 10, 1),
        )  # fmt: skip
        assert written == customers
        scores[kind] = outcome
    truth = build.query(
        f"""
        select
            f.recency_days,
            c.churn_probability,
            v.clv_eur,
            coalesce(sum(o.total_amount_eur), 0) as spend_after,
            count(o.sales_order_id) = 0 as bought_nothing_after
        from marts.customer_features as f
        inner join ml.churn_scores as c using (customer_id)
        inner join ml.clv_scores as v using (customer_id)
        left join marts.sales_orders as o
            on f.customer_id = o.customer_id
            and o.order_date >= date '{CDNOW_AS_OF}' and o.order_date < date '{CDNOW_AS_OF}' + interval 273 day
        group by all
        """
    )
    recency, churn, clv, spend, churned = (np.array(column, dtype=float) for column in zip(*truth, strict=True))
    churn_auc, recency_auc = roc_auc_score(churned, churn), roc_auc_score(churned, recency)
    spearman = stats.spearmanr(clv, spend).statistic
    total_error = clv.sum() / spend.sum() - 1
    fitted = {name: round(scores["churn"].params[f"bgnbd_{name}"], 3) for name in PUBLISHED_BGNBD}
    print(
        f"CDNOW sample, 39 weeks -> 39 weeks: churn ROC AUC {churn_auc:.3f} (recency only {recency_auc:.3f}); "
        f"CLV Spearman {spearman:.3f}, total error {total_error:+.1%}; BG/NBD {fitted} (published {PUBLISHED_BGNBD})"
    )
    # Measured (README, Scores): churn ROC AUC 0.748 against recency alone 0.767, Brier 0.127 against the base rate's
    # 0.144; CLV Spearman 0.410, total error -28 % (BG/NBD forecasts 1,478 purchases where 1,959 were made). Floors
    # well above chance, not the figures themselves; recency ranking better is a finding, not a failure.
    brier = float(np.mean((churn - churned) ** 2))
    assert churn_auc > 0.7 and brier < float(np.mean((churned.mean() - churned) ** 2))
    assert spearman > 0.35 and abs(total_error) < 0.4
    # the fit on 39 weeks is near the one Fader, Hardie & Lee (2005) published for the same customers and weeks
    # (c360 counts two orders on one day as two purchases, the paper as one: alpha and r differ most)
    for name, published in PUBLISHED_BGNBD.items():
        assert abs(scores["churn"].params[f"bgnbd_{name}"] / published - 1) < 0.4, name
