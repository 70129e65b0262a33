"""Header fields: case number, dates (from the header, else from the narrative), priority."""

import re
from collections.abc import Iterable
from datetime import date

from etl.parse.dates import parse_date
from etl.parse.text import label

CASE_NUMBER = re.compile(r"\bCM\s?(\d{2})\s?-\s?(\d{7})\b", re.I)
_DATE_VALUE = r"(\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{2,4}|\d{1,2}-\d{1,2}-\d{2,4})"


def header_date(text: str, name: str, reference: date | None) -> str | None:
    match = re.search(label(name) + r":?[ \t]*\n?[ \t]*" + _DATE_VALUE, text, re.I)
    return parse_date(match.group(1), reference) if match else None


def decision_date(top: str) -> str | None:
    """Header "Decision Date", else the letter's own date: "Dated: 9/26/2013", or a date alone on a line."""
    found = header_date(top, "Decision Date", None)
    if found is None:
        dated = re.search(r"\bDated:\s*" + NARRATIVE_DATE, top, re.I) or re.search(
            r"^[ \t]*" + NARRATIVE_DATE + r"[ \t]*$", top[:600], re.M
        )
        found = parse_date(dated.group(1), None) if dated else None
    return found


def application_received(text: str, reference: date | None) -> str | None:
    # The two-column header puts "Application" and "Received:" on separate lines and the
    # value after either of them.
    match = re.search(
        r"Application\s+(?:Received:\s*)?" + _DATE_VALUE + r"|Application\s+Received:?\s*" + _DATE_VALUE, text, re.I
    )
    if match:
        return parse_date(match.group(1) or match.group(2), reference)
    match = re.search(r"application\b[^.]{0,80}?\b(?:received|filed|submitted)\b[^.]{0,30}?" + _DATE_VALUE, text, re.I)
    return parse_date(match.group(1), reference) if match else None


def priority(text: str) -> str | None:
    match = re.search(r"Priority:?\s*(Standard|Expedited)", text, re.I)
    if match:
        return match.group(1).lower()
    match = re.search(r"\b(standard|expedited)\s+review\b", text, re.I)
    return match.group(1).lower() if match else None


NARRATIVE_DATE = (
    r"(\d{1,2}\s*[/-]\s*\d{1,2}\s*[/-]\s*\d{2,4}|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
    r"[a-z]*\.?\s+\d{1,2},?\s+\d{4})"
)
_UR_WORDS = r"(?:utilization\s+review(?:er)?|\bUR\b)"
UR_DATE_PATTERNS = (
    re.compile(r"\bon\s+" + NARRATIVE_DATE + r",?\s+(?:the\s+)?(?:original\s+)?" + _UR_WORDS, re.I),
    re.compile(
        _UR_WORDS + r"(?:\s*\(UR\))?\s*(?:denial|decision|report|determination|letter|form|review)?s?,?\s*"
        r"(?:dated|on|of|from|issued\s+on|with\s+a\s+decision\s+date\s+of|was\s+on)?\s*\(?" + NARRATIVE_DATE,
        re.I,
    ),
    re.compile(_UR_WORDS + r"[^.]{0,60}?\b(?:dated|on)\s+" + NARRATIVE_DATE, re.I),
    re.compile(NARRATIVE_DATE + r"[^.]{0,30}?" + _UR_WORDS, re.I),
)
INJURY_DATE_PATTERNS = (
    re.compile(r"(?:date\s+of\s+injury|DOI)(?:\s+(?:of|on|was))?:?\s*" + NARRATIVE_DATE, re.I),
    re.compile(r"\binjur(?:y|ies|ed)\b[^.]{0,40}?\b(?:on|dated|of|date)\s+" + NARRATIVE_DATE, re.I),
)


def first_date(patterns: Iterable[re.Pattern], text: str, reference: date | None) -> str | None:
    for pattern in patterns:
        for match in pattern.finditer(text):
            parsed = parse_date(match.group(1), reference)
            if parsed:
                return parsed
    return None

