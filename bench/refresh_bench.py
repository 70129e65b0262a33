"""What a refresh costs: 1,000 new letters into an empty database and into big ones, and a re-parse.

    .venv/bin/python bench/refresh_bench.py --sizes 200000 1000000 --keep /work/bench/refresh

For each size, builds an archive of that many generated letters through the loader's write path
(bench/build_bench_db.py: truth records, no parsing) and its search index (kept under --keep and
reused), copies both, then times, each as its own process with the peak memory of its whole process tree (loader and
workers; RSS summed, and PSS, which shares out pages the processes have in common):

1. `etl.load NEW` of 1,000 newly generated letter files into an empty database, and into the copy
   of each archive (issue 9's goal: into 1,000,000 letters at most 3 times the empty case);
2. a full re-parse of every stored letter after a parser-version change, from the stored text
   (goal: 1,000,000 letters in under 20 minutes, no letter lost);
3. memory: every peak under 1 GB.

The new letters come from a generator seed whose case numbers cannot repeat an archive's.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load_bench import tree_memory  # noqa: E402  (the project root is on the path only from here on)

ARCHIVE_SEED = 2026
CASE_NUMBERS = 10_000_000  # etl/sample/letter.py: index * 7919 + seed * 104729 + 1, modulo this
SAMPLE_SECONDS = 0.1
GIB = 2**30
# A parser-version change, as the loader sees one, without changing the parser's code.
REPARSE = ("import sys, etl.load as load; load.PARSER_VERSION += '+bench'; "
           "sys.exit(load.main(sys.argv[1:]))")


def new_letters_seed(archive_letters: int, new: int) -> int:
    """A seed whose first `new` case numbers fall outside the archive's: letter i of seed s has number
    i*7919 + s*104729 + 1, so a seed shifts the numbers by a multiple of 104729, modulo 10,000,000."""
    inverse = pow(7919, -1, CASE_NUMBERS)
    for seed in range(ARCHIVE_SEED + 1, ARCHIVE_SEED + 10_000):
        shift = (seed - ARCHIVE_SEED) * 104729 * inverse % CASE_NUMBERS
        if archive_letters <= shift <= CASE_NUMBERS - new:
            return seed
    raise SystemExit("no seed keeps the new case numbers apart from the archive's")


def measured(command: list[str], label: str, ok_codes: tuple[int, ...] = (0, 1)) -> dict:
    # etl.load exits 1 when some files were rejected; anything else must exit 0.
    """Run a command, sampling its process tree's memory; its time, peak RSS and PSS."""
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak_rss = peak_pss = 0
    while process.poll() is None:
        rss, pss = tree_memory(process.pid)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(SAMPLE_SECONDS)
    seconds = time.monotonic() - started
    err = process.stderr.read()
    process.stderr.close()
    if process.returncode not in ok_codes:
        sys.exit(f"{label} failed (exit {process.returncode}):\n{err[-5000:]}")
    result = {"label": label, "seconds": seconds, "rss": peak_rss, "pss": peak_pss}
    print(f"{label}: {seconds:,.1f} s, peak memory RSS {peak_rss / GIB:.2f} GB, PSS {peak_pss / GIB:.2f} GB",
          flush=True)
    return result


def last_run(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        run = con.sql("SELECT * FROM load_runs ORDER BY run_id DESC LIMIT 1").pl().row(0, named=True)
        [(letters,)] = con.execute("SELECT count(*) FROM letters").fetchall()
    finally:
        con.close()
    return run | {"letters": letters}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200_000, 1_000_000], help="archive sizes")
    parser.add_argument("--new", type=int, default=1000, help="letters in the refresh")
    parser.add_argument("--keep", type=Path, help="keep the archives (and new letters) here and reuse them")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-reparse", action="store_true", help="skip the re-parse")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="refresh-bench-") as scratch:
        keep = args.keep or Path(scratch)
        keep.mkdir(parents=True, exist_ok=True)
        work = Path(scratch)
        new_seed = new_letters_seed(max(args.sizes), args.new)
        new = keep / f"new-{args.new}-seed{new_seed}"
        if not new.is_dir():
            subprocess.run([sys.executable, "-m", "etl.sample", "--letters", str(args.new), "--seed", str(new_seed),
                            "--out", str(new), "--jobs", "2"], cwd=ROOT, check=True, capture_output=True)
        load = [sys.executable, "-m", "etl.load", str(new), "--workers", str(args.workers), "--quiet", "--db"]

        empty = measured([*load, str(work / "empty.duckdb")], f"{args.new:,} new letters into an empty database")
        print(f"  {last_run(work / 'empty.duckdb')}", flush=True)
        results = {}
        for size in args.sizes:
            archive = keep / f"archive-{size}.duckdb"
            if not archive.exists():
                measured([sys.executable, "bench/build_bench_db.py", "--letters", str(size), "--seed",
                          str(ARCHIVE_SEED), "--db", str(archive)], f"build the {size:,}-letter archive", (0,))
            archive_index = archive.with_name(f"{archive.stem}.search")
            if not archive_index.exists():  # a user's archive has its index: the refresh only adds to it
                measured([sys.executable, "-m", "etl.search", "--db", str(archive)],
                         f"index the {size:,}-letter archive for search", (0,))
            db = work / f"archive-{size}.duckdb"
            shutil.copyfile(archive, db)
            shutil.copytree(archive_index, db.with_name(f"{db.stem}.search"))
            before = last_run(db)["letters"]
            results[size] = measured([*load, str(db)], f"{args.new:,} new letters into {size:,} letters")
            after = last_run(db)
            print(f"  loaded {after['files_loaded']:,}, duplicates {after['files_duplicate']:,}, rejected "
                  f"{after['files_rejected']:,}; letters {before:,} -> {after['letters']:,}; "
                  f"{results[size]['seconds'] / empty['seconds']:.2f}x the empty database (goal <= 3)", flush=True)
            if not args.no_reparse:
                measured([sys.executable, "-c", REPARSE, "--reparse", "--db", str(db), "--quiet",
                          "--workers", str(args.workers)], f"re-parse of the {after['letters']:,} stored letters")
                reparsed = last_run(db)
                print(f"  re-parsed {reparsed['letters_reparsed']:,}, kept their old record "
                      f"{reparsed['reparse_failures']:,}; letters {after['letters']:,} -> {reparsed['letters']:,} "
                      f"({'none lost' if reparsed['letters'] == after['letters'] else 'LETTERS LOST'})", flush=True)
            db.unlink()
            shutil.rmtree(db.with_name(f"{db.stem}.search"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
