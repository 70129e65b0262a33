"""Guideline lines to citations.

A guideline line holds one or more statements such as
    Decision based on MTUS Neck and Upper Back Complaints 2004, Section(s): Special Studies,
    and Forearm, Wrist, and Hand Complaints 2004.
    Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Head, CT.
    Decision based on MTUS Chronic Pain Treatment Guidelines Anti-epileptic; Gabapentin Page(s): 18-19, 49.
or says that nothing was cited. Each becomes {"source", "chapter", "section", "pages"}.
"""

import re
from functools import cache
from itertools import pairwise

from etl.reference import mtus_parts

_NOTHING_CITED = re.compile(
    r"\b(?:no|not\s+cite\s+any|did\s+not\s+cite|without)\b[^.]{0,40}?"
    r"\b(?:medical\s+evidence|guidelines?|evidence[- ]based|citations?|criteria)"
    r"|\bnone\s+cited\b|^\s*(?:none|n/a)\.?\s*$",
    re.I,
)
_STATEMENT = re.compile(r"Decision\s+based\s+on\s+", re.I)
_ODG = re.compile(r"Official\s+Disability\s+Guidelines?(?:\s*\(ODG\))?|\bODG\b", re.I)
# ACOEM's guideline book by its title too ("Harris J. Occupational medicine practice guidelines, 2nd edition")
_ACOEM = re.compile(
    r"\bACOEM\b|American\s+College\s+of\s+Occupational\s+and\s+Environmental\s+Medicine"
    r"|Occupational\s+Medicine\s+Practice\s+Guidelines",
    re.I,
)
# A non-MTUS citation that opens with a body-part chapter and names no source is ODG's: ODG is the
# non-MTUS guideline arranged by those chapters ("Non-MTUS Citation Low Back (Hyperstimulation analgesia)").
_ODG_CHAPTER = re.compile(
    r"^\s*(?:Ankle|Foot|Elbow|Forearm|Wrist|Hand|Head|Hip|Pelvis|Knee|Leg|Low\s+Back|Lumbar|Neck|Upper\s+Back"
    r"|Cervical|Thoracic|Shoulder|Pain|Chronic\s+Pain|Mental\s+Illness|Stress|Burns|Pulmonary|Carpal\s+Tunnel"
    r"|Eye|Integrated\s+Treatment)\b",
    re.I,
)
_MTUS = re.compile(r"\bMTUS\b|Medical\s+Treatment\s+Utilization\s+Schedule", re.I)
_OTHER_EVIDENCE = re.compile(r"https?://|www\.|\bjournal\b|\bet\s+al\b|\bFDA\b|\bpubmed\b|\bvol\.|\(\d{4}\)", re.I)
_URL = re.compile(r"https?://|www\.", re.I)
_YEAR = re.compile(r"^\s*,?\s*\(?(?:19|20)\d{2}\)?")
_PAGES = re.compile(r"\b(?:Pages?(?:\(s\))?|pgs?\.|pp?\.)\s*:?\s*((?:\d+\s*(?:-\s*\d+)?\s*(?:,|and|&)?\s*)+)", re.I)
# "ACOEM Occupational Medicine Practice Guidelines, 3rd ed., Shoulder Disorders": the topic is what follows
_ACOEM_TITLE = re.compile(
    r"^[\s,]*(?:Occupational\s+Medicine\s+)?(?:Practice\s+)?Guidelines?,?\s*(?:\d(?:st|nd|rd|th)\s+(?:ed\.?|edition),?)?",
    re.I,
)
_MAX_PAGE_RANGE = 200


# Patterns the per-citation helpers use, compiled once.
_LINE_HYPHEN = re.compile(r"(?<=\w)-[ \t]*\n\s*(?=\w)")
_EDGE_PUNCTUATION = re.compile(r"^[\s,;:.\-]+|[\s,;:]+$")
_TRAILING_AND = re.compile(r"(?:,?\s*\band)$")
_TRAILING_STOP = re.compile(r"\.$")
_PART_TAIL = re.compile(r"^\s*(?:Medical\s+)?Treatment\b|^\s*(?:Guidelines?|Complaints)\b", re.I)
_GUIDELINES_WORD = re.compile(r"^\s*Guidelines?\b", re.I)
_SECTION_LABEL = re.compile(r"Sections?(?:\(s\))?\s*:", re.I)
_NO_WORDS = re.compile(r"(?:and|,|\.|\s)*", re.I)


def fold_guideline(text: str | None) -> str | None:
    """A guideline line as printed, white space folded; a word hyphenated over a line break is rejoined."""
    if text is None:
        return None
    folded = " ".join(_LINE_HYPHEN.sub("-", text).split())
    return folded or None


