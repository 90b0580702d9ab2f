"""Mapped lake sources: the Python side of "a lake source is configuration".

A dbt source table whose `config.meta.lake` names an `entity` is staged from its mapping alone
(models/staging/_lake_mappings__docs.md). This module

- holds the registry of entities and their attributes (`ENTITIES`; the generator writes it into a dbt macro),
- loads and validates the mappings from models/staging/*/_*__sources.yml (`load_specs`),
- generates the small dbt files that call the macros of macros/lake/lake_mapped.sql (`generate`; `stale_files`
  lists what is not current), and
- checks a lake against the mappings in seconds, before any build (`check_lake`).

Command line: `python -m orchestration.lake_mappings [generate|check|check-lake]` (`make sources`,
`make check-lake`). Plain Python: no Dagster, no dbt.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn, NotRequired, Protocol, TypedDict

import yaml

from orchestration.settings import DBT_PROJECT_DIR, load_settings

# ---------------------------------------------------------------------------------------------------------------
# The registry of entities
# ---------------------------------------------------------------------------------------------------------------


class Attribute(TypedDict):
    """One attribute of an entity.

    name: the CDM name; type: the value type; required: a row without a usable value is quarantined;
    strict: a present but unusable value quarantines the row instead of being nulled (it defines an amount);
    references: the kind of record the value names (macro lake_reference_targets), checked when those are delivered.
    Optional keys, only where set: values: the accepted values (after `map`), any other is unusable;
    not_before: another date attribute this one may not precede (an end date); required_when: (attribute, value),
    the row needs this value when that attribute has that value (a product offer needs its product);
    plausible: the dates a value may hold, 'recorded' (when something happened or was recorded: from var
    c360_plausible_from, default 1990-01-01, to the newest file time of the source plus one day, or var
    c360_plausible_until) or 'birth' (1900 to today); other dates: 1900 to 2099.
    """

    name: str
    type: str
    required: bool
    strict: bool
    references: str | None
    values: NotRequired[list[str]]
    not_before: NotRequired[str]
    required_when: NotRequired[list[str]]
    plausible: NotRequired[str]


def _attribute(
    name: str,
    type_: str,
    required: bool = False,
    strict: bool = False,
    references: str | None = None,
    **options: Any,
) -> Attribute:
    attribute: Attribute = {
        "name": name,
        "type": type_,
        "required": required,
        "strict": strict,
        "references": references,
    }
    if options.get("plausible") not in (None, "recorded", "birth"):
        raise TypeError(f"plausible of {name} must be 'recorded' or 'birth'")
    unknown = sorted(set(options) - set(ATTRIBUTE_OPTIONS))
    if unknown:
        raise TypeError(f"unknown attribute option(s) {', '.join(unknown)} of {name}; allowed: {ATTRIBUTE_OPTIONS}")
    for key, value in options.items():  # tuples (literals in the registry) as lists, as the macro file holds them
        attribute[key] = list(value) if isinstance(value, tuple) else value  # type: ignore[literal-required]
    return attribute


ATTRIBUTE_TYPES = (
    "text", "email", "phone", "country", "date", "year", "timestamp", "time", "boolean", "decimal", "currency",
    "integer", "share", "percentage", "rate", "ipv4", "ipv4_network", "latitude", "longitude",
)  # fmt: skip
# share: a fraction in [0, 1); percentage: a number in (0, 100]; rate: a positive number (8 decimals).
# ipv4_network: an IPv4 network in CIDR notation a.b.c.d/n (kept as written); latitude / longitude: decimal degrees
# in [-90, 90] / [-180, 180] (6 decimals).
ATTRIBUTE_OPTIONS = ("values", "not_before", "required_when", "plausible")

# The CDM vocabularies of event kinds: map a source's own names onto them with `map`.
CLICK_EVENT_TYPES = ("page_view", "product_view", "offer_impression", "offer_click", "add_to_cart", "purchase")
GAME_EVENT_TYPES = ("session_start", "session_end", "level_complete", "iap_purchase")

# The single source of truth for the entity kinds a lake table can be mapped to (order = column order).
ENTITIES: dict[str, list[Attribute]] = {
    "contact": [
        _attribute("source_record_id", "text", required=True),
        _attribute("first_name", "text"),
        _attribute("last_name", "text"),
        _attribute("full_name", "text"),
        _attribute("nick_name", "text"),
        _attribute("email_address_1", "email"),
        _attribute("telephone_1", "phone"),
        _attribute("mobile_phone", "phone"),
        _attribute("address_1_line_1", "text"),
        _attribute("address_1_line_2", "text"),
        _attribute("address_1_city", "text"),
        _attribute("address_1_state_or_province", "text"),
        _attribute("address_1_postal_code", "text"),
        _attribute("address_1_country", "country"),
        _attribute("birth_date", "date", plausible="birth"),
        _attribute("birth_year", "year", plausible="birth"),  # a year only (birth_date gives it otherwise)
        _attribute("government_id", "text"),  # a national id (social security, tax or passport number); never served
        _attribute("do_not_bulk_email", "boolean"),
        _attribute("linked_source_system", "text"),
        _attribute("linked_source_record_id", "text"),
        _attribute("created_at", "timestamp", plausible="recorded"),
        _attribute("modified_at", "timestamp", plausible="recorded"),
    ],
    "sales_order": [
        _attribute("order_number", "text"),
        _attribute("source_record_id", "text"),
        _attribute("line_item_number", "integer", strict=True),  # the line's number in its order (key: order|line)
        _attribute("customer_source_record_id", "text", references="contact"),
        _attribute("customer_source_system", "text"),
        _attribute("ordered_at", "timestamp", required=True, plausible="recorded"),
        _attribute(
            "ordered_time", "time", strict=True
        ),  # the time of day, when the source keeps it apart from the date
        _attribute("order_status", "text"),
        _attribute("channel", "text"),
        _attribute("store_id", "text", references="store"),
        _attribute("offer_id", "text", references="offer"),
        _attribute("product_id", "text", references="product"),
        _attribute("quantity", "decimal", strict=True),
        _attribute("price_per_unit", "decimal", strict=True),
        _attribute("extended_amount", "decimal", required=True),
        _attribute("discount_amount", "decimal", strict=True),
        _attribute("shipping_amount", "decimal", strict=True),
        _attribute("transaction_currency_code", "currency", strict=True, references="currency"),
    ],
    # The lines of orders whose headers are another table of the system (option order_table): ERP items.
    "sales_order_line": [
        _attribute("order_number", "text", required=True, references="order"),
        _attribute("source_record_id", "text"),
        _attribute("line_item_number", "integer", strict=True),
        _attribute("product_id", "text", references="product"),
        _attribute("quantity", "decimal", strict=True),
        _attribute("price_per_unit", "decimal", strict=True),
        _attribute("extended_amount", "decimal", required=True),
        _attribute("discount_amount", "decimal", strict=True),
        _attribute("transaction_currency_code", "currency", strict=True, references="currency"),
    ],
    # Reference and marketing data (CDM Product, Store, Campaign, Offer ...): the record key is source_record_id.
    "product": [
        _attribute("source_record_id", "text", required=True),  # the product number (sku)
        _attribute("product_name", "text"),
        _attribute("category", "text"),
        _attribute("brand", "text"),
        _attribute("list_price_eur", "decimal", required=True),
        _attribute("launched_on", "date"),
    ],
    "store": [
        _attribute("source_record_id", "text", required=True),  # the store id
        _attribute("store_name", "text"),
        _attribute("address_1_line_1", "text"),
        _attribute("address_1_postal_code", "text"),
        _attribute("address_1_city", "text"),
        _attribute("address_1_state_or_province", "text"),
        _attribute("address_1_country", "country"),
        _attribute("opened_on", "date"),
    ],
    "fx_rate": [
        _attribute("source_record_id", "currency", required=True),  # the ISO-4217 code of the currency
        _attribute("eur_per_unit", "rate", required=True),
    ],
    "campaign": [
        _attribute("source_record_id", "text", required=True),  # the campaign id
        _attribute("campaign_name", "text"),
        _attribute("channel", "text", required=True, values=("email", "display", "social", "sms", "in_game")),
        _attribute("campaign_type", "text", required=True, values=("upsell", "cross_sell", "retention", "acquisition")),
        _attribute("target_category", "text"),
        _attribute("start_date", "date", required=True),
        _attribute("end_date", "date", strict=True, not_before="start_date"),
        _attribute("budget_amount_eur", "decimal"),
        _attribute("holdout_share", "share", required=True),
    ],
    "offer": [
        _attribute("source_record_id", "text", required=True),  # the offer id
        _attribute("campaign_id", "text", required=True, references="campaign"),
        _attribute("offer_type", "text", required=True, values=("product", "category")),
        _attribute("product_id", "text", references="product", required_when=("offer_type", "product")),
        _attribute("product_category", "text"),
        _attribute("discount_percentage", "percentage", required=True),
        _attribute("valid_from_date", "date", strict=True),
        _attribute("valid_to_date", "date", strict=True),
    ],
    "campaign_exposure": [
        _attribute("source_record_id", "text", required=True),  # the exposure id
        _attribute("campaign_id", "text", required=True, references="campaign"),
        _attribute("offer_id", "text", references="offer"),
        _attribute("recipient_type", "text"),  # the kind of id the channel uses, as written
        _attribute("recipient_source_system", "text", required=True),  # the contact source of recipient_id
        _attribute("recipient_id", "text", required=True),
        _attribute("is_holdout", "boolean", required=True),
        _attribute("assigned_at", "timestamp", required=True, plausible="recorded"),
        _attribute("sent_at", "timestamp", plausible="recorded"),
        _attribute("clicked_at", "timestamp", plausible="recorded"),
    ],
    # Behaviour events (web analytics, game telemetry): many files, staged incrementally (option incremental).
    "click_event": [
        _attribute("source_record_id", "text", required=True),  # the event id
        _attribute("event_type", "text", required=True, values=CLICK_EVENT_TYPES),
        _attribute("event_at", "timestamp", required=True, plausible="recorded"),
        _attribute("cookie_id", "text", required=True),
        _attribute("customer_source_record_id", "text"),  # the logged-in customer's key in customer_system
        _attribute("ip_address", "ipv4"),
        _attribute("user_agent", "text"),
        _attribute("page_url", "text"),
        _attribute("product_id", "text", references="product"),
        _attribute("offer_id", "text", references="offer"),
        _attribute("order_number", "text"),  # the order of a purchase, in customer_system
        _attribute("utm_campaign", "text"),
        _attribute("utm_source", "text"),
        _attribute("utm_medium", "text"),
    ],
    "game_event": [
        _attribute("source_record_id", "text", required=True),  # the event id
        _attribute("event_type", "text", required=True, values=GAME_EVENT_TYPES),
        _attribute("event_at", "timestamp", required=True, plausible="recorded"),
        _attribute("player_id", "text", required=True),  # the player's key in customer_system
        _attribute("session_id", "text"),
        _attribute("platform", "text", required=True, values=("console", "handheld", "pc")),
        _attribute("game_id", "text"),
        _attribute("ip_address", "ipv4"),
        _attribute("level_number", "integer"),
        _attribute("session_duration_seconds", "integer"),
        _attribute("item_id", "text"),
        _attribute("amount", "decimal", strict=True, required_when=("event_type", "iap_purchase")),
        _attribute(
            "currency_code",
            "currency",
            strict=True,
            references="currency",
            required_when=("event_type", "iap_purchase"),
        ),
    ],
    # IP geolocation (MaxMind GeoLite2 City layout): networks and the locations they name. Every value that is
    # present must be usable (strict), as the networks are joined on their range and their location.
    "geo_network": [
        _attribute("source_record_id", "ipv4_network", required=True),  # the network, a.b.c.d/n
        _attribute("geoname_id", "integer", strict=True),
        _attribute("registered_country_geoname_id", "integer", strict=True),
        _attribute("represented_country_geoname_id", "integer", strict=True),
        _attribute("is_anonymous_proxy", "boolean", strict=True),
        _attribute("is_satellite_provider", "boolean", strict=True),
        _attribute("postal_code", "text"),
        _attribute("latitude", "latitude", strict=True),
        _attribute("longitude", "longitude", strict=True),
        _attribute("accuracy_radius", "integer", strict=True),
    ],
    "geo_location": [
        _attribute("source_record_id", "integer", required=True),  # the geoname id
        _attribute("locale_code", "text"),
        _attribute("continent_code", "text"),
        _attribute("continent_name", "text"),
        _attribute("country_iso_code", "text"),
        _attribute("country_name", "text"),
        _attribute("subdivision_1_iso_code", "text"),
        _attribute("subdivision_1_name", "text"),
        _attribute("subdivision_2_iso_code", "text"),
        _attribute("subdivision_2_name", "text"),
        _attribute("city_name", "text"),
        _attribute("metro_code", "text"),
        _attribute("time_zone", "text"),
        _attribute("is_in_european_union", "boolean", strict=True),
    ],
}

# A required attribute whose requirement is also met by mapping another one (quantity x price per unit).
REQUIRED_ALTERNATIVES: dict[tuple[str, str], str] = {
    ("sales_order", "extended_amount"): "price_per_unit",
    ("sales_order_line", "extended_amount"): "price_per_unit",
}

# The staging models of an entity: stg_<system>__<suffix>, each built by the macro lake_mapped_<suffix>.
ENTITY_MODELS: dict[str, tuple[str, ...]] = {
    "contact": ("contacts",),
    "sales_order": ("sales_orders", "sales_order_lines"),
    "sales_order_line": (),  # staged by its order table's models
    "product": ("products",),
    "store": ("stores",),
    "fx_rate": ("fx_rates",),
    "campaign": ("campaigns",),
    "offer": ("offers",),
    "campaign_exposure": ("campaign_exposures",),
    "click_event": ("click_events",),
    "game_event": ("game_events",),
    "geo_network": ("geo_networks",),
    "geo_location": ("geo_locations",),
}

FILE_FORMATS = ("csv", "jsonl", "parquet")
ENCODINGS = ("utf-8", "latin-1", "utf-16")
DATE_FORMATS = (
    "YYYY-MM-DD",
    "YYYYMMDD",
    "DD.MM.YYYY",
    "DD/MM/YYYY",
    "MM/DD/YYYY",
    "ISO8601",
    "YYYY-MM-DD HH:MM:SS",
    "EPOCH",
    "EPOCH_MILLIS",
)
SPLITS = ("last_first", "first_last")
DECIMAL_SEPARATORS = (".", ",")
LAKE_OPTIONS = (
    "path",
    "format",
    "delimiter",
    "quote",
    "encoding",
    "header",
    "entity",
    "date_format",
    "decimal_separator",
    "null_values",
    "defaults",
    "customer_system",
    "columns",
    "row_key",
    "order_table",
    "lines",
    "required",
    "incremental",
)
LINES_OPTIONS = ("path", "columns")
MAPPING_KEYS = ("column", "path", "position", "value", "format", "split", "invert", "map")
_SOURCE_KEYS = ("column", "path", "position", "value")


class LakeMappingError(ValueError):
    """A lake mapping that cannot be staged, or a generated file that would overwrite a hand-written one."""


def attribute_names(entity: str) -> list[str]:
    """The attribute names of an entity, in registry order."""
    return [attribute["name"] for attribute in ENTITIES[entity]]


def _attribute_of(entity: str, name: str) -> Attribute:
    return next(attribute for attribute in ENTITIES[entity] if attribute["name"] == name)


# ---------------------------------------------------------------------------------------------------------------
# Specs
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnMapping:
    """Where one attribute's value comes from: exactly one of column, path, position and value is set."""

    column: str | None = None
    path: str | None = None
    position: int | None = None
    value: str | int | float | bool | None = None
    format: str | None = None
    split: str | None = None
    invert: bool = False
    map: tuple[tuple[str, str], ...] | None = None  # source value -> CDM value; any other value is unusable

    @property
    def kind(self) -> str:
        """column | path | position | value."""
        if self.column is not None:
            return "column"
        if self.path is not None:
            return "path"
        return "position" if self.position is not None else "value"

    def describe(self) -> str:
        """The mapped source as a reader sees it, e.g. "'E-Mail'", "path '$.a.b'", "position 3"."""
        if self.kind == "column":
            return repr(self.column)
        if self.kind == "path":
            return f"path {self.path!r}"
        if self.kind == "position":
            return f"position {self.position}"
        return f"constant {self.value!r}"


