"""Every question in queries/ on the fixture database, against what a reader of the letters computes.

The fixture letters (tests/fixtures/dashboard/), one decision per line (CP: MTUS Chronic Pain;
reviewer: primary specialty and licence states):

  letter date       item                             outcome    UR        IMR cited   CA cited  reviewer; patient
  101    2016-11-15 Norco 10/325mg #60               upheld     denied    CP          CP        Family Practice CA; 48 m
  101    2016-11-15 Gabapentin 600mg #90             overturned denied    CP+ODG      ODG
  102    2016-12-05 MRI of the lumbar spine          upheld     denied    Low Back    Low Back  Orthopedics NC; 35 f
  103    2016-12-20 Norco 10/325mg #120 (UR #30)     upheld     modified  CP          CP        Family Pract CA,TX; 52 f
  103    2016-12-20 Physical therapy 2x6 (12)        overturned denied    CP          nothing
  104    2017-01-10 Cognitive behavioral therapy 6   overturned denied    ODG         ODG       Psychiatry CA; 41 m
  105    2017-01-25 Omeprazole 20mg #60              upheld     denied    CP          CP        Internal Med TX; 60 m
  105    2017-01-25 Cyclobenzaprine 7.5mg #60        upheld     denied    nothing     CP
  106    2017-02-08 Gabapentin 600mg #180 (UR #90)   overturned modified  CP          CP        Orthopedics CA; 29 f
  107    2017-02-22 Lidoderm 5% patch #30            upheld     denied    CP+OTHER    CP        Family Practice CA; 55 m
  107    2017-02-22 Follow-up visit, pain management overturned denied    MTUS GenApp ACOEM
  108    2017-03-14 Norco 10/325mg #90               overturned denied    MTUS Opioid CP       Internal Med CA,NC; 67 f
  108    2017-03-14 TENS unit                        upheld     denied    CP          CP

plus an empty file and a memo the loader rejects.
"""

import re
from datetime import date

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dashboard import compare, data, guidelines, medications, overview, periods, reviewers

NO_FILTERS = data.Filters()
DRUGS_ONLY = data.Filters(categories=("Pharmaceuticals",))


def run(con, name: str, filters: data.Filters = NO_FILTERS, **params) -> pl.DataFrame:
    return data.run_query(con, name, filters.params() | params)


def expect(actual: pl.DataFrame, expected: dict, sort_by: list[str]) -> None:
    assert_frame_equal(actual.sort(sort_by), pl.DataFrame(expected).sort(sort_by), check_dtypes=False,
                       check_column_order=False)


def test_every_query_file_has_a_header_with_question_grain_and_parameters():
    for path in data.QUERIES_DIR.glob("*.sql"):
        lines = path.read_text().splitlines()
        first_code_line = next(i for i, line in enumerate(lines) if not line.startswith("--"))
        header = "\n".join(lines[:first_code_line])
        for part in ("-- Question:", "-- Grain:", "-- Parameters:"):
            assert part in header, f"{path.name} lacks {part!r}"


def test_page_query_lists_match_the_pages():
    """The benchmark times data.PAGE_QUERIES, so it must name exactly what each page runs."""
    pages_dir = data.PROJECT_DIR / "dashboard" / "pages"
    for page, names in data.PAGE_QUERIES.items():
        used = set(re.findall(r'query\("(\w+)"', (pages_dir / f"{page}.py").read_text()))
        if page != "data_quality":
            used |= set(data.SENTENCE_QUERIES)
        assert used == set(names), page
    assert {p.stem for p in pages_dir.glob("*.py")} == set(data.PAGE_QUERIES)


def test_overview_totals(dashboard_con):
    totals = run(dashboard_con, "overview_totals")
    assert totals.row(0) == (8, 13, 6, date(2016, 11, 15), date(2017, 3, 14))
    assert run(dashboard_con, "total_decisions").item() == 13


