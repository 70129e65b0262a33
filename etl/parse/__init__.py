"""Pure text to record: an IMR final determination letter's text becomes the letter record.

The record's fields and vocabularies are fixed by ../shared/spec/letter-record.md.
`parse_text` does no I/O; `parse_file` and the command line wrap it with etl.extract.

    python -m etl.parse PATH [PATH ...]     # JSON Lines on stdout, exit 1 if any file was rejected
"""

import re
from collections.abc import Iterable
from datetime import date
from difflib import SequenceMatcher, get_close_matches
from functools import lru_cache
from pathlib import Path

from etl.extract import Extracted, extract
from etl.parse import classify
from etl.parse.dates import parse_date
from etl.parse.guidelines import fold_guideline, parse_citations
from etl.parse.reasons import read_reasons
from etl.reference import specialty_variants, state_codes
from etl.vocab import ERROR_NOT_IMR, ERROR_TRUNCATED, SPECIALTIES

PARSER_VERSION = "1.0.0"

LAYOUT_FINAL = "final-determination"
LAYOUT_NOTICE = "notice-2013"
LAYOUT_DOCUMENTS = "maximus-documents-reviewed"
LAYOUT_PROFESSIONAL = "medical-professional-review"


def fold(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


def _label(words: str) -> str:
    """A heading or label whose words may be split over lines by extraction."""
    return r"\s+".join(re.escape(w) for w in words.split())


# ------------------------------------------------------------------ layouts

_LAYOUT_MARKERS = (
    (LAYOUT_NOTICE, re.compile(_label("Notice of Independent Medical Review Determination"), re.I)),
    (LAYOUT_PROFESSIONAL, re.compile(_label("MEDICAL PROFESSIONAL REVIEW"))),
    (LAYOUT_DOCUMENTS, re.compile(r"IMR\s+DECISION\(S\)\s+AND\s+RATIONALE\(S\)")),
    (LAYOUT_FINAL, re.compile(_label("IMR ISSUES, DECISIONS AND RATIONALES") + "|" + _label("CLINICAL CASE SUMMARY"))),
)
_IMR_WORDING = re.compile(
    r"Independent\s+Medical\s+Review|IMR\s+(?:ISSUES|DECISION)|MAXIMUS\s+guideline|Decision\s+rationale:", re.I
)


def detect_layout(text: str) -> str | None:
    for name, marker in _LAYOUT_MARKERS:
        if marker.search(text):
            return name
    if re.search(r"Decision\s+rationale:", text) and re.search(r":\s*(?:Upheld|Overturned)\b", text):
        return LAYOUT_FINAL  # a final determination whose section headings were cut off (the seed)
    return None


# ------------------------------------------------------------------ header fields

_CASE_NUMBER = re.compile(r"\bCM\s?(\d{2})\s?-\s?(\d{7})\b", re.I)
_DATE_VALUE = r"(\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{2,4}|\d{1,2}-\d{1,2}-\d{2,4})"


def _header_date(text: str, label: str, reference: date | None) -> str | None:
    match = re.search(_label(label) + r":?[ \t]*\n?[ \t]*" + _DATE_VALUE, text, re.I)
    return parse_date(match.group(1), reference) if match else None


def _application_received(text: str, reference: date | None) -> str | None:
    # The two-column header puts "Application" and "Received:" on separate lines and the
    # value after either of them.
    match = re.search(
        r"Application\s+(?:Received:\s*)?" + _DATE_VALUE + r"|Application\s+Received:?\s*" + _DATE_VALUE, text, re.I
    )
    if match:
        return parse_date(match.group(1) or match.group(2), reference)
    match = re.search(r"application\b[^.]{0,80}?\b(?:received|filed|submitted)\b[^.]{0,30}?" + _DATE_VALUE, text, re.I)
    return parse_date(match.group(1), reference) if match else None


def _priority(text: str) -> str | None:
    match = re.search(r"Priority:?\s*(Standard|Expedited)", text, re.I)
    if match:
        return match.group(1).lower()
    match = re.search(r"\b(standard|expedited)\s+review\b", text, re.I)
    return match.group(1).lower() if match else None


# ------------------------------------------------------------------ reviewer

_SECTION_STOP = (
    r"(?=CLINICAL\s+CASE\s+SUMMARY|DOCUMENTS\s+REVIEWED|Case\s+Summary|CASE\s+SUMMARY|ISSUE\s+AT\s+DISPUTE"
    r"|The\s+expert\s+reviewer\s+developed|State\(s\)\s+of\s+Licensure|Certification\(s\)|\n\s*\n\s*\S+[^\n]*:\s*\n|$)"
)


def _reviewer_states(text: str) -> list[str]:
    match = re.search(
        r"State\(s\)\s+of\s+Licensure:(.{0,300}?)(?=Certification\(s\)|CLINICAL|\n\s*\n\s*\n|$)", text, re.S | re.I
    )
    if not match:
        match = re.search(
            r"licensed\s+(?:to\s+practice\s+)?in\s+((?:[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?(?:,\s*|\s+and\s+)?)+)", text
        )
    if not match:
        return []
    names = state_codes()
    codes = []
    for piece in re.split(r",|;|\band\b|/", fold(match.group(1))):
        word = piece.strip().strip(".").lower()
        code = names.get(word) or (word.upper() if word.upper() in names.values() else None)
        if code and code not in codes:
            codes.append(code)
    return codes


_CANONICAL_BY_LOWER = {name.lower(): name for name in SPECIALTIES}


def canonical_specialty(piece: str) -> str | None:
    """Map a specialty as printed (variant, wrapped, truncated or misspelt) to its canonical name."""
    key = re.sub(r"[^a-z&/ ]", "", piece.lower().replace(" and ", " & ")).strip()
    key = " ".join(key.split())
    if not key:
        return None
    variants = specialty_variants()
    for candidate in (key, key.replace(" & ", " and ")):
        if candidate in variants:
            return variants[candidate]
    close = get_close_matches(key.replace(" & ", " and "), list(variants), n=1, cutoff=0.85)
    if close:
        return variants[close[0]]
    if len(key) >= 5:  # a line cut off mid-word: the one specialty it begins
        starts = {variants[v] for v in variants if v.startswith(key.replace(" & ", " and ")) or v.startswith(key)}
        if len(starts) == 1:
            return starts.pop()
    return None


def _reviewer_specialties(text: str) -> list[str]:
    match = re.search(r"Certification\(s\)\s*/\s*Specialty:(.{0,300}?)" + _SECTION_STOP, text, re.S | re.I)
    if match:
        raw = match.group(1)
    else:
        match = re.search(
            r"(?:Board[- ]Certified|certified)\s+(?:by\s+the\s+American\s+Board\s+of\s+|in\s+)"
            r"(.{0,200}?)(?:\s+and\s+is\s+licensed|\.\s|\n\s*\n)",
            text,
            re.S | re.I,
        )
        if not match:
            return []
        raw = re.sub(r"\s+and\s+(?=[A-Z])", ", ", fold(match.group(1)))
    specialties: list[str] = []
    for piece in re.split(r"[,;]", fold(raw)):
        names = [canonical_specialty(piece)]
        if names[0] is None and "/" in piece:
            names = [canonical_specialty(part) for part in piece.split("/")]
        for name in names:
            if name and name not in specialties:
                specialties.append(name)
    return specialties


# ------------------------------------------------------------------ patient

_AGE_SEX = (
    re.compile(
        r"\b(\d{1,3})\s*-?\s*(?:year|yr)s?\s*-?\s*old\s*,?\s+(?:[a-z]+\s+){0,2}?"
        r"(male|female|man|woman|gentleman|lady|boy|girl)\b",
        re.I,
    ),
    re.compile(r"\byear\s+(\d{1,3})\s+old\s+(male|female|man|woman)\b", re.I),
    re.compile(r"\b(\d{1,3})\s*(?:yo|y/o|y\.o\.)\s+(male|female|man|woman)\b", re.I),
    re.compile(r"\b(male|female|man|woman)\b[^.]{0,20}?\baged?\s+(\d{1,3})\b", re.I),
)
_AGE_ONLY = re.compile(
    r"\b(\d{1,3})\s*-?\s*(?:year|yr)s?\s*-?\s*old\b|\baged?\s+(\d{1,3})\b|\byear\s+(\d{1,3})\s+old\b"
    r"|\b(\d{1,3})\s+years?\s+of\s+age\b", re.I
)
_SEX_WORDS = {
    "male": "male",
    "man": "male",
    "gentleman": "male",
    "boy": "male",
    "female": "female",
    "woman": "female",
    "lady": "female",
    "girl": "female",
}


def _patient(summary: str) -> tuple[int | None, str | None]:
    for pattern in _AGE_SEX:
        match = pattern.search(summary)
        if match:
            first, second = match.groups()
            age, sex = (second, first) if first.isalpha() else (first, second)
            return _plausible_age(age), _SEX_WORDS[sex.lower()]
    age_match = _AGE_ONLY.search(summary)
    age = _plausible_age(next(g for g in age_match.groups() if g)) if age_match else None
    sex_match = re.search(r"\b(male|female|man|woman|gentleman|lady)\b", summary, re.I)
    if sex_match:
        return age, _SEX_WORDS[sex_match.group(1).lower()]
    return age, _sex_from_pronouns(summary)


def _sex_from_pronouns(summary: str) -> str | None:
    """A summary that never says male or female still calls the worker he or she throughout."""
    summary = re.sub(r"\b(?:he|his|him)\s*/\s*(?:she|her)\b|\bs/he\b", " ", summary, flags=re.I)
    male = len(re.findall(r"\b(?:he|his|him|himself)\b", summary, re.I))
    female = len(re.findall(r"\b(?:she|her|hers|herself)\b", summary, re.I))
    if male >= 2 and not female:
        return "male"
    if female >= 2 and not male:
        return "female"
    return None


def _plausible_age(value: str) -> int | None:
    age = int(value)
    return age if 14 <= age <= 100 else None


# ------------------------------------------------------------------ narrative dates

_NARRATIVE_DATE = (
    r"(\d{1,2}\s*[/-]\s*\d{1,2}\s*[/-]\s*\d{2,4}|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
    r"[a-z]*\.?\s+\d{1,2},?\s+\d{4})"
)
_UR_WORDS = r"(?:utilization\s+review(?:er)?|\bUR\b)"
_UR_DATE_PATTERNS = (
    re.compile(r"\bon\s+" + _NARRATIVE_DATE + r",?\s+(?:the\s+)?(?:original\s+)?" + _UR_WORDS, re.I),
    re.compile(
        _UR_WORDS + r"(?:\s*\(UR\))?\s*(?:denial|decision|report|determination|letter|form|review)?s?,?\s*"
        r"(?:dated|on|of|from|issued\s+on|with\s+a\s+decision\s+date\s+of|was\s+on)?\s*\(?" + _NARRATIVE_DATE,
        re.I,
    ),
    re.compile(_UR_WORDS + r"[^.]{0,60}?\b(?:dated|on)\s+" + _NARRATIVE_DATE, re.I),
    re.compile(_NARRATIVE_DATE + r"[^.]{0,30}?" + _UR_WORDS, re.I),
)
_INJURY_DATE_PATTERNS = (
    re.compile(r"(?:date\s+of\s+injury|DOI)(?:\s+(?:of|on|was))?:?\s*" + _NARRATIVE_DATE, re.I),
    re.compile(r"\binjur(?:y|ies|ed)\b[^.]{0,40}?\b(?:on|dated|of|date)\s+" + _NARRATIVE_DATE, re.I),
)


def _first_date(patterns: Iterable[re.Pattern], text: str, reference: date | None) -> str | None:
    for pattern in patterns:
        for match in pattern.finditer(text):
            parsed = parse_date(match.group(1), reference)
            if parsed:
                return parsed
    return None


# ------------------------------------------------------------------ decisions

_OUTCOME_MARK = re.compile(r"(?:\bis)?\s*:\s*(Upheld|Overturned)\b[ \t.]*(?=\n|$)", re.I)
_SENTENCE_END = re.compile(r"""(?:[.!?]["')]?|\bnecessary|\bappropriate)\s*$""", re.I)
# Each layout labels a decision's parts its own way; older letters open them with a sentence
# ("The Claims Administrator based its decision on ..."), kept as part of the text (zero-width).
_BLOCK_LABELS = {
    "ca": re.compile(
        r"Claims\s+Administrator\s+guideline\s*:|Guidelines?(?:\(s\))?\s+used\s+by\s+the\s+Claims\s+Administrator[^:]{0,80}:"
        r"|(?=The\s+Claims\s+Administrator\s+(?:based\s+(?:its|their|his/her)\s+decision|did\s+not\s+(?:cite|base)))",
        re.I,
    ),
    "imr": re.compile(
        r"(?:MAXIMUS|Expert\s+Reviewer|IMR\s+Reviewer)\s+guideline\s*:"
        r"|Guidelines?(?:\(s\))?\s+used\s+by\s+the\s+(?:Expert|Physician|Professional|IMR)\s+Reviewer[^:]{0,80}:"
        r"|MEDICAL\s+TREATMENT\s+GUIDELINE\(?S?\)?\s+RELIED\s+UPON[^:]{0,80}:"
        r"|(?=The\s+(?:Physician|Expert|Professional|IMR)\s+Reviewer\s+(?:based\s+(?:its|their|his/her|his|her)\s+decision"
        r"|did\s+not\s+(?:cite|base)))",
        re.I,
    ),
    "rationale": re.compile(
        r"Decision\s+rationale\s*:|Rationale\s+for\s+the\s+Decision\s*:"
        r"|RATIONALE\s+FOR\s+WHY\s+THE\s+REQUESTED[^:]{0,80}:",
        re.I,
    ),
}
# Section headings that end a decision's text in the older layouts.
_BODY_END = re.compile(r"MEDICAL\s+REVIEWER\s+QUALIFICATIONS|DOCUMENTS\s+REVIEWED|ISSUE\s+AT\s+DISPUTE|CASE\s+SUMMARY:")
_BLOCK_START = re.compile(
    r"(?:Claims\s+Administrator\s+guideline|MAXIMUS|Expert\s+Reviewer|IMR\s+Reviewer|Decision\s+"
    r"rationale)",
    re.I,
)
_ORIGINAL_REQUEST = re.compile(
    r"^(?P<original>.+?)\s+was\s+the\s+original\s+request\.\s*(?P<authorized>.+?)\s+was\s+(?:authorized|certified|approved)"
    r"\s+by\s+the\s+Claims\s+Administrator[.,]?\s*(?P<rest>.*)$",
    re.I | re.S,
)
_LEAVING_ELIGIBLE = re.compile(r"The\s+original\s+request,\s*(?P<original>.+)$", re.I | re.S)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def _heading_lines(lines: list[str], marker_line: int, floor: int) -> int:
    """Index of the first line of the decision heading that ends on `marker_line`.

    A heading is the run of lines right above its outcome; the line before it ends a sentence
    (the previous rationale) or a label. A three-sentence modification heading has sentence
    ends inside it, so until its "was the original request" is reached the run goes on.
    """
    start = marker_line
    text = lines[marker_line]
    for i in range(marker_line - 1, floor - 1, -1):
        line = lines[i]
        in_modification = re.search(
            r"IMR\s+eligible|authorized\s+by|the\s+original\s+request,", text, re.I
        ) and not re.search(r"was\s+the\s+original\s+request", text, re.I)
        ends = line.endswith(":") or _SENTENCE_END.search(line)
        if ends and not in_modification:
            break
        if _ANY_LABEL.search(line):
            break
        start = i
        text = line + " " + text
    return start


def _split_decisions(section: str) -> list[dict]:
    """The decision blocks of a final determination: heading, outcome, guideline lines, rationale."""
    # "...is:" ending one line and "Upheld" alone on the next
    section = re.sub(r":[ \t]*\n\s*(Upheld|Overturned)\b", r": \1", section, flags=re.I)
    # Labels and headings that extraction ran into the line before them start their own line.
    run_in_label = r"[ \t]+(?=(?:Claims\s+Administrator|MAXIMUS)\s+guideline\s*:|Decision\s+rationale\s*:)"
    section = re.sub(run_in_label, "\n", section)
    section = re.sub(
        r"(medically\s+necessary(?:\s+and\s+appropriate)?\.)[ \t]+(?=[^\n]{3,300}?:\s*(?:Upheld|Overturned)[ \t]*\n)",
        r"\1\n",
        section,
        flags=re.I,
    )
    lines = _lines(section)
    marks = []
    for index, line in enumerate(lines):
        lowered = line.lower()
        if "upheld" not in lowered and "overturned" not in lowered:
            continue
        mark = _OUTCOME_MARK.search(line)
        following = lines[index + 1] if index + 1 < len(lines) else ""
        # an outcome word inside a rationale is not a heading: a heading is followed by a guideline line
        if mark and (not following or _BLOCK_START.match(following)):
            marks.append((index, mark))
    blocks = []
    floor = 0
    for number, (index, mark) in enumerate(marks):
        start = _heading_lines(lines, index, floor)
        heading = " ".join(lines[start:index]) + " " + lines[index][: mark.start()]
        end = marks[number + 1][0] if number + 1 < len(marks) else len(lines)
        body_end = end
        if number + 1 < len(marks):
            body_end = _heading_lines(lines, marks[number + 1][0], index + 1)
        body = "\n".join(lines[index + 1 : body_end])
        blocks.append({"heading": fold(heading), "outcome": mark.group(1).lower(), "body": body})
        floor = index + 1
    return blocks


_ANY_LABEL = re.compile("|".join(f"(?P<{name}>{label.pattern})" for name, label in _BLOCK_LABELS.items()), re.I)


@lru_cache(maxsize=256)
def _block_fields(body: str) -> dict:
    """A decision's guideline lines and rationale, each the text after its label up to the next one.

    A label with nothing after it (a section heading followed by a labelled sentence) gives way to
    the next; the rationale comes last and runs to the end, whatever it quotes.
    """
    end = _BODY_END.search(body)
    body = body[: end.start()] if end else body
    fields: dict[str, str | None] = {"ca": None, "imr": None, "rationale": None}
    previous: tuple[str, int] | None = None
    for label in _ANY_LABEL.finditer(body):
        if previous and fields[previous[0]] is None and body[previous[1] : label.start()].strip():
            fields[previous[0]] = body[previous[1] : label.start()]
        if label.lastgroup == "rationale":
            fields["rationale"] = body[label.end() :]
            return fields
        previous = (label.lastgroup, label.end())
    if previous and fields[previous[0]] is None:
        fields[previous[0]] = body[previous[1] :] or None
    return fields


def split_heading(heading: str) -> tuple[str, str | None]:
    """(original request, what UR authorized) from a decision heading."""
    match = _ORIGINAL_REQUEST.match(heading)
    if match:
        return _clean_item(match.group("original")), _clean_item(match.group("authorized"))
    leaving = _LEAVING_ELIGIBLE.search(heading)
    if leaving and "IMR eligible" in heading:
        return _clean_item(leaving.group("original")), None
    return _clean_item(heading), None


def _clean_item(item: str) -> str:
    item = fold(item)
    item = re.sub(r"^(?:The\s+)?request\s+for\s+", "", item, flags=re.I)
    item = re.sub(r"\s+is$", "", item)
    return item.strip(" ,;")


# Case summary sentences that tell what UR authorized instead (the 2015 letters say it only there).
_MODIFIED_PATTERNS = (
    re.compile(
        r"modified\s+(?:the\s+)?(?:request|requests|prescription)?\s*(?:for\s+)?(?P<original>.+?)\s+to\s+"
        r"(?:allow\s+|certify\s+|approve\s+|authorize\s+)?(?:for\s+)?(?P<authorized>.+?)(?=\.\s|\.$|;|,\s+and\s+|$)",
        re.I,
    ),
    re.compile(
        r"(?P<original>[A-Z][^.;]{2,80}?)\s+was\s+modified\s+to\s+(?:allow\s+)?(?P<authorized>.+?)(?=\.\s|\.$|;|$)"
    ),
    re.compile(
        r"partially\s+(?:certified|approved|authorized)\s+(?:the\s+request\s+for\s+)?(?P<original>.+?)\s+"
        r"(?:as|to|for)\s+(?P<authorized>.+?)(?=\.\s|\.$|;|$)",
        re.I,
    ),
)


def _summary_modifications(summary: str) -> list[tuple[str, str]]:
    found = []
    for sentence in re.split(r"(?<=[.;])\s+(?=[A-Z])", fold(summary)):
        lowered = sentence.lower()
        if "modif" not in lowered and "partially" not in lowered:
            continue
        for pattern in _MODIFIED_PATTERNS:
            match = pattern.search(sentence)
            if match:
                found.append((_clean_item(match.group("original")), _clean_item(match.group("authorized"))))
                break
    return found


_FILLER_WORDS = frozenset(("the", "for", "and", "with", "request", "times", "week", "weeks", "sessions", "session"))


def _words(text: str) -> list[str]:
    """Content words and numbers: "12 sessions" and "18 sessions" of one therapy are two requests."""
    return [w for w in re.findall(r"[a-z]{3,}|\d+(?:\.\d+)?", text.lower()) if w not in _FILLER_WORDS]


def _likeness(treatment: str, original: str) -> float:
    """How surely a case summary's "modified the request for <original>" speaks of this item."""
    item_words, other_words = _words(treatment), _words(original)
    if not item_words or not other_words:
        return 0.0
    overlap = len(set(item_words) & set(other_words)) / min(len(set(item_words)), len(set(other_words)))
    # same words in another order ("3 times a week for 2 weeks" against "2 times a week for 3 weeks")
    overlap += 0.1 * SequenceMatcher(None, " ".join(item_words), " ".join(other_words)).ratio()
    drug = classify.first_drug_name(treatment)
    if drug and drug == classify.first_drug_name(original):
        return 2.0 + overlap
    if item_words[0] != other_words[0]:  # "Chiropractic ..." is not "Acupuncture ..." whatever else they share
        return 0.0
    return overlap


def _assign_modifications(
    headings: list[tuple[str, str | None]], modifications: list[tuple[str, str]]
) -> dict[int, str]:
    """Each summary modification goes to the one item it most resembles, if it resembles any; a modification
    that its own heading already states is that item's, not a neighbour's."""
    assigned: dict[int, str] = {}
    for original, authorized in modifications:
        scores = [_likeness(treatment, original) for treatment, _ in headings]
        best = max(range(len(headings)), key=scores.__getitem__, default=None)
        if best is not None and scores[best] >= 0.6 and headings[best][1] is None:
            assigned.setdefault(best, authorized)
    return assigned


# ------------------------------------------------------------------ layouts' sections


def _section(text: str, start: str, *ends: str) -> str:
    match = re.search(start, text, re.I)
    if not match:
        return ""
    rest = text[match.end() :]
    stop = len(rest)
    for end in ends:
        found = re.search(end, rest, re.I)
        if found:
            stop = min(stop, found.start())
    return rest[:stop]


_NUMBERED = r"^[ \t]*(?P<no>\d{1,2})[.)][ \t]+"
# An item runs on over wrapped lines, but not into the next entry, the next sentence or a label.
_NOT_NEXT_ENTRY = r"(?:(?!^[ \t]*\d{1,2}[.)][ \t]|\.\s+[A-Z]|:[ \t]*\n).)"
_REQUEST_FOR = r"(?:(?:the\s+)?request(?:ed\s+[a-z/]+)?\s+(?:for|of)\s+)?"
# "1. MAXIMUS Federal Services, Inc. has determined the request for X is not medically necessary and appropriate."
_NUMBERED_DECISION = re.compile(
    _NUMBERED + r"(?:MAXIMUS\s+Federal\s+Services,?\s+Inc\.?\s+has\s+determined\s+(?:that\s+)?)?" + _REQUEST_FOR
    + r"(?P<item>" + _NOT_NEXT_ENTRY + r"{1,600}?)\s+(?:is|was|are)\s+(?P<negation>not\s+)?"
    r"medically\s+necessary(?:\s+and\s+appropriate)?\.?",
    re.M | re.S | re.I,
)
# "1) Regarding the request for X:" opens an item's guideline lines and rationale.
_REGARDING = re.compile(
    _NUMBERED + r"Regarding\s+" + _REQUEST_FOR + r"(?P<item>" + _NOT_NEXT_ENTRY + r"{1,600}?):[ \t]*$",
    re.M | re.S | re.I,
)
_DECISIONS_START = {
    LAYOUT_FINAL: _label("IMR ISSUES, DECISIONS AND RATIONALES"),
    LAYOUT_DOCUMENTS: r"IMR\s+DECISION\(S\)\s+AND\s+RATIONALE\(S\)",
    LAYOUT_NOTICE: r"Case\s+Summary:?",
}


def _numbered_decisions(text: str) -> list[dict]:
    """Decisions of the older layouts: numbered outcome statements ("1. X is not medically necessary and
    appropriate."), in a list at the top, before each item's parts, or both, and numbered item openers
    ("1) Regarding the request for X:"). Entries sharing a number are one decision."""
    entries = [(m.start(), m.end(), int(m["no"]), m["item"], "upheld" if m["negation"] else "overturned")
               for m in _NUMBERED_DECISION.finditer(text)]
    entries += [(m.start(), m.end(), int(m["no"]), m["item"], None) for m in _REGARDING.finditer(text)]
    entries.sort()
    # A wrapped line can start with a number ("pain rated 7 out of\n10. On 1-27-14, ..."): entries count up
    # from 1, so a number more than one past the highest so far is prose.
    in_sequence, highest = [], 0
    for entry in entries:
        if entry[2] <= highest + 1:
            in_sequence.append(entry)
            highest = max(highest, entry[2])
    entries = in_sequence
    decisions: dict[int, dict] = {}
    for i, (_, end, number, item, outcome) in enumerate(entries):
        stop = entries[i + 1][0] if i + 1 < len(entries) else len(text)
        decision = decisions.setdefault(number, {"heading": fold(item), "outcome": outcome, "body": ""})
        decision["outcome"] = decision["outcome"] or outcome
        body = text[end:stop]
        if _block_fields(body)["rationale"]:
            decision["body"] = body
    for decision in decisions.values():
        if decision["outcome"] is None:
            conclusions = _CONCLUDES.findall(_block_fields(decision["body"])["rationale"] or "")
            decision["outcome"] = ("upheld" if conclusions[-1] else "overturned") if conclusions else "upheld"
    return [decisions[number] for number in sorted(decisions)]


_MPR_HEADINGS = re.compile(
    r"ISSUES?\s+AT\s+DISPUTE:|CASE\s+SUMMARY:|DOCUMENTS\s+REVIEWED\s+FOR\s+DETERMINATION:"
    r"|MEDICAL\s+TREATMENT\s+GUIDELINE\(?S?\)?\s+RELIED\s+UPON[^:]{0,80}:|RATIONALE\s+FOR\s+WHY[^:]{0,80}:"
    r"|MEDICAL\s+REVIEWER\s+QUALIFICATIONS:"
)
_CONCLUDES = re.compile(r"\b(?:is|was|are|were)\s+(not\s+)?medically\s+necessary", re.I)


def _professional_review_decisions(text: str) -> list[dict]:
    """One issue at dispute (or a numbered list of them), one guideline section and one rationale."""
    headings = list(_MPR_HEADINGS.finditer(text))
    sections: dict[str, str] = {}
    for i, heading in enumerate(headings):
        end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
        sections.setdefault(heading.group(0).split()[0].upper(), text[heading.end() : end])
    issue = sections.get("ISSUE") or sections.get("ISSUES") or ""
    items = [fold(m) for m in re.split(r"(?m)^[ \t]*\d{1,2}[.)][ \t]+", issue) if fold(m)]
    rationale = sections.get("RATIONALE", "")
    conclusions = _CONCLUDES.findall(rationale)
    if not items or not conclusions:
        return []
    outcome = "upheld" if conclusions[-1] else "overturned"
    guideline = sections.get("MEDICAL", "")
    body = f"MEDICAL TREATMENT GUIDELINE(S) RELIED UPON:\n{guideline}\nRATIONALE FOR WHY THE REQUESTED:\n{rationale}"
    return [{"heading": item, "outcome": outcome, "body": body} for item in items]


def _decisions_start(text: str, layout: str) -> int:
    """Where the decisions begin: narrative searches stop there, so no rationale is read as the story."""
    pattern = r"RATIONALE\s+FOR\s+WHY" if layout == LAYOUT_PROFESSIONAL else _DECISIONS_START[layout]
    start = re.search(pattern, text, re.I)
    return start.end() if start else 0


def _decision_blocks(text: str, layout: str, start: int) -> list[dict]:
    if layout == LAYOUT_FINAL:
        return _split_decisions(text[start:])
    blocks = _split_decisions(text[start:]) or _numbered_decisions(text)
    if not blocks and layout == LAYOUT_PROFESSIONAL:
        blocks = _professional_review_decisions(text)
    return blocks


def _decision_record(item_no: int, treatment: str, authorized: str | None, block: dict) -> dict:
    fields = _block_fields(block["body"])
    item = classify.classify(treatment)
    ca_text = fold_guideline(fields["ca"])
    imr_text = fold_guideline(fields["imr"])
    return {
        "item_no": item_no,
        "treatment": treatment,
        "outcome": block["outcome"],
        "service_category": item.category,
        "service_subcategory": item.subcategory,
        "drug_generic": item.drug_generic,
        "strength": item.strength,
        "quantity": item.quantity,
        "ur_action": "modified" if authorized else "denied",
        "ur_authorized": authorized,
        "ur_authorized_quantity": classify.quantity(authorized) if authorized else None,
        "ca_guideline_text": ca_text,
        "imr_guideline_text": imr_text,
        "ca_citations": parse_citations(ca_text),
        "imr_citations": parse_citations(imr_text),
        "rationale": fold(fields["rationale"]),
        "reasons": read_reasons(fold(fields["rationale"]), block["outcome"]),
    }


# ------------------------------------------------------------------ the record


def parse_text(text: str) -> dict:
    """The letter record for a letter's text (without `source_file` and `sha256`)."""
    layout = detect_layout(text)
    if layout is None or not _IMR_WORDING.search(text):
        return {"error": ERROR_NOT_IMR}

    header = text[:2000]
    case = _CASE_NUMBER.search(header) or _CASE_NUMBER.search(text)
    decision_date = _header_date(header, "Decision Date", None)
    if decision_date is None:  # the letter's own date: "Dated: 9/26/2013", or a date alone on a line at the top
        dated = re.search(r"\bDated:\s*" + _NARRATIVE_DATE, header, re.I) or re.search(
            r"^[ \t]*" + _NARRATIVE_DATE + r"[ \t]*$", header[:600], re.M
        )
        decision_date = parse_date(dated.group(1), None) if dated else None
    reference = date.fromisoformat(decision_date) if decision_date else None

    summary = _section(
        text,
        r"CLINICAL\s+CASE\s+SUMMARY|Case\s+Summary:?|CASE\s+SUMMARY:?",
        r"IMR\s+ISSUES",
        r"IMR\s+DECISION",
        r"DOCUMENTS\s+REVIEWED",
        r"MEDICAL\s+TREATMENT\s+GUIDELINE",
    )
    if not summary:
        summary = _section(text, r"Certification\(s\)\s*/\s*Specialty:", r"IMR\s+ISSUES", r"Decision\s+rationale")
    age, sex = _patient(summary or text)

    decisions_start = _decisions_start(text, layout)
    narrative = text[:decisions_start] or text
    blocks = _decision_blocks(text, layout, decisions_start)
    if not blocks or not _complete(blocks):
        return {"error": ERROR_TRUNCATED}
    headings = [split_heading(block["heading"]) for block in blocks]
    # The 2015 letters state a modification only in the case summary; later ones in the heading too.
    from_summary = _assign_modifications(headings, _summary_modifications(summary))
    decisions = [
        _decision_record(i + 1, treatment, authorized or from_summary.get(i), block)
        for i, ((treatment, authorized), block) in enumerate(zip(headings, blocks, strict=True))
    ]

    return {
        "error": None,
        "layout": layout,
        "case_number": f"CM{case.group(1)}-{case.group(2)}" if case else None,
        "date_assigned": _header_date(header, "Date Assigned", reference),
        "date_of_injury": _header_date(header, "Date of Injury", reference)
        or _first_date(_INJURY_DATE_PATTERNS, summary, reference),
        "decision_date": decision_date,
        "ur_denial_date": _header_date(header, "UR Denial Date", reference)
        or _first_date(_UR_DATE_PATTERNS, summary, reference)
        or _first_date(_UR_DATE_PATTERNS, narrative, reference),
        "application_received": _application_received(narrative, reference),
        "priority": _priority(header),
        "reviewer_license_states": _reviewer_states(text),
        "reviewer_specialties": _reviewer_specialties(text),
        "patient_age": age,
        "patient_sex": sex,
        "decisions": decisions,
    }


_CONCLUSION = re.compile(
    r"necessary|appropriate|recommended|indicated|supported|warranted|certified|upheld|overturned|approved|denied"
    r"|reasonable|justified|established",
    re.I,
)


_FINISHED = re.compile(r"""(?:[.!?]["')\]]*|necessary|appropriate)$""", re.I)


def _complete(blocks: list[dict]) -> bool:
    """A letter cut off part way ends inside its last decision: no rationale, or one that stops mid-thought."""
    last = _block_fields(blocks[-1]["body"])["rationale"]
    last = fold(last)
    return bool(_FINISHED.search(last) and _CONCLUSION.search(last[-300:]))


def parse_extracted(extracted: Extracted) -> dict:
    record: dict = {"source_file": extracted.source_file, "sha256": extracted.sha256}
    if extracted.error:
        record["error"] = extracted.error
        return record
    parsed = parse_text(extracted.text or "")
    if parsed.get("error"):
        record["error"] = parsed["error"]
        return record
    record.update(parsed)
    return record


def parse_file(path: str | Path) -> dict:
    return parse_extracted(extract(path))
