"""Load IMR letters into DuckDB, incrementally, in parallel, losing nothing.

    python -m etl.load SRC... [--db data/imr.duckdb] [--workers N] [--reparse | --rebuild] [--quiet]

Worker processes read and hash the files, skip bytes an earlier run read (they look them up in
the database, read-only), extract and parse the rest, and write each chunk's rows as polars
frames (explicit schemas) to Parquet beside the target. This process only decides what becomes
of each file (loaded, duplicate, rejected), so it never holds the letters. At the end it opens
the database for writing (waiting briefly for readers such as the dashboard to let go) and
appends this run's letters, sorted by decision date, and their decision_facts rows in one DuckDB
transaction: the cost is that of the new letters, readers see all of the load or none of it,
and a run interrupted or killed at any moment leaves the previous data whole (DuckDB's
write-ahead log drops a transaction that never committed).

A new parser version parses every stored letter again from its stored text (letter_texts), in
parallel, without the original files: a letter the new parser fails on keeps its old record and
is listed in reparse_failures with the reason. The re-parsed database is written as a new file
and swapped in with one atomic rename. --rebuild reads every file again instead.

Every file seen ends up loaded, skipped (an earlier run read the same bytes at the same path), a
duplicate (its case number, or its bytes, were loaded from another file) or rejected with the reason
(bytes an earlier run rejected, at a new path, keep that reason); `files` keeps one row
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
import stat
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

import duckdb
import polars as pl
from tqdm import tqdm

from etl import search
from etl.db import append_decision_facts, create_schema
from etl.extract import DEFAULT_MAX_FILE_MB, MB, Extracted, extract_bytes, read_file
from etl.parse import PARSER_VERSION, parse_extracted
from etl.sources import Found, Unread, find_letters, os_path, shown
from etl.vocab import (
    CITATION_SIDES,
    CITATION_SOURCES,
    MTUS_CHAPTERS,
    OUTCOMES,
    PRIORITIES,
    REASON_CODES,
    SERVICE_CATEGORIES,
    SEXES,
    SUBCATEGORIES,
    UR_ACTIONS,
)

DEFAULT_DB = Path("data/imr.duckdb")
FILE_STATUSES = ("loaded", "duplicate", "rejected")
BATCH_FILES = 5000  # file-log rows per Parquet file: big enough to be fast, small enough to stay flat
MAX_CHUNK_FILES = 256  # files per task sent to a worker, and per Parquet file it writes
REPARSE_CHUNK_LETTERS = 1000  # stored letters per re-parse task
CHUNKS_IN_FLIGHT_PER_WORKER = 4  # bounds the results waiting in memory when writing falls behind
DUCKDB_MEMORY_LIMIT = "512MB"  # DuckDB spills to disk beyond this, so the write stage's memory stays flat
WORKER_DUCKDB_MEMORY_LIMIT = "128MB"  # a worker only looks up hashes and reads stored texts
WRITE_WAIT_SECONDS = 60.0  # how long the write stage waits for readers (the dashboard) to close the database
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
    "warnings": pl.List(pl.String),
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
    "classified_by": pl.String,
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
REASON_SCHEMA = pl.Schema({
    "letter_id": pl.Int32,
    "item_no": pl.Int16,
    "code": pl.Enum(REASON_CODES),
    "evidence": pl.String,
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
                 "decision_texts": DECISION_TEXT_SCHEMA, "citations": CITATION_SCHEMA,
                 "decision_reasons": REASON_SCHEMA, "files": FILE_SCHEMA}


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
    "decision_reasons": _keyed_by_source_file(REASON_SCHEMA),
}
# A re-parse knows each letter's id already: its rows carry it beside the source file.
REPARSED_SCHEMAS = {table: pl.Schema({"letter_id": pl.Int32} | schema) for table, schema in PARSED_SCHEMAS.items()}
REPARSE_FAILURE_SCHEMA = pl.Schema({"letter_id": pl.Int32, "reason": pl.String})
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
    reasons: list[tuple]  # PARSED_SCHEMAS["decision_reasons"]'s values


class FileResult(NamedTuple):
    path: str
    sha256: str | None  # None when the file could not be read
    # "known" (these bytes read at this path by an earlier run: skipped), "duplicate" (bytes an earlier
    # run read, at a new path), "rejected" or "parsed"
    status: str
    reason: str | None = None  # why it was rejected, or is a duplicate
    case_number: str | None = None


class ChunkResult(NamedTuple):
    files: list[FileResult]
    extract_seconds: float
    parse_seconds: float
    write_seconds: float


# Of the chunk being read: the bytes an earlier run read, with what became of them, and the
# (path, sha256) pairs an earlier run read.
_earlier: dict[str, "Earlier"] = {}
_read_here: set[tuple[str, str]] = set()
_database: Path | None = None  # the database to look hashes up in (read-only), None when there is none
_database_connection: duckdb.DuckDBPyConnection | None = None
_parsed_dir = Path()
_max_file_bytes = DEFAULT_MAX_FILE_MB * MB

_SMALLINT = range(-(2**15), 2**15)
_INTEGER = range(-(2**31), 2**31)


def _start_worker(database: Path | None, parsed_dir: Path, max_file_bytes: int) -> None:
    global _database, _parsed_dir, _max_file_bytes
    _database, _parsed_dir, _max_file_bytes = database, parsed_dir, max_file_bytes
    # Ctrl-C reaches the whole process group; the loader stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # blocked while it started: _stop_signals_held
    if sys.platform == "linux":
        # A loader killed with SIGKILL cannot stop its workers: have the kernel do it.
        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)


def _worker_database() -> duckdb.DuckDBPyConnection:
    """The worker's read-only connection to the database, opened on first use."""
    global _database_connection
    if _database_connection is None:
        _database_connection = duckdb.connect(str(_database), read_only=True,
                                              config={"memory_limit": WORKER_DUCKDB_MEMORY_LIMIT, "threads": 1})
    return _database_connection


