"""Staging layer: lake sources, CDM staging models and quarantine, with real dbt and DuckDB.

One `dbt build` per lake: the committed sample lake and the CRM + ERP partial lake (session fixtures in
conftest.py, shared with the identity tests), a corrupted hand-made lake and a shop-orders-only lake.
The warehouse file is opened read-only only after dbt has finished.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt_runs import Build, assert_green, run_dbt
from lakes import (
    DEFECTS,
    LAKE_FILES,
    UNREAD_FILES,
    count_lake_rows,
    write_corrupted_lake,
    write_partial_lake,
)

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
SAMPLE_LAKE = PROJECT_ROOT / "seeds_data" / "lake"
SAMPLE_TRUTH = PROJECT_ROOT / "seeds_data" / "truth"

# lake source table -> the staging model holding its accepted rows
STAGED_MODEL = {
    "crm.contacts": "stg_crm__contacts",
    "erp.customers": "stg_erp__contacts",
    "erp.sales_orders": "stg_erp__sales_orders",
    "erp.sales_order_lines": "stg_erp__sales_order_lines",
    "shop.accounts": "stg_shop__contacts",
    "shop.orders": "stg_shop__sales_orders",
    "pos.transactions": "stg_pos__sales_order_lines",
    "pos.loyalty_members": "stg_pos__contacts",
    "web.clickstream": "stg_web__click_events",
    "game.telemetry": "stg_game__game_events",
    "game.players": "stg_game__contacts",
    "marketing.campaigns": "stg_marketing__campaigns",
    "marketing.offers": "stg_marketing__offers",
    "marketing.exposures": "stg_marketing__campaign_exposures",
    "reference.products": "stg_reference__products",
    "reference.stores": "stg_reference__stores",
    "reference.fx_rates": "stg_reference__fx_rates",
    "reference.geoip_blocks": "stg_reference__geo_networks",
    "reference.geoip_locations": "stg_reference__geo_locations",
}

CONFORMED_ENTITIES = {
    "contacts": ["stg_crm__contacts", "stg_erp__contacts", "stg_shop__contacts", "stg_pos__contacts",
                 "stg_game__contacts"],
    "sales_orders": ["stg_erp__sales_orders", "stg_shop__sales_orders", "stg_pos__sales_orders"],
    "sales_order_lines": ["stg_erp__sales_order_lines", "stg_shop__sales_order_lines",
                          "stg_pos__sales_order_lines"],
}  # fmt: skip

CONTACT_COLUMNS = [
    "contact_id", "source_system", "source_record_id", "first_name", "last_name", "full_name", "nick_name",
    "email_address_1", "telephone_1", "mobile_phone", "address_1_line_1", "address_1_city",
    "address_1_postal_code", "address_1_country", "birth_date", "birth_year", "government_id", "do_not_bulk_email",
    "linked_source_system", "linked_source_record_id", "created_at", "modified_at", "source_file",
    "address_1_line_2", "address_1_state_or_province", "extra_attributes",
]  # fmt: skip

# Defects the truth lists in columns that no mapping attribute takes (kept in extra_attributes, not checked).
EXTRA_ATTRIBUTE_DEFECTS = {("pos/loyalty_members.csv", "unknown_store")}

# Quarantine codes that follow from another row's defect (not listed in the truth, by design).
CASCADE_CODES = {"customer_rejected", "parent_order_rejected", "unknown_customer"}
ORDER_TABLES = {"erp.sales_orders", "erp.sales_order_lines", "shop.orders", "pos.transactions"}


def staged_and_quarantined(build: Build) -> dict[str, tuple[int, int]]:
    con = build.connect()
    try:
        quarantined = dict(
            con.execute("select source_table, count(*) from staging.quarantined_rows group by 1").fetchall()
        )
        return {
            table: (con.execute(f"select count(*) from staging.{model}").fetchone()[0], quarantined.get(table, 0))
            for table, model in STAGED_MODEL.items()
        }
    finally:
        con.close()


def assert_reconciles(build: Build, lake: Path) -> None:
    """Rows counted from the files with Python = rows staged + rows quarantined, per source table."""
    rows_in = count_lake_rows(lake)
    counts = staged_and_quarantined(build)
    problems = {
        table: (rows_in[table], *counts[table])
        for table in LAKE_FILES
        if rows_in[table] != counts[table][0] + counts[table][1]
    }
    assert not problems, f"rows in != staged + quarantined (in, staged, quarantined): {problems}"


def quarantined_keys(build: Build) -> dict[tuple[str, str], str]:
    rows = build.query("select source_file, row_key, rejection_reason from staging.quarantined_rows")
    return {(source_file, row_key): reason for source_file, row_key, reason in rows}


# --------------------------------------------------------------------------------------------- builds
@pytest.fixture(scope="module")
def corrupted_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corrupted_lake(tmp_path_factory.mktemp("corrupted") / "lake")


@pytest.fixture(scope="module")
def corrupted_build(corrupted_lake: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    return run_dbt(corrupted_lake, tmp_path_factory.mktemp("corrupted_home"), "build")


@pytest.fixture(scope="module")
def shop_orders_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("shop_orders") / "lake"
    return write_partial_lake(root, ["shop", "reference"], only=["shop/orders", "reference/fx_rates.csv"])


@pytest.fixture(scope="module")
def shop_orders_build(shop_orders_lake: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    return run_dbt(shop_orders_lake, tmp_path_factory.mktemp("shop_orders_home"), "build")


# ---------------------------------------------------------------------------------------- sample lake
def test_sample_build_is_green(sample_build: Build) -> None:
    assert_green(sample_build)


def shapes_of(con: duckdb.DuckDBPyConnection, model: str) -> list[tuple[str, str]]:
    """(column, type) of a staging model, in column order."""
    return con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'staging' and table_name = ? order by ordinal_position",
        [model],
    ).fetchall()


def test_conformed_entities_have_identical_columns(sample_build: Build) -> None:
    assert_green(sample_build)
    con = sample_build.connect()
    try:
        for entity, models in CONFORMED_ENTITIES.items():
            first = shapes_of(con, models[0])
            assert first, f"{models[0]} has no columns"
            for model in models[1:]:
                shape = shapes_of(con, model)
                assert shape == first, f"{entity}: {model} differs from {models[0]}: {shape} != {first}"
        assert [name for name, _ in shapes_of(con, "stg_crm__contacts")] == CONTACT_COLUMNS
    finally:
        con.close()


def test_sample_reconciles_per_source_table(sample_build: Build) -> None:
    assert_green(sample_build)
    assert_reconciles(sample_build, SAMPLE_LAKE)
    inventory = dict(sample_build.query("select source_name, rows_in from staging.lake_inventory"))
    assert inventory == count_lake_rows(SAMPLE_LAKE)


def attribute_issue_keys(build: Build) -> dict[tuple[str, str], str]:
    """(file, row key) -> reasons of the values of staged rows that were nulled (mapped sources)."""
    rows = build.query(
        "select source_file, row_key, string_agg(issue_reason, '; ' order by attribute_name) "
        "from staging.attribute_issues group by all"
    )
    return {(source_file, row_key): reasons for source_file, row_key, reasons in rows}


def test_every_injected_defect_is_quarantined_or_logged(sample_build: Build) -> None:
    """A defect quarantines its row, or, when it is a bad optional value of a mapped source (a malformed
    birth or creation date), the row is staged with the value NULL and the value is in attribute_issues."""
    assert_green(sample_build)
    if not (SAMPLE_TRUTH / "malformed_rows.csv").exists():
        pytest.skip(f"no ground truth at {SAMPLE_TRUTH}")
    quarantined = {**attribute_issue_keys(sample_build), **quarantined_keys(sample_build)}
    with open(SAMPLE_TRUTH / "malformed_rows.csv", encoding="utf-8", newline="") as handle:
        defects = list(csv.DictReader(handle))
    assert defects
    # A defect in a column no attribute maps is no reason to reject a person: the row is staged and the
    # value kept, as written, in extra_attributes (the loyalty member's home store is not a contact attribute).
    kept = [d for d in defects if (d["file"], d["defect"]) in EXTRA_ATTRIBUTE_DEFECTS]
    staged_extras = dict(sample_build.query("select source_record_id, extra_attributes from staging.stg_pos__contacts"))
    assert kept and all(d["row_key"] in staged_extras for d in kept), kept
    assert all(json.loads(staged_extras[d["row_key"]])["home_store_id"] for d in kept), kept
    defects = [d for d in defects if d not in kept]
    missing = [d for d in defects if (d["file"], d["row_key"]) not in quarantined]
    assert not missing, f"{len(missing)} injected defects not quarantined, e.g. {missing[:5]}"
    wrong_reason = [
        (d, quarantined[(d["file"], d["row_key"])])
        for d in defects
        if f"{d['defect']}:" not in quarantined[(d["file"], d["row_key"])]
    ]
    assert not wrong_reason, f"quarantined for another reason: {wrong_reason[:5]}"
    # Beyond the truth, only rows that depend on a quarantined or absent master row are quarantined.
    listed = {(d["file"], d["row_key"]) for d in defects}
    extra = sample_build.query(
        "select source_table, source_file, row_key, rejection_code from staging.quarantined_rows"
    )
    unexpected = [row for row in extra if (row[1], row[2]) not in listed]
    assert all(code in CASCADE_CODES and table in ORDER_TABLES for table, _, _, code in unexpected), Counter(
        (table, code) for table, _, _, code in unexpected
    )


def test_sample_order_revenue_equals_line_revenue(sample_build: Build) -> None:
    assert_green(sample_build)
    con = sample_build.connect()
    try:
        for source in ("erp", "shop", "pos"):
            orders = f"staging.stg_{source}__sales_orders"
            lines = f"staging.stg_{source}__sales_order_lines"
            mismatched = con.execute(
                f"""
                select orders.sales_order_id
                from {orders} as orders
                left join (
                    select
                        sales_order_id,
                        count(*) as line_count,
                        sum(extended_amount) as lines_amount,
                        sum(extended_amount_eur) as lines_amount_eur
                    from {lines}
                    group by 1
                ) as line_totals on orders.sales_order_id = line_totals.sales_order_id
                where orders.line_count <> coalesce(line_totals.line_count, 0)
                    or orders.total_amount <> coalesce(line_totals.lines_amount, 0) + orders.shipping_amount
                    or orders.total_amount_eur
                        <> coalesce(line_totals.lines_amount_eur, 0) + orders.shipping_amount_eur
                """
            ).fetchall()
            assert not mismatched, f"{source}: order totals differ from their lines: {mismatched[:5]}"
            total_orders, total_lines, shipping = con.execute(
                f"select (select sum(total_amount_eur) from {orders}), (select sum(extended_amount_eur) "
                f"from {lines}), (select sum(shipping_amount_eur) from {orders})"
            ).fetchone()
            assert total_orders == total_lines + shipping, source
            assert total_orders > Decimal(0), source
            orphans = con.execute(
                f"select count(*) from {lines} where sales_order_id not in (select sales_order_id from {orders})"
            ).fetchone()[0]
            assert orphans == 0, source
    finally:
        con.close()


def test_sample_staging_uses_cdm_keys(sample_build: Build) -> None:
    assert_green(sample_build)
    con = sample_build.connect()
    try:
        for model in CONFORMED_ENTITIES["contacts"]:
            bad = con.execute(
                f"select count(*) from staging.{model} where contact_id <> source_system || ':' || source_record_id"
            ).fetchone()[0]
            assert bad == 0, model
        exposures = con.execute(
            "select recipient_type, min(split_part(recipient_contact_id, ':', 1)), "
            "max(split_part(recipient_contact_id, ':', 1)) "
            "from staging.stg_marketing__campaign_exposures group by 1"
        ).fetchall()
        expected = {"crm_contact": "crm", "loyalty_card": "pos", "shop_account": "shop", "game_player": "game"}
        for recipient_type, low, high in exposures:
            assert low == high == expected[recipient_type]
        networks = con.execute(
            "select count(*) from staging.stg_reference__geo_networks "
            "where network_start_ip > network_end_ip or network_end_ip > 4294967295"
        ).fetchone()[0]
        assert networks == 0
    finally:
        con.close()


# ------------------------------------------------------------------------------------ corrupted lake
def test_corrupted_lake_builds_and_loses_nothing(corrupted_build: Build, corrupted_lake: Path) -> None:
    assert_green(corrupted_build)
    assert_reconciles(corrupted_build, corrupted_lake)


def test_corrupted_lake_quarantines_or_logs_each_defect(corrupted_build: Build, corrupted_lake: Path) -> None:
    """Each defect quarantines its row or, as a bad optional value of a mapped source, is in attribute_issues."""
    assert_green(corrupted_build)
    quarantined = {**attribute_issue_keys(corrupted_build), **quarantined_keys(corrupted_build)}
    # campaigns.csv holds only its header here, so an offer's campaign cannot be judged (and is not)
    expected = [d for d in DEFECTS if (corrupted_lake / d[0]).exists() and d[2] != "unknown_campaign"]
    expected += [
        ("shop/orders/orders-2025-08.jsonl.gz", "line:1", "broken_json"),  # not JSON at all
        ("shop/orders/orders-2025-08.jsonl.gz", "line:2", "blank_line"),
        ("shop/orders/orders-2025-08.jsonl.gz", "line:3", "broken_json"),  # an array, not an object
        ("shop/orders/orders-2025-08.jsonl.gz", "WS-00000010", "bad_value"),  # lines is not an array
        ("shop/orders/orders-2025-08.jsonl.gz", "WS-00000011", "bad_number"),  # qty "two"
        ("shop/orders/orders-2025-08.jsonl.gz", "line:6", "broken_json"),  # a trailing comma
        ("shop/orders/orders-2025-08.jsonl.gz", "line:7", "broken_json"),  # NaN
        ("pos/transactions/pos_20250603.parquet", "S001-20250603-00001|2", "bad_number"),  # "many"
        ("erp/customers.csv", "0000100004", "bad_date"),
        ("erp/customers.csv", "0000100005", "wrong_field_count"),
        ("erp/customers.csv", "line:7", "blank_line"),
        ("reference/geoip/GeoLite2-City-Blocks-IPv4.csv", "300.1.1.0/24", "bad_value"),  # an octet above 255
        ("reference/geoip/GeoLite2-City-Blocks-IPv4.csv", "1.2.3.0/33", "bad_value"),  # a prefix above 32
    ]
    missing = [d for d in expected if (d[0], d[1]) not in quarantined]
    assert not missing, missing
    wrong = [(d, quarantined[(d[0], d[1])]) for d in expected if f"{d[2]}:" not in quarantined[(d[0], d[1])]]
    assert not wrong, wrong
    # the string-typed Parquet row whose values do parse is staged
    staged = corrupted_build.query(
        "select quantity from staging.stg_pos__sales_order_lines where source_record_id = 'S001-20250603-00001|1'"
    )
    assert staged == [(Decimal("1.000"),)]
    # a comma before a bracket, or NaN, inside a string value is no broken JSON
    order = corrupted_build.query("select rejection_code from staging.base_shop__orders where row_key = 'WS-00000014'")
    assert order == [(None,)]


def test_corrupted_lake_reports_parquet_schema_drift_per_file_and_column(corrupted_build: Build) -> None:
    """A Parquet file lacking a mapped column another file has is reported with that column; a lacking optional
    column is staged as NULL, a lacking required one quarantines the file's rows with the column named."""
    assert_green(corrupted_build)
    issues = {
        source_file: (code, missing, message)
        for source_file, code, missing, message in corrupted_build.query(
            "select source_file, issue_code, missing_columns, issue_message from staging.lake_file_issues "
            "where source_file like 'pos/transactions/pos_2025060_.parquet'"
        )
    }
    assert issues["pos/transactions/pos_20250606.parquet"][:2] == ("missing_columns", "discount")
    assert issues["pos/transactions/pos_20250607.parquet"][:2] == ("missing_columns", "sku")
    assert issues["pos/transactions/pos_20250608.parquet"][0] == "all_rows_rejected"
    assert "has no column transaction_ts" in issues["pos/transactions/pos_20250608.parquet"][2]
    staged = dict(
        corrupted_build.query(
            "select source_record_id, product_id from staging.stg_pos__sales_order_lines "
            "where source_record_id in ('S001-20250606-00001|1', 'S001-20250607-00001|1')"
        )
    )
    assert staged == {"S001-20250606-00001|1": "SKU-00001", "S001-20250607-00001|1": "unknown"}
    extra = corrupted_build.query(
        "select extra_attributes from staging.base_pos__transactions where row_key = 'S001-20250607-00001|1'"
    )
    assert "SKU-00001" in extra[0][0]  # the renamed column is kept, as an extra attribute


