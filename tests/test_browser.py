"""The dashboard in a real Chromium: open it, change a filter, download a CSV, click a chart to drill
down, open a comparison and sort its rate column, and screenshot every page at 1280 px.

Screenshots go to $IMR_SCREENSHOTS (default: imr-screenshots in the system's temporary directory), to
be looked at. Debian's Chromium comes from scripts/setup.sh --browser.
"""

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.streamlit_server import BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, WAIT_MS, streamlit_server

playwright_api = pytest.importorskip("playwright.sync_api")

PAGES = {"Overview": "overview", "Medications": "medications", "Guidelines": "guidelines",
         "Reviewers": "reviewers", "UR modifications": "ur-modifications", "Reasons": "reasons",
         "Timeliness": "timeliness", "Compare": "compare", "Letters": "letters", "Data quality": "data-quality"}

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server(dashboard_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with streamlit_server(dashboard_db, tmp_path_factory.mktemp("streamlit")) as url:
        yield url


@pytest.fixture(scope="module")
def page(server: str):
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 2400}, accept_downloads=True)
        yield context.new_page()
        browser.close()


def assert_no_error(page) -> None:
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.all_inner_texts()
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0


# The app has finished: the script is not running (Streamlit marks this on the app's root element), no
# element is still a placeholder, and every chart has drawn its marks. bench/app_bench.py times the same.
FINISHED = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.dataset.testScriptState !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  return [...document.querySelectorAll('.vega-embed')].every(c => c.querySelector('canvas, svg.marks'));
}"""


def settle(page) -> None:
    """Wait until Streamlit has finished the run and the charts are drawn."""
    page.wait_for_function(FINISHED, timeout=WAIT_MS)
    page.wait_for_timeout(300)


def open_page(page, server: str, slug: str) -> None:
    page.goto(f"{server}/{slug}")
    page.get_by_role("heading", level=1).first.wait_for(timeout=WAIT_MS)
    settle(page)
    assert_no_error(page)


def test_filter_download_and_every_page(server, page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
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
        page.screenshot(path=SCREENSHOTS / f"{slug}.png", full_page=True)


def test_clicking_a_chart_sets_the_filter_it_shows(server, page):
    open_page(page, server, "medications")
    rate_chart = page.locator('[data-testid="stVegaLiteChart"]').first
    # Each row of a rate chart is clickable as a whole; Vega names its marks by the row's fields.
    rate_chart.locator('path[aria-label*="Drug class: Anti-epilepsy drugs;"]').first.click()
    page.wait_for_url("**drug_class=Anti-epilepsy+drugs**", timeout=WAIT_MS)
    page.get_by_text("2 of 13 decisions").wait_for(timeout=WAIT_MS)
    settle(page)
    sidebar = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Drug class")
    assert "Anti-epilepsy drugs" in sidebar.inner_text()
    # The drug chart now holds that class's drugs only: the next click drills down to one drug.
    drug_chart = page.locator('[data-testid="stVegaLiteChart"]').nth(2)
    drug_chart.locator('path[aria-label*="Drug: gabapentin;"]').first.click()
    page.wait_for_url("**drug=gabapentin**", timeout=WAIT_MS)
    settle(page)
    assert_no_error(page)


def test_a_comparison_opens_and_its_rate_column_sorts_as_numbers(server, page):
    open_page(page, server, "compare")
    metrics = page.locator('[data-testid="stMetric"]').all_inner_texts()
    assert any("2016-01-01 to 2016-12-31" in m for m in metrics)
    assert any("Change" in m and "+10.0 points" in m for m in metrics)
    grid = page.locator('[data-testid="stDataFrame"]').first
    box = grid.bounding_box()

    def first_rates() -> list[float]:
        texts = grid.locator('td[aria-colindex="2"]').all_inner_texts()
        return [float(t) for t in texts if t]

    # The header of "Overturn rate: <first period>", the column after the group's (sections.GROUP_WIDTH px).
    page.mouse.click(box["x"] + 220 + 90, box["y"] + 18)
    page.wait_for_timeout(800)
    ascending = first_rates()
    assert len(ascending) >= 3 and ascending == sorted(ascending)
    page.mouse.click(box["x"] + 220 + 90, box["y"] + 18)
    page.wait_for_timeout(800)
    descending = first_rates()
    assert descending == sorted(ascending, reverse=True)
