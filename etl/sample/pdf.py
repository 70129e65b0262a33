"""Printed lines to PDF bytes with reportlab: standard fonts, two-column header, several pages.

Lines are drawn at a fixed pitch with no extra space between paragraphs, so pdfium
extracts exactly the printed lines (plus its own CR LF); `invariant` makes the bytes
depend only on the content, so the same seed gives the same PDF.
"""

import io
import random

from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen import canvas

from etl.sample.layouts import Line

FONT, BOLD_FONT, FONT_SIZE, LEADING = "Times-Roman", "Times-Bold", 11, 13.5
LEFT, RIGHT_COLUMN, TOP, BOTTOM = 50, 300, 60, 60
PAGE_WIDTH, PAGE_HEIGHT = LETTER


def _canvas(buffer: io.BytesIO, title: str) -> canvas.Canvas:
    pdf = canvas.Canvas(buffer, pagesize=LETTER, invariant=1, pageCompression=1)
    pdf.setTitle(title)
    pdf.setAuthor("MAXIMUS Federal Services (generated sample)")
    return pdf


def letter_pdf(lines: list[Line], title: str) -> bytes:
    buffer = io.BytesIO()
    pdf = _canvas(buffer, title)
    y = PAGE_HEIGHT - TOP
    for line in lines:
        if y < BOTTOM:
            pdf.showPage()
            y = PAGE_HEIGHT - TOP
        for column, text in line:
            # Section headings are set in bold, as on the state's letters; extraction ignores the font.
            heading = text.isupper() and len(text) > 12
            pdf.setFont(BOLD_FONT if heading else FONT, FONT_SIZE)
            pdf.drawString(RIGHT_COLUMN if column else LEFT, y, text)
        y -= LEADING
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def scanned_pdf(rng: random.Random, pages: int, title: str) -> bytes:
    """A letter as a scanner makes it: marks on the page but no text layer."""
    buffer = io.BytesIO()
    pdf = _canvas(buffer, title)
    for _ in range(pages):
        pdf.setFillGray(0.35)
        y = PAGE_HEIGHT - TOP
        while y > BOTTOM:
            if rng.random() < 0.9:
                pdf.rect(LEFT, y, rng.uniform(200, PAGE_WIDTH - 2 * LEFT), 6, stroke=0, fill=1)
            y -= LEADING
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