@pytest.mark.parametrize(("filters", "expected"), [
    (DRUGS_ONLY, (6, 8, 3)),
    (data.Filters(date_from=date(2017, 1, 1), date_to=date(2017, 2, 8)), (3, 4, 2)),
    (data.Filters(drugs=("gabapentin",)), (2, 2, 2)),
    (data.Filters(specialties=("Internal Medicine",), outcomes=("overturned",)), (1, 1, 1)),
    (data.Filters(guideline_sources=("nothing cited",)), (1, 1, 0)),
    (data.Filters(guideline_sources=("ODG", "OTHER")), (3, 3, 2)),
    (data.Filters(ur_actions=("modified",)), (2, 2, 1)),
    (data.Filters(ca_licences=("other states only",)), (2, 3, 0)),
    (data.Filters(age_bands=("55-64",), sexes=("male",)), (2, 4, 1)),
    (data.Filters(drug_classes=("Opioids",), date_to=date(2016, 12, 31)), (2, 2, 0)),
])
def test_each_filter_narrows_the_totals(dashboard_con, filters, expected):
    totals = run(dashboard_con, "overview_totals", filters)
    assert totals.select("letters", "decisions", "overturned").row(0) == expected


def test_overview_trend_by_month(dashboard_con):
    expect(overview.trend(run(dashboard_con, "overview_groups")), {
        "month": [date(2016, 11, 1), date(2016, 12, 1), date(2017, 1, 1), date(2017, 2, 1), date(2017, 3, 1)],
        "decisions": [2, 3, 3, 3, 2], "overturned": [1, 1, 1, 2, 1],
    }, ["month"])


def test_letter_outcomes_count_cases_as_the_state_does(dashboard_con):
    # 101, 103, 107, 108 mix upheld and overturned items; 102 and 105 upheld all; 104 and 106 overturned all.
    expect(run(dashboard_con, "overview_letter_outcomes"), {
        "letter_outcome": ["overturned", "partially overturned", "upheld"], "letters": [2, 4, 2],
    }, ["letter_outcome"])
    # A letter counts under its own outcome when any of its decisions matches the filters.
    expect(run(dashboard_con, "overview_letter_outcomes", data.Filters(outcomes=("overturned",))), {
        "letter_outcome": ["overturned", "partially overturned"], "letters": [2, 4],
    }, ["letter_outcome"])


LIMITS = {"standard_days": 30, "expedited_days": 3}


def test_timeliness_by_priority(dashboard_con):
    rows = run(dashboard_con, "timeliness_by_period", period="year", **LIMITS)
    overall = rows.filter(pl.col("period").is_null())
    assert overall["priority"].to_list() == ["standard", "all letters"]
    everything = overall.row(1, named=True)
    # Days from assignment: 21 21 22 28 29 29 30 30; from the application received: 26 26 28 34 35 35 35 35.
    assert everything["letters"] == 8
    assert everything["median_days_from_assignment"] == 28.5
    assert everything["p90_days_from_assignment"] == 30
    assert everything["within_limit_from_assignment"] == 8
    assert everything["median_days_from_application"] == 34.5
    assert everything["p90_days_from_application"] == 35
    assert everything["within_limit_from_application"] == 3
    # The limit is a bound parameter: 28 days leaves the four letters decided in 29 or 30 days out.
    tighter = run(dashboard_con, "timeliness_by_period", period="year", standard_days=28, expedited_days=3)
    assert tighter.filter(priority="all letters")["within_limit_from_assignment"].item() == 4


def test_timeliness_counts_letters_not_decisions(dashboard_con):
    by_quarter = run(dashboard_con, "timeliness_by_period", period="quarter", **LIMITS).drop_nulls("period")
    assert by_quarter.select("period", "priority", "letters", "median_days_from_assignment").rows() == [
        (date(2016, 10, 1), "standard", 3, 21.0), (date(2017, 1, 1), "standard", 5, 29.0)]


