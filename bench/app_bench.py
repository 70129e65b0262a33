"""How fast the dashboard's pages answer, and how much memory its server takes.

    .venv/bin/python bench/app_bench.py --db data/imr-1m.duckdb [--repeat 10] [--no-server]

1. Query time: for every page, all the queries the page runs (dashboard.data.PAGE_QUERIES, the
   filter sentence included), uncached, on one read-only connection, for several filter
   combinations, each `--repeat` times. Prints the median and 95th percentile of a page's total.
   The goal: every page's queries under 0.12 s at the 95th percentile on 1,000,000 letters.
2. Page time in the browser: starts `streamlit run app.py` on the database and, in Debian's
   Chromium at 1280 px, opens every page under each filter combination (first open: the server
   has not run those queries yet), then changes a filter on it the way a manager does (picks a
   sex in the sidebar). Each is timed from the navigation or the click until the app reports it
   has finished: Streamlit marks its root element `data-test-script-state="notRunning"`, no
   element is still a placeholder, and every chart has drawn its marks. The goal: every page
   interactive in under 1 s at the 95th percentile.
3. Server memory: after all that, the server process's peak resident set size (VmHWM) from /proc.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from dashboard import data, reasons  # noqa: E402  (the project root is on the path only from here on)

GOAL_SECONDS = 0.12
PAGE_GOAL_SECONDS = 1.0
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGE_URLS = {"overview": "", "medications": "medications", "guidelines": "guidelines", "reviewers": "reviewers",
             "ur_modifications": "ur-modifications", "timeliness": "timeliness", "compare": "compare",
             "letters": "letters", "data_quality": "data-quality"}
# The same test as tests/test_browser.py: the run is over and everything on the page is drawn.
FINISHED = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.dataset.testScriptState !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  return [...document.querySelectorAll('.vega-embed')].every(c => c.querySelector('canvas, svg.marks'));
}"""
# The filter sentence ("6 of 13 decisions (6 letters) · ..."), which every filtered page shows.
SENTENCE = """() => [...document.querySelectorAll('[data-testid="stMarkdownContainer"]')]
  .map(e => e.innerText).find(t => / of [0-9,]+ decisions/.test(t))"""
# After a filter change: finished, and the filter sentence no longer says what it said before.
CHANGED = f"(before) => ({SENTENCE})() !== before && ({FINISHED})()"


def filter_combinations(con) -> dict[str, data.Filters]:
    """A handful of views a manager would open: none, a year, a drug class, a specialty, a narrow mix."""
    options = data.run_query(con, "filter_options")
    top_specialty = options.filter(filter="specialties")["value"][0]
    return {
        "no filters": data.Filters(),
        "one year": data.Filters(date_from=date(2016, 1, 1), date_to=date(2016, 12, 31)),
        "opioids": data.Filters(categories=("Pharmaceuticals",), drug_classes=("Opioids",)),
        "specialty, overturned": data.Filters(specialties=(top_specialty,), outcomes=("overturned",)),
        "narrow mix": data.Filters(guideline_sources=("ODG",), ca_licences=("California",),
                                   age_bands=("45-54",), sexes=("female",)),
    }


def page_params(con, page: str, filters: data.Filters) -> dict[str, object]:
    params = filters.params() | {"period": "month", "limit": 1000, "standard_days": 30, "expedited_days": 3}
    if page == "letters":
        # The page shows the first page of results and opens the first listed letter by its case number.
        first = data.run_query(con, "letters_list", filters.params() | {"limit": 1, "offset": 0})
        params |= {"limit": 50, "offset": 0, "letter_id": first["letter_id"][0] if first.height else -1,
                   "case_number": first["case_number"][0] if first.height else ""}
    if page == "medications":
        params["limit"] = 25
    if page == "reasons":
        params["records_gap_codes"] = reasons.records_gap_codes()
    return params


