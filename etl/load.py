"""Load IMR letters into DuckDB, incrementally, in parallel, losing nothing.

    python -m etl.load SRC... [--db data/imr.duckdb] [--workers N] [--rebuild] [--quiet]

Worker processes read, hash, extract and parse the files; this process batches their rows
into polars frames and stages them in DuckDB. Every run writes a whole new database file
beside the target and swaps it in with one atomic rename: readers never see a half-loaded
state, and an interrupted or crashed run leaves the previous database as it was.

Every file seen ends up loaded, skipped (its bytes were loaded before), a duplicate (its case
number was loaded from another file) or rejected with the reason, all recorded in `files`;
each run's counts go to `load_runs`.
"""

import argparse
import contextlib
import ctypes
import fcntl
import hashlib
import multiprocessing
import os
import shutil
import signal
import sys
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
from etl.extract import extract_bytes, find_letters
from etl.parse import PARSER_VERSION, parse_extracted
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
BATCH_LETTERS = 2000  # letters per polars frame / DuckDB insert: big enough to be fast, small enough to stay flat
MAX_CHUNK_FILES = 64  # files per task sent to a worker
CHUNKS_IN_FLIGHT_PER_WORKER = 4  # bounds the results waiting in memory when writing falls behind
DUCKDB_MEMORY_LIMIT = "500MB"  # DuckDB spills beyond this, keeping the loader's memory flat
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
    "full_text": pl.String,
    "run_id": pl.Int32,
})
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
STAGED_TABLES = {"letters": LETTER_SCHEMA, "decisions": DECISION_SCHEMA, "citations": CITATION_SCHEMA,
                 "files": FILE_SCHEMA}


class LoadError(Exception):
    """A reason the load cannot run, worded for the person who started it."""


class LoadInterrupted(Exception):
    """SIGTERM arrived: unwind like Ctrl-C so the temporary file is removed."""


# ---------------------------------------------------------------- worker side


class RecordError(ValueError):
    """The parser's record does not fit the database."""


class LetterRows(NamedTuple):
    letter: tuple  # LETTER_SCHEMA's values without letter_id and run_id
    decisions: list[tuple]  # DECISION_SCHEMA's values without letter_id
    citations: list[tuple]  # CITATION_SCHEMA's values without letter_id


class FileResult(NamedTuple):
    path: str
    sha256: str | None  # None when the file could not be read
    status: str  # "known" (bytes loaded before, not parsed), "rejected" or "parsed"
    rows: LetterRows | None = None
    reason: str | None = None  # why it was rejected
    case_number: str | None = None


class ChunkResult(NamedTuple):
    files: list[FileResult]
    extract_seconds: float
    parse_seconds: float


_known_hashes: frozenset[str] = frozenset()

_SMALLINT = range(-(2**15), 2**15)
_INTEGER = range(-(2**31), 2**31)


def _start_worker(known_hashes: frozenset[str]) -> None:
    global _known_hashes
    _known_hashes = known_hashes
    # Ctrl-C reaches the whole process group; the loader stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform == "linux":
        # A loader killed with SIGKILL cannot stop its workers: have the kernel do it.
        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)


def read_chunk(paths: list[str]) -> ChunkResult:
    results = []
    extract_seconds = parse_seconds = 0.0
    for path in paths:
        started = time.perf_counter()
        result, extracted = _read_and_extract(path)
        extract_seconds += time.perf_counter() - started
        if extracted is not None:
            started = time.perf_counter()
            result = _parse(extracted)
            parse_seconds += time.perf_counter() - started
        results.append(result)
    return ChunkResult(results, extract_seconds, parse_seconds)


def _read_and_extract(path: str):
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return FileResult(path, None, "rejected", reason=f"cannot read the file: {exc.strerror or exc}"), None
    sha = hashlib.sha256(data).hexdigest()
    if sha in _known_hashes:  # hash first: a file loaded before costs no extraction or parsing
        return FileResult(path, sha, "known"), None
    extracted = extract_bytes(data, path)
    if extracted.error:
        return FileResult(path, sha, "rejected", reason=extracted.error), None
    return None, extracted


