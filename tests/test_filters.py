"""Honest filters: what a link gets wrong is named and ignored, a reversed range refused, clear resets.

Through Streamlit's AppTest on the fixture database (8 letters, 13 decisions), and parse_filters alone.
"""

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data, ui
from etl import vocab

APP = str(data.PROJECT_DIR / "app.py")
CHOICES = data.FIXED_CHOICES | {"drugs": ("omeprazole", "tramadol"), "specialties": ("Psychiatry",)}


def open_app(dashboard_db, monkeypatch, **params: str | list[str]) -> AppTest:
    monkeypatch.setenv("IMR_DB", str(dashboard_db))
    app = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def sentence(app: AppTest) -> str:
    return next(m.value for m in app.markdown if " of 13 decisions" in m.value)


# ---------------------------------------------------------------- parse_filters, table-driven

@pytest.mark.parametrize(("params", "expected", "named"), [
    ({"drug_class": ["Opioids", "Foo"]}, data.Filters(drug_classes=("Opioids",)), ['"Foo"']),
    ({"sex": ["female"], "licence": ["Mars"]}, data.Filters(sexes=("female",)), ['"Mars"']),
    ({"from": ["2016-13-01"]}, data.Filters(), ['"2016-13-01"', "not a date"]),
    ({"to": ["2001-01-01"]}, data.Filters(), ['"2001-01-01"', "before the first IMR decision"]),
    ({"letter_outcomes": ["overturned", "won"]}, data.Filters(letter_outcomes=("overturned",)), ['"won"']),
    ({"reasons": ["criteria_met", "luck"]}, data.Filters(reasons=("criteria_met",)), ['"luck"']),
    ({"priorities": ["expedited", "urgent"]}, data.Filters(priorities=("expedited",)), ['"urgent"']),
    ({"drug": ["omeprazole", "omeprazole"]}, data.Filters(drugs=("omeprazole",)), []),
    ({"period": ["quarter"], "case": ["CM16-1"]}, data.Filters(), []),  # other pages' keys are theirs
])
def test_a_link_value_the_data_lacks_is_named_and_left_out(params, expected, named):
    filters, problems = data.parse_filters(params, CHOICES)
    assert filters == expected
    if named:
        assert len(problems) == 1
        assert all(part in problems[0] for part in named)
    else:
        assert problems == []


def test_a_reversed_date_range_is_kept_for_correction_but_refused():
    filters, problems = data.parse_filters({"from": ["2017-05-01"], "to": ["2016-01-01"]}, CHOICES)
    assert problems == []
    assert filters.date_from == date(2017, 5, 1)
    assert "2017-05-01 is after the end date 2016-01-01" in data.date_range_problem(filters)
    assert filters.sound() == data.Filters()
    same_day = data.Filters(date_from=date(2017, 1, 1), date_to=date(2017, 1, 1))
    assert data.date_range_problem(same_day) is None and same_day.sound() == same_day


def test_every_list_filter_has_its_choices_and_url_key():
    assert set(data.LIST_URL_KEYS.values()) == set(data.FIXED_CHOICES) | {"drugs", "specialties"}
    assert set(data.LIST_URL_KEYS.values()) == set(data.FILTER_LABELS)
    assert set(data.REASON_LABELS) == set(vocab.REASON_CODES)
    for field in ("letter_outcomes", "reasons", "priorities"):  # the contract: URL key = field name
        assert data.LIST_URL_KEYS[field] == field


def test_plain_shows_markdown_as_written():
    assert ui.plain("**bold** [x](javascript:y) <b>") == r"\*\*bold\*\* \[x\]\(javascript\:y\) \<b\>"


# ---------------------------------------------------------------- the app

def test_an_unknown_url_value_is_named_in_a_note_and_ignored(dashboard_db, monkeypatch):
    app = open_app(dashboard_db, monkeypatch, drug_class=["Opioids", "**Foo**"], sex="female")
    note = app.warning[0].value
    # The value is echoed as text: its Markdown escaped, so **Foo** is not shown in bold.
    assert r"Drug class \"\*\*Foo\*\*\" is not a value the data has" in note
    assert sentence(app).startswith("**2 of 13 decisions** (2 letters) · drug class Opioids\\; sex female")
    app.run()  # the note stays while the view does
    assert "Foo" in app.warning[0].value


def test_a_malformed_date_in_the_link_is_named(dashboard_db, monkeypatch):
    app = open_app(dashboard_db, monkeypatch, **{"from": "2017-02-30"})
    assert r"\"2017\-02\-30\" under \"from\" is not a date" in app.warning[0].value
    assert sentence(app).startswith("**13 of 13 decisions**")


