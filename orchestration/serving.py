"""The BI serving layer: publish the dbt `serving` models as Parquet and a read-only serving database.

A DuckDB file admits one writer and no reader beside it, so BI tools never open the warehouse. After a
build, `publish()`:

1. opens the warehouse read-only and copies every model of schema `serving` (one snapshot, one
   transaction) to a new, never-changed file per publication,
   `<published>/<model>/versions/<model>.<publication>.parquet` (written as `...tmp-<uuid>` beside it and
   renamed), and renames a hard link to it over `<published>/<model>/<model>.parquet`, the model's current
   file for Parquet readers;
2. writes a new serving database `serving.duckdb.tmp-<uuid>` beside `C360_HOME/serving.duckdb` with one
   view per model over this publication's file (`select * from read_parquet('<absolute path>')`), the
   model's and columns' descriptions as comments and a table `serving_catalog` (view, file, rows, when),
   then renames it into place;
3. deletes publications older than a day that are no longer current.

The live serving database and a published file are never opened for writing, and no file a view reads
ever changes: a query sees one version whole. A connection keeps the catalog it opened, so all its views
stay on one publication (for at least the retention), and a new connection gets the latest. (Views over a
file replaced by rename under the same name are not enough with DuckDB 2.0: with 8 readers during
republishes, about one query in 20,000 failed with `TProtocolException: Invalid data`.)

`connect_serving()` is the reader's side: read-only, external access disabled except for the published
files themselves, configuration locked. `serving_engine()` is the same for SQLAlchemy (duckdb-engine,
what Superset uses) and pandas.

    python -m orchestration.serving publish           # publish from the current warehouse
    python -m orchestration.serving query "select ..."  # a read-only query against the serving database
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from orchestration.settings import C360Settings, load_settings

if TYPE_CHECKING:
    import sqlalchemy

SERVING_SCHEMA = "serving"
CATALOG_TABLE = "serving_catalog"
# How long publish() waits for a writer (dbt, a Python asset) to release the warehouse.
WAREHOUSE_LOCK_TIMEOUT_SECONDS = 120.0
# Publications older than this are deleted unless current: a serving connection opened before them and
# still open after this long must reconnect.
VERSION_RETENTION_SECONDS = 24 * 3600.0
VERSIONS_FOLDER = "versions"

Log = Callable[[str], None]

# DuckDB shares one database instance per file within a process, and the lockdown is global to it: one
# connection at a time applies it, so a second never sees it half done.
_LOCKDOWN = threading.Lock()


@dataclass(frozen=True)
class PublishedView:
    name: str
    parquet_path: Path  # this publication's immutable file, which the serving view reads
    current_path: Path  # <published>/<model>/<model>.parquet: the latest publication, for Parquet readers
    row_count: int
    columns: tuple[str, ...]


@dataclass(frozen=True)
class PublishResult:
    views: tuple[PublishedView, ...]
    serving_path: Path
    published_path: Path
    published_at: datetime
    seconds: float


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _connect_warehouse_read_only(warehouse: Path, timeout_seconds: float) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only, waiting while a writer (dbt, a Python asset) holds its lock."""
    if not warehouse.exists():
        raise FileNotFoundError(
            f"no warehouse at {warehouse}: build it first (make run, or python -m orchestration.dbt_cli build)"
        )
    deadline = time.monotonic() + timeout_seconds
    delay = 0.1
    while True:
        try:
            return duckdb.connect(str(warehouse), read_only=True)
        except duckdb.IOException as error:
            if "lock" not in str(error).lower() or time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


