"""Fault suite: each fault a user's lake may have, on one small lake, built once by real dbt.

Every case is a row of FAULTS: the file, the row (or the file), and the verdict c360 must give: the row
quarantined with a code, a value nulled and listed in attribute_issues, the row staged unharmed, or the file
reported. Beside the per-case verdicts: rows in = staged + quarantined for every source (counted independently
in Python), and the as-of date of the features comes from plausible orders only. Dates: orders and events
outside the plausible window (var c360_plausible_from, default 1990-01-01, to the newest file time of the source plus
one day) are quarantined as implausible_date; a contact's birth date outside 1900..today and a creation time
outside the window are nulled. More structural faults (broken JSON, unread and unreadable files, Parquet schema
drift) are in the corrupted lake of test_staging.py.
"""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dbt_runs import Build, assert_green, run_dbt
from lakes import CRM_1, _jsonl, _pos_row, _pos_table, count_lake_rows, write_lake

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


def write_fault_lake(root: Path) -> Path:
    """The hand-made lake (which holds duplicates, broken lines and bad values of its own) plus one order, event
    or record per implausible date above, and a BOM, CRLF line ends and a renamed header column."""
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
    # a byte-order mark before the ERP customers' header; CRLF line ends in the stores file
    customers = root / "erp/customers.csv"
    customers.write_bytes(b"\xef\xbb\xbf" + customers.read_bytes())
    stores = root / "reference/stores.csv"
    stores.write_bytes(stores.read_bytes().replace(b"\n", b"\r\n"))
    # the players' export calls its country column "land": an optional mapped column missing from the header
    players = root / "game/players.csv"
    players.write_text(players.read_text().replace(",country,", ",land,", 1))
    # schema drift between the files of a source: a telemetry file whose events give the time as ISO text (a
    # number elsewhere) and call the platform "device"; an orders file without offer_id; a POS file whose
    # quantity is text
    drifted = dict(event, event_id="gm-drift", ts="2025-06-17T10:00:00Z", device=event["platform"])
    del drifted["platform"]
    _jsonl(root / DRIFTED["telemetry"], [drifted], gz=True)
    _jsonl(
        root / DRIFTED["orders"],
        [{key: value for key, value in dict(order, order_id="WS-00000032", created_at="2025-09-02T10:00:00+00:00")
          .items() if key != "offer_id"}],
        gz=True,
    )  # fmt: skip
    quantities = _pos_table(
        [_pos_row("S001-20250610-00001", "S001", "2025-06-10T09:00:00", None, 1, "SKU-00001", 1, 89.9)]
    )
    quantities = quantities.set_column(
        quantities.column_names.index("quantity"), "quantity", pa.array(["1"], pa.string())
    )
    pq.write_table(quantities, root / DRIFTED["pos"])
    # files no reader can decode; each is reported and left out, the other files of its source stage
    for name, data in unreadable_files(root).items():
        (root / name).write_bytes(data)
    return root