def test_a_reversed_date_range_is_refused_with_a_sentence(dashboard_db, monkeypatch):
    app = open_app(dashboard_db, monkeypatch, **{"from": "2017-05-01", "to": "2016-01-01"})
    assert "is after the end date" in app.error[0].value
    assert sentence(app).startswith("**13 of 13 decisions** (8 letters) · no filters")
    app.date_input(key="to").set_value(date(2017, 12, 31)).run()  # corrected: the range applies
    assert not app.error
    assert " of 13 decisions** " in sentence(app) and "decided 2017\\-05\\-01 to 2017\\-12\\-31" in sentence(app)
    assert not sentence(app).startswith("**13 of 13")


@pytest.mark.parametrize("params", [{"outcome": "overturned"}, {"letter_outcomes": "upheld"}])
def test_filtering_on_an_outcome_says_rates_are_not_meaningful(dashboard_db, monkeypatch, params):
    app = open_app(dashboard_db, monkeypatch, **params)
    assert any("overturn rates below are not meaningful" in i.value for i in app.info)


def test_no_outcome_filter_no_outcome_note(dashboard_db, monkeypatch):
    app = open_app(dashboard_db, monkeypatch, sex="female")
    assert not any("not meaningful" in i.value for i in app.info)


def test_clear_filters_resets_the_view_the_url_and_the_notes(dashboard_db, monkeypatch):
    app = open_app(dashboard_db, monkeypatch, sex="female", drug_class="Nothing", **{"from": "2016-01-01"})
    assert app.warning and not sentence(app).startswith("**13 of 13")
    app.button(key="clear-filters").click().run()
    assert sentence(app).startswith("**13 of 13 decisions** (8 letters) · no filters")
    assert not app.warning
    assert not any(key in app.query_params for key in (*data.DATE_URL_KEYS, *data.LIST_URL_KEYS))


def test_the_new_filters_select_decisions(dashboard_db, monkeypatch):
    # Fixture letters 4 and 6 have every decision overturned (one decision each).
    app = open_app(dashboard_db, monkeypatch, letter_outcomes="overturned")
    assert sentence(app).startswith("**2 of 13 decisions** (2 letters) · case outcome overturned")
    app.multiselect(key="letter_outcomes").set_value([]).run()
    app.multiselect(key="priorities").set_value(["unknown"]).run()
    assert "review priority unknown" in sentence(app)
    app.multiselect(key="reasons").set_value(["criteria_met"]).run()
    # reasons: the storage branch fills reason_codes; until then no decision has a reason.
    assert not app.exception


def test_overview_is_also_at_its_own_path():
    """/overview answers with Overview, hidden from the menu (the browser test in test_ui.py visits it)."""
    source = (data.PROJECT_DIR / "app.py").read_text()
    assert 'url_path="overview", visibility="hidden"' in source


def test_tables_show_rates_as_numbers_and_mark_small_groups(dashboard_db, monkeypatch):
    app = open_app(dashboard_db, monkeypatch)
    trend = app.dataframe[0].value
    assert list(trend.columns) == ["period", "decisions", "overturned", "overturn_rate", "ci_low", "ci_high",
                                   "small_group"]
    assert trend["overturn_rate"].dtype.kind == "f"  # a number, so it sorts as one
    assert set(trend["small_group"]) == {ui.SMALL_GROUP}  # 2-3 decisions a month
    mix = app.dataframe[1].value
    assert "rate_label" not in mix.columns and mix["share"].dtype.kind == "f"


def test_reasons_travel_in_the_url_as_codes_and_show_as_labels(dashboard_db, monkeypatch):
    app = open_app(dashboard_db, monkeypatch, reasons=["no_functional_improvement", "nonsense"])
    reasons = app.multiselect(key="reasons")
    assert reasons.value == ["no_functional_improvement"]
    assert "no functional improvement documented" in reasons.options
    assert app.query_params["reasons"] in ("no_functional_improvement", ["no_functional_improvement"])
    assert "nonsense" in app.warning[0].value
    assert "reviewer\\'s reason no functional improvement documented" in sentence(app)
    reasons.set_value(["criteria_met", "other"]).run()
    assert app.query_params["reasons"] == ["criteria_met", "other"]
    app.button(key="clear-filters").click().run()
    assert "reasons" not in app.query_params and app.multiselect(key="reasons").value == []
