"""Is a lake file readable? One check per file, before DuckDB reads a source, so one bad file is reported and
left out instead of failing its whole source (and everything downstream).

DuckDB's readers stop the query at the first file they cannot decode: a gzip file that was cut short while
copying, a file named .gz that holds no gzip data, a text file that is not in the source's declared encoding,
a Parquet file without its footer. The staging macros (read_lake_source, lake_file_issues) ask
`c360_file_problem(path, format, encoding)` for each file of a source: NULL when the file reads, else the
reason, e.g. "gzip stream truncated (it ends before its end-of-stream marker)".

The function is registered on dbt's DuckDB connections by the dbt-duckdb plugin `Plugin` below (profiles.yml:
`plugins: [{module: orchestration.lake_probe}]`). Text files are decompressed and decoded in 1 MiB chunks
(memory stays bounded whatever the file size); Parquet files have their footer read. Answers are kept for the
dbt process, keyed by path, size and modification time, so a file read by several models is checked once, and
in C360_HOME/lake_checks.json between processes, so an incremental run checks only new and changed files (a
file that was rewritten has another size or time and is checked again).
"""

from __future__ import annotations

import atexit
import codecs
import gzip
import json
import os
import threading
import zlib
from pathlib import Path
from typing import Any

CHUNK_BYTES = 1 << 20
ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "latin-1": "latin-1", "latin1": "latin-1", "utf-16": "utf-16"}

Key = tuple[str, int, int, str, str]  # path, size, modification time (ns), format, encoding

_answers: dict[Key, str | None] = {}
_answers_lock = threading.Lock()
_loaded = False
_changed = False


def _checks_file() -> Path | None:
    home = os.environ.get("C360_HOME")
    return Path(home) / "lake_checks.json" if home else None


def _load() -> None:
    """Read the answers kept by earlier processes (once; a missing or damaged file is no answers)."""
    global _loaded
    _loaded = True
    path = _checks_file()
    if path is None or not path.exists():
        return
    try:
        for *key, answer in json.loads(path.read_text(encoding="utf-8")):
            _answers[(str(key[0]), int(key[1]), int(key[2]), str(key[3]), str(key[4]))] = answer
    except (ValueError, TypeError, IndexError, OSError):
        _answers.clear()


def _save() -> None:
    """Keep the answers for files that are still there, unchanged (atomic: a temporary file, then a rename)."""
    path = _checks_file()
    if path is None or not _changed or not path.parent.is_dir():
        return
    kept = []
    for key, answer in _answers.items():
        try:
            stat = os.stat(key[0])
        except OSError:
            continue
        if (stat.st_size, stat.st_mtime_ns) == key[1:3]:
            kept.append([*key, answer])
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(json.dumps(kept), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)


atexit.register(_save)


def file_problem(path: str | None, file_format: str, encoding: str | None = "utf-8") -> str | None:
    """Why the lake file at `path` cannot be read as `file_format` (csv, jsonl, parquet), or None."""
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError as error:
        return f"cannot be opened: {error.strerror or error}"
    encoding = encoding or "utf-8"
    key = (path, stat.st_size, stat.st_mtime_ns, file_format, encoding)
    with _answers_lock:
        if not _loaded:
            _load()
        if key in _answers:
            return _answers[key]
    if file_format == "parquet":
        answer = _parquet_problem(path, stat.st_size)
    else:
        answer = _text_problem(path, stat.st_size, encoding)
    global _changed
    with _answers_lock:
        _answers[key] = answer
        _changed = True
    return answer


def _parquet_problem(path: str, size: int) -> str | None:
    if size == 0:
        return "0 bytes, so no Parquet data"
    import pyarrow.parquet as parquet  # imported on first use: most runs have no Parquet source

    try:
        parquet.read_metadata(path)
    except Exception as error:  # pyarrow raises ArrowInvalid, OSError, ... for a damaged file
        return f"not a readable Parquet file ({_first_line(error)})"
    return None


def _text_problem(path: str, size: int, encoding: str) -> str | None:
    compressed = path.endswith(".gz")
    if compressed and size == 0:
        return "0 bytes, so no gzip stream"
    codec = ENCODINGS.get(encoding.lower(), encoding.lower())
    decoder = None if codec == "latin-1" else codecs.getincrementaldecoder(codec)("strict")
    offset = 0
    lines = 1
    try:
        with gzip.open(path, "rb") if compressed else open(path, "rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                if decoder is not None:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError as error:
                        line = lines + chunk.count(b"\n", 0, error.start)
                        return (
                            f"not valid {codec} at byte {offset + error.start + 1} (line {line}); if the source is in "
                            "another encoding, declare it (encoding: latin-1 or utf-16 in its mapping)"
                        )
                offset += len(chunk)
                lines += chunk.count(b"\n")
            if decoder is not None:
                decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return f"not valid {codec}: it ends inside a character"
    except gzip.BadGzipFile as error:
        return f"not gzip data ({_first_line(error)})"
    except EOFError:
        return "gzip stream truncated (it ends before its end-of-stream marker)"
    except zlib.error as error:
        return f"gzip data corrupt ({_first_line(error)})"
    except OSError as error:
        return f"cannot be read: {error.strerror or error}"
    return None


def _first_line(error: BaseException) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0][:200]


def register(connection: Any) -> None:
    """Register c360_file_problem(path, format, encoding) -> VARCHAR on a DuckDB connection."""
    connection.create_function(
        "c360_file_problem",
        file_problem,
        ["VARCHAR", "VARCHAR", "VARCHAR"],
        "VARCHAR",
        null_handling="special",
        side_effects=False,
    )


try:  # the dbt-duckdb plugin; absent where dbt-duckdb is not installed (the module stays importable)
    from dbt.adapters.duckdb.plugins import BasePlugin
except ImportError:  # pragma: no cover - dbt-duckdb is a dependency of c360
    BasePlugin = object  # type: ignore[assignment,misc]


class Plugin(BasePlugin):  # type: ignore[misc,valid-type]
    """dbt-duckdb plugin: registers c360_file_problem on each connection dbt opens."""

    def configure_connection(self, conn: Any) -> None:
        register(conn)