@dataclass(frozen=True)
class LakeTableSpec:
    """One mapped lake source table (`config.meta.lake` with an `entity`), validated and with its defaults."""

    system: str
    table: str
    yaml_file: str  # the sources YAML, relative to the dbt project (posix)
    path: str
    format: str
    entity: str
    columns: dict[str, ColumnMapping]
    delimiter: str = ","
    quote: str = '"'
    encoding: str = "utf-8"
    header: bool = True
    date_format: str | None = None
    decimal_separator: str = "."
    null_values: tuple[str, ...] = ()
    defaults: dict[str, Any] = field(default_factory=dict)
    customer_system: str | None = None
    order_table: str | None = None  # sales_order_line: the table of the system holding the order headers
    lines_table: str | None = None  # sales_order: the sales_order_line table whose rows are its lines
    lines_path: str | None = None  # sales_order (jsonl): the JSON array of each row holding its lines
    line_columns: dict[str, ColumnMapping] = field(default_factory=dict)  # their sales_order_line attributes
    required: tuple[str, ...] = ()  # optional attributes this table requires (e.g. order_number)
    incremental: bool = False  # staged file by file: a run parses new and changed files only

    @property
    def name(self) -> str:
        return f"{self.system}.{self.table}"

    @property
    def folder(self) -> str:
        """The staging folder of the system (the sources YAML's folder), relative to the dbt project."""
        return self.yaml_file.rsplit("/", 1)[0]

    @property
    def raw_model(self) -> str:
        return f"raw_{self.system}__{self.table}"

    @property
    def base_model(self) -> str:
        return f"base_{self.system}__{self.table}"

    @property
    def stg_models(self) -> list[str]:
        """The staging models of the entity: contacts, or sales orders and their lines (none for order lines)."""
        return [f"stg_{self.system}__{suffix}" for suffix in ENTITY_MODELS[self.entity]]

    @property
    def staged_model(self) -> str:
        """The staging model holding the table's staged rows."""
        return self.stg_models[0] if self.stg_models else f"stg_{self.system}__sales_order_lines"

    @property
    def lines_model(self) -> str | None:
        return self.stg_models[1] if len(self.stg_models) > 1 else None

    @property
    def references(self) -> list[str]:
        """The kinds of record the mapped attributes name (`references` in ENTITIES), in registry order."""
        kinds = [a["references"] for a in ENTITIES[self.entity] if a["references"] and a["name"] in self.columns]
        kinds += [a["references"] for a in ENTITIES["sales_order_line"] if a["name"] in self.line_columns]
        return list(dict.fromkeys(kind for kind in kinds if kind is not None))

    @property
    def nested_lines_model(self) -> str | None:
        """The model of the lines nested in each row (lines_path): base_<system>__<table>_lines; else none."""
        return f"{self.base_model}_lines" if self.lines_path else None

    @property
    def header_lines(self) -> int:
        """Physical lines per file that are not rows."""
        return 1 if self.format == "csv" and self.header else 0


class _Where:
    """Names a mapping in error messages: the YAML file, source.table and the attribute."""

    def __init__(self, yaml_file: str, system: str, table: str) -> None:
        self.yaml_file, self.system, self.table = yaml_file, system, table

    def fail(self, message: str, attribute: str | None = None) -> NoReturn:
        where = f"{self.yaml_file}: lake source {self.system}.{self.table}"
        if attribute is not None:
            where += f", attribute {attribute}"
        raise LakeMappingError(f"{where}: {message}")


def sources_files(project_dir: Path) -> list[Path]:
    """The sources YAML files of the staging folders, sorted."""
    return sorted(Path(project_dir).glob("models/staging/*/_*__sources.yml"))


