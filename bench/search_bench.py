"""Search benchmark: index build, index size, search and case-lookup latency, opening a letter in Chromium.

    .venv/bin/python bench/search_bench.py --db /tmp/imr-1m.duckdb            # builds the index if needed
    .venv/bin/python bench/search_bench.py --db /tmp/imr-1m.duckdb --browser  # also times Chromium

Goals (issue 11, at 1,000,000 letters): search p95 under 0.3 s, case-number lookup under 0.1 s,
opening a letter under 1 s in Chromium.

A search is timed as the Letters page runs it (dashboard/letters_search.py): read the query, the
index's matches, their check against the shared filters, the first page of 20 letters, and the
highlighted passages of each. 50 queries of every kind (words, phrases, AND, OR, NOT, prefixes, fields), each
without filters and with one of four filter combinations, after one untimed warm-up pass.
"""

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from dashboard import data, letters_search
from etl import search

PROJECT_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]

QUERIES = [
    # words, common to rare
    "norco", "lyrica", "gabapentin", "omeprazole", "tramadol", "acupuncture", "chiropractic", "mri",
    "radiculopathy", "fibromyalgia",
    # phrases
    '"functional improvement"', '"not medically necessary"', '"urine drug screen"', '"physical therapy"',
    '"objective functional improvement"', '"home trial"', '"trigger point"', '"medically necessary"',
    # every word (AND, implicit or spelt out)
    'norco "functional improvement"', "lyrica neuropathic", "mri lumbar radiculopathy",
    'acupuncture AND "functional improvement"', "opioid AND weaning", "tens unit trial",
    # OR
    "lyrica OR pregabalin", "norco OR hydrocodone OR oxycodone", 'tens OR "electrical stimulation"',
    "omeprazole OR ranitidine OR pantoprazole",
    # NOT
    "norco -weaning", "therapy NOT physical", 'gabapentin NOT "neuropathic pain"', "injection -epidural",
    # prefixes
    "improv*", "radicul*", '"functional improv"*', "hydrocod*", "myofasc*", "neuro*",
    # fields
    "treatment:lyrica", 'rationale:"functional improvement"', "guideline:odg", "text:maximus",
    "treatment:mri rationale:radiculopathy", "treatment:norco rationale:weaning",
    # groups and mixtures
    '(norco OR tramadol) AND "functional improvement" NOT weaning', "(lyrica OR gabapentin) treatment:cream",
    'treatment:omeprazole -"risk factors"', 'cyclobenz* AND "short course"', "zzzz", '"no documented"',
]
assert len(QUERIES) == 50


def filter_combinations() -> list[data.Filters]:
    return [
        data.Filters(date_from=date(2016, 1, 1), date_to=date(2016, 12, 31)),
        data.Filters(categories=("Pharmaceuticals",), drug_classes=("Opioids",)),
        data.Filters(outcomes=("overturned",)),
        data.Filters(ca_licences=("California",), age_bands=("45-54",), sexes=("female",)),
    ]


def quantiles(values: list[float]) -> str:
    p95 = statistics.quantiles(values, n=20, method="inclusive")[-1]
    return f"median {statistics.median(values):.3f} s, p95 {p95:.3f} s, max {max(values):.3f} s (n={len(values)})"


def time_search(con, index, text: str, filters: data.Filters) -> tuple[float, int]:
    started = time.perf_counter()
    query = search.parse_query(text)
    results = letters_search.search_page(con, index, query, filters, 1)  # with its rows' passages
    return time.perf_counter() - started, results.matches


