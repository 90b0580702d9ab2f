"""How much identity recall the evidence in a built warehouse allows (benchmark only; reads the generator's truth).

    python -m benchmarks.identity_ceiling --home bench_out/scale_10/identity_home --truth bench_out/scale_10/truth

Pairwise recall as in benchmarks.identity_accuracy, for three clusterings that no rule set can beat on their own
terms, each as connected components of the links it keeps:

1. `oracle_candidate_pairs`: every true pair among the scored candidate pairs (int_identity_edges_scored) linked,
   every false one not. The recall any decision over these candidates can reach at precision 1.
2. `oracle_with_spelled_names`: 1, plus every true link between an account without names and a named record of
   the same person whose names its e-mail local part or gamer tag spells (the evidence int_identity_accounts_attached
   uses outside the candidate pairs), whatever the birth years.
3. `supervised`: a gradient-boosted classifier trained on the truth over the edge features (5 folds, split by
   person), pairs scored out of fold; the highest recall whose precision is still >= 0.99, with its threshold.
   What a model fitted to the answers gets from the same features, for comparison with the hand-set rules.

Then what the true pairs beyond 2 share: e-mail, phone, postcode, birth date, birth year, first and last name.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import duckdb
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold, cross_val_predict

PRECISION_TARGET = 0.99
THRESHOLDS = [0.5, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99, 0.995]

# The e-mail and tag spellings of a person's names, as the dbt macros email_name_spellings / nick_name_spellings.
SPELLINGS = [
    ("email_local_key", "{first} || {last}"),
    ("email_local_key", "{last} || {first}"),
    ("email_local_key", "substring({first}, 1, 1) || {last}"),
    ("nick_name_key", "{first} || substring({last}, 1, 3)"),
    ("nick_name_key", "{first} || substring({last}, 1, 2)"),
]


def _load(con: duckdb.DuckDBPyConnection, truth_dir: Path) -> None:
    truth_csv = str(truth_dir / "source_records.csv").replace("'", "''")
    con.execute(f"""
        create temp table records as
        select
            contacts.*,
            truth.person_id,
            row_number() over (order by contacts.contact_id) - 1 as record_index
        from intermediate.int_contacts_normalized as contacts
        inner join read_csv('{truth_csv}', header = true, all_varchar = true) as truth
            on contacts.source_system = truth.source_system and contacts.source_record_id = truth.source_record_id
    """)


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The connected component of each of n records, linked by (a[i], b[i])."""
    return connected_components(coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n)), directed=False)[1]


