"""Scores at any history length: BG/NBD's closed forms, the probabilistic champion where no labelled window
fits, and champions chosen by rolling-origin backtests where history allows."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pytest
from conftest import SAMPLE_LAKE
from dbt_runs import Build, assert_green, run_dbt
from sklearn.metrics import roc_auc_score

from ml import backtest, data, pipeline, training
from ml.btyd import (
    bgnbd_expected_repeat_purchases,
    bgnbd_probability_alive,
    bgnbd_probability_no_purchase,
    fit_bgnbd,
)
from ml.data import NoLabelledRows
from ml.estimators import NAIVE_CLV_COLUMNS


def simulate_bgnbd(n: int, calibration: float, horizon: float, seed: int = 3) -> tuple[np.ndarray, ...]:
    """Customers drawn from a BG/NBD process (first purchase at 0, Poisson repeats, dropout after each purchase):
    (x, t_x, T, no purchase in (T, T + horizon])."""
    rng = np.random.default_rng(seed)
    rates, dropouts = rng.gamma(0.8, 1 / 4.0, n), rng.beta(0.8, 2.5, n)
    x, tx, none_after = np.zeros(n), np.zeros(n), np.ones(n, dtype=bool)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1 / rates[i])
            if t > calibration + horizon:
                break
            if t <= calibration:
                x[i], tx[i] = x[i] + 1, t
            else:
                none_after[i] = False
                break
            if rng.random() < dropouts[i]:
                break
    return x, tx, np.full(n, calibration), none_after


def test_probability_of_no_purchase_matches_a_simulated_bgnbd_process() -> None:
    x, tx, age, none_after = simulate_bgnbd(4000, calibration=52.0, horizon=26.0)
    params = fit_bgnbd(x, tx, age)
    p0 = bgnbd_probability_no_purchase(params, 26.0, x, tx, age)
    assert abs(p0.mean() - none_after.mean()) < 0.03
    for group in (x == 0, (x > 0) & (x < 3), x >= 3):  # calibrated within frequency groups too
        assert abs(p0[group].mean() - none_after[group].mean()) < 0.05
    # P(alive) says 1 for every customer without repeats; P(no purchase) ranks them and everyone better
    alive = bgnbd_probability_alive(params, x, tx, age)
    assert roc_auc_score(none_after, p0) > roc_auc_score(none_after, 1 - alive) + 0.03
    assert 0.9 < bgnbd_expected_repeat_purchases(params, age).sum() / x.sum() < 1.1
    # no time, no chance to buy; a longer horizon, fewer who never buy
    assert np.allclose(bgnbd_probability_no_purchase(params, 0.0, x, tx, age), 1.0)
    assert (bgnbd_probability_no_purchase(params, 52.0, x, tx, age) <= p0 + 1e-12).all()


@pytest.fixture(scope="module")
def short_history_home(sample_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample warehouse with 600-day horizons: the lake's 16 months of orders hold no labelled window."""
    home = tmp_path_factory.mktemp("short_history") / "home"
    shutil.copytree(sample_build.warehouse.parent, home, ignore=shutil.ignore_patterns("target", "logs"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("C360_CHURN_HORIZON_DAYS", "600")
        patch.setenv("C360_CLV_HORIZON_DAYS", "600")
        # the feature dates and families read the horizons; the marts downstream of them follow
        selection = ("path:models/intermediate/features+", "--exclude", "customer_360+")
        assert_green(run_dbt(SAMPLE_LAKE, home, "run", "--select", *selection))
    return home


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["churn", "clv"])
def test_a_lake_shorter_than_the_horizon_is_scored_by_the_probabilistic_champion(
    short_history_home: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("C360_CHURN_HORIZON_DAYS", "600")
    monkeypatch.setenv("C360_CLV_HORIZON_DAYS", "600")
    warehouse = short_history_home / "warehouse.duckdb"
    try:
        frame = pipeline.load_training_frame(warehouse, kind)
    except NoLabelledRows:
        frame = None
    assert not backtest.usable_for_supervised(frame, kind)[0]
    outcome = pipeline.train_champion(warehouse, kind)
    assert outcome.model_family == "bgnbd_gamma_gamma"
    assert outcome.passes_thresholds, (outcome.metrics, outcome.thresholds)
    assert "needs no labels" in outcome.params["champion_family_reason"]
    assert 0.8 < outcome.metrics["fit_repeat_purchases_ratio"] < 1.25
    # backtested on windows shorter than the horizon, from the purchases, at several origins
    table = outcome.backtests
    assert set(table["candidate"]) == {"bgnbd_gamma_gamma", "naive"}
    assert table["origin_date"].nunique() >= 2 and (table["window_days"] < 600).all()
    primary = "roc_auc" if kind == "churn" else "spearman"
    assert outcome.metrics[primary] > (0.6 if kind == "churn" else 0.3)
    rows = pipeline.score_to_table(
        warehouse, kind, outcome.model, outcome.features, model_name=outcome.model_name, model_version="test",
        scored_at=datetime(2026, 10, 1),
    )  # fmt: skip
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        customers = con.execute("select count(*) from marts.customer_features").fetchone()[0]
        table_name = pipeline.SCORE_TABLES[kind]
        score, forecast = ("churn_probability", "< 1") if kind == "churn" else ("clv_eur", "> 0")
        families, explained, buyers_scored = con.execute(
            f"""
            select
                list(distinct s.model_family),
                count(*) filter (where s.top_feature_1 in
                    ('purchase_count', 'recency_days', 'days_since_first_purchase', 'avg_purchase_value_eur')),
                count(*) filter (where f.purchase_count > 0 and s.{score} {forecast})
            from ml.{table_name} as s inner join marts.customer_features as f using (customer_id)
            """
        ).fetchone()
        buyers = con.execute("select count(*) from marts.customer_features where purchase_count > 0").fetchone()[0]
    finally:
        con.close()
    assert rows == customers > 0
    assert families == ["bgnbd_gamma_gamma"]
    assert explained == customers  # explained by frequency, recency, age or average value
    assert buyers_scored == buyers > 0  # every buyer gets a forecast of their own


@pytest.mark.slow
def test_long_history_backtests_choose_the_family_that_wins_them(sample_build: Build) -> None:
    outcome = pipeline.train_champion(sample_build.warehouse, "churn")
    table = outcome.backtests
    assert table["origin_date"].nunique() == 3
    assert set(table["candidate"]) == set(backtest.FAMILIES)
    assert (table.loc[table["candidate"] == "boosting", "training"] == "earlier windows").all()
    means = table.loc[table["metric"] == "roc_auc"].groupby("candidate")["value"].mean()
    assert outcome.model_family == means.loc[list(backtest.PROMOTABLE["churn"])].idxmax()
    assert outcome.model_family != "bgnbd_gamma_gamma"  # on the sample, the features beat BG/NBD alone
    assert means["boosting"] > means["bgnbd_gamma_gamma"] and means["boosting"] > means["naive"]
    assert outcome.passes_thresholds
    assert outcome.metrics["backtest_boosting_roc_auc"] == pytest.approx(means["boosting"])


@pytest.mark.slow
def test_the_naive_lifetime_value_family_is_a_model_that_scores(
    short_history_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'Same as the last period' is a CLV family the backtests may choose where no label exists: it is evaluated
    as the naive baseline itself, logs its own inputs, and scores every customer."""
    monkeypatch.setenv("C360_CLV_HORIZON_DAYS", "600")
    warehouse = short_history_home / "warehouse.duckdb"
    scoring = data.scoring_frame(warehouse)
    as_of = scoring["as_of_date"].max()
    _, holdout, _ = backtest.purchase_backtests(warehouse, "clv", as_of.date() if hasattr(as_of, "date") else as_of)
    result = training.train_probabilistic("clv", scoring, holdout, 0, family="naive")
    model = result["model"]
    assert result["features"] == model.features == list(NAIVE_CLV_COLUMNS)
    assert result["metrics"]["rmse"] == pytest.approx(result["metrics"]["baseline_naive_rmse"])
    model.model_family_ = "naive"
    rows = pipeline.score_to_table(
        warehouse, "clv", model, result["features"], model_name="c360_clv", model_version="test",
        scored_at=datetime(2026, 10, 1),
    )  # fmt: skip
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        scored = con.execute(
            "select count(*), min(expected_purchases), list(distinct model_family), "
            "sum(clv_eur) filter (where top_feature_1 like 'monetary%') > 0 from ml.clv_scores"
        ).fetchone()
    finally:
        con.close()
    assert scored[0] == rows == len(scoring) and scored[1] >= 0 and scored[2] == ["naive"] and scored[3]