def directory_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--browser", action="store_true", help="also time opening a letter in Chromium")
    parser.add_argument("--no-sync", action="store_true",
                        help="search the index as it is (while another process builds it), without catching up")
    args = parser.parse_args()
    db = args.db.absolute()

    if not args.no_sync:
        started = time.perf_counter()
        added = search.sync_index(db, progress=True)
        build = time.perf_counter() - started
        if added:
            print(f"index: added {added:,} letters in {build:,.0f} s ({added / build:,.0f} letters/s)")
    con = data.connect(db)
    index = search.LetterIndex.open(db)
    status = search.index_status(db, con)
    size = directory_size(search.index_path(db))
    print(f"index: {status.indexed:,} of {status.letters:,} letters, {size / 2**30:.2f} GiB "
          f"({size / max(status.indexed, 1):,.0f} bytes per letter); database {db.stat().st_size / 2**30:.2f} GiB")

    combos = filter_combinations()
    for text in QUERIES:  # warm the file cache, untimed
        time_search(con, index, text, data.Filters())
    plain, filtered = [], []
    for i, text in enumerate(QUERIES):
        seconds, matches = time_search(con, index, text, data.Filters())
        plain.append(seconds)
        filters = combos[i % len(combos)]
        seconds_f, matches_f = time_search(con, index, text, filters)
        filtered.append(seconds_f)
        print(f"  {seconds:6.3f} s {matches:>9,}  | {seconds_f:6.3f} s {matches_f:>9,}  {text}")
    print(f"search, no filters:   {quantiles(plain)}")
    print(f"search, with filters: {quantiles(filtered)}")
    print(f"search, all:          {quantiles(plain + filtered)}")

    cases = [c for (c,) in con.execute(
        "SELECT case_number FROM (SELECT case_number FROM letters WHERE case_number IS NOT NULL) "
        "USING SAMPLE reservoir(50 ROWS) REPEATABLE (7)"
    ).fetchall()]
    random.Random(7).shuffle(cases)
    lookups, opens = [], []
    for case in cases:
        typed = case.lower().replace("-", " ")  # as a person might type it
        started = time.perf_counter()
        found = data.run_query(con, "letter_by_case", {"case_number": search.normalise_case_number(typed)})
        lookups.append(time.perf_counter() - started)
        letter_id = found["letter_id"][0]
        started = time.perf_counter()
        data.run_query(con, "letter_detail", {"letter_id": letter_id})
        data.run_query(con, "letter_decisions", {"letter_id": letter_id})
        opens.append(time.perf_counter() - started)
    print(f"case-number lookup:   {quantiles(lookups)}")
    print(f"letter's queries:     {quantiles(opens)}")
    con.close()
    if args.browser:
        browser_open_times(db, cases[:10])


def browser_open_times(db: Path, cases: list[str]) -> None:
    """Seconds from asking Chromium for ?case=... until the letter's heading is on screen (server warm)."""
    from playwright.sync_api import sync_playwright

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=PROJECT_DIR, env=dict(os.environ, IMR_DB=str(db)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/_stcore/health", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("streamlit did not start") from None
                time.sleep(0.5)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{base}/letters")  # warm the server: connection, filter options, first page
            page.get_by_role("heading", name="Letters").wait_for(timeout=120_000)
            baseline = []  # the same page without a letter: what Streamlit itself takes to load a page
            for _ in cases:
                started = time.perf_counter()
                page.goto(f"{base}/letters")
                page.get_by_role("heading", name="Decisions, newest first").wait_for(timeout=60_000)
                baseline.append(time.perf_counter() - started)
            by_link = []
            for case in cases:
                started = time.perf_counter()
                page.goto(f"{base}/letters?case={case}")
                page.get_by_role("heading", name=f"Case {case}").wait_for(timeout=60_000)
                by_link.append(time.perf_counter() - started)
            # In the open page, as a reader does: type the case number (a clicked row does the same).
            box = page.get_by_role("textbox", name="Case number")
            in_page = []
            for case in reversed(cases):
                started = time.perf_counter()
                box.fill(case)
                box.press("Enter")
                page.get_by_role("heading", name=f"Case {case}").wait_for(timeout=60_000)
                in_page.append(time.perf_counter() - started)
            browser.close()
        print(f"open a letter in the page in Chromium (case number typed, to its heading): {quantiles(in_page)}")
        print(f"open a letter by its link in Chromium (new page load, to its heading): {quantiles(by_link)}")
        print(f"  for comparison, the Letters page loaded without a letter:              {quantiles(baseline)}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