def _precision_recall(label: np.ndarray, person: np.ndarray, true_pairs: int) -> tuple[float, float]:
    """Pairwise precision and recall of the clusters `label` against the people `person`."""
    _, per_cluster_person = np.unique(label.astype(np.int64) * (person.max() + 1) + person, return_counts=True)
    correct = int((per_cluster_person * (per_cluster_person - 1) // 2).sum())
    cluster_sizes = np.bincount(label)
    predicted = int((cluster_sizes * (cluster_sizes - 1) // 2).sum())
    return (correct / predicted if predicted else 1.0), correct / true_pairs


def ceiling(warehouse: Path, truth_dir: Path, seed: int = 0) -> dict[str, object]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        _load(con, truth_dir)
        person_ids = con.execute("select person_id from records order by record_index").fetchnumpy()["person_id"]
        _, person = np.unique(person_ids, return_inverse=True)
        n = len(person)
        sizes = np.bincount(person)
        true_pairs = int((sizes * (sizes - 1) // 2).sum())

        edge_columns = con.sql("select * from intermediate.int_identity_edges_scored limit 0")
        features = [
            name
            for name, kind in zip(edge_columns.columns, edge_columns.types, strict=True)
            if str(kind) in ("BOOLEAN", "DOUBLE", "FLOAT", "INTEGER", "BIGINT") or str(kind).startswith("DECIMAL")
        ]
        edges = con.execute(f"""
            select
                records_a.record_index as index_a,
                records_b.record_index as index_b,
                {", ".join(f"cast({name} as double) as {name}" for name in features)}
            from intermediate.int_identity_edges_scored as edges
            inner join records as records_a on edges.contact_id_a = records_a.contact_id
            inner join records as records_b on edges.contact_id_b = records_b.contact_id
            order by index_a, index_b
        """).fetchnumpy()
        index_a, index_b = edges["index_a"], edges["index_b"]
        is_true = person[index_a] == person[index_b]

        # Every spelled-name pair: an account without names and any named record its e-mail or tag spells, of
        # anyone, with how common the spelling is. Its true pairs are the second oracle's extra links.
        spelled_pairs = con.execute(
            f"""
            with spelled as (
                {
                " union all ".join(
                    f'''
                    select
                        nameless.record_index as index_a,
                        named.record_index as index_b,
                        {int(position < 2 or key == "nick_name_key")} as is_full_spelling,
                        nameless.known_birth_year as year_a,
                        named.known_birth_year as year_b,
                        nameless.address_1_country as country_a,
                        named.address_1_country as country_b,
                        nameless.{key} as spelling
                    from records as nameless
                    inner join records as named
                        on nameless.{key} = {spelling.format(first="named.first_name_key", last="named.last_name_key")}
                    where nameless.first_name_key is null and nameless.last_name_key is null
                        and named.first_name_key is not null and named.last_name_key is not null
                    '''
                    for position, (key, spelling) in enumerate(SPELLINGS)
                )
            }
            ),
            frequency as (
                select spelling, count(distinct index_b) as named_records from spelled group by spelling
            ),
            year_frequency as (
                select spelling, year_b, count(distinct index_b) as named_records_same_year
                from spelled group by spelling, year_b
            )
            select
                spelled.index_a,
                spelled.index_b,
                max(spelled.is_full_spelling) as is_full_spelling,
                max(case when spelled.year_a = spelled.year_b then 1
                         when spelled.year_a <> spelled.year_b then -1 else 0 end) as birth_year_relation,
                max(case when spelled.country_a <> spelled.country_b then 1 else 0 end) as is_country_conflict,
                min(frequency.named_records) as named_records,
                min(coalesce(year_frequency.named_records_same_year, 0)) as named_records_same_year
            from spelled
            inner join frequency using (spelling)
            left join year_frequency
                on spelled.spelling = year_frequency.spelling and spelled.year_a = year_frequency.year_b
            group by spelled.index_a, spelled.index_b
            order by spelled.index_a, spelled.index_b
            """
        ).fetchnumpy()
        spelled_a, spelled_b = spelled_pairs["index_a"], spelled_pairs["index_b"]
        spelled_true = person[spelled_a] == person[spelled_b]

        oracle = _precision_recall(_components(n, index_a[is_true], index_b[is_true]), person, true_pairs)
        with_spelled_label = _components(
            n,
            np.concatenate([index_a[is_true], spelled_a[spelled_true]]),
            np.concatenate([index_b[is_true], spelled_b[spelled_true]]),
        )
        with_spelled = _precision_recall(with_spelled_label, person, true_pairs)

        # Supervised: one classifier over the candidate pairs' features, one over the spelled-name pairs; both
        # scored out of fold, then every pair of thresholds tried.

        def out_of_fold(matrix: np.ndarray, labels: np.ndarray, groups: np.ndarray) -> np.ndarray:
            model = HistGradientBoostingClassifier(max_iter=300, random_state=seed)
            return cross_val_predict(
                model, matrix, labels.astype(int), cv=GroupKFold(5), groups=groups % 5, method="predict_proba"
            )[:, 1]

        edge_matrix = np.column_stack(
            [np.nan_to_num(np.asarray(edges[name], dtype=float), nan=-1.0) for name in features]
        )
        edge_scores = out_of_fold(edge_matrix, is_true, person[index_a])
        spelled_columns = [name for name in spelled_pairs if name not in ("index_a", "index_b")]
        spelled_matrix = np.column_stack([np.asarray(spelled_pairs[name], dtype=float) for name in spelled_columns])
        spelled_scores = (
            out_of_fold(spelled_matrix, spelled_true, person[spelled_a]) if spelled_true.any() else np.zeros(0)
        )
        curve = []
        for edge_threshold in THRESHOLDS:
            for spelled_threshold in [*THRESHOLDS, 1.01]:
                keep_edges = edge_scores >= edge_threshold
                keep_spelled = spelled_scores >= spelled_threshold
                label = _components(
                    n,
                    np.concatenate([index_a[keep_edges], spelled_a[keep_spelled]]),
                    np.concatenate([index_b[keep_edges], spelled_b[keep_spelled]]),
                )
                precision, recall = _precision_recall(label, person, true_pairs)
                curve.append(
                    {
                        "edge_threshold": edge_threshold,
                        "spelled_threshold": spelled_threshold,
                        "precision": round(precision, 4),
                        "recall": round(recall, 4),
                    }
                )
        meeting = [point for point in curve if point["precision"] >= PRECISION_TARGET]
        best = max(meeting, key=lambda point: point["recall"]) if meeting else None

        # What the true pairs that even the second oracle leaves apart have in common.
        con.execute("create temp table components as select unnest($1) as record_index, unnest($2) as component",
                    [list(range(n)), with_spelled_label.tolist()])  # fmt: skip
        beyond = con.execute("""
            with labelled as (
                select records.*, components.component
                from records inner join components using (record_index)
            )
            select
                (a.first_name_key is null and a.last_name_key is null)
                or (b.first_name_key is null and b.last_name_key is null) as one_side_without_names,
                coalesce(a.email_normalized = b.email_normalized, false) as same_email,
                coalesce(a.phone_suffix in (b.phone_suffix, b.mobile_suffix)
                    or a.mobile_suffix in (b.phone_suffix, b.mobile_suffix), false) as same_phone,
                coalesce(a.postal_code_normalized = b.postal_code_normalized, false) as same_postcode,
                coalesce(a.birth_date = b.birth_date, false) as same_birth_date,
                coalesce(a.known_birth_year = b.known_birth_year, false) as same_birth_year,
                coalesce(a.first_name_key = b.first_name_key, false) as same_first_name,
                coalesce(a.last_name_key = b.last_name_key, false) as same_last_name,
                count(*) as true_pairs
            from labelled as a
            inner join labelled as b
                on a.person_id = b.person_id and a.record_index < b.record_index and a.component <> b.component
            group by all
            order by true_pairs desc, 1, 2, 3, 4, 5, 6, 7, 8
        """)
        columns = [column[0] for column in beyond.description]
        return {
            "records": n,
            "true_pairs": true_pairs,
            "candidate_pairs": len(is_true),
            "oracle_candidate_pairs_recall": round(oracle[1], 4),
            "oracle_with_spelled_names_recall": round(with_spelled[1], 4),
            "spelled_name_pairs": len(spelled_true),
            "supervised_best_at_precision_target": best,
            "supervised_best_recall_any_precision": max(curve, key=lambda point: point["recall"]),
            "supervised_curve": curve,
            "true_pairs_beyond_oracle_by_shared_evidence": [
                dict(zip(columns, row, strict=True)) for row in beyond.fetchall()
            ],
        }
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="C360_HOME holding a built warehouse.duckdb")
    parser.add_argument("--truth", type=Path, required=True)
    parser.add_argument("--out", type=Path, help="also write the result as JSON here")
    args = parser.parse_args(argv)
    result = ceiling(args.home / "warehouse.duckdb", args.truth)
    text = json.dumps(result, indent=2, default=str)
    if args.out:
        args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
