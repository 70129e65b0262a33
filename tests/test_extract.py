"""File to text: UTF-16 letters, files that are not regular files, the size limit, unreadable files
(issue 12, faults 6, 9 and 10)."""

import codecs
import io
import os
import threading
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from etl import extract as ex
from etl.parse import parse_extracted
from tests.test_parse_bad_input import fixture_text
from tests.test_parse_golden import fixture_as_pdf

LETTER = fixture_text("final-2016-standard")
CASE_NUMBER = "CM16-0198765"


def finishes(call, *args, seconds: float = 30.0):
    """Run call(*args) in a thread: a read that blocks fails the test instead of hanging it."""
    outcome = []
    thread = threading.Thread(target=lambda: outcome.append(call(*args)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"{call.__name__}{args} did not return: it blocked"
    return outcome[0]


@pytest.mark.parametrize("encoded", [
    codecs.BOM_UTF16_LE + LETTER.encode("utf-16-le"),
    codecs.BOM_UTF16_BE + LETTER.encode("utf-16-be"),
    LETTER.encode("utf-16-le"),  # no byte-order mark, as some Windows tools write
    LETTER.encode("utf-16-be"),
    LETTER.encode("utf-32"),
], ids=["utf-16-le-bom", "utf-16-be-bom", "utf-16-le", "utf-16-be", "utf-32-bom"])
def test_a_utf16_letter_is_read_like_its_utf8_copy(encoded):
    extracted = ex.extract_bytes(encoded, "letter.txt")
    assert extracted.error is None
    assert extracted.text == ex.extract_bytes(LETTER.encode(), "letter.txt").text
    assert parse_extracted(extracted)["case_number"] == CASE_NUMBER


@pytest.mark.parametrize("data", [bytes(range(256)) * 8, os.urandom(4096), b"\x00\x01" * 500, b"\x07\x00" * 500])
def test_binary_data_is_still_rejected(data):
    assert "binary" in ex.extract_bytes(data, "junk.txt").error


def test_a_utf16_file_of_blanks_is_empty():
    assert ex.extract_bytes(codecs.BOM_UTF16_LE + " \n".encode("utf-16-le"), "blank.txt").error == "empty file"


def test_a_fifo_or_a_device_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")  # nobody writes it: opening or reading it would wait forever
    for path, kind in ((tmp_path / "pipe.txt", "named pipe"), (Path("/dev/zero"), "character device")):
        data, reason = finishes(ex.read_file, str(path))
        assert data is None and "not a regular file" in reason and kind in reason
        extracted = finishes(ex.extract, path)
        assert extracted.error == reason and extracted.sha256 == ""


def test_a_file_above_the_size_limit_is_refused_unread(tmp_path):
    huge = tmp_path / "huge.txt"
    with open(huge, "wb") as file:
        file.truncate(200 * ex.MB)  # sparse: 200 MB to the size check, no disk
    data, reason = ex.read_file(str(huge))
    assert data is None
    assert reason.startswith("too large: 200.0 MB") and f"limit of {ex.DEFAULT_MAX_FILE_MB} MB" in reason
    assert "--max-file-mb" in reason
    small = tmp_path / "small.txt"
    small.write_text(LETTER)
    assert ex.read_file(str(small), max_bytes=1000)[1].startswith("too large")
    assert ex.read_file(str(small), max_bytes=len(LETTER))[0] == LETTER.encode()
    assert ex.extract_bytes(LETTER.encode(), "small.txt", max_bytes=1000).error.startswith("too large")


def test_a_pdf_whose_text_is_above_the_limit_is_refused():
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pageCompression=1, invariant=1)
    for _ in range(20):  # a compressed PDF's text can be many times the file
        for row in range(60):
            pdf.drawString(20, 800 - row * 12, "x" * 120)
        pdf.showPage()
    pdf.save()
    data = buffer.getvalue()
    assert len(data) * 5 < 20 * 60 * 120
    error = ex.extract_bytes(data, "big.pdf", max_bytes=len(data) + 1).error
    assert error.startswith("too large: the PDF's text") and "--max-file-mb" in error
    assert ex.extract_bytes(fixture_as_pdf("final-2016-standard"), "letter.pdf").error is None


def test_an_unreadable_file_has_the_reason(tmp_path, monkeypatch):
    letter = tmp_path / "locked.txt"
    letter.write_text(LETTER)

    def refuse(path, flags, *args):  # tests run as root, who can read any file: the error is simulated
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(os, "open", refuse)
    assert ex.read_file(str(letter)) == (None, "cannot read the file: Permission denied")
    assert ex.extract(tmp_path / "missing.txt").error == "cannot read the file: No such file or directory"


def test_a_name_that_is_not_utf8_is_recorded_as_valid_utf8(tmp_path):
    path = tmp_path / os.fsdecode(b"caf\xe9.txt")
    path.write_text(LETTER)
    extracted = ex.extract(path)
    assert extracted.error is None and extracted.source_file.endswith("caf\\xe9.txt")
    extracted.source_file.encode("utf-8")
