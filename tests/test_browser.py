"""The dashboard in a real Chromium: open it, change a filter, download a CSV, screenshot every page.

Screenshots go to tests/artifacts/ (git-ignored). Debian's Chromium comes from scripts/setup.sh --browser.
"""

import csv
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard import data

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGES = {"Overview": "overview", "Medications": "medications", "Guidelines": "guidelines",
         "Reviewers": "reviewers", "UR modifications": "ur-modifications", "Reasons": "reasons", "Letters": "letters",
         "Data quality": "data-quality"}
WAIT_MS = 30_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is missing: run scripts/setup.sh --browser"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(dashboard_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = (tmp_path_factory.mktemp("streamlit") / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=data.PROJECT_DIR, env=dict(os.environ, IMR_DB=str(dashboard_db)),
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not start; see {log.name}")
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def page(server: str):
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 2400}, accept_downloads=True)
        yield context.new_page()
        browser.close()


def assert_no_error(page) -> None:
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.all_inner_texts()
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0


def settle(page) -> None:
    """Wait until Streamlit has finished the run (no running indicator) and the charts are drawn."""
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=WAIT_MS)
    page.wait_for_timeout(800)


def test_filter_download_and_every_page(server, page):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(server)
    page.get_by_text("13 of 13 decisions").wait_for(timeout=WAIT_MS)
    assert_no_error(page)

    # Change a filter the way a manager would: open the Outcome list and pick "overturned".
    page.locator('[data-testid="stMultiSelect"]').filter(has=page.get_by_text("Outcome", exact=True)).click()
    page.get_by_role("option", name="overturned").click()
    page.keyboard.press("Escape")
    page.get_by_text("6 of 13 decisions").wait_for(timeout=WAIT_MS)
    assert "outcome=overturned" in page.url, "the filter should be in the URL so a link reproduces the view"
    settle(page)

    with page.expect_download(timeout=WAIT_MS) as download_info:
        page.get_by_role("button", name="Download the filtered decisions (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "imr-overview-decisions_outcome-overturned.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) == 6
    assert {row["Outcome"] for row in rows} == {"overturned"}
    assert sorted({row["Case number"] for row in rows}) == [
        "CM16-0000101", "CM16-0000103", "CM17-0000104", "CM17-0000106", "CM17-0000107", "CM17-0000108"]

    for title, slug in PAGES.items():
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
        page.get_by_role("heading", name=title, level=1).wait_for(timeout=WAIT_MS)
        settle(page)
        if slug != "data-quality":
            # The filter follows the manager from page to page.
            page.get_by_text("6 of 13 decisions").wait_for(timeout=WAIT_MS)
        assert_no_error(page)
        page.screenshot(path=ARTIFACTS / f"{slug}.png", full_page=True)