def _parse(extracted) -> FileResult:
    path, sha = extracted.source_file, extracted.sha256
    try:
        record = parse_extracted(extracted)
    except Exception as exc:  # one letter that breaks the parser must not stop the load
        reason = f"the parser failed on this letter ({type(exc).__name__}: {exc})"
        return FileResult(path, sha, "rejected", reason=reason)
    if record.get("error"):
        return FileResult(path, sha, "rejected", reason=record["error"])
    try:
        rows = record_rows(record, extracted.text, sha, path)
    except RecordError as exc:
        return FileResult(path, sha, "rejected", reason=f"the parsed record does not fit the database: {exc}")
    return FileResult(path, sha, "parsed", rows, case_number=rows.letter[0])


def record_rows(record: dict, full_text: str, sha256: str, source_file: str) -> LetterRows:
    """Check a parsed record against the schema's types and vocabularies and flatten it to rows."""
    letter = (
        _optional(record, "case_number", str),
        sha256,
        source_file,
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
                    item_no, side, cite_no,
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


class Progress:
    """A progress line on stderr: redrawn in place on a terminal, a line every few seconds in a log."""

    def __init__(self, total: int, enabled: bool, stream=sys.stderr):
        self.total, self.enabled, self.stream = total, enabled, stream
        self.interactive = enabled and stream.isatty()
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
        parser_version, last_run = con.execute(
            "SELECT arg_max(parser_version, run_id), max(run_id) FROM load_runs").fetchone()
        next_letter_id = con.execute("SELECT coalesce(max(letter_id), 0) + 1 FROM letters").fetchone()[0]
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
    for start in range(0, len(paths), chunk_size):
        pending.append(pool.apply_async(read_chunk, (paths[start:start + chunk_size],)))
        if len(pending) >= window:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


class Stager:
    """Collects rows and appends them to the TEMP staging tables a batch at a time."""

    def __init__(self, con: duckdb.DuckDBPyConnection, counts: RunCounts):
        self.con, self.counts = con, counts
        self.rows: dict[str, list[tuple]] = {table: [] for table in STAGED_TABLES}
        for table in STAGED_TABLES:
            con.execute(f"CREATE TEMP TABLE staged_{table} AS SELECT * FROM main.{table} LIMIT 0")

    def add(self, table: str, rows: list[tuple]) -> None:
        self.rows[table].extend(rows)

    def flush_if_full(self) -> None:
        if len(self.rows["letters"]) >= BATCH_LETTERS or len(self.rows["files"]) >= 4 * BATCH_LETTERS:
            self.flush()

    def flush(self) -> None:
        started = time.perf_counter()
        for table, schema in STAGED_TABLES.items():
            if self.rows[table]:
                frame = pl.DataFrame(self.rows[table], schema=schema, orient="row")
                self.con.register("staged_batch", frame)
                self.con.execute(f"INSERT INTO staged_{table} BY NAME SELECT * FROM staged_batch")
                self.con.unregister("staged_batch")
                self.rows[table] = []
        self.counts.write_seconds += time.perf_counter() - started


def load(sources: list[Path], target: Path, workers: int, rebuild: bool = False, show_progress: bool = True
         ) -> LoadResult:
    """Load the letters under `sources` into the database at `target` and swap the new file in."""
    started_at, started = datetime.now(), time.monotonic()
    target = target.absolute()
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

        paths = list(dict.fromkeys(str(p.absolute()) for p in find_letters(sources)))
        if previous and not incremental:  # a rebuild reads again every file loaded before
            paths = list(dict.fromkeys(paths + previous.file_paths))
        known_hashes = previous.known_hashes if incremental else frozenset()
        case_sources = dict(previous.case_sources) if incremental else {}
        run_id = previous.next_run_id if previous else 1
        next_letter_id = previous.next_letter_id if incremental else 1

        temp = _temp_path(target)
        counts = RunCounts()
        # Fork the workers before this process opens DuckDB: forking a process with
        # DuckDB's threads running is unsafe.
        pool = multiprocessing.get_context("fork").Pool(workers, _start_worker, (known_hashes,))
        con = None
        try:
            con = duckdb.connect(str(temp))
            con.execute("SET memory_limit = $limit", {"limit": DUCKDB_MEMORY_LIMIT})
            create_schema(con)
            if previous:
                con.execute("ATTACH $path AS previous (READ_ONLY)", {"path": str(target)})
            stager = Stager(con, counts)
            progress = Progress(len(paths), show_progress)
            hashes_this_run: set[str] = set()
            for chunk in _chunk_results(pool, paths, workers):
                counts.extract_seconds += chunk.extract_seconds
                counts.parse_seconds += chunk.parse_seconds
                seen_at = datetime.now()
                for result in chunk.files:
                    counts.seen += 1
                    next_letter_id = _account(result, counts, stager, hashes_this_run, case_sources,
                                              run_id, seen_at, next_letter_id)
                stager.flush_if_full()
                progress.update(counts.seen)
            pool.close()
            stager.flush()
            progress.finish()
            _write_database(con, counts, run_id, started_at, sources, incremental, previous is not None,
                            rebuild_reason is not None)
            con.close()
            os.replace(temp, target)  # the one atomic step: readers see the old file or the new one
        finally:
            pool.terminate()
            if con is not None:
                con.close()
            _remove_temp_files(target, only=temp)
    return LoadResult(counts, run_id, rebuild_reason is not None, rebuild_reason, time.monotonic() - started)


def _account(result: FileResult, counts: RunCounts, stager: Stager, hashes_this_run: set[str],
             case_sources: dict[str, str], run_id: int, seen_at: datetime, next_letter_id: int) -> int:
    """Decide what becomes of one file, stage its rows, and return the next free letter_id."""
    sha = result.sha256
    if result.status == "known" or sha in hashes_this_run:
        counts.skipped += 1  # these bytes were read by an earlier run, or earlier in this one
        return next_letter_id
    if sha is not None:
        hashes_this_run.add(sha)

    def record_file(status: str, reason: str | None, case_number: str | None = None) -> None:
        stager.add("files", [(sha, result.path, status, reason, case_number, run_id, seen_at)])

    if result.status == "rejected":
        counts.count_rejection(result.path, result.reason)
        record_file("rejected", result.reason)
        return next_letter_id
    case_number = result.case_number
    if case_number is not None and case_number in case_sources:
        counts.duplicate += 1
        record_file("duplicate", f"case {case_number} is already loaded from {case_sources[case_number]}",
                    case_number)
        return next_letter_id
    if case_number is not None:
        case_sources[case_number] = result.path
    letter_id = next_letter_id
    rows = result.rows
    stager.add("letters", [(letter_id, *rows.letter, run_id)])
    stager.add("decisions", [(letter_id, *row) for row in rows.decisions])
    stager.add("citations", [(letter_id, *row) for row in rows.citations])
    record_file("loaded", None, case_number)
    counts.loaded += 1
    return letter_id + 1


def _write_database(con: duckdb.DuckDBPyConnection, counts: RunCounts, run_id: int, started_at: datetime,
                    sources: list[Path], incremental: bool, has_previous: bool, rebuilt: bool) -> None:
    """Write the earlier rows and this run's into the new file, sorted by decision date, and finish it."""
    started = time.perf_counter()

    def earlier(table: str) -> str:
        return f"SELECT * FROM previous.{table} UNION ALL BY NAME " if incremental else ""

    con.execute("INSERT INTO letters BY NAME SELECT * FROM ("
                f"{earlier('letters')}SELECT * FROM staged_letters) "
                "ORDER BY decision_date NULLS LAST, letter_id")
    con.execute("INSERT INTO decisions BY NAME SELECT d.* FROM ("
                f"{earlier('decisions')}SELECT * FROM staged_decisions) d "
                "JOIN letters l ON l.letter_id = d.letter_id "
                "ORDER BY l.decision_date NULLS LAST, d.letter_id, d.item_no")
    con.execute("INSERT INTO citations BY NAME SELECT c.* FROM ("
                f"{earlier('citations')}SELECT * FROM staged_citations) c "
                "JOIN letters l ON l.letter_id = c.letter_id "
                "ORDER BY l.decision_date NULLS LAST, c.letter_id, c.item_no, c.side, c.cite_no")
    con.execute(f"INSERT INTO files BY NAME {earlier('files')}SELECT * FROM staged_files")
    if has_previous:  # the history of runs survives a rebuild
        con.execute("INSERT INTO load_runs BY NAME SELECT * FROM previous.load_runs")
    for table in STAGED_TABLES:
        con.execute(f"DROP TABLE staged_{table}")
    build_decision_facts(con)
    counts.write_seconds += time.perf_counter() - started
    con.execute(
        "INSERT INTO load_runs (run_id, started_at, finished_at, parser_version, sources, files_seen, "
        "files_loaded, files_skipped, files_duplicate, files_rejected, rebuilt, extract_seconds, "
        "parse_seconds, write_seconds) VALUES ($run_id, $started_at, $finished_at, $parser_version, $sources, "
        "$seen, $loaded, $skipped, $duplicate, $rejected, $rebuilt, $extract, $parse, $write)",
        {"run_id": run_id, "started_at": started_at, "finished_at": datetime.now(),
         "parser_version": PARSER_VERSION, "sources": [str(s) for s in sources], "seen": counts.seen,
         "loaded": counts.loaded, "skipped": counts.skipped, "duplicate": counts.duplicate,
         "rejected": counts.rejected, "rebuilt": rebuilt, "extract": counts.extract_seconds,
         "parse": counts.parse_seconds, "write": counts.write_seconds},
    )
    if has_previous:
        con.execute("DETACH previous")
    con.execute("CHECKPOINT")


def summary(result: LoadResult, target: Path) -> str:
    c = result.counts
    rate = c.seen / result.seconds if result.seconds > 0 else 0.0
    lines = []
    if result.rebuilt:
        lines.append(f"Rebuilt the database from scratch because {result.rebuild_reason}.")
    lines += [
        f"Load run {result.run_id} finished in {result.seconds:,.1f} s ({rate:,.0f} letters/s); "
        f"{target} is up to date.",
        f"Files seen {c.seen:,} = loaded {c.loaded:,} + skipped {c.skipped:,} (already loaded) "
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", nargs="*", metavar="SRC", type=Path,
                        help=".pdf/.txt letter files or folders holding them")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"the database file (default {DEFAULT_DB})")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)),
                        help="worker processes (default: one per CPU)")
    parser.add_argument("--rebuild", action="store_true",
                        help="start from an empty database and read every file again, earlier ones included")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary; errors still shown")
    args = parser.parse_args(argv)
    if not args.sources and not args.rebuild:
        parser.error("name at least one SRC file or folder (or give --rebuild to reload the files loaded before)")
    missing = [str(s) for s in args.sources if not s.exists()]
    if missing:
        parser.error(f"cannot find {', '.join(missing)}: no such file or folder")
    if args.workers < 1:
        parser.error(f"--workers must be at least 1, not {args.workers}")

    signal.signal(signal.SIGTERM, _raise_interrupted)
    try:
        result = load(args.sources, args.db, args.workers, args.rebuild, show_progress=not args.quiet)
    except LoadError as exc:
        print(exc, file=sys.stderr)
        return 2
    except (KeyboardInterrupt, LoadInterrupted):
        print(f"\nLoad interrupted; {args.db} is unchanged.", file=sys.stderr)
        return 130
    except (duckdb.Error, OSError) as exc:
        print(f"The load failed and {args.db} is unchanged: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        print(summary(result, args.db), file=sys.stderr)
    if result.counts.rejected:
        print(rejection_report(result.counts), file=sys.stderr)
        return 1
    return 0


def _raise_interrupted(signum, frame) -> None:
    raise LoadInterrupted


if __name__ == "__main__":
    sys.exit(main())
