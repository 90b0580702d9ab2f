"""Mapped lake sources (orchestration/lake_mappings.py): validation, generated files and the lake check.

Fast: tiny dbt project folders and lakes under tmp_path, no dbt run.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any

import jinja2
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from benchmarks.mapped_project import write_sources
from orchestration import lake_mappings as lm
from orchestration.settings import DBT_PROJECT_DIR

CONTACT_COLUMNS = {
    "source_record_id": "Kundennummer",
    "first_name": "Vorname",
    "last_name": "Nachname",
    "email_address_1": "E-Mail",
    "birth_date": {"column": "Geburtstag", "format": "YYYYMMDD"},
}
ORDER_COLUMNS = {
    "order_number": "order_id",
    "ordered_at": "$.created",
    "extended_amount": "$.amount.total",
    "customer_source_record_id": "customer",
}


def contact_lake(**overrides: Any) -> dict[str, Any]:
    lake = {
        "path": "webshop2/customers*.csv",
        "format": "csv",
        "delimiter": ";",
        "entity": "contact",
        "columns": dict(CONTACT_COLUMNS),
    }
    return {**lake, **overrides}


def order_lake(**overrides: Any) -> dict[str, Any]:
    lake = {"path": "webshop2/orders/*.jsonl", "format": "jsonl", "entity": "sales_order", "columns": ORDER_COLUMNS}
    return {**lake, **overrides}


def load_error(tmp_path: Path, tables: dict[str, dict[str, Any]]) -> str:
    write_sources(tmp_path, "webshop2", tables)
    with pytest.raises(lm.LakeMappingError) as raised:
        lm.load_specs(tmp_path)
    return str(raised.value)


def call_macro(text: str, name: str) -> Any:
    """Render a generated macro file with Jinja as dbt would and return what the macro returns."""
    returned: list[Any] = []
    environment = jinja2.Environment(extensions=["jinja2.ext.do"])
    environment.globals["return"] = lambda value: returned.append(value) or ""
    environment.globals["fromjson"] = json.loads
    environment.from_string(text + "{{ " + name + "() }}").render()
    return returned[0]


# ----------------------------------------------------------------------------------------------------------------
# The registry and validation
# ----------------------------------------------------------------------------------------------------------------


def test_entity_registry_lists_the_attributes_in_order() -> None:
    assert list(lm.ENTITIES)[:2] == ["contact", "sales_order"]
    assert lm.attribute_names("contact")[:3] == ["source_record_id", "first_name", "last_name"]
    assert lm.attribute_names("contact")[-2:] == ["created_at", "modified_at"]
    assert lm.attribute_names("sales_order")[-1] == "transaction_currency_code"
    required = {entity: [a["name"] for a in lm.ENTITIES[entity] if a["required"]] for entity in lm.ENTITIES}
    required = {entity: required[entity] for entity in ("contact", "sales_order")}
    assert required == {"contact": ["source_record_id"], "sales_order": ["ordered_at", "extended_amount"]}
    keys = {"name", "type", "required", "strict", "references"}
    # values, not_before and required_when appear only where an attribute sets them
    allowed = keys | set(lm.ATTRIBUTE_OPTIONS)
    assert all(keys <= set(a) <= allowed for attributes in lm.ENTITIES.values() for a in attributes)
    # every entity is keyed by a required source_record_id, except orders and lines (order and line numbers)
    assert all(
        any(a["name"] == "source_record_id" and a["required"] for a in attributes)
        for entity, attributes in lm.ENTITIES.items()
        if entity not in ("sales_order", "sales_order_line")
    )
    assert {entity: lm.ENTITY_MODELS[entity] for entity in ("fx_rate", "campaign_exposure")} == {
        "fx_rate": ("fx_rates",),
        "campaign_exposure": ("campaign_exposures",),
    }
    assert all(a["type"] in lm.ATTRIBUTE_TYPES for attributes in lm.ENTITIES.values() for a in attributes)


@pytest.mark.parametrize(
    ("lake", "expected"),
    [
        (
            contact_lake(entity="customer"),
            [
                "entity must be one of contact, sales_order, sales_order_line, product, store, fx_rate, campaign,",
                "not 'customer'",
            ],
        ),
        (
            contact_lake(columns={**CONTACT_COLUMNS, "first_name": {"column": "Vorname", "map": ["a", "b"]}}),
            ["attribute first_name: map must translate source values to CDM values"],
        ),
        (
            contact_lake(columns={**CONTACT_COLUMNS, "nick_name": {"value": "x", "map": {"x": "y"}}}),
            ["attribute nick_name: map translates the values of a column; a constant needs none"],
        ),
        (
            contact_lake(columns={**CONTACT_COLUMNS, "nick_name": {"column": "Spitzname", "map": {"x": ["y"]}}}),
            ["attribute nick_name: map takes single values on both sides"],
        ),
        (contact_lake(format="xlsx"), ["format must be one of csv, jsonl, parquet, not 'xlsx'"]),
        (contact_lake(colums={}), ["unknown option(s) colums in config.meta.lake"]),
        (
            contact_lake(columns={**CONTACT_COLUMNS, "email": "E-Mail"}),
            ["attribute email: unknown attribute of entity contact; allowed: source_record_id, first_name,"],
        ),
        (
            contact_lake(columns={"first_name": "Vorname"}),
            ["attribute source_record_id: required attribute is not mapped: add `source_record_id: <column>`"],
        ),
        (
            contact_lake(columns={**CONTACT_COLUMNS, "birth_date": {"column": "Geburtstag", "format": "YYYY/MM/DD"}}),
            ["attribute birth_date: format must be one of YYYY-MM-DD, YYYYMMDD", "not 'YYYY/MM/DD'"],
        ),
        (
            contact_lake(columns={**CONTACT_COLUMNS, "first_name": {"column": "Vorname", "format": "YYYYMMDD"}}),
            ["attribute first_name: format applies to date and timestamp attributes only"],
        ),
        (
            contact_lake(columns={**CONTACT_COLUMNS, "first_name": {"column": "Name", "split": "last_first"}}),
            ["attribute first_name: split applies to full_name only"],
        ),
        (
            contact_lake(columns={**CONTACT_COLUMNS, "full_name": {"column": "Name", "split": "first_middle"}}),
            ["attribute full_name: split must be one of last_first, first_last"],
        ),
        (
            contact_lake(columns={**CONTACT_COLUMNS, "last_name": {"column": "Nachname", "value": "x"}}),
            ["attribute last_name: map it to", "exactly one of column, path, position and value"],
        ),
        (contact_lake(header=False), ["attribute source_record_id: the table has header: false, so map by position"]),
        (contact_lake(delimiter=";;"), ["delimiter must be one character"]),
        (contact_lake(encoding="cp1252"), ["encoding must be one of utf-8, latin-1, utf-16"]),
        (
            order_lake(columns={**ORDER_COLUMNS, "ordered_at": "$.created..at"}),
            ["attribute ordered_at: cannot read the JSON path '$.created..at'"],
        ),
        (
            order_lake(columns={**ORDER_COLUMNS, "quantity": 3}),
            ["attribute quantity: positions apply to csv files only"],
        ),
        (
            order_lake(columns={key: value for key, value in ORDER_COLUMNS.items() if key != "extended_amount"}),
            ["attribute extended_amount: required attribute is not mapped", "or map `price_per_unit`"],
        ),
        (
            contact_lake(customer_system="crm"),
            ["customer_system applies to sales_order, click_event, game_event tables only"],
        ),
        (order_lake(lines={"path": "$.items"}), ["lines.columns must map sales_order_line attributes"]),
        (
            order_lake(lines={"path": "$.items", "columns": {"order_number": "id", "price_per_unit": "p"}}),
            ["attribute lines.order_number: a nested line belongs to the order of its row"],
        ),
        (
            order_lake(lines={"path": "$.items", "columns": {"product_id": "sku"}}),
            ["attribute lines: map `extended_amount: <key>` or `price_per_unit: <key>` under lines.columns"],
        ),
        (contact_lake(lines={"path": "$.items"}), ["lines (order lines nested in each row) applies to sales_order"]),
        (order_lake(required=["birth_date"]), ["required must list attributes of entity sales_order"]),
        (order_lake(required=["store_id"]), ["required attributes must be mapped under columns: store_id"]),
        (order_lake(order_table="orders"), ["order_table applies to sales_order_line tables only"]),
        (
            order_lake(entity="sales_order_line", columns={"order_number": "id", "price_per_unit": "p"}),
            ["a sales_order_line table names its order headers: add `order_table:"],
        ),
        (contact_lake(defaults={"currency": "USD"}), ["attribute currency: unknown attribute of entity contact"]),
    ],
)
def test_a_bad_mapping_is_refused_naming_file_table_and_attribute(
    tmp_path: Path, lake: dict[str, Any], expected: list[str]
) -> None:
    message = load_error(tmp_path, {"customers": lake})
    assert message.startswith("models/staging/webshop2/_webshop2__sources.yml: lake source webshop2.customers")
    for fragment in expected:
        assert fragment in message


def test_price_per_unit_meets_the_amount_requirement(tmp_path: Path) -> None:
    columns = {key: value for key, value in ORDER_COLUMNS.items() if key != "extended_amount"}
    write_sources(tmp_path, "webshop2", {"orders": order_lake(columns={**columns, "price_per_unit": "$.price"})})
    (spec,) = lm.load_specs(tmp_path)
    assert spec.columns["price_per_unit"] == lm.ColumnMapping(path="$.price")


def test_two_tables_of_one_entity_in_a_system_need_a_second_system(tmp_path: Path) -> None:
    message = load_error(tmp_path, {"customers": contact_lake(), "members": contact_lake(path="webshop2/m.csv")})
    assert "lake source webshop2.members" in message
    assert "webshop2.customers already maps entity contact" in message
    assert "stg_webshop2__contacts" in message
    assert "declare a second system" in message


def test_shorthand_mappings_are_normalised_and_defaults_filled(tmp_path: Path) -> None:
    columns = {**CONTACT_COLUMNS, "nick_name": 7, "linked_source_system": {"value": "erp"}}
    write_sources(tmp_path, "webshop2", {"customers": contact_lake(delimiter=",", columns=columns)})
    write_sources(tmp_path, "app", {"orders": order_lake(path="app/*.jsonl")})
    specs = {spec.name: spec for spec in lm.load_specs(tmp_path)}
    contacts = specs["webshop2.customers"]
    assert contacts.columns["first_name"] == lm.ColumnMapping(column="Vorname")
    assert contacts.columns["nick_name"] == lm.ColumnMapping(position=7)
    assert contacts.columns["birth_date"] == lm.ColumnMapping(column="Geburtstag", format="YYYYMMDD")
    assert contacts.columns["linked_source_system"].kind == "value"
    assert (contacts.delimiter, contacts.quote, contacts.encoding, contacts.header) == (",", '"', "utf-8", True)
    assert (contacts.decimal_separator, contacts.null_values, contacts.date_format) == (".", (), None)
    orders = specs["app.orders"]
    assert orders.columns["order_number"] == lm.ColumnMapping(column="order_id")
    assert orders.columns["extended_amount"] == lm.ColumnMapping(path="$.amount.total")
    assert (orders.staged_model, orders.lines_model, orders.header_lines) == (
        "stg_app__sales_orders",
        "stg_app__sales_order_lines",
        0,
    )


def test_a_json_column_written_as_a_path_is_a_path(tmp_path: Path) -> None:
    columns = {**ORDER_COLUMNS, "ordered_at": {"column": "$.meta.created", "format": "EPOCH"}}
    write_sources(tmp_path, "webshop2", {"orders": order_lake(columns=columns)})
    (spec,) = lm.load_specs(tmp_path)
    assert spec.columns["ordered_at"] == lm.ColumnMapping(path="$.meta.created", format="EPOCH")


def test_tables_without_an_entity_are_not_mapped(tmp_path: Path) -> None:
    write_sources(tmp_path, "crm", {"contacts": {"path": "crm/contacts.csv", "format": "csv", "row_key": ["id"]}})
    assert lm.load_specs(tmp_path) == []


# ----------------------------------------------------------------------------------------------------------------
# Generated files
# ----------------------------------------------------------------------------------------------------------------


def test_without_mapped_tables_only_the_macro_file_is_generated(tmp_path: Path) -> None:
    write_sources(tmp_path, "crm", {"contacts": {"path": "crm/contacts.csv", "format": "csv"}})
    assert lm.generate(tmp_path) == [tmp_path / lm.MACRO_FILE]
    text = (tmp_path / lm.MACRO_FILE).read_text()
    assert "Generated from the lake mappings" in text.splitlines()[1]
    assert call_macro(text, "lake_mapped_tables") == []
    assert call_macro(text, "lake_entity_attributes") == lm.ENTITIES
    assert lm.generated_files(tmp_path) == []


def _mapped_project(project: Path) -> None:
    write_sources(project, "webshop2", {"customers": contact_lake()})
    write_sources(project, "app", {"orders": order_lake(path="app/orders/*.jsonl")})


def test_generate_writes_the_models_their_yaml_and_the_macro_file(tmp_path: Path) -> None:
    _mapped_project(tmp_path)
    changed = lm.generate(tmp_path)
    staging = tmp_path / "models" / "staging"
    assert sorted(path.relative_to(tmp_path).as_posix() for path in changed) == [
        "macros/lake/lake_mapped_tables.sql",
        "models/staging/app/_app__mapped_models.yml",
        "models/staging/app/base/base_app__orders.sql",
        "models/staging/app/base/raw_app__orders.sql",
        "models/staging/app/stg_app__sales_order_lines.sql",
        "models/staging/app/stg_app__sales_orders.sql",
        "models/staging/webshop2/_webshop2__mapped_models.yml",
        "models/staging/webshop2/base/base_webshop2__customers.sql",
        "models/staging/webshop2/base/raw_webshop2__customers.sql",
        "models/staging/webshop2/stg_webshop2__contacts.sql",
    ]
    # 121 characters on one line: wrapped in two, within the SQL lint's 120
    header = "-- Generated from models/staging/webshop2/_webshop2__sources.yml\n"
    header += "-- by `python -m orchestration.lake_mappings`; do not edit."
    assert (staging / "webshop2/base/raw_webshop2__customers.sql").read_text() == (
        f"{header}\n{{{{ config(materialized='view') }}}}\n\n{{{{ read_lake_source('webshop2', 'customers') }}}}\n"
    )
    base = (staging / "webshop2/base/base_webshop2__customers.sql").read_text()
    assert base == f"{header}\n{{{{ lake_mapped_base('webshop2', 'customers') }}}}\n"
    assert (
        (staging / "webshop2/stg_webshop2__contacts.sql")
        .read_text()
        .endswith("\n{{ lake_mapped_contacts('webshop2', 'customers') }}\n")
    )
    assert (
        (staging / "app/stg_app__sales_orders.sql")
        .read_text()
        .endswith("\n{{ lake_mapped_sales_orders('app', 'orders') }}\n")
    )
    assert (
        (staging / "app/stg_app__sales_order_lines.sql")
        .read_text()
        .endswith("\n{{ lake_mapped_sales_order_lines('app', 'orders') }}\n")
    )


def _models(path: Path) -> dict[str, dict[str, Any]]:
    return {model["name"]: model for model in yaml.safe_load(path.read_text())["models"]}


def _column_tests(model: dict[str, Any], column: str) -> list[Any]:
    return next(c for c in model["columns"] if c["name"] == column).get("data_tests", [])


def test_generated_model_yaml_documents_and_tests_the_models(tmp_path: Path) -> None:
    _mapped_project(tmp_path)
    lm.generate(tmp_path)
    staging = tmp_path / "models" / "staging"
    assert (staging / "webshop2/_webshop2__mapped_models.yml").read_text().startswith("# Generated from ")
    contacts = _models(staging / "webshop2/_webshop2__mapped_models.yml")
    assert list(contacts) == ["raw_webshop2__customers", "base_webshop2__customers", "stg_webshop2__contacts"]
    assert "the lake files as read" in contacts["raw_webshop2__customers"]["description"]
    assert "rejection_reason are NULL for staged rows" in contacts["base_webshop2__customers"]["description"]
    assert _column_tests(contacts["base_webshop2__customers"], "row_key") == ["not_null"]
    stg = contacts["stg_webshop2__contacts"]
    assert _column_tests(stg, "contact_id") == ["unique", "not_null"]
    assert _column_tests(stg, "source_record_id") == ["not_null"]
    reconciliation = {"source_table": "webshop2.customers", "raw_model": "ref('raw_webshop2__customers')"}
    assert stg["data_tests"] == [{"reconciles_with_lake": {"arguments": {**reconciliation, "header_lines": 1}}}]

    orders = _models(staging / "app/_app__mapped_models.yml")
    assert _column_tests(orders["stg_app__sales_orders"], "sales_order_id") == ["unique", "not_null"]
    lines = orders["stg_app__sales_order_lines"]
    assert _column_tests(lines, "sales_order_line_id") == ["unique", "not_null"]
    relationship = {"relationships": {"arguments": {"to": "ref('stg_app__sales_orders')", "field": "sales_order_id"}}}
    assert _column_tests(lines, "sales_order_id") == ["not_null", relationship]
    # The reconciliation counts one staged row per lake row: the order lines.
    assert lines["data_tests"][0]["reconciles_with_lake"]["arguments"]["header_lines"] == 0
    assert "data_tests" not in orders["stg_app__sales_orders"]


def test_reference_and_marketing_entities_are_staged_with_their_tests(tmp_path: Path) -> None:
    exposures = {
        "path": "mkt/exposures.csv",
        "format": "csv",
        "entity": "campaign_exposure",
        "columns": {
            "source_record_id": "id",
            "campaign_id": "campaign",
            "recipient_type": "kind",
            "recipient_source_system": {"column": "kind", "map": {"member": "crm", "card": "pos"}},
            "recipient_id": "recipient",
            "is_holdout": {"column": "group", "map": {"holdout": True, "treatment": False}},
            "assigned_at": "drawn",
        },
    }
    offers = {
        "path": "mkt/offers.csv",
        "format": "csv",
        "entity": "offer",
        "columns": {
            "source_record_id": "id",
            "campaign_id": "campaign",
            "offer_type": "type",
            "product_id": "sku",
            "discount_percentage": "pct",
        },
    }
    write_sources(tmp_path, "mkt", {"exposures": exposures, "offers": offers})
    specs = {spec.name: spec for spec in lm.load_specs(tmp_path)}
    holdout = specs["mkt.exposures"].columns["is_holdout"]
    assert holdout.map == (("holdout", "true"), ("treatment", "false"))
    assert specs["mkt.exposures"].stg_models == ["stg_mkt__campaign_exposures"]
    assert specs["mkt.offers"].references == ["campaign", "product"]
    lm.generate(tmp_path)
    models = _models(tmp_path / "models/staging/mkt/_mkt__mapped_models.yml")
    offers_sql = (tmp_path / "models/staging/mkt/stg_mkt__offers.sql").read_text()
    assert offers_sql.endswith("{{ lake_mapped_offers('mkt', 'offers') }}\n")
    stg = models["stg_mkt__campaign_exposures"]
    assert [column["name"] for column in stg["columns"]][:4] == [
        "exposure_id",
        "source_system",
        "source_record_id",
        "campaign_id",
    ]
    assert _column_tests(stg, "exposure_id") == ["unique", "not_null"]
    campaigns = {"arguments": {"to": "ref('stg_marketing__campaigns')", "field": "campaign_id"}}
    assert _column_tests(stg, "campaign_id") == ["not_null", {"relationships_where_parent_loaded": campaigns}]
    # recipient_type is read from the column recipient_source_system maps: only the mapped values are staged
    assert _column_tests(stg, "recipient_type") == [
        "not_null",
        {"accepted_values": {"arguments": {"values": ["member", "card"]}}},
    ]
    offer_types = {"accepted_values": {"arguments": {"values": ["product", "category"]}}}
    assert _column_tests(models["stg_mkt__offers"], "offer_type") == ["not_null", offer_types]
    assert models["base_mkt__offers"]["data_tests"][0]["unique_combination_of_columns"]


def test_geo_networks_and_locations_are_staged_with_their_tests(tmp_path: Path) -> None:
    flag = {"1": True, "0": False}
    networks = {
        "path": "geo/blocks.csv",
        "format": "csv",
        "entity": "geo_network",
        "columns": {
            "source_record_id": "network",
            "geoname_id": "geoname_id",
            "is_anonymous_proxy": {"column": "is_anonymous_proxy", "map": flag},
            "latitude": "lat",
            "longitude": "lon",
        },
    }
    locations = {
        "path": "geo/locations.csv",
        "format": "csv",
        "entity": "geo_location",
        "columns": {"source_record_id": "geoname_id", "country_iso_code": "country", "city_name": "city"},
    }
    write_sources(tmp_path, "geo", {"blocks": networks, "locations": locations})
    specs = {spec.name: spec for spec in lm.load_specs(tmp_path)}
    assert specs["geo.blocks"].columns["is_anonymous_proxy"].map == (("1", "true"), ("0", "false"))
    assert specs["geo.blocks"].stg_models == ["stg_geo__geo_networks"]
    assert specs["geo.locations"].stg_models == ["stg_geo__geo_locations"]
    assert {a["type"] for a in lm.ENTITIES["geo_network"]} >= {"ipv4_network", "latitude", "longitude"}
    lm.generate(tmp_path)
    networks_sql = (tmp_path / "models/staging/geo/stg_geo__geo_networks.sql").read_text()
    assert networks_sql.endswith("{{ lake_mapped_geo_networks('geo', 'blocks') }}\n")
    locations_sql = (tmp_path / "models/staging/geo/stg_geo__geo_locations.sql").read_text()
    assert locations_sql.endswith("{{ lake_mapped_geo_locations('geo', 'locations') }}\n")
    models = _models(tmp_path / "models/staging/geo/_geo__mapped_models.yml")
    stg = models["stg_geo__geo_networks"]
    assert [column["name"] for column in stg["columns"]][:5] == [
        "network",
        "source_system",
        "source_record_id",
        "network_start_ip",
        "network_end_ip",
    ]
    assert _column_tests(stg, "network") == ["unique", "not_null"]
    assert _column_tests(stg, "network_start_ip") == _column_tests(stg, "network_end_ip") == ["not_null"]
    parent = {"arguments": {"to": "ref('stg_reference__geo_locations')", "field": "geoname_id"}}
    assert _column_tests(stg, "geoname_id") == [{"relationships_where_parent_loaded": parent}]
    assert "reconciles_with_lake" in stg["data_tests"][0]
    assert _column_tests(models["stg_geo__geo_locations"], "geoname_id") == ["unique", "not_null"]


def test_generated_macro_file_lists_the_mapped_tables_and_the_registry(tmp_path: Path) -> None:
    _mapped_project(tmp_path)
    lm.generate(tmp_path)
    text = (tmp_path / lm.MACRO_FILE).read_text()
    assert max(len(line) for line in text.splitlines()) <= 120
    assert call_macro(text, "lake_mapped_tables") == [
        {
            "source_system": "app",
            "table_name": "orders",
            "entity": "sales_order",
            "raw_model": "raw_app__orders",
            "base_model": "base_app__orders",
            "staged_model": "stg_app__sales_orders",
            "lines_model": "stg_app__sales_order_lines",
            "header_lines": 0,
            "customer_system": "app",
            "references": ["contact"],
            "order_table": None,
            "lines_table": None,
        },
        {
            "source_system": "webshop2",
            "table_name": "customers",
            "entity": "contact",
            "raw_model": "raw_webshop2__customers",
            "base_model": "base_webshop2__customers",
            "staged_model": "stg_webshop2__contacts",
            "lines_model": None,
            "header_lines": 1,
            "customer_system": None,
            "references": [],
            "order_table": None,
            "lines_table": None,
        },
    ]
    assert call_macro(text, "lake_entity_attributes") == lm.ENTITIES
    assert call_macro(text, "lake_reference_kinds") == lm.REFERENCE_TARGETS
    key = '{"name": "source_record_id", "type": "text", "required": true, "strict": false, "references": null},'
    assert key in text


def test_a_second_generate_changes_nothing(tmp_path: Path) -> None:
    _mapped_project(tmp_path)
    lm.generate(tmp_path)
    old = 1_000_000_000
    for path in [*lm.generated_files(tmp_path), tmp_path / lm.MACRO_FILE]:
        os.utime(path, (old, old))
    assert lm.generate(tmp_path) == []
    assert lm.stale_files(tmp_path) == []
    assert all(path.stat().st_mtime == old for path in lm.generated_files(tmp_path))


def test_generated_files_of_an_unmapped_table_are_removed(tmp_path: Path) -> None:
    _mapped_project(tmp_path)
    lm.generate(tmp_path)
    hand_written = tmp_path / "models/staging/app/stg_app__extra.sql"
    hand_written.write_text("select 1 as one\n")
    write_sources(tmp_path, "app", {"orders": {"path": "app/orders/*.jsonl", "format": "jsonl"}})
    app = tmp_path / "models/staging/app"
    expected_stale = sorted(
        [tmp_path / lm.MACRO_FILE, app / "_app__mapped_models.yml", app / "stg_app__sales_orders.sql"]
        + [app / "stg_app__sales_order_lines.sql", app / "base/raw_app__orders.sql", app / "base/base_app__orders.sql"]
    )
    assert lm.stale_files(tmp_path) == expected_stale
    assert lm.main(["check", "--project-dir", str(tmp_path)]) == 1
    assert sorted(lm.generate(tmp_path)) == expected_stale
    assert sorted(path.name for path in app.rglob("*")) == ["_app__sources.yml", "stg_app__extra.sql"]
    assert hand_written.read_text() == "select 1 as one\n"
    assert (tmp_path / "models/staging/webshop2/stg_webshop2__contacts.sql").exists()
    assert lm.main(["check", "--project-dir", str(tmp_path)]) == 0


def test_a_hand_written_file_is_never_overwritten(tmp_path: Path) -> None:
    write_sources(tmp_path, "webshop2", {"customers": contact_lake()})
    hand_written = tmp_path / "models/staging/webshop2/stg_webshop2__contacts.sql"
    hand_written.write_text("select 1 as contact_id\n")
    with pytest.raises(lm.LakeMappingError) as raised:
        lm.generate(tmp_path)
    message = str(raised.value)
    assert "models/staging/webshop2/stg_webshop2__contacts.sql exists and was not generated" in message
    assert "the mapping of webshop2.customers (models/staging/webshop2/_webshop2__sources.yml)" in message
    assert "delete it" in message and "unmap the table" in message
    assert hand_written.read_text() == "select 1 as contact_id\n"
    assert not (tmp_path / "models/staging/webshop2/base").exists()


def test_generated_files_are_current() -> None:
    """Fails when a sources YAML was edited without `make sources` (python -m orchestration.lake_mappings)."""
    stale = lm.stale_files(DBT_PROJECT_DIR)
    assert stale == [], "run `make sources` and commit: stale generated files " + ", ".join(map(str, stale))


# ----------------------------------------------------------------------------------------------------------------
# The lake check
# ----------------------------------------------------------------------------------------------------------------

HEADER = "Kundennummer;Vorname;Nachname;E-Mail;Geburtstag"


def _lake_project(tmp_path: Path, **tables: dict[str, Any]) -> tuple[Path, Path]:
    project, lake = tmp_path / "project", tmp_path / "lake"
    write_sources(project, "webshop2", tables or {"customers": contact_lake()})
    (lake / "webshop2").mkdir(parents=True)
    return project, lake


def _messages(report: lm.LakeReport, severity: str) -> list[str]:
    return [finding.message for finding in report.findings if finding.severity == severity]


def test_header_names_are_compared_like_the_build_does() -> None:
    # macros/lake/lake_mapped.sql lake_header_key: lower case, no blanks, no double quotes, no BOM.
    assert lm.normalize_column_name('\ufeff" E-Mail "') == "e-mail"
    assert lm.normalize_column_name("First\tName ") == "firstname"


def test_headers_match_in_any_order_case_spacing_quotes_and_bom(tmp_path: Path) -> None:
    project, lake = _lake_project(tmp_path)
    (lake / "webshop2/customers_1.csv").write_text(f"{HEADER}\n1;Ann;Lee;a@x.io;19900101\n2;Bo;Ek;;\n")
    reordered = '\ufeff" e-mail ";NACHNAME;vorname ;geburtstag;KUNDENNUMMER\r\nb@x.io;Kim;Jo;19800101;3'
    (lake / "webshop2/customers_2.csv").write_text(reordered, encoding="utf-8")
    report = lm.check_lake(project, lake)
    assert report.findings == []
    assert report.render().splitlines()[1] == "  webshop2.customers -> stg_webshop2__contacts: 2 files, 3 rows"


def test_a_missing_required_column_is_an_error_naming_file_column_and_entry(tmp_path: Path) -> None:
    project, lake = _lake_project(tmp_path)
    (lake / "webshop2/customers_1.csv").write_text(f"{HEADER}\n1;Ann;Lee;a@x.io;19900101\n")
    (lake / "webshop2/customers_2.csv").write_text("Vorname;Nachname;E-Mail;Geburtstag\nAnn;Lee;;\n")
    report = lm.check_lake(project, lake)
    (error,) = report.errors
    assert error.message.startswith("webshop2/customers_2.csv: required column 'Kundennummer' is missing")
    assert "mapping webshop2.customers.source_record_id" in error.message
    assert "quarantined as missing_column" in error.message
    assert "ERROR: webshop2/customers_2.csv" in report.render()
    assert lm.main(["check-lake", "--project-dir", str(project), "--lake", str(lake)]) == 1


def test_missing_optional_columns_warn_and_extra_columns_are_reported(tmp_path: Path) -> None:
    project, lake = _lake_project(tmp_path)
    (lake / "webshop2/customers.csv").write_text("Kundennummer;Vorname;Nachname;Geburtstag;Kanal\n1;A;B;;web\n")
    report = lm.check_lake(project, lake)
    assert report.errors == []
    assert _messages(report, "WARNING") == [
        "webshop2/customers.csv: column 'E-Mail' is missing (mapping webshop2.customers.email_address_1); "
        "email_address_1 will be NULL"
    ]
    assert _messages(report, "INFO") == ["webshop2/customers.csv: columns not mapped, kept in extra_attributes: Kanal"]
    assert lm.main(["check-lake", "--project-dir", str(project), "--lake", str(lake)]) == 0


def test_gzip_csv_is_counted_and_checked(tmp_path: Path) -> None:
    project, lake = _lake_project(tmp_path, customers=contact_lake(path="webshop2/customers*.csv.gz"))
    rows = "".join(f"{n};A;B;;\n" for n in range(1, 1001))
    with gzip.open(lake / "webshop2/customers_1.csv.gz", "wt", encoding="utf-8") as handle:
        handle.write(f"Vorname;Nachname;E-Mail;Geburtstag;Kundennummer\n{rows}")
    report = lm.check_lake(project, lake)
    assert report.findings == []
    assert (report.tables[0].files, report.tables[0].rows) == (["webshop2/customers_1.csv.gz"], 1000)


def test_utf16_csv_is_decoded_for_header_and_line_count(tmp_path: Path) -> None:
    project, lake = _lake_project(tmp_path, customers=contact_lake(encoding="utf-16"))
    (lake / "webshop2/customers.csv").write_text(f"{HEADER}\n1;Zoë;Ø;;\n2;Ċ;Ċ;;\n", encoding="utf-16")
    report = lm.check_lake(project, lake)
    assert (report.findings, report.tables[0].rows) == ([], 2)


def test_headerless_csv_is_checked_by_position(tmp_path: Path) -> None:
    columns = {"source_record_id": 1, "last_name": 2, "email_address_1": {"position": 4}}
    project, lake = _lake_project(tmp_path, customers=contact_lake(header=False, columns=columns))
    (lake / "webshop2/customers.csv").write_text("1;Lee;x\n2;Ek;y")
    report = lm.check_lake(project, lake)
    assert report.tables[0].rows == 2  # a last line without a newline counts
    assert report.errors == []
    assert _messages(report, "WARNING") == [
        "webshop2/customers.csv: column position 4 is missing (mapping webshop2.customers.email_address_1); "
        "email_address_1 will be NULL"
    ]
    assert _messages(report, "INFO") == [
        "webshop2/customers.csv: columns not mapped, kept in extra_attributes: position 3"
    ]


def test_json_lines_keys_and_paths_are_looked_up_in_the_first_lines(tmp_path: Path) -> None:
    project, lake = _lake_project(tmp_path, orders=order_lake(path="webshop2/orders/*.jsonl"))
    (lake / "webshop2/orders").mkdir()
    lines = [
        {"order_id": "A1", "created": "2025-06-01T10:00:00Z", "amount": {"total": 5}, "note": "x"},
        {"order_id": "A2", "created": "2025-06-01T11:00:00Z", "amount": {"total": 6}, "customer": "c1"},
    ]
    (lake / "webshop2/orders/good.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    broken = [{"order_id": "B1", "created": "2025-06-02", "amount": 7}]  # amount is not an object: no $.amount.total
    (lake / "webshop2/orders/broken.jsonl").write_text("".join(json.dumps(line) + "\n" for line in broken))
    report = lm.check_lake(project, lake)
    (error,) = report.errors
    assert error.message.startswith("webshop2/orders/broken.jsonl: required column path '$.amount.total' is missing")
    assert "mapping webshop2.orders.extended_amount" in error.message
    assert _messages(report, "WARNING") == [
        "webshop2/orders/broken.jsonl: column 'customer' is missing "
        "(mapping webshop2.orders.customer_source_record_id); customer_source_record_id will be NULL"
    ]
    assert _messages(report, "INFO") == [
        "webshop2/orders/good.jsonl: columns not mapped, kept in extra_attributes: note"
    ]
    assert report.tables[0].rows == 3
    assert report.tables[0].render() == (
        "webshop2.orders -> stg_webshop2__sales_orders + stg_webshop2__sales_order_lines: 2 files, 3 rows"
    )


def test_price_per_unit_stands_in_for_a_missing_amount_column(tmp_path: Path) -> None:
    columns = {**ORDER_COLUMNS, "price_per_unit": "price"}
    project, lake = _lake_project(tmp_path, orders=order_lake(path="webshop2/*.jsonl", columns=columns))
    line = {"order_id": "A1", "created": "2025-06-01", "price": 3, "customer": "c1"}
    (lake / "webshop2/orders.jsonl").write_text(json.dumps(line) + "\n")
    report = lm.check_lake(project, lake)
    assert report.errors == []
    assert [message.split(" (")[0] for message in _messages(report, "WARNING")] == [
        "webshop2/orders.jsonl: column path '$.amount.total' is missing"
    ]


def test_parquet_schema_and_row_count_come_from_metadata(tmp_path: Path) -> None:
    project, lake = _lake_project(tmp_path, customers=contact_lake(path="webshop2/*.parquet", format="parquet"))
    table = pa.table(
        {"KUNDENNUMMER": ["1", "2"], "Vorname": ["A", "B"], "nachname": ["C", "D"], "Geburtstag": ["", ""], "x": [1, 2]}
    )
    pq.write_table(table, lake / "webshop2/part-0.parquet")
    report = lm.check_lake(project, lake)
    assert report.errors == []
    assert [message.split(" (")[0] for message in _messages(report, "WARNING")] == [
        "webshop2/part-0.parquet: column 'E-Mail' is missing"
    ]
    assert _messages(report, "INFO") == ["webshop2/part-0.parquet: columns not mapped, kept in extra_attributes: x"]
    assert report.tables[0].rows == 2


def test_files_no_glob_matches_and_tables_without_files_are_reported(tmp_path: Path) -> None:
    project, lake = _lake_project(tmp_path)
    (lake / "webshop2/archive").mkdir()
    (lake / "webshop2/archive/customers_old.csv").write_text(f"{HEADER}\n")
    (lake / "webshop2/.hidden").write_text("x")
    (lake / "other").mkdir()
    (lake / "other/ignored.csv").write_text("x\n")  # not a mapped system's folder
    report = lm.check_lake(project, lake)
    assert report.errors == []
    assert _messages(report, "WARNING") == [
        "webshop2.customers: no files match webshop2/customers*.csv under the lake root; "
        "stg_webshop2__contacts will be empty",
        "webshop2/archive/customers_old.csv: not staged: no lake source's path glob matches it; declare it in a "
        "sources YAML (or widen a glob), or move it out of webshop2/",
    ]
    assert "webshop2.customers -> stg_webshop2__contacts: 0 files, 0 rows" in report.render()


def test_an_unreadable_file_is_an_error(tmp_path: Path) -> None:
    project, lake = _lake_project(tmp_path, customers=contact_lake(path="webshop2/*.csv.gz"))
    (lake / "webshop2/customers.csv.gz").write_bytes(b"not gzip at all")
    (error,) = lm.check_lake(project, lake).errors
    assert error.message.startswith("webshop2/customers.csv.gz: cannot be read as csv")


def test_hand_written_lake_tables_are_counted_and_missing_files_warned(tmp_path: Path) -> None:
    write_sources(
        tmp_path, "crm", {"contacts": {"path": "crm/contacts.csv", "format": "csv"}, "notes": {"path": "crm/n.csv"}}
    )
    lake = tmp_path / "lake"
    (lake / "crm").mkdir(parents=True)
    (lake / "crm" / "contacts.csv").write_text("id\n1\n", encoding="utf-8")
    report = lm.check_lake(tmp_path, lake)
    assert report.tables == []
    assert report.other_tables == [("crm.contacts", "crm/contacts.csv", 1), ("crm.notes", "crm/n.csv", 0)]
    assert [finding.message for finding in report.warnings] == [
        "crm.notes: no files match crm/n.csv; it will be staged empty"
    ]
    assert "crm.contacts (hand-written staging): 1 file match crm/contacts.csv" in report.render()


def test_an_order_line_table_is_linked_to_its_order_table(tmp_path: Path) -> None:
    """order_table links the two; the order table then needs no amount, and a wrong order_table is an error."""
    headers = order_lake(columns={"order_number": "id", "ordered_at": "$.created"})
    items = order_lake(
        path="webshop2/items/*.jsonl",
        entity="sales_order_line",
        order_table="orders",
        columns={"order_number": "order", "line_item_number": "pos", "price_per_unit": "price", "quantity": "qty"},
    )
    write_sources(tmp_path, "webshop2", {"orders": headers, "items": items})
    specs = {spec.table: spec for spec in lm.load_specs(tmp_path)}
    assert specs["orders"].lines_table == "items" and specs["items"].order_table == "orders"
    assert specs["items"].references == ["order"]
    assert specs["items"].staged_model == "stg_webshop2__sales_order_lines"
    files = {path.name: text for path, text in lm.planned_files(tmp_path).items()}
    assert "lake_mapped_base('webshop2', 'items')" in files["base_webshop2__items.sql"]
    assert "stg_webshop2__items" not in " ".join(files)  # the line table has no staging model of its own
    assert "-- depends_on: {{ ref('base_webshop2__items') }}" in files["stg_webshop2__sales_orders.sql"]
    assert load_error(tmp_path, {"orders": headers, "items": {**items, "order_table": "nope"}}).endswith(
        "order_table 'nope' is not a sales_order table of source webshop2"
    )
    # without its line table the order table needs an amount again
    assert "required attribute is not mapped" in load_error(tmp_path, {"orders": headers})


def test_nested_order_lines_get_their_own_model_and_reference_checks(tmp_path: Path) -> None:
    lines = {"path": "$.items", "columns": {"product_id": "sku", "price_per_unit": "price", "quantity": "qty"}}
    write_sources(tmp_path, "webshop2", {"orders": order_lake(lines=lines, required=["order_number"])})
    (spec,) = lm.load_specs(tmp_path)
    assert spec.lines_path == "$.items" and spec.required == ("order_number",)
    assert spec.line_columns["product_id"].path == "$.sku"
    assert spec.references == ["contact", "product"]
    files = {path.name: text for path, text in lm.planned_files(tmp_path).items()}
    nested = files["base_webshop2__orders_lines.sql"]
    assert "lake_mapped_nested_lines('webshop2', 'orders')" in nested
    assert "ref('base_reference__products')" in nested
    assert "-- depends_on: {{ ref('base_webshop2__orders_lines') }}" in files["base_webshop2__orders.sql"]
