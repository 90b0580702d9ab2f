"""The BI serving layer: published Parquet, the read-only serving database and its readers.

Starts from the session's sample build (`sample_build`, a full `dbt build` of the committed sample lake)
copied to this module's own C360 home, so the module may change and rebuild it. Real DuckDB, real dbt,
real SQLAlchemy (duckdb-engine) and pandas; readers run in their own processes, as BI tools do.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import PROJECT_ROOT, SAMPLE_LAKE
from dbt_runs import Build, assert_green, run_dbt

from orchestration.serving import connect_serving, publish, serving_engine
from orchestration.settings import C360Settings, load_settings

VIEWS = {
    "bi_customer_360",
    "bi_campaign_effectiveness",
    "bi_clicks_by_customer_product_offer",
    "bi_next_best_offer",
    "bi_player_activity",
    "bi_sales_orders",
    "bi_model_evaluation",
    "bi_model_backtests",
    "bi_identity_match_weights",
}

# One query per view (answers are compared whole, so sums are rounded: parallel float sums vary in the
# last bits). Each reads one view: a republish swaps files one by one, so only one view's answer is
# guaranteed to be a single version.
READER_QUERIES = [
    "select count(*), round(sum(total_amount_eur), 2), max(order_date) from bi_sales_orders",
    "select count(*), count(distinct address_city), min(address_city), max(address_city) from bi_customer_360",
    "select count(*), sum(click_count) from bi_clicks_by_customer_product_offer",
    "select count(*), round(sum(revenue_eur), 2) from bi_player_activity",
    "select count(*), round(sum(offer_score), 4) from bi_next_best_offer",
]

READER_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from orchestration.serving import connect_serving

    serving, stop, queries = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])
    answers, errors, count, con = set(), [], 0, connect_serving(serving)
    print("ready", flush=True)
    while not stop.exists():
        for index, sql in enumerate(queries):
            try:
                row = con.execute(sql).fetchone()
                answers.add((index, json.dumps(row, default=str)))
                count += 1
            except Exception as error:
                errors.append(f"{type(error).__name__}: {error}")
            time.sleep(0.01)  # a busy dashboard, not a CPU hog: the machine also runs dbt and the publisher
        if count % 50 < len(queries):
            # now and then a new connection, as a BI tool's pool opens them: it gets the current catalog
            con.close()
            con = connect_serving(serving)
    con.close()
    print(json.dumps({"answers": sorted(answers), "errors": errors[:20], "error_count": len(errors), "count": count}))
    """
)


def _settings(home: Path) -> C360Settings:
    return load_settings({"C360_LAKE": str(SAMPLE_LAKE), "C360_HOME": str(home)})


