"""Load IMR letters into DuckDB, incrementally, in parallel, losing nothing.

    python -m etl.load SRC... [--db data/imr.duckdb] [--workers N] [--rebuild] [--quiet]

Worker processes read and hash the files, skip bytes an earlier run read, extract and parse
the rest, and write each chunk's rows as polars frames (explicit schemas) to Parquet beside the
target. This process only decides what becomes of each file (loaded, duplicate, rejected), so
it never holds the letters. At the end DuckDB reads the earlier rows and this run's loaded ones
into a new database file, sorted by decision date, and one atomic rename swaps it in: readers
never see a half-loaded state, and an interrupted or crashed run leaves the previous file whole.

Every file seen ends up loaded, skipped (an earlier run read the same bytes), a duplicate (its
case number was loaded from another file) or rejected with the reason; `files` keeps one row
per file read and `load_runs` each run's counts.
"""

import argparse
import contextlib
import ctypes
import errno
import fcntl
import hashlib
import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

import duckdb
import polars as pl

from etl.db import build_decision_facts, create_schema
from etl.extract import DEFAULT_MAX_FILE_MB, MB, extract_bytes, read_file
from etl.parse import PARSER_VERSION, parse_extracted
from etl.sources import Unread, find_letters, os_path, shown
from etl.vocab import (
    CITATION_SIDES,
    CITATION_SOURCES,
    MTUS_CHAPTERS,
    OUTCOMES,
    PRIORITIES,
    SERVICE_CATEGORIES,
    SEXES,
    SUBCATEGORIES,
    UR_ACTIONS,
)

DEFAULT_DB = Path("data/imr.duckdb")
FILE_STATUSES = ("loaded", "duplicate", "rejected")
BATCH_FILES = 5000  # file-log rows per DuckDB insert: big enough to be fast, small enough to stay flat
MAX_CHUNK_FILES = 256  # files per task sent to a worker, and per Parquet file it writes
CHUNKS_IN_FLIGHT_PER_WORKER = 4  # bounds the results waiting in memory when writing falls behind
DUCKDB_MEMORY_LIMIT = "512MB"  # DuckDB spills to disk beyond this, so the final sort's memory stays flat
REJECTIONS_SHOWN = 20

LETTER_SCHEMA = pl.Schema({
    "letter_id": pl.Int32,
    "case_number": pl.String,
    "sha256": pl.String,
    "source_file": pl.String,
    "layout": pl.String,
    "date_assigned": pl.Date,
    "date_of_injury": pl.Date,
    "decision_date": pl.Date,
    "ur_denial_date": pl.Date,
    "application_received": pl.Date,
    "priority": pl.Enum(PRIORITIES),
    "reviewer_license_states": pl.List(pl.String),
    "reviewer_specialties": pl.List(pl.String),
    "patient_age": pl.Int16,
    "patient_sex": pl.Enum(SEXES),
    "run_id": pl.Int32,
})
LETTER_TEXT_SCHEMA = pl.Schema({"letter_id": pl.Int32, "full_text": pl.String})
DECISION_SCHEMA = pl.Schema({
    "letter_id": pl.Int32,
    "item_no": pl.Int16,
    "treatment": pl.String,
    "outcome": pl.Enum(OUTCOMES),
    "service_category": pl.Enum(SERVICE_CATEGORIES),
    "service_subcategory": pl.Enum(SUBCATEGORIES),
    "drug_generic": pl.String,
    "strength": pl.String,
    "quantity": pl.Int32,
    "ur_action": pl.Enum(UR_ACTIONS),
    "ur_authorized": pl.String,
    "ur_authorized_quantity": pl.Int32,
})
DECISION_TEXT_SCHEMA = pl.Schema({
    "letter_id": pl.Int32,
    "item_no": pl.Int16,
    "ca_guideline_text": pl.String,
    "imr_guideline_text": pl.String,
    "rationale": pl.String,
})
CITATION_SCHEMA = pl.Schema({
    "letter_id": pl.Int32,
    "item_no": pl.Int16,
    "side": pl.Enum(CITATION_SIDES),
    "cite_no": pl.Int16,
    "source": pl.Enum(CITATION_SOURCES),
    "chapter": pl.Enum(MTUS_CHAPTERS),
    "section": pl.String,
    "pages": pl.List(pl.Int16),
})
FILE_SCHEMA = pl.Schema({
    "sha256": pl.String,
    "path": pl.String,
    "status": pl.Enum(FILE_STATUSES),
    "reason": pl.String,
    "case_number": pl.String,
    "run_id": pl.Int32,
    "seen_at": pl.Datetime("us"),
})
TABLE_SCHEMAS = {"letters": LETTER_SCHEMA, "letter_texts": LETTER_TEXT_SCHEMA, "decisions": DECISION_SCHEMA,
                 "decision_texts": DECISION_TEXT_SCHEMA, "citations": CITATION_SCHEMA, "files": FILE_SCHEMA}


def _keyed_by_source_file(schema: pl.Schema) -> pl.Schema:
    """A table's columns as workers write them: keyed by source_file, as letter_ids are given out later."""
    return pl.Schema({"source_file": pl.String} | {
        name: dtype for name, dtype in schema.items() if name not in ("letter_id", "run_id")})


