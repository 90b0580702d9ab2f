"""The BI serving layer as Dagster assets: one `published/<model>` asset per dbt model of schema `serving`.

They materialize together (orchestration/serving.py `publish`): the Parquet files in the published area
and the read-only serving database BI tools open. The models come from the dbt manifest, keyed as the dbt
assets are ([schema, name]), so a model added to models/serving/ is published without a change here.
"""

import json
from collections.abc import Iterator
from functools import cache

import dagster as dg

from orchestration.dbt_assets import TRANSLATOR, ensure_manifest
from orchestration.resources import C360Resource
from orchestration.serving import SERVING_SCHEMA, publish

PUBLISHED_PREFIX = "published"
SERVING_GROUP = "serving"


@cache
def serving_model_keys() -> tuple[dg.AssetKey, ...]:
    """Asset keys of the dbt models in schema `serving`, from the parsed manifest (read once per process: the
    publish assets and the freshness checks both need them when the code loads)."""
    manifest = json.loads(ensure_manifest().read_text())
    keys = [TRANSLATOR.get_asset_key(node) for node in manifest["nodes"].values() if node["resource_type"] == "model"]
    return tuple(sorted((key for key in keys if key.path[0] == SERVING_SCHEMA), key=lambda key: key.to_user_string()))


def published_key(model_key: dg.AssetKey) -> dg.AssetKey:
    return dg.AssetKey([PUBLISHED_PREFIX, model_key.path[-1]])


def serving_assets() -> list[dg.AssetsDefinition]:
    model_keys = serving_model_keys()
    if not model_keys:
        return []
    specs = [
        dg.AssetSpec(
            published_key(model_key),
            deps=[model_key],
            group_name=SERVING_GROUP,
            kinds={"parquet", "duckdb"},
            description=(
                f"`{model_key.path[-1]}` published for BI tools: a Parquet file in the published area and a "
                "view of the same name in the read-only serving database (README: Serving to BI tools)."
            ),
        )
        for model_key in model_keys
    ]

    @dg.multi_asset(specs=specs, name="c360_serving_publish", can_subset=False)
    def publish_serving(context: dg.AssetExecutionContext, c360: C360Resource) -> Iterator[dg.MaterializeResult]:
        settings = c360.apply()
        result = publish(
            settings, models=[key.path[-1] for key in model_keys], log=lambda message: context.log.info(message)
        )
        for view in result.views:
            yield dg.MaterializeResult(
                asset_key=dg.AssetKey([PUBLISHED_PREFIX, view.name]),
                metadata={
                    "rows": view.row_count,
                    "parquet_path": dg.MetadataValue.path(str(view.parquet_path)),
                    "serving_database": dg.MetadataValue.path(str(result.serving_path)),
                    "published_at": result.published_at.isoformat(),
                },
            )

    return [publish_serving]
