"""The database's shape: create the schema, append to the dashboard's table, open read-only."""

from datetime import date
from pathlib import Path

import duckdb

SCHEMA_SQL = Path(__file__).with_name("schema.sql")
MARTS_HEADING = "-- ---------------------------------------------------------------- marts"
ONE_SORT_LETTERS = 100_000  # up to this many new letters, their decision_facts rows are sorted in one go


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA_SQL.read_text())


def _append_facts(con: duckdb.DuckDBPyConnection, first_letter_id: int) -> None:
    """Add the wide decision-grain rows of the letters numbered from `first_letter_id` on.

    Letters get increasing ids, so those are the letters of the load being written: older row
    groups hold only smaller ids and DuckDB's zone maps skip them. Rows go in sorted by decision
    date; a big load a year at a time, as one sort of it would need memory growing with it
    (a small one in one statement: each statement costs a fixed half second or so).
    """
    new = {"first": first_letter_id}
    [(letters,)] = con.execute("SELECT count(*) FROM letters WHERE letter_id >= $first", new).fetchall()
    if letters <= ONE_SORT_LETTERS:
        con.execute("INSERT INTO decision_facts SELECT * FROM v_decision_facts WHERE letter_id >= $first "
                    "ORDER BY decision_date NULLS LAST, letter_id, item_no", new)
        return
    years = [year for (year,) in con.execute(
        "SELECT DISTINCT year(decision_date) FROM letters WHERE letter_id >= $first AND decision_date IS NOT NULL "
        "ORDER BY 1", new).fetchall()]
    for year in years:
        con.execute(
            "INSERT INTO decision_facts SELECT * FROM v_decision_facts WHERE letter_id >= $first "
            "AND decision_date >= $start AND decision_date < $end ORDER BY decision_date, letter_id, item_no",
            new | {"start": date(year, 1, 1), "end": date(year + 1, 1, 1)},
        )
    con.execute("INSERT INTO decision_facts SELECT * FROM v_decision_facts WHERE letter_id >= $first "
                "AND decision_date IS NULL ORDER BY letter_id, item_no", new)


def append_decision_facts(con: duckdb.DuckDBPyConnection, first_letter_id: int = 1) -> None:
    """Add the decision_facts rows of the letters numbered from `first_letter_id` on (see _append_facts),
    and their counts to the marts, in the caller's transaction."""
    _append_facts(con, first_letter_id)
    append_marts(con, first_letter_id)


# The marts merged on their keys (their size is bounded by the keys' values, not by the letters): each
# one's keys, its measures with how an old and a new value combine, and its rows for the letters numbered
# from $first on. mart_field_counts gets one row per load instead.
_COUNTS = {"decisions": "sum", "overturned": "sum"}
_DECISION_COUNTS = "count(*) AS decisions, CAST(sum(overturned) AS BIGINT) AS overturned"
# The Reasons page's groups, as queries/reasons_breakdowns.sql forms them.
_REASON_DIMENSION = """
    CASE grouping(service_category, drug_class, reviewer_specialty, decision_year)
        WHEN 15 THEN 'all' WHEN 7 THEN 'service_category' WHEN 11 THEN 'drug_class'
        WHEN 13 THEN 'reviewer_specialty' ELSE 'decision_year' END AS dimension,
    coalesce(service_category, drug_class, reviewer_specialty, decision_year, 'all') AS group_name"""
_REASON_GROUPS = """NOT (grouping(drug_class) = 0 AND drug_class IS NULL)
    AND NOT (grouping(decision_year) = 0 AND decision_year IS NULL)"""