class Earlier(NamedTuple):
    """What became of some bytes when an earlier run read them."""

    status: str
    path: str
    reason: str | None
    case_number: str | None


def _read_before(paths: list[str]) -> tuple[dict[str, Earlier], set[tuple[str, str]]]:
    """Of these files, the bytes an earlier run read, with what became of them, and the (path, sha256)
    pairs an earlier run read as they are now: looked up in the database once per chunk, so no process
    holds the hashes of the whole archive."""
    if _database is None:
        return {}, set()
    pairs = [(shown(path), sha) for path in paths if (sha := _sha256_of(path)) is not None]
    if not pairs:
        return {}, set()
    stored_paths, hashes = [path for path, _ in pairs], [sha for _, sha in pairs]
    con = _worker_database()
    # The earlier fate of each hash: loaded if it ever was, else a duplicate, else rejected.
    earlier = con.execute(
        "SELECT DISTINCT ON (sha256) sha256, CAST(status AS VARCHAR), path, reason, case_number FROM files "
        "WHERE sha256 IN (SELECT unnest($hashes)) "
        "ORDER BY sha256, CASE status WHEN 'loaded' THEN 0 WHEN 'duplicate' THEN 1 ELSE 2 END, run_id, path",
        {"hashes": hashes}).fetchall()
    if not earlier:
        return {}, set()
    same_path = con.execute(
        "SELECT DISTINCT f.path, f.sha256 FROM files f "
        "JOIN (SELECT unnest($paths) AS path, unnest($hashes) AS sha256) c USING (path, sha256)",
        {"paths": stored_paths, "hashes": hashes}).fetchall()
    return {sha: Earlier(*fate) for sha, *fate in earlier}, set(same_path)


def _sha256_of(path: str) -> str | None:
    """The file's hash, read a block at a time; None for what read_file refuses (not a regular file,
    too big, cannot be opened): opened without blocking, so a named pipe cannot hang it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    with open(fd, "rb") as file:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > _max_file_bytes:
                return None
            return hashlib.file_digest(file, "sha256").hexdigest()
        except OSError:
            return None


def read_chunk(chunk_no: int, paths: list[str]) -> ChunkResult:
    """Read, extract and parse some files; write the parsed rows to Parquet and report each file's fate."""
    global _earlier, _read_here
    results = []
    rows: dict[str, list[tuple]] = {table: [] for table in PARSED_SCHEMAS}
    extract_seconds = parse_seconds = 0.0
    started = time.perf_counter()
    _earlier, _read_here = _read_before(paths)
    extract_seconds += time.perf_counter() - started
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
                rows["decision_reasons"] += letter_rows.reasons
        results.append(result)
    started = time.perf_counter()
    _write_parsed(rows, PARSED_SCHEMAS, chunk_no)
    return ChunkResult(results, extract_seconds, parse_seconds, time.perf_counter() - started)


def _write_parsed(rows: dict[str, list[tuple]], schemas: dict[str, pl.Schema], chunk_no: int) -> None:
    for table, table_rows in rows.items():
        if table_rows:
            frame = pl.DataFrame(table_rows, schema=schemas[table], orient="row")
            frame.write_parquet(_parsed_dir / f"{chunk_no:08d}.{table}.parquet", compression="lz4")


class ReparseChunk(NamedTuple):
    reparsed: int
    failures: list[tuple[int, str, str]]  # (letter_id, source_file, reason) of every letter the parser failed on
    parse_seconds: float


def reparse_chunk(chunk_no: int, first_id: int, last_id: int) -> ReparseChunk:
    """Parse again, from their stored text, the letters numbered first_id to last_id; write their rows."""
    stored = _worker_database().execute(
        "SELECT t.letter_id, l.sha256, l.source_file, t.full_text FROM letter_texts t JOIN letters l USING (letter_id) "
        "WHERE t.letter_id BETWEEN $first AND $last", {"first": first_id, "last": last_id}).fetchall()
    rows: dict[str, list[tuple]] = {table: [] for table in REPARSED_SCHEMAS}
    failures = []
    started = time.perf_counter()
    for letter_id, sha, source_file, text in stored:
        result, letter_rows = _parse(Extracted(source_file, sha, text, text, None))
        if letter_rows is None:
            failures.append((letter_id, source_file, result.reason))
            continue
        rows["letters"].append((letter_id, *letter_rows.letter))
        for table, table_rows in (("decisions", letter_rows.decisions), ("citations", letter_rows.citations),
                                  ("decision_reasons", letter_rows.reasons)):
            rows[table] += [(letter_id, *row) for row in table_rows]
    parse_seconds = time.perf_counter() - started
    _write_parsed(rows, REPARSED_SCHEMAS, chunk_no)
    if failures:
        failed = pl.DataFrame([(i, reason) for i, _, reason in failures], schema=REPARSE_FAILURE_SCHEMA, orient="row")
        failed.write_parquet(_parsed_dir / f"{chunk_no:08d}.failures.parquet")
    return ReparseChunk(len(rows["letters"]), failures, parse_seconds)


