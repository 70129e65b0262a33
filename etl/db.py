"""The database's shape: create the schema, materialise the dashboard's table, open read-only."""

from pathlib import Path

import duckdb

SCHEMA_SQL = Path(__file__).with_name("schema.sql")


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA_SQL.read_text())


def build_decision_facts(con: duckdb.DuckDBPyConnection) -> None:
    """Materialise the wide decision-grain table, sorted by decision date so date filters prune."""
    con.execute(
        "CREATE OR REPLACE TABLE decision_facts AS "
        "SELECT * FROM v_decision_facts ORDER BY decision_date, letter_id, item_no"
    )


def connect_read_only(path: str | Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)
