"""The dbt project as Dagster assets: key = [schema, model], group = the model's top folder.

Two asset definitions over one manifest:
- ``c360_dbt``: every model, seed and test but the day-incremental ones;
- ``c360_dbt_daily``: the day-incremental models (game telemetry enriched with geo, clicks by customer,
  product and offer), partitioned by day. A run of a partition or a range of partitions (a backfill runs as
  one run) passes the range to dbt as day-window vars and rebuilds exactly those event days. A run without a
  partition (the daily schedule, the lake sensor) passes none, and dbt rebuilds the days whose lake files
  changed.
"""

import json
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from orchestration.lake_mappings import generate
from orchestration.preflight import newest_file_day
from orchestration.resources import C360Resource
from orchestration.settings import DBT_PROJECT_DIR, apply_settings, load_settings, partitions_start

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

# Files whose change makes the parsed manifest stale.
_DBT_SOURCE_SUFFIXES = {".sql", ".yml", ".yaml", ".csv", ".md"}


def _manifest_is_stale(project: DbtProject) -> bool:
    manifest = project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    target = (project.project_dir / project.target_path).resolve()
    for path in Path(project.project_dir).rglob("*"):
        if path.suffix in _DBT_SOURCE_SUFFIXES and target not in path.parents and path.stat().st_mtime > built:
            return True
    return False


def ensure_manifest(project: DbtProject = DBT_PROJECT) -> Path:
    """Parse the dbt project when its manifest is missing or older than the project files.

    Also under `dagster dev` (`make ui`): dagster-dbt's own `prepare_if_dev` parses on every code load, and the
    code server, each run worker and each step process load the code, so a two-seed run spent about 100 s in
    `dbt parse`. Reloading the code location in the UI after editing a model still re-parses (the files are
    newer than the manifest).
    """
    apply_settings()  # dbt parse renders profiles.yml, which needs C360_HOME
    generate(Path(project.project_dir))  # the mapped lake sources' models; rewrites only files that changed
    if _manifest_is_stale(project):
        project.preparer.prepare(project)
    return project.manifest_path


class C360Translator(DagsterDbtTranslator):
    """Asset key = where the data lives: [schema, name] for models, [lake, source, table] for raw files.

    A `meta: dagster: asset_key` on a node (e.g. a dbt source fed by a Python asset) wins.
    """

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        meta = dbt_resource_props.get("config", {}).get("meta") or dbt_resource_props.get("meta") or {}
        if meta.get("dagster", {}).get("asset_key"):
            return super().get_asset_key(dbt_resource_props)
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(["lake", dbt_resource_props["source_name"], dbt_resource_props["name"]])
        schema = dbt_resource_props["config"].get("schema") or "main"
        return dg.AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return "lake"
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        # fqn = [project, folder, ..., name]; models directly under models/ have no folder.
        return fqn[1] if len(fqn) > 2 else "default"

    def get_asset_check_spec(
        self,
        asset_spec: dg.AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: DbtProject | None,
    ) -> dg.AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return spec._replace(description=describe_test(manifest["nodes"].get(unique_id) or {}))


def describe_test(test: Mapping[str, Any]) -> str:
    """One line saying what a dbt test checks, from its name and arguments (the check's description in the UI)."""
    if test.get("description"):
        return test["description"]
    metadata = test.get("test_metadata") or {}
    name = metadata.get("name") or test.get("name", "test")
    kwargs = metadata.get("kwargs") or {}
    arguments = kwargs.get("arguments") if isinstance(kwargs.get("arguments"), dict) else kwargs
    column = arguments.get("column_name") or kwargs.get("column_name")
    described = {
        "not_null": f"`{column}` is never NULL",
        "unique": f"`{column}` is unique",
        "accepted_values": f"`{column}` is one of {', '.join(map(str, arguments.get('values') or []))}",
        "relationships": f"every `{column}` is a `{arguments.get('field')}` of {_ref_name(arguments.get('to'))}",
        "relationships_where_parent_loaded": f"every `{column}` is a `{arguments.get('field')}` of "
        f"{_ref_name(arguments.get('to'))} (judged when that source was delivered)",
        "expression_is_true": f"`{arguments.get('expression')}` holds on every row",
        "reconciles_with_lake": f"rows in {arguments.get('source_table')} = staged + quarantined",
        "reconciles_with_lake_files": f"rows in {arguments.get('source_table')} = staged + quarantined",
        "declared_lake_source": f"`{column}` names a declared lake source",
        "unique_combination_of_columns": "one row per "
        + ", ".join(f"`{name}`" for name in arguments.get("combination_of_columns") or []),
    }.get(name)
    if described is None:
        details = ", ".join(f"{key}={value}" for key, value in arguments.items() if key != "model")
        described = f"dbt test {name}" + (f" ({details})" if details else "")
    severity = str((test.get("config") or {}).get("severity", "error")).lower()
    return described + (" (warn: reported in the run summary, does not fail the run)" if severity == "warn" else "")


def _ref_name(to: Any) -> str:
    """`ref('customers')` -> customers (a relationship test's target, as written in YAML)."""
    text = str(to or "")
    for quote in ("'", '"'):
        if quote in text:
            return text.split(quote)[1]
    return text


