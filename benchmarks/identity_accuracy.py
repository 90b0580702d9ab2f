"""Identity resolution accuracy against the generator's truth (tests and benchmarks only; models never read it).

Pairwise metrics: every pair of staged source records is a true pair when the truth gives both the same
person, and a predicted pair when the warehouse gives both the same customer. Precision = TP / predicted,
recall = TP / true. Reported overall and per source pair, with the number of real people split across several
customers and the number of customers holding several people, beside the exact-normalized-email baseline.

`python -m benchmarks.identity_accuracy --home DIR --truth DIR` prints the report for a built warehouse.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

# Assignments: one row per staged contact, the cluster it was given. Each query yields
# (source_system, source_record_id, cluster_id).
WAREHOUSE_ASSIGNMENTS = """
    select source_system, source_record_id, customer_id as cluster_id
    from marts.customer_identity_map
"""

# The simplest baseline: contacts with the same normalized e-mail are one person; the rest stand alone.
EMAIL_BASELINE_ASSIGNMENTS = """
    select source_system, source_record_id, coalesce(email_normalized, contact_id) as cluster_id
    from intermediate.int_contacts_normalized
"""


@dataclass
class PairCounts:
    true_pairs: int
    predicted_pairs: int
    true_positive_pairs: int

    @property
    def precision(self) -> float:
        return self.true_positive_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            **asdict(self),
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class IdentityAccuracy:
    records: int
    people: int
    clusters: int
    overall: PairCounts
    per_source_pair: dict[str, PairCounts] = field(default_factory=dict)
    people_split: int = 0
    clusters_merging_people: int = 0
    records_without_truth: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "records": self.records,
            "people": self.people,
            "clusters": self.clusters,
            "records_without_truth": self.records_without_truth,
            "people_split": self.people_split,
            "clusters_merging_people": self.clusters_merging_people,
            "overall": self.overall.as_dict(),
            "per_source_pair": {key: counts.as_dict() for key, counts in self.per_source_pair.items()},
        }


def _pairs(column: str) -> str:
    return f"sum({column} * ({column} - 1) / 2)"


def evaluate(con: duckdb.DuckDBPyConnection, assignments_sql: str, truth_dir: Path) -> IdentityAccuracy:
    """Score one assignment of contacts to clusters against truth/source_records.csv."""
    truth_csv = str(Path(truth_dir) / "source_records.csv").replace("'", "''")
    con.execute(f"""
        create or replace temp table _labelled as
        with assigned as ({assignments_sql}),
        truth as (
            select source_system, source_record_id, person_id
            from read_csv('{truth_csv}', header = true, all_varchar = true)
        )
        select assigned.source_system, assigned.source_record_id, assigned.cluster_id, truth.person_id
        from assigned
        left join truth using (source_system, source_record_id)
    """)
    records, unlabelled = con.execute("select count(*), count(*) - count(person_id) from _labelled").fetchone()
    con.execute("create or replace temp table _scored as select * from _labelled where person_id is not null")
    people, clusters = con.execute(
        "select count(distinct person_id), count(distinct cluster_id) from _scored"
    ).fetchone()

    def overall_counts() -> PairCounts:
        true_pairs = con.execute(
            f"select coalesce({_pairs('n')}, 0) from (select count(*) n from _scored group by person_id)"
        ).fetchone()[0]
        predicted = con.execute(
            f"select coalesce({_pairs('n')}, 0) from (select count(*) n from _scored group by cluster_id)"
        ).fetchone()[0]
        positive = con.execute(
            f"select coalesce({_pairs('n')}, 0) from (select count(*) n from _scored group by cluster_id, person_id)"
        ).fetchone()[0]
        return PairCounts(int(true_pairs), int(predicted), int(positive))

    def per_source(group_by: str) -> dict[tuple[str, str], int]:
        # Pairs between sources s1 <= s2 inside each group: n1 * n2 across sources, n (n - 1) / 2 within one.
        rows = con.execute(f"""
            with counts as (
                select {group_by}, source_system, count(*) as n from _scored group by all
            )
            select a.source_system, b.source_system,
                sum(case when a.source_system = b.source_system then a.n * (a.n - 1) / 2 else a.n * b.n end)
            from counts a join counts b
                on {" and ".join(f"a.{c.strip()} = b.{c.strip()}" for c in group_by.split(","))}
                and a.source_system <= b.source_system
            group by all
        """).fetchall()
        return {(s1, s2): int(n) for s1, s2, n in rows}

    true_by_pair = per_source("person_id")
    predicted_by_pair = per_source("cluster_id")
    positive_by_pair = per_source("cluster_id, person_id")
    per_source_pair = {
        f"{s1}-{s2}": PairCounts(
            true_by_pair.get((s1, s2), 0), predicted_by_pair.get((s1, s2), 0), positive_by_pair.get((s1, s2), 0)
        )
        for s1, s2 in sorted(set(true_by_pair) | set(predicted_by_pair))
    }
    people_split = con.execute(
        "select count(*) from (select person_id from _scored group by person_id having count(distinct cluster_id) > 1)"
    ).fetchone()[0]
    clusters_merging = con.execute(
        "select count(*) from (select cluster_id from _scored group by cluster_id having count(distinct person_id) > 1)"
    ).fetchone()[0]
    return IdentityAccuracy(
        records=int(records),
        people=int(people),
        clusters=int(clusters),
        overall=overall_counts(),
        per_source_pair=per_source_pair,
        people_split=int(people_split),
        clusters_merging_people=int(clusters_merging),
        records_without_truth=int(unlabelled),
    )


def blocking_recall(con: duckdb.DuckDBPyConnection, pairs_sql: str, truth_dir: Path) -> float:
    """Share of the truth's pairs that blocking compared. ``pairs_sql`` lists the compared pairs as
    ``source_system_a, source_record_id_a, source_system_b, source_record_id_b`` (either order)."""
    truth_csv = str(Path(truth_dir) / "source_records.csv").replace("'", "''")
    compared, true_pairs = con.execute(f"""
        with truth as (
            select source_system, source_record_id, person_id
            from read_csv('{truth_csv}', header = true, all_varchar = true)
        ),
        compared as ({pairs_sql})
        select
            (select count(*) from compared
                inner join truth as truth_a
                    on compared.source_system_a = truth_a.source_system
                    and compared.source_record_id_a = truth_a.source_record_id
                inner join truth as truth_b
                    on compared.source_system_b = truth_b.source_system
                    and compared.source_record_id_b = truth_b.source_record_id
                where truth_a.person_id = truth_b.person_id),
            (select coalesce({_pairs("n")}, 0) from (select count(*) as n from truth group by person_id))
    """).fetchone()
    return round(compared / true_pairs, 4) if true_pairs else 1.0


CANDIDATE_PAIRS = """
    select contacts_a.source_system as source_system_a, contacts_a.source_record_id as source_record_id_a,
        contacts_b.source_system as source_system_b, contacts_b.source_record_id as source_record_id_b
    from intermediate.int_identity_candidate_pairs as pairs
    inner join intermediate.int_contacts_normalized as contacts_a on pairs.contact_id_a = contacts_a.contact_id
    inner join intermediate.int_contacts_normalized as contacts_b on pairs.contact_id_b = contacts_b.contact_id
