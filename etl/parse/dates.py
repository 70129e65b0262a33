"""Dates as letters write them: 11/09/2016, 10-13-16, 1-9-2017, December 22, 2016.

Two-digit years are read in the 2000s unless that would put the date after the letter's
own date (or today, when the letter's date is unknown): `10-13-51` on a 2016 letter is 1951.
"""

import re
from datetime import date

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}

_NUMERIC = re.compile(r"(\d{1,2})\s*[/-]\s*(\d{1,2})\s*[/-]\s*(\d{4}|\d{2})(?!\d)")
_WORDS = re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})")
_ANY = re.compile(_NUMERIC.pattern + "|" + _WORDS.pattern)


def _iso(month: int, day: int, year: int, two_digit: bool, reference: date | None) -> str | None:
    if two_digit:
        year += 2000
        latest = reference or date.today()
        if (year, month, day) > (latest.year, latest.month, latest.day):
            year -= 100
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_date(text: str | None, reference: date | None = None) -> str | None:
    """The ISO form of the date that `text` starts with, or None when it holds no valid date."""
    if not text:
        return None
    match = _ANY.match(text.strip())
    if not match:
        return None
    if match.group(1):
        month, day, year = match.group(1), match.group(2), match.group(3)
        return _iso(int(month), int(day), int(year), len(year) == 2, reference)
    month_number = _MONTHS.get(match.group(4).lower())
    if month_number is None:
        return None
    return _iso(month_number, int(match.group(5)), int(match.group(6)), False, reference)