def test_compare_groups_one_row_per_dimension_and_group(dashboard_con):
    rows = run(dashboard_con, "compare_groups")
    assert rows.filter(dimension="All decisions").select("group", "decisions", "overturned").row(0) == ("all", 13, 6)
    for dimension in ("Service category", "Drug class", "UR action", "IMR reviewer cited"):
        assert rows.filter(dimension=dimension)["group"].is_duplicated().sum() == 0
    assert rows.filter(dimension="Drug class")["decisions"].sum() == 8
    assert rows.filter(dimension="UR action").select("group", "decisions").sort("group").rows() == [
        ("denied", 11), ("modified", 2)]


def test_compare_the_rest_is_everything_minus_the_filtered(dashboard_con):
    part = run(dashboard_con, "compare_groups", DRUGS_ONLY)
    rest = compare.rest(run(dashboard_con, "compare_groups"), part)
    assert rest.filter(dimension="All decisions").select("decisions", "overturned").row(0) == (5, 3)
    assert rest.filter(dimension="Drug class").is_empty()
    sides = compare.side_by_side(part, rest)
    everything = sides.filter(dimension="All decisions").row(0, named=True)
    assert (everything["decisions_a"], everything["decisions_b"]) == (8, 5)
    assert everything["change"] == pytest.approx(3 / 5 - 3 / 8)


def test_compare_change_overlap_and_verdict():
    first = pl.DataFrame({"dimension": ["All decisions", "UR action"], "group": ["all", "modified"],
                          "decisions": [1000, 10], "overturned": [100, 5]})
    second = pl.DataFrame({"dimension": ["All decisions"], "group": ["all"], "decisions": [1000],
                           "overturned": [300]})
    sides = compare.side_by_side(first, second)
    everything = sides.filter(dimension="All decisions").row(0, named=True)
    assert everything["change"] == pytest.approx(0.2)
    assert everything["intervals_overlap"] is False
    assert compare.verdict(everything) == "up 20.0 points; the intervals do not overlap"
    modified = sides.filter(dimension="UR action").row(0, named=True)
    assert modified["decisions_b"] == 0
    assert compare.verdict(modified) == "not on both sides"
    close = compare.side_by_side(first.head(1), first.head(1).with_columns(overturned=pl.lit(110)))
    assert compare.verdict(close.row(0, named=True)) == "up 1.0 points; the intervals overlap, so this may be chance"


def test_periods_read_as_a_manager_writes_them():
    monthly = pl.DataFrame({"month": [date(2016, 1, 1), date(2016, 2, 1), date(2016, 8, 1), date(2017, 1, 1)],
                            "decisions": [40, 35, 50, 3], "overturned": [10, 5, 20, 1]})
    assert periods.roll_up(monthly, "year")["period_label"].to_list() == ["2016", "2017"]
    by_quarter = periods.roll_up(monthly, "quarter")
    assert by_quarter.select("period_label", "decisions").rows() == [
        ("2016-Q1", 75), ("2016-Q2", 0), ("2016-Q3", 50), ("2016-Q4", 0), ("2017-Q1", 3)]
    # An empty quarter has no rate, and the points after it start a new line segment.
    assert by_quarter["overturn_rate"].to_list()[1] is None
    assert by_quarter["segment"].to_list() == [0, 1, 1, 2, 2]
    assert periods.roll_up(monthly, "month")["period_label"].to_list()[:3] == ["2016-01", "2016-02", "2016-03"]


def test_the_automatic_period_is_the_finest_with_enough_decisions_per_point():
    months = pl.date_range(date(2016, 1, 1), date(2017, 12, 1), "1mo", eager=True)
    busy = pl.DataFrame({"month": months, "decisions": [40] * 24, "overturned": [4] * 24})
    assert periods.finest(busy) == "month"
    assert periods.finest(busy.with_columns(decisions=pl.lit(12))) == "quarter"
    assert periods.finest(busy.with_columns(decisions=pl.lit(2))) == "year"
    # Per group: the points are each class's, not their sum (80 a month would be enough by month).
    two_classes = pl.concat([busy.with_columns(drug_class=pl.lit("Opioids")),
                             busy.with_columns(drug_class=pl.lit("NSAID"), decisions=pl.lit(5, pl.Int64))])
    assert periods.finest(two_classes, ("drug_class",)) == "quarter"
    assert periods.resolve("month", busy.with_columns(decisions=pl.lit(2))) == "month"


