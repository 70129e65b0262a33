"""The Letters page through Streamlit's AppTest: search, case lookup, the letter from the URL, and
letter text shown as text (never Markdown or HTML) wherever the page puts it."""

import shutil

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data, marks
from etl import search
from etl.load import load

APP = str(data.PROJECT_DIR / "app.py")
LETTERS = "dashboard/pages/letters.py"
INJECTION_CASE = "CM18-0000201"


def open_letters(db, monkeypatch, **query_params) -> AppTest:
    monkeypatch.setenv("IMR_DB", str(db))
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params.update(query_params)
    app.run()
    app.switch_page(LETTERS).run()
    assert_clean(app)
    return app


def assert_clean(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]


def html(app: AppTest) -> str:
    return "\n".join(element.proto.body for element in app.get("html"))


def markdown_and_captions(app: AppTest) -> str:
    return "\n".join([m.value for m in app.markdown] + [c.value for c in app.caption] + [s.value for s in app.subheader]
                     + [w.value for w in app.warning] + [i.value for i in app.info])


@pytest.fixture
def app(search_db, monkeypatch) -> AppTest:
    return open_letters(search_db, monkeypatch)


def search_for(app: AppTest, text: str) -> AppTest:
    app.text_input(key="q").set_value(text).run()
    assert_clean(app)
    return app


def test_without_a_search_every_filtered_decision_is_listed(app):
    assert any(c.value.startswith("Decisions 1–15 of 15") for c in app.caption)
    assert app.dataframe[0].value.shape[0] == 15
    app.multiselect(key="outcome").set_value(["overturned"]).run()
    assert_clean(app)
    assert app.dataframe[0].value.shape[0] == 7


def test_a_search_lists_the_matching_letters_with_highlighted_passages(app):
    search_for(app, '"functional improvement"')
    assert app.subheader[0].value == "2 letters match the search and the filters"
    table = app.dataframe[0].value
    assert set(table["case_number"]) == {"CM16-0000101", INJECTION_CASE}
    passages = html(app)
    assert "<mark>functional improvement</mark>" in passages
    assert "<mark>Functional improvement</mark>" in passages


def test_a_search_respects_the_filters(app):
    app.multiselect(key="outcome").set_value(["overturned"]).run()
    search_for(app, "gabapentin")
    assert app.subheader[0].value == "3 letters match the search and the filters"
    app.date_input(key="from").set_value(data.date(2018, 1, 1)).run()
    assert_clean(app)
    assert app.subheader[0].value == "1 letter matches the search and the filters"
    assert list(app.dataframe[0].value["case_number"]) == [INJECTION_CASE]


def test_a_search_that_cannot_be_read_says_why(app):
    search_for(app, "NOT norco")
    assert "only what to leave out" in app.warning[0].value


@pytest.mark.parametrize("typed", ["CM17-0000105", "cm17 0000105", " CM170000105 "])
def test_a_case_number_opens_its_letter_in_plain_words(app, typed):
    app.text_input(key="case").set_value(typed).run()
    assert_clean(app)
    view = html(app)
    assert "<h3>Case CM17-0000105</h3>" in view
    for plain in ("Decided</th><td>2017-01-25", "Standard review; 2 decisions: 2 upheld", "Reviewer</th>",
                  "<h4>1. Omeprazole 20mg #60: Upheld</h4>", "Claims administrator&#x27;s guideline:",
                  "IMR reviewer&#x27;s guideline:", "Decision rationale:", "denied the request"):
        assert plain in view, plain
    # No server paths, no raw field names.
    assert "fixtures" not in view and ".txt" not in view
    for raw in ("source_file", "ur_action", "imr_guideline_text", "letter_id", "reviewer_specialties"):
        assert raw not in view and raw not in markdown_and_captions(app)
    assert "Muscle relaxants are for short courses only" in view


def test_the_url_opens_the_letter(search_db, monkeypatch):
    app = open_letters(search_db, monkeypatch, case="CM16-0000103")
    assert "<h3>Case CM16-0000103</h3>" in html(app)
    # What UR authorized, for a modified request.
    assert "modified the request and authorized: Norco 10/325mg #30" in html(app)


def test_an_unknown_case_number_says_so(app):
    app.text_input(key="case").set_value("CM99-0000001").run()
    assert_clean(app)
    assert "No letter with case number CM99-0000001" in app.warning[0].value


