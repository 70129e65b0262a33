"""The marts (etl/schema.sql) give exactly the rows the row-level questions give, after a first load, after an
incremental one, and for a database made before the marts existed.

The letters come from the sample generator (etl/sample), two batches of distinct case numbers: they mix
standard and expedited reviews, missing dates and many months, which the dashboard's fixture letters do not.
"""

import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dashboard import data
from dashboard import reasons as rs
from etl import load as loader
from etl.db import MARTS, MERGED_MARTS, append_marts

PERIODS = ("month", "quarter", "year")
# The codes the Reasons summary counts as a gap in the records (reason_labels.csv's, and others).
GAP_CODES = (rs.records_gap_codes(), ["criteria_not_met", "other"], ["not_recommended"])
LIMITS = ({"standard_days": 30, "expedited_days": 3}, {"standard_days": 14, "expedited_days": 10})


def generate(folder: Path, letters: int, seed: int) -> Path:
    subprocess.run([sys.executable, "-m", "etl.sample", "--letters", str(letters), "--seed", str(seed),
                    "--out", str(folder), "--jobs", "1"], cwd=data.PROJECT_DIR, check=True, capture_output=True)
    return folder


def load(db: Path, folder: Path) -> None:
    assert loader.main([str(folder), "--db", str(db), "--quiet", "--workers", "1"]) in (0, 1)


@pytest.fixture(scope="module")
def batches(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("marts")
    # Seeds 2026 and 2028 give case numbers apart (bench/refresh_bench.py new_letters_seed).
    return generate(root / "first", 120, 2026), generate(root / "second", 80, 2028)


def assert_marts_answer_as_the_rows(db: Path) -> None:
    """Every question a mart answers, under every value of its other parameters the pages use."""
    con = data.connect(db)
    try:
        for name in data.MART_QUERIES:
            for period, gap_codes in zip(PERIODS, GAP_CODES, strict=True):
                for limits in LIMITS:
                    for limit in (3, 25, 100):
                        params = data.Filters().params() | limits | {"period": period, "limit": limit,
                                                                      "records_gap_codes": gap_codes}
                        from_mart = data.run_query(con, name, params)
                        from_rows = data.run_query(con, name, params, marts=False)
                        assert from_rows.height > 0, name
                        if name == "timeliness_by_period":
                            # Counts exactly; a median or 90th percentile to the last bit of the double
                            # (DuckDB fuses a multiply-add in quantile_cont).
                            assert_frame_equal(from_mart, from_rows, check_exact=False, rel_tol=1e-12, abs_tol=0)
                        else:
                            assert_frame_equal(from_mart, from_rows, check_exact=True)
    finally:
        con.close()


def mart_rows(db: Path) -> dict[str, pl.DataFrame]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {table: con.sql(f"SELECT * EXCLUDE (first_letter_id) FROM {table}" if table == "mart_field_counts"
                               else f"SELECT * FROM {table}").pl() for table in MARTS}
    finally:
        con.close()


def test_marts_answer_as_the_rows_after_a_first_and_an_incremental_load(tmp_path, batches):
    db = tmp_path / "imr.duckdb"
    load(db, batches[0])
    assert_marts_answer_as_the_rows(db)
    load(db, batches[1])
    assert_marts_answer_as_the_rows(db)
    # Maintained load by load, the marts hold what one pass over every letter gives.
    incremental = mart_rows(db)
    con = duckdb.connect(str(db))
    con.execute("BEGIN")
    append_marts(con, 1)
    con.execute("COMMIT")
    con.close()
    rebuilt = mart_rows(db)
    for table, (keys, _, _) in MERGED_MARTS.items():
        assert_frame_equal(incremental[table].sort(keys, nulls_last=True), rebuilt[table].sort(keys, nulls_last=True))
        assert incremental[table].select(keys).is_duplicated().sum() == 0, table  # merged, not appended
    assert_frame_equal(incremental["mart_field_counts"].sum(), rebuilt["mart_field_counts"].sum())


def test_filtered_views_read_the_rows(tmp_path, batches):
    db = tmp_path / "imr.duckdb"
    load(db, batches[0])
    con = data.connect(db)
    try:
        narrow = data.Filters(priorities=("expedited",)).params() | LIMITS[0] | {"period": "year"}
        rows = data.run_query(con, "timeliness_by_period", narrow, marts=False)
        assert_frame_equal(data.run_query(con, "timeliness_by_period", narrow), rows)
        assert rows.filter(pl.col("priority") == "standard").height == 0
    finally:
        con.close()


def test_a_database_made_before_the_marts_works_and_gets_them_at_its_next_load(tmp_path, batches):
    db = tmp_path / "imr.duckdb"
    load(db, batches[0])
    con = duckdb.connect(str(db))
    for table in MARTS:
        con.execute(f"DROP TABLE {table}")
    con.close()
    # Without them, the dashboard reads the rows.
    reader = data.connect(db)
    try:
        params = data.Filters().params() | LIMITS[0] | {"period": "month"}
        assert data.run_query(reader, "timeliness_by_period", params).height > 1
        assert data.run_query(reader, "quality_field_coverage").height > 1
        assert data.run_query(reader, "overview_totals", data.Filters().params())["decisions"].item() > 0
    finally:
        reader.close()
    load(db, batches[1])
    assert set(mart_rows(db)) == set(MARTS)
    assert_marts_answer_as_the_rows(db)


def test_questions_reading_no_filter_read_their_mart_whatever_the_filters(tmp_path, batches, monkeypatch):
    db = tmp_path / "imr.duckdb"
    load(db, batches[0])
    read = []
    query_text = data.query_text
    monkeypatch.setattr(data, "query_text", lambda name: read.append(name) or query_text(name))
    con = data.connect(db)
    try:
        filtered = data.Filters(sexes=("female",)).params() | LIMITS[0] | {"period": "year"}
        data.run_query(con, "quality_field_coverage", filtered)  # the Data quality page passes the filters along
        data.run_query(con, "timeliness_by_period", filtered)
    finally:
        con.close()
    assert read == ["marts/quality_field_coverage", "timeliness_by_period"]
