"""New files in the lake trigger the assets they feed: the ``c360_lake_files`` sensor.

Which files count: those a dbt source reads, i.e. the ``config.meta.lake.path`` glob of every source in
``dbt_project/models/staging/*/_*__sources.yml`` (``crm/contacts.csv``, ``game/telemetry/telemetry_*.jsonl.gz``,
...). Anything else under the lake root is ignored, in particular what c360 writes there itself
(``published/`` of the serving layer, ``curated/`` game Parquet), so a build never triggers itself.

Each tick the sensor lists those files per source table (``[lake, source, table]`` asset) and compares a
digest of (path, size, mtime) with the one kept in its cursor (one short digest and the newest mtime per
table, so the cursor stays small whatever the lake's size). When tables changed (a file new, changed or
gone) it:

- reports an observation of each changed lake source, with ``dagster/last_updated_timestamp`` = the newest
  file's modification time (what the freshness checks on the sources read, see ``orchestration/freshness.py``);
- requests one run of the daily build's job restricted to the assets downstream of the changed tables
  (their dbt tests run as checks). One run for all changes of a tick: DuckDB admits one writer.

First evaluation (empty cursor, or a different ``C360_LAKE``): the sensor records the lake's state and
reports the observations, but requests no run; ``make run`` (or the daily build) builds everything once.
While any run is queued or in progress the sensor waits, keeping its cursor, and asks again next tick; a run
that ``orchestration.run`` left in progress when its process was killed is first marked failed
(``orchestration/run_lock.py``), so it cannot block the sensor forever.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dagster as dg

from orchestration.dbt_assets import TRANSLATOR, ensure_manifest
from orchestration.resources import C360Resource
from orchestration.run_lock import fail_dead_runs

if TYPE_CHECKING:
    from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

LAKE_SENSOR_NAME = "c360_lake_files"
LAKE_SENSOR_INTERVAL_S = 120
CURSOR_VERSION = 1

# Run states in which another run may hold (or soon take) the warehouse's write lock.
_BUSY_STATUSES = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


@dataclass(frozen=True)
class LakeTable:
    """A dbt source over lake files: its asset key and the glob (relative to the lake root) it reads."""

    key: dg.AssetKey
    pattern: str

    @property
    def folder(self) -> str:
        return self.pattern.split("/", 1)[0]


@dataclass(frozen=True)
class TableState:
    digest: str  # of every matching file's relative path, size and mtime
    files: int
    newest_mtime_ns: int

    def cursor_value(self) -> list[Any]:
        return [self.digest, self.newest_mtime_ns]


def lake_tables(manifest_path: Path | None = None) -> list[LakeTable]:
    """Every dbt source that reads lake files, keyed as the Dagster translator keys it."""
    manifest = json.loads((manifest_path or ensure_manifest()).read_text())
    tables = []
    for props in manifest["sources"].values():
        meta = props.get("config", {}).get("meta") or props.get("meta") or {}
        pattern = (meta.get("lake") or {}).get("path")
        if pattern:
            tables.append(LakeTable(TRANSLATOR.get_asset_key(props), pattern))
    return sorted(tables, key=lambda table: table.key.to_user_string())


def table_state(lake: Path, table: LakeTable) -> TableState:
    digest = hashlib.sha256()
    files = 0
    newest = 0
    for path in sorted(lake.glob(table.pattern)):
        if not path.is_file():
            continue
        stat = path.stat()
        digest.update(f"{path.relative_to(lake).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        files += 1
        newest = max(newest, stat.st_mtime_ns)
    return TableState(digest.hexdigest()[:16], files, newest)


def lake_state(lake: Path, tables: Iterable[LakeTable]) -> dict[dg.AssetKey, TableState]:
    return {table.key: table_state(lake, table) for table in tables}


def encode_cursor(lake: Path, state: Mapping[dg.AssetKey, TableState]) -> str:
    tables = {key.to_user_string(): value.cursor_value() for key, value in sorted(state.items())}
    return json.dumps({"v": CURSOR_VERSION, "lake": str(lake), "tables": tables}, separators=(",", ":"))


def decode_cursor(cursor: str | None, lake: Path) -> dict[str, list[Any]] | None:
    """The recorded table states, or None when nothing was recorded for this lake (first evaluation)."""
    if not cursor:
        return None
    try:
        data = json.loads(cursor)
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict) or data.get("v") != CURSOR_VERSION or data.get("lake") != str(lake):
        return None
    return data.get("tables") or {}


def changed_tables(previous: Mapping[str, list[Any]], current: Mapping[dg.AssetKey, TableState]) -> list[dg.AssetKey]:
    return sorted(key for key, state in current.items() if previous.get(key.to_user_string()) != state.cursor_value())


def observation(key: dg.AssetKey, state: TableState) -> dg.AssetObservation:
    metadata: dict[str, Any] = {"c360/files": state.files, "c360/digest": state.digest}
    if state.newest_mtime_ns:
        metadata["dagster/last_updated_timestamp"] = dg.MetadataValue.timestamp(state.newest_mtime_ns / 1e9)
    return dg.AssetObservation(asset_key=key, metadata=metadata)


# Model training (assets `mlflow/<model>`) is left to the retraining schedule and sensors: new lake data
# re-scores every customer with the current champions, it does not retrain them.
TRAINING_PREFIX = "mlflow"


def downstream_assets(asset_graph: Any, changed: Iterable[dg.AssetKey]) -> list[dg.AssetKey]:
    """The materializable assets downstream of the changed lake tables, model training excepted (the tables
    themselves are external), with the rest of any multi-asset that cannot run in part."""
    downstream = dg.AssetSelection.assets(*changed).downstream(include_self=False)
    # the serving publish materializes all its views together (it cannot run for a part of them)
    selection = (downstream - dg.AssetSelection.key_prefixes(TRAINING_PREFIX)).required_multi_asset_neighbors()
    return sorted(key for key in selection.resolve(asset_graph) if asset_graph.get(key).is_materializable)


def _describe(keys: Iterable[dg.AssetKey]) -> str:
    return ", ".join("/".join(key.path[1:]) for key in keys)


def build_lake_files_sensor(
    job: "UnresolvedAssetJobDefinition", tables: list[LakeTable] | None = None
) -> dg.SensorDefinition:
    """The ``c360_lake_files`` sensor, launching subsets of ``job`` (the daily build's job)."""
    lake_tables_ = tables if tables is not None else lake_tables()

    @dg.sensor(
        name=LAKE_SENSOR_NAME,
        job=job,
        minimum_interval_seconds=LAKE_SENSOR_INTERVAL_S,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description=(
            "New, changed or removed files under C360_LAKE (those a dbt source reads; published/ and curated/ "
            "are ignored) trigger one run of the assets downstream of the changed sources (model training "
            "excepted: the champions re-score the customers), and an observation "
            "of each changed source (its newest file time, read by the freshness checks). The first evaluation "
            "only records the lake's state and requests no run: `make run` or the daily build builds "
            "everything once."
        ),
    )
    def c360_lake_files(context: dg.SensorEvaluationContext, c360: C360Resource) -> dg.SensorResult | dg.SkipReason:
        lake = c360.settings().lake
        if not lake.is_dir():
            return dg.SkipReason(f"no lake folder at {lake}; set C360_LAKE to the raw lake root")
        current = lake_state(lake, lake_tables_)
        previous = decode_cursor(context.cursor, lake)
        if previous is None:
            files = sum(state.files for state in current.values())
            return dg.SensorResult(
                cursor=encode_cursor(lake, current),
                asset_events=[observation(key, state) for key, state in current.items()],
                skip_reason=f"recorded {files} lake files of {len(current)} sources under {lake}; "
                "no run on the first evaluation",
            )
        changed = changed_tables(previous, current)
        if not changed:
            return dg.SkipReason(f"no new or changed lake files under {lake}")
        fail_dead_runs(context.instance)  # a run whose process was killed must not block the sensor forever
        busy = context.instance.get_runs(filters=dg.RunsFilter(statuses=_BUSY_STATUSES), limit=1)
        if busy:
            return dg.SkipReason(
                f"lake files changed ({_describe(changed)}) but run {busy[0].run_id} is in progress; "
                "asking again next tick"
            )
        if context.repository_def is None:
            raise dg.DagsterInvariantViolationError(
                f"{LAKE_SENSOR_NAME} needs the code location's asset graph: evaluate it in its Definitions "
                "(build_sensor_context(definitions=defs) in a test)"
            )
        selection = downstream_assets(context.repository_def.asset_graph, changed)
        run_key = "lake-" + hashlib.sha256(encode_cursor(lake, current).encode()).hexdigest()[:16]
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(
                    run_key=run_key,
                    asset_selection=selection,
                    tags={"c360/lake_changes": _describe(changed)[:255]},
                )
            ],
            cursor=encode_cursor(lake, current),
            asset_events=[observation(key, current[key]) for key in changed],
        )

    return c360_lake_files