def _read_and_extract(path: str):
    stored = shown(path)  # what the database keeps: valid UTF-8 whatever bytes the name holds
    data, reason = read_file(path, _max_file_bytes)
    if data is None:
        return FileResult(stored, None, "rejected", reason=reason), None
    sha = hashlib.sha256(data).hexdigest()
    # Hash first: bytes read before cost no extraction or parsing. At the path they were read from,
    # the file is skipped; at a new path it gets its own row, with what became of them before.
    if (stored, sha) in _read_here:
        return FileResult(stored, sha, "known"), None
    if (earlier := _earlier.get(sha)) is not None:
        if earlier.status == "rejected":
            return FileResult(stored, sha, "rejected", reason=earlier.reason), None
        reason = (f"the same bytes were loaded from {earlier.path} by an earlier run" if earlier.status == "loaded"
                  else earlier.reason)
        return FileResult(stored, sha, "duplicate", reason=reason, case_number=earlier.case_number), None
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
        _strings(record, "warnings"),
        full_text,
    )
    decisions, citations, reasons = [], [], []
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
            _optional(decision, "classified_by", str, where),
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
        codes = set()
        for reason_no, reason in enumerate(decision.get("reasons") or [], start=1):
            given = f"{where} reason {reason_no}"
            if not isinstance(reason, dict):
                raise RecordError(f"{given} is not an object")
            code = _member(reason, "code", REASON_CODES, given, required=True)
            if code not in codes:  # one row per decision and code
                codes.add(code)
                reasons.append((source_file, item_no, code, _optional(reason, "evidence", str, given)))
    return LetterRows(letter, decisions, citations, reasons)


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
    reparsed: int = 0
    reparse_failed: int = 0
    reparse_failures: list[tuple[str, str]] = field(default_factory=list)  # the first few (file, reason)

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


@dataclass
class LoadResult:
    counts: RunCounts
    run_id: int
    rebuilt: bool
    rebuild_reason: str | None
    seconds: float
    reparse: RunCounts | None = None  # the re-parse of the stored letters this run did first, if any
    reparse_reason: str | None = None
    not_read: list[Unread] = field(default_factory=list)  # paths under the sources that are no letters, and why
    folders: list[str] = field(default_factory=list)  # the folders walked


def _progress(total: int, enabled: bool, what: str, unit: str) -> tqdm:
    """A tqdm bar on stderr: redrawn in place on a terminal, a line every few seconds in a log."""
    return tqdm(total=total, desc=what, unit=unit, disable=not enabled, file=sys.stderr, dynamic_ncols=True,
                mininterval=0.25 if sys.stderr.isatty() else 5.0, unit_scale=False)


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
    """Remove the temporary files (database, WAL, spill and Parquet folders) of this run, or of every crashed run."""
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
        con.execute("SELECT warnings FROM letters LIMIT 0")  # a database of an older schema cannot be extended
    except duckdb.Error as exc:
        raise LoadError(f"{target} is not an IMR database this loader can extend ({exc}). "
                        f"Move it aside and run the load again to build a new one.") from None
    finally:
        con.close()
    return PreviousDatabase(parser_version, (last_run or 0) + 1, next_letter_id)


