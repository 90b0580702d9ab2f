"""MLflow tracking and model registry for c360: one local store under ``C360_HOME``, nothing leaves the machine.

Layout (``<home>`` is the resolved ``C360_HOME``)::

    <home>/mlflow/mlflow.db          backend store (SQLite; the model registry needs a database backend)
    <home>/mlflow/artifacts/<model>  artifacts of the experiment ``c360/<model>``: models, plots/, features.json

Browse it with the MLflow UI (``mlflow ui`` is ``mlflow server`` bound to 127.0.0.1)::

    MLFLOW_DISABLE_TELEMETRY=true .venv/bin/mlflow ui \\
        --backend-store-uri sqlite:///<home>/mlflow/mlflow.db \\
        --default-artifact-root <home>/mlflow/artifacts --host 127.0.0.1 --port 5000

``<home>`` must be absolute there (``sqlite:///`` + ``/abs/path`` gives four slashes). Health check:
``GET http://127.0.0.1:5000/health`` answers ``OK``.

Choices, written down:

- **Telemetry off.** MLflow 3 sends usage telemetry unless ``MLFLOW_DISABLE_TELEMETRY`` is true or ``DO_NOT_TRACK``
  is ``"true"`` (``mlflow/telemetry/utils.py: is_telemetry_disabled``; note ``DO_NOT_TRACK=1`` is *not* honoured
  by MLflow 3.17). The client is created when ``mlflow`` is first imported, so :func:`configure` sets the variable
  before importing MLflow and re-initialises the telemetry client in case MLflow was imported earlier.
- **Serialization: skops with a reviewed allow-list.** Models are saved in MLflow's default ``skops`` format, never
  pickle. skops refuses types it cannot vouch for (tree predictors, ``numpy.dtype``); those are listed in
  :data:`TRUSTED_SKOPS_TYPES` after review, written into the MLmodel file at log time, and checked against the list
  again before loading, so a tampered MLmodel cannot widen what gets loaded. Classes from this project's own
  ``ml`` package are trusted too. A model with any other untrusted type fails at log time with the type named.
- **Fast logging.** ``pip_requirements`` is passed (installed versions, pinned), so MLflow does not run its
  requirement inference (which loads the model in a subprocess).
- **Promotion** moves the registered-model alias ``champion``; stages are deprecated in MLflow 3. Every decision
  is recorded as tags on the model version and on its run.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

logger = logging.getLogger(__name__)

CHAMPION_ALIAS = "champion"
EXPERIMENT_PREFIX = "c360/"
MODEL_ARTIFACT_NAME = "model"
FEATURES_ARTIFACT = "features.json"
PROFILE_ARTIFACT = "feature_profile.json"
PLOTS_DIR = "plots"
CHART_POINTS_ARTIFACT = f"{PLOTS_DIR}/points.json"  # the data of every figure (ml.plots.figure_points)
BACKTESTS_ARTIFACT = "backtests.json"  # per-origin backtest figures (ml.backtest), the rows of ml.model_backtests
# MLflow 3 opens an experiment in its GenAI layout unless this tag says it is classic model training.
EXPERIMENT_KIND_TAG, EXPERIMENT_KIND = "mlflow.experimentKind", "custom_model_development"
DESCRIPTION_TAG = "mlflow.note.content"  # what the MLflow UI shows as an experiment's or run's description
MODEL_DESCRIPTIONS = {
    "c360_churn": "Churn: the probability that a customer buys nothing, in any channel, in the churn horizon "
    "(C360_CHURN_HORIZON_DAYS, default 90) after the as-of date. Trained by c360 (ml/training.py) on the "
    "features at the as-of date minus the horizon, labelled on the window that follows; evaluated on a holdout "
    "beside a recency-only baseline (ROC, calibration, lift). Scores: warehouse table ml.churn_scores.",
    "c360_clv": "Customer lifetime value: expected spend in EUR in the CLV horizon (C360_CLV_HORIZON_DAYS, default "
    "180) after the as-of date. Evaluated on a holdout beside BG/NBD + Gamma-Gamma and a naive baseline "
    "(gains, predicted vs actual). Scores: warehouse table ml.clv_scores.",
    "c360_segment": "Customer segment (champion, loyal, promising, new, at_risk, dormant, browser) from value and "
    "engagement, learnt from the segment rules at the training date. Scores: warehouse table "
    "ml.customer_segments.",
}

#: Types skops would refuse to load, reviewed and trusted because c360 writes every model itself.
TRUSTED_SKOPS_TYPES: frozenset[str] = frozenset(
    {
        "numpy.dtype",  # dtype parameters, e.g. OneHotEncoder(dtype=...)
        # HistGradientBoosting* with categorical features keeps a FunctionTransformer(partial(check_array, ...)) as
        # its internal `_preprocessor`; skops loads the partial's function as its own node, checked against this list.
        "functools.partial",
        "sklearn.utils.validation.check_array",
        "sklearn.calibration._CalibratedClassifier",  # CalibratedClassifierCV (ml.estimators.churn_estimator)
        "sklearn.calibration._SigmoidCalibration",  # CalibratedClassifierCV(method="sigmoid")
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",  # HistGradientBoosting*
        "sklearn.tree._tree.Tree",  # DecisionTree*, RandomForest*, GradientBoosting*, ExtraTrees*
    }
)
#: Modules whose classes are trusted as a whole: this project's own code.
TRUSTED_SKOPS_MODULE_PREFIXES: tuple[str, ...] = ("ml.",)

#: Distributions pinned in every logged model's requirements.txt (when installed).
_PINNED_DISTRIBUTIONS = ("mlflow", "scikit-learn", "pandas", "numpy", "scipy", "skops")

_MAX_PARAM_VALUE_LENGTH = 6000  # mlflow.utils.validation.MAX_PARAM_VAL_LENGTH
_MAX_KEY_LENGTH = 250  # mlflow.utils.validation.MAX_ENTITY_KEY_LENGTH
_TRUNCATION_MARK = "...[truncated]"
_BAD_KEY_CHARS = re.compile(r"[^\w\-. /:]")

_configured: dict[str, str] = {}  # resolved home -> tracking URI, for stores already opened in this process


class TrackingStoreError(RuntimeError):
    """The MLflow store under C360_HOME cannot be opened or read; the message says what to do."""


@dataclass(frozen=True)
class LoggedModel:
    """A training run whose model was registered: the new registry version and where to load it from."""

    model_name: str
    version: str
    run_id: str
    model_uri: str


@dataclass(frozen=True)
class Champion:
    """A registered model version, loaded: the estimator plus the features and metrics of its run."""

    model_name: str
    version: str
    run_id: str
    model: Any
    features: list[str]
    metrics: dict[str, float]
    # The run's feature_profile.json (the scoring population it was trained for, ml.pipeline.scoring_profile);
    # None for runs logged without one.
    feature_profile: dict[str, Any] | None = None
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PromotionDecision:
    """Outcome of :func:`promote_if_better`, also recorded as tags on the model version and its run."""

    promoted: bool
    reason: str
    challenger_value: float
    champion_value: float | None


# --------------------------------------------------------------------------------------------------------------------
# Store configuration
# --------------------------------------------------------------------------------------------------------------------


def _store_paths(home: Path) -> tuple[Path, Path, Path]:
    """``(<home>/mlflow, the SQLite file, the artifact root)`` for a C360 home."""
    root = Path(home).resolve() / "mlflow"
    return root, root / "mlflow.db", root / "artifacts"


def tracking_uri(home: Path) -> str:
    """The backend-store URI for a C360 home (``sqlite:///<home>/mlflow/mlflow.db``), without touching anything."""
    return f"sqlite:///{_store_paths(home)[1].as_posix()}"


def _disable_telemetry() -> None:
    """Switch MLflow usage telemetry off, before MLflow is imported and again if it already was."""
    os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
    # Download progress bars only clutter pipeline logs; a caller may still turn them on.
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    import mlflow.telemetry

    # The client is built at ``import mlflow``; rebuilding it re-reads the variable and leaves no client.
    mlflow.telemetry.set_telemetry_client()


def _reset_hint(home: Path) -> str:
    root = _store_paths(home)[0]
    return (
        f"Deleting {root} resets the MLflow store and registry (all runs and model versions are lost; "
        "retrain to register models again)."
    )


def configure(home: Path) -> str:
    """Point MLflow (process-wide) at the store under ``home``, create it if needed, and switch telemetry off.

    Sets the tracking and registry URI to ``sqlite:///<home>/mlflow/mlflow.db`` and creates
    ``<home>/mlflow/artifacts``. Idempotent: later calls only reset the URIs. Returns the tracking URI.

    Raises:
        TrackingStoreError: the database cannot be opened (corrupt, not SQLite, or from another MLflow version).
    """
    _disable_telemetry()
    import mlflow

    root, db_path, artifacts = _store_paths(home)
    uri = tracking_uri(home)
    if _configured.get(str(root)) != uri or not db_path.exists():
        try:
            artifacts.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TrackingStoreError(f"Cannot create the MLflow artifact directory {artifacts}: {exc}") from exc
        _open_store(home, uri, artifacts)
        _configured[str(root)] = uri
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return uri


@contextmanager
def _init_lock(root: Path) -> Iterator[None]:
    """An exclusive file lock on ``<home>/mlflow/.init.lock``: processes that start together (Dagster's
    multiprocess executor) must not run the database migrations of a new store at the same time."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, concurrent first use of a new store is then the caller's problem
        yield
        return
    with open(root / ".init.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _open_store(home: Path, uri: str, artifacts: Path) -> None:
    """Create or verify the SQLite store, so a new database's default experiment points under ``artifacts``.

    Without this the first client would create experiment 0 with its artifacts in ``./mlruns`` of the cwd.
    """
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    root, db_path, _ = _store_paths(home)
    try:
        with _init_lock(root):
            store = SqlAlchemyStore(uri, artifacts.as_uri())
            store.engine.dispose()
    except Exception as exc:  # sqlalchemy DatabaseError, MlflowException (old schema), OSError
        raise TrackingStoreError(
            f"Cannot open the MLflow store {db_path}: {exc}. If MLflow was upgraded, run "
            f"`mlflow db upgrade {uri}`; if the file is corrupt, {_reset_hint(home)}"
        ) from exc


def experiment_name(model_name: str) -> str:
    """The MLflow experiment that holds every training run of ``model_name`` (``c360/<model_name>``)."""
    if not model_name or not model_name.strip():
        raise ValueError("model_name must be a non-empty string, e.g. 'churn'")
    return f"{EXPERIMENT_PREFIX}{model_name}"


def _client(home: Path) -> MlflowClient:
    from mlflow.tracking import MlflowClient

    uri = configure(home)
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def _experiment_id(client: MlflowClient, home: Path, model_name: str) -> str:
    """The id of ``c360/<model_name>``, created with its artifacts under ``<home>/mlflow/artifacts/<model_name>``."""
    name = experiment_name(model_name)
    experiment = client.get_experiment_by_name(name)
    tags = {EXPERIMENT_KIND_TAG: EXPERIMENT_KIND}
    if model_name in MODEL_DESCRIPTIONS:
        tags[DESCRIPTION_TAG] = MODEL_DESCRIPTIONS[model_name]
    if experiment is None:
        location = (_store_paths(home)[2] / _safe_path_part(model_name)).as_uri()
        logger.info("Creating MLflow experiment %s with artifacts in %s", name, location)
        return client.create_experiment(name, artifact_location=location, tags=tags)
    if experiment.lifecycle_stage == "deleted":
        logger.warning("MLflow experiment %s was deleted; restoring it to log a new run", name)
        client.restore_experiment(experiment.experiment_id)
    for key, value in tags.items():  # experiments made by an earlier c360
        if experiment.tags.get(key) != value:
            client.set_experiment_tag(experiment.experiment_id, key, value)
    return experiment.experiment_id


# --------------------------------------------------------------------------------------------------------------------
# Logging a training run
# --------------------------------------------------------------------------------------------------------------------


def _safe_path_part(name: str) -> str:
    """A file-name-safe version of ``name`` (letters, digits, ``_.-``)."""
    return re.sub(r"[^\w.\-]", "_", name).strip(".") or "unnamed"


def _safe_key(key: str) -> str:
    """An MLflow-valid param/metric/tag key: allowed characters only, at most 250 of them."""
    cleaned = _BAD_KEY_CHARS.sub("_", str(key)).strip() or "unnamed"
    return cleaned[:_MAX_KEY_LENGTH]


def _param_value(value: Any) -> tuple[str, bool]:
    """Stringify a param value (JSON for containers) and truncate it to MLflow's limit; returns (text, truncated)."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, dict | list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        try:
            text = json.dumps(items, sort_keys=True, default=str)
        except (TypeError, ValueError):
            text = str(items)
    else:
        text = str(value)
    if len(text) > _MAX_PARAM_VALUE_LENGTH:
        return text[: _MAX_PARAM_VALUE_LENGTH - len(_TRUNCATION_MARK)] + _TRUNCATION_MARK, True
    return text, False


def _pip_requirements() -> list[str]:
    """Pinned requirement lines for the installed versions, so MLflow skips requirement inference."""
    lines = []
    for dist in _PINNED_DISTRIBUTIONS:
        try:
            lines.append(f"{dist}=={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            logger.debug("%s is not installed; not pinned in model requirements", dist)
    return lines


def _is_trusted_type(type_name: str) -> bool:
    return type_name in TRUSTED_SKOPS_TYPES or type_name.startswith(TRUSTED_SKOPS_MODULE_PREFIXES)


def _skops_trusted_types(model: Any, model_name: str) -> list[str]:
    """The untrusted types skops reports for ``model``; raises if any is outside the reviewed allow-list."""
    import skops.io

    try:
        untrusted = skops.io.get_untrusted_types(data=skops.io.dumps(model))
    except Exception as exc:
        raise TypeError(
            f"Model {model_name!r} ({type(model).__name__}) cannot be saved with skops: {exc}. Use scikit-learn "
            "estimators and transformers (no lambdas; FunctionTransformer with a named numpy function is fine)."
        ) from exc
    refused = [name for name in untrusted if not _is_trusted_type(name)]
    if refused:
        raise TypeError(
            f"Model {model_name!r} contains types skops does not trust: {refused}. Review them and add them to "
            "TRUSTED_SKOPS_TYPES in ml/tracking.py, or build the model from types already trusted."
        )
    return sorted(untrusted)


def log_training_run(
    home: Path,
    *,
    model_name: str,
    model: Any,
    params: dict[str, Any],
    metrics: dict[str, float],
    features: list[str],
    data_snapshot_id: str,
    figures: dict[str, Any] | None = None,
    tags: dict[str, str] | None = None,
    input_example: pd.DataFrame | None = None,
    feature_profile: dict[str, Any] | None = None,
    backtests: list[dict[str, Any]] | None = None,
) -> LoggedModel:
    """Track one training run in experiment ``c360/<model_name>`` (named "<model> as of <day>") and register its
    model as a new version; the experiment is of MLflow's model-training kind and, like the registered model,
    carries the model's description (MODEL_DESCRIPTIONS).

    Logs ``params`` (stringified, JSON for containers, values over 6000 characters truncated and listed in the tag
    ``c360.truncated_params``), ``metrics`` (non-finite values skipped and listed in the tag
    ``c360.skipped_metrics``), the feature list as ``features.json`` plus the param ``n_features``,
    ``data_snapshot_id`` as a tag and a param, each matplotlib figure in ``figures`` as ``plots/<name>.png``, and the
    fitted scikit-learn ``model`` (skops format) registered under ``model_name``. ``input_example`` (a few feature
    rows) is stored with the model and gives it a signature. ``feature_profile`` (:func:`ml.drift.profile` of the
    population the model is trained for) is stored as ``feature_profile.json``, the reference of the drift sensor.
    The data every figure draws is stored as ``plots/points.json`` (for the BI table of evaluation charts).
    ``backtests`` (rows of :mod:`ml.backtest`'s table) are stored as ``backtests.json``.
    Figures are not closed; that stays with the caller.

    Returns:
        The registered version, its run and ``models:/<model_name>/<version>``.
    """
    import mlflow
    import mlflow.sklearn

    if not features:
        raise ValueError(f"features for model {model_name!r} is empty; pass the feature columns the model was fit on")
    reserved = {"n_features": str(len(features)), "data_snapshot_id": str(data_snapshot_id)}
    clashes = sorted(set(params) & set(reserved))
    if clashes:
        raise ValueError(f"params {clashes} are set by log_training_run itself; rename them in the caller")
    trusted_types = _skops_trusted_types(model, model_name)

    client = _client(home)
    experiment_id = _experiment_id(client, home, model_name)

    logged_params: dict[str, str] = dict(reserved)
    truncated: list[str] = []
    for key, value in params.items():
        text, was_truncated = _param_value(value)
        logged_params[_safe_key(key)] = text
        if was_truncated:
            truncated.append(str(key))

    logged_metrics: dict[str, float] = {}
    skipped: list[str] = []
    for key, value in metrics.items():
        try:
            number = float(value)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"metric {key!r} of model {model_name!r} is not a number: {value!r}") from exc
        if math.isfinite(number):
            logged_metrics[_safe_key(key)] = number
        else:
            skipped.append(str(key))
    if skipped:
        logger.warning("Model %s: skipping non-finite metrics %s", model_name, skipped)
    if truncated:
        logger.warning("Model %s: truncated long param values %s", model_name, truncated)

    run_tags = {_safe_key(k): str(v) for k, v in (tags or {}).items()}
    run_tags.update({"data_snapshot_id": str(data_snapshot_id), "c360.model_name": model_name})
    if skipped:
        run_tags["c360.skipped_metrics"] = ",".join(skipped)
    if truncated:
        run_tags["c360.truncated_params"] = ",".join(truncated)

    as_of = str(params.get("scoring_as_of") or params.get("training_as_of") or "")[:10]
    run_name = f"{model_name} as of {as_of}" if as_of else model_name
    with mlflow.start_run(experiment_id=experiment_id, run_name=run_name, tags=run_tags) as run:
        run_id = run.info.run_id
        mlflow.log_params(logged_params)
        if logged_metrics:
            mlflow.log_metrics(logged_metrics)
        mlflow.log_dict({"features": list(features)}, FEATURES_ARTIFACT)
        if feature_profile is not None:
            mlflow.log_dict(feature_profile, PROFILE_ARTIFACT)
        from ml.plots import figure_points  # matplotlib only where figures are logged

        points: list[dict[str, Any]] = []
        for name, figure in (figures or {}).items():
            stem = _safe_path_part(name.removesuffix(".png"))
            mlflow.log_figure(figure, f"{PLOTS_DIR}/{stem}.png")
            points += figure_points(stem, figure)
        if figures:
            mlflow.log_dict({"points": points}, CHART_POINTS_ARTIFACT)
        if backtests is not None:
            mlflow.log_dict({"rows": backtests}, BACKTESTS_ARTIFACT)
        info = mlflow.sklearn.log_model(
            model,
            name=MODEL_ARTIFACT_NAME,
            registered_model_name=model_name,
            serialization_format="skops",
            skops_trusted_types=trusted_types or None,
            pip_requirements=_pip_requirements(),
            input_example=input_example,
        )
    version = str(info.registered_model_version)
    client.set_model_version_tag(model_name, version, "data_snapshot_id", str(data_snapshot_id))
    if model_name in MODEL_DESCRIPTIONS and not client.get_registered_model(model_name).description:
        client.update_registered_model(model_name, description=MODEL_DESCRIPTIONS[model_name])
    logged = LoggedModel(
        model_name=model_name, version=version, run_id=run_id, model_uri=f"models:/{model_name}/{version}"
    )
    logger.info("Logged run %s and registered %s version %s", run_id, model_name, version)
    return logged


# --------------------------------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------------------------------


def _load_sklearn_checked(model_uri: str, home: Path) -> Any:
    """Download a registered model, refuse it if its MLmodel trusts types outside the allow-list, and load it."""
    import mlflow.artifacts
    import mlflow.sklearn
    from mlflow.models import Model

    with tempfile.TemporaryDirectory(prefix="c360-model-") as tmp:
        try:
            local = Path(mlflow.artifacts.download_artifacts(artifact_uri=model_uri, dst_path=tmp))
        except Exception as exc:
            raise TrackingStoreError(
                f"Cannot read the artifacts of {model_uri} under {_store_paths(home)[2]}: {exc}. If the artifact "
                f"directory was deleted or moved, retrain the model; {_reset_hint(home)}"
            ) from exc
        flavor = Model.load(str(local)).flavors.get("sklearn", {})
        if flavor.get("serialization_format") != "skops":
            raise TrackingStoreError(
                f"{model_uri} is stored as {flavor.get('serialization_format')!r}, not skops; c360 only loads skops "
                "models. Retrain it with ml.tracking.log_training_run."
            )
        refused = [name for name in flavor.get("skops_trusted_types") or [] if not _is_trusted_type(name)]
        if refused:
            raise TrackingStoreError(
                f"{model_uri} asks to trust types outside TRUSTED_SKOPS_TYPES: {refused}. Its MLmodel file may have "
                "been altered; do not load it. Retrain the model."
            )
        return mlflow.sklearn.load_model(str(local))


def load_version(home: Path, model_name: str, version: str) -> Champion:
    """Load registered ``model_name`` version ``version``: the estimator, its features and its run's metrics."""
    import mlflow.artifacts
    from mlflow.exceptions import MlflowException

    client = _client(home)
    try:
        model_version = client.get_model_version(model_name, str(version))
    except MlflowException as exc:
        raise LookupError(
            f"No registered version {version} of model {model_name!r} in {tracking_uri(home)}: {exc.message}"
        ) from exc
    run_id = model_version.run_id
    if not run_id:
        raise TrackingStoreError(f"{model_name} version {version} has no run; register models via log_training_run")
    model = _load_sklearn_checked(f"models:/{model_name}/{model_version.version}", home)
    try:
        features = mlflow.artifacts.load_dict(f"runs:/{run_id}/{FEATURES_ARTIFACT}")["features"]
    except Exception as exc:
        raise TrackingStoreError(
            f"Cannot read {FEATURES_ARTIFACT} of run {run_id} ({model_name} v{version}): {exc}. "
            f"The run's artifacts under {_store_paths(home)[2]} may be missing; retrain the model."
        ) from exc
    run = client.get_run(run_id)
    metrics = dict(run.data.metrics)
    artifacts = {artifact.path for artifact in client.list_artifacts(run_id)}
    profile = (
        mlflow.artifacts.load_dict(f"runs:/{run_id}/{PROFILE_ARTIFACT}") if PROFILE_ARTIFACT in artifacts else None
    )
    return Champion(
        model_name=model_name,
        version=str(model_version.version),
        run_id=run_id,
        model=model,
        features=list(features),
        metrics=metrics,
        feature_profile=profile,
        params=dict(run.data.params),
    )


def _champion_version(client: MlflowClient, model_name: str) -> str | None:
    """The version the ``champion`` alias points at, or None when there is no such alias or model yet."""
    from mlflow.exceptions import MlflowException
    from mlflow.protos.databricks_pb2 import RESOURCE_DOES_NOT_EXIST, ErrorCode

    try:
        registered = client.get_registered_model(model_name)
    except MlflowException as exc:
        if exc.error_code == ErrorCode.Name(RESOURCE_DOES_NOT_EXIST):
            return None
        raise
    version = registered.aliases.get(CHAMPION_ALIAS)
    return None if version is None else str(version)


def load_champion(home: Path, model_name: str) -> Champion | None:
    """Load the version of ``model_name`` that holds the ``champion`` alias; None when no champion exists yet."""
    version = _champion_version(_client(home), model_name)
    if version is None:
        return None
    return load_version(home, model_name, version)


def run_page(home: Path, run_id: str, ui_url: str) -> str:
    """The MLflow UI page of a run (``<ui_url>/#/experiments/<id>/runs/<run_id>``)."""
    experiment_id = _client(home).get_run(run_id).info.experiment_id
    return f"{ui_url.rstrip('/')}/#/experiments/{experiment_id}/runs/{run_id}"


def champion_chart_points(home: Path, model_name: str) -> tuple[str, str, list[dict[str, Any]]] | None:
    """(version, run id, the data of its evaluation figures) of the champion of ``model_name``, without loading
    the model; None when there is no champion. Runs logged before the points were kept give no points."""
    import mlflow.artifacts

    client = _client(home)
    version = _champion_version(client, model_name)
    if version is None:
        return None
    run_id = client.get_model_version(model_name, version).run_id
    try:
        points = mlflow.artifacts.load_dict(f"runs:/{run_id}/{CHART_POINTS_ARTIFACT}").get("points", [])
    except Exception:  # no such artifact (a run of an earlier c360): MLflow raises its own and OS errors
        points = []
    return version, run_id, points


def champion_params(home: Path, model_name: str) -> dict[str, str] | None:
    """The logged params of the champion's training run (without loading the model); None without a champion."""
    client = _client(home)
    version = _champion_version(client, model_name)
    if version is None:
        return None
    return dict(client.get_run(client.get_model_version(model_name, version).run_id).data.params)


def latest_backtests(home: Path, model_name: str) -> tuple[str, list[dict[str, Any]]] | None:
    """(run id, backtest rows) of the newest training run of ``model_name`` that logged backtests; None if none."""
    import mlflow.artifacts

    client = _client(home)
    experiment = client.get_experiment_by_name(experiment_name(model_name))
    if experiment is None:
        return None
    for run in client.search_runs([experiment.experiment_id], order_by=["attributes.start_time DESC"], max_results=20):
        try:
            rows = mlflow.artifacts.load_dict(f"runs:/{run.info.run_id}/{BACKTESTS_ARTIFACT}").get("rows", [])
        except Exception:  # no such artifact (the segment model, or a run of an earlier c360)
            continue
        return run.info.run_id, rows
    return None


# --------------------------------------------------------------------------------------------------------------------
# Promotion
# --------------------------------------------------------------------------------------------------------------------


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def _decide(
    logged: LoggedModel,
    champion_version: str | None,
    *,
    metric: str,
    higher_is_better: bool,
    challenger_value: float,
    champion_value: float | None,
    passes_thresholds: bool,
    min_improvement: float,
) -> tuple[bool, str]:
    """The promotion rule, without side effects: (promote?, human-readable reason)."""
    challenger = f"{metric} {_fmt(challenger_value)} (v{logged.version})"
    if not passes_thresholds:
        return False, f"{challenger}: thresholds not met; champion unchanged"
    if not math.isfinite(challenger_value):
        return False, f"{challenger} is not a finite number; champion unchanged"
    if champion_version is None:
        return True, f"{challenger}: no champion yet; thresholds met"
    if champion_version == logged.version:
        return False, f"v{logged.version} already holds the {CHAMPION_ALIAS} alias; nothing to do"
    if champion_value is None or not math.isfinite(champion_value):
        return False, (
            f"{challenger}: champion v{champion_version} exists but its {metric} on the challenger's holdout is "
            f"{champion_value!r}; evaluate the champion there to compare. Champion unchanged"
        )
    gain = challenger_value - champion_value if higher_is_better else champion_value - challenger_value
    sign = ">" if challenger_value > champion_value else "<" if challenger_value < champion_value else "="
    comparison = f"{metric} {_fmt(challenger_value)} {sign} champion v{champion_version} {_fmt(champion_value)}"
    direction = "higher" if higher_is_better else "lower"
    if gain > 0 and gain >= min_improvement:
        return True, f"{comparison} on the same holdout ({direction} is better); thresholds met"
    needed = f" by at least {_fmt(min_improvement)}" if min_improvement > 0 else ""
    return False, (
        f"{comparison} on the same holdout: does not beat the champion{needed} ({direction} is better); "
        "champion unchanged"
    )


def promote_if_better(
    home: Path,
    logged: LoggedModel,
    *,
    metric: str,
    higher_is_better: bool,
    challenger_value: float,
    champion_value: float | None,
    passes_thresholds: bool,
    min_improvement: float = 0.0,
) -> PromotionDecision:
    """Move the ``champion`` alias to ``logged`` if it passes thresholds and beats the current champion.

    ``champion_value`` is the current champion's ``metric`` on the challenger's holdout (computed by the caller);
    it may be None only when there is no champion yet. A champion is never replaced without a comparison: if one
    exists and ``champion_value`` is None, nothing is promoted. The decision is recorded as tags (``promoted``,
    ``promotion_reason``, ``promotion_metric``, ``challenger_value``, ``champion_value``, ``champion_version``,
    ``promotion_decided_at``) on the model version and on its run; a replaced champion gets ``replaced_by``.
    """
    from mlflow.exceptions import MlflowException

    client = _client(home)
    try:
        client.get_model_version(logged.model_name, logged.version)
    except MlflowException as exc:
        raise LookupError(
            f"{logged.model_uri} is not in the registry at {tracking_uri(home)}; log it with log_training_run "
            "against the same C360_HOME first"
        ) from exc
    previous = _champion_version(client, logged.model_name)
    promoted, reason = _decide(
        logged,
        previous,
        metric=metric,
        higher_is_better=higher_is_better,
        challenger_value=float(challenger_value),
        champion_value=None if champion_value is None else float(champion_value),
        passes_thresholds=passes_thresholds,
        min_improvement=min_improvement,
    )
    decided_at = datetime.now(UTC).isoformat(timespec="seconds")
    record = {
        "promoted": str(promoted).lower(),
        "promotion_reason": reason,
        "promotion_metric": metric,
        "challenger_value": repr(float(challenger_value)),
        "champion_value": "" if champion_value is None else repr(float(champion_value)),
        "champion_version": previous or "",
        "promotion_decided_at": decided_at,
    }
    if promoted:
        client.set_registered_model_alias(logged.model_name, CHAMPION_ALIAS, logged.version)
        if previous is not None:
            client.set_model_version_tag(logged.model_name, previous, "replaced_by", logged.version)
            client.set_model_version_tag(logged.model_name, previous, "replaced_at", decided_at)
        logger.info("Promoted %s v%s to %s: %s", logged.model_name, logged.version, CHAMPION_ALIAS, reason)
    else:
        logger.info("Not promoting %s v%s: %s", logged.model_name, logged.version, reason)
    for key, value in record.items():
        client.set_model_version_tag(logged.model_name, logged.version, key, value)
        client.set_tag(logged.run_id, key, value)
    return PromotionDecision(
        promoted=promoted,
        reason=reason,
        challenger_value=float(challenger_value),
        champion_value=None if champion_value is None else float(champion_value),
    )
