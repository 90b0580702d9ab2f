"""The lake file check (orchestration/lake_probe.py) on real files, and on a real DuckDB connection."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.lake_probe import file_problem, register


def test_readable_files_have_no_problem(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("id,name\n1,Zoë\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("id,name\n1,Zoë\n", encoding="utf-16")
    (tmp_path / "c.csv").write_bytes("id,name\n1,Zoë\n".encode("latin-1"))
    (tmp_path / "d.jsonl.gz").write_bytes(gzip.compress(b'{"a": 1}\n') + gzip.compress(b'{"a": 2}\n'))  # 2 members
    (tmp_path / "e.jsonl").write_bytes(b"")
    pq.write_table(pa.table({"a": [1]}), tmp_path / "f.parquet")
    assert file_problem(str(tmp_path / "a.csv"), "csv", "utf-8") is None
    assert file_problem(str(tmp_path / "b.csv"), "csv", "utf-16") is None
    assert file_problem(str(tmp_path / "c.csv"), "csv", "latin-1") is None  # every byte is latin-1
    assert file_problem(str(tmp_path / "d.jsonl.gz"), "jsonl", "utf-8") is None
    assert file_problem(str(tmp_path / "e.jsonl"), "jsonl", "utf-8") is None  # empty, not compressed: no rows
    assert file_problem(str(tmp_path / "f.parquet"), "parquet", "") is None


def test_problems_are_named_and_located(tmp_path: Path) -> None:
    text = "".join(f"{n},name {n}\n" for n in range(5000)).encode() + "5000,Zoë\n".encode("latin-1")
    (tmp_path / "latin.csv").write_bytes(text)
    problem = file_problem(str(tmp_path / "latin.csv"), "csv", "utf-8")
    assert problem is not None and f"at byte {len(text) - 1}" in problem and "(line 5001)" in problem
    (tmp_path / "cut.jsonl.gz").write_bytes(gzip.compress(b'{"a": 1}\n' * 1000)[:40])
    assert "truncated" in (file_problem(str(tmp_path / "cut.jsonl.gz"), "jsonl", "utf-8") or "")
    (tmp_path / "gone.parquet").write_bytes(b"")
    assert "0 bytes" in (file_problem(str(tmp_path / "gone.parquet"), "parquet", "") or "")
    assert "cannot be opened" in (file_problem(str(tmp_path / "absent.csv"), "csv", "utf-8") or "")


def test_a_rewritten_file_is_checked_again(tmp_path: Path) -> None:
    """Answers are kept per path, size and modification time: a repaired file is readable at the next check."""
    path = tmp_path / "day.jsonl.gz"
    path.write_bytes(b"not gzip")
    assert file_problem(str(path), "jsonl", "utf-8")
    path.write_bytes(gzip.compress(b'{"a": 1}\n'))
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 60))
    assert file_problem(str(path), "jsonl", "utf-8") is None


def test_duckdb_calls_it_per_file(tmp_path: Path) -> None:
    (tmp_path / "good.jsonl.gz").write_bytes(gzip.compress(b'{"a": 1}\n'))
    (tmp_path / "bad.jsonl.gz").write_bytes(b"")
    con = duckdb.connect()
    register(con)
    rows = con.execute(
        "select parse_filename(file), c360_file_problem(file, 'jsonl', 'utf-8') from glob(?) order by 1",
        [str(tmp_path / "*.jsonl.gz")],
    ).fetchall()
    con.close()
    assert rows == [("bad.jsonl.gz", "0 bytes, so no gzip stream"), ("good.jsonl.gz", None)]


def test_answers_are_kept_between_processes_in_the_home(tmp_path: Path) -> None:
    """An incremental run does not decompress the lake again: a file's answer is kept in C360_HOME by path, size
    and modification time. Shown by damaging a checked file while keeping its size and time: the next process
    still takes it as readable (its kept answer), and finds the damage once the time moves."""
    home = tmp_path / "home"
    home.mkdir()
    path = tmp_path / "day.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"a": 1}\n'))
    check = [
        sys.executable,
        "-c",
        f"from orchestration.lake_probe import file_problem; print(file_problem({str(path)!r}, 'jsonl', 'utf-8'))",
    ]
    env = {**os.environ, "C360_HOME": str(home)}
    first = subprocess.run(check, env=env, capture_output=True, text=True, check=True)
    assert first.stdout.strip() == "None" and (home / "lake_checks.json").exists()
    times = (path.stat().st_atime_ns, path.stat().st_mtime_ns)
    path.write_bytes(b"x" * path.stat().st_size)  # same size, no gzip data
    os.utime(path, ns=times)
    kept = subprocess.run(check, env=env, capture_output=True, text=True, check=True)
    assert kept.stdout.strip() == "None"
    os.utime(path, ns=(times[0], times[1] + 1_000_000_000))
    again = subprocess.run(check, env=env, capture_output=True, text=True, check=True)
    assert again.stdout.strip().startswith("not gzip data")
