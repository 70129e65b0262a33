"""The Letters page's search, without Streamlit: the index's matches joined to the shared filters, one
page at a time, and the passage where each letter matched. The page and bench/search_bench.py both run
exactly this."""

from dataclasses import dataclass

import duckdb
import polars as pl

from dashboard import data
from etl import search

PAGE_SIZE = 20  # letters per page of results, each with its passages
# With filters, the index's best matches are joined to the filtered decisions; past this many the
# join outgrows the time a search may take, and the page says that only the best were checked.
MAX_FILTERED_HITS = 100_000


@dataclass(frozen=True)
class ResultsPage:
    rows: pl.DataFrame  # letter_id, case_number, decision_date, decisions, score, matches
    matches: int  # letters matching the search and the filters, on every page
    capped: bool  # with filters, only the MAX_FILTERED_HITS best matches of the words were checked


def search_page(con: duckdb.DuckDBPyConnection, index: search.LetterIndex, query: search.SearchQuery,
                filters: data.Filters, page: int, page_size: int = PAGE_SIZE) -> ResultsPage:
    """Page `page` (1-based) of the letters matching `query` among those the filters select, best first."""
    offset = (page - 1) * page_size
    if filters == data.Filters():  # nothing to join: the index ranks, counts and pages by itself
        hits, matches = index.hits(query, page_size, offset)
        rows = data.run_query(con, "letters_search", filters.params() | {"limit": page_size, "offset": 0},
                              tables={"search_hits": hits})
        return ResultsPage(rows, matches, False)
    hits, found = index.hits(query, MAX_FILTERED_HITS)
    rows = data.run_query(con, "letters_search", filters.params() | {"limit": page_size, "offset": offset},
                          tables={"search_hits": hits})
    return ResultsPage(rows, rows["matches"][0] if rows.height else 0, found > MAX_FILTERED_HITS)


# Where a search may match, in the order a reader looks: (label, index field, column of letters_search_texts).
PASSAGE_SOURCES = (
    ("rationale", "rationale", "rationales"),
    ("treatment", "treatment", "treatments"),
    ("claims administrator's guideline", "guideline", "ca_guidelines"),
    ("IMR reviewer's guideline", "guideline", "imr_guidelines"),
)


def passages(con: duckdb.DuckDBPyConnection, letter_ids: list[int], terms: tuple) -> dict[int, list[tuple[str, str]]]:
    """For each letter, where the search matched, as (where, passage as escaped, highlighted HTML): the
    passages together show every word of the search that the letter holds."""
    texts = data.run_query(con, "letters_search_texts", {"letter_ids": letter_ids})
    found = {}
    for letter in texts.iter_rows(named=True):
        candidates = [(f"item {n}, {label}", field, value)
                      for label, field, column in PASSAGE_SOURCES
                      for n, value in enumerate(letter[column] or (), start=1)]
        found[letter["letter_id"]] = search.best_passages(
            [*candidates, ("full text", "full_text", letter["full_text"])], terms)
    return found
