"""The search index on fixture letters: built and kept up by the loader, queries, filters, highlighting.

The letters are tests/fixtures/dashboard/ (8 letters) and tests/fixtures/search/letter-injection.txt
(CM18-0000201: "Lyrica" in a treatment written as Markdown and HTML, and Gabapentin, overturned).
"""

import shutil
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dashboard import data, letters_search
from etl import search
from etl.load import load

from .conftest import FIXTURE_LETTERS

INJECTION_CASE = "CM18-0000201"


@pytest.fixture(scope="module")
def con(search_db):
    connection = data.connect(search_db)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def index(search_db) -> search.LetterIndex:
    return search.LetterIndex.open(search_db)


def cases(con, letter_ids) -> list[str]:
    frame = pl.DataFrame({"letter_id": list(letter_ids)}, schema={"letter_id": pl.Int32})
    with con.cursor() as cursor:
        cursor.register("wanted", frame)
        found = dict(cursor.execute("SELECT letter_id, case_number FROM letters JOIN wanted USING (letter_id)")
                     .fetchall())
    return [found[i] for i in letter_ids]


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def found(con, index, text: str) -> list[str]:
    """Case numbers matching `text`, best first."""
    hits = index.hits(search.parse_query(text), 100)
    assert hits.count == hits.frame.height
    return cases(con, hits.frame["letter_id"].to_list())


# ---------------------------------------------------------------- the index follows the database

def test_the_loader_builds_the_index_beside_the_database(search_db, tmp_path):
    assert search.index_path(search_db) == search_db.parent / "imr.search"
    # A copy: DuckDB refuses a second configuration for a file this process already has open.
    db = tmp_path / "imr.duckdb"
    shutil.copy(search_db, db)
    shutil.copytree(search.index_path(search_db), search.index_path(db))
    assert search.sync_index(db) == 0, "a second sync must add nothing"
    with data.connect(db) as con:
        status = search.index_status(db, con)
    assert status == search.IndexStatus(indexed=9, letters=9, usable=True)
    assert status.complete


def copy_letters(target: Path, names: list[str]) -> Path:
    target.mkdir()
    for name in names:
        shutil.copy(FIXTURE_LETTERS / name, target / name)
    return target


def test_a_refresh_adds_only_the_new_letters(tmp_path, monkeypatch):
    added = []
    real_sync = search.sync_index
    monkeypatch.setattr(search, "sync_index", lambda db, progress=False: added.append(real_sync(db)) or added[-1])
    db = tmp_path / "imr.duckdb"
    load([copy_letters(tmp_path / "a", ["letter-01.txt", "letter-02.txt", "letter-03.txt"])], db, 1,
         show_progress=False)
    load([copy_letters(tmp_path / "b", ["letter-04.txt", "letter-05.txt"])], db, 1, show_progress=False)
    load([tmp_path / "b"], db, 1, show_progress=False)  # nothing new
    assert added == [3, 2, 0]
    index = search.LetterIndex.open(db)
    with data.connect(db) as con:
        assert search.index_status(db, con).complete
        assert found(con, index, "omeprazole") == ["CM17-0000105"]
        assert sorted(found(con, index, "norco")) == ["CM16-0000101", "CM16-0000103"]


def test_an_interrupted_sync_is_caught_up_without_duplicates(search_db, tmp_path, monkeypatch):
    db = tmp_path / "imr.duckdb"
    shutil.copy(search_db, db)
    monkeypatch.setattr(search, "BATCH_LETTERS", 4)
    real_documents = search._documents
    batches = []

    def fail_on_the_second_batch(con, batch):
        batches.append(batch.to_list())
        if len(batches) == 2:
            raise OSError("No space left on device")
        return real_documents(con, batch)

    monkeypatch.setattr(search, "_documents", fail_on_the_second_batch)
    with pytest.raises(search.SearchError, match=r"could not be updated.*No space left"):
        search.sync_index(db)
    with data.connect(db) as con:
        status = search.index_status(db, con)
    assert (status.indexed, status.letters, status.complete) == (4, 9, False)
    monkeypatch.setattr(search, "_documents", real_documents)
    assert search.sync_index(db) == 5
    with data.connect(db) as con:
        assert search.index_status(db, con).complete
        index = search.LetterIndex.open(db)
        assert index.index.searcher().num_docs == 9
        assert found(con, index, "gabapentin").count("CM16-0000101") == 1


