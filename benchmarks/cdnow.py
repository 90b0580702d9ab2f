"""CDNOW: a public transaction log nobody here wrote, loaded as a user's order log (outside data for the scores).

The CDNOW data (Fader & Hardie's copy of the CD retailer's log: every purchase of the customers who made their
first purchase in the first quarter of 1997, through June 1998) ships in the ``lifetimes`` wheel, which
``make install`` downloads into ``.venv/datasets`` (data only; the package is not installed). ``CDNOW_master``
holds 23,570 customers and 69,659 purchases, ``CDNOW_sample`` a 1/10 sample of 2,357 customers and 6,919
purchases. Each line is ``customer_id date(YYYYMMDD) number_of_cds dollar_value``, aligned with blanks; the only
change made to load it is the one a user would make, blanks to commas (:func:`write_cdnow_lake`), and the file is
then declared as a lake source with one mapping (:data:`CDNOW_MAPPING`: an order log, no customer master).

Published reference: Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way", Marketing Science
24(2), estimate the BG/NBD on the sample's first 39 weeks (calibration 1997-01-01 to 1997-09-30) as
r = 0.243, alpha = 4.414, a = 0.793, b = 2.426 (time in weeks; x counts repeat transactions).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATASETS_DIR = PROJECT_ROOT / ".venv" / "datasets"
MEMBERS = {"sample": "lifetimes/datasets/CDNOW_sample.txt", "master": "lifetimes/datasets/CDNOW_master.txt"}
HEADER = ("customer_id", "date", "number_of_cds", "dollar_value")
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # FHL 2005, CDNOW sample, 39 weeks

# The user's declaration: an order log (customer, date, quantity, amount) and nothing else.
CDNOW_MAPPING: dict[str, dict[str, Any]] = {
    "orders": {
        "path": "cdnow/orders.csv",
        "format": "csv",
        "entity": "sales_order",
        "columns": {
            "customer_source_record_id": "customer_id",
            "ordered_at": {"column": "date", "format": "YYYYMMDD"},
            "quantity": "number_of_cds",
            "extended_amount": "dollar_value",
        },
    }
}


def cdnow_wheel() -> Path | None:
    """The lifetimes wheel that `make install` downloads into .venv/datasets, if it is there."""
    wheels = sorted(DATASETS_DIR.glob("[Ll]ifetimes-*.whl"))
    return wheels[-1] if wheels else None


def cdnow_rows(wheel: Path, which: str = "sample") -> list[tuple[str, ...]]:
    """The log's data lines, split on blanks: (customer_id, date, number_of_cds, dollar_value) as written."""
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(MEMBERS[which]).decode("ascii")
    rows = [tuple(line.split()) for line in text.splitlines() if line.strip()]
    if rows and rows[0][0] == HEADER[0]:  # the master file has a header line, the sample none
        rows = rows[1:]
    return rows


def write_cdnow_lake(wheel: Path, lake: Path, which: str = "sample") -> int:
    """lake/cdnow/orders.csv: the log with a header and commas for blanks (values as written); returns rows."""
    rows = cdnow_rows(wheel, which)
    if which == "sample":  # the sample's first column is the master's customer id, the second its own
        rows = [(row[1], *row[2:]) for row in rows]
    target = lake / "cdnow" / "orders.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(",".join(row) for row in [HEADER, *rows]) + "\n", encoding="ascii")
    return len(rows)
