"""Shared constants, vectorised formatting helpers and deterministic file writers."""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import multiprocessing as mp
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ._vocab import TIMEZONES

START = date(2025, 6, 1)
AS_OF = date(2026, 9, 30)
HISTORY_DAYS = (AS_OF - START).days + 1  # days 0 .. HISTORY_DAYS-1 are in the lake
FUTURE_DAYS = 180  # default days simulated past the as-of date (truth only)
TOTAL_DAYS = HISTORY_DAYS + FUTURE_DAYS  # the window people join in (population model), whatever --future-days
TRUTH_HORIZONS = (90, 180, 273)  # truth horizons in days; those within --future-days are written
MAX_FUTURE_DAYS = max(TRUTH_HORIZONS)
DAY_MS = 86_400_000
START_MS = int(datetime(START.year, START.month, START.day, tzinfo=UTC).timestamp() * 1000)
GZ_LEVEL = 6


def day_date(d: int) -> date:
    return START + timedelta(days=int(d))


# --------------------------------------------------------------------------------------------- time zones
def _last_sunday(y: int, m: int) -> date:
    d = date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)
    return d - timedelta(days=(d.weekday() + 1) % 7)


def _nth_sunday(y: int, m: int, n: int) -> date:
    d = date(y, m, 1)
    d += timedelta(days=(6 - d.weekday()) % 7)
    return d + timedelta(days=7 * (n - 1))


def _ms(d: date, hour_utc: float) -> int:
    return int((datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp() + hour_utc * 3600) * 1000)


TZ_STD_MIN = np.array([60, 0, 60, 60, 60, -300, -360, -420, -480], dtype=np.int64)


def _transitions() -> list[np.ndarray]:
    out = []
    for std in TZ_STD_MIN.tolist():
        tr = []
        for y in range(2015, 2029):
            if std >= 0:  # EU rule: last Sunday March / October at 01:00 UTC
                tr += [_ms(_last_sunday(y, 3), 1), _ms(_last_sunday(y, 10), 1)]
            else:  # US rule: 2nd Sunday March 02:00 local standard, 1st Sunday November 02:00 local daylight
                tr += [_ms(_nth_sunday(y, 3, 2), 2 - std / 60), _ms(_nth_sunday(y, 11, 1), 2 - (std + 60) / 60)]
        out.append(np.array(tr, dtype=np.int64))
    return out


_TR = _transitions()
assert len(_TR) == len(TIMEZONES)


def tz_offset_min(tz: np.ndarray, ms: np.ndarray) -> np.ndarray:
    """UTC offset in minutes of time zone index `tz` at UTC instant `ms` (vectorised)."""
    tz = np.asarray(tz)
    ms = np.asarray(ms, dtype=np.int64)
    tz, ms = np.broadcast_arrays(tz, ms)
    out = TZ_STD_MIN[tz].copy()
    present = np.bincount(tz.ravel(), minlength=len(_TR)) if tz.size else np.zeros(len(_TR), int)
    for z in np.flatnonzero(present).tolist():
        m = tz == z
        dst = (np.searchsorted(_TR[z], ms[m], side="right") % 2) == 1
        out[m] += 60 * dst
    return out


_OFFSTR = {m: f"{'+' if m >= 0 else '-'}{abs(m) // 60:02d}:{abs(m) % 60:02d}" for m in range(-600, 601, 60)}


def iso_utc(ms: np.ndarray, unit: str = "s") -> list[str]:
    """`YYYY-MM-DDTHH:MM:SS[.fff]Z` strings."""
    a = np.asarray(ms, dtype=np.int64).astype("datetime64[ms]")
    return np.datetime_as_string(a, unit=unit, timezone="UTC").tolist()


def iso_local(ms: np.ndarray, tz: np.ndarray) -> list[str]:
    """`YYYY-MM-DDTHH:MM:SS+hh:mm` in the local time of time zone `tz`."""
    ms = np.asarray(ms, dtype=np.int64)
    off = tz_offset_min(tz, ms)
    s = np.datetime_as_string((ms + off * 60_000).astype("datetime64[ms]"), unit="s").tolist()
    return [a + _OFFSTR[o] for a, o in zip(s, off.tolist(), strict=True)]


def ymd(days: np.ndarray, sep: str = "-") -> list[str]:
    """day offsets (relative to START) -> `YYYY-MM-DD` (or with another separator / `YYYYMMDD`)."""
    base = np.datetime64(START.isoformat(), "D")
    s = np.datetime_as_string(base + np.asarray(days, dtype=np.int64), unit="D").tolist()
    if sep == "-":
        return s
    return [x.replace("-", sep) for x in s]