def test_corrupted_lake_reports_every_file_no_source_reads(corrupted_build: Build) -> None:
    """A file whose name misses its source's glob is listed in lake_inventory and is a lake_file_issues line; a
    compressed file of zero bytes is one too, and the rest of its source stages."""
    assert_green(corrupted_build)
    issues = dict(
        corrupted_build.query(
            "select source_file, source_table from staging.lake_file_issues where issue_code = 'unread_file'"
        )
    )
    assert issues == {
        "shop/orders/orders-2025-09.jsonl": "shop.orders",
        "game/telemetry/telemetry_20250617.json.gz": "game.telemetry",
        "pos/transactions/pos_20250605.PARQUET": "pos.transactions",
        "crm/contacts_2.csv": "crm.contacts",
    }
    assert set(issues) == set(UNREAD_FILES)
    unreadable = corrupted_build.query(
        "select source_table, source_file from staging.lake_file_issues where issue_code = 'unreadable_file'"
    )
    assert unreadable == [("game.telemetry", "game/telemetry/telemetry_20250618.jsonl.gz")]
    staged_events = corrupted_build.query("select count(*) from staging.stg_game__game_events")
    assert staged_events[0][0] > 0  # the source's other files still stage
    listed = dict(corrupted_build.query("select source_name, unread_files from staging.lake_inventory"))
    assert listed["crm.contacts"] == "crm/contacts_2.csv" and listed["erp.customers"] is None
    assert listed["shop.orders"] == "shop/orders/orders-2025-09.jsonl"