def test_a_reparse_replaces_only_the_documents_whose_parse_changed(tmp_path, monkeypatch):
    db = tmp_path / "imr.duckdb"
    load([copy_letters(tmp_path / "a", ["letter-01.txt", "letter-02.txt", "letter-05.txt"])], db, 1,
         show_progress=False)
    # What a new parser version would read differently in one letter: Pantoprazole where Omeprazole was.
    con = duckdb.connect(str(db))
    [(changed_id,)] = con.execute("SELECT letter_id FROM letters WHERE case_number = 'CM17-0000105'").fetchall()
    con.execute("UPDATE letter_texts SET full_text = replace(full_text, 'Omeprazole 20mg', 'Pantoprazole 20mg') "
                "WHERE letter_id = $id", {"id": changed_id})
    con.close()
    written = []
    real_sync = search.sync_index
    monkeypatch.setattr(search, "sync_index", lambda db, progress=False: written.append(real_sync(db)) or written[-1])
    load([], db, 1, reparse=True, show_progress=False)
    assert written == [1], "only the changed letter's document is written again"
    assert query(db, "SELECT run_id, letter_id FROM search_changes") == [(2, changed_id)]
    index = search.LetterIndex.open(db)
    with data.connect(db) as con:
        assert search.index_status(db, con).complete
        assert index.index.searcher().num_docs == 3
        assert found(con, index, "treatment:pantoprazole") == ["CM17-0000105"]
        assert found(con, index, "treatment:omeprazole") == []
        assert sorted(found(con, index, "norco")) == ["CM16-0000101"]
    assert search.sync_index(db) == 0, "a second sync writes nothing"


def test_an_index_stopped_before_taking_in_a_reparse_catches_up(tmp_path, monkeypatch):
    db = tmp_path / "imr.duckdb"
    load([copy_letters(tmp_path / "a", ["letter-01.txt", "letter-05.txt"])], db, 1, show_progress=False)
    con = duckdb.connect(str(db))
    con.execute("UPDATE letter_texts SET full_text = replace(full_text, 'Omeprazole 20mg', 'Pantoprazole 20mg')")
    con.close()
    monkeypatch.setattr(search, "sync_index", lambda db, progress=False: 0)  # killed before the index was updated
    load([], db, 1, reparse=True, show_progress=False)
    monkeypatch.undo()
    with data.connect(db) as con:
        status = search.index_status(db, con)
        assert (status.usable, status.outdated, status.complete) == (True, 1, False)
    assert search.sync_index(db) == 1
    index = search.LetterIndex.open(db)
    with data.connect(db) as con:
        assert search.index_status(db, con).complete
        assert found(con, index, "pantoprazole") == ["CM17-0000105"]


def test_a_rebuilt_database_gets_a_new_index(tmp_path):
    db = tmp_path / "imr.duckdb"
    load([copy_letters(tmp_path / "a", ["letter-05.txt", "letter-06.txt"])], db, 1, show_progress=False)
    # A rebuild numbers the letters afresh (here the new letters sort first): the old index's ids would lie.
    load([copy_letters(tmp_path / "b", ["letter-01.txt"])], db, 1, rebuild=True, show_progress=False)
    index = search.LetterIndex.open(db)
    with data.connect(db) as con:
        assert search.index_status(db, con).complete
        assert found(con, index, "omeprazole") == ["CM17-0000105"]
        assert found(con, index, "norco") == ["CM16-0000101"]


def test_an_index_missing_or_of_another_build_is_not_used(search_db, tmp_path):
    db = tmp_path / "imr.duckdb"
    shutil.copy(search_db, db)
    with data.connect(db) as con:
        missing = search.index_status(db, con)
        assert (missing.usable, missing.problem) == (False, "has not been built yet")
        shutil.copytree(search.index_path(search_db), search.index_path(db))
        manifest = search.index_path(db) / search.MANIFEST
        manifest.write_text(manifest.read_text().replace("run 1", "run 7"))
        stale = search.index_status(db, con)
        assert (stale.usable, stale.problem) == (False, "was built for an earlier version of the database")
    assert search.sync_index(db) == 9  # started over
    with data.connect(db) as con:
        assert search.index_status(db, con).complete


# ---------------------------------------------------------------- the query language

@pytest.mark.parametrize(("text", "expected"), [
    ("omeprazole", ["CM17-0000105"]),
    ("OMEPRAZOLE", ["CM17-0000105"]),
    # Every word must appear, in any field: Lyrica is only in CM18-0000201.
    ("lyrica gabapentin", [INJECTION_CASE]),
    ('"functional improvement"', ["CM16-0000101", INJECTION_CASE]),
    ('"documented functional improvement"', ["CM16-0000101"]),  # CM18-0000201: "... improvement ... not documented"
    ('"improvement functional"', []),
    ("functional AND improvement", [INJECTION_CASE, "CM16-0000101"]),
    ("lidoderm OR omeprazole", ["CM17-0000105", "CM17-0000107"]),
    ("gabapentin -lyrica", ["CM17-0000106", "CM16-0000101"]),
    ("gabapentin NOT lyrica", ["CM17-0000106", "CM16-0000101"]),
    ("gabapentin AND NOT (lyrica OR neuropathic)", []),
    ("cyclobenz*", ["CM17-0000105"]),
    ('"one-month home tr"*', ["CM17-0000108"]),
    ("treatment:lidoderm", ["CM17-0000107"]),
    ("rationale:lyrica", [INJECTION_CASE]),
    ("rationale:omeprazole", []),  # only in the treatment and the full text
    ("text:omeprazole", ["CM17-0000105"]),
    ("cm17 0000105", ["CM17-0000105"]),  # the case number is in the full text
    ("zzzzz", []),
])
def test_queries_find_exactly_the_letters_that_match(con, index, text, expected):
    assert sorted(found(con, index, text)) == sorted(expected)


