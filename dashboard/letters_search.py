"""The Letters page's search, without Streamlit: the index's matches joined to the shared filters, one
page at a time, with what each row shows and the passages where each letter matched, all from the
index. The page and bench/search_bench.py both run exactly this."""

from dataclasses import dataclass

import duckdb
import polars as pl

from dashboard import data
from etl import search

PAGE_SIZE = 20  # letters per page of results, each with its passages
# With filters, the index's best matches are checked against the filtered decisions; past this
# many the check outgrows the time a search may take, and the page says only the best were checked.
MAX_FILTERED_HITS = 20_000
ROW_SCHEMA = {"letter_id": pl.Int32, "case_number": pl.String, "decision_date": pl.Date, "decisions": pl.String,
              "score": pl.Float32}


@dataclass(frozen=True)
class ResultsPage:
    rows: pl.DataFrame  # ROW_SCHEMA, best first
    passages: dict[int, list[tuple[str, str]]]  # letter_id -> (where, highlighted HTML) for each passage
    matches: int  # letters matching the search and the filters, on every page
    capped: bool  # with filters, only the MAX_FILTERED_HITS best matches of the words were checked


def search_page(con: duckdb.DuckDBPyConnection, index: search.LetterIndex, query: search.SearchQuery,
                filters: data.Filters, page: int, page_size: int = PAGE_SIZE) -> ResultsPage:
    """Page `page` (1-based) of the letters matching `query` among those the filters select, best first."""
    offset = (page - 1) * page_size
    if filters == data.Filters():  # nothing to check: the index ranks, counts and pages by itself
        hits = index.hits(query, page_size, offset)
        page_ids, scores = hits.frame["letter_id"].to_list(), hits.frame["score"].to_list()
        matches, capped = hits.count, False
    else:
        hits = index.hits(query, MAX_FILTERED_HITS)
        found = data.run_query(con, "letters_search", filters.params() | {"limit": page_size, "offset": offset},
                               tables={"search_hits": hits.frame})
        page_ids, scores = found["letter_id"].to_list(), found["score"].to_list()
        matches, capped = (found["matches"][0] if found.height else 0), hits.count > MAX_FILTERED_HITS
    letters = index.letters(hits, page_ids)
    rows = pl.DataFrame(
        {"letter_id": page_ids, "case_number": [x["case_number"] for x in letters],
         "decision_date": [x["decision_date"] for x in letters], "decisions": [x["decisions"] for x in letters],
         "score": scores},
        schema_overrides={"decision_date": pl.String}).with_columns(pl.col("decision_date").str.to_date())
    return ResultsPage(rows.cast(ROW_SCHEMA), {x["letter_id"]: passages(x, query.terms) for x in letters},
                       matches, capped)


def passages(letter: dict, terms: tuple) -> list[tuple[str, str]]:
    """Where in the letter the search matched, as (where, passage as escaped, highlighted HTML): together
    the passages show every word of the search that the letter holds, the fullest first."""
    candidates = [(f"item {n}, rationale", "rationale", text) for n, text in enumerate(letter["rationale"], 1)]
    candidates += [(f"item {n}, treatment", "treatment", text) for n, text in enumerate(letter["treatment"], 1)]
    candidates += [(f"item {n // 2 + 1}, {'IMR reviewer' if n % 2 else 'claims administrator'}'s guideline",
                    "guideline", text) for n, text in enumerate(letter["guideline"])]
    candidates += [("full text", "full_text", text) for text in letter["full_text"]]
    return search.best_passages(candidates, terms)
