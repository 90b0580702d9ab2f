"""benchmarks.history_lengths.truncate_lake on a tiny generated lake: nothing dated before the cut survives, rows
reconcile (in = kept + dropped) and every file still reads in its format."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from benchmarks.history_lengths import cut_date, summarize_counts, truncate_lake
from seeds_data.generate import generate


@pytest.fixture(scope="module")
def tiny_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("history_lake")
    generate(scale=0.05, seed=2031, out=out)
    return out / "lake"


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return con.execute(sql).fetchone()[0]


def test_truncation_drops_everything_before_the_cut(tiny_lake: Path, tmp_path: Path) -> None:
    cut = cut_date(6)
    assert cut == date(2026, 4, 1)
    out = tmp_path / "lake_6m"
    counts = truncate_lake(tiny_lake, out, 6)
    assert all(0 <= count.rows_kept <= count.rows_in for count in counts)
    assert any(count.rows_dropped for count in counts) and any(count.rows_kept for count in counts)
    con = duckdb.connect()
    day = f"date '{cut}'"
    # ERP: dates that parse are on or after the cut; every kept line belongs to a kept order
    erp = out / "erp"
    assert (
        _rows(
            con,
            f"""
        select count(*) from read_csv('{erp}/sales_orders.csv', delim = ';', all_varchar = true)
        where try_strptime(AUDAT, '%Y%m%d') < {day}""",
        )
        == 0
    )
    assert _rows(
        con,
        f"""
        select count(*) from read_csv('{erp}/sales_order_lines.csv', delim = ';', all_varchar = true) as lines
        where lines.VBELN not in (
            select VBELN from read_csv('{erp}/sales_orders.csv', delim = ';', all_varchar = true)
            where VBELN is not null
        )""",
    ) == _rows(
        con,
        f"""
        select count(*) from read_csv('{tiny_lake}/erp/sales_order_lines.csv', delim = ';', all_varchar = true) as lines
        where lines.VBELN not in (
            select VBELN from read_csv('{tiny_lake}/erp/sales_orders.csv', delim = ';', all_varchar = true)
            where VBELN is not null
        )""",
    )  # orphan lines of the generator's defects only
    # daily partitions and record files in their formats
    assert (
        _rows(
            con,
            f"""
        select count(*) from read_parquet('{out}/pos/transactions/*.parquet')
        where cast(transaction_ts as date) < {day} - interval 1 day""",
        )
        == 0
    )
    assert (
        _rows(
            con,
            f"""
        select count(*) from read_json('{out}/game/telemetry/*.jsonl.gz', format = 'newline_delimited',
            columns = {{ts: 'bigint'}}, ignore_errors = true)
        where to_timestamp(ts / 1000) < timestamptz '{cut} 00:00:00+00'""",
        )
        == 0
    )
    assert (
        _rows(
            con,
            f"""
        select count(*) from read_json('{out}/shop/orders/*.jsonl.gz', format = 'newline_delimited',
            columns = {{created_at: 'varchar'}}, ignore_errors = true)
        where cast(try_cast(created_at as timestamptz) at time zone 'UTC' as date) < {day}""",
        )
        == 0
    )
    assert (
        _rows(
            con,
            f"""
        select count(*) from read_csv('{out}/marketing/exposures.csv.gz', all_varchar = true)
        where try_cast(assigned_at as timestamptz) < timestamptz '{cut} 00:00:00+00'""",
        )
        == 0
    )
    assert min(p.name for p in (out / "web" / "clickstream").iterdir()) >= f"dt={cut}"
    # rows reconcile, file by file, with what is on disk; master data is untouched
    for count in counts:
        assert count.rows_in == count.rows_kept + count.rows_dropped
    summary = {item["source"]: item for item in summarize_counts(counts)}
    assert (
        _rows(con, f"select count(*) from read_parquet('{out}/pos/transactions/*.parquet')")
        == (summary["pos/transactions/*"]["rows_kept"])
    )
    for master in ("crm/contacts.csv", "erp/customers.csv", "shop/accounts.jsonl", "marketing/campaigns.csv"):
        assert (out / master).read_bytes() == (tiny_lake / master).read_bytes()


def test_sixteen_months_keeps_the_whole_lake(tiny_lake: Path, tmp_path: Path) -> None:
    counts = truncate_lake(tiny_lake, tmp_path / "lake_16m", 16)
    assert sum(count.rows_dropped for count in counts) == 0