# Workers write each chunk's parsed rows as Parquet files of these shapes, so the rows never
# pass through the loader process: it only decides what becomes of each file.
# A letter's or decision's texts travel with its row; the write stage splits them off.
PARSED_SCHEMAS = {
    "letters": _keyed_by_source_file(LETTER_SCHEMA | LETTER_TEXT_SCHEMA),
    "decisions": _keyed_by_source_file(DECISION_SCHEMA | DECISION_TEXT_SCHEMA),
    "citations": _keyed_by_source_file(CITATION_SCHEMA),
}
# The loader's log of this run's files; letter_id is set for the loaded ones.
STAGED_FILE_SCHEMA = pl.Schema(FILE_SCHEMA | {"letter_id": pl.Int32})


class LoadError(Exception):
    """A reason the load cannot run, worded for the person who started it."""


class LoadInterrupted(Exception):
    """SIGTERM arrived: unwind like Ctrl-C so the temporary file is removed."""


# ---------------------------------------------------------------- worker side


class RecordError(ValueError):
    """The parser's record does not fit the database."""


class LetterRows(NamedTuple):
    letter: tuple  # PARSED_SCHEMAS["letters"]'s values
    decisions: list[tuple]  # PARSED_SCHEMAS["decisions"]'s values
    citations: list[tuple]  # PARSED_SCHEMAS["citations"]'s values


class FileResult(NamedTuple):
    path: str
    sha256: str | None  # None when the file could not be read
    status: str  # "known" (bytes read by an earlier run, not parsed), "rejected" or "parsed"
    reason: str | None = None  # why it was rejected
    case_number: str | None = None


class ChunkResult(NamedTuple):
    files: list[FileResult]
    extract_seconds: float
    parse_seconds: float
    write_seconds: float


_known_hashes: frozenset[str] = frozenset()
_parsed_dir = Path()
_max_file_bytes = DEFAULT_MAX_FILE_MB * MB

_SMALLINT = range(-(2**15), 2**15)
_INTEGER = range(-(2**31), 2**31)


def _start_worker(known_hashes: frozenset[str], parsed_dir: Path, max_file_bytes: int) -> None:
    global _known_hashes, _parsed_dir, _max_file_bytes
    _known_hashes, _parsed_dir, _max_file_bytes = known_hashes, parsed_dir, max_file_bytes
    # Ctrl-C reaches the whole process group; the loader stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # blocked while it started: _stop_signals_held
    if sys.platform == "linux":
        # A loader killed with SIGKILL cannot stop its workers: have the kernel do it.
        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)


def read_chunk(chunk_no: int, paths: list[str]) -> ChunkResult:
    """Read, extract and parse some files; write the parsed rows to Parquet and report each file's fate."""
    results = []
    rows: dict[str, list[tuple]] = {table: [] for table in PARSED_SCHEMAS}
    extract_seconds = parse_seconds = 0.0
    for path in paths:
        started = time.perf_counter()
        result, extracted = _read_and_extract(path)
        extract_seconds += time.perf_counter() - started
        if extracted is not None:
            started = time.perf_counter()
            result, letter_rows = _parse(extracted)
            parse_seconds += time.perf_counter() - started
            if letter_rows is not None:
                rows["letters"].append(letter_rows.letter)
                rows["decisions"] += letter_rows.decisions
                rows["citations"] += letter_rows.citations
        results.append(result)
    started = time.perf_counter()
    for table, table_rows in rows.items():
        if table_rows:
            frame = pl.DataFrame(table_rows, schema=PARSED_SCHEMAS[table], orient="row")
            frame.write_parquet(_parsed_dir / f"{chunk_no:08d}.{table}.parquet", compression="lz4")
    return ChunkResult(results, extract_seconds, parse_seconds, time.perf_counter() - started)


def _read_and_extract(path: str):
    stored = shown(path)  # what the database keeps: valid UTF-8 whatever bytes the name holds
    data, reason = read_file(path, _max_file_bytes)
    if data is None:
        return FileResult(stored, None, "rejected", reason=reason), None
    sha = hashlib.sha256(data).hexdigest()
    if sha in _known_hashes:  # hash first: a file read before costs no extraction or parsing
        return FileResult(stored, sha, "known"), None
    extracted = extract_bytes(data, stored, _max_file_bytes)
    if extracted.error:
        return FileResult(stored, sha, "rejected", reason=extracted.error), None
    return None, extracted


def _parse(extracted) -> tuple[FileResult, LetterRows | None]:
    path, sha = extracted.source_file, extracted.sha256
    try:
        record = parse_extracted(extracted)
    except Exception as exc:  # one letter that breaks the parser must not stop the load
        reason = f"the parser failed on this letter ({type(exc).__name__}: {exc})"
        return FileResult(path, sha, "rejected", reason=reason), None
    if record.get("error"):
        return FileResult(path, sha, "rejected", reason=record["error"]), None
    try:
        rows = record_rows(record, extracted.text, sha, path)
    except RecordError as exc:
        return FileResult(path, sha, "rejected", reason=f"the parsed record does not fit the database: {exc}"), None
    return FileResult(path, sha, "parsed", case_number=rows.letter[1]), rows


