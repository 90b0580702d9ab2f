"""What a run produced: rows per model, rows quarantined, warnings. Read from the warehouse after the run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.preflight import newest_file_day

_SKIP_SCHEMAS = ("information_schema", "pg_catalog")
# raw_* views and base_* parse tables are internal steps of staging; the summary lists what users query.
_INTERNAL_PREFIXES = ("raw_", "base_")


@dataclass
class RunSummary:
    rows_per_model: dict[str, int] = field(default_factory=dict)
    # (source, files found, rows in, rows staged, rows quarantined)
    lake_sources: list[tuple[str, int, int, int, int]] = field(default_factory=list)
    quarantined: list[tuple[str, str, int]] = field(default_factory=list)  # (source_table, reason, rows)
    warnings: list[str] = field(default_factory=list)
    identity: list[str] = field(default_factory=list)  # lines describing the identity resolution
    scores: list[str] = field(default_factory=list)  # one line per score table: rows, model version, spread

    @property
    def rows_quarantined(self) -> int:
        return sum(rows for _, _, rows in self.quarantined)

    def render(self) -> str:
        lines = ["", "c360 run summary", "================", "", "Lake sources (rows in = staged + quarantined):"]
        lines.append(f"  {'source':<28} {'files':>6} {'rows in':>12} {'staged':>12} {'quarantined':>12}")
        for source, files, rows_in, staged, quarantined in self.lake_sources:
            lines.append(f"  {source:<28} {files:>6,} {rows_in:>12,} {staged:>12,} {quarantined:>12,}")
        lines += ["", "Rows per model:"]
        width = max((len(name) for name in self.rows_per_model), default=10)
        for name, rows in sorted(self.rows_per_model.items()):
            lines.append(f"  {name:<{width}}  {rows:>12,}")
        lines += ["", f"Rows quarantined: {self.rows_quarantined:,}"]
        for source_table, code, rows in self.quarantined:
            lines.append(f"  {source_table:<28} {code:<40} {rows:>8,}")
        if self.identity:
            lines += ["", "Identity resolution:"] + [f"  {line}" for line in self.identity]
        if self.scores:
            lines += ["", "Scores (schema ml):"] + [f"  {line}" for line in self.scores]
        lines += ["", f"Warnings: {len(self.warnings)}"]
        lines += [f"  - {warning}" for warning in self.warnings]
        return "\n".join(lines) + "\n"


def _relation_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchone()
    return bool(found and found[0])


# Days between the newest plausible order or event and the newest lake file beyond which a run warns.
STALE_DATA_DAYS = 45


def _stale_data_warning(con: duckdb.DuckDBPyConnection, lake: Path | None) -> str | None:
    """A warning when the newest staged order or event lies far before the newest lake file: the as-of date of
    the features is the day after the newest order, so old data (or a lake copied later) moves it."""
    newest_file = newest_file_day(lake) if lake is not None else None
    if newest_file is None or not _relation_exists(con, "marts", "sales_orders"):
        return None
    row = con.execute("select max(order_date) from marts.sales_orders").fetchone()
    newest_order = row[0] if row else None
    if newest_order is None or (newest_file - newest_order).days <= STALE_DATA_DAYS:
        return None
    return (
        f"the newest plausible order is of {newest_order}, {(newest_file - newest_order).days} days before the "
        f"newest lake file was written ({newest_file}): features and scores are as of {newest_order} + 1 day "
        "unless C360_AS_OF is set; check that the lake is complete"
    )


def summarize_warehouse(warehouse: Path, lake: Path | None = None) -> RunSummary:
    """Count rows of every relation the build made; open the file read-only, after the writers are done.

    With the lake root, warn when its newest file is far newer than the newest staged order."""
    summary = RunSummary()
    if not warehouse.exists():
        summary.warnings.append(f"no warehouse at {warehouse}: nothing was built")
        return summary
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema not in (?, ?) order by 1, 2",
            list(_SKIP_SCHEMAS),
        ).fetchall()
        for schema, name in relations:
            if name.startswith(_INTERNAL_PREFIXES):
                continue
            count = con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()
            summary.rows_per_model[f"{schema}.{name}"] = int(count[0]) if count else 0
        if _relation_exists(con, "staging", "quarantined_rows"):
            summary.quarantined = [
                (str(table), str(reason), int(rows))
                for table, reason, rows in con.execute(
                    "select source_table, rejection_code, count(*) from staging.quarantined_rows "
                    "group by all order by 1, 2"
                ).fetchall()
            ]
        if _relation_exists(con, "staging", "lake_inventory"):
            inventory = con.execute(
                "select source_name, files_found, rows_in, rows_staged, rows_quarantined, warning_message "
                "from staging.lake_inventory order by 1"
            ).fetchall()
            for source, files, rows_in, staged, quarantined, warning in inventory:
                summary.lake_sources.append((source, files, rows_in, staged, quarantined))
                if warning:
                    summary.warnings.append(str(warning))
        if _relation_exists(con, "staging", "lake_file_issues"):
            # one line per file whose rows all failed or that lacks mapped columns
            rows = con.execute("select issue_message from staging.lake_file_issues order by 1").fetchall()
            summary.warnings += [str(message) for (message,) in rows]
        if _relation_exists(con, "staging", "attribute_issues"):
            issues = con.execute(
                "select source_table, attribute_name, issue_code, count(*) from staging.attribute_issues "
                "group by all order by 1, 2, 3"
            ).fetchall()
            summary.warnings += [
                f"{table}: {count} {attribute} value(s) staged as NULL ({code}; see staging.attribute_issues)"
                for table, attribute, code, count in issues
            ]
        stale = _stale_data_warning(con, lake)
        if stale:
            summary.warnings.append(stale)
        if _relation_exists(con, "marts", "customer_identity_map"):
            _summarize_identity(con, summary)
        _summarize_scores(con, summary)
    finally:
        con.close()
    return summary


def _summarize_identity(con: duckdb.DuckDBPyConnection, summary: RunSummary) -> None:
    contacts, customers, matched = con.execute(
        "select count(*), count(distinct customer_id), count(*) filter (where resolution_status = 'matched') "
        "from marts.customer_identity_map"
    ).fetchone()
    summary.identity.append(f"{contacts:,} source contacts -> {customers:,} customers ({matched:,} contacts matched)")
    for rule, rows in con.execute(
        "select match_rule, count(*) from marts.customer_identity_map group by 1 order by 2 desc, 1"
    ).fetchall():
        summary.identity.append(f"  {rule:<30} {rows:>10,}")
    if _relation_exists(con, "marts", "identity_merge_log"):
        for event_type, events in con.execute(
            "select event_type, count(*) from marts.identity_merge_log "
            "where logged_at = (select max(logged_at) from marts.identity_merge_log) group by 1 order by 1"
        ).fetchall():
            summary.identity.append(f"identity_merge_log, latest run: {events:,} {event_type} event(s)")
    if _relation_exists(con, "marts", "identity_cluster_warnings"):
        for (message,) in con.execute(
            "select warning_type || ' ' || cluster_label || ': ' || warning_message "
            "from marts.identity_cluster_warnings order by 1"
        ).fetchall():
            summary.warnings.append(f"identity: {message}")


# Score table -> a SQL expression describing its scores
_SCORE_SPREADS = {
    "churn_scores": "printf('mean churn probability %.3f', avg(churn_probability))",
    "clv_scores": "printf('expected spend %,.0f EUR in total', sum(clv_eur))",
    "customer_segments": "printf('%d segments', count(distinct segment))",
}


def _summarize_scores(con: duckdb.DuckDBPyConnection, summary: RunSummary) -> None:
    for table, spread in _SCORE_SPREADS.items():
        if not _relation_exists(con, "ml", table):
            continue
        columns = {row[0] for row in con.execute(f"describe ml.{table}").fetchall()}
        family = "any_value(model_family)" if "model_family" in columns else "null"
        rows, model_name, version, as_of, described, scored_by = con.execute(
            f"select count(*), any_value(model_name), any_value(model_version), any_value(as_of), {spread}, "
            f"{family} from ml.{table}"
        ).fetchone()
        by = f" ({scored_by})" if scored_by else ""
        summary.scores.append(
            f"ml.{table:<18} {rows:>8,} rows  {model_name} v{version}{by}  as of {as_of}: {described}"
        )
    if _relation_exists(con, "ml", "customer_segments"):
        for segment, customers in con.execute(
            "select segment, count(*) from ml.customer_segments group by 1 order by 2 desc, 1"
        ).fetchall():
            summary.scores.append(f"  {segment:<28} {customers:>8,}")
    _summarize_backtests(con, summary)


def _summarize_backtests(con: duckdb.DuckDBPyConnection, summary: RunSummary) -> None:
    """One line per model: the candidates' mean primary metric over the backtest origins, best first, and the
    windows, so the summary says which family won and why (ml.model_backtests; ml/backtest.py)."""
    if not _relation_exists(con, "ml", "model_backtests"):
        return
    from ml.backtest import PRIMARY  # model kind -> (primary metric, higher is better)

    for kind, (metric, higher) in PRIMARY.items():
        found = con.execute(
            "select candidate, avg(value), count(distinct origin_date), min(window_days), max(horizon_days) "
            "from ml.model_backtests where kind = ? and metric = ? group by candidate",
            [kind, metric],
        ).fetchall()
        if not found:
            continue
        found.sort(key=lambda row: -row[1] if higher else row[1])
        origins, window, horizon = found[0][2], found[0][3], found[0][4]
        ranking = ", ".join(f"{candidate} {value:.4g}" for candidate, value, *_ in found)
        windows = f"{window}-day windows" + ("" if window == horizon else f", shorter than the {horizon}-day horizon")
        summary.scores.append(f"{kind} backtests ({origins} origins, {windows}), mean {metric}, best first: {ranking}")


def champion_family_lines(home: Path) -> list[str]:
    """Why each churn / CLV champion is of its family (its training run's ``champion_family_reason``), for the
    run summary; nothing for a model without a champion or trained before families were chosen."""
    from ml import tracking

    lines = []
    for kind, model_name in (("churn", "c360_churn"), ("clv", "c360_clv")):
        try:
            params = tracking.champion_params(home, model_name)
        except Exception:  # no MLflow store yet under this home: nothing to say
            return lines
        if params and params.get("champion_family_reason"):
            lines.append(f"{kind} champion {params.get('model_family', '?')}: {params['champion_family_reason']}")
    return lines
