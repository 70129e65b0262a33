"""Run the questions in queries/ against the database, with the shared filters as bound parameters.

Nothing here imports Streamlit, so the tests and the benchmark run exactly the code the pages run.
"""

import os
import re
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
    # The search's own queries (letters_search, letters_search_texts) read the index's matches:
    # bench/search_bench.py times them.
    "letters": (*SENTENCE_QUERIES, "letters_list", "letter_by_case", "letter_detail", "letter_decisions"),
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


class DatabaseMissing(Exception):
    """The database file is not there; the message says how to build it."""


def database_path() -> Path:
    return Path(os.environ.get("IMR_DB") or DEFAULT_DB)


def missing_database_message(path: Path) -> str:
    return (
        f"There is no database at {path} yet. Build it from the bundled sample with "
        "`bash scripts/run.sh` (it loads the sample, then starts the dashboard), or set "
        "IMR_DB to the path of an existing database."
    )


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    if not path.exists():
        raise DatabaseMissing(missing_database_message(path))
    return duckdb.connect(str(path), read_only=True)


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
              tables: dict[str, pl.DataFrame] | None = None) -> pl.DataFrame:
    """One question's rows. Only the parameters the SQL names are bound (DuckDB rejects extras);
    `tables` are frames the SQL reads by name (the search index's matches)."""
    sql = query_text(name)
    given = params or {}
    wanted = _parameters(name)
    missing = [p for p in wanted if p not in given]
    if missing:
        raise KeyError(f"query {name} needs parameters {missing}")
    # A cursor per query: sessions share one connection, and a cursor is what makes that thread-safe.
    with con.cursor() as cursor:
        for table, frame in (tables or {}).items():
            cursor.register(table, frame)
        return cursor.sql(sql, params={p: given[p] for p in wanted}).pl()


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
