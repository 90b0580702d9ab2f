"""What a run produced: rows per model, rows quarantined, warnings. Read from the warehouse after the run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

_SKIP_SCHEMAS = ("information_schema", "pg_catalog")


@dataclass
class RunSummary:
    rows_per_model: dict[str, int] = field(default_factory=dict)
    quarantined: list[tuple[str, str, int]] = field(default_factory=list)  # (source_table, reason, rows)
    warnings: list[str] = field(default_factory=list)

    @property
    def rows_quarantined(self) -> int:
        return sum(rows for _, _, rows in self.quarantined)

    def render(self) -> str:
        lines = ["", "c360 run summary", "================", "", "Rows per model:"]
        width = max((len(name) for name in self.rows_per_model), default=10)
        for name, rows in sorted(self.rows_per_model.items()):
            lines.append(f"  {name:<{width}}  {rows:>12,}")
        lines += ["", f"Rows quarantined: {self.rows_quarantined:,}"]
        for source_table, reason, rows in self.quarantined:
            lines.append(f"  {source_table:<36} {reason:<40} {rows:>8,}")
        lines += ["", f"Warnings: {len(self.warnings)}"]
        lines += [f"  - {warning}" for warning in self.warnings]
        return "\n".join(lines) + "\n"


def _relation_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchone()
    return bool(found and found[0])


def summarize_warehouse(warehouse: Path) -> RunSummary:
    """Count rows of every relation the build made; open the file read-only, after the writers are done."""
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
            count = con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()
            summary.rows_per_model[f"{schema}.{name}"] = int(count[0]) if count else 0
        if _relation_exists(con, "staging", "quarantined_rows"):
            summary.quarantined = [
                (str(table), str(reason), int(rows))
                for table, reason, rows in con.execute(
                    "select source_table, rejection_reason, count(*) from staging.quarantined_rows "
                    "group by all order by 1, 2"
                ).fetchall()
            ]
        if _relation_exists(con, "staging", "lake_inventory"):
            for source, path in con.execute(
                "select source_name, lake_path from staging.lake_inventory where files_found = 0 order by 1"
            ).fetchall():
                summary.warnings.append(f"lake source {source} is missing (no files match {path}); staged empty")
    finally:
        con.close()
    return summary
