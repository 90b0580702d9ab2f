"""ml.tracking against a real MLflow SQLite store in a temporary C360 home: logging, registry, promotion, loading."""

from __future__ import annotations

import json
import math
import os
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from ml import drift, tracking  # noqa: E402

FEATURES = ["recency_days", "frequency", "monetary_eur", "tenure_days"]
MODEL = "churn_test"


def _frame(seed: int, rows: int = 300) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.normal(size=(rows, len(FEATURES))), columns=FEATURES)
    y = ((x["recency_days"] - x["frequency"] + rng.normal(scale=0.5, size=rows)) > 0).astype(int)
    return x, y


def _fit(seed: int = 0, max_iter: int = 20) -> tuple[Pipeline, pd.DataFrame]:
    x, y = _frame(seed)
    model = Pipeline(
        [("scale", StandardScaler()), ("gbm", HistGradientBoostingClassifier(max_iter=max_iter, random_state=seed))]
    )
    return model.fit(x, y), x


def _figure() -> plt.Figure:
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, 1])
    return fig


@pytest.fixture(scope="module")
def fitted() -> tuple[Pipeline, pd.DataFrame]:
    return _fit()


@pytest.fixture(scope="module")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store created by configure(); copying its file skips the ~3 s of migrations per test."""
    template = tmp_path_factory.mktemp("template_home")
    tracking.configure(template)
    return template / "mlflow" / "mlflow.db"


@pytest.fixture()
def fresh_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty C360 home; the cwd moves to an empty sibling folder so stray `mlruns` dirs would be caught."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return tmp_path / "home"


@pytest.fixture()
def home(fresh_home: Path, migrated_db: Path) -> Path:
    """A C360 home holding an empty, already migrated MLflow store."""
    (fresh_home / "mlflow").mkdir(parents=True)
    shutil.copyfile(migrated_db, fresh_home / "mlflow" / "mlflow.db")
    return fresh_home


def _log(home: Path, model: Pipeline, x: pd.DataFrame, auc: float, **kwargs) -> tracking.LoggedModel:
    return tracking.log_training_run(
        home,
        model_name=MODEL,
        model=model,
        params={"max_iter": 20, "learning_rate": 0.1, "grid": {"a": [1, 2]}, "note": "x" * 7000},
        metrics={"roc_auc": auc, "brier": 0.2, "lift_at_10": float("nan")},
        features=FEATURES,
        data_snapshot_id="snap-2024-06-30",
        figures={"roc_curve": _figure()},
        tags={"trigger": "test"},
        input_example=x.head(5),
        **kwargs,
    )


def _assert_nothing_outside(home: Path) -> None:
    cwd = Path.cwd()
    assert list(cwd.iterdir()) == [], f"files written to the cwd: {list(cwd.iterdir())}"
    project = Path(__file__).resolve().parent.parent
    assert not (project / "mlruns").exists() and not (project / "mlartifacts").exists()
    assert sorted(p.name for p in home.iterdir()) == ["mlflow"]


def test_configure_is_idempotent_and_switches_telemetry_off(fresh_home: Path) -> None:
    home = fresh_home
    uri = tracking.configure(home)
    assert uri == tracking.configure(home)
    assert uri.startswith("sqlite:///") and uri.endswith("/home/mlflow/mlflow.db")
    assert (home / "mlflow" / "mlflow.db").is_file()
    assert (home / "mlflow" / "artifacts").is_dir()
    import mlflow
    from mlflow.telemetry import get_telemetry_client
    from mlflow.telemetry.utils import is_telemetry_disabled

    assert os.environ["MLFLOW_DISABLE_TELEMETRY"] == "true"
    assert is_telemetry_disabled() and get_telemetry_client() is None
    assert mlflow.get_tracking_uri() == uri and mlflow.get_registry_uri() == uri
    assert tracking.experiment_name("churn") == "c360/churn"
    _assert_nothing_outside(home)


def test_log_training_run_records_everything(home: Path, fitted: tuple[Pipeline, pd.DataFrame]) -> None:
    model, x = fitted
    logged = _log(home, model, x, auc=0.84)
    assert logged.version == "1"
    assert logged.model_uri == f"models:/{MODEL}/1"

    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking.configure(home))
    run = client.get_run(logged.run_id)
    assert run.data.params["max_iter"] == "20"
    assert run.data.params["grid"] == '{"a": [1, 2]}'
    assert len(run.data.params["note"]) == 6000 and run.data.params["note"].endswith("[truncated]")
    assert run.data.params["n_features"] == "4"
    assert run.data.params["data_snapshot_id"] == "snap-2024-06-30"
    assert run.data.tags["data_snapshot_id"] == "snap-2024-06-30"
    assert run.data.tags["trigger"] == "test"
    assert run.data.tags["c360.skipped_metrics"] == "lift_at_10"
    assert run.data.tags["c360.truncated_params"] == "note"
    assert run.data.metrics == {"roc_auc": 0.84, "brier": 0.2}
    artifacts = {a.path for a in client.list_artifacts(logged.run_id)}
    assert {"features.json", "plots"} <= artifacts
    assert [a.path for a in client.list_artifacts(logged.run_id, "plots")] == [
        "plots/points.json",
        "plots/roc_curve.png",
    ]
    points = client.download_artifacts(logged.run_id, "plots/points.json")
    assert {point["chart"] for point in json.loads(Path(points).read_text())["points"]} == {"roc_curve"}
    experiment = client.get_experiment(run.info.experiment_id)
    assert experiment.name == "c360/churn_test"
    # MLflow opens it as classic model training, not in its GenAI layout
    assert experiment.tags["mlflow.experimentKind"] == "custom_model_development"
    assert experiment.artifact_location.startswith((home / "mlflow" / "artifacts").resolve().as_uri())
    requirements = next((home / "mlflow" / "artifacts").rglob("requirements.txt")).read_text().splitlines()
    assert any(line.startswith("scikit-learn==") for line in requirements)
    assert any(line.startswith("skops==") for line in requirements)
    _assert_nothing_outside(home)


def test_versions_promotion_and_champion_loading(home: Path, fitted: tuple[Pipeline, pd.DataFrame]) -> None:
    model, x = fitted
    assert tracking.load_champion(home, MODEL) is None

    profile = drift.profile(x, FEATURES)
    first = _log(home, model, x, auc=0.84, feature_profile=profile)
    decision = tracking.promote_if_better(
        home, first, metric="roc_auc", higher_is_better=True, challenger_value=0.84, champion_value=None,
        passes_thresholds=True,
    )  # fmt: skip
    assert decision.promoted and "no champion yet" in decision.reason

    worse_model, _ = _fit(seed=1, max_iter=3)
    second = _log(home, worse_model, x, auc=0.70)
    assert second.version == "2"
    decision = tracking.promote_if_better(
        home, second, metric="roc_auc", higher_is_better=True, challenger_value=0.70, champion_value=0.81,
        passes_thresholds=True,
    )  # fmt: skip
    assert not decision.promoted
    assert "roc_auc 0.7 < champion v1 0.81" in decision.reason

    # A champion exists but the caller did not evaluate it: no silent replacement.
    third = _log(home, worse_model, x, auc=0.99)
    decision = tracking.promote_if_better(
        home, third, metric="roc_auc", higher_is_better=True, challenger_value=0.99, champion_value=None,
        passes_thresholds=True,
    )  # fmt: skip
    assert not decision.promoted

    champion = tracking.load_champion(home, MODEL)
    assert champion is not None
    assert (champion.version, champion.run_id) == ("1", first.run_id)
    assert champion.features == FEATURES
    assert champion.metrics == {"roc_auc": 0.84, "brier": 0.2}
    # The training distribution travels with the run: the drift sensor's reference.
    assert champion.feature_profile == profile
    assert drift.stability_against(champion.feature_profile, x) == pytest.approx(dict.fromkeys(FEATURES, 0.0))
    assert isinstance(champion.model, Pipeline)
    np.testing.assert_array_equal(champion.model.predict_proba(x), model.predict_proba(x))

    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking.configure(home))
    assert client.get_model_version(MODEL, "1").tags["promoted"] == "true"
    assert client.get_model_version(MODEL, "2").tags["promoted"] == "false"
    assert client.get_run(second.run_id).data.tags["promotion_reason"] == decision_reason(client, MODEL, "2")

    # A better challenger (lower is better here) replaces the champion, and the old one is marked.
    decision = tracking.promote_if_better(
        home, third, metric="log_loss", higher_is_better=False, challenger_value=0.30, champion_value=0.35,
        passes_thresholds=True,
    )  # fmt: skip
    assert decision.promoted
    assert str(client.get_model_version_by_alias(MODEL, "champion").version) == "3"
    assert client.get_model_version(MODEL, "1").tags["replaced_by"] == "3"
    again = tracking.load_version(home, MODEL, "2")
    assert again.feature_profile is None  # logged without one: the sensor rebuilds the training rows instead
    np.testing.assert_array_equal(again.model.predict(x), worse_model.predict(x))
    _assert_nothing_outside(home)


def decision_reason(client, model_name: str, version: str) -> str:
    return client.get_model_version(model_name, version).tags["promotion_reason"]


def test_failing_thresholds_never_promote(home: Path, fitted: tuple[Pipeline, pd.DataFrame]) -> None:
    model, x = fitted
    logged = _log(home, model, x, auc=0.55)
    decision = tracking.promote_if_better(
        home, logged, metric="roc_auc", higher_is_better=True, challenger_value=0.55, champion_value=None,
        passes_thresholds=False,
    )  # fmt: skip
    assert not decision.promoted and "thresholds not met" in decision.reason
    assert tracking.load_champion(home, MODEL) is None


def test_min_improvement_and_nan() -> None:
    logged = tracking.LoggedModel(MODEL, "4", "run", f"models:/{MODEL}/4")
    common = {"metric": "roc_auc", "higher_is_better": True, "passes_thresholds": True}
    promoted, reason = tracking._decide(
        logged, "3", challenger_value=0.82, champion_value=0.81, min_improvement=0.02, **common
    )
    assert not promoted and "by at least 0.02" in reason
    promoted, _ = tracking._decide(
        logged, "3", challenger_value=0.84, champion_value=0.81, min_improvement=0.02, **common
    )
    assert promoted
    promoted, _ = tracking._decide(
        logged, "3", challenger_value=0.81, champion_value=0.81, min_improvement=0.0, **common
    )
    assert not promoted
    promoted, _ = tracking._decide(
        logged, None, challenger_value=math.nan, champion_value=None, min_improvement=0, **common
    )
    assert not promoted


def test_untrusted_model_type_is_refused_at_log_time(home: Path) -> None:
    class Custom:  # a local class: neither in TRUSTED_SKOPS_TYPES nor in the project's ml package
        def predict(self, x: pd.DataFrame) -> np.ndarray:
            return np.zeros(len(x))

    with pytest.raises(TypeError, match="skops"):
        tracking.log_training_run(
            home, model_name=MODEL, model=Custom(), params={}, metrics={}, features=FEATURES, data_snapshot_id="s"
        )


def test_corrupt_store_names_the_path_and_the_reset(fresh_home: Path) -> None:
    home = fresh_home
    db = home / "mlflow" / "mlflow.db"
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not a sqlite database" * 100)
    with pytest.raises(tracking.TrackingStoreError) as excinfo:
        tracking.configure(home)
    message = str(excinfo.value)
    assert str(db) in message and f"Deleting {home.resolve() / 'mlflow'}" in message


def test_calibrated_tree_models_are_on_the_skops_allow_list() -> None:
    """The churn model is HistGradientBoosting inside CalibratedClassifierCV: its types must be trusted."""
    from sklearn.calibration import CalibratedClassifierCV

    x, y = _frame(seed=3)
    model = CalibratedClassifierCV(HistGradientBoostingClassifier(max_iter=5), method="sigmoid", cv=2).fit(x, y)
    trusted = tracking._skops_trusted_types(model, "calibrated")
    assert "sklearn.calibration._CalibratedClassifier" in trusted


@pytest.mark.slow
def test_mlflow_ui_serves_the_local_store(tmp_path: Path) -> None:
    """`make mlflow-ui` (orchestration.mlflow_ui) answers on 127.0.0.1 over the store under C360_HOME."""
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    home = tmp_path / "home"
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestration.mlflow_ui", "--port", str(port)],
        cwd=tmp_path,
        env={**os.environ, "C360_HOME": str(home), "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline, healthy = time.monotonic() + 120, False
        while time.monotonic() < deadline and process.poll() is None and not healthy:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                    healthy = response.status == 200
            except OSError:
                time.sleep(1)
        assert healthy, "the MLflow UI did not answer on 127.0.0.1"
        assert (home / "mlflow" / "mlflow.db").exists()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    assert not (tmp_path / "mlruns").exists()