TRANSLATOR = C360Translator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def lake_source_specs(manifest_path: Path | None = None) -> list[dg.AssetSpec]:
    """The lake files each dbt source reads, as assets of the group `lake` (upstream of the raw models in the
    lineage; observed by the lake sensor, checked for freshness). Not materialized by c360: the files land."""
    manifest = json.loads((manifest_path or ensure_manifest()).read_text())
    specs = []
    for props in manifest["sources"].values():
        meta = props.get("config", {}).get("meta") or props.get("meta") or {}
        lake = meta.get("lake") or {}
        key = TRANSLATOR.get_asset_key(props)
        if not lake.get("path") or key.path[0] != "lake":
            continue
        described = props.get("description") or f"Lake files of {props['source_name']}.{props['name']}"
        specs.append(
            dg.AssetSpec(
                key,
                group_name="lake",
                description=f"{described.strip()} Files: `{lake['path']}` ({lake.get('format')}) under C360_LAKE.",
                metadata={"path": lake["path"], "format": lake.get("format", "")},
                kinds={lake.get("format", "file")},
            )
        )
    return sorted(specs, key=lambda spec: spec.key.to_user_string())


# The day-incremental models and the dbt vars of their day window (inclusive days, macros/lake/lake_days.sql).
DAY_WINDOW_VARS: dict[str, tuple[str, str]] = {
    "int_game_events_geolocated": ("c360_game_start_day", "c360_game_end_day"),
    "clicks_by_customer_product_offer": ("c360_clicks_start_day", "c360_clicks_end_day"),
}
# Open ends of the window: the first partition also holds every earlier event day and the last every
# later one, so a backfill of all partitions rebuilds the whole table.
_EARLIEST_DAY, _LATEST_DAY = "1900-01-01", "9999-12-31"


def daily_partitions() -> dg.DailyPartitionsDefinition:
    """One partition per event day, from C360_PARTITIONS_START through the day (UTC) of the lake's newest file:
    no event can be later, and a clean run leaves no partition missing when the day changes (a partition of
    'today' would be). Without lake files: through today."""
    start = partitions_start()
    newest = newest_file_day(load_settings().lake)
    if newest is None:
        return dg.DailyPartitionsDefinition(start_date=start, end_offset=1)
    end = max(newest, date.fromisoformat(start)) + timedelta(days=1)  # exclusive
    return dg.DailyPartitionsDefinition(start_date=start, end_date=end.isoformat())


def day_window_vars(partitions: dg.DailyPartitionsDefinition, keys: dg.PartitionKeyRange) -> dict[str, str]:
    """The dbt vars that make the day-incremental models rebuild exactly the days of a partition range."""
    window_start = partitions.time_window_for_partition_key(keys.start).start
    window_end = partitions.time_window_for_partition_key(keys.end).end - timedelta(days=1)
    first_key = partitions.get_first_partition_key()
    last_key = partitions.get_last_partition_key()
    start_day = _EARLIEST_DAY if keys.start == first_key else window_start.strftime("%Y-%m-%d")
    end_day = _LATEST_DAY if keys.end == last_key else window_end.strftime("%Y-%m-%d")
    dbt_vars = {}
    for start_var, end_var in DAY_WINDOW_VARS.values():
        dbt_vars[start_var], dbt_vars[end_var] = start_day, end_day
    return dbt_vars


def build_dbt_assets() -> tuple[dg.AssetsDefinition, dg.AssetsDefinition]:
    """(c360_dbt, c360_dbt_daily): every dbt node but the day-incremental models, and those models by day."""
    manifest = ensure_manifest()
    daily_models = " ".join(DAY_WINDOW_VARS)

    @dbt_assets(
        manifest=manifest,
        project=DBT_PROJECT,
        dagster_dbt_translator=TRANSLATOR,
        name="c360_dbt",
        exclude=daily_models,
    )
    def c360_dbt(context: dg.AssetExecutionContext, dbt: DbtCliResource, c360: C360Resource) -> Iterator[Any]:
        settings = c360.apply()
        context.log.info(f"dbt build on lake {settings.lake} into {settings.warehouse_path}")
        yield from dbt.cli(["build"], context=context).stream()

    partitions = daily_partitions()

    @dbt_assets(
        manifest=manifest,
        project=DBT_PROJECT,
        dagster_dbt_translator=TRANSLATOR,
        name="c360_dbt_daily",
        select=daily_models,
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
    )
    def c360_dbt_daily(context: dg.AssetExecutionContext, dbt: DbtCliResource, c360: C360Resource) -> Iterator[Any]:
        settings = c360.apply()
        args = ["build"]
        if context.has_partition_key or context.has_partition_key_range:  # one day, or a range (a backfill)
            keys = context.partition_key_range
            dbt_vars = day_window_vars(partitions, keys)
            context.log.info(f"rebuilding event days {keys.start} .. {keys.end} (dbt vars {dbt_vars})")
            args += ["--vars", json.dumps(dbt_vars)]
        else:
            context.log.info("no partition: rebuilding the event days whose lake files changed")
        context.log.info(f"dbt build on lake {settings.lake} into {settings.warehouse_path}")
        yield from dbt.cli(args, context=context).stream()

    return c360_dbt, c360_dbt_daily
