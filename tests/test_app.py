"""Every page through Streamlit's AppTest on the fixture database: it renders, and a filter changes it."""

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data

APP = str(data.PROJECT_DIR / "app.py")
FILTERED_PAGES = ["overview", "medications", "guidelines", "reviewers", "ur_modifications", "letters"]


@pytest.fixture
def app(dashboard_db, monkeypatch) -> AppTest:
    monkeypatch.setenv("IMR_DB", str(dashboard_db))
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
    assert metrics == {"Letters": "8", "Decisions": "13", "Overturn rate": "too few to judge"}
    assert any("too few to judge (n=13)" in c.value for c in app.caption)
    assert [row[1:3] for row in first_table(app)] == [[2, 1], [3, 1], [3, 1], [3, 2], [2, 1]]
    app.segmented_control(key="period").set_value("quarter").run()
    assert [row[1:3] for row in first_table(app)] == [[5, 2], [8, 4]]


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
    assert metrics == {"Files loaded": "8", "Files rejected": "2"}
    app.multiselect(key="category").set_value(["Surgery"]).run()
    assert {m.label: m.value for m in app.metric} == metrics


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