def test_overview_categories(dashboard_con):
    expect(overview.categories(run(dashboard_con, "overview_groups")), {
        "service_category": ["Pharmaceuticals", "Diagnostic Testing", "Rehabilitation", "Psych Services",
                             "Evaluation & Management", "DMEPOS"],
        "decisions": [8, 1, 1, 1, 1, 1], "overturned": [3, 0, 1, 1, 1, 0],
    }, ["service_category"])


def test_medications(dashboard_con):
    class_months = run(dashboard_con, "medications_class_months")
    expect(medications.by_class(class_months), {
        "drug_class": ["Opioids", "Anti-epilepsy drugs", "Proton Pump Inhibitors", "Muscle Relaxant",
                       "Topical Analgesics"],
        "decisions": [3, 2, 1, 1, 1], "overturned": [1, 2, 0, 0, 0],
    }, ["drug_class"])
    drug_groups = run(dashboard_con, "medications_drugs")
    top = medications.top_drugs(drug_groups, 2)
    assert top.select("drug_generic", "drug_class", "decisions", "overturned").rows() == [
        ("hydrocodone / acetaminophen", "Opioids", 3, 1), ("gabapentin", "Anti-epilepsy drugs", 2, 2)]
    trend = periods.roll_up(medications.class_trend(class_months), "quarter", ("drug_class",))
    expect(trend.select("drug_class", "period_label", "decisions", "overturned"), {
        "drug_class": ["Opioids", "Opioids", "Anti-epilepsy drugs", "Anti-epilepsy drugs",
                       "Proton Pump Inhibitors", "Proton Pump Inhibitors", "Muscle Relaxant", "Muscle Relaxant",
                       "Topical Analgesics", "Topical Analgesics"],
        "period_label": ["2016-Q4", "2017-Q1"] * 5,
        "decisions": [2, 1, 1, 1, 0, 1, 0, 1, 0, 1], "overturned": [0, 1, 1, 1, 0, 0, 0, 0, 0, 0],
    }, ["drug_class", "period_label"])
    strengths = medications.strengths(drug_groups, 100).filter(pl.col("drug_generic") == "gabapentin")
    assert strengths.select("strength", "decisions", "min_quantity", "median_quantity", "max_quantity").rows() == [
        ("600mg", 2, 90, 135.0, 180)]


def test_guidelines(dashboard_con):
    groups = run(dashboard_con, "guidelines_groups")
    expect(guidelines.sources(groups), {
        "side": ["IMR reviewer"] * 4 + ["claims administrator"] * 4,
        "source": ["MTUS", "ODG", "OTHER", "nothing cited", "MTUS", "ODG", "ACOEM", "nothing cited"],
        "decisions": [11, 2, 1, 1, 9, 2, 1, 1],
        "overturned": [5, 2, 0, 0, 2, 2, 1, 1],
    }, ["side", "source"])
    expect(guidelines.mtus_parts(groups), {
        "mtus_part": ["Chronic Pain", "Low Back", "General Approaches", "Opioids"],
        "decisions": [8, 1, 1, 1], "overturned": [3, 0, 1, 1],
    }, ["mtus_part"])
    expect(guidelines.agreement(groups), {
        "imr_guideline_group": ["MTUS only", "MTUS only", "MTUS only", "MTUS + non-MTUS", "MTUS + non-MTUS",
                                "non-MTUS only", "nothing cited"],
        "ca_guideline_group": ["MTUS only", "nothing cited", "non-MTUS only", "non-MTUS only", "MTUS only",
                               "non-MTUS only", "MTUS only"],
        "decisions": [7, 1, 1, 1, 1, 1, 1],
        "overturned": [2, 1, 1, 1, 0, 1, 0],
        "same_sources": [7, 0, 0, 0, 0, 1, 0],
    }, ["imr_guideline_group", "ca_guideline_group"])


