"""The dbt project as Dagster assets: key = [schema, model], group = the model's top folder."""

from collections.abc import Iterator, Mapping
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

from orchestration.resources import C360Resource
from orchestration.settings import DBT_PROJECT_DIR, apply_settings

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


TRANSLATOR = C360Translator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def build_dbt_assets() -> dg.AssetsDefinition:
    manifest = ensure_manifest()

    @dbt_assets(manifest=manifest, project=DBT_PROJECT, dagster_dbt_translator=TRANSLATOR, name="c360_dbt")
    def c360_dbt(context: dg.AssetExecutionContext, dbt: DbtCliResource, c360: C360Resource) -> Iterator[Any]:
        settings = c360.apply()
        context.log.info(f"dbt build on lake {settings.lake} into {settings.warehouse_path}")
        yield from dbt.cli(["build"], context=context).stream()

    return c360_dbt