def dmy(days: np.ndarray) -> list[str]:
    return [f"{x[8:10]}.{x[5:7]}.{x[0:4]}" for x in ymd(days)]


def money(cents: np.ndarray, sep: str = ".") -> list[str]:
    """Integer minor units -> `1234.50` (exact decimal, no float rounding)."""
    c = np.asarray(cents, dtype=np.int64)
    a = np.abs(c)
    return [
        f"{'-' if n else ''}{x // 100}{sep}{x % 100:02d}" for n, x in zip((c < 0).tolist(), a.tolist(), strict=True)
    ]


# ------------------------------------------------------------------------------------------ random ids
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_ALNUM = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", dtype=np.uint8)
_UUID_POS = [i for i in range(36) if i not in (8, 13, 18, 23)]


def uuid4s(rng: np.random.Generator, n: int) -> np.ndarray:
    """n random version-4 UUID strings as a numpy bytes array (S36)."""
    b = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    b[:, 6] = (b[:, 6] & 0x0F) | 0x40
    b[:, 8] = (b[:, 8] & 0x3F) | 0x80
    hx = np.empty((n, 32), dtype=np.uint8)
    hx[:, 0::2] = _HEX[b >> 4]
    hx[:, 1::2] = _HEX[b & 15]
    out = np.full((n, 36), ord("-"), dtype=np.uint8)
    out[:, _UUID_POS] = hx
    return out.view("S36").ravel()


def hexids(rng: np.random.Generator, n: int, nhex: int) -> np.ndarray:
    b = rng.integers(0, 16, size=(n, nhex), dtype=np.uint8)
    return np.ascontiguousarray(_HEX[b]).view(f"S{nhex}").ravel()


def alnum_ids(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """n distinct random upper-case alphanumeric ids of length k (numpy bytes array)."""
    out = np.ascontiguousarray(_ALNUM[rng.integers(0, 36, size=(n, k))]).view(f"S{k}").ravel()
    while True:
        _, first, cnt = np.unique(out, return_index=True, return_counts=True)
        dup = np.ones(n, dtype=bool)
        dup[first] = False  # every later occurrence of a value is redrawn
        if not dup.any():
            return out
        m = int(dup.sum())
        out[dup] = np.ascontiguousarray(_ALNUM[rng.integers(0, 36, size=(m, k))]).view(f"S{k}").ravel()


def distinct_ints(rng: np.random.Generator, n: int, lo: int, hi: int) -> np.ndarray:
    """n distinct integers in [lo, hi), in random order."""
    out = np.empty(0, dtype=np.int64)
    while len(out) < n:
        x = rng.integers(lo, hi, size=int((n - len(out)) * 1.1) + 8)
        out = np.concatenate([out, x])
        _, first = np.unique(out, return_index=True)
        out = out[np.sort(first)]
    return out[:n]


def decode(a: np.ndarray) -> list[str]:
    return [x.decode() for x in a.tolist()]


# -------------------------------------------------------------------------------------------- writers
def _writer_loop(conn, res) -> None:
    """Runs in the writer process: gzip compression, Parquet encoding, file-system work.

    A reader thread drains the pipe into a small bounded queue so the simulation rarely waits; the
    process's main thread does the work (zlib and Arrow release the GIL)."""
    import queue
    import threading

    q: queue.Queue = queue.Queue(maxsize=16)

    def reader() -> None:
        while True:
            msg = conn.recv()
            q.put(msg)
            if msg is None:
                return

    threading.Thread(target=reader, daemon=True).start()
    files: dict[str, tuple] = {}
    err = None
    while True:
        msg = q.get()
        if msg is None:
            break
        if err is not None:
            continue  # keep draining so the producer never blocks; report at the end
        try:
            op = msg[0]
            if op == "write":
                files[msg[1]][1].write(msg[2])
            elif op == "open":
                path = Path(msg[1])
                path.parent.mkdir(parents=True, exist_ok=True)
                f = open(path, "wb")  # noqa: SIM115 - closed by the "close" message
                gz = gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=GZ_LEVEL)
                if msg[2]:
                    gz.write(msg[2])
                files[msg[1]] = (f, gz)
            elif op == "close":
                f, gz = files.pop(msg[1])
                gz.close()
                f.close()
            elif op == "parquet":
                write_parquet(Path(msg[1]), pa.ipc.open_stream(msg[2]).read_all())
            elif op == "rmtree":
                rmtree_quiet(Path(msg[1]))
        except BaseException:  # noqa: BLE001 - reported to the parent
            import traceback

            err = traceback.format_exc()
    for f, gz in files.values():
        gz.close()
        f.close()
    res.send(err)