def serving_models(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The relations of schema `serving` in the warehouse: the models BI tools see."""
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ? order by table_name",
        [SERVING_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows]


def _descriptions(con: duckdb.DuckDBPyConnection, name: str) -> tuple[str | None, dict[str, str]]:
    """The model's and its columns' descriptions, as dbt's persist_docs wrote them to the warehouse."""
    view = con.execute(
        "select comment from duckdb_views() where schema_name = ? and view_name = ? "
        "union all select comment from duckdb_tables() where schema_name = ? and table_name = ?",
        [SERVING_SCHEMA, name, SERVING_SCHEMA, name],
    ).fetchall()
    columns = con.execute(
        "select column_name, comment from duckdb_columns() "
        "where schema_name = ? and table_name = ? and comment is not null",
        [SERVING_SCHEMA, name],
    ).fetchall()
    return (view[0][0] if view else None), dict(columns)


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def publish(
    settings: C360Settings | None = None,
    *,
    models: Sequence[str] | None = None,
    log: Log = print,
    lock_timeout_seconds: float = WAREHOUSE_LOCK_TIMEOUT_SECONDS,
    retention_seconds: float = VERSION_RETENTION_SECONDS,
) -> PublishResult:
    """Publish the serving models from the warehouse as Parquet, then swap in a new serving database.

    `models` defaults to every relation of schema `serving`; naming others publishes only those, and the
    serving database then holds views for exactly those.
    """
    settings = settings or load_settings()
    started = time.monotonic()
    published_root = settings.published_path
    published_at = datetime.now(UTC).replace(tzinfo=None)
    publication = f"{published_at:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
    staged: list[tuple[Path, Path]] = []
    views: list[PublishedView] = []
    descriptions: dict[str, tuple[str | None, dict[str, str]]] = {}
    con = _connect_warehouse_read_only(settings.warehouse_path, lock_timeout_seconds)
    try:
        names = list(models) if models is not None else serving_models(con)
        if not names:
            raise RuntimeError(
                f"schema {SERVING_SCHEMA!r} of {settings.warehouse_path} has no models: build them first "
                "(python -m orchestration.dbt_cli build -s models/serving)"
            )
        # One transaction: every file comes from the same snapshot of the warehouse.
        con.execute("begin transaction")
        for name in names:
            target = published_root / name / VERSIONS_FOLDER / f"{name}.{publication}.parquet"
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f"{target.name}.tmp-{uuid.uuid4().hex}")
            staged.append((temporary, target))
            relation = f"{_quote_identifier(SERVING_SCHEMA)}.{_quote_identifier(name)}"
            con.execute(f"copy (select * from {relation}) to {_quote_literal(str(temporary))} (format parquet)")
            row_count, columns = _parquet_shape(con, temporary)
            current = published_root / name / f"{name}.parquet"
            views.append(PublishedView(name, target.resolve(), current.resolve(), row_count, columns))
            descriptions[name] = _descriptions(con, name)
            log(f"serving: wrote {name} ({row_count} rows)")
        con.execute("commit")
    except BaseException:
        for temporary, _ in staged:
            _remove_quietly(temporary)
        raise
    finally:
        con.close()

    for (temporary, target), view in zip(staged, views, strict=True):
        # Read-only files: DuckDB's allow-list (connect_serving) cannot tell reading from writing, so a
        # reader's `COPY ... TO` over a published file meets the file system's refusal instead.
        os.chmod(temporary, 0o444)
        os.replace(temporary, target)
        # The model's current file: a hard link to this publication, renamed over the previous one.
        link = view.current_path.with_name(f"{view.current_path.name}.tmp-{uuid.uuid4().hex}")
        try:
            os.link(target, link)
        except OSError:  # a file system without hard links: a copy
            shutil.copyfile(target, link)
            os.chmod(link, 0o444)
        os.replace(link, view.current_path)
    serving_path = write_serving_database(settings.serving_path, views, descriptions, published_at)
    for view in views:
        _remove_old_publications(view, retention_seconds)
    seconds = time.monotonic() - started
    log(f"serving: published {len(views)} view(s) under {published_root}; serving database {serving_path}")
    return PublishResult(tuple(views), serving_path, published_root, published_at, seconds)


def _remove_old_publications(view: PublishedView, retention_seconds: float) -> None:
    """Delete the model's earlier publications older than the retention (never the current one).

    A file is never changed once written: a serving view reads one publication's file, so a query, and a
    connection for as long as the retention, sees one version whole however often the model is republished.
    """
    cutoff = time.time() - retention_seconds
    for path in view.parquet_path.parent.glob(f"{view.name}.*.parquet*"):
        if path != view.parquet_path and path.stat().st_mtime < cutoff:
            _remove_quietly(path)


