"""Every page through Streamlit's AppTest on the fixture database: it renders, and a filter changes it."""

from datetime import date
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data, sections

APP = str(data.PROJECT_DIR / "app.py")
FILTERED_PAGES = ["overview", "medications", "guidelines", "reviewers", "ur_modifications", "timeliness", "compare",
                  "letters"]


@pytest.fixture
def app(dashboard_db, monkeypatch) -> AppTest:
    monkeypatch.setenv("IMR_DB", str(dashboard_db))
    # The app skips Vega-Lite schema validation for speed; here every chart a page draws is validated.
    unvalidated = sections.spec
    monkeypatch.setattr(sections, "spec", lambda figure: (figure.to_dict(validate=True), unvalidated(figure))[1])
    return AppTest.from_file(APP, default_timeout=60).run()


def open_page(app: AppTest, page: str) -> AppTest:
    app.switch_page(f"dashboard/pages/{page}.py").run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    return app


def sentence(app: AppTest) -> str:
    return next(m.value for m in app.markdown if " of 13 decisions" in m.value)


def first_table(app: AppTest) -> list:
    return app.dataframe[0].value.values.tolist()


@pytest.mark.parametrize("page", FILTERED_PAGES)
def test_a_filter_changes_what_the_page_shows(app, page):
    open_page(app, page)
    assert sentence(app).startswith("**13 of 13 decisions** (8 letters) · no filters")
    before = first_table(app)
    app.multiselect(key="sex").set_value(["female"]).run()
    assert not app.exception, [e.value for e in app.exception]
    assert sentence(app).startswith("**6 of 13 decisions** (4 letters) · sex female")
    assert first_table(app) != before


@pytest.mark.parametrize("page", [*FILTERED_PAGES, "data_quality"])
def test_a_filter_matching_nothing_leaves_every_page_readable(app, page):
    open_page(app, page)
    app.multiselect(key="drug").set_value(["omeprazole"])
    app.multiselect(key="sex").set_value(["female"]).run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    if page != "data_quality":
        assert sentence(app).startswith("**0 of 13 decisions** (0 letters)")


def test_overview_figures(app):
    open_page(app, "overview")
    metrics = {m.label: m.value for m in app.metric}
    # 13 decisions is too few to judge: the page says so instead of a rate and interval.
    assert metrics == {"Letters": "8", "Decisions": "13", "Overturn rate": "too few (n=13)", "Upheld": "25%",
                       "Partially overturned": "50%", "Overturned": "25%"}
    # Automatic: 13 decisions over five months are too few per month or quarter, so by year, newest first.
    assert app.segmented_control(key="period").value == "auto"
    assert any("By year: the finest period" in c.value for c in app.caption)
    assert [row[:3] for row in first_table(app)] == [["2017", 8, 4], ["2016", 5, 2]]
    app.segmented_control(key="period").set_value("quarter").run()
    assert [row[:3] for row in first_table(app)] == [["2017-Q1", 8, 4], ["2016-Q4", 5, 2]]
    app.segmented_control(key="period").set_value("month").run()
    assert [row[0] for row in first_table(app)] == ["2017-03", "2017-02", "2017-01", "2016-12", "2016-11"]


def test_timeliness_page(app):
    open_page(app, "timeliness")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Median days, assignment to decision"] == "28 days"
    assert metrics["Decided within the limit"] == "100%"
    assert metrics["Median days, application to decision"] == "34 days"
    # The limits and their source are on the page.
    assert any("§ 4610.6(d)" in m.value and "30 days" in m.value for m in app.markdown)
    by_priority = app.dataframe[0].value
    assert by_priority["priority"].tolist() == ["standard", "all letters"]
    app.segmented_control(key="period").set_value("quarter").run()
    assert app.dataframe[1].value["period"].tolist() == ["2017-Q1", "2016-Q4"]


