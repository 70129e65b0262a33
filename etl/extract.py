"""File to text: PDFs through pdfium, text files as UTF-8 (cp1252 as a fallback).

Extraction damage is repaired here (soft hyphens and U+FFFE at line ends, ligatures,
non-breaking spaces, curly quotes) so the parser sees clean text; the raw text stays
available on the result.

pdfium is not thread-safe: use one process per worker, never threads.
"""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium

from etl.vocab import ERROR_EMPTY, ERROR_NO_TEXT, ERROR_UNREADABLE_PDF

LETTER_SUFFIXES = (".pdf", ".txt")


@dataclass(frozen=True)
class Extracted:
    source_file: str
    sha256: str
    raw_text: str | None  # as the file or pdfium gave it
    text: str | None  # repaired; None when the file was rejected
    error: str | None  # why the file was rejected, in words a person can act on


_CHAR_REPAIRS = str.maketrans({
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200b": "",
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-",
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
    "\u2022": "-", "\r": None, "\x00": None, "\ufeff": None,
})
# pdfium reports a hyphen that ended a line as U+FFFE or U+00AD (soft hyphen). Where it
# ends a line it joined two halves of one word; elsewhere it is just a hyphen.
_BREAK_HYPHEN_AT_EOL = re.compile(r"[\ufffe\u00ad\u0002][ \t]*\n[ \t]*")
_BREAK_HYPHEN_INLINE = re.compile(r"[\ufffe\u0002]")


def repair_text(raw: str) -> str:
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    # Each repair scans the whole text; most letters are plain ASCII and need few or none of them.
    if "\x02" in text or not text.isascii():
        text = _BREAK_HYPHEN_AT_EOL.sub("", text)
        text = _BREAK_HYPHEN_INLINE.sub("-", text)
        text = text.replace("\u00ad", "")
    # One replace per character present: str.translate with this table is slow on non-ASCII text
    # (~80 microseconds a thousand characters), and no replacement contains a character it replaces.
    for code, replacement in _CHAR_REPAIRS.items():
        if chr(code) in text:
            text = text.replace(chr(code), replacement or "")
    return text


def decode_text_bytes(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def pdf_text(data: bytes) -> str:
    """All pages' text, pages joined by newlines. Raises pdfium.PdfiumError when unreadable."""
    pdf = pdfium.PdfDocument(data)
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_bounded())
            textpage.close()
            page.close()
        return "\n".join(pages)
    finally:
        pdf.close()


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > len(sample) // 20


def extract_bytes(data: bytes, source_file: str) -> Extracted:
    sha = hashlib.sha256(data).hexdigest()

    def rejected(reason: str, raw: str | None = None) -> Extracted:
        return Extracted(source_file, sha, raw, None, reason)

    if not data.strip():
        return rejected(ERROR_EMPTY)
    if data.startswith(b"%PDF") or source_file.lower().endswith(".pdf"):
        if not data.startswith(b"%PDF"):
            return rejected(ERROR_UNREADABLE_PDF + "the file is not a PDF (no %PDF header)")
        try:
            raw = pdf_text(data)
        except pdfium.PdfiumError as exc:
            return rejected(ERROR_UNREADABLE_PDF + _pdfium_reason(exc))
        if not raw.strip():
            return rejected(ERROR_NO_TEXT, raw)
        return Extracted(source_file, sha, raw, repair_text(raw), None)
    if _looks_binary(data):
        return rejected("not a text file: the bytes are binary data, not a letter")
    raw = decode_text_bytes(data)
    return Extracted(source_file, sha, raw, repair_text(raw), None)


def _pdfium_reason(exc: Exception) -> str:
    message = str(exc)
    if "password" in message.lower():
        return "it is protected by a password"
    if "format" in message.lower():
        return "the file is damaged or not a PDF"
    return message or "pdfium could not open it"


def extract(path: str | Path) -> Extracted:
    source_file = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return Extracted(source_file, "", None, None, f"cannot read the file: {exc.strerror or exc}")
    return extract_bytes(data, source_file)


def find_letters(paths: list[str | Path]) -> list[Path]:
    """The letter files named or found below the given paths, folders read in sorted order."""
    found: list[Path] = []
    for given in map(Path, paths):
        if given.is_dir():
            found.extend(sorted(p for p in given.rglob("*") if p.is_file() and p.suffix.lower() in LETTER_SUFFIXES))
        else:
            found.append(given)
    return found