def test_reviewers(dashboard_con):
    groups = run(dashboard_con, "reviewers_groups")
    expect(reviewers.by_specialty(groups), {
        "reviewer_specialty": ["Family Practice", "Internal Medicine", "Orthopedic Surgery", "Psychiatry"],
        "decisions": [6, 4, 2, 1], "overturned": [3, 1, 1, 1],
    }, ["reviewer_specialty"])
    expect(reviewers.by_licence(groups), {
        "reviewer_ca_licence": ["California", "other states only"], "decisions": [10, 3], "overturned": [6, 0],
    }, ["reviewer_ca_licence"])
    cells = reviewers.by_specialty_category(groups)
    assert cells.height == 8
    assert cells["decisions"].sum() == 13
    family_drugs = cells.filter(reviewer_specialty="Family Practice", service_category="Pharmaceuticals")
    assert family_drugs.select("decisions", "overturned").row(0) == (4, 1)


def test_ur_modifications(dashboard_con):
    expect(run(dashboard_con, "ur_actions"), {
        "ur_action": ["denied", "modified"], "decisions": [11, 2], "overturned": [5, 1],
    }, ["ur_action"])
    expect(run(dashboard_con, "ur_modified_by_group"), {
        "request_group": ["Anti-epilepsy drugs", "Opioids"], "decisions": [1, 1], "overturned": [1, 0],
        "with_quantities": [1, 1], "median_share_cut": [0.5, 0.75],
    }, ["request_group"])


def test_letters_list_is_newest_first_and_paged(dashboard_con):
    rows = run(dashboard_con, "letters_list", limit=3, offset=0)
    assert rows.select("case_number", "item_no").rows() == [
        ("CM17-0000108", 1), ("CM17-0000108", 2), ("CM17-0000107", 1)]
    assert run(dashboard_con, "letters_list", limit=3, offset=2).select("case_number", "item_no").rows()[0] == (
        "CM17-0000107", 1)
    assert run(dashboard_con, "letters_list", DRUGS_ONLY, limit=1000, offset=0).height == 8


def test_letter_detail_and_decisions(dashboard_con):
    omeprazole = data.Filters(drugs=("omeprazole",))
    letter_id = run(dashboard_con, "letters_list", omeprazole, limit=10, offset=0)["letter_id"][0]
    letter = run(dashboard_con, "letter_detail", letter_id=letter_id).row(0, named=True)
    assert letter["case_number"] == "CM17-0000105"
    assert letter["reviewer_license_states"] == ["TX"]
    assert "Omeprazole 20mg #60: Upheld" in letter["full_text"]
    items = run(dashboard_con, "letter_decisions", letter_id=letter_id)
    assert items.select("item_no", "treatment", "outcome").rows() == [
        (1, "Omeprazole 20mg #60", "upheld"), (2, "Cyclobenzaprine 7.5mg #60", "upheld")]
    assert items["rationale"][1].startswith("Muscle relaxants are for short courses only")


def test_decisions_export_holds_every_filtered_decision(dashboard_con):
    exported = run(dashboard_con, "decisions_export", data.Filters(outcomes=("overturned",)))
    assert exported.height == 6
    assert set(exported["outcome"]) == {"overturned"}
    assert exported.filter(case_number="CM17-0000106")["share_cut"].item() == pytest.approx(0.5)


def test_data_quality(dashboard_con):
    expect(run(dashboard_con, "quality_files"), {"status": ["loaded", "rejected"], "files": [8, 2]}, ["status"])
    expect(run(dashboard_con, "quality_rejection_reasons"), {
        "reason": ["empty file", "not an IMR determination letter"], "files": [1, 1]}, ["reason"])
    rejected = run(dashboard_con, "quality_rejected")
    assert sorted(p.rsplit("/", 1)[-1] for p in rejected["path"]) == ["empty.txt", "not-a-letter.txt"]
    coverage = run(dashboard_con, "quality_field_coverage")
    found = {(r["level"], r["field"]): (r["found"], r["out_of"]) for r in coverage.iter_rows(named=True)}
    assert found[("letter", "case_number")] == (8, 8)
    assert found[("decision", "drug_generic")] == (8, 8)
    assert found[("decision", "ur_authorized_quantity")] == (2, 2)
    assert found[("decision", "quantity")] == (10, 13)
    runs = run(dashboard_con, "quality_load_runs")
    assert runs.select("files_seen", "files_loaded", "files_rejected").row(0) == (10, 8, 2)