class Background:
    """A writer process that compresses and writes files in submission order, so the simulation (main
    process) and the compression run on different cores. Messages go through a plain pipe written by the
    main thread itself (no feeder thread competing for the GIL); the pipe and the writer's queue bound
    the data in flight."""

    def __init__(self) -> None:
        ctx = mp.get_context("fork")
        recv, self.conn = ctx.Pipe(duplex=False)
        res_recv, res_send = ctx.Pipe(duplex=False)
        self.res = res_recv
        self.proc = ctx.Process(target=_writer_loop, args=(recv, res_send), daemon=True)
        self.proc.start()
        recv.close()
        res_send.close()
        with contextlib.suppress(Exception):  # a bigger pipe buffer (Linux) means fewer stalls
            import fcntl

            fcntl.fcntl(self.conn.fileno(), 1031, 1 << 20)  # F_SETPIPE_SZ

    def _send(self, msg) -> None:
        self.conn.send(msg)

    def gz_open(self, path: Path, header: bytes = b"") -> None:
        self._send(("open", str(path), header))

    def gz_write(self, path: Path, data: bytes) -> None:
        step = 4 << 20
        for i in range(0, len(data), step):
            self._send(("write", str(path), data[i : i + step]))

    def gz_close(self, path: Path) -> None:
        self._send(("close", str(path)))

    def parquet(self, path: Path, table: pa.Table) -> None:
        sink = pa.BufferOutputStream()  # Arrow IPC bytes: much cheaper than pickling the table
        with pa.ipc.new_stream(sink, table.schema) as w:
            w.write_table(table)
        self._send(("parquet", str(path), sink.getvalue().to_pybytes()))

    def rmtree(self, path: Path) -> None:
        self._send(("rmtree", str(path)))

    def close(self) -> None:
        self._send(None)
        err = self.res.recv()
        self.proc.join()
        self.conn.close()
        self.res.close()
        if err:
            raise RuntimeError(f"writer process failed:\n{err}")


class Counts:
    """Row counts per lake file (path relative to the lake root)."""

    def __init__(self) -> None:
        self.rows: dict[str, int] = {}

    def add(self, rel: str, n: int) -> None:
        self.rows[rel] = self.rows.get(rel, 0) + int(n)


class GzLines:
    """Append-only gzip JSON-lines/CSV writer (mtime=0, no file name in the header); compression runs in
    the writer process. Tracks the number of lines written so defects can be reported as `line:N`."""

    def __init__(self, root: Path, rel: str, bg: Background, counts: Counts, header: str | None = None):
        self.rel = rel
        self.counts = counts
        self.bg = bg
        self.path = root / rel
        self.lines = 0
        counts.add(rel, 0)
        bg.gz_open(self.path, (header + "\n").encode() if header is not None else b"")

    def write(self, lines: list[str]) -> None:
        if not lines:
            return
        self.lines += len(lines)
        self.counts.add(self.rel, len(lines))
        self.bg.gz_write(self.path, ("\n".join(lines) + "\n").encode())

    def close(self) -> None:
        self.bg.gz_close(self.path)


class CsvOut:
    """Plain CSV writer (UTF-8, `\\n` line ends, minimal quoting) that counts data rows and physical
    lines (the header is line 1)."""

    def __init__(self, root: Path, rel: str, header: list[str], counts: Counts, delimiter: str = ","):
        self.rel = rel
        self.counts = counts
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        self._f = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed in close()
        self._w = csv.writer(self._f, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        self._w.writerow(header)
        self.lines = 1
        counts.add(rel, 0)

    def write(self, rows: list) -> None:
        self._w.writerows(rows)
        self.lines += len(rows)
        self.counts.add(self.rel, len(rows))

    def close(self) -> None:
        self._f.close()


def csv_text(rows: list, header: list[str] | None = None) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if header:
        w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def write_parquet(path: Path, table: pa.Table) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        table,
        path,
        compression="zstd",
        compression_level=3,
        use_dictionary=True,
        write_statistics=False,
        store_schema=False,
    )


def rmtree_quiet(p: Path) -> None:
    if not p.exists():
        return
    for root, dirs, files in os.walk(p, topdown=False):
        for f in files:
            os.remove(os.path.join(root, f))
        for d in dirs:
            os.rmdir(os.path.join(root, d))
    os.rmdir(p)