def _lake_tables(project_dir: Path) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(YAML file relative to the project, source name, table name, config.meta.lake) of every lake table."""
    for path in sources_files(project_dir):
        relative = path.relative_to(project_dir).as_posix()
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            raise LakeMappingError(f"{relative}: not valid YAML, fix it: {error}") from error
        for source in document.get("sources") or []:
            for table in source.get("tables") or []:
                config_meta = (table.get("config") or {}).get("meta") or {}
                lake = config_meta.get("lake") or (table.get("meta") or {}).get("lake")
                if isinstance(lake, dict):
                    yield relative, str(source["name"]), str(table["name"]), lake


def load_specs(project_dir: Path) -> list[LakeTableSpec]:
    """Every mapped lake source table of the dbt project, validated; raises LakeMappingError on a bad mapping."""
    specs = [
        _parse_table(_Where(yaml_file, system, table), lake)
        for yaml_file, system, table, lake in _lake_tables(Path(project_dir))
        if lake.get("entity") is not None
    ]
    _check_one_table_per_entity(specs)
    return _link_order_lines(specs)


def _link_order_lines(specs: Sequence[LakeTableSpec]) -> list[LakeTableSpec]:
    """Give each order table its line table (order_table), and check that an order table has lines or an amount."""
    by_name = {spec.name: spec for spec in specs}
    lines_of: dict[str, str] = {}
    for spec in specs:
        if spec.order_table is None:
            continue
        where = _Where(spec.yaml_file, spec.system, spec.table)
        header = by_name.get(f"{spec.system}.{spec.order_table}")
        if header is None or header.entity != "sales_order":
            where.fail(f"order_table {spec.order_table!r} is not a sales_order table of source {spec.system}")
        if header.name in lines_of:
            where.fail(f"{lines_of[header.name]} already holds the lines of {header.name}")
        lines_of[header.name] = spec.table
    linked = [replace(spec, lines_table=lines_of.get(spec.name)) for spec in specs]
    for spec in linked:
        if spec.entity == "sales_order" and spec.lines_table is None and spec.lines_path is None:
            _check_required(_Where(spec.yaml_file, spec.system, spec.table), spec.entity, spec.columns, amounts=True)
    return linked


def _check_one_table_per_entity(specs: Sequence[LakeTableSpec]) -> None:
    seen: dict[tuple[str, str], LakeTableSpec] = {}
    for spec in specs:
        first = seen.setdefault((spec.system, spec.entity), spec)
        if first is not spec:
            _Where(spec.yaml_file, spec.system, spec.table).fail(
                f"{first.name} already maps entity {spec.entity} in system {spec.system}, and both would be staged "
                f"as {spec.staged_model}: declare a second system (a second source, e.g. `{spec.system}_2`, with "
                f"its own folder and sources YAML) for one of the two tables"
            )


def _parse_table(where: _Where, lake: dict[str, Any]) -> LakeTableSpec:
    """Validate one `config.meta.lake` with an entity and fill in its defaults."""
    unknown = sorted(set(lake) - set(LAKE_OPTIONS))
    if unknown:
        where.fail(f"unknown option(s) {', '.join(unknown)} in config.meta.lake; allowed: {', '.join(LAKE_OPTIONS)}")
    entity = _choice(where, "entity", lake.get("entity"), tuple(ENTITIES))
    file_format = _choice(where, "format", lake.get("format"), FILE_FORMATS)
    path = lake.get("path")
    if not isinstance(path, str) or not path.strip() or path.startswith("/"):
        where.fail("config.meta.lake.path must be a glob relative to the lake root, e.g. `crm2/customers*.csv`")
    header = lake.get("header", True)
    if not isinstance(header, bool):
        where.fail(f"header must be true or false, not {header!r}")
    columns = _parse_columns(where, lake.get("columns"), entity, file_format, header)
    _check_required(where, entity, columns)
    lines_path, line_columns = _lines_option(where, lake.get("lines"), entity, file_format)
    return LakeTableSpec(
        system=where.system,
        table=where.table,
        yaml_file=where.yaml_file,
        path=path,
        format=file_format,
        entity=entity,
        columns=columns,
        delimiter=_single_character(where, "delimiter", lake.get("delimiter", ",")),
        quote=_single_character(where, "quote", lake.get("quote", '"')),
        encoding=_choice(where, "encoding", str(lake.get("encoding", "utf-8")).lower(), ENCODINGS),
        header=header,
        date_format=_choice(where, "date_format", lake["date_format"], DATE_FORMATS) if "date_format" in lake else None,
        decimal_separator=_choice(where, "decimal_separator", lake.get("decimal_separator", "."), DECIMAL_SEPARATORS),
        null_values=_null_values(where, lake.get("null_values")),
        defaults=_defaults(where, lake.get("defaults"), entity),
        customer_system=_customer_system(where, lake.get("customer_system"), entity),
        order_table=_order_table(where, lake.get("order_table"), entity),
        lines_path=lines_path,
        line_columns=line_columns,
        required=_required_option(where, lake.get("required"), entity, columns),
        incremental=_incremental_option(where, lake.get("incremental", False)),
    )


def _choice(where: _Where, option: str, value: Any, allowed: Sequence[str], attribute: str | None = None) -> str:
    if value not in allowed:
        where.fail(f"{option} must be one of {', '.join(allowed)}, not {value!r}", attribute)
    return str(value)


def _single_character(where: _Where, option: str, value: Any) -> str:
    if not isinstance(value, str) or len(value) != 1:
        where.fail(f'{option} must be one character (quote it in YAML, e.g. ";"), not {value!r}')
    return value


def _null_values(where: _Where, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(item, str | int) for item in values):
        where.fail(f'null_values must be a list of texts, e.g. ["n/a", "00000000"], not {value!r}')
    return tuple(str(item) for item in values)


def _defaults(where: _Where, value: Any, entity: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        where.fail(f"defaults must map attributes to values, e.g. {{transaction_currency_code: USD}}, not {value!r}")
    for attribute, default in value.items():
        _check_attribute_name(where, attribute, entity)
        if not isinstance(default, str | int | float | bool):
            where.fail(f"a default must be a single value, not {default!r}", attribute)
    return dict(value)


# Entities whose rows name a customer of some contact source (customer_system, default: the table's own system).
CUSTOMER_ENTITIES = ("sales_order", "click_event", "game_event")
EVENT_ENTITIES = ("click_event", "game_event")


def _customer_system(where: _Where, value: Any, entity: str) -> str | None:
    if value is None:
        return None
    if entity not in CUSTOMER_ENTITIES:
        where.fail(f"customer_system applies to {', '.join(CUSTOMER_ENTITIES)} tables only; remove it")
    if not isinstance(value, str) or not value:
        where.fail(f"customer_system must name a source system, not {value!r}")
    return value


def _lines_option(
    where: _Where, value: Any, entity: str, file_format: str
) -> tuple[str | None, dict[str, ColumnMapping]]:
    """`lines: {path: $.items, columns: {...}}`: the order lines nested in each JSON row, mapped like a table."""
    if value is None:
        return None, {}
    if entity != "sales_order" or file_format != "jsonl":
        where.fail("lines (order lines nested in each row) applies to sales_order tables in jsonl only; remove it")
    if not isinstance(value, dict) or set(value) - set(LINES_OPTIONS) or not isinstance(value.get("path"), str):
        where.fail("lines must be {path: <JSON path of the array, e.g. $.items>, columns: {<attribute>: <key>}}")
    path = value["path"]
    try:
        json_path_keys(path)
    except ValueError as error:
        where.fail(f"lines.path: {error}")
    declared = value.get("columns")
    if not isinstance(declared, dict) or not declared:
        where.fail("lines.columns must map sales_order_line attributes to keys of each line, e.g. `product_id: sku`")
    columns = {}
    for attribute, mapping in declared.items():
        if attribute == "order_number":
            where.fail("a nested line belongs to the order of its row: do not map order_number", "lines.order_number")
        _check_attribute_name(where, attribute, "sales_order_line")
        parsed = _parse_mapping(where, attribute, mapping, "sales_order_line", "jsonl", True)
        if parsed.kind == "column":
            parsed = replace(parsed, column=None, path=f"$.{parsed.column}")
        columns[attribute] = parsed
    if "extended_amount" not in columns and "price_per_unit" not in columns:
        where.fail("map `extended_amount: <key>` or `price_per_unit: <key>` under lines.columns", "lines")
    return path, columns


def _required_option(where: _Where, value: Any, entity: str, columns: Mapping[str, ColumnMapping]) -> tuple[str, ...]:
    """`required: [order_number]`: optional attributes whose absence quarantines a row of this table."""
    if value is None:
        return ()
    names = attribute_names(entity)
    if not isinstance(value, list) or any(name not in names for name in value):
        where.fail(f"required must list attributes of entity {entity}, e.g. [order_number]; got {value!r}")
    unmapped = [name for name in value if name not in columns]
    if unmapped:
        where.fail(f"required attributes must be mapped under columns: {', '.join(unmapped)}")
    return tuple(value)


def _incremental_option(where: _Where, value: Any) -> bool:
    if not isinstance(value, bool):
        where.fail(f"incremental must be true or false, not {value!r}")
    return value


def _order_table(where: _Where, value: Any, entity: str) -> str | None:
    if entity != "sales_order_line":
        if value is not None:
            where.fail("order_table applies to sales_order_line tables only; remove it")
        return None
    if not isinstance(value, str) or not value:
        where.fail("a sales_order_line table names its order headers: add `order_table: <table of this source>`")
    return value


def _check_attribute_name(where: _Where, attribute: Any, entity: str) -> None:
    if attribute not in attribute_names(entity):
        where.fail(
            f"unknown attribute of entity {entity}; allowed: {', '.join(attribute_names(entity))}", str(attribute)
        )


def _parse_columns(
    where: _Where, columns: Any, entity: str, file_format: str, header: bool
) -> dict[str, ColumnMapping]:
    if not isinstance(columns, dict) or not columns:
        where.fail("config.meta.lake.columns must map attributes to the file's columns, e.g. `first_name: Vorname`")
    parsed = {}
    for attribute, value in columns.items():
        _check_attribute_name(where, attribute, entity)
        parsed[attribute] = _parse_mapping(where, attribute, value, entity, file_format, header)
    return parsed


def _long_form(value: Any, file_format: str) -> dict[str, Any]:
    """The long form of a mapping: a string is a column, an int a position; in jsonl a column `$...` is a path."""
    if isinstance(value, dict):
        mapping = dict(value)
    elif isinstance(value, str):
        mapping = {"column": value}
    elif isinstance(value, int) and not isinstance(value, bool):
        mapping = {"position": value}
    else:
        return {"invalid": value}
    column = mapping.get("column")
    if file_format == "jsonl" and isinstance(column, str) and column.startswith("$"):
        mapping["path"] = mapping.pop("column")
    return mapping


def _parse_mapping(
    where: _Where, attribute: str, value: Any, entity: str, file_format: str, header: bool
) -> ColumnMapping:
    """Validate one attribute's mapping (shorthand or long form)."""
    mapping = _long_form(value, file_format)
    sources = [key for key in _SOURCE_KEYS if key in mapping]
    unknown = sorted(set(mapping) - set(MAPPING_KEYS))
    if unknown or len(sources) != 1:
        where.fail(
            f"map it to a column name, a 1-based position, or {{column|path|position|value: ..., format: ..., "
            f"split: ..., map: ...}} with exactly one of column, path, position and value; got {value!r}",
            attribute,
        )
    result = ColumnMapping(
        column=_text_option(where, attribute, mapping, "column"),
        path=_json_path_option(where, attribute, mapping, file_format),
        position=_position_option(where, attribute, mapping, file_format),
        value=_value_option(where, attribute, mapping),
        format=_format_option(where, attribute, mapping, entity),
        split=_split_option(where, attribute, mapping),
        invert=_invert_option(where, attribute, mapping, entity),
        map=_map_option(where, attribute, mapping),
    )
    if file_format == "csv" and not header and result.kind == "column":
        where.fail(f"the table has header: false, so map by position, e.g. {{position: 3}}, not {value!r}", attribute)
    return result


def _text_option(where: _Where, attribute: str, mapping: dict[str, Any], key: str) -> str | None:
    value = mapping.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        where.fail(f"{key} must be a non-empty name, not {value!r}", attribute)
    return value


def _json_path_option(where: _Where, attribute: str, mapping: dict[str, Any], file_format: str) -> str | None:
    path = _text_option(where, attribute, mapping, "path")
    if path is None:
        return None
    if file_format != "jsonl":
        where.fail(f"a JSON path applies to jsonl files only; map a {file_format} column by name", attribute)
    try:
        json_path_keys(path)
    except ValueError as error:
        where.fail(str(error), attribute)
    return path


def _position_option(where: _Where, attribute: str, mapping: dict[str, Any], file_format: str) -> int | None:
    position = mapping.get("position")
    if position is None:
        return None
    if file_format != "csv":
        where.fail(f"positions apply to csv files only; map a {file_format} column by name", attribute)
    if isinstance(position, bool) or not isinstance(position, int) or position < 1:
        where.fail(f"position must be a 1-based column number, not {position!r}", attribute)
    return position


def _value_option(where: _Where, attribute: str, mapping: dict[str, Any]) -> str | int | float | bool | None:
    if "value" not in mapping:
        return None
    value = mapping["value"]
    if not isinstance(value, str | int | float | bool):
        where.fail(f"value must be a single constant, e.g. {{value: erp}}, not {value!r}", attribute)
    return value