def record_rows(record: dict, full_text: str, sha256: str, source_file: str) -> LetterRows:
    """Check a parsed record against the schema's types and vocabularies and flatten it to rows."""
    letter = (
        source_file,
        _optional(record, "case_number", str),
        sha256,
        _optional(record, "layout", str) or "unknown",
        *(_date(record, name) for name in
          ("date_assigned", "date_of_injury", "decision_date", "ur_denial_date", "application_received")),
        _member(record, "priority", PRIORITIES),
        _strings(record, "reviewer_license_states"),
        _strings(record, "reviewer_specialties"),
        _integer(record, "patient_age", _SMALLINT),
        _member(record, "patient_sex", SEXES),
        full_text,
    )
    decisions, citations = [], []
    item_numbers = set()
    for position, decision in enumerate(record.get("decisions") or [], start=1):
        if not isinstance(decision, dict):
            raise RecordError(f"decision {position} is not an object")
        item_no = _integer(decision, "item_no", _SMALLINT, f"decision {position}")
        if item_no is None or item_no in item_numbers:
            raise RecordError(f"decision {position} has a missing or repeated item_no ({item_no})")
        item_numbers.add(item_no)
        where = f"decision {item_no}"
        decisions.append((
            source_file,
            item_no,
            _required(decision, "treatment", where),
            _member(decision, "outcome", OUTCOMES, where, required=True),
            _member(decision, "service_category", SERVICE_CATEGORIES, where, required=True),
            _member(decision, "service_subcategory", SUBCATEGORIES, where),
            _optional(decision, "drug_generic", str, where),
            _optional(decision, "strength", str, where),
            _integer(decision, "quantity", _INTEGER, where),
            _member(decision, "ur_action", UR_ACTIONS, where, required=True),
            _optional(decision, "ur_authorized", str, where),
            _integer(decision, "ur_authorized_quantity", _INTEGER, where),
            _optional(decision, "ca_guideline_text", str, where),
            _optional(decision, "imr_guideline_text", str, where),
            _required(decision, "rationale", where),
        ))
        for side, key in zip(CITATION_SIDES, ("ca_citations", "imr_citations"), strict=True):
            for cite_no, citation in enumerate(decision.get(key) or [], start=1):
                cited = f"{where} {key} {cite_no}"
                if not isinstance(citation, dict):
                    raise RecordError(f"{cited} is not an object")
                pages = citation.get("pages") or []
                if not all(isinstance(p, int) and p in _SMALLINT for p in pages):
                    raise RecordError(f"{cited} has pages that are not page numbers: {pages!r}")
                citations.append((
                    source_file, item_no, side, cite_no,
                    _member(citation, "source", CITATION_SOURCES, cited, required=True),
                    _member(citation, "chapter", MTUS_CHAPTERS, cited),
                    _optional(citation, "section", str, cited),
                    pages,
                ))
    return LetterRows(letter, decisions, citations)


def _optional(obj: dict, name: str, kind: type, where: str = "the letter"):
    value = obj.get(name)
    if value is not None and not isinstance(value, kind):
        raise RecordError(f"{where} has a {name} that is not a {kind.__name__}: {value!r}")
    return value


def _required(obj: dict, name: str, where: str) -> str:
    value = _optional(obj, name, str, where)
    if value is None:
        raise RecordError(f"{where} has no {name}")
    return value


def _member(obj: dict, name: str, allowed: tuple[str, ...], where: str = "the letter", required: bool = False):
    value = obj.get(name)
    if value is None and not required:
        return None
    if value not in allowed:
        raise RecordError(f"{where} has {name} {value!r}, which is not one of the contract's values")
    return value


def _integer(obj: dict, name: str, allowed: range, where: str = "the letter") -> int | None:
    value = obj.get(name)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value not in allowed):
        raise RecordError(f"{where} has a {name} that is not a usable whole number: {value!r}")
    return value


def _date(obj: dict, name: str) -> date | None:
    value = _optional(obj, name, str)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RecordError(f"the letter has a {name} that is not a YYYY-MM-DD date: {value!r}") from None


def _strings(obj: dict, name: str) -> list[str]:
    value = obj.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RecordError(f"the letter has a {name} that is not a list of strings: {value!r}")
    return value


# ---------------------------------------------------------------- loader side


@dataclass
class RunCounts:
    seen: int = 0
    loaded: int = 0
    skipped: int = 0
    duplicate: int = 0
    rejected: int = 0
    rejections: list[tuple[str, str]] = field(default_factory=list)  # the first few (path, reason)
    extract_seconds: float = 0.0
    parse_seconds: float = 0.0
    write_seconds: float = 0.0

    def count_rejection(self, path: str, reason: str) -> None:
        self.rejected += 1
        if len(self.rejections) < REJECTIONS_SHOWN:
            self.rejections.append((path, reason))


@dataclass
class RunRow:
    """What load_runs records about a run."""

    run_id: int
    started_at: datetime
    sources: list[Path]
    counts: RunCounts
    rebuilt: bool


@dataclass
class PreviousDatabase:
    parser_version: str | None
    next_run_id: int
    next_letter_id: int
    known_hashes: frozenset[str]
    case_sources: dict[str, str]  # case number -> the file it was loaded from
    file_paths: list[str]  # every file an earlier run read, for a rebuild to read again


@dataclass
class LoadResult:
    counts: RunCounts
    run_id: int
    rebuilt: bool
    rebuild_reason: str | None
    seconds: float
    not_read: list[Unread] = field(default_factory=list)  # paths under the sources that are no letters, and why
    folders: list[str] = field(default_factory=list)  # the folders walked


