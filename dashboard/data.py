"""Run the questions in queries/ against the database, with the shared filters as bound parameters.

Nothing here imports Streamlit, so the tests and the benchmark run exactly the code the pages run.
"""

import contextlib
import os
import re
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields, replace
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
    "overview": (*SENTENCE_QUERIES, "overview_letter_outcomes", "overview_groups"),
    "medications": (*SENTENCE_QUERIES, "medications_class_months", "medications_drugs"),
    "guidelines": (*SENTENCE_QUERIES, "guidelines_groups"),
    "reviewers": (*SENTENCE_QUERIES, "reviewers_groups"),
    "ur_modifications": (*SENTENCE_QUERIES, "ur_actions", "ur_modified_by_group"),
    "reasons": (*SENTENCE_QUERIES, "reasons_summary", "reasons_breakdowns", "reasons_decisions"),
    "timeliness": (*SENTENCE_QUERIES, "overview_groups", "timeliness_by_period"),
    "compare": (*SENTENCE_QUERIES, "compare_groups"),
    # The search's own queries (letters_search, letters_search_texts) read the index's matches:
    # bench/search_bench.py times them.
    "letters": (*SENTENCE_QUERIES, "letters_list", "letter_by_case", "letter_detail", "letter_decisions",
                "letter_reasons"),
    "data_quality": ("quality_load_runs", "quality_files", "quality_rejection_reasons", "quality_rejected",
                     "quality_warnings", "quality_field_coverage"),
}

AGE_BANDS = ("under 25", "25-34", "35-44", "45-54", "55-64", "65 and over", "unknown")
CA_LICENCES = ("California", "other states only", "unknown")
GUIDELINE_SOURCES = (*vocab.CITATION_SOURCES, "nothing cited")
SEXES = (*vocab.SEXES, "unknown")
PRIORITIES = (*vocab.PRIORITIES, "unknown")
# The earliest IMR decision (the programme began in 2013): the date filters start here.
FIRST_DATE = date(2013, 1, 1)
# Why the reviewer ruled, in a manager's words (codes from ../shared/spec/decision-reasons.md).
REASON_LABELS = {
    "not_recommended": "not recommended by the guidelines",
    "duration_exceeded": "longer than the guidelines allow",
    "no_functional_improvement": "no functional improvement documented",
    "quantity_exceeded": "more than the guidelines allow",
    "first_line_not_tried": "first-line treatment not tried",
    "criteria_not_met": "guideline criteria not met",
    "insufficient_documentation": "documentation insufficient",
    "monitoring_missing": "monitoring missing (e.g. drug screens)",
    "dependent_on_denied": "depends on a denied treatment",
    "home_exercise_sufficient": "home exercise is enough",
    "duplicate_or_repeat": "duplicate or repeat request",
    "preferred_alternative": "a preferred alternative exists",
    "contraindicated": "contraindicated",
    "criteria_met": "guideline criteria met",
    "other": "other reason",
}