def _parquet_shape(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[int, tuple[str, ...]]:
    """Rows (from the file's metadata) and top-level column names of a Parquet file."""
    source = f"read_parquet({_quote_literal(str(path))})"
    (row_count,) = con.execute(f"select count(*) from {source}").fetchone() or (0,)
    columns = tuple(row[0] for row in con.execute(f"describe select * from {source}").fetchall())
    return int(row_count), columns


def write_serving_database(
    serving_path: Path,
    views: Sequence[PublishedView],
    descriptions: dict[str, tuple[str | None, dict[str, str]]] | None = None,
    published_at: datetime | None = None,
) -> Path:
    """Write a new serving database beside `serving_path` and rename it into place.

    The live file is never opened for writing, so readers that hold it open keep working.
    """
    descriptions = descriptions or {}
    published_at = published_at or datetime.now(UTC).replace(tzinfo=None)
    serving_path.parent.mkdir(parents=True, exist_ok=True)
    temporary = serving_path.with_name(f"{serving_path.name}.tmp-{uuid.uuid4().hex}")
    try:
        con = duckdb.connect(str(temporary))
        try:
            con.execute(
                f"create table {CATALOG_TABLE} (view_name varchar primary key, parquet_path varchar not null, "
                "row_count bigint not null, published_at timestamp not null)"
            )
            con.execute(
                f"comment on table {CATALOG_TABLE} is 'The views of this serving database: the Parquet file each "
                "reads, its rows and when it was published (UTC). Written by orchestration/serving.py.'"
            )
            for view in views:
                name = _quote_identifier(view.name)
                path = _quote_literal(str(view.parquet_path))
                con.execute(f"create view {name} as select * from read_parquet({path})")
                con.execute(
                    f"insert into {CATALOG_TABLE} values (?, ?, ?, ?)",
                    [view.name, str(view.parquet_path), view.row_count, published_at],
                )
                comment, column_comments = descriptions.get(view.name, (None, {}))
                if comment:
                    con.execute(f"comment on view {name} is {_quote_literal(comment)}")
                for column, column_comment in column_comments.items():
                    if column in view.columns:
                        target = f"{name}.{_quote_identifier(column)}"
                        con.execute(f"comment on column {target} is {_quote_literal(column_comment)}")
            con.execute("checkpoint")
        finally:
            con.close()
        os.chmod(temporary, 0o444)
        os.replace(temporary, serving_path)
    except BaseException:
        _remove_quietly(temporary)
        _remove_quietly(temporary.with_name(temporary.name + ".wal"))
        raise
    return serving_path


def serving_lockdown_statements(parquet_paths: Sequence[str], *, directory: Path | None = None) -> list[str]:
    """SQL that locks a read-only connection to the serving database down to reading the published files.

    DuckDB accepts the allow-list only once the database is open, so these run right after connecting.
    `parquet_paths`: exactly the current publication's files (what `connect_serving` allows). `directory`
    instead: the whole published folder, a list that does not change with each publication, for static
    connection-init SQL (DBeaver's bootstrap queries, Metabase's init SQL); it also lets the connection
    create files in that folder (not overwrite the read-only published ones, unless it runs as root).
    """
    if directory is not None:
        allow = f"set allowed_directories = [{_quote_literal(str(directory).rstrip('/') + '/')}]"
    else:
        allow = f"set allowed_paths = [{', '.join(_quote_literal(path) for path in parquet_paths)}]"
    return [
        "set enable_external_file_cache = false",
        allow,
        "set enable_external_access = false",
        "set lock_configuration = true",
    ]


def _lock_down(con: Any) -> None:
    """Apply the lockdown on a fresh read-only connection (a duckdb or a duckdb-engine connection)."""
    paths = [path for (path,) in con.execute(f"select parquet_path from {CATALOG_TABLE}").fetchall()]
    try:
        with _LOCKDOWN:
            for statement in serving_lockdown_statements(paths):
                con.execute(statement)
    except duckdb.InvalidInputException as error:
        # DuckDB shares one database instance per file within a process: a second connection finds the
        # configuration already locked by the first. Accept it only if it is the lockdown.
        if "locked" not in str(error):
            raise
        settings = dict(
            con.execute(
                "select name, value from duckdb_settings() "
                "where name in ('enable_external_access', 'lock_configuration', 'access_mode')"
            ).fetchall()
        )
        if settings != {"enable_external_access": "false", "lock_configuration": "true", "access_mode": "read_only"}:
            raise


def connect_serving(path: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """A BI reader's connection to the serving database: read-only, no file access but the published
    Parquet files, configuration locked. `path` defaults to C360_HOME/serving.duckdb."""
    serving_path = Path(path) if path is not None else load_settings().serving_path
    if not serving_path.exists():
        raise FileNotFoundError(f"no serving database at {serving_path}: run `python -m orchestration.serving publish`")
    con = duckdb.connect(str(serving_path), read_only=True)
    try:
        _lock_down(con)
    except BaseException:
        con.close()
        raise
    return con


def serving_engine(path: Path | str | None = None) -> sqlalchemy.Engine:
    """A SQLAlchemy engine (duckdb-engine) over the serving database with connect_serving's lockdown.

    Every connection is opened read-only and locked down on connect, before SQLAlchemy uses it. No pool:
    DuckDB shares one open database per file within a process, so a process sees a new publication only
    once all its connections to the serving database have closed.
    """
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import NullPool

    serving_path = Path(path) if path is not None else load_settings().serving_path
    engine = create_engine(f"duckdb:///{serving_path.resolve()}", connect_args={"read_only": True}, poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        _lock_down(dbapi_connection)

    return engine


def _print_rows(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    cursor = con.execute(sql)
    columns = [column[0] for column in cursor.description or []]
    rows = cursor.fetchall()
    print("\t".join(columns))
    for row in rows:
        print("\t".join("" if value is None else str(value) for value in row))
    print(f"({len(rows)} rows)", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.serving", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    publish_parser = commands.add_parser("publish", help="publish the serving models from the current warehouse")
    publish_parser.add_argument("models", nargs="*", help="only these serving models (default: all)")
    query_parser = commands.add_parser("query", help="run one read-only query against the serving database")
    query_parser.add_argument("sql")
    commands.add_parser(
        "lockdown-sql",
        help="print the SQL that locks a BI tool's connection down (DBeaver bootstrap queries, Metabase init SQL)",
    )
    args = parser.parse_args(argv)
    if args.command == "publish":
        result = publish(models=args.models or None)
        print(f"serving: done in {result.seconds:.1f}s")
        for view in result.views:
            print(f"  {view.name:<40} {view.row_count:>10} rows  {view.current_path}")
        return 0
    if args.command == "lockdown-sql":
        statements = serving_lockdown_statements([], directory=load_settings().published_path.resolve())
        print(";\n".join(statements) + ";")
        return 0
    con = connect_serving()
    try:
        _print_rows(con, args.sql)
    except duckdb.Error as error:
        print(f"serving: {error}", file=sys.stderr)
        return 1
    finally:
        con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
