"""Run the questions in queries/ against the database, with the shared filters as bound parameters.

Nothing here imports Streamlit, so the tests and the benchmark run exactly the code the pages run.
"""

import contextlib
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

from etl import vocab

PROJECT_DIR = Path(__file__).resolve().parent.parent
QUERIES_DIR = PROJECT_DIR / "queries"
DEFAULT_DB = PROJECT_DIR / "data" / "imr.duckdb"
FILTER_QUERY = "filtered_decisions"

# Below this many decisions a rate's 95% interval can be ±17 points wide: too few to judge.
MIN_N = 30
Z_95 = 1.959963984540054

# What each page runs, the filter sentence's two queries included. The benchmark times these
# lists and tests/test_queries.py checks that they match the page files.
SENTENCE_QUERIES = ("overview_totals", "total_decisions")
PAGE_QUERIES: dict[str, tuple[str, ...]] = {
    "overview": (*SENTENCE_QUERIES, "overview_trend", "overview_categories"),
    "medications": (*SENTENCE_QUERIES, "medications_by_class", "medications_class_trend",
                    "medications_top_drugs", "medications_strengths"),
    "guidelines": (*SENTENCE_QUERIES, "guidelines_sources", "guidelines_mtus_parts", "guidelines_agreement"),
    "reviewers": (*SENTENCE_QUERIES, "reviewers_specialty", "reviewers_specialty_category", "reviewers_licence"),
    "ur_modifications": (*SENTENCE_QUERIES, "ur_actions", "ur_modified_by_group"),
    "letters": (*SENTENCE_QUERIES, "letters_list", "letter_detail", "letter_decisions"),
    "data_quality": ("quality_load_runs", "quality_files", "quality_rejection_reasons", "quality_rejected",
                     "quality_field_coverage"),
}

PERIODS = ("month", "quarter")
AGE_BANDS = ("under 25", "25-34", "35-44", "45-54", "55-64", "65 and over", "unknown")
CA_LICENCES = ("California", "other states only", "unknown")
GUIDELINE_SOURCES = (*vocab.CITATION_SOURCES, "nothing cited")
SEXES = (*vocab.SEXES, "unknown")

_PARAMETER = re.compile(r"\$([A-Za-z_]\w*)")
_FILTERED_CTE = re.compile(r"\bfiltered\b")


# The dashboard opens the database for a page view (or a query outside one) and closes it after:
# DuckDB lets one process write a file or several read it, so a load can append between page views,
# and each view reads the latest committed load. A view waits this long for a load's write to finish.
BUSY_WAIT_SECONDS = 20.0
# One heavy view must not stall everyone: a query is stopped after QUERY_SECONDS, and at most
# MAX_CONCURRENT_QUERIES run at once (the machine has 2 cores); the others wait their turn.
QUERY_SECONDS = 30.0
MAX_CONCURRENT_QUERIES = 2
_query_slots = threading.BoundedSemaphore(MAX_CONCURRENT_QUERIES)
# Read-only, no files read or written beyond the database (no COPY ... TO, read_csv, ATTACH,
# extension installs), and no SET can undo that.
READ_ONLY_CONFIG = {"enable_external_access": False, "lock_configuration": True}


class DatabaseMissing(Exception):
    """The database file is not there; the message says how to build it."""


class DatabaseBusy(Exception):
    """A load held the database for longer than a page view waits; the message says what to do."""


class QueryTooSlow(Exception):
    """A query ran past the time limit, or waited too long for its turn; the message says what to do."""


def database_path() -> Path:
    return Path(os.environ.get("IMR_DB") or DEFAULT_DB)


def missing_database_message(path: Path) -> str:
    return (
        f"There is no database at {path} yet. Build it from the bundled sample with "
        "`bash scripts/run.sh` (it loads the sample, then starts the dashboard), or set "
        "IMR_DB to the path of an existing database."
    )


