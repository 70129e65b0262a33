"""The largest export: every decision as CSV through the dashboard's server, its time and memory.

    .venv/bin/python bench/export_bench.py --db /work/bench/imr-1m-main.duckdb [--xlsx] [--filter KEY=VALUE ...]

Starts `streamlit run serve.py` (as scripts/run.sh does) on the database, downloads the filtered
decisions from its streamed route (no filters: every decision), and reports the rows, bytes and time,
and the server's memory: its resident set before the download, the highest resident set sampled
during it (every 20 ms), and the kernel's high-water mark (VmHWM) after. The baseline is taken after
one export that matches nothing, so what a first export loads once per server is not counted. The goal: the server's
peak grows by less than 300 MB. --xlsx also times the Excel download (at most 1,048,575 rows).

A database built before decision_facts had letter_outcome and reason_codes (the filters read
them) is first copied with them added: --upgraded-copy PATH (reason_codes empty; the copy is kept).
"""

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

import duckdb  # noqa: E402

from dashboard import export  # noqa: E402  (the project root is on the path only from here on)

GOAL_MB = 300
CHUNK = 1 << 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def memory_mb(pid: int, field: str) -> float:
    """VmRSS or VmHWM of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def upgraded_copy(db: Path, copy: Path) -> Path:
    """The tables the export reads, with the columns added after db was built, in decision-date order."""
    if copy.exists():
        return copy
    con = duckdb.connect(str(copy))
    con.execute("SET preserve_insertion_order = true")
    con.execute("ATTACH $path AS old (READ_ONLY)", {"path": str(db)})
    con.execute("CREATE TABLE load_runs AS SELECT * FROM old.load_runs")
    # The stored order is kept: a scan without ORDER BY reads it back (no sort of the wide table).
    con.execute("""
        CREATE TABLE letter_outcomes AS
        SELECT letter_id,
               CASE WHEN bool_and(outcome = 'upheld') THEN 'upheld'
                    WHEN bool_and(outcome = 'overturned') THEN 'overturned'
                    ELSE 'partially overturned' END AS letter_outcome
        FROM old.decisions GROUP BY letter_id""")
    con.execute("""
        CREATE TABLE decision_facts AS
        SELECT f.*, o.letter_outcome, CAST([] AS VARCHAR[]) AS reason_codes
        FROM old.decision_facts f JOIN letter_outcomes o USING (letter_id)
        ORDER BY f.decision_date, f.letter_id, f.item_no""")
    con.execute("DROP TABLE letter_outcomes")
    con.close()
    return copy


def start_server(db: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=PROJECT_DIR, env=dict(os.environ, IMR_DB=str(db)), stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
            return process, url
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                sys.exit(f"streamlit did not start; see {log}")
            time.sleep(0.3)


def download(url: str, pid: int) -> dict[str, float]:
    """Fetch url to nowhere, counting bytes and lines, while sampling the server's resident set."""
    peak = memory_mb(pid, "VmRSS")
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, memory_mb(pid, "VmRSS"))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    size = lines = 0
    first_byte = None
    with urllib.request.urlopen(url, timeout=3600) as response:
        while piece := response.read(CHUNK):
            first_byte = first_byte or time.perf_counter() - started
            size += len(piece)
            lines += piece.count(b"\n")
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    return {"seconds": seconds, "first_byte": first_byte or seconds, "bytes": size, "lines": lines,
            "peak_mb": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--xlsx", action="store_true", help="also time the Excel download")
    parser.add_argument("--upgraded-copy", type=Path, metavar="PATH",
                        help="bench a copy of --db with the columns added since (made once, then reused)")
    parser.add_argument("--filter", action="append", default=[], metavar="KEY=VALUE",
                        help="a URL filter as the app writes it, e.g. drug_class=Opioids (repeatable)")
    args = parser.parse_args()
    if not args.db.exists():
        sys.exit(f"there is no database at {args.db}")
    db = upgraded_copy(args.db, args.upgraded_copy) if args.upgraded_copy else args.db
    query = urllib.parse.urlencode([("page", "bench"), *(f.split("=", 1) for f in args.filter)])
    log = Path(os.environ.get("TMPDIR", "/tmp")) / "export_bench_server.log"
    process, url = start_server(db, log)
    try:
        time.sleep(2)
        started = memory_mb(process.pid, "VmRSS")
        # An export matching nothing first: the libraries a first export loads (pyarrow, DuckDB's
        # buffers, polars' threads) are the server's once, not each download's.
        download(f"{url}{export.DECISIONS_CSV_PATH}?from=2099-01-01", process.pid)
        before = memory_mb(process.pid, "VmRSS")
        print(f"server resident set at start: {started:,.0f} MB; after a first, empty export: {before:,.0f} MB")
        runs = [("CSV", export.DECISIONS_CSV_PATH)] + ([("Excel", export.DECISIONS_XLSX_PATH)] if args.xlsx else [])
        print(f"database: {db} · filters: {', '.join(args.filter) or 'none (every decision)'}")
        for name, path in runs:
            result = download(f"{url}{path}?{query}", process.pid)
            rows = result["lines"] - 1 if name == "CSV" else None
            grown = result["peak_mb"] - before
            print(f"{name}: {result['bytes'] / 1e6:,.0f} MB"
                  + (f", {rows:,} rows" if rows is not None else "")
                  + f" in {result['seconds']:.1f} s (first byte after {result['first_byte']:.2f} s); "
                  f"server peak {result['peak_mb']:,.0f} MB sampled, growth {grown:,.0f} MB "
                  f"({'meets' if grown < GOAL_MB else 'misses'} the {GOAL_MB} MB goal)")
        print(f"server high-water mark (VmHWM, whole life): {memory_mb(process.pid, 'VmHWM'):,.0f} MB")
    finally:
        process.terminate()
        process.wait(timeout=30)


if __name__ == "__main__":
    main()
