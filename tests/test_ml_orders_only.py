"""The models on a lake that holds order history only: no clickstream, game, marketing or CRM data, and no
personal data on any contact (ids and dates only). Features whose inputs are missing are dropped, not fatal."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from conftest import SAMPLE_LAKE
from dbt_runs import assert_green, run_dbt
from lakes import blank_csv_columns, blank_jsonl_fields

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