def connect(path: Path, wait_seconds: float = BUSY_WAIT_SECONDS) -> duckdb.DuckDBPyConnection:
    """A hardened read-only connection (see READ_ONLY_CONFIG); waits while a load is writing."""
    deadline = time.monotonic() + wait_seconds
    while True:
        if not path.exists():
            raise DatabaseMissing(missing_database_message(path))
        try:
            return duckdb.connect(str(path), read_only=True, config=READ_ONLY_CONFIG)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                raise DatabaseBusy(
                    f"A load is writing new letters into {path} and has not finished within "
                    f"{wait_seconds:.0f} seconds. Reload this page in a minute.") from None
            time.sleep(0.1)


def database_version(path: Path) -> tuple[str, int, int, int]:
    """What changes when a load commits: the file's identity, size and time, and its write-ahead log's."""
    if not path.exists():
        raise DatabaseMissing(missing_database_message(path))
    main = path.stat()
    wal = path.with_name(path.name + ".wal")
    wal_changed = wal.stat().st_mtime_ns if wal.exists() else 0
    return str(path), main.st_ino, main.st_mtime_ns + main.st_size, wal_changed


_page = threading.local()  # Streamlit runs each page view in its own thread


@contextlib.contextmanager
def page_view() -> Iterator[None]:
    """Within it, queries share one connection, opened by the first and closed when the view ends:
    opening costs more than a small query, and nothing is held between views."""
    _page.connections = {}
    try:
        yield
    finally:
        for con in _page.connections.values():
            con.close()
        _page.connections = None


@contextlib.contextmanager
def _connection(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connections = getattr(_page, "connections", None)
    if connections is None:  # outside a page view: for this query only
        con = connect(path)
        try:
            yield con
        finally:
            con.close()
        return
    if path not in connections:
        connections[path] = connect(path)
    yield connections[path]


def query_database(path: Path, name: str, params: dict[str, object] | None = None) -> pl.DataFrame:
    """One question's rows, on the page view's connection (or one opened for this query and closed
    after), within the query time limit and the bound on concurrent queries."""
    if not _query_slots.acquire(timeout=QUERY_SECONDS):
        raise QueryTooSlow(f"The dashboard is busy: {MAX_CONCURRENT_QUERIES} queries were running for "
                           f"{QUERY_SECONDS:.0f} seconds. Reload this page in a minute.")
    try:
        with _connection(path) as con:
            return run_query(con, name, params, timeout=QUERY_SECONDS)
    except duckdb.InterruptException:
        raise QueryTooSlow(
            f"This view took longer than the dashboard's limit of {QUERY_SECONDS:.0f} seconds and was "
            "stopped. Narrow the filters (a shorter date range, fewer categories) and try again.") from None
    finally:
        _query_slots.release()


@dataclass(frozen=True)
class Filters:
    """The filters every page shares. An empty tuple or None means "not filtered"."""

    date_from: date | None = None
    date_to: date | None = None
    categories: tuple[str, ...] = ()
    drug_classes: tuple[str, ...] = ()
    drugs: tuple[str, ...] = ()
    specialties: tuple[str, ...] = ()
    guideline_sources: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    ur_actions: tuple[str, ...] = ()
    ca_licences: tuple[str, ...] = ()
    age_bands: tuple[str, ...] = ()
    sexes: tuple[str, ...] = ()

    def params(self) -> dict[str, object]:
        params: dict[str, object] = {}
        for field in fields(self):
            value = getattr(self, field.name)
            # NULL, not an empty list, is what the predicate reads as "unset".
            params[field.name] = (list(value) if isinstance(value, tuple) else value) or None
        return params

    def describe(self) -> str:
        """The active filters as a sentence fragment, e.g. 'service category Surgery; outcome overturned'."""
        parts = []
        if self.date_from or self.date_to:
            parts.append(f"decided {self.date_from or 'any date'} to {self.date_to or 'any date'}")
        for name, label in FILTER_LABELS.items():
            values = getattr(self, name)
            if values:
                parts.append(f"{label} {', '.join(values)}")
        return "; ".join(parts) if parts else "no filters"


# URL parameter (and widget key) -> Filters field; a link carries the filters under these names.
DATE_URL_KEYS = {"from": "date_from", "to": "date_to"}
LIST_URL_KEYS = {
    "category": "categories",
    "drug_class": "drug_classes",
    "drug": "drugs",
    "specialty": "specialties",
    "guideline": "guideline_sources",
    "outcome": "outcomes",
    "ur_action": "ur_actions",
    "licence": "ca_licences",
    "age_band": "age_bands",
    "sex": "sexes",
}

FILTER_LABELS = {
    "categories": "service category",
    "drug_classes": "drug class",
    "drugs": "drug",
    "specialties": "reviewer specialty",
    "guideline_sources": "IMR guideline source",
    "outcomes": "outcome",
    "ur_actions": "UR action",
    "ca_licences": "reviewer licence",
    "age_bands": "age band",
    "sexes": "sex",
}


@cache  # the files do not change while the app runs: read and assemble each once
def query_text(name: str) -> str:
    """The SQL of one question; a question reading `filtered` gets the shared filter as a CTE."""
    sql = (QUERIES_DIR / f"{name}.sql").read_text()
    if name == FILTER_QUERY or not _FILTERED_CTE.search(_strip_comments(sql)):
        return sql
    cte = f"filtered AS (\n{(QUERIES_DIR / f'{FILTER_QUERY}.sql').read_text()}\n)"
    body = _strip_comments(sql).lstrip()
    if body[:4].upper() == "WITH":
        return f"WITH {cte},\n{body[4:]}"
    return f"WITH {cte}\n{body}"


def _strip_comments(sql: str) -> str:
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))