def expand_pages(text: str) -> list[int]:
    """'18-19, 49' gives [18, 19, 49]."""
    pages: list[int] = []
    for first, last in re.findall(r"(\d+)\s*(?:-\s*(\d+))?", text):
        start = int(first)
        end = int(last) if last else start
        if end < start or end - start > _MAX_PAGE_RANGE:
            end = start
        pages.extend(p for p in range(start, end + 1) if p not in pages)
    return pages


@cache
def _part_pattern() -> re.Pattern:
    variants = sorted((v for v, _ in mtus_parts()), key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(map(re.escape, v.split())) for v in variants)
    return re.compile(r"(?<![\w-])(?:the\s+)?(?:ACOEM\s+)?(" + alternatives + r")(?![\w-])", re.I)


@cache
def _chapters() -> dict[str, str]:
    return dict(mtus_parts())


def _chapter(variant: str) -> str:
    return _chapters()[" ".join(variant.lower().split())]


def _strip_edges(text: str) -> str | None:
    text = " ".join(text.split())
    text = _EDGE_PUNCTUATION.sub("", text)
    text = _TRAILING_AND.sub("", text).strip()
    text = _TRAILING_STOP.sub("", text).strip(" ,;")
    return text or None


def _mtus_citations(body: str) -> list[dict]:
    """One citation per MTUS part named: the first at the start, more after ', and' with a year or 'Complaints'."""
    pattern = _part_pattern()
    starts = []
    first = pattern.match(body.lstrip(" :,"))
    offset = len(body) - len(body.lstrip(" :,"))
    if first:
        starts.append((offset + first.start(1), offset + first.end(1), first.group(1)))
    for match in pattern.finditer(body):
        if starts and match.start(1) <= starts[-1][1]:
            continue
        before = body[: match.start()]
        after = body[match.end() :]
        joined = re.search(r"(?:,\s*and|\band|;|,)\s*$", before)
        named_part = re.match(
            r"\s*,?\s*\(?(?:19|20)\d{2}|\s+(?:complaints|guidelines|treatment)", after, re.I
        ) or re.search(r"complaints|guidelines|treatment|disorders", match.group(1), re.I)
        if joined and named_part and not re.search(r"Section\(s\):\s*[^,]*$", before[-60:]):
            starts.append((match.start(1), match.end(1), match.group(1)))
    if not starts:
        anywhere = pattern.search(body)
        chapter = _chapter(anywhere.group(1)) if anywhere else None
        return [_mtus_piece(chapter, body if not anywhere else body[anywhere.end() :])]
    citations = []
    for i, (_, end, variant) in enumerate(starts):
        stop = starts[i + 1][0] if i + 1 < len(starts) else len(body)
        citations.append(_mtus_piece(_chapter(variant), body[end:stop]))
    return citations


def _mtus_piece(chapter: str | None, rest: str) -> dict:
    rest = _YEAR.sub("", rest)
    rest = _PART_TAIL.sub("", rest)
    rest = _GUIDELINES_WORD.sub("", rest)
    rest = _YEAR.sub("", rest)
    pages: list[int] = []
    page_match = _PAGES.search(rest)
    if page_match:
        pages = expand_pages(page_match.group(1))
        rest = rest[: page_match.start()]
    section_match = _SECTION_LABEL.search(rest)
    section = _strip_edges(rest[section_match.end() :] if section_match else rest)
    if section and _NO_WORDS.fullmatch(section):
        section = None
    return {"source": "MTUS", "chapter": chapter, "section": section, "pages": pages}


def _non_mtus_citation(body: str) -> dict:
    body = re.sub(r"^\s*Non-?\s*MTUS\s+(?:Citations?)?\s*:?", "", body, flags=re.I)
    body = re.sub(r"^\s*(?:and\s+)?(?:other\s+medical\s+treatment\s+guidelines?\s*:?)?", "", body, flags=re.I)
    pages: list[int] = []
    page_match = _PAGES.search(body)
    if page_match:
        pages = expand_pages(page_match.group(1))
    odg = _ODG.search(body)
    if odg:
        return {"source": "ODG", "chapter": None, "section": _strip_edges(_ODG.sub("", body, count=1)), "pages": pages}
    acoem = _ACOEM.search(body)
    if acoem and not _OTHER_EVIDENCE.search(body[: acoem.start()]):
        topic = _ACOEM_TITLE.sub("", body[acoem.end() :], count=1)
        page_mention = _PAGES.search(topic)
        topic = topic[: page_mention.start()] if page_mention else topic
        return {"source": "ACOEM", "chapter": None, "section": _strip_edges(topic), "pages": pages}
    source = "ODG" if _ODG_CHAPTER.match(body) and not _OTHER_EVIDENCE.search(body) else "OTHER"
    return {"source": source, "chapter": None, "section": _strip_edges(body), "pages": pages}