# Questions a mart answers (etl/schema.sql: pre-aggregated tables each load maintains) when no filter
# is set, with the same rows: queries/marts/<name>.sql, reading the marts named here. A database made
# before the marts has none until its next load; meanwhile these questions read the rows, as before.
MART_QUERIES: dict[str, tuple[str, ...]] = {
    "overview_totals": ("mart_letter_days", "mart_decision_months"),
    "overview_groups": ("mart_decision_months",),
    "medications_class_months": ("mart_decision_months",),
    "medications_drugs": ("mart_drug_quantities",),
    "guidelines_groups": ("mart_guideline_groups",),
    "reviewers_groups": ("mart_reviewer_groups",),
    "reasons_breakdowns": ("mart_reason_counts",),
    "reasons_summary": ("mart_reason_sets",),
    "timeliness_by_period": ("mart_letter_days",),
    "quality_field_coverage": ("mart_field_counts",),
}

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
def reading(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The page view's connection, or, outside a view, one opened for the caller and closed after."""
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
        with reading(path) as con:
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
    letter_outcomes: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()

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
                parts.append(f"{label} {', '.join(value_label(name, v) for v in values)}")
        return "; ".join(parts) if parts else "no filters"

    def active(self) -> list[tuple[str, str]]:
        """Each active filter as (human name, its values), in the sidebar's order: for an export's filter sheet."""
        active = [(label, str(getattr(self, name))) for name, label in DATE_LABELS.items() if getattr(self, name)]
        return active + [(label, ", ".join(value_label(name, v) for v in getattr(self, name)))
                         for name, label in FILTER_LABELS.items() if getattr(self, name)]

    def short(self) -> str:
        """The active filters in a few words for a file name, e.g. 'from-2018-01-01_drug_class-opioids+nsaid'."""
        parts = [f"{key}-{getattr(self, name)}" for key, name in DATE_URL_KEYS.items() if getattr(self, name)]
        for key, name in LIST_URL_KEYS.items():
            values = getattr(self, name)
            if values:
                shown = "+".join(slug(v) for v in values[:SHORT_VALUES])
                more = f"+{len(values) - SHORT_VALUES}-more" if len(values) > SHORT_VALUES else ""
                parts.append(f"{key}-{shown}{more}")
        return "_".join(parts) or "all"

    def url_params(self) -> dict[str, list[str]]:
        """The filters under their URL keys, as the app's own links carry them."""
        params = {key: [str(getattr(self, name))] for key, name in DATE_URL_KEYS.items() if getattr(self, name)}
        return params | {key: list(getattr(self, name)) for key, name in LIST_URL_KEYS.items() if getattr(self, name)}

    def without_dates(self) -> "Filters":
        return replace(self, date_from=None, date_to=None)

    def sound(self) -> "Filters":
        """These filters with a reversed date range (which no decision could match) left out."""
        return self.without_dates() if date_range_problem(self) else self


SHORT_VALUES = 3  # values of one filter spelt out in a file name; the rest counted


def slug(value: str) -> str:
    """A value as a file-name part: lower case, runs of anything else than a-z and 0-9 as one dash."""
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "x"


def value_label(field: str, value: str) -> str:
    """How a filter value reads to a manager (reason codes have labels; other values read as they are)."""
    return REASON_LABELS.get(value, value) if field == "reasons" else value


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
    # Filters the contract added later are keyed by their field names.
    "letter_outcomes": "letter_outcomes",
    "priorities": "priorities",
    "reasons": "reasons",
}
DATE_LABELS = {"date_from": "decided from", "date_to": "decided to"}

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
    "letter_outcomes": "case outcome",
    "priorities": "review priority",
    "reasons": "reviewer's reason",
}

# The values each list filter takes that do not come from the data (drugs and specialties do).
FIXED_CHOICES: dict[str, tuple[str, ...]] = {
    "categories": vocab.SERVICE_CATEGORIES,
    "drug_classes": vocab.DRUG_CLASSES,
    "guideline_sources": GUIDELINE_SOURCES,
    "outcomes": vocab.OUTCOMES,
    "ur_actions": vocab.UR_ACTIONS,
    "ca_licences": CA_LICENCES,
    "age_bands": AGE_BANDS,
    "sexes": SEXES,
    "letter_outcomes": vocab.LETTER_OUTCOMES,
    "priorities": PRIORITIES,
    "reasons": vocab.REASON_CODES,
}


