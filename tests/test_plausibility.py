"""Plausible dates: one mistyped year must not move the warehouse.

Orders and events dated outside the plausible window (var c360_plausible_from, default 1990-01-01, to the lake's
newest file time plus one day) are quarantined as implausible_date; a contact's birth date outside 1900..today
and a creation time outside the window are nulled and listed in attribute_issues, the contact staged. The
as-of date of the features then comes from plausible orders only. Real dbt on a small hand-made lake.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from dbt_runs import Build, assert_green, run_dbt
from lakes import _jsonl, _pos_row, _pos_table, write_lake

from orchestration.summary import STALE_DATA_DAYS, summarize_warehouse

# (file under the lake root, row key, code): every implausible value the fixture lake holds
QUARANTINED = [
    ("shop/orders/orders-2025-09.jsonl.gz", "WS-00000031", "implausible_date"),  # created_at 2031-03-01
    ("erp/sales_orders.csv", "4500000031", "implausible_date"),  # AUDAT 20310101
    ("pos/transactions/pos_20250604.parquet", "S001-20250604-00001|1", "implausible_date"),  # 1900-06-04
    ("game/telemetry/telemetry_20250616.jsonl.gz", "gm-2100", "implausible_date"),  # ts in 2100
]
NULLED = [  # (file, row key, attribute)
    ("crm/contacts.csv", "c0ffee00-0000-4000-8000-000000002090", "birth_date"),  # 2090-05-01
    ("crm/contacts.csv", "c0ffee00-0000-4000-8000-000000002090", "created_at"),  # 2099-01-01
    ("shop/accounts.jsonl", "Q1W2E3R4", "created_at"),  # 2090-01-01
]


def write_implausible_lake(root: Path) -> Path:
    """The hand-made lake plus one order, event or record per implausible case above."""
    write_lake(root)
    order = {
        "order_id": "WS-00000031",
        "account_id": "A7F3K2Q9",
        "created_at": "2031-03-01T10:00:00+00:00",
        "currency": "EUR",
        "status": "cancelled",
        "offer_id": None,
        "lines": [{"sku": "SKU-00001", "qty": 1, "unit_price": 89.9, "discount": 0}],
        "shipping_fee": 0,
        "total": 89.9,
    }
    _jsonl(root / "shop/orders/orders-2025-09.jsonl.gz", [order], gz=True)
    with open(root / "erp/sales_orders.csv", "a", encoding="utf-8") as out:
        out.write("4500000031;0000100001;20310101;100000;EUR;89,90\n")
    with open(root / "erp/sales_order_lines.csv", "a", encoding="utf-8") as out:
        out.write("4500000031;000010;SKU-00001;1,000;ST;89,90;89,90;EUR\n")
    pq.write_table(
        _pos_table([_pos_row("S001-20250604-00001", "S001", "1900-06-04T10:00:00", None, 1, "SKU-00001", 1, 89.9)]),
        root / "pos/transactions/pos_20250604.parquet",
    )
    event = {
        "event_id": "gm-2100",
        "event_type": "session_start",
        "ts": 4102444800000,  # 2100-01-01T00:00:00Z
        "player_id": "P-00000001",
        "session_id": "s-2100",
        "platform": "console",
        "game_id": "G03",
        "client_ip": "81.2.69.160",
        "payload": {},
    }
    _jsonl(root / "game/telemetry/telemetry_20250616.jsonl.gz", [event], gz=True)
    with open(root / "crm/contacts.csv", "a", encoding="utf-8") as out:
        out.write(
            "c0ffee00-0000-4000-8000-000000002090,Tess,Future,tess.future@example.com,,,,Leeds,,GB,"
            "2090-05-01,2099-01-01T10:00:00Z,2025-06-10T10:00:00Z,0,\n"
        )
    with open(root / "shop/accounts.jsonl", "a", encoding="utf-8") as out:
        out.write(
            '{"account_id": "Q1W2E3R4", "email": "late@example.com", "first_name": "Lou", "last_name": "Late", '
            '"phone": null, "birthday": null, "default_address": null, "loyalty_card": null, "newsletter": false, '
            '"created_at": "2090-01-01T10:00:00+00:00", "updated_at": "2025-06-10T10:00:00+00:00"}\n'
        )
    return root


@pytest.fixture(scope="module")
def implausible_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    lake = write_implausible_lake(tmp_path_factory.mktemp("implausible") / "lake")
    return run_dbt(lake, tmp_path_factory.mktemp("implausible_home"), "build")


def test_orders_and_events_outside_the_window_are_quarantined(implausible_build: Build) -> None:
    assert_green(implausible_build)
    found = {
        (source_file, row_key): (code, reason)
        for source_file, row_key, code, reason in implausible_build.query(
            "select source_file, row_key, rejection_code, rejection_reason from staging.quarantined_rows"
        )
    }
    for source_file, row_key, code in QUARANTINED:
        assert (source_file, row_key) in found, f"{source_file} {row_key} not quarantined"
        assert found[(source_file, row_key)][0] == code, found[(source_file, row_key)]
        assert "1990-01-01" in found[(source_file, row_key)][1]
    # the ERP order's item goes with its order
    assert found[("erp/sales_order_lines.csv", "4500000031|000010")][0] == "parent_order_rejected"


def test_implausible_birth_and_creation_dates_are_nulled_and_logged(implausible_build: Build) -> None:
    assert_green(implausible_build)
    issues = {
        (source_file, row_key, attribute): code
        for source_file, row_key, attribute, code in implausible_build.query(
            "select source_file, row_key, attribute_name, issue_code from staging.attribute_issues"
        )
    }
    for key in NULLED:
        assert issues.get(key) == "implausible_date", (key, issues)
    staged = implausible_build.query(
        "select birth_date, created_at from staging.stg_crm__contacts "
        "where source_record_id = 'c0ffee00-0000-4000-8000-000000002090'"
    )
    assert staged == [(None, None)]


def test_the_as_of_date_comes_from_plausible_orders_only(implausible_build: Build) -> None:
    assert_green(implausible_build)
    [(as_of, newest_order)] = implausible_build.query(
        "select (select max(as_of_date) from marts.customer_features), max(order_date) from marts.sales_orders"
    )
    assert newest_order < date(2026, 1, 1)
    assert as_of == date.fromordinal(newest_order.toordinal() + 1)
    # the window's end is the newest lake file's time: nothing staged lies after it
    [(latest_event,)] = implausible_build.query("select max(event_at) from staging.stg_game__game_events")
    assert latest_event.year < 2030


def test_a_fixed_window_end_comes_from_the_variable(tmp_path: Path) -> None:
    """c360_plausible_until fixes the last plausible day: an order after it is quarantined, one on it staged."""
    lake = write_lake(tmp_path / "lake")
    build = run_dbt(
        lake,
        tmp_path / "home",
        "run",
        "--select",
        "+base_erp__sales_orders",
        "--vars",
        "{c360_plausible_until: '2025-06-15'}",
    )
    assert_green(build)
    rejected = dict(
        build.query(
            "select row_key, rejection_code from staging.base_erp__sales_orders where rejection_code is not null"
        )
    )
    # 4500000001 of 2025-06-14 and 4500000002 of 2025-06-15 are plausible; 06-16 and 06-17 are after the window
    assert "4500000001" not in rejected and "4500000002" not in rejected
    assert rejected["4500000003"] == "implausible_date" and rejected["4500000004"] == "implausible_date"


def test_the_summary_warns_when_the_newest_order_is_far_older_than_the_lake(tmp_path: Path) -> None:
    """The as-of date follows the newest plausible order; data far older than the lake's files is said."""
    lake = tmp_path / "lake"
    (lake / "crm").mkdir(parents=True)
    (lake / "crm" / "contacts.csv").write_text("contactid\n1\n")
    warehouse = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create schema marts")
    con.execute("create table marts.sales_orders as select current_date - 10 as order_date")
    con.close()
    assert not [w for w in summarize_warehouse(warehouse, lake).warnings if "newest plausible order" in w]
    con = duckdb.connect(str(warehouse))
    con.execute(f"insert into marts.sales_orders select current_date - {STALE_DATA_DAYS + 30}")
    con.execute(f"delete from marts.sales_orders where order_date > current_date - {STALE_DATA_DAYS + 30}")
    con.close()
    warnings = [w for w in summarize_warehouse(warehouse, lake).warnings if "newest plausible order" in w]
    assert len(warnings) == 1 and f"{STALE_DATA_DAYS + 30} days before" in warnings[0]
    # without the lake root (the committed sample, whose file times are the checkout's): no such warning
    assert not [w for w in summarize_warehouse(warehouse).warnings if "newest plausible order" in w]
