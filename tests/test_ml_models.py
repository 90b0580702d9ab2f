"""Fast unit tests of ml/ on small synthetic frames (no warehouse)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from ml import btyd, drift, explain, pipeline, segments, training
from ml.estimators import BLEND_WEIGHTS, CLVRegressor, churn_estimator
from ml.features import add_calendar_features, data_snapshot_id, feature_matrix, informative_features


def simulate_bgnbd(n: int, r: float, alpha: float, a: float, b: float, seed: int = 0) -> pd.DataFrame:
    """Customers simulated under BG/NBD (weeks): Poisson purchases until a geometric dropout after a purchase."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    age = rng.uniform(20, 80, n)
    x = np.zeros(n)
    tx = np.zeros(n)
    t = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    # Vectorised over customers, stepping through purchases (at most ~200 steps).
    for _ in range(400):
        gap = rng.exponential(1.0 / lam)
        nxt = t + gap
        buy = alive & (nxt <= age)
        x[buy] += 1
        tx[buy] = nxt[buy]
        t = np.where(buy, nxt, t)
        drop = buy & (rng.random(n) < p)
        alive &= buy & ~drop
        if not alive.any():
            break
    return pd.DataFrame({"frequency": x, "recency": tx, "age": age})


def test_bgnbd_recovers_known_parameters():
    truth = {"r": 0.8, "alpha": 4.0, "a": 0.9, "b": 3.0}
    sim = simulate_bgnbd(6000, **truth)
    fitted = btyd.fit_bgnbd(sim["frequency"].to_numpy(), sim["recency"].to_numpy(), sim["age"].to_numpy())
    assert fitted["r"] == pytest.approx(truth["r"], rel=0.25)
    assert fitted["alpha"] == pytest.approx(truth["alpha"], rel=0.3)
    assert fitted["a"] == pytest.approx(truth["a"], rel=0.4)
    assert fitted["b"] == pytest.approx(truth["b"], rel=0.5)


def test_bgnbd_expectation_and_alive_behave():
    params = {"r": 0.8, "alpha": 4.0, "a": 1.5, "b": 3.0}
    # More recent last purchase -> more likely alive and more expected purchases.
    recent = btyd.bgnbd_expected_purchases(params, 26, [5], [49], [50])
    stale = btyd.bgnbd_expected_purchases(params, 26, [5], [10], [50])
    assert recent[0] > stale[0] > 0
    assert btyd.bgnbd_probability_alive(params, [0], [0], [50])[0] == 1.0
    assert 0 < btyd.bgnbd_probability_alive(params, [5], [10], [50])[0] < 1


def test_gamma_gamma_recovers_population_mean():
    rng = np.random.default_rng(1)
    p, q, gamma = 6.0, 4.0, 15.0
    n = 4000
    x = rng.integers(1, 8, n).astype(float)
    nu = rng.gamma(q, 1.0 / gamma, n)
    spend = np.array([rng.gamma(p, 1.0 / v, int(k)).mean() for v, k in zip(nu, x, strict=True)])
    fitted = btyd.fit_gamma_gamma(x, spend)
    assert fitted["p"] * fitted["gamma"] / (fitted["q"] - 1) == pytest.approx(p * gamma / (q - 1), rel=0.15)


def test_psi_identical_is_zero_and_shift_is_large():
    rng = np.random.default_rng(0)
    base = pd.DataFrame({"x": rng.normal(0, 1, 5000), "c": rng.choice(list("abc"), 5000)})
    same = drift.population_stability(base, base.copy(), ["x", "c", "absent"])
    assert same["x"] == pytest.approx(0.0, abs=1e-9) and same["c"] == pytest.approx(0.0, abs=1e-9)
    assert "absent" not in same
    shifted = pd.DataFrame({"x": rng.normal(1.0, 1, 5000), "c": rng.choice(list("ab"), 5000)})
    moved = drift.population_stability(base, shifted, ["x", "c"])
    assert moved["x"] > drift.PSI_MAJOR and moved["c"] > drift.PSI_MAJOR