def time_queries(db: Path, repeat: int) -> dict[str, dict[str, list[float]]]:
    """Seconds per run of a page's queries, by page and filter combination."""
    con = data.connect(db)
    combinations = filter_combinations(con)
    samples: dict[str, dict[str, list[float]]] = {page: {} for page in data.PAGE_QUERIES}
    for page, names in data.PAGE_QUERIES.items():
        for label, filters in combinations.items():
            params = page_params(con, page, filters)
            data.run_query(con, names[0], params)  # warm the file cache once, untimed
            runs = samples[page][label] = []
            for _ in range(repeat):
                started = time.perf_counter()
                for name in names:
                    data.run_query(con, name, params)
                runs.append(time.perf_counter() - started)
    started = time.perf_counter()
    data.run_query(con, "filter_options")
    samples["(once per server) filter options"] = {"no filters": [time.perf_counter() - started]}
    con.close()
    return samples


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def time_pages(db: Path, combinations: dict[str, data.Filters]) -> tuple[dict[str, dict[str, list[float]]], int]:
    """Seconds until each page is interactive, on first open and after a filter change, by page; and
    the server's peak RSS in bytes after serving them all."""
    from playwright.sync_api import sync_playwright

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=PROJECT_DIR, env=dict(os.environ, IMR_DB=str(db)),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    samples: dict[str, dict[str, list[float]]] = {page: {"first open": [], "filter change": []} for page in PAGE_URLS}
    try:
        _wait_for(f"{base}/_stcore/health", server)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            # One untimed open: the server's first run imports the app and reads the filter options.
            page.goto(base)
            page.wait_for_function(FINISHED, timeout=120_000)
            for filters in combinations.values():
                query = urllib.parse.urlencode(_url_params(filters), doseq=True)
                for name, slug in PAGE_URLS.items():
                    started = time.perf_counter()
                    page.goto(f"{base}/{slug}?{query}")
                    page.get_by_role("heading", level=1).first.wait_for(timeout=120_000)
                    page.wait_for_function(FINISHED, timeout=120_000)
                    samples[name]["first open"].append(time.perf_counter() - started)
                    if name != "data_quality" and not filters.sexes:  # Data quality ignores the filters
                        samples[name]["filter change"].append(_change_a_filter(page))
            browser.close()
        return samples, _vm_hwm(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _change_a_filter(page) -> float:
    """Pick "female" in the sidebar's Sex filter; seconds from the pick until the page is redrawn."""
    sentence = page.evaluate(SENTENCE)
    # Typed, not picked from the list: near the bottom of the window the list may not open.
    page.locator('[data-testid="stMultiSelect"]').filter(has_text="Sex").locator("input").click()
    page.keyboard.type("female")
    started = time.perf_counter()
    page.keyboard.press("Enter")
    page.wait_for_function(CHANGED, arg=sentence, timeout=120_000)
    seconds = time.perf_counter() - started
    page.keyboard.press("Escape")
    return seconds


def _url_params(filters: data.Filters) -> dict[str, object]:
    url_key = {field: key for key, field in (data.DATE_URL_KEYS | data.LIST_URL_KEYS).items()}
    return {url_key[name]: (value if isinstance(value, list) else str(value))
            for name, value in filters.params().items() if value is not None}


def _wait_for(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("The Streamlit server did not start.") from None
            time.sleep(0.3)


def _vm_hwm(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise SystemExit("Cannot read the server's peak memory from /proc.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="the database to time (e.g. 1,000,000 letters)")
    parser.add_argument("--repeat", type=int, default=10, help="runs per page and filter combination")
    parser.add_argument("--no-server", action="store_true",
                        help="skip the browser timing and the server memory measurement")
    args = parser.parse_args()
    if not args.db.exists():
        raise SystemExit(data.missing_database_message(args.db))

    con = data.connect(args.db)
    letters, decisions = con.execute(
        "SELECT count(DISTINCT letter_id), count(*) FROM decision_facts").fetchall()[0]
    combinations = filter_combinations(con)
    con.close()
    print(f"{args.db}: {letters:,} letters, {decisions:,} decisions; {len(combinations)} filter combinations "
          f"x {args.repeat} runs per page; goal: p95 < {GOAL_SECONDS} s per page")
    # Other work on the machine inflates every figure; the load average says how busy it was.
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"{'page':34} {'median s':>9} {'p95 s':>9}  goal    slowest view (its median s)")
    failed = []
    for page, by_view in time_queries(args.db, args.repeat).items():
        times = [seconds for runs in by_view.values() for seconds in runs]
        worst = p95(times)
        slowest = max(by_view, key=lambda label: statistics.median(by_view[label]))
        within = page.startswith("(") or worst < GOAL_SECONDS
        print(f"{page:34} {statistics.median(times):9.3f} {worst:9.3f}  {'ok    ' if within else 'MISSED'}  "
              f"{slowest} ({statistics.median(by_view[slowest]):.3f})")
        if not within:
            failed.append(page)

    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if not args.no_server:
        pages, peak = time_pages(args.db, combinations)
        print(f"\nPage interactive in Chromium at 1280 px (goal: p95 < {PAGE_GOAL_SECONDS} s), "
              f"load average {os.getloadavg()[0]:.2f}")
        print(f"{'page':20} {'first open p50':>15} {'p95':>7} {'filter change p50':>18} {'p95':>7}  goal")
        for page, by_kind in pages.items():
            opens, changes = by_kind["first open"], by_kind["filter change"]
            worst = max(p95(opens), p95(changes) if changes else 0.0)
            within = worst < PAGE_GOAL_SECONDS
            change_text = (f"{statistics.median(changes):18.2f} {p95(changes):7.2f}" if changes
                           else f"{'(no filters)':>18} {'':7}")
            print(f"{page:20} {statistics.median(opens):15.2f} {p95(opens):7.2f} {change_text}  "
                  f"{'ok' if within else 'MISSED'}")
            if not within:
                failed.append(f"{page} (in the browser)")
        print(f"Streamlit server peak RSS after serving every page x every combination: {peak / 2**20:,.0f} MiB")
    if failed:
        print(f"Pages over the goal: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