def _format_option(where: _Where, attribute: str, mapping: dict[str, Any], entity: str) -> str | None:
    if "format" not in mapping:
        return None
    attribute_type = _attribute_of(entity, attribute)["type"]
    if attribute_type not in ("date", "timestamp"):
        where.fail(f"format applies to date and timestamp attributes only ({attribute} is {attribute_type})", attribute)
    return _choice(where, "format", mapping["format"], DATE_FORMATS, attribute)


def _split_option(where: _Where, attribute: str, mapping: dict[str, Any]) -> str | None:
    if "split" not in mapping:
        return None
    if attribute != "full_name":
        where.fail("split applies to full_name only (it derives first_name and last_name)", attribute)
    return _choice(where, "split", mapping["split"], SPLITS, attribute)


def _invert_option(where: _Where, attribute: str, mapping: dict[str, Any], entity: str) -> bool:
    if "invert" not in mapping:
        return False
    if _attribute_of(entity, attribute)["type"] != "boolean" or not isinstance(mapping["invert"], bool):
        where.fail("invert: true applies to yes/no attributes only (an opt-in column read as an opt-out)", attribute)
    return mapping["invert"]


def _map_option(where: _Where, attribute: str, mapping: dict[str, Any]) -> tuple[tuple[str, str], ...] | None:
    if "map" not in mapping:
        return None
    translation = mapping["map"]
    example = "{column: group, map: {holdout: true, treatment: false}}"
    if "value" in mapping:
        where.fail("map translates the values of a column; a constant needs none (write the CDM value)", attribute)
    if not isinstance(translation, dict) or not translation:
        where.fail(f"map must translate source values to CDM values, e.g. {example}, not {translation!r}", attribute)
    scalars = str | int | float | bool
    if not all(isinstance(key, scalars) and isinstance(value, scalars) for key, value in translation.items()):
        where.fail(f"map takes single values on both sides, e.g. {example}, not {translation!r}", attribute)
    return tuple((_yaml_text(key), _yaml_text(value)) for key, value in translation.items())


def _yaml_text(value: str | int | float | bool) -> str:
    """A YAML scalar as the text it stands for in a file (true -> 'true', like dbt's Jinja lowercased)."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _check_required(
    where: _Where, entity: str, columns: Mapping[str, ColumnMapping], amounts: bool | None = None
) -> None:
    """Every required attribute is mapped. An order's amount is checked once its line table is known (amounts=True)."""
    for attribute in ENTITIES[entity]:
        name = attribute["name"]
        if not attribute["required"] or name in columns:
            continue
        if entity == "sales_order" and name == "extended_amount" and not amounts:
            continue
        alternative = REQUIRED_ALTERNATIVES.get((entity, name))
        if alternative is None:
            where.fail(f"required attribute is not mapped: add `{name}: <column>` under columns", name)
        if alternative not in columns:
            where.fail(
                f"required attribute is not mapped: add `{name}: <column>` under columns, or map "
                f"`{alternative}` (the amount is then quantity x {alternative})",
                name,
            )


_PATH_TOKEN = re.compile(
    r"""\.(?P<key>[^.\[\]"']+)|\."(?P<quoted>[^"]+)"|\[(?P<index>\d+)\]|\[['"](?P<bracket>[^'"\]]+)['"]\]"""
)


def json_path_keys(path: str) -> list[str | int]:
    """The keys and indexes of a JSON path like `$.customer.email`, `$.lines[0].sku` or `$."e-mail"`."""
    if not path.startswith("$") or path == "$":
        raise ValueError(f"a JSON path starts with `$.`, e.g. `$.customer.email`; {path!r} does not")
    keys: list[str | int] = []
    position = 1
    while position < len(path):
        match = _PATH_TOKEN.match(path, position)
        if match is None:
            raise ValueError(f"cannot read the JSON path {path!r} at {path[position:]!r}; write e.g. `$.a.b[0]`")
        index = match.group("index")
        keys.append(int(index) if index is not None else next(group for group in match.groups() if group))
        position = match.end()
    return keys


# ---------------------------------------------------------------------------------------------------------------
# Generated files
# ---------------------------------------------------------------------------------------------------------------

GENERATOR = "python -m orchestration.lake_mappings"
MACRO_FILE = Path("macros/lake/lake_mapped_tables.sql")
_GENERATED_PREFIXES = ("-- Generated from ", "# Generated from ")


def _header(spec: LakeTableSpec, comment: str = "--") -> str:
    line = f"{comment} Generated from {spec.yaml_file} by `{GENERATOR}`; do not edit.\n"
    if len(line) > 121:  # a long system name: two lines, within the SQL lint's 120 characters
        return f"{comment} Generated from {spec.yaml_file}\n{comment} by `{GENERATOR}`; do not edit.\n"
    return line


def _call(macro: str, spec: LakeTableSpec) -> str:
    return f"{{{{ {macro}('{spec.system}', '{spec.table}') }}}}\n"


def _incremental_base(spec: LakeTableSpec, contact_tables: Mapping[str, LakeTableSpec]) -> str:
    """The base model of an incremental table (macros/lake/lake_incremental.sql): parses new and changed files only.

    Its lookups are the records its reference checks read: when they change, every file is checked again.
    """
    lookups = [
        {"model": target["base"], "columns": [target.get("key", "source_record_id"), "rejection_code"]}
        for target in reference_targets(spec, contact_tables).values()
    ]
    lookup_lines = "".join(f"    {_jinja_literal(lookup)},\n" for lookup in lookups)
    arguments = f"'{spec.system}', '{spec.table}'"
    return (
        ("{%- set lookups = [\n" + lookup_lines + "] -%}\n" if lookups else "{%- set lookups = [] -%}\n")
        + "{{ config(\n"
        + "    materialized='incremental',\n"
        + "    incremental_strategy='append',\n"
        + "    on_schema_change='append_new_columns',\n"
        + f'    pre_hook="{{{{ lake_files_delete_reparsed({arguments}, " ~ (lookups | tojson) ~ ") }}}}",\n'
        + ") }}\n"
        + f"{{{{ lake_mapped_base('{spec.system}', '{spec.table}', lookups) }}}}\n"
    )


def _model_files(spec: LakeTableSpec, contact_tables: Mapping[str, LakeTableSpec]) -> dict[str, str]:
    """The SQL files of one mapped table: relative path -> content.

    The base model names the models its reference checks read in `-- depends_on:` lines, so dbt knows them at parse.
    """
    folder = spec.folder
    read = dict.fromkeys(target["base"] for target in reference_targets(spec, contact_tables).values())
    depends_on = "".join(f"-- depends_on: {{{{ ref('{model}') }}}}\n" for model in read)
    base = _header(spec) + depends_on + _call("lake_mapped_base", spec)
    if spec.incremental:
        base = _header(spec) + depends_on + _incremental_base(spec, contact_tables)
    files = {
        f"{folder}/base/{spec.raw_model}.sql": _header(spec)
        + "{{ config(materialized='view') }}\n\n"
        + _call("read_lake_source", spec),
        f"{folder}/base/{spec.base_model}.sql": base,
    }
    lines_base = ""
    if spec.lines_table:
        lines_base = f"-- depends_on: {{{{ ref('base_{spec.system}__{spec.lines_table}') }}}}\n"
    if spec.nested_lines_model:
        lines_base = f"-- depends_on: {{{{ ref('{spec.nested_lines_model}') }}}}\n"
        files[f"{folder}/base/{spec.base_model}.sql"] = (
            _header(spec) + depends_on + lines_base + _call("lake_mapped_base", spec)
        )
        files[f"{folder}/base/{spec.nested_lines_model}.sql"] = (
            _header(spec) + depends_on + _call("lake_mapped_nested_lines", spec)
        )
    view = "{{ config(materialized='view') }}\n\n" if spec.incremental else ""  # a view over the incremental base
    for suffix, model in zip(ENTITY_MODELS[spec.entity], spec.stg_models, strict=True):
        call = _call(f"lake_mapped_{suffix}", spec)
        if spec.entity in EVENT_ENTITIES:  # the events carry keys of the customer system
            call = call.replace("') }}", f"', '{spec.customer_system or spec.system}') }}}}")
        files[f"{folder}/{model}.sql"] = _header(spec) + lines_base + view + call
    return files


# The conformed columns of the generated staging models, in order: a doc block `col_<name>` (dbt_project/models/
# staging/_staging__docs.md), or the text given here.
CONTACT_COLUMNS = (
    "contact_id", "source_system", "source_record_id", "first_name", "last_name", "full_name", "nick_name",
    "email_address_1", "telephone_1", "mobile_phone", "address_1_line_1", "address_1_city", "address_1_postal_code",
    "address_1_country", "birth_date", "birth_year", "do_not_bulk_email", "linked_source_system",
    "linked_source_record_id", "created_at", "modified_at", "source_file", "address_1_line_2",
    "address_1_state_or_province", "extra_attributes",
)  # fmt: skip
ORDER_COLUMNS = (
    "sales_order_id", "source_system", "source_record_id", "order_number", "channel", "customer_source_system",
    "customer_source_record_id", "customer_contact_id", "store_id", "offer_id", "order_status", "ordered_at",
    "order_date", "transaction_currency_code", "shipping_amount", "shipping_amount_eur", "total_amount",
    "total_amount_eur", "line_count", "source_file",
)  # fmt: skip
LINE_COLUMNS = (
    "sales_order_line_id", "sales_order_id", "source_system", "source_record_id", "line_number", "product_id",
    "quantity", "price_per_unit", "discount_amount", "extended_amount", "transaction_currency_code",
    "extended_amount_eur", "ordered_at", "order_date", "source_file",
)  # fmt: skip
_COLUMN_TEXT = {
    "store_id": "Store of the order (mapped store_id); NULL when not mapped.",
    "offer_id": "Redeemed marketing offer (mapped offer_id); NULL when not mapped.",
    "shipping_amount_eur": "{{ doc('col_eur_amount') }}",
    "extended_amount_eur": "{{ doc('col_eur_amount') }}",
    "line_number": "Position of the line in its order (1 = the order's first row in file order).",
    "quantity": "Units (mapped quantity, default 1).",
    "price_per_unit": "Price per unit in the transaction currency (mapped, or the line amount / quantity).",
    "discount_amount": "Discount on the line in the transaction currency (0 when not mapped).",
}


