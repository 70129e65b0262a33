"""The Reasons page: its labels, its questions on a hand-counted set of reasons, and the page in AppTest.

The fixture database (tests/conftest.py) gets the reasons below written straight into
decision_reasons, replacing whatever the loader stored, so the counts do not move when the reader
changes. Upheld decisions and their reasons (case, item: codes):

  CM16-0000101 1 Norco #60        Opioids            Family Practice    2016 no_functional_improvement,
                                                                                monitoring_missing
  CM16-0000102 1 MRI lumbar       Diagnostic Testing Orthopedic Surgery 2016 criteria_not_met
  CM16-0000103 1 Norco #120       Opioids            Family Practice    2016 quantity_exceeded
  CM17-0000105 1 Omeprazole       PPI                Internal Medicine  2017 criteria_not_met
  CM17-0000105 2 Cyclobenzaprine  Muscle Relaxant    Internal Medicine  2017 duration_exceeded
  CM17-0000107 1 Lidoderm         Topical Analgesics Family Practice    2017 first_line_not_tried
  CM17-0000108 2 TENS unit        DMEPOS             Internal Medicine  2017 (none read)

plus one overturned decision (CM16-0000101 item 2) giving criteria_met, which the page must not count.
So 6 of the 7 upheld decisions have reasons read; criteria_not_met is given by 2 of 6, the other
five codes by 1 of 6 each; 1 of 6 gives a records-gap reason.
"""

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from dashboard import data
from dashboard import reasons as rs
from etl.db import append_decision_facts
from etl.reference import reason_labels as reason_labels_module
from etl.reference.reason_labels import COLUMNS, load_reason_labels, reason_labels
from etl.vocab import REASON_CODES
from tests.streamlit_server import BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS, WAIT_MS, streamlit_server

APP = str(data.PROJECT_DIR / "app.py")
EVIDENCE_WITH_MARKUP = "There is no documented trial of *first-line* therapy <b>here</b>"
REASONS = [
    ("CM16-0000101", 1, "no_functional_improvement", "There is no documented functional improvement"),
    ("CM16-0000101", 1, "monitoring_missing", "no urine drug testing"),
    ("CM16-0000101", 2, "criteria_met", "a 30% reduction in pain on the medication"),
    ("CM16-0000102", 1, "criteria_not_met", "There are no unequivocal objective findings of nerve compromise"),
    ("CM16-0000103", 1, "quantity_exceeded", "the remainder is not supported"),
    ("CM17-0000105", 1, "criteria_not_met", "No gastrointestinal risk factors are documented"),
    ("CM17-0000105", 2, "duration_exceeded", "Muscle relaxants are for short courses only"),
    ("CM17-0000107", 1, "first_line_not_tried", EVIDENCE_WITH_MARKUP),
]
NO_FILTERS = data.Filters()
RECORDS_GAP = {"records_gap_codes": rs.records_gap_codes()}