def unreadable_files(root: Path) -> dict[str, bytes]:
    """File under the lake root -> bytes no reader can decode (made from the hand-made lake's files)."""
    telemetry = (root / "game/telemetry/telemetry_20250614.jsonl.gz").read_bytes()
    exposures = gzip.decompress((root / "marketing/exposures.csv.gz").read_bytes())
    return {
        UNREADABLE["cut_gzip"]: telemetry[: len(telemetry) // 2],  # a copy cut short
        UNREADABLE["empty_gzip"]: b"",
        UNREADABLE["plain_gz"]: gzip.decompress(telemetry),  # named .gz, not compressed
        # a Windows export: one accented name in latin-1 where the source is declared UTF-8
        UNREADABLE["latin1"]: gzip.compress(exposures + "EX-0009,CMP-001,OF-0001,crm_contact,Zoë\n".encode("latin-1")),
        UNREADABLE["parquet"]: b"PAR1" + b"\0" * 64,  # the magic number, then no data and no footer
    }


# kind -> a file of the fault lake whose columns drifted from its source's other files
DRIFTED = {
    "telemetry": "game/telemetry/telemetry_20250617.jsonl.gz",
    "orders": "shop/orders/orders-2025-11.jsonl.gz",
    "pos": "pos/transactions/pos_20250610.parquet",
}

# kind -> a file of the fault lake that cannot be read
UNREADABLE = {
    "cut_gzip": "game/telemetry/telemetry_20250619.jsonl.gz",
    "empty_gzip": "game/telemetry/telemetry_20250618.jsonl.gz",
    "plain_gz": "shop/orders/orders-2025-10.jsonl.gz",
    "latin1": "marketing/exposures.csv.gz",
    "parquet": "pos/transactions/pos_20250609.parquet",
}


@pytest.fixture(scope="module")
def fault_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_fault_lake(tmp_path_factory.mktemp("faults") / "lake")


@pytest.fixture(scope="module")
def fault_build(fault_lake: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    return run_dbt(fault_lake, tmp_path_factory.mktemp("faults_home"), "build")


def test_orders_and_events_outside_the_window_are_quarantined(fault_build: Build) -> None:
    assert_green(fault_build)
    found = {
        (source_file, row_key): (code, reason)
        for source_file, row_key, code, reason in fault_build.query(
            "select source_file, row_key, rejection_code, rejection_reason from staging.quarantined_rows"
        )
    }
    for source_file, row_key, code in QUARANTINED:
        assert (source_file, row_key) in found, f"{source_file} {row_key} not quarantined"
        assert found[(source_file, row_key)][0] == code, found[(source_file, row_key)]
        assert "1990-01-01" in found[(source_file, row_key)][1]
    # the ERP order's item goes with its order
    assert found[("erp/sales_order_lines.csv", "4500000031|000010")][0] == "parent_order_rejected"


def test_implausible_birth_and_creation_dates_are_nulled_and_logged(fault_build: Build) -> None:
    assert_green(fault_build)
    issues = {
        (source_file, row_key, attribute): code
        for source_file, row_key, attribute, code in fault_build.query(
            "select source_file, row_key, attribute_name, issue_code from staging.attribute_issues"
        )
    }
    for key in NULLED:
        assert issues.get(key) == "implausible_date", (key, issues)
    staged = fault_build.query(
        "select birth_date, created_at from staging.stg_crm__contacts "
        "where source_record_id = 'c0ffee00-0000-4000-8000-000000002090'"
    )
    assert staged == [(None, None)]


def test_the_as_of_date_comes_from_plausible_orders_only(fault_build: Build) -> None:
    assert_green(fault_build)
    [(as_of, newest_order)] = fault_build.query(
        "select (select max(as_of_date) from marts.customer_features), max(order_date) from marts.sales_orders"
    )
    assert newest_order < date(2026, 1, 1)
    assert as_of == date.fromordinal(newest_order.toordinal() + 1)
    # the window's end is the newest file's time of the source: nothing staged lies after it
    [(latest_event,)] = fault_build.query("select max(event_at) from staging.stg_game__game_events")
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


# (fault, file, row key or None for the file, expected verdict): the verdict is 'quarantined:<code>',
# 'nulled:<attribute>', 'staged' or 'file:<lake_file_issues code>'
FAULTS = [
    ("order dated 2031", *QUARANTINED[0][:2], "quarantined:implausible_date"),
    ("ERP order date 20310101", *QUARANTINED[1][:2], "quarantined:implausible_date"),
    ("POS sale dated 1900", *QUARANTINED[2][:2], "quarantined:implausible_date"),
    ("telemetry event in 2100", *QUARANTINED[3][:2], "quarantined:implausible_date"),
    ("birth date 2090", *NULLED[0][:2], "nulled:birth_date"),
    ("contact created 2099", *NULLED[1][:2], "nulled:created_at"),
    ("shop account created 2090", *NULLED[2][:2], "nulled:created_at"),
    ("duplicate CRM contact", "crm/contacts.csv", CRM_1, "quarantined:duplicate_record"),
    ("duplicate POS line", "pos/transactions/pos_20250602.parquet", "S002-20250602-00002|1",
     "quarantined:duplicate_record"),
    ("broken JSON line", "shop/accounts.jsonl", "line:4", "quarantined:broken_json"),
    ("byte-order mark before the header", "erp/customers.csv", "0000100001", "staged"),
    ("CRLF line ends", "reference/stores.csv", "S001", "staged"),
    ("header column renamed (optional)", "game/players.csv", None, "file:missing_columns"),
    ("header column renamed: its rows still stage", "game/players.csv", "P-00000001", "staged"),
    ("gzip file cut short", UNREADABLE["cut_gzip"], None, "file:unreadable_file"),
    ("gzip file of zero bytes", UNREADABLE["empty_gzip"], None, "file:unreadable_file"),
    ("file named .gz, not compressed", UNREADABLE["plain_gz"], None, "file:unreadable_file"),
    ("CSV in latin-1, declared UTF-8", UNREADABLE["latin1"], None, "file:unreadable_file"),
    ("Parquet file without its footer", UNREADABLE["parquet"], None, "file:unreadable_file"),
    ("JSON field retyped (time as text)", DRIFTED["telemetry"], None, "file:retyped_columns"),
    ("JSON field renamed (platform -> device)", DRIFTED["telemetry"], None, "file:missing_columns"),
    ("JSON time as text: its row", DRIFTED["telemetry"], "gm-drift", "quarantined:bad_date"),
    ("JSON optional field dropped (offer_id)", DRIFTED["orders"], None, "file:missing_columns"),
    ("Parquet column retyped (quantity as text)", DRIFTED["pos"], None, "file:retyped_columns"),
    ("Parquet column retyped: its rows still stage", DRIFTED["pos"], "S001-20250610-00001|1", "staged"),
    ("telemetry beside an unreadable file stages", "game/telemetry/telemetry_20250614.jsonl.gz", "gm-0001",
     "staged"),
]  # fmt: skip


def verdicts(build: Build) -> dict[tuple[str, str | None], str]:
    """What c360 did with each row and file of the fault lake, in the FAULTS vocabulary."""
    found: dict[tuple[str, str | None], str] = {}
    for source_file, row_key, code in build.query(
        "select source_file, row_key, rejection_code from staging.quarantined_rows"
    ):
        found[(source_file, row_key)] = f"quarantined:{code}"
    for source_file, row_key, attributes in build.query(
        "select source_file, row_key, string_agg(attribute_name, ',' order by attribute_name) "
        "from staging.attribute_issues group by all"
    ):
        found.setdefault((source_file, row_key), f"nulled:{attributes}")
    for source_file, codes in build.query(
        "select source_file, string_agg(issue_code, ',' order by issue_code) from staging.lake_file_issues group by 1"
    ):
        found[(source_file, None)] = f"file:{codes}"
    return found


def test_every_fault_gets_its_verdict(fault_build: Build) -> None:
    assert_green(fault_build)
    found = verdicts(fault_build)
    staged_keys = set(
        fault_build.query(
            "select source_file, row_key from staging.base_erp__customers where rejection_code is null "
            "union all select source_file, row_key from staging.base_reference__stores where rejection_code is null "
            "union all select source_file, row_key from staging.base_game__players where rejection_code is null "
            "union all select source_file, row_key from staging.base_game__telemetry where rejection_code is null "
            "union all select source_file, row_key from staging.base_pos__transactions where rejection_code is null"
        )
    )
    table = []
    for fault, source_file, row_key, expected in FAULTS:
        if expected == "staged":
            got = "staged" if (source_file, row_key) in staged_keys and (source_file, row_key) not in found else "?"
        elif expected.startswith(("nulled:", "file:")):  # one of the row's nulled attributes, the file's issues
            kind = expected.split(":")[0] + ":"
            listed = found.get((source_file, row_key), "?").removeprefix(kind).split(",")
            got = expected if expected.removeprefix(kind) in listed else found.get((source_file, row_key), "?")
        else:
            got = found.get((source_file, row_key), "?")
        table.append((fault, expected, got))
    wrong = [row for row in table if row[1] != row[2]]
    assert not wrong, "\n".join(f"{fault}: expected {expected}, got {got}" for fault, expected, got in wrong)
    # the stores' names carry no carriage return, the ERP key no byte-order mark
    assert fault_build.query("select count(*) from staging.stg_reference__stores where store_name like '%\r%'") == [
        (0,)
    ]


def test_every_source_reconciles_with_an_independent_count(fault_build: Build, fault_lake: Path) -> None:
    """rows in (counted from the files in Python) = rows staged + rows quarantined, for every lake source."""
    assert_green(fault_build)
    inventory = {
        source: (rows_in, staged, quarantined)
        for source, rows_in, staged, quarantined in fault_build.query(
            "select source_name, rows_in, rows_staged, rows_quarantined from staging.lake_inventory"
        )
    }
    expected = count_lake_rows(fault_lake)
    for source, rows in expected.items():
        rows_in, staged, quarantined = inventory[source]
        assert (rows_in, rows_in) == (rows, staged + quarantined), (source, rows, inventory[source])


def test_an_unreadable_file_is_reported_with_its_problem(fault_build: Build) -> None:
    """One lake_file_issues line per file no reader can decode, saying what is wrong; its source still stages."""
    assert_green(fault_build)
    messages = dict(
        fault_build.query(
            "select source_file, issue_message from staging.lake_file_issues where issue_code = 'unreadable_file'"
        )
    )
    assert set(messages) == set(UNREADABLE.values())
    expected = {
        "cut_gzip": "gzip stream truncated",
        "empty_gzip": "0 bytes, so no gzip stream",
        "plain_gz": "not gzip data",
        "latin1": "not valid utf-8 at byte",
        "parquet": "not a readable Parquet file",
    }
    for kind, words in expected.items():
        assert words in messages[UNREADABLE[kind]], (kind, messages[UNREADABLE[kind]])
    # the accented name is on the exposures file's sixth line; the position is exact
    assert "(line 6)" in messages[UNREADABLE["latin1"]]
    # the other files of those sources are read: their rows are staged or quarantined, none is missing
    [(telemetry_files, pos_files)] = fault_build.query(
        "select (select count(distinct source_file) from staging.base_game__telemetry), "
        "(select count(distinct source_file) from staging.base_pos__transactions)"
    )
    assert telemetry_files >= 2 and pos_files >= 2


def test_schema_drift_is_reported_per_file_and_column(fault_build: Build) -> None:
    """A field or column of another type, or missing, in one file of a source is named with both types."""
    assert_green(fault_build)
    lines = {
        (source_file, code): (missing, retyped)
        for source_file, code, missing, retyped in fault_build.query(
            "select source_file, issue_code, missing_columns, retyped_columns from staging.lake_file_issues "
            "where issue_code in ('missing_columns', 'retyped_columns')"
        )
    }
    assert lines[(DRIFTED["telemetry"], "retyped_columns")] == (None, "$.ts (string here, number in most files)")
    assert lines[(DRIFTED["telemetry"], "missing_columns")] == ("$.platform", None)
    assert lines[(DRIFTED["orders"], "missing_columns")] == ("$.offer_id", None)
    assert lines[(DRIFTED["pos"], "retyped_columns")] == (None, "quantity (UTF8 here, INT32 in most files)")
    # no other file of those sources is reported as drifted, nor any file of the other sources
    drifted = {source_file for source_file, _ in lines} - {"game/players.csv"}
    assert drifted == set(DRIFTED.values())
    # the renamed field's values are kept with the event (which is quarantined for its time)
    [(extra,)] = fault_build.query("select raw_record from staging.base_game__telemetry where row_key = 'gm-drift'")
    assert '"device"' in extra
