"""The database's shape: create the schema, materialise the dashboard's table, open read-only."""

from datetime import date
from pathlib import Path

import duckdb

SCHEMA_SQL = Path(__file__).with_name("schema.sql")


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA_SQL.read_text())


def build_decision_facts(con: duckdb.DuckDBPyConnection) -> None:
    """Materialise the wide decision-grain table, sorted by decision date so date filters prune.

    It is sorted a year at a time: one sort of the whole wide table would need memory growing
    with the number of letters, beyond what the loader allows DuckDB.
    """
    con.execute("CREATE OR REPLACE TABLE decision_facts AS SELECT * FROM v_decision_facts LIMIT 0")
    years = [year for (year,) in con.execute(
        "SELECT DISTINCT year(decision_date) FROM letters WHERE decision_date IS NOT NULL ORDER BY 1").fetchall()]
    for year in years:
        con.execute(
            "INSERT INTO decision_facts SELECT * FROM v_decision_facts "
            "WHERE decision_date >= $start AND decision_date < $end ORDER BY decision_date, letter_id, item_no",
            {"start": date(year, 1, 1), "end": date(year + 1, 1, 1)},
        )
    con.execute("INSERT INTO decision_facts SELECT * FROM v_decision_facts WHERE decision_date IS NULL "
                "ORDER BY letter_id, item_no")


def connect_read_only(path: str | Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)
