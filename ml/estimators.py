"""scikit-learn estimators of the three models and the wrapper that carries their explanation metadata.

:class:`C360Model` is what training returns and MLflow stores (``mlflow.sklearn``; plain picklable classes
from this importable module). It takes a raw feature frame (columns of `customer_features`; missing ones are
filled with NaN), and knows its features, the reference values and the globally important features that
:mod:`ml.explain` uses.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder, StandardScaler

from ml import explain
from ml.btyd import BTYDModel
from ml.features import BTYD_COLUMNS, CATEGORICAL_FEATURES, customer_holdout_mask, feature_matrix

BLEND_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)  # candidate weights of BG/NBD in the CLV blend


def gradient_boosting_pipeline(features: list[str], estimator: BaseEstimator) -> Pipeline:
    """Ordinal-encode the categorical inputs (unknown/missing -> NaN), pass numbers through, then ``estimator``.

    ``estimator`` is a HistGradientBoosting model; its ``categorical_features`` is set to the encoded columns.
    """
    categorical = [c for c in features if c in CATEGORICAL_FEATURES]
    numeric = [c for c in features if c not in CATEGORICAL_FEATURES]
    transformers = []
    if categorical:
        encoder = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan, encoded_missing_value=np.nan)
        transformers.append(("categorical", encoder, categorical))
    transformers.append(("numeric", "passthrough", numeric))
    prep = ColumnTransformer(transformers, remainder="drop", verbose_feature_names_out=False)
    mask = [True] * len(categorical) + [False] * len(numeric)
    if isinstance(estimator, CalibratedClassifierCV):
        estimator.estimator.set_params(categorical_features=mask if any(mask) else None)
    else:
        estimator.set_params(categorical_features=mask if any(mask) else None)
    return Pipeline([("prepare", prep), ("model", estimator)])


class CLVRegressor(RegressorMixin, BaseEstimator):
    """Expected spend (EUR) in the next ``horizon_days``: gradient boosting on the features plus BG/NBD/GG outputs.

    Fit: BG/NBD + Gamma-Gamma (:class:`ml.btyd.BTYDModel`) on the rows of ``btyd_rows`` (default all; training
    passes the latest training date, the classic single calibration period), then a shallow
    HistGradientBoostingRegressor on the features plus expected purchases, P(alive) and expected spend per
    purchase. Loss ``poisson`` (default): spend is non-negative with a heavy tail (many zeros, a few B2B
    accounts), the log link ranks customers better than squared error (Spearman 0.49 against 0.44 on the
    sample lake, 0.50 against 0.45 at scale 10) and, like squared error, its predictions keep the training
    total. Depth 3 against the heavy tail; 20 rows per leaf (40 before several training dates; on the benchmark
    the two differ by noise, 20 holding the top-20 % share a little better on the sample lake, 0.571 against
    0.541). Predictions are clipped at 0.

    Blend with BG/NBD + Gamma-Gamma: the prediction is ``(1 - w) boosting + w s btyd``, where ``s`` rescales
    the BG/NBD expectation to the boosting model's level (sum of boosting / sum of BG/NBD predictions on the
    ``btyd_rows``, the date BG/NBD calibrates on), so the blend redistributes spend among customers without
    changing its total at that date, and the learnt seasonal factor (:func:`ml.training.season_effect`, which
    uses :meth:`predict_boosting`) keeps its meaning. ``btyd_weight`` None (default) chooses ``w`` from
    :data:`BLEND_WEIGHTS` by validation on the training rows alone: a quarter of the customers (``groups``,
    hashed with ``seed + 1``) is set aside, the model is fitted on the rest and the weight with the lowest
    RMSE on the quarter wins (0.4 on the sample lake, 0.2 at scale 10). Compared afterwards with the
    generator's truth (benchmarks/scores_quality.py; a check, not how the weight is chosen), without -> with the
    blend: sample lake RMSE 1840 -> 1813, Spearman 0.464 -> 0.456, top-20 % share 0.575 -> 0.580, total error
    +12.2 % -> +12.9 %; scale 10 RMSE 2089 -> 2077, Spearman 0.504 -> 0.509, top-20 % share 0.644 -> 0.650,
    total error -3.2 % both. A third member, the naive "same as last period" spend, was tried the same way
    (validation chose 0.3 of it on the sample lake, 0.1 at scale 10) and lowered the top-20 % share on the truth
    of both lakes: not kept.
    (An earlier blend whose BG/NBD part was scaled to the pooled labels pushed the learnt seasonal factor up,
    to +21 % total error on the sample lake: the season rows a year earlier have short histories, on which
    BG/NBD predicts little.)
    """

    def __init__(
        self,
        horizon_days: int = 180,
        max_iter: int = 100,
        learning_rate: float = 0.05,
        loss: str = "poisson",
        min_samples_leaf: int = 20,
        seed: int = 0,
        btyd_weight: float | None = None,
    ):
        self.horizon_days = horizon_days
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.loss = loss
        self.min_samples_leaf = min_samples_leaf
        self.seed = seed
        self.btyd_weight = btyd_weight

    def _augment(self, X: pd.DataFrame) -> pd.DataFrame:
        extra = self.btyd_.predict_frame(X, self.horizon_days)
        return pd.concat([X.reset_index(drop=True), extra.reset_index(drop=True)], axis=1)

    def fit(self, X: pd.DataFrame, y: Any, btyd_rows: Any = None, groups: Any = None) -> CLVRegressor:
        """Fit BG/NBD + Gamma-Gamma on ``btyd_rows`` (default all), the boosting model on all rows, and the blend
        weight (``btyd_weight``, or chosen by validation over the customers ``groups``; default one per row)."""
        missing = [c for c in BTYD_COLUMNS if c not in X.columns]
        if missing:
            raise ValueError(f"the lifetime value model needs customer_features columns {missing}; rebuild the marts")
        y = np.asarray(y, dtype=float)
        calibration_rows = np.ones(len(X), dtype=bool) if btyd_rows is None else np.asarray(btyd_rows, dtype=bool)
        if self.btyd_weight is None:
            self.btyd_weight_, self.blend_validation_rmse_ = self._choose_weight(X, y, calibration_rows, groups)
        else:
            self.btyd_weight_, self.blend_validation_rmse_ = float(self.btyd_weight), {}
        self._fit_parts(X, y, calibration_rows)
        return self

    def _fit_parts(self, X: pd.DataFrame, y: np.ndarray, calibration_rows: np.ndarray) -> None:
        self.btyd_ = BTYDModel.fit(X.loc[calibration_rows])
        augmented = self._augment(X)
        regressor = HistGradientBoostingRegressor(
            loss=self.loss,
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_depth=3,
            min_samples_leaf=self.min_samples_leaf,
            random_state=self.seed,
        )
        self.pipeline_ = gradient_boosting_pipeline(list(augmented.columns), regressor)
        self.pipeline_.fit(augmented, y)
        calibration = X.loc[calibration_rows]
        btyd_total = float(self.predict_btyd(calibration)["bgnbd_gg_clv_eur"].sum())
        boosting_total = float(self.predict_boosting(calibration).sum())
        self.btyd_scale_ = boosting_total / btyd_total if btyd_total > 0 else 0.0

    def _choose_weight(
        self, X: pd.DataFrame, y: np.ndarray, calibration_rows: np.ndarray, groups: Any
    ) -> tuple[float, dict[str, float]]:
        """The :data:`BLEND_WEIGHTS` entry with the lowest RMSE on a quarter of the customers set aside."""
        ids = pd.Series(np.arange(len(X)) if groups is None else np.asarray(groups)).astype(str)
        aside = customer_holdout_mask(ids, seed=self.seed + 1, share=0.25)
        fit_rows = ~aside
        if aside.sum() < 30 or (calibration_rows & fit_rows).sum() < 30:
            return 0.0, {}
        probe = clone(self).set_params(btyd_weight=0.0)
        try:
            probe._fit_parts(X.loc[fit_rows], y[fit_rows], calibration_rows[fit_rows])
        except ValueError:  # too few buyers for BG/NBD in the fitting part
            return 0.0, {}
        check = X.loc[aside]
        boosting = probe.predict_boosting(check)
        btyd = probe.btyd_scale_ * probe.predict_btyd(check)["bgnbd_gg_clv_eur"].to_numpy()
        rmse = {
            f"{w:.1f}": float(np.sqrt(np.mean((y[aside] - (1 - w) * boosting - w * btyd) ** 2))) for w in BLEND_WEIGHTS
        }
        best = min(BLEND_WEIGHTS, key=lambda w: rmse[f"{w:.1f}"])
        return float(best), rmse

    def predict_boosting(self, X: pd.DataFrame) -> np.ndarray:
        """The gradient boosting part alone (clipped at 0), in the units of the pooled training seasons."""
        return np.clip(self.pipeline_.predict(self._augment(X)), 0.0, None)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        boosting = self.predict_boosting(X)
        if self.btyd_weight_ <= 0:
            return boosting
        btyd = self.btyd_scale_ * self.predict_btyd(X)["bgnbd_gg_clv_eur"].to_numpy()
        return (1.0 - self.btyd_weight_) * boosting + self.btyd_weight_ * btyd

    def predict_btyd(self, X: pd.DataFrame) -> pd.DataFrame:
        """The BG/NBD + Gamma-Gamma baseline columns (see :meth:`ml.btyd.BTYDModel.predict_frame`)."""
        return self.btyd_.predict_frame(X, self.horizon_days)

    def expected_purchases(self, X: pd.DataFrame) -> np.ndarray:
        """Purchases expected in the horizon (BG/NBD's), written beside the spend in ``ml.clv_scores``."""
        return self.predict_btyd(X)["bgnbd_expected_purchases"].to_numpy(dtype=float)


class BTYDChurnClassifier(ClassifierMixin, BaseEstimator):
    """Churn as P(no purchase in the next ``horizon_days``) from BG/NBD (:func:`ml.btyd.bgnbd_probability_no_purchase`).

    Fits BG/NBD (and Gamma-Gamma, for :meth:`predict_btyd`) on the buyers among the rows, from the columns of
    :data:`ml.features.BTYD_COLUMNS` alone, so it needs no labelled window: fitted on the scoring date's features
    it forecasts any horizon from all history before the as-of date (Fader, Hardie & Lee 2005). ``y`` is
    ignored. Customers without a purchase get probability 1 (BG/NBD describes buyers only).
    """

    def __init__(self, horizon_days: int = 90):
        self.horizon_days = horizon_days

    def fit(self, X: pd.DataFrame, y: Any = None) -> BTYDChurnClassifier:
        self.btyd_ = BTYDModel.fit(X)
        self.classes_ = np.array([0, 1])
        return self

    def predict_btyd(self, X: pd.DataFrame) -> pd.DataFrame:
        """The BG/NBD + Gamma-Gamma columns (see :meth:`ml.btyd.BTYDModel.predict_frame`)."""
        return self.btyd_.predict_frame(X, self.horizon_days)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        churn = self.predict_btyd(X)["bgnbd_p_no_purchase"].to_numpy(dtype=float)
        return np.column_stack([1.0 - churn, churn])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class BTYDCLVRegressor(RegressorMixin, BaseEstimator):
    """Expected spend in the next ``horizon_days``: BG/NBD expected purchases x Gamma-Gamma spend per purchase.

    The probabilistic lifetime value model (Fader, Hardie & Lee 2005; Fader & Hardie 2013), fitted on the buyers
    among the rows from :data:`ml.features.BTYD_COLUMNS` alone; ``y`` is ignored. 0 for customers without a
    purchase.
    """

    def __init__(self, horizon_days: int = 180):
        self.horizon_days = horizon_days

    def fit(self, X: pd.DataFrame, y: Any = None) -> BTYDCLVRegressor:
        self.btyd_ = BTYDModel.fit(X)
        return self

    def predict_btyd(self, X: pd.DataFrame) -> pd.DataFrame:
        """The BG/NBD + Gamma-Gamma columns (see :meth:`ml.btyd.BTYDModel.predict_frame`)."""
        return self.btyd_.predict_frame(X, self.horizon_days)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.predict_btyd(X)["bgnbd_gg_clv_eur"].to_numpy(dtype=float)

    def expected_purchases(self, X: pd.DataFrame) -> np.ndarray:
        return self.predict_btyd(X)["bgnbd_expected_purchases"].to_numpy(dtype=float)


class NaiveCLVRegressor(RegressorMixin, BaseEstimator):
    """ "Same as the last period": the spend (and purchases) of the 180 days before the date, scaled to
    ``horizon_days``. Needs no labels and no fit; the lifetime value champion where the backtests find it better
    than BG/NBD + Gamma-Gamma (a young lake whose few buyers leave Gamma-Gamma too little to learn from)."""

    def __init__(self, horizon_days: int = 180):
        self.horizon_days = horizon_days

    def fit(self, X: pd.DataFrame, y: Any = None) -> NaiveCLVRegressor:
        self.fitted_ = True
        return self

    def _last_180_days(self, X: pd.DataFrame, prefix: str, suffix: str) -> np.ndarray:
        total = np.zeros(len(X))
        for window in ("90d", "prev_90d"):
            column = f"{prefix}{window}{suffix}"
            if column in X.columns:
                total += pd.to_numeric(X[column], errors="coerce").fillna(0.0).to_numpy(dtype=float)
        return total * self.horizon_days / 180.0

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self._last_180_days(X, "monetary_", "_eur")

    def expected_purchases(self, X: pd.DataFrame) -> np.ndarray:
        return self._last_180_days(X, "purchase_count_", "")


NAIVE_CLV_COLUMNS = ("monetary_90d_eur", "monetary_prev_90d_eur", "purchase_count_90d", "purchase_count_prev_90d")


class AveragedClassifier(ClassifierMixin, BaseEstimator):
    """Binary classifier whose probability is the mean of its members' (each fitted on the same rows)."""

    def __init__(self, estimators: list[tuple[str, Any]], weights: list[float] | None = None):
        self.estimators = estimators
        self.weights = weights

    def fit(self, X: pd.DataFrame, y: Any) -> AveragedClassifier:
        self.fitted_ = [(name, clone(estimator).fit(X, y)) for name, estimator in self.estimators]
        self.classes_ = self.fitted_[0][1].classes_
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return np.average([estimator.predict_proba(X) for _, estimator in self.fitted_], axis=0, weights=self.weights)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    @property
    def named_members(self) -> dict[str, Any]:
        """The fitted members by name."""
        return dict(self.fitted_)


def _signed_log1p(values: Any) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    return np.sign(values) * np.log1p(np.abs(values))


def logistic_pipeline(features: list[str], *, c: float = 0.1) -> Pipeline:
    """Logistic regression on sign(x) log(1 + |x|) of the numbers (median-imputed, with missing indicators,
    standardized) and one-hot categoricals; L2 penalty ``c`` (C) against the many correlated RFM columns."""
    categorical = [c_ for c_ in features if c_ in CATEGORICAL_FEATURES]
    numeric = [c_ for c_ in features if c_ not in CATEGORICAL_FEATURES]
    transformers = [
        (
            "numeric",
            make_pipeline(
                FunctionTransformer(_signed_log1p),
                SimpleImputer(strategy="median", add_indicator=True),
                StandardScaler(),
            ),
            numeric,
        )
    ]
    if categorical:
        transformers.append(
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value="missing"),
                    OneHotEncoder(handle_unknown="ignore", min_frequency=20),
                ),
                categorical,
            )
        )
    prep = ColumnTransformer(transformers, remainder="drop", verbose_feature_names_out=False)
    return Pipeline([("prepare", prep), ("model", LogisticRegression(C=c, max_iter=2000))])


