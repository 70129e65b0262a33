"""Write the database's tables as Parquet, partitioned by decision year, for engines beyond one machine.

    python -m etl.export --parquet DIR [--db data/imr.duckdb]

DIR/<table>/decision_year=<year>/*.parquet (Hive style), readable by Spark, Trino, DuckDB or
polars. Rows with no decision date, and files that loaded no letter, go to decision_year=NULL.
load_runs, the loader's log, has no decision year: it is one file, DIR/load_runs.parquet.
"""

import argparse
import sys
import time
from pathlib import Path

import duckdb

from etl.db import connect_read_only
from etl.load import DEFAULT_DB

PARTITION = "decision_year"
PARTITIONED_EXPORTS = {
    "letters": "SELECT *, year(decision_date) AS decision_year FROM letters",
    "letter_texts": "SELECT t.*, year(l.decision_date) AS decision_year "
                    "FROM letter_texts t JOIN letters l USING (letter_id)",
    "decisions": "SELECT d.*, year(l.decision_date) AS decision_year "
                 "FROM decisions d JOIN letters l USING (letter_id)",
    "decision_texts": "SELECT t.*, year(l.decision_date) AS decision_year "
                      "FROM decision_texts t JOIN letters l USING (letter_id)",
    "citations": "SELECT c.*, year(l.decision_date) AS decision_year "
                 "FROM citations c JOIN letters l USING (letter_id)",
    "decision_reasons": "SELECT r.*, year(l.decision_date) AS decision_year "
                        "FROM decision_reasons r JOIN letters l USING (letter_id)",
    "reparse_failures": "SELECT f.*, year(l.decision_date) AS decision_year "
                        "FROM reparse_failures f JOIN letters l USING (letter_id)",
    "decision_facts": "SELECT * FROM decision_facts",
    "files": "SELECT f.*, year(l.decision_date) AS decision_year "
             "FROM files f LEFT JOIN letters l ON f.status = 'loaded' AND l.sha256 = f.sha256",
}


def export_parquet(db: Path, out: Path, quiet: bool = False) -> dict[str, int]:
    """Write every table under `out`; returns the rows written per table."""
    out.mkdir(parents=True, exist_ok=True)
    con = connect_read_only(db)
    written = {}
    try:
        for table, query in PARTITIONED_EXPORTS.items():
            started = time.monotonic()
            con.sql(query).write_parquet(str(out / table), partition_by=[PARTITION], overwrite=True)
            [(written[table],)] = con.execute(f"SELECT count(*) FROM {table}").fetchall()
            if not quiet:
                print(f"{table}: {written[table]:,} rows in {time.monotonic() - started:.1f} s", file=sys.stderr)
        con.sql("SELECT * FROM load_runs ORDER BY run_id").write_parquet(str(out / "load_runs.parquet"))
        [(written["load_runs"],)] = con.execute("SELECT count(*) FROM load_runs").fetchall()
    finally:
        con.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl.export", description=__doc__.split("\n\n")[0])
    parser.add_argument("--parquet", type=Path, required=True, metavar="DIR", help="folder to write the tables to")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"the database file (default {DEFAULT_DB})")
    parser.add_argument("--quiet", action="store_true", help="no per-table lines or summary")
    args = parser.parse_args(argv)
    if not args.db.is_file():
        parser.error(f"there is no database at {args.db}; load letters first with python -m etl.load")
    try:
        written = export_parquet(args.db, args.parquet, args.quiet)
    except (duckdb.Error, OSError) as exc:
        print(f"The export to {args.parquet} failed: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        print(f"Wrote {len(written)} tables as Parquet under {args.parquet}, partitioned by {PARTITION}.",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