# The staging models of the reference and marketing entities (macros/lake/lake_mapped_reference.sql): the record key
# column, then source_system and source_record_id, the columns below (text: their description) and source_file.
RECORD_MODELS: dict[str, dict[str, Any]] = {
    "product": {
        "description": "Product master.",
        "key": ("product_id", "Product sku."),
        "columns": {
            "product_name": "Product name.",
            "category": "Product category.",
            "brand": "Brand.",
            "list_price_eur": "List price in EUR.",
            "launched_on": "Launch date.",
        },
        "tests": {"category": ["not_null"]},
    },
    "store": {
        "description": "Store master, address in CDM names.",
        "key": ("store_id", "Store id."),
        "columns": {
            "store_name": "Store name.",
            "address_1_line_1": "{{ doc('col_address_1_line_1') }}",
            "address_1_postal_code": "{{ doc('col_address_1_postal_code') }}",
            "address_1_city": "{{ doc('col_address_1_city') }}",
            "address_1_state_or_province": "Region (state, county).",
            "address_1_country": "{{ doc('col_address_1_country') }}",
            "opened_on": "Opening date.",
        },
    },
    "fx_rate": {
        "description": "The finance department's fixed conversion rates: amount in EUR = amount x eur_per_unit.",
        "key": ("currency_code", "ISO-4217 currency code."),
        "columns": {"eur_per_unit": "EUR per unit of the currency."},
    },
    "campaign": {
        "description": "Marketing campaigns.",
        "key": ("campaign_id", "Campaign id."),
        "columns": {
            "campaign_name": "Campaign name.",
            "channel": "Delivery channel.",
            "campaign_type": "Campaign type.",
            "target_category": "Product category the campaign promotes.",
            "start_date": "First day of the campaign.",
            "end_date": "Last day of the campaign (not before start_date).",
            "budget_amount_eur": "Budget in EUR.",
            "holdout_share": "Share of the audience randomly held out (0..1).",
        },
    },
    "offer": {
        "description": "Offers carried by campaigns: a product (product_id) or a category, with a discount.",
        "key": ("offer_id", "Offer id."),
        "columns": {
            "campaign_id": "Campaign carrying the offer.",
            "offer_type": "`product` or `category`.",
            "product_id": "Product of a product offer (required when offer_type is product).",
            "product_category": "Category of the offer (the product's category for product offers).",
            "discount_percentage": "Discount in percent.",
            "valid_from_date": "First day the offer is valid.",
            "valid_to_date": "Last day the offer is valid.",
        },
    },
    "campaign_exposure": {
        "description": "Audience assignments and deliveries: who was drawn for which campaign, treatment or holdout, "
        "when it was sent and clicked. recipient_contact_id is the recipient's contact_id in its own system "
        "(mapped recipient_source_system, e.g. crm_contact -> crm:, loyalty_card -> pos:).",
        "key": ("exposure_id", "Exposure id."),
        "columns": {
            "campaign_id": "Campaign.",
            "offer_id": "Offer.",
            "recipient_contact_id": "contact_id of the recipient in its own system.",
            "recipient_type": "Which id the channel uses.",
            "recipient_id": "The id as the channel uses it.",
            "is_holdout": "TRUE when the recipient was randomly held out (no delivery).",
            "assigned_at": "When the audience was drawn, UTC.",
            "sent_at": "When it was sent or shown, UTC; NULL for the holdout.",
            "clicked_at": "When the recipient clicked, UTC; NULL if never.",
        },
        "tests": {"recipient_contact_id": ["not_null"]},
    },
    "click_event": {
        "description": "Web analytics events: one row per event, the logged-in customer as customer_contact_id "
        "(<customer_system>:<customer_source_record_id>), a purchase's order as sales_order_id. A view over the "
        "incremental base model.",
        "key": ("event_id", "Event id."),
        "columns": {
            "event_type": "Kind of event (CDM vocabulary: page_view, product_view, offer_impression, offer_click, "
            "add_to_cart, purchase).",
            "event_at": "When the event happened, UTC.",
            "event_date": "Date of event_at.",
            "cookie_id": "Browser cookie.",
            "customer_source_record_id": "The logged-in customer's key in the customer system; NULL when anonymous.",
            "customer_contact_id": "{{ doc('col_customer_contact_id') }}",
            "ip_address": "Client IPv4 address (personal data).",
            "user_agent": "Browser user agent.",
            "page_url": "Page URL.",
            "product_id": "{{ doc('col_product_id') }}",
            "offer_id": "Marketing offer shown or clicked.",
            "sales_order_id": "The order of a purchase event (<customer_system>:<order number>).",
            "utm_campaign": "UTM campaign.",
            "utm_source": "UTM source.",
            "utm_medium": "UTM medium.",
        },
    },
    "game_event": {
        "description": "Game telemetry events: sessions, levels and in-app purchases, one row per event, the player "
        "as customer_contact_id (<customer_system>:<player_id>). A view over the incremental base model.",
        "key": ("event_id", "Event id."),
        "columns": {
            "event_type": "Kind of event (session_start, session_end, level_complete, iap_purchase).",
            "event_at": "When the event happened, UTC.",
            "event_date": "Date of event_at.",
            "player_id": "Player id.",
            "customer_contact_id": "{{ doc('col_customer_contact_id') }}",
            "session_id": "Game session.",
            "platform": "console, handheld or pc.",
            "game_id": "Game title.",
            "ip_address": "Client IPv4 address (personal data).",
            "level_number": "Level completed (level_complete).",
            "session_duration_seconds": "Session length in seconds (session_end).",
            "item_id": "Item bought (iap_purchase).",
            "amount": "Price paid (iap_purchase), in currency_code.",
            "currency_code": "ISO-4217 currency of amount.",
            "amount_eur": "{{ doc('col_eur_amount') }}",
        },
        "tests": {"event_date": ["not_null"], "customer_contact_id": ["not_null"]},
    },
    "geo_network": {
        "description": "IPv4 networks (GeoLite2 City layout) with their first and last address as BIGINT, computed in "
        "portable SQL from the CIDR, for range joins with IP addresses.",
        "key": ("network", "IPv4 network in CIDR notation."),
        "columns": {
            "network_start_ip": "First address of the network as an integer (a*2^24 + b*2^16 + c*2^8 + d).",
            "network_end_ip": "Last address of the network as an integer.",
            "geoname_id": "Location of the network (see stg_reference__geo_locations).",
            "registered_country_geoname_id": "Country where the network is registered.",
            "represented_country_geoname_id": "Country represented by the network's users.",
            "is_anonymous_proxy": "Anonymous proxy flag.",
            "is_satellite_provider": "Satellite provider flag.",
            "postal_code": "Postal code of the location.",
            "latitude": "Latitude.",
            "longitude": "Longitude.",
            "accuracy_radius": "Accuracy radius in km.",
        },
        "tests": {
            "network_start_ip": ["not_null"],
            "network_end_ip": ["not_null"],
            "geoname_id": [
                {
                    "relationships_where_parent_loaded": {
                        "arguments": {"to": "ref('stg_reference__geo_locations')", "field": "geoname_id"}
                    }
                }
            ],
        },
    },
    "geo_location": {
        "description": "Locations of the GeoLite2 City layout (names in the file's locale).",
        "key": ("geoname_id", "Location id."),
        "columns": {
            "locale_code": "Locale of the names.",
            "continent_code": "Continent code.",
            "continent_name": "Continent name.",
            "country_iso_code": "Country, ISO alpha-2.",
            "country_name": "Country name.",
            "subdivision_1_iso_code": "First-level subdivision code.",
            "subdivision_1_name": "First-level subdivision name.",
            "subdivision_2_iso_code": "Second-level subdivision code.",
            "subdivision_2_name": "Second-level subdivision name.",
            "city_name": "City name.",
            "metro_code": "Metro code.",
            "time_zone": "IANA time zone.",
            "is_in_european_union": "EU membership flag.",
        },
    },
}


def _doc_column(name: str, tests: list[Any] | None = None, description: str | None = None) -> dict[str, Any]:
    description = description or _COLUMN_TEXT.get(name, f"{{{{ doc('col_{name}') }}}}")
    column: dict[str, Any] = {"name": name, "description": description}
    if tests:
        column["data_tests"] = tests
    return column


def _doc_columns(names: Sequence[str], tests: Mapping[str, list[Any]]) -> list[dict[str, Any]]:
    return [_doc_column(name, tests.get(name)) for name in names]


def _reconciliation_test(spec: LakeTableSpec) -> dict[str, Any]:
    if spec.incremental:  # the base model keeps each file's line count: files are not read again
        arguments = {
            "source_table": spec.name,
            "base_model": f"ref('{spec.base_model}')",
            "header_lines": spec.header_lines,
        }
        return {"reconciles_with_lake_files": {"arguments": arguments}}
    return {
        "reconciles_with_lake": {
            "arguments": {
                "source_table": spec.name,
                "raw_model": f"ref('{spec.raw_model}')",
                "header_lines": spec.header_lines,
            }
        }
    }


def _raw_model_doc(spec: LakeTableSpec) -> dict[str, Any]:
    return {
        "name": spec.raw_model,
        "description": f"Generated from the lake mapping of {spec.name}: the lake files as read (`{spec.path}`, "
        f"{spec.format}), one row per {'row' if spec.format == 'parquet' else 'physical line'} of each file.",
        "columns": [_doc_column("source_file"), _doc_column("line_number"), _doc_column("raw_record")],
    }


def _base_model_doc(spec: LakeTableSpec) -> dict[str, Any]:
    if spec.entity in RECORD_MODELS:  # as their hand-written base models were tested
        return {
            "name": spec.base_model,
            "description": f"Generated from the lake mapping of {spec.name} (entity {spec.entity}): every row parsed "
            f"and checked; rejection_code and rejection_reason are NULL for staged rows.",
            "data_tests": [
                {
                    "unique_combination_of_columns": {
                        "arguments": {"combination_of_columns": ["source_file", "line_number"]}
                    }
                }
            ],
            "columns": [
                _doc_column("source_file", ["not_null"]),
                _doc_column("line_number", ["not_null"]),
                _doc_column("row_key", ["not_null"]),
                _doc_column("raw_record"),
                _doc_column("rejection_code"),
                _doc_column("rejection_reason"),
            ],
        }
    return {
        "name": spec.base_model,
        "description": f"Generated from the lake mapping of {spec.name} (entity {spec.entity}): every row parsed "
        f"and checked; rejection_code and rejection_reason are NULL for staged rows.",
        "columns": [
            _doc_column("source_file"),
            _doc_column("line_number"),
            _doc_column("row_key", ["not_null"]),
            _doc_column("raw_record"),
            _doc_column("rejection_code"),
            _doc_column("rejection_reason"),
        ],
    }


class ReferenceTarget(TypedDict):
    """The records a mapped value may name: checked against `key` (default source_record_id) of the staged rows
    of base model `base` (rejection_code NULL), when `base` has rows (or `always`). `staged` and `staged_key`:
    the staging model and its key column, for the generated relationship tests of staged columns."""

    staged: str
    staged_key: NotRequired[str]
    base: str
    code: str
    label: str
    key: NotRequired[str]
    always: NotRequired[bool]


# The records that attributes with `references` name; 'contact' is the mapped contact table of the customer system.
REFERENCE_TARGETS: dict[str, ReferenceTarget] = {
    "product": {"staged": "stg_reference__products", "staged_key": "product_id", "base": "base_reference__products",
                "code": "unknown_sku", "label": "a staged product"},
    "store": {"staged": "stg_reference__stores", "staged_key": "store_id", "base": "base_reference__stores",
              "code": "unknown_store", "label": "a staged store"},
    "currency": {"staged": "stg_reference__fx_rates", "staged_key": "currency_code", "base": "base_reference__fx_rates",
                 "code": "unknown_currency", "label": "a currency with a rate in reference fx_rates"},
    "offer": {"staged": "stg_marketing__offers", "staged_key": "offer_id", "base": "base_marketing__offers",
              "code": "unknown_offer", "label": "a staged marketing offer"},
    "campaign": {"staged": "stg_marketing__campaigns", "staged_key": "campaign_id", "base": "base_marketing__campaigns",
                 "code": "unknown_campaign", "label": "a staged campaign"},
}  # fmt: skip