def test_compare_two_periods_and_the_rest(app):
    open_page(app, "compare")
    metrics = {m.label: m.value for m in app.metric}
    # By default the latest year in the data against the year before: 5 decisions (2 overturned) in 2016,
    # 8 (4 overturned) in 2017.
    assert metrics == {"2016-01-01 to 2016-12-31: overturn rate": "too few (n=5)",
                       "2017-01-01 to 2017-12-31: overturn rate": "too few (n=8)", "Change": "+10.0 points"}
    # The table breaks the change down by service category: drugs were 3 decisions in 2016, 5 in 2017.
    table = app.dataframe[0].value
    drugs = table[table["group"] == "Pharmaceuticals"].iloc[0]
    assert (drugs["decisions_a"], drugs["decisions_b"]) == (3, 5)
    app.date_input(key="compare_a").set_value((date(2016, 11, 1), date(2016, 11, 30))).run()
    assert {m.label: m.value for m in app.metric}["2016-11-01 to 2016-11-30: overturn rate"] == "too few (n=2)"
    app.selectbox(key="compare_by").set_value("UR action").run()
    assert sorted(app.dataframe[0].value["group"]) == ["denied", "modified"]

    app.radio(key="compare").set_value("The filtered decisions against the rest").run()
    assert any("Choose filters in the sidebar first" in i.value for i in app.info)
    app.multiselect(key="category").set_value(["Pharmaceuticals"]).run()
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Filtered: overturn rate"] == "too few (n=8)"
    assert metrics["The rest: overturn rate"] == "too few (n=5)"


def test_a_chart_click_sets_the_filter_it_shows(monkeypatch):
    """What the chart selection callback does with a click (the browser test clicks for real)."""
    state = {"pick-drug_class": SimpleNamespace(selection={"pick": [{"drug_class": "Opioids"}]})}
    monkeypatch.setattr(sections.st, "session_state", state)
    sections._apply_pick("pick-drug_class", {"drug_class": "drug_classes"})
    assert state["drug_class"] == ["Opioids"]
    state["pick-drug_class"] = SimpleNamespace(selection={"pick": []})  # a cleared selection changes nothing
    sections._apply_pick("pick-drug_class", {"drug_class": "drug_classes"})
    assert state["drug_class"] == ["Opioids"]


def test_letters_page_opens_the_chosen_letter(app):
    # More in tests/test_letters_page.py.
    open_page(app, "letters")
    app.text_input(key="case").set_value("CM17-0000105").run()
    letter = "\n".join(element.proto.body for element in app.get("html"))
    assert "<h3>Case CM17-0000105</h3>" in letter
    assert "<h4>1. Omeprazole 20mg #60: Upheld</h4>" in letter
    assert "Muscle relaxants are for short courses only" in letter


def test_data_quality_page_covers_the_whole_database(app):
    open_page(app, "data_quality")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics == {"Files loaded": "8", "Files rejected": "2", "Letters with warnings": "0"}
    app.multiselect(key="category").set_value(["Surgery"]).run()
    assert {m.label: m.value for m in app.metric} == metrics
    # The loader stores the parser's warnings: the page lists them rather than asking for a rebuild.
    assert not any("before the parser recorded warnings" in i.value for i in app.info)


def test_filters_come_from_the_url(dashboard_db, monkeypatch):
    monkeypatch.setenv("IMR_DB", str(dashboard_db))
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["outcome"] = "overturned"
    app.run()
    assert sentence(app).startswith("**6 of 13 decisions** (6 letters) · outcome overturned")


def test_a_missing_database_says_how_to_build_it(tmp_path, monkeypatch):
    monkeypatch.setenv("IMR_DB", str(tmp_path / "nowhere.duckdb"))
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert "bash scripts/run.sh" in app.error[0].value


def test_a_database_error_is_a_sentence_shown_as_text(tmp_path, monkeypatch):
    # DuckDB's message quotes the path, which may hold Markdown: it must not render.
    broken = tmp_path / "![x](http:__example.com_a.png) **bold**.duckdb"
    broken.write_bytes(b"this is not a DuckDB file" * 100)
    monkeypatch.setenv("IMR_DB", str(broken))
    app = AppTest.from_file(APP, default_timeout=60).run()
    [error] = app.error
    assert "could not be read" in error.value and "rebuild it with" in error.value
    assert r"\!\[x\]" in error.value and r"\*\*bold\*\*" in error.value