def test_stored_profile_gives_the_same_psi_as_the_frame_it_came_from():
    rng = np.random.default_rng(2)
    base = pd.DataFrame({"x": rng.exponential(3, 4000), "c": rng.choice(["a", "b", None], 4000)})
    later = pd.DataFrame({"x": rng.exponential(5, 3000), "c": rng.choice(["a", "d"], 3000)})
    profile = json.loads(json.dumps(drift.profile(base, ["x", "c", "absent"])))  # as stored in MLflow
    assert set(profile) == {"x", "c"} and profile["c"]["type"] == "categorical"
    assert drift.stability_against(profile, later) == pytest.approx(drift.population_stability(base, later, ["x", "c"]))
    assert drift.stability_against(profile, later)["x"] > drift.PSI_MODERATE
    assert drift.stability_against(profile, later.drop(columns="c")).keys() == {"x"}


def test_ratio_standard_error_shrinks_with_rows_and_is_zero_without_noise():
    rng = np.random.default_rng(3)
    predicted = rng.gamma(1.0, 100.0, 40_000)
    assert training.ratio_relative_standard_error(1.2 * predicted, predicted, 1.2) == pytest.approx(0.0, abs=1e-12)
    actual = predicted * rng.gamma(2.0, 0.6, len(predicted))  # mean ratio 1.2, noisy
    small = training.ratio_relative_standard_error(
        actual[:400], predicted[:400], actual[:400].sum() / predicted[:400].sum()
    )
    large = training.ratio_relative_standard_error(actual, predicted, actual.sum() / predicted.sum())
    assert large < small and large == pytest.approx(small / 10, rel=0.3)  # 1 / sqrt(n)
    assert small > training.SEASON_MAX_RELATIVE_SE > large
    assert training.ratio_relative_standard_error(actual[:1], predicted[:1], 1.0) == float("inf")


def test_explanations_recover_a_single_changed_feature():
    matrix = pd.DataFrame({"a": [1.0, 5.0], "b": [2.0, 2.0], "c": [0.0, 0.0]})
    reference = {"a": 1.0, "b": 2.0, "c": 0.0}

    def score(frame: pd.DataFrame) -> np.ndarray:
        return 3.0 * frame["a"].to_numpy() + frame["b"].to_numpy() ** 2

    values = explain.contributions(score, matrix, ["a", "b", "c"], reference)
    assert values.loc[1, "a"] == pytest.approx(12.0) and values.loc[0].abs().sum() == 0
    top = explain.top_features(values, 3)
    assert top.loc[1, "top_feature_1"] == "a" and top.loc[1, "top_feature_1_contribution"] == pytest.approx(12.0)


def test_segment_rules_on_hand_made_rows():
    rows = pd.DataFrame(
        {
            "purchase_count": [0, 1, 3, 3, 10, 6, 1],
            "recency_days": [np.nan, 10, 400, 120, 5, 20, 40],
            "days_since_first_purchase": [np.nan, 10, 500, 300, 600, 400, 200],
            "monetary_eur": [0, 50, 300, 200, 5000, 400, 30],
        }
    )
    thresholds = {"champion_min_monetary_eur": 1000.0, "loyal_min_purchase_count": 5.0, "loyal_min_engagement": 1e9}
    assert list(segments.assign_segments(rows, thresholds)) == [
        "browser", "new", "dormant", "at_risk", "champion", "loyal", "promising",
    ]  # fmt: skip
    fitted = segments.fit_thresholds(rows)
    assert fitted["loyal_min_engagement"] == float("inf")  # no engagement columns: orders-only lake


def test_feature_selection_drops_missing_constant_and_null_columns():
    frame = pd.DataFrame({"customer_id": ["a", "b", "c"], "x": [1, 2, 3], "const": [1, 1, 1], "null": [None] * 3})
    assert informative_features(frame) == ["x"]
    matrix = feature_matrix(frame, ["x", "web_clicks_30d"])
    assert matrix["web_clicks_30d"].isna().all()


def test_snapshot_id_is_deterministic_and_order_free():
    frame = pd.DataFrame({"customer_id": ["b", "a"], "x": [1.0, 2.0]})
    assert data_snapshot_id(frame) == data_snapshot_id(frame.iloc[::-1][["x", "customer_id"]])
    assert data_snapshot_id(frame) != data_snapshot_id(frame.assign(x=[1.0, 3.0]))


