"""Decisions: the items a letter rules on, their outcomes, guideline lines and rationales, and what
UR authorized where it modified the request (in the heading, or in the case summary of older letters)."""

import re
from difflib import SequenceMatcher
from functools import lru_cache

from etl.parse import classify
from etl.parse.drugs import first_drug_name
from etl.parse.guidelines import fold_guideline, parse_citations
from etl.parse.layouts import LAYOUT_FINAL, LAYOUT_PROFESSIONAL
from etl.parse.quantities import quantity
from etl.parse.reasons import read_reasons
from etl.parse.text import fold, nonblank_lines

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
_GRANTED = r"(?:authorized|certified|approved|modified\s+(?:the\s+request\s+)?to)"
# "X was the original request. Y was authorized by the Claims Administrator." and, in the active voice,
# "X was the original request. The Claims Administrator authorized Y, leaving the original request IMR eligible."
_ORIGINAL_REQUEST = re.compile(
    r"^(?P<original>.+?)\s+was\s+the\s+original\s+request\.\s*(?:(?P<authorized>.+?)\s+was\s+" + _GRANTED
    + r"\s+by\s+the\s+Claims\s+Administrator|The\s+Claims\s+Administrator\s+" + _GRANTED
    + r"\s+(?P<active>.+?)(?:,?\s+leaving\s+the\s+original\s+request\b|\.\s+The\s+(?:remaining|original)\b))",
    re.I | re.S,
)
_LEAVING_ELIGIBLE = re.compile(r"The\s+original\s+request,\s*(?P<original>.+)$", re.I | re.S)


_INTRODUCTION = re.compile(r"\b(?:below|following|follows)\s*:$", re.I)


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
        # a colon ends what comes before only in an introduction ("set forth below:"); an item's own
        # colon ("Associated surgical service: Arc sling") wrapped by extraction is part of the heading
        ends = _INTRODUCTION.search(line) or _SENTENCE_END.search(line)
        if ends and not in_modification:
            break
        if _ANY_LABEL.search(line):
            break
        start = i
        text = line + " " + text
    return start


def split_decisions(section: str) -> list[dict]:
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
    lines = nonblank_lines(section)
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
        authorized = match.group("authorized") or re.sub(r"^(?:an?|the)\s+", "", match.group("active"), flags=re.I)
        return _clean_item(match.group("original")), _clean_item(authorized)
    leaving = _LEAVING_ELIGIBLE.search(heading)
    if leaving and "IMR eligible" in heading:
        return _clean_item(leaving.group("original")), None
    return _clean_item(heading), None


_LEADING_REQUEST = re.compile(r"^(?:The\s+)?request\s+for\s+", re.I)
_TRAILING_IS = re.compile(r"\s+is$")


def _clean_item(item: str) -> str:
    item = fold(item)
    item = _LEADING_REQUEST.sub("", item)
    item = _TRAILING_IS.sub("", item)
    return item.strip(" ,;")


# Case summary sentences that tell what UR authorized instead (the 2015 letters say it only there).
# A "to" inside the item's name ("physical therapy ... to the right elbow") is not where the modification starts.
_NOT_A_PLACE = r"(?!(?:the|his|her|their|both|include)\b)"
_MODIFIED_PATTERNS = (
    re.compile(
        r"modified\s+(?:the\s+)?(?:request|requests|prescription)?\s*(?:for\s+)?(?P<original>.+?)\s+to\s+"
        + _NOT_A_PLACE +
        r"(?:allow\s+|certify\s+|approve\s+|authorize\s+)?(?:for\s+)?(?P<authorized>.+?)(?=\.\s|\.$|;|,\s+and\s+|$)",
        re.I,
    ),
    re.compile(
        r"(?P<original>[A-Z][^.;]{2,80}?)\s+was\s+modified\s+to\s+(?:allow\s+)?(?P<authorized>.+?)(?=\.\s|\.$|;|$)"
    ),
    re.compile(
        r"partially\s+(?:certified|approved|authorized)\s+(?:the\s+request\s+for\s+)?(?P<original>.+?)\s+"
        r"(?:as|to|for)\s+" + _NOT_A_PLACE + r"(?P<authorized>.+?)(?=\.\s|\.$|;|$)",
        re.I,
    ),
)


def summary_modifications(summary: str) -> list[tuple[str, str]]:
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
    drug = first_drug_name(treatment)
    if drug and drug == first_drug_name(original):
        return 2.0 + overlap
    if item_words[0] != other_words[0]:  # "Chiropractic ..." is not "Acupuncture ..." whatever else they share
        return 0.0
    return overlap


def assign_modifications(
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


def decision_blocks(text: str, layout: str, start: int) -> list[dict]:
    if layout == LAYOUT_FINAL:
        return split_decisions(text[start:])
    blocks = split_decisions(text[start:]) or _numbered_decisions(text)
    if not blocks and layout == LAYOUT_PROFESSIONAL:
        blocks = _professional_review_decisions(text)
    return blocks


def decision_record(item_no: int, treatment: str, authorized: str | None, block: dict) -> dict:
    fields = _block_fields(block["body"])
    item = classify.classify(treatment)
    ca_text = fold_guideline(fields["ca"])
    imr_text = fold_guideline(fields["imr"])
    rationale = fold(fields["rationale"])
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
        "ur_authorized_quantity": quantity(authorized) if authorized else None,
        "ca_guideline_text": ca_text,
        "imr_guideline_text": imr_text,
        "ca_citations": parse_citations(ca_text),
        "imr_citations": parse_citations(imr_text),
        "rationale": rationale,
        "classified_by": item.classified_by,
        "reasons": read_reasons(rationale, block["outcome"]),
    }


_CONCLUSION = re.compile(
    r"necessary|necessity|appropriate|recommended|indicated|supported|warranted|certified|upheld|overturned"
    r"|approved|denied|reasonable|justified|established",
    re.I,
)
# A rationale ends a sentence; "... is not medically necessary" without its full stop is finished too.
# "... is not medically necessary at this time" with its full stop lost: a verdict, not a cut
_VERDICT_AT_END = re.compile(
    r"\b(?:is|are|was|were)\s+(?:not\s+)?(?:medically\s+necessary|a\s+medical\s+necessity)\b[\w ,]{0,40}$", re.I
)
_FINISHED = re.compile(r"""(?:[.!?]["')\]]*|necessary|appropriate|necessity)$""", re.I)


def completeness(blocks: list[dict]) -> tuple[bool, list[str]]:
    """(cut off, warnings). A letter is cut off only where its text plainly stops part way: the last
    decision has no rationale, or its rationale breaks off mid-sentence. Anything less sure keeps the
    letter and says why."""
    rationales = [fold(_block_fields(block["body"])["rationale"]) for block in blocks]
    last = rationales[-1]
    if not last:
        return True, []
    warnings = []
    if not _FINISHED.search(last):
        if not _VERDICT_AT_END.search(last):
            return True, []
        warnings.append("the last rationale ends without a full stop")
    warnings += [
        f"decision {number} ({fold(block['heading'])[:60]}) has no rationale"
        for number, (block, rationale) in enumerate(zip(blocks, rationales, strict=True), start=1)
        if not rationale
    ]
    closing = " ".join(re.split(r"(?<=[.!?])\s+", last)[-2:])
    if not _CONCLUSION.search(closing):
        warnings.append("the last rationale ends without a conclusion")
    return False, warnings