@cache
def _parameters(name: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_PARAMETER.findall(_strip_comments(query_text(name)))))


def run_query(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, object] | None = None,
              timeout: float | None = None) -> pl.DataFrame:
    """One question's rows. Only the parameters the SQL names are bound (DuckDB rejects extras).
    With a timeout, a query still running after that many seconds is interrupted."""
    sql = query_text(name)
    given = params or {}
    wanted = _parameters(name)
    missing = [p for p in wanted if p not in given]
    if missing:
        raise KeyError(f"query {name} needs parameters {missing}")
    # A cursor per query: sessions share one connection, and a cursor is what makes that thread-safe.
    with con.cursor() as cursor:
        timer = threading.Timer(timeout, cursor.interrupt) if timeout else None
        if timer:
            timer.start()
        try:
            return cursor.sql(sql, params={p: given[p] for p in wanted}).pl()
        finally:
            if timer:
                timer.cancel()


def with_rates(frame: pl.DataFrame, n: str = "decisions", k: str = "overturned") -> pl.DataFrame:
    """Add overturn_rate, its 95% Wilson interval, and a verdict on whether n is enough to judge."""
    nn = pl.col(n).cast(pl.Float64)
    kk = pl.col(k).cast(pl.Float64).fill_null(0)
    p = kk / nn
    z2 = Z_95**2
    centre = (p + z2 / (2 * nn)) / (1 + z2 / nn)
    half = Z_95 * ((p * (1 - p) / nn + z2 / (4 * nn * nn)).sqrt()) / (1 + z2 / nn)
    return frame.with_columns(
        overturn_rate=p,
        ci_low=(centre - half).clip(0.0, 1.0),
        ci_high=(centre + half).clip(0.0, 1.0),
        enough_to_judge=pl.col(n) >= MIN_N,
    ).with_columns(
        rate_label=pl.when(pl.col("enough_to_judge"))
        .then(pl.format("{}% ({}–{}%, n={})", _pct(pl.col("overturn_rate")), _pct(pl.col("ci_low")),
                        _pct(pl.col("ci_high")), pl.col(n)))
        .otherwise(pl.format("too few to judge (n={})", pl.col(n)))
    )


def _pct(expr: pl.Expr) -> pl.Expr:
    return (expr * 100).round(1).cast(pl.String)