MERGED_MARTS: dict[str, tuple[tuple[str, ...], dict[str, str], str]] = {
    "mart_letter_days": (
        ("decision_month", "priority", "days_from_application", "days_from_assignment"), {"letters": "sum"}, """
        SELECT decision_month, priority, days_from_application, days_from_assignment, count(*) AS letters
        FROM (
            -- letters, not decisions: a letter's fields are the same on each of its decisions
            SELECT letter_id, any_value(decision_month) AS decision_month, any_value(priority) AS priority,
                   any_value(days_from_application) AS days_from_application,
                   any_value(days_to_decision) AS days_from_assignment
            FROM decision_facts WHERE letter_id >= $first GROUP BY letter_id)
        GROUP BY ALL"""),
    "mart_decision_months": (
        ("decision_month", "service_category", "drug_class"),
        _COUNTS | {"first_decision": "least", "last_decision": "greatest"}, f"""
        SELECT decision_month, service_category, drug_class, {_DECISION_COUNTS},
               min(decision_date) AS first_decision, max(decision_date) AS last_decision
        FROM decision_facts WHERE letter_id >= $first GROUP BY ALL"""),
    "mart_drug_quantities": (
        ("drug_generic", "drug_class", "strength", "quantity"), _COUNTS, f"""
        SELECT drug_generic, drug_class, strength, quantity, {_DECISION_COUNTS}
        FROM decision_facts WHERE letter_id >= $first AND drug_generic IS NOT NULL GROUP BY ALL"""),
    "mart_guideline_groups": (
        ("imr_source_key", "ca_source_key", "imr_guideline_group", "ca_guideline_group", "imr_mtus_chapter",
         "same_sources_as_ca"), _COUNTS, f"""
        SELECT imr_source_key, ca_source_key, imr_guideline_group, ca_guideline_group, imr_mtus_chapter,
               same_sources_as_ca, {_DECISION_COUNTS}
        FROM decision_facts WHERE letter_id >= $first GROUP BY ALL"""),
    "mart_reviewer_groups": (
        ("reviewer_specialty", "service_category", "reviewer_ca_licence"), _COUNTS, f"""
        SELECT reviewer_specialty, service_category, reviewer_ca_licence, {_DECISION_COUNTS}
        FROM decision_facts WHERE letter_id >= $first GROUP BY ALL"""),
    "mart_reason_counts": (("dimension", "group_name", "code"), {"decisions": "sum"}, f"""
        WITH upheld AS MATERIALIZED (
            SELECT CAST(service_category AS VARCHAR) AS service_category, drug_class, reviewer_specialty,
                   CAST(decision_year AS VARCHAR) AS decision_year, reason_codes
            FROM decision_facts WHERE letter_id >= $first AND outcome = 'upheld' AND len(reason_codes) > 0
        )
        SELECT {_REASON_DIMENSION}, NULL AS code, count(*) AS decisions
        FROM upheld
        GROUP BY GROUPING SETS ((), (service_category), (drug_class), (reviewer_specialty), (decision_year))
        HAVING {_REASON_GROUPS}
        UNION ALL
        SELECT {_REASON_DIMENSION}, code, count(*)
        FROM (SELECT * EXCLUDE (reason_codes), unnest(reason_codes) AS code FROM upheld)
        GROUP BY GROUPING SETS ((code), (service_category, code), (drug_class, code), (reviewer_specialty, code),
                                (decision_year, code))
        HAVING {_REASON_GROUPS}"""),
    "mart_reason_sets": (("reason_codes",), {"decisions": "sum"}, """
        SELECT reason_codes, count(*) AS decisions
        FROM decision_facts WHERE letter_id >= $first AND outcome = 'upheld' GROUP BY reason_codes"""),
}


FIELD_COUNTS_ROWS = """
    SELECT $first AS first_letter_id, l.*, d.*, t.*
    FROM (SELECT count(*) AS letters, count(case_number) AS case_number, count(decision_date) AS decision_date,
                 count(date_assigned) AS date_assigned, count(date_of_injury) AS date_of_injury,
                 count(ur_denial_date) AS ur_denial_date, count(application_received) AS application_received,
                 count(priority) AS priority,
                 count(*) FILTER (WHERE len(reviewer_license_states) > 0) AS reviewer_license_states,
                 count(*) FILTER (WHERE len(reviewer_specialties) > 0) AS reviewer_specialties,
                 count(patient_age) AS patient_age, count(patient_sex) AS patient_sex
          FROM letters WHERE letter_id >= $first) l,
         (SELECT count(*) AS decisions, count(service_subcategory) AS service_subcategory,
                 count(drug_generic) FILTER (WHERE service_category = 'Pharmaceuticals') AS drug_generic,
                 count(strength) FILTER (WHERE service_category = 'Pharmaceuticals') AS strength,
                 count(quantity) AS quantity,
                 count(ur_authorized_quantity) FILTER (WHERE ur_action = 'modified') AS ur_authorized_quantity,
                 count(*) FILTER (WHERE service_category = 'Pharmaceuticals') AS drugs,
                 count(*) FILTER (WHERE ur_action = 'modified') AS modified
          FROM decisions WHERE letter_id >= $first) d,
         (SELECT count(ca_guideline_text) AS ca_guideline_text, count(imr_guideline_text) AS imr_guideline_text
          FROM decision_texts WHERE letter_id >= $first) t"""


def append_marts(con: duckdb.DuckDBPyConnection, first_letter_id: int = 1) -> None:
    """Add the letters numbered from `first_letter_id` on to the marts (etl/schema.sql), in the caller's
    transaction. A database made before the marts gets them now, filled from every letter; from 1 on,
    the marts are filled afresh (a new file, or decision_facts rebuilt)."""
    existing = {name for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND starts_with(table_name, 'mart_')").fetchall()}
    if existing != set(MARTS):
        con.execute(SCHEMA_SQL.read_text().split(MARTS_HEADING, 1)[1])
        first_letter_id = 1
    if first_letter_id <= 1:
        for table in MARTS:
            con.execute(f"DELETE FROM {table}")  # table names from MARTS, never from input
    new = {"first": first_letter_id}
    combine = {"sum": "m.{0} + n.{0}", "least": "least(m.{0}, n.{0})", "greatest": "greatest(m.{0}, n.{0})"}
    for table, (keys, measures, rows) in MERGED_MARTS.items():
        matched = " AND ".join(f"m.{key} IS NOT DISTINCT FROM n.{key}" for key in keys)
        updates = ", ".join(f"{name} = {combine[how].format(name)}" for name, how in measures.items())
        con.execute(f"MERGE INTO {table} m USING ({rows}) n ON {matched} "
                    f"WHEN MATCHED THEN UPDATE SET {updates} WHEN NOT MATCHED THEN INSERT BY NAME", new)
    con.execute(f"INSERT INTO mart_field_counts BY NAME {FIELD_COUNTS_ROWS}", new)


MARTS = (*MERGED_MARTS, "mart_field_counts")


def connect_read_only(path: str | Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)