def test_results_are_ranked_by_relevance(con, index):
    # The letter holding both words ranks first; a treatment counts more than a mention in the text.
    assert found(con, index, "lyrica OR gabapentin")[0] == INJECTION_CASE
    assert found(con, index, "therapy")[-1] == "CM17-0000107", "the only letter without therapy as a treatment"


@pytest.mark.parametrize(("text", "message"), [
    ("", "Type a word"),
    ("  ", "Type a word"),
    ("#", "Type a word"),
    ("NOT norco", "only what to leave out"),
    ("-norco", "only what to leave out"),
    ("norco OR NOT tens", "only what to leave out"),
    ("(norco", "does not close it"),
    ("norco)", "without an opening one"),
    ('"functional improvement', "quotation mark"),
    ("n*", "at least 2 letters or digits"),
    ("norco NOT", "must be followed"),
])
def test_a_query_that_cannot_be_read_says_why(text, message):
    with pytest.raises(search.QueryError, match=message):
        search.parse_query(text)


@pytest.mark.parametrize(("typed", "expected"), [
    ("CM16-0242302", "CM16-0242302"),
    ("cm16-0242302", "CM16-0242302"),
    (" CM16 0242302 ", "CM16-0242302"),
    ("CM160242302", "CM16-0242302"),
    ("CM16–0242302", "CM16-0242302"),  # an en dash, as word processors write it
    ("![x](http://example.com/a.png)", None),
    ("0242302", None),
])
def test_case_numbers_are_read_whatever_the_spacing_and_case(typed, expected):
    assert search.normalise_case_number(typed) == expected


def test_case_lookup_finds_any_letter(con):
    found_case = data.run_query(con, "letter_by_case", {"case_number": search.normalise_case_number("cm16 0000102")})
    assert found_case["case_number"].to_list() == ["CM16-0000102"]
    assert data.run_query(con, "letter_by_case", {"case_number": "CM99-0000000"}).is_empty()


# ---------------------------------------------------------------- combined with the shared filters

def results(con, index, text: str, filters: data.Filters, page: int = 1, page_size: int = 20):
    return letters_search.search_page(con, index, search.parse_query(text), filters, page, page_size)


@pytest.mark.parametrize(("filters", "expected"), [
    (data.Filters(), {INJECTION_CASE, "CM16-0000101", "CM17-0000106"}),
    (data.Filters(date_from=date(2018, 1, 1)), {INJECTION_CASE}),
    (data.Filters(outcomes=("upheld",)), {INJECTION_CASE, "CM16-0000101"}),  # their other decision is upheld
    (data.Filters(ur_actions=("modified",)), {"CM17-0000106"}),
    (data.Filters(categories=("Surgery",)), set()),
])
def test_search_combines_with_the_filters(con, index, filters, expected):
    found = results(con, index, "gabapentin", filters)
    assert set(found.rows["case_number"]) == expected
    assert found.matches == len(expected)
    assert not found.capped


@pytest.mark.parametrize("filters", [data.Filters(), data.Filters(date_from=date(2010, 1, 1))])
def test_search_results_page_through_every_match_best_first(con, index, filters):
    first, second = (results(con, index, "gabapentin", filters, page=page, page_size=2) for page in (1, 2))
    assert (first.rows.height, second.rows.height, first.matches, second.matches) == (2, 1, 3, 3)
    assert set(first.rows["case_number"]) | set(second.rows["case_number"]) == {
        INJECTION_CASE, "CM16-0000101", "CM17-0000106"}
    assert first.rows["score"].to_list() == sorted(first.rows["score"].to_list(), reverse=True)
    assert first.rows["score"].min() >= second.rows["score"].max()


