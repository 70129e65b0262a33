"""etl/schema.sql against etl/vocab.py, and the columns the dashboard is written against."""

import duckdb
import pytest

from etl import vocab
from etl.db import append_decision_facts, create_schema
from etl.load import FILE_STATUSES

ENUMS = {
    "outcome_t": vocab.OUTCOMES,
    "ur_action_t": vocab.UR_ACTIONS,
    "priority_t": vocab.PRIORITIES,
    "sex_t": vocab.SEXES,
    "citation_source_t": vocab.CITATION_SOURCES,
    "citation_side_t": vocab.CITATION_SIDES,
    "file_status_t": FILE_STATUSES,
    "service_category_t": vocab.SERVICE_CATEGORIES,
    "service_subcategory_t": vocab.SUBCATEGORIES,
    "mtus_chapter_t": vocab.MTUS_CHAPTERS,
    "reason_code_t": vocab.REASON_CODES,
}

# Columns the dashboard reads: they may gain company, never lose a member.
DASHBOARD_COLUMNS = {
    "decision_facts": (
        "letter_id", "case_number", "item_no", "decision_date", "decision_month", "decision_year",
        "date_assigned", "days_to_decision", "priority", "layout", "patient_age", "age_band", "patient_sex",
        "reviewer_specialty", "reviewer_specialties", "reviewer_license_states", "reviewer_ca_licence",
        "treatment", "outcome", "overturned", "service_category", "service_subcategory", "drug_class",
        "drug_generic", "strength", "quantity", "ur_action", "ur_authorized", "ur_authorized_quantity",
        "share_cut", "imr_sources", "imr_mtus_chapter", "imr_guideline_group", "ca_sources", "ca_mtus_chapter",
        "ca_guideline_group", "same_sources_as_ca",
        # the contract's additions (the filters and reasons branches read these)
        "reason_codes", "letter_outcome", "application_received", "days_from_application", "warning_count",
        "classified_by"),
    "letters": ("warnings",),
    "decisions": ("classified_by",),
    "decision_reasons": ("letter_id", "item_no", "code", "evidence"),
    "v_rejected_files": ("path", "sha256", "reason", "rejected_at", "run_id"),
    "load_runs": ("run_id", "started_at", "finished_at", "parser_version", "sources", "files_seen",
                  "files_loaded", "files_skipped", "files_duplicate", "files_rejected"),
    "v_letters": ("letter_id", "case_number", "source_file", "layout", "decision_date", "decision_month",
                  "decision_year", "patient_sex", "reviewer_specialty", "reviewer_ca_licence"),
}


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    create_schema(connection)
    append_decision_facts(connection)
    yield connection
    connection.close()


@pytest.mark.parametrize("enum_type", sorted(ENUMS))
def test_enum_values_are_the_vocabulary_in_order(con, enum_type):
    # The type name is an identifier, not a value: it cannot travel as a parameter.
    [(values,)] = con.execute(f"SELECT enum_range(NULL::{enum_type})").fetchall()
    assert tuple(values) == tuple(ENUMS[enum_type])


def test_every_enum_in_the_schema_is_checked(con):
    declared = {name for (name,) in con.execute(
        "SELECT DISTINCT type_name FROM duckdb_types() WHERE logical_type = 'ENUM' AND NOT internal").fetchall()}
    assert declared == set(ENUMS)


@pytest.mark.parametrize("relation", sorted(DASHBOARD_COLUMNS))
def test_the_dashboards_columns_are_all_there(con, relation):
    columns = {name for (name,) in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = $name", {"name": relation}).fetchall()}
    if not columns:  # a view
        columns = {row[0] for row in con.execute(f"DESCRIBE {relation}").fetchall()}
    assert set(DASHBOARD_COLUMNS[relation]) <= columns


def test_decision_facts_derive_the_letter_outcome_reasons_and_dates(con):
    """The contract's derived columns, from rows written by hand (the loader's own tests load letters)."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("""
            INSERT INTO letters (letter_id, case_number, sha256, source_file, layout, date_assigned, decision_date,
                                 application_received, reviewer_license_states, reviewer_specialties, warnings, run_id)
            VALUES (1, 'CM1', 'a', 'a.txt', 'x', DATE '2020-01-05', DATE '2020-01-20', DATE '2020-01-01', [], [],
                    ['one', 'two'], 1),
                   (2, 'CM2', 'b', 'b.txt', 'x', NULL, DATE '2020-02-01', NULL, [], [], [], 1),
                   (3, 'CM3', 'c', 'c.txt', 'x', NULL, DATE '2020-03-01', NULL, [], [], [], 1)""")
        con.execute("""
            INSERT INTO decisions (letter_id, item_no, treatment, outcome, service_category, ur_action, classified_by)
            VALUES (1, 1, 't', 'upheld', 'Other', 'denied', 'service_rules.csv: line 3'),
                   (1, 2, 't', 'overturned', 'Other', 'denied', NULL),
                   (2, 1, 't', 'overturned', 'Other', 'denied', NULL),
                   (3, 1, 't', 'upheld', 'Other', 'denied', NULL)""")
        con.execute("""INSERT INTO decision_reasons VALUES (1, 1, 'not_recommended', 'not recommended'),
                       (1, 1, 'duration_exceeded', NULL), (1, 2, 'criteria_met', NULL)""")
        append_decision_facts(con, 1)
        rows = con.execute("""
            SELECT letter_id, item_no, letter_outcome, reason_codes, days_from_application, days_to_decision,
                   warning_count, classified_by
            FROM decision_facts ORDER BY letter_id, item_no""").fetchall()
    finally:
        con.execute("ROLLBACK")
    assert rows == [
        (1, 1, "partially overturned", ["not_recommended", "duration_exceeded"], 19, 15, 2,
         "service_rules.csv: line 3"),
        (1, 2, "partially overturned", ["criteria_met"], 19, 15, 2, None),
        (2, 1, "overturned", [], None, None, 0, None),
        (3, 1, "upheld", [], None, None, 0, None),
    ]
