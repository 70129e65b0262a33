"""The Letters page in a real Chromium: search, open a letter from a result, reload its URL and see the
same letter; a letter written as Markdown/HTML fetches nothing. Screenshots at 1280 px go to the
folder named by IMR_SCREENSHOTS (default: imr-screenshots in the system's temporary folder)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.streamlit_server import BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, WAIT_MS, streamlit_server
from tests.test_browser import assert_no_error, settle

playwright_api = pytest.importorskip("playwright.sync_api")

INJECTION_CASE = "CM18-0000201"

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server(search_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with streamlit_server(search_db, tmp_path_factory.mktemp("streamlit-letters")) as url:
        yield url


@pytest.fixture(scope="module")
def browser_page(server: str):
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        # 1280 px wide, as the issue asks; tall, so a screenshot holds the whole letter (the page scrolls inside).
        context = browser.new_context(viewport={"width": 1280, "height": 2600})
        page = context.new_page()
        page.requested = []
        page.on("request", lambda request: page.requested.append(request.url))
        yield page
        browser.close()


def click_first_row(page, table_key: str) -> None:
    """Tick the first data row of a selectable st.dataframe (drawn on a canvas: click by position)."""
    grid = page.locator(f".st-key-{table_key} [data-testid='stDataFrame']")
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    header, row = 35, 35  # Streamlit's default header and row heights, in px
    page.mouse.click(box["x"] + 15, box["y"] + header + row / 2)


def test_search_open_a_result_and_reload_its_link(server, browser_page):
    page = browser_page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{server}/letters")
    page.get_by_role("heading", name="Letters", level=1).wait_for(timeout=WAIT_MS)

    box = page.get_by_role("textbox", name="Search the letters")
    box.fill('gabapentin "neuropathic pain"')
    box.press("Enter")
    page.get_by_text("2 letters match the search and the filters").wait_for(timeout=WAIT_MS)
    settle(page)
    assert_no_error(page)
    assert "q=gabapentin" in page.url, "the search should be in the URL"
    marks = page.locator("mark")
    assert marks.count() >= 2
    assert {m.lower() for m in marks.all_inner_texts()} >= {"gabapentin", "neuropathic pain"}
    page.screenshot(path=SCREENSHOTS / "letters-search.png", full_page=True)

    click_first_row(page, "search-rows")
    heading = page.locator(".st-key-letter-view h3")
    heading.wait_for(timeout=WAIT_MS)
    settle(page)
    case = heading.inner_text().removeprefix("Case ")
    assert case in ("CM16-0000101", "CM17-0000106")
    assert f"case={case}" in page.url, "the open letter should be in the URL"
    assert page.locator(".st-key-letter-view mark").count() >= 1, "the search terms are marked in the letter"
    assert_no_error(page)
    heading.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "letters-open-letter.png", full_page=True)

    page.reload()
    page.locator(".st-key-letter-view h3").wait_for(timeout=WAIT_MS)
    assert page.locator(".st-key-letter-view h3").inner_text() == f"Case {case}"
    assert_no_error(page)


def test_a_letter_written_as_markdown_fetches_nothing_and_shows_literally(server, browser_page):
    page = browser_page
    page.requested.clear()
    page.goto(f"{server}/letters?case={INJECTION_CASE.lower()}&q=lyrica")
    view = page.locator(".st-key-letter-view")
    view.locator("h3").wait_for(timeout=WAIT_MS)
    settle(page)
    assert view.locator("h3").inner_text() == f"Case {INJECTION_CASE}"
    text = view.inner_text()
    assert '![x](http://example.com/a.png) <img src="http://example.com/b.png"> **Lyrica** 75mg #60' in text
    assert "<script>alert(1)</script>" in text
    assert page.locator("img[src*='example.com'], a[href*='example.com'], script:text('alert')").count() == 0
    assert not [url for url in page.requested if "example.com" in url]
    assert_no_error(page)