def test_letters_with_warnings_newest_first(tmp_path):
    # The fixture database predates letters.warnings (the storage branch adds it): a table of our own.
    con = duckdb.connect(str(tmp_path / "warnings.duckdb"))
    con.execute("CREATE TABLE letters (letter_id INTEGER, case_number VARCHAR, source_file VARCHAR, "
                "decision_date DATE, run_id INTEGER, warnings VARCHAR[])")
    con.execute("""INSERT INTO letters VALUES
        (1, 'CM1', 'a.pdf', '2016-01-02', 1, ['no decision date found', 'page 3 unreadable']),
        (2, 'CM2', 'b.pdf', '2016-01-03', 1, []),
        (3, 'CM3', 'c.txt', NULL, 2, ['quantity not read'])""")
    rows = data.run_query(con, "quality_warnings", {"limit": 1})
    assert rows.select("case_number", "warning_count", "warnings", "letters_with_warnings").rows() == [
        ("CM3", 1, "quantity not read", 2)]
    rows = data.run_query(con, "quality_warnings", {"limit": 10})
    assert rows["warnings"].to_list() == ["quantity not read", "no decision date found · page 3 unreadable"]
    con.close()


def test_filter_options_come_from_the_data(dashboard_con):
    options = run(dashboard_con, "filter_options")
    assert options.filter(filter="drugs")["value"].to_list()[0] == "hydrocodone / acetaminophen"
    assert set(options.filter(filter="specialties")["value"]) == {
        "Family Practice", "Internal Medicine", "Orthopedic Surgery", "Psychiatry"}


def test_wilson_interval_and_small_groups():
    rates = data.with_rates(pl.DataFrame({"decisions": [100, 10, 0], "overturned": [10, 5, 0]}))
    first = rates.row(0, named=True)
    # 10 of 100: the Wilson 95% interval is 5.52% to 17.4% (worked by hand from the formula).
    assert first["ci_low"] == pytest.approx(0.05522, abs=1e-4)
    assert first["ci_high"] == pytest.approx(0.17437, abs=1e-4)
    assert first["rate_label"] == "10.0% (5.5–17.4%, n=100)"
    assert rates["enough_to_judge"].to_list() == [True, False, False]
    assert rates["rate_label"][1] == "too few to judge (n=10)"


def test_parameters_are_bound_never_pasted(dashboard_con):
    hostile = data.Filters(drugs=("x') OR 1=1 --",))
    assert run(dashboard_con, "overview_totals", hostile)["decisions"].item() == 0
    with pytest.raises(KeyError, match="limit"):
        data.run_query(dashboard_con, "letters_list", NO_FILTERS.params())


def test_the_dashboard_opens_the_database_read_only(dashboard_db, tmp_path):
    con = data.connect(dashboard_db)
    with pytest.raises(duckdb.InvalidInputException, match="read-only"):
        con.execute("DELETE FROM letters")
    con.close()
    with pytest.raises(data.DatabaseMissing, match=r"bash scripts/run\.sh"):
        data.connect(tmp_path / "missing.duckdb")


def test_a_drug_classed_two_ways_shows_the_class_most_of_its_decisions_have():
    drugs = pl.DataFrame({"drug_generic": ["diclofenac", "diclofenac", "diclofenac"],
                          "drug_class": ["NSAID", "Topical Analgesics", None], "strength": ["75mg", "1%", None],
                          "quantity": [60, 100, None], "decisions": [2, 5, 1], "overturned": [1, 1, 0]})
    assert medications.top_drugs(drugs, 10).rows() == [("diclofenac", "Topical Analgesics", 8, 2)]