def synthetic_frame(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """Feature-like rows with churn and spend labels that depend on recency and frequency."""
    rng = np.random.default_rng(seed)
    count = rng.poisson(3, n).astype(float)
    first = rng.uniform(30, 500, n)
    recency = np.where(count > 0, rng.uniform(1, 1, n) * first * rng.uniform(0, 1, n) + 1, np.nan)
    first = np.where(count > 0, first, np.nan)
    avg = np.where(count > 0, rng.gamma(3, 40, n), np.nan)
    monetary = np.nan_to_num(avg) * count
    churn_p = 1 / (1 + np.exp(-(np.nan_to_num(recency, nan=400) / 100 - 1.5 - 0.3 * count)))
    return pd.DataFrame(
        {
            "customer_id": [f"c{i:05d}" for i in range(n)],
            "as_of_date": pd.Timestamp("2026-07-03"),
            "purchase_count": count,
            "days_since_first_purchase": first,
            "recency_days": recency,
            "avg_purchase_value_eur": avg,
            "monetary_eur": monetary,
            "monetary_90d_eur": monetary * 0.3,
            "monetary_prev_90d_eur": monetary * 0.2,
            "web_clicks_90d": rng.poisson(5, n).astype(float),
            "game_sessions_90d": rng.poisson(1, n).astype(float),
            "campaign_clicks": rng.poisson(1, n).astype(float),
            "top_category": rng.choice(["audio", "phones", None], n),
            "is_churned": (rng.random(n) < churn_p).astype(int),
            "clv_spend_in_horizon_eur": (1 - churn_p) * monetary * rng.uniform(0.5, 1.5, n),
        }
    )


@pytest.mark.parametrize("kind", pipeline.KINDS)
def test_train_and_evaluate_on_synthetic_frame_without_engagement_columns(kind):
    frame = synthetic_frame().drop(columns=["web_clicks_90d", "game_sessions_90d", "campaign_clicks"])
    frame["all_null"] = np.nan
    frame["constant"] = 1.0
    outcome = pipeline.train(kind, frame, seed=0)
    assert "all_null" not in outcome.features and "constant" not in outcome.features
    assert outcome.primary_metric in outcome.metrics and outcome.figures
    again = pipeline.evaluate(kind, outcome.model, outcome.features, outcome.holdout)
    assert again[outcome.primary_metric] == pytest.approx(outcome.metrics[outcome.primary_metric])
    # Scoring a frame that lacks a trained-on column fills it with NaN instead of failing.
    scored = pipeline.score_frame(
        kind, outcome.model, frame.drop(columns=[outcome.features[-1]]).head(50),
        model_name="m", model_version="1", scored_at=pd.Timestamp("2026-10-01").to_pydatetime(),
    )  # fmt: skip
    assert len(scored) == 50 and scored["top_feature_1"].notna().all()


def test_unknown_kind_and_missing_labels_name_the_problem():
    with pytest.raises(ValueError, match="unknown model kind"):
        pipeline.train("uplift", synthetic_frame())
    with pytest.raises(ValueError, match="is_churned"):
        pipeline.train("churn", synthetic_frame().drop(columns=["is_churned"]))


def test_calendar_feature_is_derived_from_the_feature_date():
    frame = pd.DataFrame({"customer_id": ["a", "b"], "as_of_date": pd.to_datetime(["2026-10-01", "2026-01-02"])})
    assert list(add_calendar_features(frame)["as_of_day_of_year"]) == [274.0, 2.0]
    # Scoring frames carry only as_of_date: the matrix computes the feature on the fly.
    assert list(feature_matrix(frame, ["as_of_day_of_year"])["as_of_day_of_year"]) == [274.0, 2.0]


def multi_date_frame() -> pd.DataFrame:
    """synthetic_frame at three training dates; spend in the window starting one year before the scoring date
    (2026-10-01) is twice that of the others, as in a busy season."""
    dates = ["2025-10-01", "2026-03-05", "2026-04-04"]
    parts = []
    for i, day in enumerate(dates):
        part = synthetic_frame(n=400, seed=i).assign(as_of_date=pd.Timestamp(day))
        if day == "2025-10-01":
            part["clv_spend_in_horizon_eur"] *= 2.0
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    frame.attrs["scoring_as_of"] = "2026-10-01"
    return frame


def test_clv_learns_the_season_from_last_year_and_churn_chooses_its_members():
    frame = multi_date_frame()
    clv = pipeline.train("clv", frame, seed=0)
    assert clv.params["training_dates"] == 3
    assert "2025-10-01" in clv.params["seasonal_factor_method"]
    # A pooled model predicts an average season: last year's busy window needs a factor above 1.
    assert 1.2 < clv.model.season_factor_ < 2.0
    assert clv.params["seasonal_factor"] == pytest.approx(clv.model.season_factor_)
    churn = pipeline.train("churn", frame, seed=0)
    assert churn.params["churn_members"] in {"gradient_boosting", "logistic", "gradient_boosting+logistic"}
    assert {"selection_auc_gradient_boosting", "selection_auc_logistic", "selection_auc_mean"} <= set(churn.params)
    assert "as_of_day_of_year" in churn.features and churn.params["training_as_of"] == "2026-04-04"


def test_clv_without_last_years_season_falls_back_to_the_revenue_factor():
    outcome = pipeline.train("clv", synthetic_frame(), seed=0)
    assert outcome.model.season_factor_ is None and "seasonal_factor" not in outcome.params


def test_averaged_classifier_is_the_mean_of_its_members():
    frame = synthetic_frame()
    features = ["purchase_count", "recency_days", "monetary_eur", "top_category"]
    matrix, y = feature_matrix(frame, features), frame["is_churned"].to_numpy()
    both = churn_estimator(features, n_rows=len(frame), seed=0).fit(matrix, y)
    singles = [
        churn_estimator(features, n_rows=len(frame), seed=0, members=(name,)).fit(matrix, y).predict_proba(matrix)
        for name in ("gradient_boosting", "logistic")
    ]
    assert np.allclose(both.predict_proba(matrix), (singles[0] + singles[1]) / 2)
    with pytest.raises(ValueError, match="unknown churn members"):
        churn_estimator(features, n_rows=10, seed=0, members=("forest",))


def test_clv_blend_weight_is_chosen_on_the_training_rows_and_keeps_the_boosting_total():
    frame = multi_date_frame()
    latest = (frame["as_of_date"] == frame["as_of_date"].max()).to_numpy()
    features = ["purchase_count", "days_since_first_purchase", "recency_days", "avg_purchase_value_eur"]
    matrix, y = feature_matrix(frame, features), frame["clv_spend_in_horizon_eur"].to_numpy()
    chosen = CLVRegressor(seed=0).fit(matrix, y, btyd_rows=latest, groups=frame["customer_id"].to_numpy())
    assert chosen.btyd_weight_ in BLEND_WEIGHTS
    assert set(chosen.blend_validation_rmse_) == {f"{w:.1f}" for w in BLEND_WEIGHTS}
    assert chosen.btyd_weight_ == float(min(chosen.blend_validation_rmse_, key=chosen.blend_validation_rmse_.get))
    # Whatever the weight, the blend holds the boosting part's total on the rows BG/NBD calibrates on.
    fixed = CLVRegressor(seed=0, btyd_weight=0.5).fit(matrix, y, btyd_rows=latest)
    calibration = matrix.loc[latest]
    assert fixed.predict(calibration).sum() == pytest.approx(fixed.predict_boosting(calibration).sum())
    btyd = fixed.btyd_scale_ * fixed.predict_btyd(calibration)["bgnbd_gg_clv_eur"].to_numpy()
    assert np.allclose(fixed.predict(calibration), 0.5 * fixed.predict_boosting(calibration) + 0.5 * btyd)
    assert (fixed.predict(matrix) >= 0).all()
    outcome = pipeline.train("clv", frame, seed=0)
    assert outcome.params["btyd_blend_weight"] in BLEND_WEIGHTS
