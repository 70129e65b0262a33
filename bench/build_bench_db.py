"""Build a database of N generated letters for the dashboard benchmark, from the generator's records.

    .venv/bin/python bench/build_bench_db.py --letters 1000000 --db /tmp/imr-1m.duckdb

Parsing speed is what bench/load_bench.py measures; here each letter's truth record (the record
the parser gives back for it, see bench/roundtrip_bench.py) goes straight into the loader's own
write stage (etl.load._write_rows into a new file, as a first load does), so a 1,000,000-letter
database takes minutes instead of an hour of parsing.
"""

import argparse
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from etl.load import (
    PARSED_SCHEMAS,
    FileLog,
    FileResult,
    RunCounts,
    RunRow,
    _write_new_file,
    _write_rows,
    record_rows,
)
from etl.sample import iter_letters

CHUNK_LETTERS = 1_000


def _write_chunk(rows: dict[str, list[tuple]], parsed_dir: Path, chunk_no: int) -> None:
    for table, table_rows in rows.items():
        frame = pl.DataFrame(table_rows, schema=PARSED_SCHEMAS[table], orient="row")
        frame.write_parquet(parsed_dir / f"{chunk_no:08d}.{table}.parquet", compression="lz4")
        table_rows.clear()


def build(letters: int, seed: int, db: Path, jobs: int) -> None:
    started_at, started = datetime.now(), time.monotonic()
    db.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(dir=db.parent) as parsed:
        parsed_dir = Path(parsed)
        counts = RunCounts()
        file_log = FileLog(parsed_dir, run_id=1)
        rows: dict[str, list[tuple]] = {table: [] for table in PARSED_SCHEMAS}
        chunk_no = 0
        for letter in iter_letters(letters, seed, 0.0, jobs):
            record = letter.record
            counts.seen += 1
            if record.get("error"):
                result = FileResult(letter.file_name, record["sha256"], "rejected", record["error"])
                counts.count_rejection(letter.file_name, record["error"])
                file_log.add(result, datetime.now(), "rejected", record["error"])
                continue
            letter_rows = record_rows(record, letter.text or "", record["sha256"], letter.file_name)
            rows["letters"].append(letter_rows.letter)
            rows["decisions"] += letter_rows.decisions
            rows["citations"] += letter_rows.citations
            rows["decision_reasons"] += letter_rows.reasons
            counts.loaded += 1
            result = FileResult(letter.file_name, record["sha256"], "parsed", case_number=record.get("case_number"))
            file_log.add(result, datetime.now(), "loaded", letter_id=counts.loaded)
            if len(rows["letters"]) >= CHUNK_LETTERS:
                _write_chunk(rows, parsed_dir, chunk_no)
                chunk_no += 1
                if chunk_no % 20 == 0:
                    elapsed = time.monotonic() - started
                    print(f"{counts.seen:,}/{letters:,} letters ({counts.seen / elapsed:,.0f}/s)", file=sys.stderr)
        if rows["letters"]:
            _write_chunk(rows, parsed_dir, chunk_no)
        file_log.flush()
        run = RunRow(1, started_at, [Path(f"generated:{letters}:{seed}")], counts, False)
        _write_new_file(db, False, lambda con: _write_rows(con, parsed_dir, run, 1, show_progress=True))
    print(f"{counts.loaded:,} letters loaded, {counts.rejected:,} rejected, into {db} "
          f"in {time.monotonic() - started:,.0f}s ({db.stat().st_size / 2**30:.1f} GiB)", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--db", type=Path, default=Path("/tmp/imr-bench.duckdb"))
    parser.add_argument("--jobs", type=int, default=2, help="generator processes")
    args = parser.parse_args()
    build(args.letters, args.seed, args.db.absolute(), args.jobs)


if __name__ == "__main__":
    main()
