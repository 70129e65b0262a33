"""Which layout a letter is, and where its decisions begin."""

import re

from etl.parse.text import label

LAYOUT_FINAL = "final-determination"
LAYOUT_NOTICE = "notice-2013"
LAYOUT_DOCUMENTS = "maximus-documents-reviewed"
LAYOUT_PROFESSIONAL = "medical-professional-review"

_LAYOUT_MARKERS = (
    (LAYOUT_NOTICE, re.compile(label("Notice of Independent Medical Review Determination"), re.I)),
    (LAYOUT_PROFESSIONAL, re.compile(label("MEDICAL PROFESSIONAL REVIEW"))),
    (LAYOUT_DOCUMENTS, re.compile(r"IMR\s+DECISION\(S\)\s+AND\s+RATIONALE\(S\)")),
    (LAYOUT_FINAL, re.compile(label("IMR ISSUES, DECISIONS AND RATIONALES") + "|" + label("CLINICAL CASE SUMMARY"))),
)
IMR_WORDING = re.compile(
    r"Independent\s+Medical\s+Review|IMR\s+(?:ISSUES|DECISION)|MAXIMUS\s+guideline|Decision\s+rationale:", re.I
)


def detect_layout(text: str) -> str | None:
    for name, marker in _LAYOUT_MARKERS:
        if marker.search(text):
            return name
    if re.search(r"Decision\s+rationale:", text) and re.search(r":\s*(?:Upheld|Overturned)\b", text):
        return LAYOUT_FINAL  # a final determination whose section headings were cut off (the seed)
    return None


_DECISIONS_START = {
    LAYOUT_FINAL: label("IMR ISSUES, DECISIONS AND RATIONALES"),
    LAYOUT_DOCUMENTS: r"IMR\s+DECISION\(S\)\s+AND\s+RATIONALE\(S\)",
    LAYOUT_NOTICE: r"Case\s+Summary:?",
}


def decisions_start(text: str, layout: str) -> int:
    """Where the decisions begin: narrative searches stop there, so no rationale is read as the story."""
    pattern = r"RATIONALE\s+FOR\s+WHY" if layout == LAYOUT_PROFESSIONAL else _DECISIONS_START[layout]
    start = re.search(pattern, text, re.I)
    return start.end() if start else 0

