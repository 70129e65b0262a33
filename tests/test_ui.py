"""The dashboard as scripts/run.sh serves it (serve.py) in a real Chromium: /overview, printing, streamed downloads.

Debian's Chromium comes from scripts/setup.sh --browser; the PDF is read back with pypdfium2.
"""

import csv
import io
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pypdfium2
import pytest

from tests.streamlit_server import BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS, WAIT_MS, streamlit_server

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server(dashboard_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with streamlit_server(dashboard_db, tmp_path_factory.mktemp("streamlit"), "serve.py") as url:
        yield url


@pytest.fixture(scope="module")
def page(server: str):
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1600})
        yield context.new_page()
        browser.close()


def open_path(page, server: str, path: str) -> None:
    page.goto(f"{server}/{path}")
    page.get_by_text(" of 13 decisions").first.wait_for(timeout=WAIT_MS)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=WAIT_MS)


def test_overview_answers_at_its_own_path(page, server):
    open_path(page, server, "overview?sex=female")
    assert page.get_by_role("heading", name="Overview").is_visible()
    assert page.get_by_text("Page not found").count() == 0
    assert page.url.endswith("/overview?sex=female")


def test_a_printed_page_has_no_sidebar_and_every_table_row(page, server, tmp_path):
    open_path(page, server, "letters?from=2016-01-01")
    page.emulate_media(media="print")
    pdf = tmp_path / "letters.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    page.emulate_media(media="screen")
    document = pypdfium2.PdfDocument(str(pdf))
    # Narrow columns wrap case numbers at their dash: join them again.
    text = re.sub(r"-\s+", "-", "\n".join(sheet.get_textpage().get_text_range() for sheet in document))
    assert "Letters" in text and "13 of 13 decisions" in text
    assert "Clear filters" not in text and "Download" not in text  # sidebar and buttons left off
    # Every decision of the 8 fixture letters, not the canvas table's first ten rows: the oldest
    # letter's two decisions are rows 12 and 13 (the letter opened below the table is the newest).
    # pdfium may return a later sheet's words letter by letter: compare without white space.
    compact = re.sub(r"\s+", "", text)
    assert all(f"CM1{6 + (n > 3)}-000010{n}" in compact for n in range(1, 9))
    assert compact.count("CM16-0000101") == 2
    assert "Case number" in " ".join(text.split())  # human headers on paper too


def test_the_filtered_decisions_stream_from_the_link(page, server):
    open_path(page, server, "medications?sex=female")
    link = page.get_by_role("link", name="Download the filtered decisions (CSV)")
    href = link.get_attribute("href")
    assert href.startswith("/export/decisions.csv?") and "sex=female" in href
    with urllib.request.urlopen(f"{server}{href}", timeout=30) as response:
        disposition = response.headers["Content-Disposition"]
        body = response.read().decode("utf-8-sig")
    assert disposition == 'attachment; filename="imr-medications-decisions_sex-female.csv"'
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 6 and {row["Patient sex"] for row in rows} == {"female"}
    xlsx = page.get_by_role("link", name="… or as Excel (.xlsx)").get_attribute("href")
    with urllib.request.urlopen(f"{server}{xlsx}", timeout=30) as response:
        assert response.headers["Content-Disposition"].endswith('sex-female.xlsx"')
        assert response.read(2) == b"PK"  # a zip: the workbook