def _split_sources(body: str) -> list[str]:
    """A non-MTUS statement may name several sources ("ODG, Hip, MRI and Other Medical Treatment Guidelines ACOEM
    Hip and Groin Disorders"): cut before each mention of a source other than the one before it."""
    mentions = sorted(
        (m.start(), name)
        for name, pattern in (("ODG", _ODG), ("ACOEM", _ACOEM), ("OTHER", _URL))
        for m in pattern.finditer(body)
    )
    cuts, previous = [], None
    for start, name in mentions:
        if previous and name != previous:
            joint = list(re.finditer(r"\s+and\s+(?:other\s+[\w\s]{0,40}?)?|;\s*|,\s*|\.\s+", body[:start]))
            if joint and joint[-1].start() > (cuts[-1] if cuts else 0):
                cuts.append(joint[-1].start())
        previous = name
    bounds = [0, *cuts, len(body)]
    return [body[a:b] for a, b in pairwise(bounds) if body[a:b].strip()]


def _names_mtus(statement: str) -> bool:
    """'MTUS', or an MTUS part by its title ("Chronic Pain Medical Treatment Guidelines", "Low Back Complaints")."""
    return bool(_MTUS.search(statement) or (
        _part_pattern().search(statement) and re.search(r"complaints|treatment\s+guidelines", statement, re.I)))


def _statement_citations(body: str) -> list[dict]:
    if re.match(r"\s*Non-?\s*MTUS", body, re.I):
        return [_non_mtus_citation(piece) for piece in _split_sources(body)]
    mtus = _MTUS.match(body.strip())
    if mtus:
        return _mtus_citations(body.strip()[mtus.end() :])
    # Older letters name the guideline without the "Decision based on MTUS" formula.
    if _names_mtus(body):
        after = _MTUS.search(body)
        return _mtus_citations(body[after.end() :] if after else body)
    return [_non_mtus_citation(body)]


# Older letters write "The Physician Reviewer based his/her decision on the Chronic Pain Medical
# Treatment Guidelines, page 56, which are part of the MTUS."
_PROSE_PREAMBLE = re.compile(
    r"^\s*(?:The\s+)?[\w/ ]{0,40}?\bbased\s+(?:its|their|his/her|his|her)\s+decision\s+(?:up)?on\s+(?:the\s+)?", re.I
)
# Between statements: a sentence end, a semicolon, or ", and the <another source>".
_PROSE_SPLIT = re.compile(
    r";\s+|\.\s+(?=[A-Z])|(?<=MTUS),\s+and\s+(?:the\s+)?"
    r"|,?\s+and\s+(?:the\s+)?(?=Official\s+Disability|ODG\b|ACOEM|https?://|www\.)"
)
_NOT_PART_OF_MTUS = re.compile(r",?\s*which\s+(?:are|is)\s+not\s+(?:a\s+)?part\s+of\s+the\s+(?:CA\s+)?MTUS\.?", re.I)
_PART_OF_MTUS = re.compile(r",?\s*which\s+(?:are|is)\s+(?:a\s+)?part\s+of\s+the\s+(?:CA\s+)?MTUS\.?", re.I)


def _prose_statement(statement: str) -> str:
    statement = _NOT_PART_OF_MTUS.sub("", _PROSE_PREAMBLE.sub("", statement))
    if _PART_OF_MTUS.search(statement):
        statement = "MTUS " + _PART_OF_MTUS.sub("", statement)
    return statement


# "The Claims Administrator did not base their decision on the MTUS", "no section of the MTUS applied"
_DENIES_MTUS = re.compile(r"\b(?:no\s+section|not\s+(?:base|address|cover|apply|applicable)|does\s+not|did\s+not)\b",
                          re.I)


def _cites_something(statement: str) -> bool:
    """Whether a prose statement names evidence, rather than saying none was cited or the MTUS did not apply."""
    if not statement.strip() or _NOTHING_CITED.search(statement):
        return False
    outside_mtus = bool(_ODG.search(statement) or _ACOEM.search(statement) or _OTHER_EVIDENCE.search(statement))
    return outside_mtus or (_names_mtus(statement) and not _DENIES_MTUS.search(statement))


def parse_citations(text: str | None) -> list[dict]:
    if not text:
        return []
    statements = [s for s in _STATEMENT.split(text)[1:] if s.strip()]
    if not statements:
        statements = [_prose_statement(s) for s in _PROSE_SPLIT.split(text) if _cites_something(s)]
    citations: list[dict] = []
    for statement in statements:
        citations.extend(_statement_citations(statement))
    return citations