CHURN_CANDIDATES = {
    "gradient_boosting": ("gradient_boosting",),
    "logistic": ("logistic",),
    "mean": ("gradient_boosting", "logistic"),
}


def churn_estimator(
    features: list[str], *, n_rows: int, seed: int, members: tuple[str, ...] = ("gradient_boosting", "logistic")
) -> AveragedClassifier:
    """The mean churn probability of ``members``: ``gradient_boosting`` (a HistGradientBoostingClassifier in
    CalibratedClassifierCV, 5 folds; isotonic from 5,000 rows, else sigmoid) and/or ``logistic`` (a logistic
    regression on log-scaled features, :func:`logistic_pipeline`).

    Which members is chosen per training run on the training rows (:func:`ml.training.choose_churn_members`):
    against the generator's truth neither wins everywhere; the logistic regression ranks better on the small
    sample lake (ROC AUC 0.80 against 0.78), gradient boosting at scale 10 (0.848 against 0.827).
    """
    base = HistGradientBoostingClassifier(
        max_iter=200, learning_rate=0.05, min_samples_leaf=20, l2_regularization=1.0, random_state=seed
    )
    method = "isotonic" if n_rows >= 5_000 else "sigmoid"
    available = {
        "gradient_boosting": lambda: gradient_boosting_pipeline(
            features, CalibratedClassifierCV(base, method=method, cv=5)
        ),
        "logistic": lambda: logistic_pipeline(features),
    }
    unknown = [m for m in members if m not in available]
    if unknown or not members:
        raise ValueError(f"unknown churn members {unknown or members}; expected some of {sorted(available)}")
    return AveragedClassifier([(name, available[name]()) for name in members])


