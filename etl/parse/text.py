"""Helpers every part of the parser uses: white space folding, labels split over lines, sections."""

import re


def fold(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


def label(words: str) -> str:
    """A heading or label whose words may be split over lines by extraction."""
    return r"\s+".join(re.escape(w) for w in words.split())


def nonblank_lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def section(text: str, start: str, *ends: str) -> str:
    match = re.search(start, text, re.I)
    if not match:
        return ""
    rest = text[match.end() :]
    # The earliest of the ends, in one scan: an alternation matches first where any of its branches does.
    found = re.search("|".join(f"(?:{end})" for end in ends), rest, re.I) if ends else None
    return rest[: found.start()] if found else rest