def test_corrupted_lake_reports_missing_empty_and_header_only_files(corrupted_build: Build) -> None:
    assert_green(corrupted_build)
    inventory = {
        row[0]: row[1:]
        for row in corrupted_build.query(
            "select source_name, files_found, rows_in, lake_status, warning_message from staging.lake_inventory"
        )
    }
    assert inventory["web.clickstream"][:3] == (0, 0, "missing")
    assert "no files match" in inventory["web.clickstream"][3]
    assert "Lake source web.clickstream: no files match" in corrupted_build.output
    assert inventory["marketing.campaigns"][:3] == (1, 0, "empty")  # header only
    assert inventory["game.telemetry"][:3] == (3, 5, "ok")  # of three files, one is empty, one of 0 bytes
    assert corrupted_build.query("select count(*) from staging.stg_web__click_events") == [(0,)]
    # a mapped file lacking optional columns (here all but the key): its rows are staged with NULLs there,
    # and lake_file_issues warns once for the file (models/staging/_lake_mappings__docs.md)
    locations = "reference/geoip/GeoLite2-City-Locations-en.csv"
    issues = corrupted_build.query(
        "select issue_code, missing_columns from staging.lake_file_issues where source_file = ?", [locations]
    )
    assert [(code, columns.split(", ")[0]) for code, columns in issues] == [("missing_columns", "locale_code")]
    staged = corrupted_build.query(
        "select geoname_id, city_name from staging.stg_reference__geo_locations order by geoname_id"
    )
    assert staged == [(2643743, None), (2950159, None)]