@pytest.fixture(scope="module")
def reasons_db(dashboard_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reasons") / "imr.duckdb"
    shutil.copy(dashboard_db, path)
    con = duckdb.connect(str(path))
    con.register("reason_rows", pl.DataFrame(REASONS, schema=["case_number", "item_no", "code", "evidence"],
                                             orient="row"))
    con.execute("DELETE FROM decision_reasons")
    con.execute("INSERT INTO decision_reasons SELECT l.letter_id, r.item_no, r.code, r.evidence "
                "FROM reason_rows r JOIN letters l USING (case_number)")
    assert con.execute("SELECT count(*) FROM decision_reasons").fetchone() == (len(REASONS),)
    rebuild_decision_facts(con)
    con.close()
    return path


def rebuild_decision_facts(con) -> None:
    """The test's reasons rows changed decisions the loader had already written to decision_facts."""
    con.execute("DELETE FROM decision_facts")
    append_decision_facts(con)


@pytest.fixture(scope="module")
def con(reasons_db: Path):
    connection = data.connect(reasons_db)
    yield connection
    connection.close()


def run(con, name: str, filters: data.Filters = NO_FILTERS, **params) -> pl.DataFrame:
    return data.run_query(con, name, filters.params() | params)


def expect(actual: pl.DataFrame, expected: dict, sort_by: list[str]) -> None:
    assert_frame_equal(actual.sort(sort_by), pl.DataFrame(expected).sort(sort_by), check_dtypes=False,
                       check_column_order=False)


# ---------------------------------------------------------------- labels

def test_every_reason_code_has_one_label():
    labels = reason_labels()
    assert tuple(labels) == REASON_CODES
    assert len({r.label for r in labels.values()}) == len(REASON_CODES)
    assert set(rs.records_gap_codes()) == {"no_functional_improvement", "insufficient_documentation",
                                           "monitoring_missing"}


@pytest.mark.parametrize(("bad_row", "problem"), [
    ("not_a_code,Label,What,no", "line 3: unknown reason code 'not_a_code'"),
    ("not_recommended,Again,What,no", "line 3: duplicate code 'not_recommended'"),
    ("duration_exceeded,Not recommended at all,What,no", "line 3: label 'Not recommended at all' is empty or used"),
    ("duration_exceeded,Too long,What,maybe", "line 3: records_gap 'maybe' must be yes or no"),
])
def test_a_bad_label_row_names_the_file_line_and_problem(tmp_path, bad_row, problem):
    path = tmp_path / "reason_labels.csv"
    path.write_text(f"{','.join(COLUMNS)}\nnot_recommended,Not recommended at all,What,no\n{bad_row}\n")
    with pytest.raises(ValueError, match=problem) as error:
        load_reason_labels(path)
    assert str(path) in str(error.value)


def test_a_missing_code_is_named(tmp_path):
    path = tmp_path / "reason_labels.csv"
    path.write_text(f"{','.join(COLUMNS)}\nnot_recommended,Not recommended at all,What,no\n")
    with pytest.raises(ValueError, match=r"no row for the reason codes .*'other'"):
        load_reason_labels(path)


# ---------------------------------------------------------------- questions

def view(con, dimension: str, filters: data.Filters = NO_FILTERS) -> pl.DataFrame:
    """One view of reasons_breakdowns, as the page takes it out."""
    return rs.breakdown(run(con, "reasons_breakdowns", filters), dimension)


def test_summary_counts_upheld_decisions_with_reasons_read(con):
    assert run(con, "reasons_summary", **RECORDS_GAP).row(0, named=True) == {
        "upheld": 7, "with_reasons": 6, "records_gap": 1, "reasons_given": 7}


def test_shares_of_upheld_decisions_with_wilson_intervals(con):
    shares = rs.with_shares(view(con, "all"), chosen=("criteria_not_met",))
    expect(shares.select("code", "decisions", "giving"), {
        "code": ["criteria_not_met", "no_functional_improvement", "monitoring_missing", "quantity_exceeded",
                 "duration_exceeded", "first_line_not_tried"],
        "decisions": [6] * 6, "giving": [2, 1, 1, 1, 1, 1],
    }, ["code"])
    top = shares.filter(code="criteria_not_met").row(0, named=True)
    # Wilson, z=1.96: 2 of 6 -> 9.68% to 70.00%; 1 of 6 -> 3.01% to 56.35%.
    assert top["share"] == pytest.approx(1 / 3)
    assert (top["ci_low"], top["ci_high"]) == (pytest.approx(0.0968, abs=5e-5), pytest.approx(0.7000, abs=5e-5))
    one = shares.filter(code="quantity_exceeded").row(0, named=True)
    assert (one["ci_low"], one["ci_high"]) == (pytest.approx(0.0301, abs=5e-5), pytest.approx(0.5635, abs=5e-5))
    assert top["label"] == "Clinical criteria not met" and top["chosen"] and not one["chosen"]
    assert top["share_with_interval"] == "too few to judge (n=6)"
    assert rs.order_by_share(shares)[:2] == ["Clinical criteria not met", "Beyond the recommended duration"]


def test_shares_follow_the_shared_filters(con):
    female = data.Filters(sexes=("female",))  # letters 102, 103, 106, 108
    expect(view(con, "all", female), {
        "code": ["criteria_not_met", "quantity_exceeded"], "decisions": [2, 2], "giving": [1, 1]}, ["code"])
    assert run(con, "reasons_summary", female, **RECORDS_GAP).row(0) == (3, 2, 0, 2)
    assert view(con, "all", data.Filters(outcomes=("overturned",))).is_empty()


def test_by_category_fills_every_cell(con):
    cells = view(con, "service_category")
    assert cells.height == 2 * 6
    assert dict(cells.unique("service_category").select("service_category", "decisions").iter_rows()) == {
        "Pharmaceuticals": 5, "Diagnostic Testing": 1}
    expect(cells.filter(service_category="Diagnostic Testing").select("code", "giving"), {
        "code": ["criteria_not_met", "no_functional_improvement", "monitoring_missing", "quantity_exceeded",
                 "duration_exceeded", "first_line_not_tried"], "giving": [1, 0, 0, 0, 0, 0]}, ["code"])


def test_by_drug_class_and_specialty(con):
    classes = view(con, "drug_class")
    assert classes.height == 4 * 6
    assert dict(classes.unique("drug_class").select("drug_class", "decisions").iter_rows()) == {
        "Opioids": 2, "Proton Pump Inhibitors": 1, "Muscle Relaxant": 1, "Topical Analgesics": 1}
    opioids = dict(classes.filter(drug_class="Opioids").select("code", "giving").iter_rows())
    assert opioids == {"no_functional_improvement": 1, "monitoring_missing": 1, "quantity_exceeded": 1,
                       "criteria_not_met": 0, "duration_exceeded": 0, "first_line_not_tried": 0}
    specialties = view(con, "reviewer_specialty")
    assert dict(specialties.unique("reviewer_specialty").select("reviewer_specialty", "decisions").iter_rows()) == {
        "Family Practice": 3, "Orthopedic Surgery": 1, "Internal Medicine": 2}
    assert specialties["giving"].sum() == 7


def test_trend_by_year(con):
    trend = view(con, "decision_year")
    assert dict(trend.unique("decision_year").select("decision_year", "decisions").iter_rows()) == {2016: 3, 2017: 3}
    given = {(y, c): g for y, c, g in trend.select("decision_year", "code", "giving").iter_rows() if g}
    assert given == {(2016, "no_functional_improvement"): 1, (2016, "monitoring_missing"): 1,
                     (2016, "criteria_not_met"): 1, (2016, "quantity_exceeded"): 1,
                     (2017, "criteria_not_met"): 1, (2017, "duration_exceeded"): 1,
                     (2017, "first_line_not_tried"): 1}


def test_decisions_with_their_evidence_newest_first(con):
    rows = run(con, "reasons_decisions", limit=100)
    assert rows.height == 7  # the overturned decision's criteria_met is not an upheld reason
    assert rows.select("case_number", "code", "evidence").row(0) == (
        "CM17-0000107", "first_line_not_tried", EVIDENCE_WITH_MARKUP)
    assert rows["decision_date"].is_sorted(descending=True)
    assert run(con, "reasons_decisions", limit=2).height == 2


# ---------------------------------------------------------------- charts

def test_the_heatmap_labels_every_reason_column_and_marks_small_groups():
    cells = rs.group_rows(rs.with_shares(pl.DataFrame({
        "service_category": ["Surgery", "Surgery", "DMEPOS", "DMEPOS"], "code": ["other", "contraindicated"] * 2,
        "decisions": [40, 40, 5, 5], "giving": [10, 2, 1, 0]})), "service_category")
    spec = rs.share_heatmap(cells, "service_category", "title", ["Other reason", "Contraindicated"]).to_dict()
    x = spec["layer"][0]["encoding"]["x"]
    assert x["sort"] == ["Other reason", "Contraindicated"]
    assert x["axis"]["labelOverlap"] is False  # Vega-Lite would otherwise drop labels that collide
    assert spec["layer"][0]["encoding"]["y"]["sort"] == ["Surgery (n=40)", "DMEPOS (n=5, too few to judge)"]
    assert [p["select"]["fields"] for p in spec["params"]] == [["code"]]


# ---------------------------------------------------------------- clicks

@pytest.mark.parametrize(("state", "codes"), [
    ({"selection": {"reason": [{"code": "criteria_not_met"}]}}, ["criteria_not_met"]),
    ({"selection": {"reason": [{"code": "other"}, {"code": "contraindicated"}, {"code": "other"}]}},
     ["other", "contraindicated"]),
    ({"selection": {"reason": {}}}, []),
    ({"selection": {}}, []),
    (None, []),
])
def test_codes_from_a_click(state, codes):
    assert rs.codes_from_selection(state) == codes


# ---------------------------------------------------------------- the page

@pytest.fixture
def app(reasons_db, monkeypatch) -> AppTest:
    monkeypatch.setenv("IMR_DB", str(reasons_db))
    app = AppTest.from_file(APP, default_timeout=60).run()
    return open_reasons(app)


def open_reasons(app: AppTest) -> AppTest:
    app.switch_page("dashboard/pages/reasons.py").run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    return app


def test_the_page_opens_with_the_numbers_that_answer_why(app):
    assert [m.label for m in app.metric] == [
        "Clinical criteria not met", "Beyond the recommended duration", "Something the records did not show"]
    # 6 decisions are too few to judge: the page says so instead of a share.
    assert [m.value for m in app.metric] == ["too few to judge"] * 3
    captions = [c.value for c in app.caption]
    assert any(c.startswith("Shares of the 6 upheld decisions whose reasons were read (1 more gave none the "
                            "reader recognised); a decision gives 1.2 reasons") for c in captions)
    shares = app.dataframe[0].value
    assert shares["reason"].tolist()[0] == "Clinical criteria not met"
    assert shares["decisions_giving"].tolist() == [2, 1, 1, 1, 1, 1]
    assert set(shares["upheld_decisions"]) == {6}
    assert len(app.get("vega_lite_chart")) == 3  # the dots, the heatmap, the trend


def test_the_evidence_is_shown_as_text(app):
    evidence = app.dataframe[-1].value
    assert EVIDENCE_WITH_MARKUP in evidence["evidence"].tolist()
    assert not any("first-line" in m.value for m in app.markdown)


def test_the_heatmap_breaks_down_by_the_chosen_grouping(app):
    assert "service_category" in app.dataframe[1].value.columns
    app.segmented_control(key="reasons_by").set_value("reviewer specialty").run()
    assert not app.exception
    table = app.dataframe[1].value
    assert set(table["reviewer_specialty"]) == {"Family Practice", "Orthopedic Surgery", "Internal Medicine"}


def test_a_click_on_a_reason_sets_the_shared_filter(app):
    dots = app.get("vega_lite_chart")[0]
    # What the browser sends when the dot of a reason is clicked: the chart's selection as JSON.
    states = app._tree.get_widget_states()
    states.widgets.append(WidgetState(id=dots.proto.id, string_value=json.dumps(
        {"selection": {rs.SELECTION: [{"code": "criteria_not_met"}]}})))
    app._run(states)
    assert not app.exception, [e.value for e in app.exception]
    assert app.session_state["reasons"] == ["criteria_not_met"]
    assert any(c.value.startswith("Filtered to decisions giving Clinical criteria not met")
               for c in app.caption)


def test_the_filter_set_elsewhere_is_highlighted(app):
    app.session_state["reasons"] = ["duration_exceeded"]
    app.run()
    assert any(c.value.startswith("Filtered to decisions giving Beyond the recommended duration")
               for c in app.caption)


def test_a_bad_labels_file_is_a_sentence_not_a_traceback(reasons_db, monkeypatch, tmp_path):
    (tmp_path / "reason_labels.csv").write_text(f"{','.join(COLUMNS)}\nnot_a_code,Label,What,no\n")
    monkeypatch.setattr(reason_labels_module, "DIR", tmp_path)
    reason_labels.cache_clear()
    monkeypatch.setenv("IMR_DB", str(reasons_db))
    try:
        app = AppTest.from_file(APP, default_timeout=60).run()
        app.switch_page("dashboard/pages/reasons.py").run()
    finally:
        reason_labels.cache_clear()
    assert not app.exception
    assert app.error[0].value.startswith("The reason labels could not be read: ")
    assert "reason_labels.csv, line 2: unknown reason code 'not_a_code'" in app.error[0].value


def test_a_database_without_reasons_says_so(dashboard_db, monkeypatch, tmp_path):
    empty = tmp_path / "imr.duckdb"
    shutil.copy(dashboard_db, empty)
    with duckdb.connect(str(empty)) as connection:
        connection.execute("DELETE FROM decision_reasons")
        rebuild_decision_facts(connection)
    monkeypatch.setenv("IMR_DB", str(empty))
    app = open_reasons(AppTest.from_file(APP, default_timeout=60).run())
    assert "No upheld decision with its reasons read" in app.info[0].value


# ---------------------------------------------------------------- a real click, in Chromium


@pytest.fixture(scope="module")
def reasons_server(reasons_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with streamlit_server(reasons_db, tmp_path_factory.mktemp("streamlit")) as url:
        yield url


@BROWSER_MARKS[0]
@BROWSER_MARKS[1]
def test_clicking_a_dot_in_the_browser_sets_the_reasons_filter(reasons_server):
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            page.goto(f"{reasons_server}/reasons")
            dots = page.locator('[data-testid="stVegaLiteChart"]').first.locator(".mark-symbol path")
            dots.first.wait_for(timeout=WAIT_MS)
            # Vega labels each dot with its fields; the order of the dots is the data's, not the axis's.
            dots.and_(page.locator('[aria-label*="label: Beyond the recommended duration;"]')).click()
            page.get_by_text("Filtered to decisions giving Beyond the recommended duration").wait_for(timeout=WAIT_MS)
            assert page.locator('[data-testid="stException"]').count() == 0
        finally:
            browser.close()