def parse_filters(params: Mapping[str, Sequence[str]],
                  choices: Mapping[str, Sequence[str]]) -> tuple[Filters, list[str]]:
    """The filters a link carries, and a sentence for each value in it that is unknown or contradictory.

    params maps URL keys to every value given under that key; choices maps each list filter's field
    to the values it can take. What a sentence names is left out of the filters, never guessed at.
    A reversed date range is kept: the caller refuses it (date_range_problem, Filters.sound) while
    the dates are still there to correct.
    """
    problems: list[str] = []
    dates: dict[str, date | None] = {}
    for key, field in DATE_URL_KEYS.items():
        dates[field] = None
        for raw in params.get(key, ())[-1:]:  # a repeated key: the last one wins, as in the widgets
            try:
                day = date.fromisoformat(raw)
            except ValueError:
                problems.append(f'"{raw}" under "{key}" is not a date (write it as 2018-01-31); it was ignored.')
                continue
            if day < FIRST_DATE:
                problems.append(f'"{raw}" under "{key}" is before the first IMR decision '
                                f"({FIRST_DATE}); it was ignored.")
                continue
            dates[field] = day
    lists: dict[str, tuple[str, ...]] = {}
    for key, field in LIST_URL_KEYS.items():
        allowed = set(choices.get(field, ()))
        given = list(dict.fromkeys(params.get(key, ())))
        unknown = [v for v in given if v not in allowed]
        if unknown:
            named = ", ".join(f'"{v}"' for v in unknown)
            problems.append(f"{FILTER_LABELS[field].capitalize()} {named} is not a value the data has; "
                            "it was ignored.")
        lists[field] = tuple(v for v in given if v in allowed)
    return Filters(**dates, **lists), problems


def filter_choices(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, ...]]:
    """Every value each list filter can take: the fixed vocabularies, and the data's own drugs and specialties."""
    options = run_query(con, "filter_options")
    from_data = {field: tuple(options.filter(pl.col("filter") == field)["value"].to_list())
                 for field in ("drugs", "specialties")}
    return FIXED_CHOICES | from_data


def date_range_problem(filters: Filters) -> str | None:
    """A sentence refusing a start date after the end date, or None when the range is sound."""
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        return (f"The start date {filters.date_from} is after the end date {filters.date_to}, so no decision "
                "could match: the date range is ignored until the start comes before the end.")
    return None


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
              timeout: float | None = None, tables: dict[str, pl.DataFrame] | None = None,
              marts: bool = True) -> pl.DataFrame:
    """One question's rows. With a timeout, a query still running after that many seconds is interrupted;
    `tables` are frames the SQL reads by name (the search index's matches). Without filters, a question
    a mart answers reads the mart (marts=False reads the rows: the tests compare the two)."""
    # A cursor per query: sessions share one connection, and a cursor is what makes that thread-safe.
    with con.cursor() as cursor:
        if (marts and name in MART_QUERIES and _unfiltered(name, params or {})
                and _has_tables(cursor, MART_QUERIES[name])):
            name = f"marts/{name}"
        for table, frame in (tables or {}).items():
            cursor.register(table, frame)
        timer = threading.Timer(timeout, cursor.interrupt) if timeout else None
        if timer:
            timer.start()
        try:
            return cursor.sql(query_text(name), params=bound_params(name, params or {})).pl()
        finally:
            if timer:
                timer.cancel()


_FILTER_PARAMETERS = tuple(field.name for field in fields(Filters))


def _unfiltered(name: str, params: dict[str, object]) -> bool:
    """No filter the question reads is set (the Data quality page's questions read none)."""
    return all(params.get(p) is None for p in _parameters(name) if p in _FILTER_PARAMETERS)


def _has_tables(cursor: duckdb.DuckDBPyConnection, tables: tuple[str, ...]) -> bool:
    [(found,)] = cursor.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                                "AND schema_name = 'main' AND list_contains($tables, table_name)",
                                {"tables": list(tables)}).fetchall()
    return found == len(tables)


def bound_params(name: str, given: dict[str, object]) -> dict[str, object]:
    """Only the parameters the SQL names (DuckDB rejects extras); a missing one is an error naming it."""
    wanted = _parameters(name)
    missing = [p for p in wanted if p not in given]
    if missing:
        raise KeyError(f"query {name} needs parameters {missing}")
    return {p: given[p] for p in wanted}


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