# -------------------------------------------------------------------------------------- partial lakes
def test_crm_and_erp_only_lake_builds_with_empty_staging_for_the_rest(crm_erp_build: Build, crm_erp_lake: Path) -> None:
    assert_green(crm_erp_build)
    assert_reconciles(crm_erp_build, crm_erp_lake)
    counts = staged_and_quarantined(crm_erp_build)
    for table, (staged, quarantined) in counts.items():
        if table.split(".")[0] in ("crm", "erp"):
            assert staged > 0, table
        else:
            assert (staged, quarantined) == (0, 0), table
            assert f"Lake source {table}: no files match" in crm_erp_build.output, table
    missing = {row[0] for row in crm_erp_build.query("select source_name from staging.lake_inventory "
                                                      "where lake_status = 'missing'")}  # fmt: skip
    assert missing == {table for table in LAKE_FILES if table.split(".")[0] not in ("crm", "erp")}
    for model in ("stg_pos__sales_orders", "stg_shop__sales_order_lines", "stg_game__game_events"):
        assert crm_erp_build.query(f"select count(*) from staging.{model}") == [(0,)], model


def test_shop_orders_only_lake_stages_the_orders(shop_orders_build: Build, shop_orders_lake: Path) -> None:
    assert_green(shop_orders_build)
    assert_reconciles(shop_orders_build, shop_orders_lake)
    # accounts, offers and products were not delivered, so those references are not judged
    orders = shop_orders_build.query(
        "select sales_order_id, customer_contact_id, total_amount_eur from staging.stg_shop__sales_orders order by 1"
    )
    assert [order[0] for order in orders] == ["shop:WS-00000001", "shop:WS-00000002", "shop:WS-00000005",
                                              "shop:WS-00000006"]  # fmt: skip
    assert all(order[2] is not None for order in orders)  # fx rates were delivered
    assert shop_orders_build.query("select count(*) from staging.stg_shop__contacts") == [(0,)]
    assert "Lake source shop.accounts: no files match" in shop_orders_build.output


def test_relative_lake_path_is_a_clear_error(tmp_path: Path) -> None:
    build = run_dbt(Path("seeds_data/lake"), tmp_path / "home", "compile", "--select", "raw_crm__contacts")
    assert build.returncode != 0
    assert "C360_LAKE must be the absolute path" in build.output
    assert "export C360_LAKE=$PWD/seeds_data/lake" in build.output