def test_a_result_row_shows_the_letter_and_where_it_matched(con, index):
    found = results(con, index, 'gabapentin "neuropathic pain"', data.Filters(outcomes=("overturned",)))
    row = found.rows.filter(pl.col("case_number") == "CM16-0000101").row(0, named=True)
    assert row["decision_date"] == date(2016, 11, 15)
    assert row["decisions"] == "Norco 10/325mg #60 (upheld); Gabapentin 600mg #90 (overturned)"
    assert found.passages[row["letter_id"]] == [
        ("item 2, rationale", "The records document <mark>neuropathic pain</mark> with a 30% reduction in pain "
                              "on the medication. Therefore, the request is medically necessary."),
        ("item 2, treatment", "<mark>Gabapentin</mark> 600mg #90"),
    ]
    guideline = results(con, index, "guideline:odg", data.Filters()).passages
    assert ("item 2, claims administrator's guideline", "Decision based on Non-MTUS Citation Official Disability "
            "Guidelines (<mark>ODG</mark>), Pain Chapter.") in guideline[row["letter_id"]]


def test_with_filters_only_the_best_matches_are_checked_and_the_page_says_so(con, index, monkeypatch):
    monkeypatch.setattr(letters_search, "MAX_FILTERED_HITS", 2)
    found = results(con, index, "gabapentin", data.Filters(date_from=date(2010, 1, 1)))
    assert found.capped and found.matches == 2


# ---------------------------------------------------------------- highlighting

def marks(text: str, query: str, field: str | None = None) -> list[str]:
    return [text[a:b] for a, b in search.match_spans(text, search.parse_query(query).terms, field)]


def test_highlighting_marks_words_phrases_and_prefixes_but_not_what_was_left_out():
    text = "No documented functional improvement; the functional tests improved. Norco is weaned."
    assert marks(text, '"functional improvement"') == ["functional improvement"]
    assert marks(text, "improv*") == ["improvement", "improved"]
    assert marks(text, "functional -norco") == ["functional", "functional"]
    assert marks(text, "NORCO OR weaned") == ["Norco", "weaned"]
    assert marks(text, "treatment:norco", field="rationale") == []
    assert marks(text, "treatment:norco", field="treatment") == ["Norco"]
    assert marks(text, "treatment:norco", field="full_text") == ["Norco"]


def test_highlighting_escapes_the_letter_text_before_marking_it():
    treatment = '![x](http://example.com/a.png) <img src="http://example.com/b.png"> **Lyrica** 75mg'
    html = search.highlight_html(treatment, search.parse_query("lyrica OR png").terms)
    assert html == ('![x](http://example.com/a.<mark>png</mark>) &lt;img src=&quot;http://example.com/b.'
                    '<mark>png</mark>&quot;&gt; **<mark>Lyrica</mark>** 75mg')
    assert "<img" not in html and "<mark>" in html


def test_snippets_show_the_passage_around_the_match():
    text = ("The injured worker was seen for chronic low back pain. " * 5
            + "There is no documented functional improvement from the opioid. " + "Filler sentence here. " * 10)
    snippet = search.snippet_html(text, search.parse_query('"functional improvement"').terms, width=120)
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert "<mark>functional improvement</mark>" in snippet
    assert len(snippet) < 200
    assert search.snippet_html(text, search.parse_query("lyrica").terms) is None
    # The passage goes where the most different words are close together, not to the first match.
    both = search.snippet_html(text, search.parse_query("opioid OR pain").terms, width=120)
    assert "<mark>pain</mark>" in both and "<mark>opioid</mark>" in both


def test_the_passages_show_every_word_found_the_fullest_first():
    terms = search.parse_query('norco OR weaning OR "urine drug"').terms
    shown = search.best_passages([("item 1, rationale", "rationale", "Norco is an opioid."),
                                  ("item 2, rationale", "rationale", "Norco weaning is advised."),
                                  ("item 2, treatment", "treatment", "Urine drug screen"),
                                  ("full text", "full_text", None)], terms)
    assert shown == [("item 2, rationale", "<mark>Norco</mark> <mark>weaning</mark> is advised."),
                     ("item 2, treatment", "<mark>Urine drug</mark> screen")]
    assert search.best_passages([("x", "rationale", "nothing here")], terms) == []
    far_apart = "Gabapentin 600mg. " + "Filler words here. " * 40 + "It eases neuropathic pain."
    shown = search.best_passages([("full text", "full_text", far_apart)],
                                 search.parse_query('gabapentin "neuropathic pain"').terms)
    assert len(shown) == 2 and "<mark>Gabapentin</mark>" in shown[0][1]
    assert "<mark>neuropathic pain</mark>" in shown[1][1]


def test_the_injection_letter_is_searchable_and_stored_as_written(con, index):
    assert found(con, index, "lyrica") == [INJECTION_CASE]
    [(treatment,)] = con.execute("SELECT treatment FROM decisions JOIN letters USING (letter_id) "
                                 "WHERE case_number = $c AND item_no = 1", {"c": INJECTION_CASE}).fetchall()
    assert treatment.startswith("![x](http://example.com/a.png) <img")
