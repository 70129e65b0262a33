"""The Parquet export: every table, partitioned by decision year, reads back as it is in the database."""

import duckdb
import polars as pl
import pytest

from etl import export, load
from tests.test_load import write_letters

TABLES = ("letters", "decisions", "citations", "decision_facts", "files")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    db = folder / "imr.duckdb"
    write_letters(folder / "letters", 12)
    (folder / "letters" / "empty.txt").write_bytes(b"")
    assert load.main([str(folder / "letters"), "--db", str(db), "--quiet"]) == 1
    out = folder / "parquet"
    assert export.main(["--parquet", str(out), "--db", str(db), "--quiet"]) == 0
    assert export.main(["--parquet", str(out), "--db", str(db), "--quiet"]) == 0  # again: replaces, never appends
    return db, out


def read_back(out, table: str) -> pl.DataFrame:
    return pl.read_parquet(out / table / "**" / "*.parquet", hive_partitioning=True)


@pytest.mark.parametrize("table", TABLES)
def test_each_table_reads_back_whole(exported, table):
    db, out = exported
    con = duckdb.connect(str(db), read_only=True)
    stored = con.sql(f"SELECT * FROM {table}").pl()
    con.close()
    parquet = read_back(out, table)
    assert parquet.height == stored.height > 0
    keys = [c for c in ("letter_id", "item_no", "side", "cite_no", "path") if c in stored.columns]
    as_text = [pl.col(c).cast(pl.String) for c, t in stored.schema.items() if isinstance(t, pl.Enum | pl.Categorical)]
    expected = stored.with_columns(as_text).sort(keys)
    assert parquet.select(stored.columns).with_columns(as_text).sort(keys).equals(expected)


def test_partitions_are_the_decision_years(exported):
    _, out = exported
    assert sorted(p.name for p in (out / "decisions").iterdir()) == ["decision_year=2016", "decision_year=2017"]
    letters = read_back(out, "letters")
    assert (letters["decision_year"] == letters["decision_date"].dt.year()).all()
    files = read_back(out, "files")
    assert files.filter(pl.col("status") == "rejected")["decision_year"].is_null().all()
    assert pl.read_parquet(out / "load_runs.parquet").height == 1


def test_a_missing_database_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        export.main(["--parquet", str(tmp_path / "out"), "--db", str(tmp_path / "none.duckdb")])
    assert exit_info.value.code == 2
    assert "there is no database at" in capsys.readouterr().err
