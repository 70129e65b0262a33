"""File to text: PDFs through pdfium, text files as UTF-8 (cp1252 as a fallback) or UTF-16.

Only regular files are read (a named pipe or a device could block forever), and none above a
size limit: parsing takes memory of about 17 times the text, so the limit bounds each worker's.

Extraction damage is repaired here (soft hyphens and U+FFFE at line ends, ligatures,
non-breaking spaces, curly quotes) so the parser sees clean text; the raw text stays
available on the result.

pdfium is not thread-safe: use one process per worker, never threads.
"""

import codecs
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium

from etl.sources import not_a_file_reason, shown
from etl.vocab import ERROR_EMPTY, ERROR_NO_TEXT, ERROR_UNREADABLE_PDF

# About 100 times the largest real letter (a 100 KB PDF); parsing a text file this big peaks near
# 17 times its size, so with the limit a worker stays under about 200 MB.
DEFAULT_MAX_FILE_MB = 10
MB = 1_000_000


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


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),  # before UTF-16: FF FE 00 00
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def wide_encoding(data: bytes) -> str | None:
    """UTF-16 or UTF-32 by the byte-order mark, or UTF-16 without one: a letter is mostly ASCII, so
    one byte of each pair is zero, the same one throughout."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 8:
        return None
    even_zeros, odd_zeros = sample[0::2].count(0), sample[1::2].count(0)
    if odd_zeros >= pairs * 0.4 and even_zeros <= pairs * 0.05:
        return "utf-16-le"
    if even_zeros >= pairs * 0.4 and odd_zeros <= pairs * 0.05:
        return "utf-16-be"
    return None


def decode_text_bytes(data: bytes) -> str:
    if encoding := wide_encoding(data):
        return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


class TextTooLong(Exception):
    """A PDF's text is above the size limit (compressed, it can be far larger than the file)."""


def pdf_text(data: bytes, max_chars: int | None = None) -> str:
    """All pages' text, pages joined by newlines. Raises pdfium.PdfiumError when unreadable and
    TextTooLong as soon as the text passes `max_chars`."""
    pdf = pdfium.PdfDocument(data)
    try:
        pages, chars = [], 0
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_bounded())
            textpage.close()
            page.close()
            chars += len(pages[-1]) + 1
            if max_chars is not None and chars > max_chars:
                raise TextTooLong
        return "\n".join(pages)
    finally:
        pdf.close()


BINARY = "not a text file: the bytes are binary data, not a letter"


def _many_controls(sample: bytes) -> bool:
    return sum(1 for b in sample if b < 9 or 13 < b < 32) > len(sample) // 20


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    return b"\x00" in sample or _many_controls(sample)


def extract_bytes(data: bytes, source_file: str, max_bytes: int = DEFAULT_MAX_FILE_MB * MB) -> Extracted:
    """The text of a file's bytes; `source_file` is the name to record (see etl.sources.shown)."""
    sha = hashlib.sha256(data).hexdigest()

    def rejected(reason: str, raw: str | None = None) -> Extracted:
        return Extracted(source_file, sha, raw, None, reason)

    if len(data) > max_bytes:
        return rejected(too_big_reason(len(data), max_bytes))
    if not data.strip():
        return rejected(ERROR_EMPTY)
    if data.startswith(b"%PDF") or source_file.lower().endswith(".pdf"):
        if not data.startswith(b"%PDF"):
            return rejected(ERROR_UNREADABLE_PDF + "the file is not a PDF (no %PDF header)")
        try:
            raw = pdf_text(data, max_chars=max_bytes)
        except pdfium.PdfiumError as exc:
            return rejected(ERROR_UNREADABLE_PDF + _pdfium_reason(exc))
        except TextTooLong:
            return rejected(f"too large: the PDF's text is above the limit of {max_bytes / MB:g} MB per letter "
                            "(a letter has far less; raise the limit with --max-file-mb if it is one)")
        if not raw.strip():
            return rejected(ERROR_NO_TEXT, raw)
        return Extracted(source_file, sha, raw, repair_text(raw), None)
    wide = wide_encoding(data) is not None
    if not wide and _looks_binary(data):
        return rejected(BINARY)
    raw = decode_text_bytes(data)
    if wide and _many_controls(raw[:4096].encode("utf-8", "replace")):  # pairs of bytes that spell no text
        return rejected(BINARY)
    if not raw.strip():
        return rejected(ERROR_EMPTY, raw)
    return Extracted(source_file, sha, raw, repair_text(raw), None)


def too_big_reason(size: int, max_bytes: int) -> str:
    return (f"too large: {size / MB:,.1f} MB, above the limit of {max_bytes / MB:g} MB per file "
            "(a letter is far smaller; raise the limit with --max-file-mb if this is one)")


def read_file(path: str, max_bytes: int = DEFAULT_MAX_FILE_MB * MB) -> tuple[bytes | None, str | None]:
    """A file's bytes, or why they were not read: it is not a regular file, is too big or cannot be opened.

    Opened without blocking and checked again once open, so a file swapped for a named pipe
    between the check and the open cannot hang the reader.
    """
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            return None, not_a_file_reason(mode)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        return None, f"cannot read the file: {exc.strerror or exc}"
    with open(fd, "rb") as file:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return None, not_a_file_reason(info.st_mode)
            if info.st_size > max_bytes:
                return None, too_big_reason(info.st_size, max_bytes)
            data = file.read(max_bytes + 1)  # never more than the limit, even if the file grows meanwhile
        except OSError as exc:
            return None, f"cannot read the file: {exc.strerror or exc}"
    if len(data) > max_bytes:
        return None, too_big_reason(len(data), max_bytes)
    return data, None


def _pdfium_reason(exc: Exception) -> str:
    message = str(exc)
    if "password" in message.lower():
        return "it is protected by a password"
    if "format" in message.lower():
        return "the file is damaged or not a PDF"
    return message or "pdfium could not open it"


def extract(path: str | Path, max_bytes: int = DEFAULT_MAX_FILE_MB * MB) -> Extracted:
    source_file = shown(path)
    data, reason = read_file(os.fspath(path), max_bytes)
    if data is None:
        return Extracted(source_file, "", None, None, reason)
    return extract_bytes(data, source_file, max_bytes)
