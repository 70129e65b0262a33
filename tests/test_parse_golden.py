"""Whole letters to whole records: the seed letter, the project's own fixture letters (invented content in
each layout's wording, one or more per layout, golden records written by reading each letter), and a PDF
drawn from one of them.

A mismatch lists every field path that differs, with what the parser gave and what the letter says.
"""

import hashlib
import io
import json
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen import canvas

from etl.parse import LAYOUT_DOCUMENTS, LAYOUT_FINAL, LAYOUT_NOTICE, LAYOUT_PROFESSIONAL, parse_file, parse_text

FIXTURES = Path(__file__).parent / "fixtures" / "letters"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEED = SHARED / "letters" / "seed"
FIXTURE_NAMES = sorted(p.stem for p in FIXTURES.glob("*.txt"))
PDF_SOURCE = "final-2017-expedited"
# The seed's record names the file it came from and leaves `layout` to the parser.
SEED_IGNORED = ("layout", "source_file", "sha256")


def differences(got, want, path: str = "") -> list[str]:
    """Field paths where `got` differs from `want`; only `want`'s keys count (extra fields are allowed)."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{path or '.'}: got={got!r} want=an object"]
        found = []
        for key, wanted in want.items():
            where = f"{path}.{key}" if path else key
            found += [f"{where}: missing"] if key not in got else differences(got[key], wanted, where)
        return found
    if isinstance(want, list) and want and isinstance(want[0], dict):
        if not isinstance(got, list):
            return [f"{path}: got={got!r} want=a list of {len(want)}"]
        found = [f"{path}: got {len(got)} items, want {len(want)}"] if len(got) != len(want) else []
        for i, (g, w) in enumerate(zip(got, want, strict=False)):
            found += differences(g, w, f"{path}[{i}]")
        return found
    return [] if got == want else [f"{path}: got={got!r} want={want!r}"]


def assert_record(got: dict, want: dict) -> None:
    if got.get("error") and not want.get("error"):  # a rejection has no fields to compare
        pytest.fail(f"rejected with error={got['error']!r}; want a record with {len(want['decisions'])} decisions")
    found = differences(got, want)
    if found:
        pytest.fail(f"{len(found)} field(s) differ:\n  " + "\n  ".join(found), pytrace=False)


def golden(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def test_the_diff_helper_names_each_differing_path():
    want = {"a": 1, "decisions": [{"x": [1, 2], "y": None}], "z": "q"}
    got = {"a": 2, "decisions": [{"x": [1, 2], "y": "v"}, {}], "extra": True}
    assert differences(got, want) == [
        "a: got=2 want=1",
        "decisions: got 2 items, want 1",
        "decisions[0].y: got='v' want=None",
        "z: missing",
    ]


@pytest.mark.skipif(not SEED.is_dir(), reason="../shared/letters/seed is absent (the shared letters are not mounted)")
def test_seed_letter_gives_its_record():
    want = json.loads((SEED / "seed-letter.json").read_text(encoding="utf-8"))
    for field in SEED_IGNORED:
        want.pop(field)
    assert_record(parse_text((SEED / "seed-letter.txt").read_text(encoding="utf-8")), want)


def test_every_layout_has_a_fixture_letter():
    layouts = {golden(name)["layout"] for name in FIXTURE_NAMES}
    assert layouts == {LAYOUT_FINAL, LAYOUT_NOTICE, LAYOUT_DOCUMENTS, LAYOUT_PROFESSIONAL}
    assert all((FIXTURES / f"{name}.json").is_file() for name in FIXTURE_NAMES)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_letter_gives_its_golden_record(name):
    assert_record(parse_text((FIXTURES / f"{name}.txt").read_text(encoding="utf-8")), golden(name))


def test_a_text_file_record_names_its_file_and_hash():
    path = FIXTURES / f"{PDF_SOURCE}.txt"
    record = parse_file(path)
    assert record["source_file"] == str(path)
    assert record["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert_record(record, golden(PDF_SOURCE))


def test_a_windows_text_file_gives_the_same_record(tmp_path):
    # Letters saved on Windows: CRLF line ends, cp1252 bytes (a curly apostrophe is 0x92, invalid UTF-8).
    text = (FIXTURES / f"{PDF_SOURCE}.txt").read_text(encoding="utf-8").replace("'", "\u2019")
    path = tmp_path / "windows.txt"
    path.write_bytes(text.replace("\n", "\r\n").encode("cp1252"))
    assert_record(parse_file(path), golden(PDF_SOURCE))


# ------------------------------------------------------------------ the PDF fixture

LEFT_X, RIGHT_X, TOP_Y, BOTTOM_Y, LEADING = 54, 320, 740, 60, 13
# The header's right-hand column: these labels start a second column on the printed page.
_RIGHT_COLUMN = re.compile(r"\s(?=(?:Date of Injury|UR Denial Date|Application)\b)")


def letter_pdf(lines: list[str], header_lines: int = 0, encrypt=None) -> bytes:
    """The lines printed one per row; the first `header_lines` are split into two columns drawn at two x
    positions, as the state's letters are, so that extraction has to interleave them again. `encrypt` is
    reportlab's (a user password, or a StandardEncryption)."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=LETTER, invariant=1, encrypt=encrypt)
    y = TOP_Y
    for number, line in enumerate(lines):
        if y < BOTTOM_Y:
            pdf.showPage()
            y = TOP_Y
        pdf.setFont("Helvetica", 10)
        columns = _RIGHT_COLUMN.split(line, maxsplit=1) if number < header_lines else [line]
        for x, text in zip((LEFT_X, RIGHT_X), columns, strict=False):
            pdf.drawString(x, y, text.strip())
        y -= LEADING
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def fixture_as_pdf(name: str, encrypt=None) -> bytes:
    lines = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("HOW THE IMR"))
    # The text has the header as extraction interleaved it; print it as the state does, label and value together.
    header_text = " ".join(" ".join(lines[:header]).split())
    header_rows = re.split(r"\s(?=(?:Date Assigned|Decision Date|Priority):)", header_text)
    return letter_pdf(header_rows + lines[header:], header_lines=len(header_rows), encrypt=encrypt)


def test_pdf_fixture_gives_the_same_golden_record(tmp_path):
    data = fixture_as_pdf(PDF_SOURCE)
    path = tmp_path / f"{PDF_SOURCE}.pdf"
    path.write_bytes(data)
    assert len(pdfium.PdfDocument(data)) >= 2, "the fixture must run over a page break"
    record = parse_file(path)
    assert record["sha256"] == hashlib.sha256(data).hexdigest()
    assert_record(record, golden(PDF_SOURCE))