"""


def report(warehouse: Path, truth_dir: Path) -> dict[str, object]:
    """Accuracy of the warehouse's customer_identity_map and of the e-mail baseline, as one dict."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {
            "c360": evaluate(con, WAREHOUSE_ASSIGNMENTS, truth_dir).as_dict(),
            "email_baseline": evaluate(con, EMAIL_BASELINE_ASSIGNMENTS, truth_dir).as_dict(),
            "blocking_recall": blocking_recall(con, CANDIDATE_PAIRS, truth_dir),
        }
    finally:
        con.close()


def format_report(result: dict[str, object]) -> str:
    lines = []
    for name, accuracy in result.items():
        if not isinstance(accuracy, dict):
            lines.append(f"{name:15s} {accuracy}")
            continue
        overall = accuracy["overall"]
        lines.append(
            f"{name:15s} precision {overall['precision']:.4f}  recall {overall['recall']:.4f}  f1 {overall['f1']:.4f}"
            f"  (pairs true {overall['true_pairs']}, predicted {overall['predicted_pairs']},"
            f" correct {overall['true_positive_pairs']}); people split {accuracy['people_split']},"
            f" customers holding several people {accuracy['clusters_merging_people']}"
        )
        for pair, counts in accuracy["per_source_pair"].items():
            lines.append(
                f"    {pair:11s} P {counts['precision']:.4f}  R {counts['recall']:.4f}  F1 {counts['f1']:.4f}"
                f"  (true {counts['true_pairs']}, predicted {counts['predicted_pairs']})"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=Path(".c360"), help="C360_HOME holding warehouse.duckdb")
    parser.add_argument("--truth", type=Path, default=Path("seeds_data/truth"))
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = parser.parse_args(argv)
    result = report(args.home / "warehouse.duckdb", args.truth)
    print(json.dumps(result, indent=2) if args.json else format_report(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
