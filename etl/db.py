"""The database's shape: create the schema, append to the dashboard's table, open read-only."""

from datetime import date
from pathlib import Path

import duckdb

SCHEMA_SQL = Path(__file__).with_name("schema.sql")
ONE_SORT_LETTERS = 100_000  # up to this many new letters, their decision_facts rows are sorted in one go


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA_SQL.read_text())


def append_decision_facts(con: duckdb.DuckDBPyConnection, first_letter_id: int = 1) -> None:
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


def connect_read_only(path: str | Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)