@pytest.fixture(scope="module")
def home(sample_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample warehouse, published once."""
    assert_green(sample_build)
    home = tmp_path_factory.mktemp("serving_home")
    shutil.copy(sample_build.warehouse, home / "warehouse.duckdb")
    publish(_settings(home), log=lambda _message: None)
    return home


def _answers(serving: Path) -> set[tuple[int, str]]:
    con = connect_serving(serving)
    try:
        return {
            (index, json.dumps(con.execute(sql).fetchone(), default=str)) for index, sql in enumerate(READER_QUERIES)
        }
    finally:
        con.close()


def test_published_files_and_views(home: Path) -> None:
    settings = _settings(home)
    # The committed sample lake stays as generated: its published area is under C360_HOME.
    assert settings.published_path == home / "published"
    assert not list((home / "published").rglob("*.tmp-*")), "a temporary file was left behind"
    assert not list(home.glob("serving.duckdb.tmp-*"))
    con = connect_serving(settings.serving_path)
    try:
        views = {name for (name,) in con.execute("select view_name from duckdb_views() where not internal").fetchall()}
        assert views == VIEWS
        catalog = {
            name: (Path(path), rows)
            for name, path, rows in con.execute(
                "select view_name, parquet_path, row_count from serving_catalog"
            ).fetchall()
        }
        for name in VIEWS:
            path, rows = catalog[name]
            # the view reads this publication's file; the model's current file is the same file
            assert path.parent == home / "published" / name / "versions", path
            assert (home / "published" / name / f"{name}.parquet").stat().st_ino == path.stat().st_ino
            assert con.execute(f"select count(*) from {name}").fetchone() == (rows,)
        assert catalog["bi_customer_360"][1] > 500
        # the dbt descriptions travel with the views
        comment = con.execute("select comment from duckdb_views() where view_name = 'bi_customer_360'").fetchone()
        assert comment and "masked" in comment[0]
    finally:
        con.close()


def test_published_area_rule(tmp_path: Path) -> None:
    own_lake = load_settings({"C360_LAKE": str(tmp_path / "lake"), "C360_HOME": str(tmp_path / "home")})
    assert own_lake.published_path == tmp_path / "lake" / "published"
    configured = load_settings({"C360_HOME": str(tmp_path / "home"), "C360_PUBLISHED": str(tmp_path / "bi")})
    assert configured.published_path == tmp_path / "bi"
    assert configured.env()["C360_PUBLISHED"] == str(tmp_path / "bi")


def test_sqlalchemy_and_pandas_list_and_query_the_views(home: Path) -> None:
    serving = home / "serving.duckdb"
    sql = "select channel, count(*) as orders from bi_sales_orders group by channel order by channel"
    con = connect_serving(serving)
    try:
        expected = con.execute(sql).fetchall()
    finally:
        con.close()  # duckdb-engine's connections differ in configuration; one process cannot mix them
    engine = serving_engine(serving)
    try:
        inspector = sa.inspect(engine)
        assert set(inspector.get_view_names()) == VIEWS
        columns = {column["name"] for column in inspector.get_columns("bi_customer_360")}
        assert {"customer_id", "email_domain", "age_band", "churn_probability"} <= columns
        assert not columns & {"first_name", "last_name", "full_name", "email_address", "birth_date"}
        frame = pd.read_sql(sql, engine)
        assert [tuple(row) for row in frame.itertuples(index=False)] == expected
        with engine.connect() as connection, pytest.raises(sa.exc.DBAPIError, match="disabled by configuration"):
            connection.exec_driver_sql("select * from read_csv('/etc/passwd')")
    finally:
        engine.dispose()
    # What a BI tool without connection hooks gets (Superset's engine parameters): read-only.
    plain = sa.create_engine(f"duckdb:///{serving}", connect_args={"read_only": True})
    try:
        assert len(pd.read_sql("select * from bi_player_activity", plain)) > 0
        with plain.connect() as connection, pytest.raises(sa.exc.DBAPIError, match="read-only"):
            connection.exec_driver_sql("create table scratch (a integer)")
    finally:
        plain.dispose()


def test_serving_connection_refuses_writes_and_file_access(home: Path, tmp_path: Path) -> None:
    current_file = home / "published" / "bi_sales_orders" / "bi_sales_orders.parquet"
    con = connect_serving(home / "serving.duckdb")
    published_file = Path(
        con.execute("select parquet_path from serving_catalog where view_name = 'bi_sales_orders'").fetchone()[0]
    )
    before = published_file.stat()
    refused = {
        f"copy (select 1 as a) to '{tmp_path / 'out.csv'}'": "disabled by configuration",
        f"copy (select 1 as a) to '{home / 'published' / 'out.parquet'}' (format parquet)": "disabled by configuration",
        f"copy (select 1 as a) to '{published_file}' (format parquet)": "disabled by configuration",
        f"copy (select 1 as a) to '{current_file}' (format parquet, use_tmp_file false)": "disabled by configuration",
        "select * from read_csv('/etc/passwd')": "disabled by configuration",
        f"select * from read_parquet('{home / 'published'}/*/*.parquet')": "disabled by configuration",
        f"select count(*) from '{home / 'warehouse.duckdb'}'": "disabled by configuration",
        "create table scratch (a integer)": "read-only",
        "create view scratch as select 1 as a": "read-only",
        "drop view bi_sales_orders": "read-only",
        f"attach '{home / 'warehouse.duckdb'}' as warehouse": "disabled by configuration",
        "set enable_external_access = true": "locked",
        "set allowed_directories = ['/']": "locked",
        "set lock_configuration = false": "locked",
        "load httpfs": "disabled",
    }
    try:
        for sql, reason in refused.items():
            with pytest.raises(duckdb.Error, match=reason):
                con.execute(sql)
        assert not (tmp_path / "out.csv").exists()
        assert not (home / "published" / "out.parquet").exists()
        assert published_file.stat().st_ino == before.st_ino and published_file.stat().st_size == before.st_size
        # DuckDB's allow-list does not tell reading from writing: writing in place over an allowed file
        # (use_tmp_file false) is stopped by the file's mode (0444), which binds every user but root.
        assert published_file.stat().st_mode & 0o222 == 0
        if os.geteuid() != 0:
            with pytest.raises(duckdb.Error):
                con.execute(f"copy (select 1 as a) to '{published_file}' (format parquet, use_tmp_file false)")
        assert con.execute("select count(*) from bi_sales_orders").fetchone()[0] > 0
    finally:
        con.close()


def test_no_personal_value_in_clear_in_any_published_view(home: Path) -> None:
    warehouse = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        personal: dict[str, set[str]] = {}
        for column in [
            "first_name",
            "last_name",
            "full_name",
            "email_address",
            "telephone_e164",
            "mobile_phone_e164",
            "address_line_1",
            "address_postal_code",
            "cast(birth_date as varchar)",
        ]:
            values = warehouse.execute(f"select distinct {column} from marts.customers where {column} is not null")
            personal[column] = {value for (value,) in values.fetchall() if len(value) >= 3}
        emails = personal["email_address"]
        local_parts = {email.split("@")[0] for email in emails if len(email.split("@")[0]) >= 4}
        phones = personal["telephone_e164"] | personal["mobile_phone_e164"]
    finally:
        warehouse.close()
    assert sum(len(values) for values in personal.values()) > 3000
    # Names that are also something else in the data (a city called like a family) are not evidence.
    con = connect_serving(home / "serving.duckdb")
    try:
        found: list[str] = []
        for name in sorted(VIEWS):
            columns = con.execute(f"describe {name}").fetchall()
            for column, data_type, *_ in columns:
                if data_type not in ("VARCHAR", "DATE", "TIMESTAMP"):
                    continue
                values = {
                    v for (v,) in con.execute(f'select distinct cast("{column}" as varchar) from {name}').fetchall()
                }
                values.discard(None)
                for personal_column, clear in personal.items():
                    if personal_column in ("first_name", "last_name") and column in ("address_city", "country_name"):
                        continue
                    if personal_column == "cast(birth_date as varchar)" and data_type == "VARCHAR":
                        continue
                    hits = values & clear
                    if hits:
                        found.append(f"{name}.{column} holds {personal_column} values, e.g. {sorted(hits)[:3]}")
                if data_type == "VARCHAR":
                    text = "\n".join(values)
                    leaked = [part for part in local_parts if part in text] + [p for p in phones if p in text]
                    if leaked:
                        found.append(f"{name}.{column} contains e-mail local parts or phones, e.g. {leaked[:3]}")
        assert not found, "\n".join(found)
        # the masked forms are there
        masked = con.execute(
            "select count(email_domain), count(*) filter (where email_domain = 'other'), "
            "max(length(address_postal_area)), count(distinct age_band) from bi_customer_360"
        ).fetchone()
        assert masked[0] > 500 and masked[2] == 2 and masked[3] >= 4
        domains = con.execute(
            "select distinct email_domain from bi_customer_360 where email_domain is not null"
        ).fetchall()
        assert domains and all("@" not in domain for (domain,) in domains)
    finally:
        con.close()


def _start_readers(serving: Path, stop: Path, count: int) -> list[subprocess.Popen[str]]:
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER_SCRIPT, str(serving), str(stop), json.dumps(READER_QUERIES)],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    for reader in readers:
        assert reader.stdout is not None
        assert reader.stdout.readline().strip() == "ready", reader.stderr.read() if reader.stderr else ""
    return readers


def _collect(readers: list[subprocess.Popen[str]]) -> list[dict]:
    results = []
    for reader in readers:
        out, err = reader.communicate(timeout=120)
        assert reader.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def test_readers_see_the_old_or_the_new_version_during_a_rebuild(home: Path) -> None:
    """4 reader processes query the views in a loop while dbt rebuilds the whole warehouse (the one writer)
    and the serving layer is republished, then while the marts change and the serving layer is republished
    several times."""
    settings = _settings(home)
    serving = settings.serving_path
    old = _answers(serving)
    stop = home / "stop-readers"
    stop.unlink(missing_ok=True)
    readers = _start_readers(serving, stop, 4)
    try:
        time.sleep(1.0)
        # A full rebuild (every model) while the readers hold the serving database: it is not blocked, and
        # the same lake gives the same answers once republished.
        rebuild = run_dbt(SAMPLE_LAKE, home, "run")
        assert_green(rebuild)
        publish(settings, log=lambda _message: None)
        assert _answers(serving) == old
        # A new version of the data: the writer changes marts the serving views read.
        writer = duckdb.connect(str(settings.warehouse_path))
        try:
            writer.execute("update marts.sales_orders set total_amount_eur = total_amount_eur + 1")
            writer.execute("update marts.customers set address_city = upper(address_city)")
        finally:
            writer.close()
        for _ in range(6):
            publish(settings, log=lambda _message: None)
            time.sleep(0.3)
        time.sleep(1.0)
    finally:
        stop.touch()
    results = _collect(readers)
    new = _answers(serving)
    assert new != old and len(new) == len(READER_QUERIES)
    assert sum(result["error_count"] for result in results) == 0, [result["errors"] for result in results]
    for result in results:
        seen = {(index, answer) for index, answer in result["answers"]}
        assert seen <= old | new, sorted(seen - old - new)[:5]
        assert result["count"] >= 100, result["count"]
    # together the readers saw both versions
    assert any({tuple(a) for a in result["answers"]} & (new - old) for result in results)
    assert any({tuple(a) for a in result["answers"]} & (old - new) for result in results)


def test_an_open_reader_keeps_working_and_a_new_one_sees_the_new_catalog(home: Path) -> None:
    settings = _settings(home)
    held = connect_serving(settings.serving_path)
    try:
        sql = "select view_name, parquet_path from serving_catalog order by view_name"
        files_before = held.execute(sql).fetchall()
        offers = held.execute("select count(*) from bi_next_best_offer").fetchone()[0]
        assert offers > 0
        publish(settings, models=sorted(VIEWS - {"bi_next_best_offer"}), log=lambda _message: None)
        # the connection opened before keeps its catalog: every view on the publication it opened
        assert held.execute(sql).fetchall() == files_before
        assert held.execute("select count(*) from bi_sales_orders").fetchone()[0] > 0
        assert held.execute("select count(*) from bi_next_best_offer").fetchone()[0] == offers
        # a new reader (another process, as a BI tool is) gets the new catalog
        env = {**os.environ, "C360_HOME": str(home), "C360_LAKE": str(SAMPLE_LAKE)}
        done = subprocess.run(
            [sys.executable, "-m", "orchestration.serving", "query", "select view_name from serving_catalog"],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert set(done.stdout.split()[1:]) == VIEWS - {"bi_next_best_offer"}
    finally:
        held.close()
        publish(settings, log=lambda _message: None)


def test_dagster_asset_publishes_every_serving_model(home: Path) -> None:
    from orchestration.resources import C360Resource
    from orchestration.serving_assets import serving_assets

    assets = serving_assets()
    specs = {spec.key: spec for asset in assets for spec in asset.specs}
    assert {key.path[-1] for key in specs} == VIEWS
    for key, spec in specs.items():
        assert key.path[0] == "published"
        assert {dep.asset_key for dep in spec.deps} == {dg.AssetKey(["serving", key.path[-1]])}
    before = (home / "serving.duckdb").stat().st_ino
    result = dg.materialize(assets, resources={"c360": C360Resource(lake=str(SAMPLE_LAKE), home=str(home))})
    assert result.success
    assert (home / "serving.duckdb").stat().st_ino != before
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert materialized == set(specs)


def test_dbt_docs_describe_every_model_and_the_serving_exposure(home: Path, tmp_path: Path) -> None:
    """`make docs` generates the site from the built warehouse: every model documented, the BI views with their
    columns in the catalog, and the exposure naming exactly the serving views."""
    docs_home = tmp_path / "docs_home"
    docs_home.mkdir()
    shutil.copy(home / "warehouse.duckdb", docs_home / "warehouse.duckdb")
    assert_green(run_dbt(SAMPLE_LAKE, docs_home, "docs", "generate"))
    target = docs_home / "target"
    assert (target / "index.html").stat().st_size > 0
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    models = {key: node for key, node in manifest["nodes"].items() if node["resource_type"] == "model"}
    assert not [node["name"] for node in models.values() if not node["description"].strip()]
    serving = {key for key, node in models.items() if node["config"].get("schema") == "serving"}
    assert {key.split(".")[-1] for key in serving} == VIEWS, serving
    exposure = manifest["exposures"]["exposure.c360.bi_serving_database"]
    assert set(exposure["depends_on"]["nodes"]) == serving
    assert "masked" in exposure["description"].lower() or "masking" in exposure["description"].lower()
    for key in serving:
        documented = {name.lower() for name, column in models[key]["columns"].items() if column["description"]}
        built = {name.lower() for name in catalog["nodes"][key]["columns"]}
        assert built and built == documented, (key, built ^ documented)
