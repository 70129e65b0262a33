"""The grammar of counts: how a request says how many ("#120", "12 sessions", "2 x 6", "times 12",
"Eight (8)"), and what is not a count (a strength, a duration, a range, a number inside a name)."""

import re

from etl.parse.drugs import drug_pattern

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "eighteen": 18,
    "twenty": 20,
    "twenty-four": 24,
    "thirty": 30,
    "once": 1,
    "twice": 2,
    "thrice": 3,
    "single": 1,
}
_NUMBER = r"(\d+|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"

def _as_number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[word.lower()]


_QUANTITY_PATTERNS = (
    re.compile(r"#\s*(\d+)"),
    re.compile(r"\b(?:qty|quantity)\s*[:.]?\s*(\d+)", re.I),
    re.compile(r"\(\s*" + _NUMBER + r"\s+(?:sessions?|visits?|treatments?|units?)\s*\)", re.I),
    re.compile(r"\bx\s*(\d+)\s*(?:sessions?|visits?|treatments?)\b", re.I),
    re.compile(
        r"(?<![\d-])\b" + _NUMBER + r"\s+(?:additional\s+|more\s+|initial\s+|\w+\s+){0,3}?"
        r"(?:sessions?|visits?|treatments?)\b",
        re.I,
    ),
)
_FREQUENCY = re.compile(
    r"(?<![\d-])\b"
    + _NUMBER
    + r"\s*(?:x|times?)\s*(?:a|per|/|each)?\s*(?:week|wk)s?\s*(?:for|x|times|over|\*)?\s*"
    + _NUMBER
    + r"\s*(?:weeks?|wks?)\b"
    r"|\b(once|twice|thrice)\s+(?:a|per)\s+week\s+(?:for|x|times|over)\s+" + _NUMBER + r"\s+weeks?\b",
    re.I,
)
_FREQUENCY_RANGE = re.compile(
    r"\b" + _NUMBER + r"\s*(?:to|-)\s*" + _NUMBER + r"\s*(?:x|times?)\s*(?:a|per)\s*week", re.I
)
# Therapy shorthand: "2 x 6" is twice a week for six weeks.
_TIMES_WEEKS = re.compile(r"(?<![\d#./])\b([1-7])\s*x\s*(\d{1,2})\b(?!\s*(?:mg|mcg|ml|%|days?|months?|hours?))", re.I)
_THERAPY = re.compile(r"therap|session|visit|acupunct|chiro|\bpt\b|\bot\b|rehab|treatment|manipulation", re.I)
_LEADING_COUNT = re.compile(r"^(?:Retrospective\s*:?\s*)?" + _NUMBER + r"\s+(?!times?\b|x\b|mg\b|%)[a-z]", re.I)


def quantity(text: str | None) -> int | None:
    """The request's count: `#120` is 120, `12 sessions` is 12, `3 times a week for 4 weeks` is 12."""
    if not text:
        return None
    text = drug_pattern().sub(" ", text.lower()) if "#" in text else text
    for pattern in _QUANTITY_PATTERNS[:2]:
        found = pattern.findall(text)
        if found:
            return int(found[-1])
    for pattern in _QUANTITY_PATTERNS[2:]:
        match = pattern.search(text)
        if match:
            return _as_number(match.group(1))
    if not _FREQUENCY_RANGE.search(text):
        match = _FREQUENCY.search(text)
        if match:
            if match.group(1):
                return _as_number(match.group(1)) * _as_number(match.group(2))
            return _as_number(match.group(3)) * _as_number(match.group(4))
    match = _TIMES_WEEKS.search(text) if _THERAPY.search(text) else None
    if match:
        return int(match.group(1)) * int(match.group(2))
    match = _LEADING_COUNT.match(text.strip())
    return _as_number(match.group(1)) if match else None