class Progress:
    """A progress line on stderr: redrawn in place on a terminal, a line every few seconds in a log."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled, self.stream = total, enabled, sys.stderr
        self.interactive = enabled and self.stream.isatty()
        self.started = self.last_shown = time.monotonic()

    def update(self, done: int) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last_shown < (0.25 if self.interactive else 5.0):
            return
        self.last_shown = now
        elapsed = now - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        left = (self.total - done) / rate if rate > 0 else 0.0
        filled = int(30 * done / self.total) if self.total else 30
        line = (f"[{'#' * filled}{'.' * (30 - filled)}] {done:,}/{self.total:,} files, "
                f"{rate:,.0f} letters/s, {_duration(left)} left")
        self.stream.write(f"\r{line}  " if self.interactive else f"{line}\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.interactive:
            self.stream.write("\n")
        if self.enabled:
            self.stream.write("Writing the new database file, sorted by decision date ...\n")
            self.stream.flush()


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@contextlib.contextmanager
def _exclusive_lock(target: Path) -> Iterator[None]:
    # flock is released by the kernel when the process dies, so a killed load never blocks the next.
    with open(target.with_name(target.name + ".lock"), "w") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LoadError(f"Another load is writing {target}; wait for it to finish and run this again.") from None
        yield


def _temp_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.loading-{os.getpid()}")


def _remove_temp_files(target: Path, only: Path | None = None) -> None:
    """Remove the temporary database (with its WAL and spill folder) of this run, or of every crashed run."""
    pattern = f"{only.name}*" if only else f".{target.name}.loading-*"
    for leftover in target.parent.glob(pattern):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def _read_previous(target: Path) -> PreviousDatabase | None:
    if not target.exists():
        return None
    try:
        con = duckdb.connect(str(target), read_only=True)
    except duckdb.Error as exc:
        raise LoadError(f"{target} cannot be opened as a DuckDB database ({exc}). "
                        f"Move it aside and run the load again to build a new one.") from None
    try:
        [(parser_version, last_run)] = con.execute(
            "SELECT arg_max(parser_version, run_id), max(run_id) FROM load_runs").fetchall()
        [(next_letter_id,)] = con.execute("SELECT coalesce(max(letter_id), 0) + 1 FROM letters").fetchall()
        known_hashes = frozenset(
            sha for (sha,) in con.execute("SELECT sha256 FROM files WHERE sha256 IS NOT NULL").fetchall())
        case_sources = dict(con.execute(
            "SELECT case_number, source_file FROM letters WHERE case_number IS NOT NULL").fetchall())
        file_paths = [p for (p,) in con.execute("SELECT DISTINCT path FROM files ORDER BY path").fetchall()]
    except duckdb.Error as exc:
        raise LoadError(f"{target} is not an IMR database this loader can extend ({exc}). "
                        f"Move it aside and run the load again to build a new one.") from None
    finally:
        con.close()
    return PreviousDatabase(parser_version, (last_run or 0) + 1, next_letter_id, known_hashes, case_sources,
                            file_paths)


def _chunk_results(pool, paths: list[str], workers: int) -> Iterator[ChunkResult]:
    """Workers' results in path order, with a bounded number of chunks in flight."""
    chunk_size = max(1, min(MAX_CHUNK_FILES, len(paths) // (workers * 8)))
    window = workers * CHUNKS_IN_FLIGHT_PER_WORKER
    pending: deque = deque()
    for chunk_no, start in enumerate(range(0, len(paths), chunk_size)):
        pending.append(pool.apply_async(read_chunk, (chunk_no, paths[start:start + chunk_size])))
        if len(pending) >= window:
            yield _wait_for(pending.popleft())
    while pending:
        yield _wait_for(pending.popleft())


def _wait_for(result) -> ChunkResult:
    # Short timed waits: Ctrl-C may land on another thread and would not wake an endless wait.
    while not result.ready():
        result.wait(0.2)
    return result.get()


class FileLog:
    """This run's files, each with its fate, appended to a TEMP table a batch at a time.

    A file whose bytes an earlier run read is not parsed again; it waits in `known_files` until
    `settle_known` decides: at the path it was read from, it is skipped; at a new path it gets its
    own row, with what became of those bytes before (so a copy of a rejected file shows as rejected).
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, run_id: int):
        self.con, self.run_id, self.rows, self.known_rows = con, run_id, [], []
        con.execute("CREATE TEMP TABLE staged_files AS SELECT *, NULL::INTEGER AS letter_id FROM main.files LIMIT 0")
        con.execute("CREATE TEMP TABLE known_files (path VARCHAR, sha256 VARCHAR, seen_at TIMESTAMP)")

    def add(self, result: FileResult, seen_at: datetime, status: str, reason: str | None = None,
            letter_id: int | None = None) -> None:
        self.rows.append((result.sha256, result.path, status, reason, result.case_number, self.run_id, seen_at,
                          letter_id))
        if len(self.rows) >= BATCH_FILES:
            self.flush()

    def add_known(self, result: FileResult, seen_at: datetime) -> None:
        self.known_rows.append((result.path, result.sha256, seen_at))
        if len(self.known_rows) >= BATCH_FILES:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            frame = pl.DataFrame(self.rows, schema=STAGED_FILE_SCHEMA, orient="row")
            self.con.register("staged_batch", frame)
            self.con.execute("INSERT INTO staged_files BY NAME SELECT * FROM staged_batch")
            self.con.unregister("staged_batch")
            self.rows = []
        if self.known_rows:
            frame = pl.DataFrame(self.known_rows, schema=KNOWN_FILE_SCHEMA, orient="row")
            self.con.register("known_batch", frame)
            self.con.execute("INSERT INTO known_files BY NAME SELECT * FROM known_batch")
            self.con.unregister("known_batch")
            self.known_rows = []

    def settle_known(self, counts: RunCounts, earlier_files: str = "previous.files") -> None:
        """Count the files an earlier run read at the same path as skipped, and log the others."""
        self.flush()
        self.con.execute(SETTLE_KNOWN_FILES.format(earlier=earlier_files), {"run_id": self.run_id})
        [(known,)] = self.con.execute("SELECT count(*) FROM known_files").fetchall()
        for status, count in self.con.execute("SELECT status, count(*) FROM settled GROUP BY ALL").fetchall():
            known -= count
            if status == "duplicate":
                counts.duplicate += count
        counts.skipped += known
        for path, reason in self.con.execute(
                "SELECT path, reason FROM settled WHERE status = 'rejected' ORDER BY path").fetchall():
            counts.count_rejection(path, reason)
        self.con.execute("INSERT INTO staged_files BY NAME SELECT * FROM settled")


KNOWN_FILE_SCHEMA = pl.Schema({"path": pl.String, "sha256": pl.String, "seen_at": pl.Datetime("us")})
# A file at a path not read before, with bytes read before: its row repeats what became of the bytes.
SETTLE_KNOWN_FILES = """
CREATE OR REPLACE TEMP TABLE settled AS
WITH earlier AS (
    SELECT DISTINCT ON (sha256) sha256, status, path, reason, case_number
    FROM {earlier}
    WHERE sha256 IN (SELECT sha256 FROM known_files)
    ORDER BY sha256, CASE status WHEN 'loaded' THEN 0 WHEN 'duplicate' THEN 1 ELSE 2 END, run_id, path
)
SELECT k.sha256, k.path,
       CASE WHEN e.status = 'rejected' THEN 'rejected' ELSE 'duplicate' END::file_status_t AS status,
       CASE WHEN e.status = 'loaded' THEN 'the same bytes were loaded from ' || e.path || ' by an earlier run'
            ELSE e.reason END AS reason,
       e.case_number, $run_id AS run_id, k.seen_at, NULL::INTEGER AS letter_id
FROM known_files k JOIN earlier e USING (sha256)
WHERE NOT EXISTS (SELECT 1 FROM {earlier} f WHERE f.path = k.path AND f.sha256 = k.sha256)
"""


def load(sources: list[Path], target: Path, workers: int, rebuild: bool = False, show_progress: bool = True,
         max_file_bytes: int = DEFAULT_MAX_FILE_MB * MB) -> LoadResult:
    """Load the letters under `sources` into the database at `target` and swap the new file in."""
    started_at, started = datetime.now(), time.monotonic()
    # A link to the database: the real file is locked and replaced, and the link stays a link.
    target = Path(os.path.realpath(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(target):
        _remove_temp_files(target)
        previous = _read_previous(target)
        rebuild_reason = None
        if rebuild:
            rebuild_reason = "--rebuild was given"
        elif previous and previous.parser_version != PARSER_VERSION:
            rebuild_reason = f"the parser changed from version {previous.parser_version} to {PARSER_VERSION}"
        incremental = previous is not None and rebuild_reason is None

        # A rebuild reads again every file read before.
        read_again = [os_path(p) for p in previous.file_paths] if previous and not incremental else []
        found = find_letters(list(sources) + read_again)
        paths = found.letters
        known_hashes = previous.known_hashes if incremental else frozenset()
        case_sources = dict(previous.case_sources) if incremental else {}
        run_id = previous.next_run_id if previous else 1
        next_letter_id = previous.next_letter_id if incremental else 1

        temp = _temp_path(target)
        parsed_dir = temp.with_name(temp.name + ".parsed")
        parsed_dir.mkdir()
        counts = RunCounts()
        pool = con = None
        swapped = False
        try:
            with _stop_signals_held(), _workers_ignore_ctrl_c():
                # Spawned, not forked: a fork of a process whose polars or DuckDB threads are running can deadlock.
                pool = multiprocessing.get_context("spawn").Pool(
                    workers, _start_worker, (known_hashes, parsed_dir, max_file_bytes))
            con = duckdb.connect(str(temp))
            con.execute("SET memory_limit = $limit", {"limit": DUCKDB_MEMORY_LIMIT})
            # Rows are inserted with ORDER BY; not keeping other orders lets DuckDB spill more of the sort.
            con.execute("SET preserve_insertion_order = false")
            create_schema(con)
            if previous:
                con.execute("ATTACH $path AS previous (READ_ONLY)", {"path": str(target)})
            file_log = FileLog(con, run_id)
            progress = Progress(len(paths) + len(found.refused), show_progress)
            loaded_hashes: set[str] = set()
            for unread in found.refused:  # folders and files under the sources that cannot be read
                counts.seen += 1
                _account(FileResult(unread.path, None, "rejected", unread.reason), counts, file_log, loaded_hashes,
                         case_sources, datetime.now(), next_letter_id)
            for chunk in _chunk_results(pool, paths, workers):
                counts.extract_seconds += chunk.extract_seconds
                counts.parse_seconds += chunk.parse_seconds
                counts.write_seconds += chunk.write_seconds
                seen_at = datetime.now()
                for result in chunk.files:
                    counts.seen += 1
                    if _account(result, counts, file_log, loaded_hashes, case_sources, seen_at, next_letter_id):
                        next_letter_id += 1
                progress.update(counts.seen)
            pool.close()
            pool.join()  # the workers' memory is free before the final sort needs it
            if incremental:
                file_log.settle_known(counts)
            file_log.flush()
            progress.finish()
            run = RunRow(run_id, started_at, [shown(s) for s in sources], counts, rebuild_reason is not None)
            new_file = _finish_new_file(con, temp, target, parsed_dir, incremental, previous is not None, run)
            con.close()
            os.replace(new_file, target)  # the one atomic step: readers see the old file or the new one
            swapped = True
        finally:
            try:
                with _stop_signals_held():  # a Ctrl-C or SIGTERM now waits until the cleanup is done
                    if pool is not None:
                        pool.terminate()
                    if con is not None:
                        con.close()
                    _remove_temp_files(target, only=temp)
            except (KeyboardInterrupt, LoadInterrupted):
                if not swapped:  # once swapped in, the load is done: too late to stop
                    raise
    return LoadResult(counts, run_id, rebuild_reason is not None, rebuild_reason, time.monotonic() - started,
                      found.not_read, found.folders)


STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def _stop_signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM until the block is done (the workers started, or the cleanup finished);
    then this process gets the signal. Workers started meanwhile inherit the block, and unblock it
    once they ignore Ctrl-C (a SIGTERM that waited then stops them, quietly)."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


@contextlib.contextmanager
def _workers_ignore_ctrl_c() -> Iterator[None]:
    """Workers started in the block ignore Ctrl-C from their first instruction: an ignored signal stays
    ignored across exec, so a Ctrl-C that lands while they import prints no traceback from each.
    (The block of _stop_signals_held is not enough: multiprocessing unblocks Ctrl-C when it starts its
    resource tracker.) Held, meanwhile, a Ctrl-C still reaches this process once the block is done."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread handles signals
        yield
        return
    on_ctrl_c = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, on_ctrl_c)


def _finish_new_file(con: duckdb.DuckDBPyConnection, temp: Path, target: Path, parsed_dir: Path,
                     incremental: bool, has_previous: bool, run: RunRow) -> Path:
    """Complete the database file that will replace the target, and return its path."""
    if incremental and run.counts.loaded == 0:
        # Nothing to sort in: the previous file plus this run's log is far cheaper than a rewrite.
        copying = time.perf_counter()
        new_file = temp.with_name(temp.name + ".copy")
        shutil.copyfile(target, new_file)
        con.execute("ATTACH $path AS updated", {"path": str(new_file)})
        run.counts.write_seconds += time.perf_counter() - copying
        _log_run(con, "updated", run)
        con.execute("DETACH updated")
        return new_file
    _write_database(con, parsed_dir, incremental, has_previous, run)
    return temp


def _account(result: FileResult, counts: RunCounts, file_log: FileLog, loaded_hashes: set[str],
             case_sources: dict[str, str], seen_at: datetime, letter_id: int) -> bool:
    """Decide what becomes of one file and log it; True when it is loaded as `letter_id`."""
    if result.status == "known":  # skipped or not, FileLog.settle_known decides at the end
        file_log.add_known(result, seen_at)
        return False
    if result.status == "rejected":
        counts.count_rejection(result.path, result.reason)
        file_log.add(result, seen_at, "rejected", result.reason)
        return False
    case_number = result.case_number
    if case_number is not None and case_number in case_sources:
        counts.duplicate += 1
        reason = f"case {case_number} is already loaded from {case_sources[case_number]}"
        file_log.add(result, seen_at, "duplicate", reason)
        return False
    if result.sha256 in loaded_hashes:  # a copy of a letter that shows no case number
        counts.duplicate += 1
        file_log.add(result, seen_at, "duplicate", "the same bytes were loaded from another file in this run")
        return False
    if case_number is not None:
        case_sources[case_number] = result.path
    loaded_hashes.add(result.sha256)
    counts.loaded += 1
    file_log.add(result, seen_at, "loaded", letter_id=letter_id)
    return True


# This run's parsed rows join the file log on their source file: only the loaded ones get in.
_LOADED_ONLY = "JOIN staged_files f ON f.path = p.source_file AND f.letter_id IS NOT NULL"
THIS_RUNS_ROWS = {
    "letters": f"SELECT p.* EXCLUDE (full_text), f.letter_id, f.run_id FROM read_parquet($parsed) p {_LOADED_ONLY}",
    "decisions": "SELECT p.* EXCLUDE (source_file, ca_guideline_text, imr_guideline_text, rationale), f.letter_id "
                 f"FROM read_parquet($parsed) p {_LOADED_ONLY}",
    "citations": f"SELECT p.* EXCLUDE (source_file), f.letter_id FROM read_parquet($parsed) p {_LOADED_ONLY}",
}
# Rows go in sorted by decision date, so the zone maps let date filters skip row groups.
SORTED_INSERTS = {
    "letters": "SELECT * FROM ({rows}) ORDER BY decision_date NULLS LAST, letter_id",
    "decisions": "SELECT r.* FROM ({rows}) r JOIN letters l USING (letter_id) "
                 "ORDER BY l.decision_date NULLS LAST, r.letter_id, r.item_no",
    "citations": "SELECT r.* FROM ({rows}) r JOIN letters l USING (letter_id) "
                 "ORDER BY l.decision_date NULLS LAST, r.letter_id, r.item_no, r.side, r.cite_no",
}
# The texts go in unsorted, in load order: no sort, so no memory that grows with the letters.
TEXT_INSERTS = {
    "letter_texts": ("letters", f"SELECT f.letter_id, p.full_text FROM read_parquet($parsed) p {_LOADED_ONLY}"),
    "decision_texts": ("decisions", "SELECT f.letter_id, p.item_no, p.ca_guideline_text, p.imr_guideline_text, "
                                    f"p.rationale FROM read_parquet($parsed) p {_LOADED_ONLY}"),
}


def _write_database(con: duckdb.DuckDBPyConnection, parsed_dir: Path, incremental: bool, has_previous: bool,
                    run: RunRow) -> None:
    """Write the earlier rows and this run's loaded ones into the new file, sorted by decision date."""
    started = time.perf_counter()
    for table, sorted_rows in SORTED_INSERTS.items():
        parts = [f"SELECT * FROM previous.{table}"] if incremental else []
        parameters = {}
        parsed_files = sorted(str(path) for path in parsed_dir.glob(f"*.{table}.parquet"))
        if parsed_files:  # listed, not globbed: the target's name may hold glob characters
            parts.append(THIS_RUNS_ROWS[table])
            parameters["parsed"] = parsed_files
        if parts:
            con.execute(f"INSERT INTO {table} BY NAME " + sorted_rows.format(rows=" UNION ALL BY NAME ".join(parts)),
                        parameters)
    for table, (parsed_table, rows) in TEXT_INSERTS.items():
        if incremental:
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM previous.{table}")
        parsed_files = sorted(str(path) for path in parsed_dir.glob(f"*.{parsed_table}.parquet"))
        if parsed_files:
            con.execute(f"INSERT INTO {table} BY NAME {rows}", {"parsed": parsed_files})
    if incremental:
        con.execute("INSERT INTO files BY NAME SELECT * FROM previous.files")
    if has_previous:  # the history of runs survives a rebuild
        con.execute("INSERT INTO load_runs BY NAME SELECT * FROM previous.load_runs")
    build_decision_facts(con)
    run.counts.write_seconds += time.perf_counter() - started
    _log_run(con, None, run)


def _log_run(con: duckdb.DuckDBPyConnection, attached: str | None, run: RunRow) -> None:
    """Add this run's files and its load_runs row to the new file (`attached` by that name, if not the
    connection's own) and checkpoint it."""
    c = run.counts
    prefix = f"{attached}." if attached else ""
    con.execute(f"INSERT INTO {prefix}files BY NAME SELECT * EXCLUDE (letter_id) FROM staged_files")
    con.execute(
        f"INSERT INTO {prefix}load_runs (run_id, started_at, finished_at, parser_version, sources, files_seen, "
        "files_loaded, files_skipped, files_duplicate, files_rejected, rebuilt, extract_seconds, "
        "parse_seconds, write_seconds) VALUES ($run_id, $started_at, $finished_at, $parser_version, $sources, "
        "$seen, $loaded, $skipped, $duplicate, $rejected, $rebuilt, $extract, $parse, $write)",
        {"run_id": run.run_id, "started_at": run.started_at, "finished_at": datetime.now(),
         "parser_version": PARSER_VERSION, "sources": [str(s) for s in run.sources], "seen": c.seen,
         "loaded": c.loaded, "skipped": c.skipped, "duplicate": c.duplicate, "rejected": c.rejected,
         "rebuilt": run.rebuilt, "extract": c.extract_seconds, "parse": c.parse_seconds, "write": c.write_seconds},
    )
    con.execute(f"CHECKPOINT {attached or ''}")


def summary(result: LoadResult, target: Path) -> str:
    c = result.counts
    rate = c.seen / result.seconds if result.seconds > 0 else 0.0
    lines = []
    if result.rebuilt:
        lines.append(f"Rebuilt the database from scratch because {result.rebuild_reason}.")
    lines += [
        f"Load run {result.run_id} finished in {result.seconds:,.1f} s ({rate:,.0f} letters/s); "
        f"{target} is up to date.",
        f"Files seen {c.seen:,} = loaded {c.loaded:,} + skipped {c.skipped:,} (read by an earlier run) "
        f"+ duplicates {c.duplicate:,} (case already loaded from another file) + rejected {c.rejected:,}.",
    ]
    work = c.extract_seconds + c.parse_seconds + c.write_seconds
    if work > 0:
        lines.append(f"Time by stage: extract {c.extract_seconds / work:.0%}, parse {c.parse_seconds / work:.0%}, "
                     f"write {c.write_seconds / work:.0%}.")
    return "\n".join(lines)


def rejection_report(counts: RunCounts) -> str:
    lines = [f"{counts.rejected:,} file(s) were rejected and not loaded (all are listed in v_rejected_files):"]
    lines += [f"  {path}: {reason}" for path, reason in counts.rejections]
    if counts.rejected > len(counts.rejections):
        lines.append(f"  ... and {counts.rejected - len(counts.rejections):,} more.")
    return "\n".join(lines)


def not_read_report(not_read: list[Unread]) -> str:
    lines = [f"{len(not_read):,} path(s) under the sources were not read, as no letters:"]
    lines += [f"  {unread.path}: {unread.reason}" for unread in not_read[:REJECTIONS_SHOWN]]
    if len(not_read) > REJECTIONS_SHOWN:
        lines.append(f"  ... and {len(not_read) - REJECTIONS_SHOWN:,} more.")
    return "\n".join(lines)


EXIT_LOADED, EXIT_REJECTED, EXIT_USAGE, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_CODES = f"""exit status:
  {EXIT_LOADED}    every file was loaded or skipped (other paths under the sources are listed, not read)
  {EXIT_REJECTED}    the load finished, but some files were rejected: listed, and kept in v_rejected_files
  {EXIT_USAGE}    the command line is wrong; nothing was done
  {EXIT_FAILED}    the load failed or could not start (another load running, disk full, ...);
       the database is unchanged
  {EXIT_INTERRUPTED}  interrupted by Ctrl-C or SIGTERM; the database is unchanged"""


def failure_message(exc: BaseException, db: Path) -> str:
    """What went wrong, as a sentence saying what to do; never a traceback."""
    if _disk_full(exc):
        return (f"The load stopped because the disk is full; {db} is unchanged. Free some space on the disk "
                f"holding {db.parent} (a load needs room for a new copy of the database beside the old one) "
                "and run the load again.")
    if isinstance(exc, OSError):
        where = f" ({shown(exc.filename)})" if exc.filename else ""
        return f"The load failed and {db} is unchanged: {exc.strerror or exc}{where}. Fix that and run it again."
    if isinstance(exc, duckdb.Error):
        return f"The load failed and {db} is unchanged: {exc}"
    return (f"The load failed and {db} is unchanged: {type(exc).__name__}: {exc}. This is a fault in the loader, "
            "not in your letters: please report it with this message.")


def _disk_full(exc: BaseException | None) -> bool:
    while exc is not None:  # polars and DuckDB put the system's words in their own errors
        if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "No space left on device" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl.load", description=__doc__.split("\n\n")[0],
                                     epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sources", nargs="*", metavar="SRC", type=Path,
                        help=".pdf/.txt letter files or folders holding them")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB,
                        help=f"the database file (default {DEFAULT_DB}); a link to it is followed")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)),
                        help="worker processes (default: one per CPU)")
    parser.add_argument("--max-file-mb", type=float, default=DEFAULT_MAX_FILE_MB,
                        help=f"files above this size are rejected, which bounds each worker's memory "
                             f"(default {DEFAULT_MAX_FILE_MB})")
    parser.add_argument("--rebuild", action="store_true",
                        help="start from an empty database and read every file again, earlier ones included")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary; errors still shown")
    args = parser.parse_args(argv)
    if not args.sources and not args.rebuild:
        parser.error("name at least one SRC file or folder (or give --rebuild to reload the files loaded before)")
    missing = [shown(s) for s in args.sources if not s.exists()]
    if missing:
        parser.error(f"cannot find {', '.join(missing)}: no such file or folder")
    if args.workers < 1:
        parser.error(f"--workers must be at least 1, not {args.workers}")
    if args.max_file_mb <= 0:
        parser.error(f"--max-file-mb must be above 0, not {args.max_file_mb:g}")

    db = shown(args.db)
    try:
        try:
            result = load(args.sources, args.db, args.workers, args.rebuild, show_progress=not args.quiet,
                          max_file_bytes=int(args.max_file_mb * MB))
        finally:
            _stop_signals_done()
    except LoadError as exc:
        print(exc, file=sys.stderr)
        return EXIT_FAILED
    except (KeyboardInterrupt, LoadInterrupted):
        print(f"\nLoad interrupted; {db} is unchanged.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if _stop_signal_received:  # DuckDB turns a signal that lands during a query into its own error
            print(f"\nLoad interrupted; {db} is unchanged.", file=sys.stderr)
            return EXIT_INTERRUPTED
        print(failure_message(exc, Path(db)), file=sys.stderr)
        return EXIT_FAILED
    if not args.quiet:
        print(summary(result, Path(db)), file=sys.stderr)
        if result.not_read:
            print(not_read_report(result.not_read), file=sys.stderr)
    if result.counts.rejected:
        print(rejection_report(result.counts), file=sys.stderr)
        return EXIT_REJECTED
    return EXIT_LOADED


_stop_signal_received = False


def _on_stop_signal(signum, frame) -> None:
    """The first Ctrl-C or SIGTERM stops the load; more, while it unwinds, would only cut its cleanup short."""
    global _stop_signal_received
    if _stop_signal_received:
        return
    _stop_signal_received = True
    raise KeyboardInterrupt if signum == signal.SIGINT else LoadInterrupted


def _stop_signals_done() -> None:
    """The load is over, swapped in or cleaned up: from here a Ctrl-C or SIGTERM changes nothing, so it is
    ignored rather than raised where it would print a traceback (as the command; not where main() is called)."""
    for stop_signal in STOP_SIGNALS:
        if signal.getsignal(stop_signal) is _on_stop_signal:
            signal.signal(stop_signal, signal.SIG_IGN)


if __name__ == "__main__":
    for stop_signal in STOP_SIGNALS:
        signal.signal(stop_signal, _on_stop_signal)
    sys.exit(main())