class Defects:
    """Streams truth/malformed_rows.csv."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._f = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed in close()
        self._w = csv.writer(self._f, lineterminator="\n")
        self._w.writerow(["file", "row_key", "defect"])
        self.by_file: dict[str, dict[str, int]] = {}

    def log(self, file: str, keys: list[str], defect: str) -> None:
        if not keys:
            return
        self._w.writerows([(file, k, defect) for k in keys])
        d = self.by_file.setdefault(file.split("/")[0], {})
        d[defect] = d.get(defect, 0) + len(keys)

    def close(self) -> None:
        self._f.close()


# ---------------------------------------------------------------------------------------- bad values
def bad_date_values(rng: np.random.Generator, n: int, fmt: str) -> list[str]:
    """Unparseable/impossible dates in the style of a field's format."""
    y = rng.integers(2024, 2027, n).tolist()
    k = rng.integers(0, 3, n).tolist()
    out = []
    for yy, kk in zip(y, k, strict=True):
        mm, dd = [(13, 41), (2, 31), (0, 0)][kk] if fmt != "dmy" else [(2, 31), (13, 1), (0, 0)][kk]
        if fmt == "ymd":
            out.append(f"{yy}{mm:02d}{dd:02d}")
        elif fmt == "iso":
            out.append(f"{yy}-{mm:02d}-{dd:02d}")
        elif fmt == "dmy":
            out.append(f"{dd:02d}.{mm:02d}.{yy}")
        elif fmt == "isoz":
            out.append(f"{yy}-{mm:02d}-{dd:02d}T25:61:00Z")
        elif fmt == "isooff":
            out.append(f"{dd:02d}.{mm:02d}.{yy} 25:61")
        else:
            raise ValueError(fmt)
    return out


def pick(rng: np.random.Generator, n: int, p: float, taken: np.ndarray | None = None) -> np.ndarray:
    """Indices (sorted) of rows hit by a defect with probability p, disjoint from `taken` (bool mask)."""
    if n == 0:
        return np.empty(0, dtype=np.int64)
    hit = rng.random(n) < p
    if taken is not None:
        hit &= ~taken
        taken |= hit
    return np.flatnonzero(hit)


def line_defects(
    rng: np.random.Generator,
    lines: list[str],
    keys: list[str],
    key_field: str,
    p_dup: float,
    p_miss: float,
    p_broken: float,
    taken: np.ndarray | None = None,
) -> tuple[list[str], list[str], list[int], list[int]]:
    """Line-level defects for a batch of JSON lines whose first field is the record key.

    - duplicate_record: an exact copy of the line right after it (row_key = the key)
    - missing_key: a copy of the line with the key set to null right after it (row_key = line:N)
    - broken_json: the line truncated at a random point (row_key = line:N, the record is lost)
    Returns (new lines, duplicated keys, 0-based new positions of key-less copies, of broken lines).
    """
    n = len(lines)
    if n == 0:
        return lines, [], [], []
    taken = np.zeros(n, dtype=bool) if taken is None else taken
    dup = pick(rng, n, p_dup, taken)
    miss = pick(rng, n, p_miss, taken)
    broken = pick(rng, n, p_broken, taken)
    cuts = rng.random(len(broken))
    lines = list(lines)
    for i, c in zip(broken.tolist(), cuts.tolist(), strict=True):
        ln = lines[i]
        lines[i] = ln[: 5 + int(c * (len(ln) - 10))]
    extra = np.zeros(n, dtype=np.int64)
    extra[dup] = 1
    extra[miss] = 1
    shift = np.cumsum(extra) - extra  # extras inserted before original i
    newidx = np.arange(n) + shift
    if len(dup) or len(miss):
        kind = {i: 0 for i in dup.tolist()}
        kind.update({i: 1 for i in miss.tolist()})
        out: list[str] = []
        prev = 0
        for i in sorted(kind):
            out.extend(lines[prev : i + 1])
            ln = lines[i]
            if kind[i] == 0:
                out.append(ln)
            else:
                out.append(ln.replace(f'"{key_field}": "{keys[i]}"', f'"{key_field}": null', 1))
            prev = i + 1
        out.extend(lines[prev:])
        lines = out
    dup_keys = [keys[i] for i in dup.tolist()]
    return lines, dup_keys, (newidx[miss] + 1).tolist(), newidx[broken].tolist()