def _open_for_writing(target: Path, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    """The database, read-write. DuckDB lets one process write or several read: readers such as the
    dashboard hold it only for a query, so wait briefly for them to let go."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            con = duckdb.connect(str(target))
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                raise LoadError(
                    f"{target} stayed open in another program for {wait_seconds:.0f} s, so this load could not "
                    f"write it ({exc}). Nothing was written; close that program (a query tool, or a dashboard "
                    "stuck on a long query) and run the load again.") from None
            time.sleep(0.2)
        else:
            _configure_writer(con)
            return con


def _configure_writer(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("SET memory_limit = $limit", {"limit": DUCKDB_MEMORY_LIMIT})
    con.execute("SET enable_progress_bar = false")  # the loader draws its own, and none with --quiet


def _chunk_results(pool, paths: list[str], workers: int) -> Iterator[ChunkResult]:
    """Workers' results in path order, with a bounded number of chunks in flight."""
    chunk_size = max(1, min(MAX_CHUNK_FILES, len(paths) // (workers * 8)))
    tasks = ((read_chunk, (chunk_no, paths[start:start + chunk_size]))
             for chunk_no, start in enumerate(range(0, len(paths), chunk_size)))
    yield from _bounded(pool, tasks, workers)


def _bounded(pool, tasks: Iterable[tuple], workers: int) -> Iterator:
    window = workers * CHUNKS_IN_FLIGHT_PER_WORKER
    pending: deque = deque()
    for function, arguments in tasks:
        pending.append(pool.apply_async(function, arguments))
        if len(pending) >= window:
            yield _wait_for(pending.popleft())
    while pending:
        yield _wait_for(pending.popleft())


def _wait_for(result):
    # Short timed waits: Ctrl-C may land on another thread and would not wake an endless wait.
    while not result.ready():
        result.wait(0.2)
    return result.get()


def _start_pool(workers: int, database: Path | None, parsed_dir: Path,
                max_file_bytes: int = DEFAULT_MAX_FILE_MB * MB):
    with _stop_signals_held(), _workers_ignore_ctrl_c():
        # Spawned, not forked: a fork of a process whose polars or DuckDB threads are running can deadlock.
        return multiprocessing.get_context("spawn").Pool(workers, _start_worker,
                                                         (database, parsed_dir, max_file_bytes))


class FileLog:
    """This run's files, each with its fate, written to Parquet beside the target a batch at a time."""

    def __init__(self, staging: Path, run_id: int):
        self.staging, self.run_id, self.rows, self.batches = staging, run_id, [], 0

    def add(self, result: FileResult, seen_at: datetime, status: str, reason: str | None = None,
            letter_id: int | None = None) -> None:
        self.rows.append((result.sha256, result.path, status, reason, result.case_number, self.run_id, seen_at,
                          letter_id))
        if len(self.rows) >= BATCH_FILES:
            self.flush()

    def loaded_from(self, case_number: str) -> str:
        """The file this run loaded the case from (rare: asked only for a duplicate)."""
        for row in reversed(self.rows):
            if row[4] == case_number and row[2] == "loaded":
                return row[1]
        written = pl.scan_parquet(sorted(self.staging.glob("files-*.parquet"))).filter(
            (pl.col("case_number") == case_number) & (pl.col("status") == "loaded")).select("path").collect()
        return written["path"][0]

    def flush(self) -> None:
        """Write the rows not yet written (at least one file, so the write stage always has one to read)."""
        if self.rows or not self.batches:
            frame = pl.DataFrame(self.rows, schema=STAGED_FILE_SCHEMA, orient="row")
            frame.write_parquet(self.staging / f"files-{self.batches:06d}.parquet")
            self.batches += 1
            self.rows = []


class HashSet:
    """The sha256 hashes this run loaded, kept as 128-bit numbers: a first load of the whole archive
    (1.8 million files) holds about 130 MB of them, not 300 MB of strings."""

    def __init__(self):
        self.numbers: set[int] = set()

    def __contains__(self, sha256: str) -> bool:
        return int(sha256[:32], 16) in self.numbers

    def add(self, sha256: str) -> None:
        self.numbers.add(int(sha256[:32], 16))


def _case_key(case_number: str) -> int:
    return int.from_bytes(hashlib.blake2b(case_number.encode(), digest_size=16).digest())


class CaseSources:
    """Case number -> the file it was loaded from: the database's looked up a chunk at a time, this
    run's kept as 128-bit keys (the file found in the run's log when asked). No process holds the
    case numbers and files of the whole archive."""

    def __init__(self, database: Path | None, file_log: FileLog):
        self.database, self.file_log, self.con = database, file_log, None
        self.this_run: set[int] = set()
        self.earlier: dict[str, str] = {}  # the database's answers for the chunk being accounted

    def prefetch(self, case_numbers: Iterable[str | None]) -> None:
        wanted = [c for c in case_numbers if c is not None]
        self.earlier = {}
        if self.database is None or not wanted:
            return
        if self.con is None:
            self.con = duckdb.connect(str(self.database), read_only=True)
        self.earlier = dict(self.con.execute(
            "SELECT case_number, source_file FROM letters WHERE case_number IN (SELECT unnest($cases))",
            {"cases": wanted}).fetchall())

    def __contains__(self, case_number: str) -> bool:
        return case_number in self.earlier or _case_key(case_number) in self.this_run

    def __getitem__(self, case_number: str) -> str:
        if case_number in self.earlier:
            return self.earlier[case_number]
        return self.file_log.loaded_from(case_number)

    def __setitem__(self, case_number: str, path: str) -> None:
        self.this_run.add(_case_key(case_number))

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None


def load(sources: list[Path], target: Path, workers: int, rebuild: bool = False, show_progress: bool = True,
         reparse: bool = False, drop_missing: bool = False, wait_seconds: float = WRITE_WAIT_SECONDS,
         max_file_bytes: int = DEFAULT_MAX_FILE_MB * MB) -> LoadResult:
    """Load the letters under `sources` into the database at `target`.

    A new parser version (or `reparse`) first parses the stored letters again from their text;
    `rebuild` instead starts from an empty database and reads every file again.
    """
    started_at, started = datetime.now(), time.monotonic()
    # A link to the database: the real file is locked and replaced, and the link stays a link.
    target = Path(os.path.realpath(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(target):
        _remove_temp_files(target)
        previous = _read_previous(target)
        reparsed, reparse_reason = None, None
        if previous and not rebuild and (reparse or previous.parser_version != PARSER_VERSION):
            reparse_reason = ("--reparse was given" if reparse else
                              f"the parser changed from version {previous.parser_version} to {PARSER_VERSION}")
            reparsed = _reparse(target, previous, workers, show_progress, reparse_reason)
            previous = _read_previous(target)
        rebuild_reason = "--rebuild was given" if rebuild else None
        read_again = _rebuild_paths(target, drop_missing, show_progress) if previous and rebuild else []
        found = find_letters(list(sources) + read_again)
        run_id = previous.next_run_id if previous else 1
        if reparsed is not None and not sources:  # --reparse alone: nothing more to load
            _sync_search_index(target, show_progress)
            return LoadResult(RunCounts(), run_id - 1, False, None, time.monotonic() - started, reparsed,
                              reparse_reason)
        run = RunRow(run_id, started_at, [shown(s) for s in sources], RunCounts(), rebuild)
        counts = _load_files(target, found, previous if not rebuild else None, previous is not None, workers, run,
                             show_progress, wait_seconds, max_file_bytes)
        _sync_search_index(target, show_progress)
    return LoadResult(counts, run_id, rebuild, rebuild_reason, time.monotonic() - started, reparsed, reparse_reason,
                      found.not_read, found.folders)


def _sync_search_index(target: Path, show_progress: bool) -> None:
    """The search index follows the database: it gets the letters not yet in it (etl/search.py)."""
    if not target.exists():
        return
    try:
        search.sync_index(target, progress=show_progress)
    except search.SearchError as problem:
        print(f"The letters are loaded, but: {problem}", file=sys.stderr)


def _rebuild_paths(target: Path, drop_missing: bool, show_progress: bool) -> list[str]:
    """The files an earlier run read, which a rebuild reads again (as the system names them). Says so
    first, and refuses to drop letters whose files are gone unless told to."""
    con = duckdb.connect(str(target), read_only=True)
    try:
        earlier = [os_path(p) for (p,) in con.execute("SELECT DISTINCT path FROM files ORDER BY path").fetchall()]
        sources = con.execute("SELECT source_file FROM letters ORDER BY source_file").fetchall()
    finally:
        con.close()
    gone = [source for (source,) in sources if not os.path.exists(os_path(source))]
    if gone and not drop_missing:
        listed = "; ".join(gone[:5]) + (f"; and {len(gone) - 5:,} more" if len(gone) > 5 else "")
        raise LoadError(
            f"--rebuild reads every file again, but the files of {len(gone):,} loaded letter(s) are gone ({listed}): "
            f"a rebuild would drop those letters from {target}. Nothing was changed. To keep them, parse the "
            "stored letters again from their text with --reparse instead; to drop them, add --drop-missing.")
    if show_progress:
        dropped = f"; the {len(gone):,} letter(s) whose files are gone will be dropped" if gone else ""
        print(f"Rebuilding {target} from scratch: reading again the {len(earlier):,} file(s) earlier runs read, "
              f"and the sources given{dropped}. The old database stays in place until the new one is complete.",
              file=sys.stderr)
    return earlier


def _load_files(target: Path, found: Found, previous: PreviousDatabase | None, has_previous: bool,
                workers: int, run: RunRow, show_progress: bool, wait_seconds: float, max_file_bytes: int) -> RunCounts:
    """Read and parse the files, then append the new letters in place (or, with no database to extend,
    write a new file and swap it in). Returns the run's counts."""
    counts = run.counts
    first_letter_id = next_letter_id = previous.next_letter_id if previous else 1
    staging = _temp_path(target).with_name(_temp_path(target).name + ".parsed")
    staging.mkdir()
    database = target if previous else None
    file_log = FileLog(staging, run.run_id)
    case_sources = CaseSources(database, file_log)
    pool = None
    written = False  # committed or swapped in: from then on the load is done, too late to stop
    try:
        pool = _start_pool(workers, database, staging, max_file_bytes)
        loaded_hashes = HashSet()
        with _progress(len(found.letters) + len(found.refused), show_progress, "Reading letters", "file") as progress:
            for unread in found.refused:  # folders and files under the sources that cannot be read
                counts.seen += 1
                _account(FileResult(unread.path, None, "rejected", unread.reason), counts, file_log, loaded_hashes,
                         case_sources, datetime.now(), next_letter_id)
            progress.update(len(found.refused))
            for chunk in _chunk_results(pool, found.letters, workers):
                counts.extract_seconds += chunk.extract_seconds
                counts.parse_seconds += chunk.parse_seconds
                counts.write_seconds += chunk.write_seconds
                seen_at = datetime.now()
                case_sources.prefetch(r.case_number for r in chunk.files if r.status == "parsed")
                for result in chunk.files:
                    counts.seen += 1
                    if _account(result, counts, file_log, loaded_hashes, case_sources, seen_at, next_letter_id):
                        next_letter_id += 1
                progress.update(len(chunk.files))
        pool.close()
        pool.join()  # the workers' memory, and their read-only hold on the database, are gone before writing
        case_sources.close()
        file_log.flush()
        if previous:
            con = _open_for_writing(target, wait_seconds)
            try:
                con.execute("BEGIN TRANSACTION")
                _write_rows(con, staging, run, first_letter_id, show_progress)
                with _stop_signals_held():  # a stop signal cannot cut the commit short; once done, it is too late
                    con.execute("COMMIT")
                    written = True
                    con.execute("CHECKPOINT")  # folds the write-ahead log into the file now, not at a reader's open
            finally:
                con.close()
                if not written:
                    _drop_uncommitted_log(target)
        else:
            _write_new_file(target, has_previous, lambda con: _write_rows(con, staging, run, 1, show_progress))
            written = True
    except (KeyboardInterrupt, LoadInterrupted):
        if not written:
            raise
    finally:
        try:
            with _stop_signals_held():  # a Ctrl-C or SIGTERM now waits until the cleanup is done
                if pool is not None:
                    pool.terminate()
                case_sources.close()
                _remove_temp_files(target, only=staging)
        except (KeyboardInterrupt, LoadInterrupted):
            if not written:
                raise
    return counts


def _drop_uncommitted_log(target: Path) -> None:
    """A commit cut short (a full disk) can leave part of its write-ahead log beside the database. Opening
    the database once replays what was committed, ignores the rest and removes the log."""
    if target.with_name(target.name + ".wal").exists():
        with contextlib.suppress(duckdb.Error):
            duckdb.connect(str(target)).close()


STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def _stop_signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM until the block is done (the workers started, the commit, or the cleanup);
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


def _write_new_file(target: Path, has_previous: bool, fill) -> None:
    """Build a whole new database file beside the target with `fill(con)`, then swap it in with one
    atomic rename: for a first load, a rebuild and a re-parse, which write every row anyway."""
    temp = _temp_path(target)
    con = None
    try:
        con = duckdb.connect(str(temp))
        _configure_writer(con)
        create_schema(con)
        if has_previous:
            con.execute("ATTACH $path AS previous (READ_ONLY)", {"path": str(target)})
            con.execute("INSERT INTO load_runs BY NAME SELECT * FROM previous.load_runs")  # the history survives
        fill(con)
        if has_previous:
            con.execute("DETACH previous")
        con.execute("CHECKPOINT")
        con.close()
        os.replace(temp, target)  # the one atomic step: readers see the old file or the new one
    finally:
        if con is not None:
            con.close()
        _remove_temp_files(target, only=temp)


def _account(result: FileResult, counts: RunCounts, file_log: FileLog, loaded_hashes: HashSet,
             case_sources: CaseSources, seen_at: datetime, letter_id: int) -> bool:
    """Decide what becomes of one file and log it; True when it is loaded as `letter_id`."""
    if result.status == "known":
        counts.skipped += 1
        return False
    if result.status == "duplicate":  # bytes an earlier run read, at a new path
        counts.duplicate += 1
        file_log.add(result, seen_at, "duplicate", result.reason)
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
# Rows go in sorted by decision date, so the zone maps let date filters skip row groups.
_BY_DATE = "JOIN new_letters n ON n.letter_id = f.letter_id ORDER BY n.decision_date NULLS LAST, f.letter_id"
NEW_ROWS = {
    "letters": f"SELECT p.* EXCLUDE (full_text), f.letter_id, f.run_id FROM read_parquet($parsed) p {_LOADED_ONLY} "
               "ORDER BY p.decision_date NULLS LAST, f.letter_id",
    "decisions": "SELECT p.* EXCLUDE (source_file, ca_guideline_text, imr_guideline_text, rationale), f.letter_id "
                 f"FROM read_parquet($parsed) p {_LOADED_ONLY} {_BY_DATE}, p.item_no",
    "citations": f"SELECT p.* EXCLUDE (source_file), f.letter_id FROM read_parquet($parsed) p {_LOADED_ONLY} "
                 f"{_BY_DATE}, p.item_no, p.side, p.cite_no",
    "decision_reasons": f"SELECT p.* EXCLUDE (source_file), f.letter_id FROM read_parquet($parsed) p {_LOADED_ONLY} "
                        f"{_BY_DATE}, p.item_no, p.code",
}
# The texts go in a batch of chunks at a time, in letter_id order: no sort of the whole load (memory
# would grow with it), and a re-parse reading a range of letter_ids finds it in few row groups.
TEXT_BATCH_CHUNKS = 16
NEW_TEXTS = {
    "letter_texts": ("letters", f"SELECT f.letter_id, p.full_text FROM read_parquet($parsed) p {_LOADED_ONLY} "
                                "ORDER BY f.letter_id"),
    "decision_texts": ("decisions", "SELECT f.letter_id, p.item_no, p.ca_guideline_text, p.imr_guideline_text, "
                                    f"p.rationale FROM read_parquet($parsed) p {_LOADED_ONLY} "
                                    "ORDER BY f.letter_id, p.item_no"),
}


def _parsed_files(staging: Path, table: str) -> list[str]:
    # Listed, not globbed by DuckDB: the target's name may hold glob characters.
    return sorted(str(path) for path in staging.glob(f"*.{table}.parquet"))


def _batches(files: list[str]) -> list[list[str]]:
    return [files[start:start + TEXT_BATCH_CHUNKS] for start in range(0, len(files), TEXT_BATCH_CHUNKS)]


def _write_rows(con: duckdb.DuckDBPyConnection, staging: Path, run: RunRow, first_letter_id: int,
                show_progress: bool) -> None:
    """Append this run's loaded letters (numbered from first_letter_id), their texts, reasons and
    decision_facts rows, its file log and its load_runs row. Touches no earlier row."""
    started = time.perf_counter()
    texts = {table: _batches(_parsed_files(staging, parsed)) for table, (parsed, _) in NEW_TEXTS.items()}
    steps = len(NEW_ROWS) + sum(len(batches) for batches in texts.values()) + 3
    with _progress(steps, show_progress, f"Writing {run.counts.loaded:,} new letters", "step") as progress:
        con.execute("CREATE TEMP TABLE staged_files AS SELECT * FROM read_parquet($files)",
                    {"files": sorted(str(path) for path in staging.glob("files-*.parquet"))})
        letter_files = _parsed_files(staging, "letters")
        con.execute("CREATE TEMP TABLE new_letters (letter_id INTEGER, decision_date DATE)")
        if letter_files:
            con.execute(f"INSERT INTO new_letters SELECT f.letter_id, p.decision_date FROM read_parquet($parsed) p "
                        f"{_LOADED_ONLY}", {"parsed": letter_files})
        for table, rows in NEW_ROWS.items():
            parsed_files = _parsed_files(staging, table)
            if parsed_files:
                con.execute(f"INSERT INTO {table} BY NAME {rows}", {"parsed": parsed_files})
            progress.update()
        for table, (_, rows) in NEW_TEXTS.items():
            for batch in texts[table]:
                con.execute(f"INSERT INTO {table} BY NAME {rows}", {"parsed": batch})
                progress.update()
        con.execute("INSERT INTO files BY NAME SELECT * EXCLUDE (letter_id) FROM staged_files")
        progress.update()
        if run.counts.loaded:
            append_decision_facts(con, first_letter_id)
        progress.update()
        con.execute("DROP TABLE staged_files")
        con.execute("DROP TABLE new_letters")
        run.counts.write_seconds += time.perf_counter() - started
        _log_run(con, run)
        progress.update()


def _log_run(con: duckdb.DuckDBPyConnection, run: RunRow) -> None:
    c = run.counts
    con.execute(
        "INSERT INTO load_runs (run_id, started_at, finished_at, parser_version, sources, files_seen, "
        "files_loaded, files_skipped, files_duplicate, files_rejected, rebuilt, letters_reparsed, reparse_failures, "
        "extract_seconds, parse_seconds, write_seconds) VALUES ($run_id, $started_at, $finished_at, $parser_version, "
        "$sources, $seen, $loaded, $skipped, $duplicate, $rejected, $rebuilt, $reparsed, $reparse_failed, "
        "$extract, $parse, $write)",
        {"run_id": run.run_id, "started_at": run.started_at, "finished_at": datetime.now(),
         "parser_version": PARSER_VERSION, "sources": [str(s) for s in run.sources], "seen": c.seen,
         "loaded": c.loaded, "skipped": c.skipped, "duplicate": c.duplicate, "rejected": c.rejected,
         "rebuilt": run.rebuilt, "reparsed": c.reparsed, "reparse_failed": c.reparse_failed,
         "extract": c.extract_seconds, "parse": c.parse_seconds, "write": c.write_seconds},
    )


# ---------------------------------------------------------------- re-parse from stored text

# The new parse of each letter, or for a letter it failed on, the letter's earlier rows.
_KEPT = "letter_id IN (SELECT letter_id FROM failed)"
REPARSED_ROWS = {
    "letters": "SELECT * FROM (SELECT p.* EXCLUDE (full_text), o.run_id FROM read_parquet($parsed) p "
               "JOIN previous.letters o USING (letter_id) "
               f"UNION ALL BY NAME SELECT * FROM previous.letters WHERE {_KEPT}) "
               "ORDER BY decision_date NULLS LAST, letter_id",
    "decisions": "SELECT r.* FROM (SELECT * EXCLUDE (source_file, ca_guideline_text, imr_guideline_text, rationale) "
                 f"FROM read_parquet($parsed) UNION ALL BY NAME SELECT * FROM previous.decisions WHERE {_KEPT}) r "
                 "JOIN letters l USING (letter_id) ORDER BY l.decision_date NULLS LAST, r.letter_id, r.item_no",
    "citations": "SELECT r.* FROM (SELECT * EXCLUDE (source_file) FROM read_parquet($parsed) "
                 f"UNION ALL BY NAME SELECT * FROM previous.citations WHERE {_KEPT}) r "
                 "JOIN letters l USING (letter_id) "
                 "ORDER BY l.decision_date NULLS LAST, r.letter_id, r.item_no, r.side, r.cite_no",
    "decision_reasons": "SELECT r.* FROM (SELECT * EXCLUDE (source_file) FROM read_parquet($parsed) "
                        f"UNION ALL BY NAME SELECT * FROM previous.decision_reasons WHERE {_KEPT}) r "
                        "JOIN letters l USING (letter_id) ORDER BY l.decision_date NULLS LAST, r.letter_id, r.item_no",
}
REPARSED_DECISION_TEXTS = ("SELECT letter_id, item_no, ca_guideline_text, imr_guideline_text, rationale "
                           "FROM read_parquet($parsed) ORDER BY letter_id, item_no")


def _reparse(target: Path, previous: PreviousDatabase, workers: int, show_progress: bool, reason: str) -> RunCounts:
    """Parse every stored letter again from letter_texts, in parallel, into a new file swapped in at the end.
    A letter the new parser fails on keeps its old rows and gets a reparse_failures row with the reason."""
    run = RunRow(previous.next_run_id, datetime.now(), [], RunCounts(), False)
    counts = run.counts
    con = duckdb.connect(str(target), read_only=True)
    try:
        [(first_id, last_id, stored)] = con.execute(
            "SELECT min(letter_id), max(letter_id), count(*) FROM letter_texts").fetchall()
    finally:
        con.close()
    if show_progress:
        print(f"Parsing the {stored:,} stored letters again from their text, because {reason}; "
              "the database keeps its current records until all are done.", file=sys.stderr)
    staging = _temp_path(target).with_name(_temp_path(target).name + ".reparsed")
    staging.mkdir()
    pool = _start_pool(workers, target, staging)
    try:
        ranges = range(first_id or 1, (last_id or 0) + 1, REPARSE_CHUNK_LETTERS)
        tasks = ((reparse_chunk, (chunk_no, start, start + REPARSE_CHUNK_LETTERS - 1))
                 for chunk_no, start in enumerate(ranges))
        with _progress(stored, show_progress, "Re-parsing stored letters", "letter") as progress:
            for chunk in _bounded(pool, tasks, workers):
                counts.reparsed += chunk.reparsed
                counts.parse_seconds += chunk.parse_seconds
                for _, source_file, failure in chunk.failures:
                    counts.reparse_failed += 1
                    if len(counts.reparse_failures) < REJECTIONS_SHOWN:
                        counts.reparse_failures.append((source_file, failure))
                progress.update(chunk.reparsed + len(chunk.failures))
        pool.close()
        pool.join()
        _write_new_file(target, True, lambda con: _write_reparsed(con, staging, run, show_progress))
    finally:
        pool.terminate()
        _remove_temp_files(target, only=staging)
    return counts


# What a letter's search document holds of its parse (etl/search.py), per decision and per letter.
_SEARCHED_DECISIONS = """
    SELECT d.letter_id, d.item_no, hash(d.treatment, CAST(d.outcome AS VARCHAR), x.rationale, x.ca_guideline_text,
                                         x.imr_guideline_text) AS searched
    FROM {db}.decisions d JOIN {db}.decision_texts x USING (letter_id, item_no)"""
_SEARCH_CHANGES = f"""
    INSERT INTO search_changes
    SELECT DISTINCT $run_id, letter_id FROM (
        SELECT letter_id FROM ({_SEARCHED_DECISIONS.format(db="main")}) n
        FULL JOIN ({_SEARCHED_DECISIONS.format(db="previous")}) o USING (letter_id, item_no)
        WHERE n.searched IS DISTINCT FROM o.searched
        UNION ALL
        SELECT letter_id FROM letters n JOIN previous.letters o USING (letter_id)
        WHERE (n.case_number, n.decision_date) IS DISTINCT FROM (o.case_number, o.decision_date))
    ORDER BY letter_id"""


def _list_search_changes(con: duckdb.DuckDBPyConnection, run_id: int) -> None:
    """Keep the earlier re-parses' lists (the index may not have taken them in yet) and add this one's."""
    has_list = con.execute("SELECT 1 FROM duckdb_tables() WHERE database_name = 'previous' "
                           "AND table_name = 'search_changes'").fetchall()
    if has_list:  # a database from before re-parses listed their changes has none to keep
        con.execute("INSERT INTO search_changes SELECT * FROM previous.search_changes")
    con.execute(_SEARCH_CHANGES, {"run_id": run_id})


def _write_reparsed(con: duckdb.DuckDBPyConnection, staging: Path, run: RunRow, show_progress: bool) -> None:
    started = time.perf_counter()
    decision_texts = _batches(_parsed_files(staging, "decisions"))
    steps = len(REPARSED_ROWS) + len(decision_texts) + 5
    with _progress(steps, show_progress, "Writing the re-parsed letters", "step") as progress:
        failures = _parsed_files(staging, "failures")
        con.execute("CREATE TEMP TABLE failed (letter_id INTEGER, reason VARCHAR)")
        if failures:
            con.execute("INSERT INTO failed SELECT * FROM read_parquet($parsed)", {"parsed": failures})
        for table, rows in REPARSED_ROWS.items():
            parsed_files = _parsed_files(staging, table)
            if parsed_files:
                con.execute(f"INSERT INTO {table} BY NAME {rows}", {"parsed": parsed_files})
            else:
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM previous.{table} WHERE {_KEPT}")
            progress.update()
        for batch in decision_texts:  # a batch of chunks at a time, in letter_id order
            con.execute(f"INSERT INTO decision_texts BY NAME {REPARSED_DECISION_TEXTS}", {"parsed": batch})
            progress.update()
        con.execute(f"INSERT INTO decision_texts BY NAME SELECT * FROM previous.decision_texts WHERE {_KEPT}")
        con.execute("INSERT INTO letter_texts BY NAME SELECT * FROM previous.letter_texts")  # the text is unchanged
        progress.update()
        for table in ("files", "reparse_failures"):
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM previous.{table}")
        _list_search_changes(con, run.run_id)
        con.execute("INSERT INTO reparse_failures SELECT $run_id, f.letter_id, l.case_number, l.source_file, f.reason "
                    "FROM failed f JOIN letters l USING (letter_id) ORDER BY f.letter_id", {"run_id": run.run_id})
        progress.update()
        append_decision_facts(con, 1)
        progress.update()
        con.execute("DROP TABLE failed")
        run.counts.write_seconds += time.perf_counter() - started
        _log_run(con, run)
        progress.update()


# ---------------------------------------------------------------- the command


def summary(result: LoadResult, target: Path) -> str:
    c = result.counts
    rate = c.seen / result.seconds if result.seconds > 0 else 0.0
    lines = []
    if result.reparse is not None:
        r = result.reparse
        lines.append(f"Parsed the {r.reparsed + r.reparse_failed:,} stored letters again from their text because "
                     f"{result.reparse_reason}: {r.reparsed:,} re-parsed, {r.reparse_failed:,} kept their old record.")
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


def reparse_report(counts: RunCounts) -> str:
    lines = [f"The new parser failed on {counts.reparse_failed:,} stored letter(s); each keeps the record an earlier "
             "version gave it (all are listed in reparse_failures):"]
    lines += [f"  {path}: {reason}" for path, reason in counts.reparse_failures]
    if counts.reparse_failed > len(counts.reparse_failures):
        lines.append(f"  ... and {counts.reparse_failed - len(counts.reparse_failures):,} more.")
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
       (or a re-parse kept some letters' old records: listed, and kept in reparse_failures)
  {EXIT_USAGE}    the command line is wrong; nothing was done
  {EXIT_FAILED}    the load failed or could not start (another load running, disk full, ...);
       the database is unchanged
  {EXIT_INTERRUPTED}  interrupted by Ctrl-C or SIGTERM; the database is unchanged"""


def failure_message(exc: BaseException, db: Path) -> str:
    """What went wrong, as a sentence saying what to do; never a traceback."""
    if _disk_full(exc):
        return (f"The load stopped because the disk is full; {db} is unchanged. Free some space on the disk "
                f"holding {db.parent} (a load needs room there for the letters it parses and, for a first load, "
                "a rebuild or a re-parse, for a new copy of the database) "
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
    parser.add_argument("--reparse", action="store_true",
                        help="parse every stored letter again from its stored text (done by itself when the "
                             "parser version changed); no original file is needed")
    parser.add_argument("--max-file-mb", type=float, default=DEFAULT_MAX_FILE_MB,
                        help=f"files above this size are rejected, which bounds each worker's memory "
                             f"(default {DEFAULT_MAX_FILE_MB})")
    parser.add_argument("--rebuild", action="store_true",
                        help="start from an empty database and read every file again, earlier ones included; "
                             "refused if the files of some loaded letters are gone, unless --drop-missing")
    parser.add_argument("--drop-missing", action="store_true",
                        help="with --rebuild: drop the letters whose files are gone")
    parser.add_argument("--wait", type=float, default=WRITE_WAIT_SECONDS, metavar="SECONDS",
                        help="how long to wait for readers (the dashboard) to close the database before writing "
                             f"(default {WRITE_WAIT_SECONDS:.0f})")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary; errors still shown")
    args = parser.parse_args(argv)
    if not args.sources and not (args.rebuild or args.reparse):
        parser.error("name at least one SRC file or folder (or give --rebuild to reload the files loaded before, "
                     "or --reparse to parse the stored letters again)")
    if args.rebuild and args.reparse:
        parser.error("give --rebuild (read the files again) or --reparse (parse the stored text again), not both")
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
                          reparse=args.reparse, drop_missing=args.drop_missing, wait_seconds=args.wait,
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
    status = EXIT_LOADED
    if result.reparse is not None and result.reparse.reparse_failed:
        print(reparse_report(result.reparse), file=sys.stderr)
        status = EXIT_REJECTED
    if result.counts.rejected:
        print(rejection_report(result.counts), file=sys.stderr)
        status = EXIT_REJECTED
    return status


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