def churn_blend_estimator(
    features: list[str], *, n_rows: int, seed: int, members: tuple[str, ...], horizon_days: int
) -> AveragedClassifier:
    """Half :func:`churn_estimator` of ``members``, half BG/NBD's P(no purchase) (:class:`BTYDChurnClassifier`):
    the members share the first half equally. ``features`` must hold :data:`ml.features.BTYD_COLUMNS`."""
    named = [
        (name, churn_estimator(features, n_rows=n_rows, seed=seed, members=(name,)).estimators[0][1])
        for name in members
    ]
    weights = [0.5 / len(named)] * len(named) + [0.5]
    return AveragedClassifier([*named, ("bgnbd", BTYDChurnClassifier(horizon_days))], weights=weights)


def segment_estimator(features: list[str], *, seed: int) -> Pipeline:
    """Multi-class HistGradientBoostingClassifier predicting the rule segment."""
    base = HistGradientBoostingClassifier(
        max_iter=200, learning_rate=0.1, min_samples_leaf=10, l2_regularization=1.0, random_state=seed
    )
    return gradient_boosting_pipeline(features, base)


class C360Model(BaseEstimator):
    """A fitted model of one kind with what scoring and explanation need.

    ``score_values(frame)`` is the number written to the score table: churn probability, expected spend in EUR
    (before any seasonal factor), or the probability of the predicted segment.
    """

    def __init__(self, kind: str, estimator: Any, features: list[str], explain_top_n: int = 10, seed: int = 0):
        self.kind = kind
        self.estimator = estimator
        self.features = features
        self.explain_top_n = explain_top_n
        self.seed = seed

    def fit(self, X: pd.DataFrame, y: Any, **fit_params: Any) -> C360Model:
        matrix = feature_matrix(X, self.features)
        self.estimator_ = clone(self.estimator).fit(matrix, y, **fit_params)
        if hasattr(self.estimator_, "classes_"):
            self.classes_ = self.estimator_.classes_
        self.reference_ = explain.reference_values(matrix)
        importance = explain.global_importance(self._explained_score, matrix, self.reference_, seed=self.seed)
        self.importance_ = importance.to_dict()
        self.explain_features_ = list(importance.index[: self.explain_top_n])
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.estimator_.predict(feature_matrix(X, self.features))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.estimator_.predict_proba(feature_matrix(X, self.features))

    def _matrix_scores(self, matrix: pd.DataFrame) -> np.ndarray:
        if self.kind == "churn":
            return self.estimator_.predict_proba(matrix)[:, list(self.estimator_.classes_).index(1)]
        if self.kind == "clv":
            return self.estimator_.predict(matrix)
        return self.estimator_.predict_proba(matrix).max(axis=1)

    def _explained_score(self, matrix: pd.DataFrame) -> np.ndarray:
        """Score whose change explains a row: for segments, the probability of the row's own predicted class."""
        if self.kind != "segment":
            return self._matrix_scores(matrix)
        return self.estimator_.predict_proba(matrix).max(axis=1)

    def score_values(self, X: pd.DataFrame) -> np.ndarray:
        return self._matrix_scores(feature_matrix(X, self.features))

    def explain(self, X: pd.DataFrame, k: int = 3) -> pd.DataFrame:
        """top_feature_1..k and their contributions (see :mod:`ml.explain`) for each row of ``X``."""
        matrix = feature_matrix(X, self.features)
        if self.kind == "segment":
            # Hold each row's predicted class fixed, and explain the probability of that class.
            predicted = self.estimator_.predict_proba(matrix).argmax(axis=1)

            def score(block: pd.DataFrame, classes: np.ndarray) -> np.ndarray:
                return self.estimator_.predict_proba(block)[np.arange(len(block)), classes]

            values = explain.contributions(
                score, matrix, self.explain_features_, self.reference_, row_classes=predicted
            )
        else:
            values = explain.contributions(self._explained_score, matrix, self.explain_features_, self.reference_)
        return explain.top_features(values, k)