@pytest.mark.parametrize(("case", "q", "warned"), [
    ("![x](http://example.com/a.png)", "", True),
    ("", "![x](http://example.com/a.png)*", False),  # a valid search, for the words x, http, example...
    ("", "x* ![x](http://example.com/a.png)", True),
    ("", "(![x](http://example.com/a.png)", True),
])
def test_a_link_cannot_put_markdown_on_the_page(search_db, monkeypatch, case, q, warned):
    app = open_letters(search_db, monkeypatch, case=case, q=q)
    assert "example.com" not in markdown_and_captions(app).lower()
    assert bool(app.warning) == warned, "the page should say what is wrong with the search or the case number"


def test_search_terms_are_highlighted_in_the_open_letter(search_db, monkeypatch):
    app = open_letters(search_db, monkeypatch, case="CM16-0000101", q="opioid")
    assert "from the <mark>opioid</mark>" in html(app)


def test_letter_text_written_as_markdown_or_html_is_shown_literally(search_db, monkeypatch):
    app = open_letters(search_db, monkeypatch, case=INJECTION_CASE, q="lyrica")
    view = html(app)
    # The treatment appears as its characters: the image link is text, the tags are escaped.
    assert ('![x](http://example.com/a.png) &lt;img src=&quot;http://example.com/b.png&quot;&gt; '
            "**<mark>Lyrica</mark>** 75mg #60: Upheld") in view
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in view and "[the notes](http://example.com/notes)" in view
    # The only tags are the page's own: no <img>, <script>, <b> or link from the letter survives.
    for tag in ("<img", "<script", "<b>", "<a "):
        assert tag not in view
    # And nothing from the letter went through Markdown (which would fetch the image).
    assert "example.com" not in markdown_and_captions(app).lower()
    with_search = search_for(app, "lyrica OR notes")
    assert "example.com" not in markdown_and_captions(with_search).lower()
    assert "[the <mark>notes</mark>](http://example.com/<mark>notes</mark>)" in html(with_search)


def test_without_an_index_the_page_says_so_and_case_lookup_still_works(search_db, tmp_path, monkeypatch):
    db = tmp_path / "imr.duckdb"
    shutil.copy(search_db, db)
    app = open_letters(db, monkeypatch)
    search_for(app, "norco")
    assert app.info[0].value.startswith("Search is not available: the search index has not been built yet")
    app.text_input(key="case").set_value("CM17-0000105").run()
    assert_clean(app)
    assert "<h3>Case CM17-0000105</h3>" in html(app)


def test_an_index_behind_the_database_is_searched_and_the_page_says_so(search_db, tmp_path, monkeypatch):
    db = tmp_path / "imr.duckdb"
    shutil.copy(search_db, db)
    monkeypatch.setattr(search, "BATCH_LETTERS", 4)
    real_documents, batches = search._documents, []

    def stop_after_one_batch(con, batch):
        batches.append(batch)
        if len(batches) > 1:
            raise OSError("interrupted")
        return real_documents(con, batch)

    monkeypatch.setattr(search, "_documents", stop_after_one_batch)
    with pytest.raises(search.SearchError):
        search.sync_index(db)
    app = open_letters(db, monkeypatch)
    search_for(app, "norco")
    assert app.info[0].value.startswith("The search index covers 4 of 9 letters")
    assert app.subheader[0].value.endswith("the search and the filters")


def test_letters_a_reparse_changed_but_the_index_has_not_taken_in_are_named(search_db, tmp_path, monkeypatch):
    db = tmp_path / "imr.duckdb"
    shutil.copy(search_db, db)
    shutil.copytree(search.index_path(search_db), search.index_path(db))
    con = duckdb.connect(str(db))
    con.execute("UPDATE letter_texts SET full_text = replace(full_text, 'Omeprazole 20mg', 'Pantoprazole 20mg')")
    con.close()
    with monkeypatch.context() as stopped:
        stopped.setattr(search, "sync_index", lambda db, progress=False: 0)  # the index update never ran
        load([], db, 1, reparse=True, show_progress=False)
    app = open_letters(db, monkeypatch)
    search_for(app, "norco")
    assert app.info[0].value.startswith("1 letter read differently by the new parser version is still searched")
    assert app.subheader[0].value.endswith("the search and the filters")


def test_each_reason_is_named_and_its_evidence_marked_in_the_rationale(app):
    app.text_input(key="case").set_value("CM17-0000105").run()
    assert_clean(app)
    view = html(app)
    assert "<strong>Why:</strong> Clinical criteria not met" in view
    evidence = "No gastrointestinal risk factors are documented and no NSAID is prescribed"
    assert f'<mark style="{marks.REASON_STYLE}" title="Clinical criteria not met">{evidence}</mark>' in view