def reference_targets(spec: LakeTableSpec, contact_tables: Mapping[str, LakeTableSpec]) -> dict[str, ReferenceTarget]:
    """The records the mapped values of a table name, by kind (only kinds whose records can be staged)."""
    targets: dict[str, ReferenceTarget] = {}
    for kind in spec.references:
        if kind == "order" and spec.order_table is not None:
            headers = f"base_{spec.system}__{spec.order_table}"
            targets[kind] = {
                "staged": headers,
                "base": headers,
                "code": "parent_order_rejected",
                "label": f"an order staged from {spec.system}.{spec.order_table} (absent or quarantined)",
                "key": "order_number",
                "always": True,  # a line without its staged order is quarantined, delivered or not
            }
            continue
        if kind != "contact":
            targets[kind] = REFERENCE_TARGETS[kind]
            continue
        customer_system = spec.customer_system or spec.system
        contacts = contact_tables.get(customer_system)
        if contacts is not None:
            targets[kind] = {
                "staged": contacts.staged_model,
                "base": contacts.base_model,
                "code": "unknown_customer",
                "label": f"a staged contact of {customer_system}",
            }
    return targets


def _parent_test(model: str, field_name: str, where: str | None = None) -> dict[str, Any]:
    """A relationships test that holds only when the parent model has rows (the parent file was delivered)."""
    test: dict[str, Any] = {"arguments": {"to": f"ref('{model}')", "field": field_name}}
    if where:
        test["config"] = {"where": where}
    return {"relationships_where_parent_loaded": test}


def _nested_lines_doc(spec: LakeTableSpec) -> dict[str, Any]:
    return {
        "name": spec.nested_lines_model,
        "description": f"Generated from the lake mapping of {spec.name}: the order lines nested at {spec.lines_path} "
        f"of every parseable row, one per array element, parsed and checked; a line's rejection quarantines its row "
        f"(its order) in {spec.base_model}.",
        "columns": [
            _doc_column("source_file"),
            _doc_column("line_number"),
            {"name": "line_index", "description": "Position of the line in its row's array (1 = first)."},
            {"name": "line_rejection_reason", "description": "NULL, or why this line quarantines its order."},
        ],
    }


def _translated_columns(spec: LakeTableSpec) -> dict[str, list[str]]:
    """Attributes read from the same column as a required attribute with a `map` -> the values that map lists
    (a row with any other value there is quarantined: exposures' recipient_type)."""
    translated = {}
    for name, mapping in spec.columns.items():
        if mapping.map and _attribute_of(spec.entity, name)["required"]:
            for other, other_mapping in spec.columns.items():
                same_source = (other_mapping.column, other_mapping.path, other_mapping.position) == (
                    mapping.column,
                    mapping.path,
                    mapping.position,
                )
                if other != name and same_source and not other_mapping.map:
                    translated[other] = [source for source, _ in mapping.map]
    return translated


def _record_column_tests(spec: LakeTableSpec, column: str) -> list[Any]:
    """Tests of a staged column of a reference or marketing entity, from the registry and the mapping."""
    tests: list[Any] = list(RECORD_MODELS[spec.entity].get("tests", {}).get(column, []))
    attribute = next((a for a in ENTITIES[spec.entity] if a["name"] == column), None)
    translated = _translated_columns(spec).get(column)
    if attribute is None:
        return tests
    if attribute["required"] or translated:
        tests.append("not_null")
    values = attribute.get("values") or translated
    if values:
        tests.append({"accepted_values": {"arguments": {"values": list(values)}}})
    target = REFERENCE_TARGETS.get(attribute["references"] or "")
    if target is not None:
        parent = {"to": f"ref('{target['staged']}')", "field": target["staged_key"]}
        tests.append({"relationships_where_parent_loaded": {"arguments": parent}})
    return tests


def _record_model_doc(spec: LakeTableSpec) -> dict[str, Any]:
    """The staging model of a reference or marketing entity: one row per staged lake row."""
    model = RECORD_MODELS[spec.entity]
    key, key_text = model["key"]
    system_tests = ["not_null", {"accepted_values": {"arguments": {"values": [spec.system]}}}]
    columns = [
        _doc_column(key, ["unique", "not_null"], key_text),
        _doc_column("source_system", system_tests),
        _doc_column("source_record_id", ["unique", "not_null"]),
        *(_doc_column(name, _record_column_tests(spec, name), text) for name, text in model["columns"].items()),
        _doc_column("source_file", ["not_null"]),
    ]
    return {
        "name": spec.staged_model,
        "description": f"Generated from the lake mapping of {spec.name} (entity {spec.entity}). {model['description']}",
        "data_tests": [_reconciliation_test(spec)],
        "columns": columns,
    }


def _stg_model_docs(
    spec: LakeTableSpec, contact_tables: Mapping[str, LakeTableSpec], lines_spec: LakeTableSpec | None = None
) -> list[dict[str, Any]]:
    """The staging models' docs; the row-count reconciliation sits on the model with one row per lake row.

    An order table with a line table (`lines_spec`) documents the lines too; the line table has no models of its own.
    """
    if spec.entity == "sales_order_line":
        return []
    if spec.entity in RECORD_MODELS:
        return [_record_model_doc(spec)]
    if spec.entity == "contact":
        contacts = {
            "name": spec.staged_model,
            "description": f"Generated from the lake mapping of {spec.name}: its rows as contacts in the conformed "
            f"CDM contact shape.",
            "data_tests": [_reconciliation_test(spec)],
            "columns": _doc_columns(
                CONTACT_COLUMNS,
                {"contact_id": ["unique", "not_null"], "source_record_id": ["not_null"], "source_file": ["not_null"]},
            ),
        }
        return [contacts]
    order_tests: dict[str, list[Any]] = {"sales_order_id": ["unique", "not_null"], "ordered_at": ["not_null"]}
    line_tests: dict[str, list[Any]] = {}
    targets = reference_targets(spec, contact_tables)
    for kind, column, field_name in (
        ("contact", "customer_contact_id", "contact_id"),
        ("store", "store_id", "store_id"),
        ("offer", "offer_id", "offer_id"),
    ):
        if kind in targets:
            order_tests[column] = [_parent_test(targets[kind]["staged"], field_name)]
    line_targets = reference_targets(lines_spec, contact_tables) if lines_spec else targets
    if "product" in line_targets:
        staged = line_targets["product"]["staged"]
        line_tests["product_id"] = [_parent_test(staged, "product_id", "product_id <> 'unknown'")]
    orders: dict[str, Any] = {
        "name": spec.staged_model,
        "description": f"Generated from the lake mapping of {spec.name}: the orders (rows sharing an order number) "
        f"in the conformed CDM sales order shape.",
        "columns": _doc_columns(ORDER_COLUMNS, order_tests),
    }
    if spec.lines_path is not None:
        orders["description"] = (
            f"Generated from the lake mapping of {spec.name}: one order per staged row, its lines nested at "
            f"{spec.lines_path}, in the conformed CDM sales order shape."
        )
        orders = {**orders, "data_tests": [_reconciliation_test(spec)]}
    if lines_spec is not None:
        orders["description"] = (
            f"Generated from the lake mappings of {spec.name} (order headers, one order per staged row) and "
            f"{lines_spec.name} (their lines), in the conformed CDM sales order shape."
        )
        orders = {**orders, "data_tests": [_reconciliation_test(spec)]}
    relationship = {"relationships": {"arguments": {"to": f"ref('{spec.staged_model}')", "field": "sales_order_id"}}}
    lines = {
        "name": spec.lines_model,
        "description": f"Generated from the lake mapping of {(lines_spec or spec).name}: one order line per staged "
        f"row, in the conformed CDM sales order line shape.",
        "data_tests": [] if spec.lines_path else [_reconciliation_test(lines_spec or spec)],
        "columns": _doc_columns(
            LINE_COLUMNS,
            {
                "sales_order_line_id": ["unique", "not_null"],
                "sales_order_id": ["not_null", relationship],
                "product_id": ["not_null", *line_tests.get("product_id", [])],
                "extended_amount": ["not_null"],
            },
        ),
    }
    return [orders, lines]


class _IndentedDumper(yaml.SafeDumper):
    """Writes YAML like the hand-written files: lists indented, doc() in double quotes, long text folded."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if "{{" in text else (">" if len(text) > 80 else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_IndentedDumper.add_representer(str, _represent_text)


def _models_yaml(specs: Sequence[LakeTableSpec], contact_tables: Mapping[str, LakeTableSpec]) -> str:
    """The dbt model YAML documenting and testing the generated models of one system."""
    models: list[dict[str, Any]] = []
    by_table = {spec.table: spec for spec in specs}
    for spec in specs:
        lines_spec = by_table[spec.lines_table] if spec.lines_table else None
        models += [_raw_model_doc(spec), _base_model_doc(spec)]
        if spec.nested_lines_model:
            models.append(_nested_lines_doc(spec))
        models += _stg_model_docs(spec, contact_tables, lines_spec)
    body = yaml.dump(
        {"version": 2, "models": models}, Dumper=_IndentedDumper, sort_keys=False, width=110, allow_unicode=True
    )
    body = body.replace("\n  - name: ", "\n\n  - name: ").replace("models:\n\n", "\nmodels:\n", 1)
    return _header(specs[0], "#") + body


def _jinja_literal(value: Any) -> str:
    """A Python value as a Jinja literal: none, true/false, numbers, single-quoted strings."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_jinja_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_jinja_literal(key)}: {_jinja_literal(item)}" for key, item in value.items()) + "}"
    raise TypeError(f"no Jinja literal for {value!r}")


