"""Benchmark the loader end to end: generate N letters, load them with 1 and 2 workers, load again.

    .venv/bin/python bench/load_bench.py --letters 2000
    .venv/bin/python bench/load_bench.py --letters 20000 --corpus /tmp/imr-20k     # the speed-up goal
    .venv/bin/python bench/load_bench.py --letters 200000 --corpus /tmp/imr-200k --workers 2   # flat memory

Prints, per load: letters/s, the share of work in each stage (extract and parse summed over
the workers, write in the loader), and the peak memory of the loader's whole process tree,
sampled every 0.1 s: RSS summed over the processes (counts pages the forked workers share with
the loader more than once) and PSS (shares them out: the memory really used). Then the speed-up
of 2 workers over 1 and the time of a second load of the same folder, which should skip everything.

Goals (../shared issue 4): 2 workers >= 1.7x 1 worker on >= 20,000 letters; peak memory under
1.5 GB, not growing with N (compare 20,000 with 200,000); the second run a small fraction of the first.
"""

import argparse
import contextlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_SECONDS = 0.1


def process_tree(pid: int) -> list[int]:
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):  # the thread or process ended while we looked
                todo += [int(child) for child in (task / "children").read_text().split()]
    return tree


def tree_memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes summed over the process and its descendants."""
    rss = pss = 0
    for member in process_tree(pid):
        try:
            rollup = Path(f"/proc/{member}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Rss:"):
                rss += int(line.split()[1]) * 1024
            elif line.startswith("Pss:"):
                pss += int(line.split()[1]) * 1024
    return rss, pss


def generate(letters: int, seed: int, pdf_share: float, out: Path) -> None:
    print(f"Generating {letters:,} letters in {out} ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "etl.sample", "--letters", str(letters), "--seed", str(seed),
                    "--out", str(out), "--pdf-share", str(pdf_share), "--jobs", "2"], cwd=ROOT, check=True)


def timed_load(corpus: Path, db: Path, workers: int) -> dict:
    command = [sys.executable, "-m", "etl.load", str(corpus), "--db", str(db), "--workers", str(workers), "--quiet"]
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak_rss = peak_pss = 0
    while process.poll() is None:
        rss, pss = tree_memory(process.pid)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(SAMPLE_SECONDS)
    seconds = time.monotonic() - started
    if process.returncode not in (0, 1):  # 1 only says some files were rejected
        sys.exit(f"The load failed (exit {process.returncode}):\n{process.stderr.read()}")
    process.stderr.close()
    con = duckdb.connect(str(db), read_only=True)
    run = con.sql("SELECT * FROM load_runs ORDER BY run_id DESC LIMIT 1").pl().row(0, named=True)
    con.close()
    return {"workers": workers, "seconds": seconds, "peak_rss": peak_rss, "peak_pss": peak_pss, **run}


def report(label: str, result: dict) -> None:
    work = result["extract_seconds"] + result["parse_seconds"] + result["write_seconds"]
    shares = ", ".join(f"{stage} {result[f'{stage}_seconds'] / work:.0%}" for stage in ("extract", "parse", "write"))
    print(f"{label}: {result['files_seen']:,} files in {result['seconds']:.1f} s = "
          f"{result['files_seen'] / result['seconds']:,.0f} letters/s "
          f"(loaded {result['files_loaded']:,}, skipped {result['files_skipped']:,}, "
          f"duplicates {result['files_duplicate']:,}, rejected {result['files_rejected']:,}); "
          f"stages: {shares}; peak memory: RSS {result['peak_rss'] / 2**20:,.0f} MB, "
          f"PSS {result['peak_pss'] / 2**20:,.0f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--pdf-share", type=float, default=0.0, help="share of PDF letters (default: text only)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to load with")
    parser.add_argument("--corpus", type=Path, help="keep the generated letters here and reuse them next time")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="load-bench-") as scratch:
        corpus = args.corpus or Path(scratch) / "letters"
        if not corpus.is_dir():
            generate(args.letters, args.seed, args.pdf_share, corpus)
        results = []
        for workers in args.workers:
            db = Path(scratch) / f"workers-{workers}" / "imr.duckdb"
            results.append(timed_load(corpus, db, workers))
            report(f"{workers} worker(s)", results[-1])
        again = timed_load(corpus, db, args.workers[-1])
        report("second run, same folder", again)

    by_workers = {r["workers"]: r for r in results}
    if 1 in by_workers and 2 in by_workers:
        print(f"speed-up, 2 workers over 1: {by_workers[1]['seconds'] / by_workers[2]['seconds']:.2f}x (goal >= 1.7)")
    print(f"second run: {again['seconds']:.1f} s = {again['seconds'] / results[-1]['seconds']:.0%} of the first")
    return 0


if __name__ == "__main__":
    sys.exit(main())