def _json_literal(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _jinja_dict(items: Mapping[str, Any], indent: str, width: int = 116, literal: Any = _jinja_literal) -> list[str]:
    """A dict literal as lines, wrapped at `width` like the hand-written lake_tables() macro, ending in a comma."""
    pairs = [f"{literal(key)}: {literal(value)}" for key, value in items.items()]
    lines, current = [], indent + "{"
    for number, pair in enumerate(pairs):
        piece = pair + ("}," if number == len(pairs) - 1 else ",")
        if current.strip() not in ("{", "") and len(current) + 1 + len(piece) > width:
            lines.append(current)
            current = indent + " " + piece
        else:
            current += ("" if current.endswith("{") else " ") + piece
    return [*lines, current]


def mapped_table_entries(specs: Sequence[LakeTableSpec]) -> list[dict[str, Any]]:
    """The entries of the `lake_mapped_tables()` macro, sorted by system and table."""
    return [
        {
            "source_system": spec.system,
            "table_name": spec.table,
            "entity": spec.entity,
            "raw_model": spec.raw_model,
            "base_model": spec.base_model,
            "staged_model": spec.staged_model,
            # the model with one row per staged lake row, when not staged_model: the lines of a flat order table
            "lines_model": None if spec.lines_table or spec.lines_path else spec.lines_model,
            "header_lines": spec.header_lines,
            "customer_system": spec.customer_system or (spec.system if spec.entity in CUSTOMER_ENTITIES else None),
            "references": spec.references,
            "order_table": spec.order_table,
            "lines_table": spec.lines_table,
        }
        for spec in sorted(specs, key=lambda spec: (spec.system, spec.table))
    ]


_MACRO_HEADER = """\
{#-
    Generated from the lake mappings (config.meta.lake.entity in models/staging/*/_*__sources.yml) by
    `python -m orchestration.lake_mappings`; do not edit.

    lake_mapped_tables():     one entry per mapped lake source table (source_system, table_name, entity,
                              raw_model, base_model, staged_model: the contacts or sales orders model,
                              lines_model: the sales order lines model or none, header_lines,
                              customer_system, references: the kinds of record mapped values name,
                              order_table, lines_table)
    lake_entity_attributes(): the registry of entities, orchestration/lake_mappings.py ENTITIES:
                              entity -> its attributes in order ({name, type, required, strict, references})
    lake_reference_kinds():   the records attributes with `references` name, REFERENCE_TARGETS: kind ->
                              {staged, base, code, label} ('contact': the customer system's contacts)
-#}
"""


def _json_objects(objects: Sequence[Mapping[str, Any]], indent: str) -> list[str]:
    """JSON objects as wrapped lines separated by commas (none after the last)."""
    lines = [line for item in objects for line in _jinja_dict(item, indent, literal=_json_literal)]
    if lines:
        lines[-1] = lines[-1].removesuffix(",")
    return lines


def _json_macro(name: str, lines: list[str]) -> str:
    """A macro returning the JSON text of `lines` parsed: a string literal compiles in no time, where a Jinja literal
    of the same data takes tens of milliseconds for each dbt thread that first calls it."""
    literal = "\n".join(lines).replace("\\", "\\\\").replace("'", "\\'")
    return f"{{% macro {name}() -%}}\n    {{{{ return(fromjson('{literal}')) }}}}\n{{%- endmacro %}}\n"


def _macro_file(specs: Sequence[LakeTableSpec]) -> str:
    """macros/lake/lake_mapped_tables.sql: the mapped tables, the entity registry and the reference kinds as JSON."""
    registry = ["{"]
    for number, (entity, attributes) in enumerate(ENTITIES.items()):
        registry.append(f"        {_json_literal(entity)}: [")
        registry += _json_objects(attributes, " " * 12)
        registry.append("        ]" + ("," if number < len(ENTITIES) - 1 else ""))
    kinds = ["{"]
    for number, (kind, target) in enumerate(REFERENCE_TARGETS.items()):
        kinds.append(f"        {_json_literal(kind)}:")
        kinds += _json_objects([target], " " * 12)
        kinds[-1] += "," if number < len(REFERENCE_TARGETS) - 1 else ""
    return (
        _MACRO_HEADER
        + _json_macro("lake_mapped_tables", ["[", *_json_objects(mapped_table_entries(specs), " " * 8), "    ]"])
        + "\n\n"
        + _json_macro("lake_entity_attributes", [*registry, "    }"])
        + "\n\n"
        + _json_macro("lake_reference_kinds", [*kinds, "    }"])
    )


def _planned(project_dir: Path, specs: Sequence[LakeTableSpec]) -> dict[Path, tuple[str, LakeTableSpec | None]]:
    """Every generated file: absolute path -> (text, the mapped table it belongs to; None for the macro file)."""
    files: dict[Path, tuple[str, LakeTableSpec | None]] = {}
    by_system: dict[tuple[str, str], list[LakeTableSpec]] = {}
    contact_tables = {spec.system: spec for spec in specs if spec.entity == "contact"}
    for spec in specs:
        for relative, content in _model_files(spec, contact_tables).items():
            files[project_dir / relative] = (content, spec)
        by_system.setdefault((spec.folder, spec.system), []).append(spec)
    for (folder, system), system_specs in by_system.items():
        yaml_text = _models_yaml(system_specs, contact_tables)
        files[project_dir / folder / f"_{system}__mapped_models.yml"] = (yaml_text, system_specs[0])
    files[project_dir / MACRO_FILE] = (_macro_file(specs), None)
    return files


def planned_files(project_dir: Path, specs: Sequence[LakeTableSpec] | None = None) -> dict[Path, str]:
    """Every generated file with its content: absolute path -> text."""
    project_dir = Path(project_dir)
    specs = load_specs(project_dir) if specs is None else specs
    return {path: content for path, (content, _) in _planned(project_dir, specs).items()}


def is_generated(path: Path) -> bool:
    """Whether a file was written by this generator (its first line says "Generated from")."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        return handle.readline().startswith(_GENERATED_PREFIXES)


def generated_files(project_dir: Path) -> list[Path]:
    """The generated model files now under models/staging (recognised by their first line)."""
    staging = Path(project_dir) / "models" / "staging"
    return sorted(
        path for path in staging.rglob("*") if path.suffix in (".sql", ".yml") and path.is_file() and is_generated(path)
    )


def _checked_plan(project_dir: Path) -> dict[Path, str]:
    """The planned files, after making sure none would overwrite a hand-written file."""
    planned = _planned(project_dir, load_specs(project_dir))
    for path, (_, spec) in planned.items():
        if spec is not None and path.exists() and not is_generated(path):
            raise LakeMappingError(
                f"{path.relative_to(project_dir).as_posix()} exists and was not generated, but the mapping of "
                f"{spec.name} ({spec.yaml_file}) generates it: delete it (the mapping replaces it), or remove "
                f"`entity` from config.meta.lake of {spec.name} (unmap the table)"
            )
    return {path: content for path, (content, _) in planned.items()}


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


def stale_files(project_dir: Path) -> list[Path]:
    """Generated files that are missing or out of date, and generated files no mapping produces any more."""
    project_dir = Path(project_dir)
    planned = _checked_plan(project_dir)
    differing = [path for path, content in planned.items() if _read(path) != content]
    orphaned = [path for path in generated_files(project_dir) if path not in planned]
    return sorted(differing + orphaned)


def generate(project_dir: Path) -> list[Path]:
    """Write the generated files whose content changed and remove the unmapped ones; returns the paths touched.

    Files whose content is current are not rewritten, so their modification times (and dbt's parse) stay put.
    Raises LakeMappingError on a bad mapping or when a target is a hand-written file.
    """
    project_dir = Path(project_dir)
    planned = _checked_plan(project_dir)
    changed = []
    for path, content in planned.items():
        if _read(path) != content:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            changed.append(path)
    for path in generated_files(project_dir):
        if path not in planned:
            path.unlink()
            changed.append(path)
            if path.parent.name == "base" and not any(path.parent.iterdir()):
                path.parent.rmdir()
    return changed


# ---------------------------------------------------------------------------------------------------------------
# Checking a lake against the mappings
# ---------------------------------------------------------------------------------------------------------------

ERROR, WARNING, INFO = "ERROR", "WARNING", "INFO"
_SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}
JSON_SAMPLE_LINES = 100
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Finding:
    """One line of the lake report."""

    severity: str  # ERROR | WARNING | INFO
    message: str

    def render(self) -> str:
        return f"{self.severity}: {self.message}"


@dataclass
class TableCheck:
    """What the lake holds for one mapped table: the files its glob matches and their rows."""

    spec: LakeTableSpec
    files: list[str] = field(default_factory=list)
    rows: int = 0

    def render(self) -> str:
        files = f"{len(self.files):,} file" + ("" if len(self.files) == 1 else "s")
        rows = f"{self.rows:,} row" + ("" if self.rows == 1 else "s")
        return f"{self.spec.name} -> {' + '.join(self.spec.stg_models)}: {files}, {rows}"


@dataclass
class LakeReport:
    """The lake check of the mapped tables; non-empty `errors` means the build would quarantine whole files."""

    lake_root: Path
    tables: list[TableCheck] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # lake tables with hand-written staging models: (source.table, path glob, files matched)
    other_tables: list[tuple[str, str, int]] = field(default_factory=list)

    def _of(self, severity: str) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == severity]

    @property
    def errors(self) -> list[Finding]:
        return self._of(ERROR)

    @property
    def warnings(self) -> list[Finding]:
        return self._of(WARNING)

    @property
    def infos(self) -> list[Finding]:
        return self._of(INFO)

    def render(self) -> str:
        """Readable text: one line per table, one per finding (errors first), and a total."""
        if not self.tables and not self.other_tables:
            return f"lake check of {self.lake_root}: no lake sources declared"
        lines = [f"lake check of {self.lake_root}:"]
        lines += [f"  {table.render()}" for table in self.tables]
        lines += [
            f"  {name} (hand-written staging): {files:,} file{'' if files == 1 else 's'} match {path}"
            for name, path, files in self.other_tables
        ]
        findings = sorted(self.findings, key=lambda finding: _SEVERITY_ORDER[finding.severity])
        lines += [finding.render() for finding in findings]
        lines.append(f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)")
        return "\n".join(lines)


def normalize_column_name(name: str) -> str:
    """A header name as compared with the mapping: lower case, without blanks, double quotes or a UTF-8 BOM.

    The same key as the macro `lake_header_key` in macros/lake/lake_mapped.sql, so this check and the build
    agree on which columns a file has.
    """
    for character in (" ", "\t", '"', "\ufeff"):
        name = name.replace(character, "")
    return name.lower()


def _open_binary(path: Path) -> io.BufferedIOBase:
    return gzip.GzipFile(path, "rb") if path.name.endswith(".gz") else path.open("rb")


def _python_encoding(encoding: str) -> str:
    return "utf-8-sig" if encoding == "utf-8" else encoding


def count_lines(path: Path, encoding: str = "utf-8") -> int:
    """Physical lines of a text file (gzip or not): newlines, plus a last line without one."""
    with _open_binary(path) as handle:
        if encoding == "utf-16":  # a newline is two bytes there; decode instead of counting bytes
            text = io.TextIOWrapper(handle, encoding="utf-16", errors="replace", newline="")
            count, last = 0, ""
            while chunk := text.read(_CHUNK):
                count, last = count + chunk.count("\n"), chunk[-1]
            return count + (1 if last not in ("", "\n") else 0)
        count, last_byte = 0, b""
        while block := handle.read(_CHUNK):
            count, last_byte = count + block.count(b"\n"), block[-1:]
        return count + (1 if last_byte not in (b"", b"\n") else 0)


def _first_lines(path: Path, encoding: str, limit: int) -> list[str]:
    with _open_binary(path) as handle:
        text = io.TextIOWrapper(handle, encoding=_python_encoding(encoding), errors="replace", newline="")
        lines = []
        for line in text:
            lines.append(line.rstrip("\r\n"))
            if len(lines) >= limit:
                break
        return lines


class _FileColumns(Protocol):
    def has(self, mapping: ColumnMapping) -> bool: ...

    def unmapped(self, mappings: Iterable[ColumnMapping]) -> list[str]: ...


class _NamedColumns:
    """Columns by name (a CSV header, a Parquet schema), matched case-insensitively; positions by index."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        self.normalized = [normalize_column_name(name) for name in names]

    def has(self, mapping: ColumnMapping) -> bool:
        if mapping.position is not None:
            return mapping.position <= len(self.names)
        return normalize_column_name(str(mapping.column)) in self.normalized

    def unmapped(self, mappings: Iterable[ColumnMapping]) -> list[str]:
        mappings = list(mappings)
        used = {normalize_column_name(str(m.column)) for m in mappings if m.column is not None}
        positions = {m.position for m in mappings if m.position is not None}
        return [
            name.strip()
            for number, (name, key) in enumerate(zip(self.names, self.normalized, strict=True), start=1)
            if key not in used and number not in positions
        ]


class _PositionalColumns:
    """The fields of a CSV file without a header, by 1-based position."""

    def __init__(self, count: int) -> None:
        self.count = count

    def has(self, mapping: ColumnMapping) -> bool:
        return mapping.position is not None and mapping.position <= self.count

    def unmapped(self, mappings: Iterable[ColumnMapping]) -> list[str]:
        positions = {m.position for m in mappings}
        return [f"position {number}" for number in range(1, self.count + 1) if number not in positions]


class _JsonColumns:
    """The keys and paths found in the first lines of a JSON lines file."""

    def __init__(self, records: Sequence[dict[str, Any]]) -> None:
        self.records = records

    def has(self, mapping: ColumnMapping) -> bool:
        keys: list[str | int] = json_path_keys(mapping.path) if mapping.path else [str(mapping.column)]
        return any(_has_path(record, keys) for record in self.records)

    def unmapped(self, mappings: Iterable[ColumnMapping]) -> list[str]:
        used = set()
        for mapping in mappings:
            used.add(json_path_keys(mapping.path)[0] if mapping.path else mapping.column)
        seen = dict.fromkeys(key for record in self.records for key in record)
        return [key for key in seen if key not in used]


def _has_path(value: Any, keys: Sequence[str | int]) -> bool:
    for key in keys:
        found = key < len(value) if isinstance(value, list) and isinstance(key, int) else None
        if isinstance(value, dict) and isinstance(key, str):
            found = key in value
        if not found:
            return False
        value = value[key]
    return True


def _csv_columns(spec: LakeTableSpec, path: Path) -> _FileColumns:
    lines = _first_lines(path, spec.encoding, 1)
    fields = next(csv.reader(lines[:1], delimiter=spec.delimiter, quotechar=spec.quote), [])
    return _NamedColumns(fields) if spec.header else _PositionalColumns(len(fields))


def _json_columns(spec: LakeTableSpec, path: Path) -> _JsonColumns:
    records = []
    for line in _first_lines(path, spec.encoding, JSON_SAMPLE_LINES):
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return _JsonColumns(records)


def _parquet_columns(path: Path) -> _NamedColumns:
    import pyarrow.parquet as pq

    return _NamedColumns(pq.read_schema(path).names)


def _parquet_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return int(pq.read_metadata(path).num_rows)


def _is_required_in_file(entity: str, attribute: str, present: set[str]) -> bool:
    """Whether a file missing this attribute's column quarantines its rows (the alternatives count as met)."""
    if _attribute_of(entity, attribute)["required"]:
        alternative = REQUIRED_ALTERNATIVES.get((entity, attribute))
        return alternative is None or alternative not in present
    return any(
        alternative == attribute and required not in present
        for (required_entity, required), alternative in REQUIRED_ALTERNATIVES.items()
        if required_entity == entity
    )


def _column_findings(spec: LakeTableSpec, file: str, columns: _FileColumns) -> list[Finding]:
    """Missing mapped columns (required: ERROR, optional: WARNING) and unmapped columns (INFO) of one file."""
    mapped = {attribute: mapping for attribute, mapping in spec.columns.items() if mapping.kind != "value"}
    present = {attribute for attribute, mapping in mapped.items() if columns.has(mapping)}
    findings = []
    for attribute, mapping in mapped.items():
        if attribute in present:
            continue
        entry = f"{spec.name}.{attribute}"
        if _is_required_in_file(spec.entity, attribute, present):
            message = (
                f"{file}: required column {mapping.describe()} is missing (mapping {entry}); every row of this file "
                f"would be quarantined as missing_column: add the column to the file or fix the mapping in "
                f"{spec.yaml_file}"
            )
            findings.append(Finding(ERROR, message))
        else:
            message = f"{file}: column {mapping.describe()} is missing (mapping {entry}); {attribute} will be NULL"
            findings.append(Finding(WARNING, message))
    extra = columns.unmapped(mapped.values())
    if extra:
        shown = ", ".join(extra[:12]) + (f", ... ({len(extra)} in all)" if len(extra) > 12 else "")
        findings.append(Finding(INFO, f"{file}: columns not mapped, kept in extra_attributes: {shown}"))
    return findings


def _file_columns(spec: LakeTableSpec, path: Path) -> _FileColumns:
    if spec.format == "csv":
        return _csv_columns(spec, path)
    if spec.format == "jsonl":
        return _json_columns(spec, path)
    return _parquet_columns(path)


def _check_file(spec: LakeTableSpec, path: Path, file: str) -> tuple[int, list[Finding]]:
    """(rows, findings) of one lake file of a mapped table."""
    if spec.format == "parquet":
        rows = _parquet_rows(path)
    else:
        lines = count_lines(path, spec.encoding)
        if lines == 0:
            return 0, [Finding(WARNING, f"{file}: empty file, no rows to stage")]
        rows = lines - spec.header_lines
    columns = _file_columns(spec, path)
    if isinstance(columns, _JsonColumns) and not columns.records:
        message = f"{file}: no JSON object in its first {JSON_SAMPLE_LINES} lines; its columns cannot be checked"
        return rows, [Finding(WARNING, message)]
    return rows, _column_findings(spec, file, columns)


def _matched_files(lake_root: Path, pattern: str) -> list[Path]:
    if not lake_root.is_dir():
        return []
    return sorted(path for path in lake_root.glob(pattern) if path.is_file())


def _check_table(spec: LakeTableSpec, lake_root: Path) -> tuple[TableCheck, list[Finding]]:
    table = TableCheck(spec)
    findings: list[Finding] = []
    for path in _matched_files(lake_root, spec.path):
        file = path.relative_to(lake_root).as_posix()
        table.files.append(file)
        try:
            rows, file_findings = _check_file(spec, path, file)
        except (OSError, EOFError, ValueError) as error:  # gzip.BadGzipFile is an OSError, ArrowInvalid a ValueError
            findings.append(Finding(ERROR, f"{file}: cannot be read as {spec.format} ({error}); fix or remove it"))
            continue
        table.rows += rows
        findings += file_findings
    findings = _grouped_by_file(findings)
    if not table.files:
        message = f"{spec.name}: no files match {spec.path} under the lake root; {spec.staged_model} will be empty"
        findings.append(Finding(WARNING, message))
    return table, findings


def _grouped_by_file(findings: Sequence[Finding], most: int = 3) -> list[Finding]:
    """The same finding about more than `most` files of a table as one line naming the count and the first and last."""
    groups: dict[tuple[str, str], list[str]] = {}
    for finding in findings:
        file, _, rest = finding.message.partition(": ")
        groups.setdefault((finding.severity, rest), []).append(file)
    grouped = []
    for (severity, rest), files in groups.items():
        if len(files) > most:
            grouped.append(Finding(severity, f"{len(files)} files ({files[0]} ... {files[-1]}): {rest}"))
        else:
            grouped += [Finding(severity, f"{file}: {rest}") for file in files]
    return grouped


def _top_folder(pattern: str) -> str | None:
    first = pattern.split("/", 1)[0]
    return None if "/" not in pattern or any(char in first for char in "*?[") else first


def _unstaged_files(project_dir: Path, lake_root: Path) -> list[Finding]:
    """Files in the top folders of the declared systems that no declared lake glob matches."""
    declared = {lake["path"] for _, _, _, lake in _lake_tables(project_dir) if isinstance(lake.get("path"), str)}
    matched = {path for pattern in declared for path in _matched_files(lake_root, pattern)}
    folders = sorted({folder for pattern in declared if (folder := _top_folder(pattern))})
    findings = []
    for folder in folders:
        root = lake_root / folder
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(lake_root)
            if path.is_file() and path not in matched and not any(part.startswith(".") for part in relative.parts):
                message = (
                    f"{relative.as_posix()}: not staged: no lake source's path glob matches it; declare it in a "
                    f"sources YAML (or widen a glob), or move it out of {folder}/"
                )
                findings.append(Finding(WARNING, message))
    return findings


def check_lake(project_dir: Path, lake_root: Path) -> LakeReport:
    """Check the lake files of every mapped table against its mapping, reading only headers and samples.

    Per table: the files its glob matches and their rows; per file: mapped columns that are missing (required:
    ERROR, optional: WARNING) and columns no attribute maps (INFO). Lake tables with hand-written staging: the
    files their glob matches (none: WARNING). Also files in a declared system's folder that no lake glob matches
    (WARNING). Raises LakeMappingError on a bad mapping.
    """
    project_dir, lake_root = Path(project_dir), Path(lake_root)
    specs = load_specs(project_dir)
    report = LakeReport(lake_root)
    if specs and not lake_root.is_dir():
        report.findings.append(Finding(WARNING, f"the lake root {lake_root} does not exist; set C360_LAKE"))
    for spec in specs:
        table, findings = _check_table(spec, lake_root)
        report.tables.append(table)
        report.findings += findings
    mapped = {spec.name for spec in specs}
    for _, system, table_name, lake in _lake_tables(project_dir):
        name, pattern = f"{system}.{table_name}", lake.get("path")
        if name in mapped or not isinstance(pattern, str):
            continue
        files = len(_matched_files(lake_root, pattern))
        report.other_tables.append((name, pattern, files))
        if not files:
            report.findings.append(Finding(WARNING, f"{name}: no files match {pattern}; it will be staged empty"))
    report.findings += _unstaged_files(project_dir, lake_root)
    return report


# ---------------------------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------------------------


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.lake_mappings",
        description="Mapped lake sources: generate their dbt models, check they are current, check a lake.",
    )
    parser.add_argument(
        "command",
        nargs="?",
        default="generate",
        choices=["generate", "check", "check-lake"],
        help="generate (default): write the generated files that changed; check: exit 1 if any is stale or "
        "missing; check-lake: check the lake files against the mappings, exit 1 on errors",
    )
    parser.add_argument(
        "--project-dir", type=Path, default=DBT_PROJECT_DIR, help="the dbt project (default: %(default)s)"
    )
    parser.add_argument("--lake", type=Path, default=None, help="lake root for check-lake (default: C360_LAKE)")
    return parser.parse_args(argv)


def _run_generate(project_dir: Path) -> int:
    changed = generate(project_dir)
    for path in changed:
        print(f"{'wrote' if path.exists() else 'removed'} {_relative(path, project_dir)}")
    if not changed:
        print("lake mappings: generated files are current")
    return 0


def _run_check(project_dir: Path) -> int:
    stale = stale_files(project_dir)
    for path in stale:
        print(f"stale or missing generated file: {_relative(path, project_dir)}")
    if stale:
        print(f"run `{GENERATOR} generate` (make sources) and commit the result", file=sys.stderr)
        return 1
    print("lake mappings: generated files are current")
    return 0


def _run_check_lake(project_dir: Path, lake: Path | None) -> int:
    report = check_lake(project_dir, lake if lake is not None else load_settings().lake)
    print(report.render())
    return 1 if report.errors else 0


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m orchestration.lake_mappings [generate|check|check-lake] [--project-dir DIR] [--lake DIR]`."""
    args = _parse_args(argv)
    project_dir = Path(args.project_dir).resolve()
    try:
        if args.command == "check":
            return _run_check(project_dir)
        if args.command == "check-lake":
            return _run_check_lake(project_dir, args.lake)
        return _run_generate(project_dir)
    except LakeMappingError as error:
        print(f"lake mappings: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
