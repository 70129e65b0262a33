"""Why the reviewer ruled: the reason codes a decision rationale states.

The codes and the rules for applying them are ../shared/spec/decision-reasons.md. The words
are easy; the work is knowing whether the reviewer applies them to this patient. So the
rationale is read sentence by sentence: recited guideline text (a long quote, or a sentence
that says nothing of this patient, the request or the records) is not a finding, and most
patterns count only in findings. The phrase patterns themselves, with their
negations ("no evidence of ... red flags", not "evidence of red flags"), live in
etl/reference/reason_patterns.csv, in order of specificity: a match that overlaps the span of
an earlier (more specific) code's match is not counted again for a later, more generic code.

Pure: no I/O beyond the cached reference CSV.
"""

import re
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from etl.reference import WORD, ReasonPattern, fold_case, negates, reason_patterns, required_words
from etl.vocab import OVERTURNED_REASON_CODES

# A sentence ends at . ! or ? followed by space and a capital, a quote or a bracket; not after
# the abbreviations reviewers use in the middle of a sentence.
_SENTENCE_END = re.compile(
    r"(?<=[.!?])[\"”']?\s+(?=[\"“(\[]?[A-Z0-9])"
    # a full stop lost in extraction: a sentence-opening word, capitalised, straight after a lower-case word
    r"|(?<=[a-z])\s+(?=(?:When|However|There|Therefore|Thus|Furthermore|Additionally|Moreover)\s)"
)
_ABBREVIATION = re.compile(
    r"(?:\b(?i:e\.g|i\.e|vs|v|Dr|Mr|Mrs|Ms|No|Nos|Fig|al|approx|etc|St|Jr|Sr|mg|U\.S|p|pp|cf|ca)|(?:^|[\s(])[A-Z])\.$"
)
# A quoted stretch this long is guideline text the reviewer recites, not a finding.
_LONG_QUOTE = 60
# Words that tie a sentence to this patient or this request: the sentence then applies the guideline.
_APPLIED = re.compile(
    r"\b(?:the|this|our|said)\s+(?:(?!MTUS|ODG|ACOEM|CA\b|guidelines?\b)[\w-]+\s+)?(?:patient|claimant|examination|exam|injured\s+worker|applicant|employee|individual|worker|member|"
    r"records?|request|requested|documentation|progress\s+notes?|notes?|reports?|case|file|provider|physician)\b"
    r"|\b(?:he|she|his|her|him|hers)\b|\bpatient's\b|\bclaimant's\b|\bworker's\b|\bapplicant's\b"
    r"|\b(?:was|were|had|did|absent|additional|further|here|noted|ago|despite)\b|\b(?:has|have)\s+not\s+been\s+(?:exhausted|met|documented|tried|attempted|provided|established|completed|noted|submitted)\b|\b(?:has|have)\s+not\s+been\s+(?:demonstrated|shown)\b(?!\s+to\b)|\bon\s+(?:physical\s+)?exam|\b(?:would|will)\s+not\b|\bnot\s+(?:established|warranted|substantiated)\b"
    r"|\bit\s+(?:is|was)\s+(?:not\s+clear|unclear|uncertain|not\s+evident)\b|\bprescribed\b|\bnon-?certif\w*|\bdenied\b|\bin\s+this\s+case\b|\bsubmitted\b|\bprovided\b|\bfor\s+review\b|\brequested\b|\bthere\s+(?:is|was|were|are|has\s+been|have\s+been)\s+"
    r"(?:no|a\s+lack|lack|insufficient|not|little|limited)\b|\black\s+of\b|\bno\s+(?:evidence|documentation|indication)\b"
    r"|\b(?:the|this|that)\s+(?:\w+\s+)?request\b|\ban?\s+request\s+for\b|\badditional\s+(?:\d+\s+)?(?:\w+\s+){0,2}(?:sessions|visits)"
    r"|\bnot\s+(?:documented|provided|noted|specified)\b|\b(?:therefore|thus|hence|as\s+such|given\s+the)\b",
    re.I,
)
# Words that are each a whole match of _APPLIED: most findings hold one, found without the slow search.
_APPLIED_WORDS = frozenset(
    ("he", "she", "his", "her", "him", "hers", "was", "were", "had", "did", "absent", "additional", "further",
     "here", "noted", "ago", "despite", "prescribed", "denied", "submitted", "provided", "requested",
     "therefore", "thus", "hence")
)


# How far the evidence reaches for the start and the end of its clause ("There was a lack of ...").
_CLAUSE_REACH = 60
_CLAUSE_END = re.compile(r"[,;:]|[.!?](?:\s|$)")
# The code for "the records do not say enough": only when no other reason names what is missing.
_GENERIC = "insufficient_documentation"
_CLAUSE_BREAK = re.compile(r";|,?\s+nor\s+|,\s+and\s+(?:also\s+)?(?=there\b)")


_TOPIC_LEAD = re.compile(
    r"^\s*(?:regarding|as\s+for|with\s+regard\s+to|in\s+regard\s+to|concerning)\b[^,]{0,150},", re.I
)


# A sentence that opens with a condition ("When the exam is unclear, ...") states the guideline's rule.
_CONDITION_LEAD = re.compile(r"\s*(?:when|if|unless|in\s+patients|for\s+patients|patients)\b", re.I)


@dataclass
class Sentence:
    start: int
    text: str
    quoted: bool  # mostly a long quote of the guideline
    lead: int  # where the sentence's own words begin, after a "Regarding the request for X," that names the topic
    own_text: str  # what the sentence says outside its long quotes and its topic lead

    @cached_property
    def recited(self) -> bool:
        """Guideline text the reviewer recites, not a statement about this patient: decided by what the
        sentence says outside its quotes, and only for sentences where a pattern could match (it is slow)."""
        if self.quoted or _CONDITION_LEAD.match(self.own_text):
            return True
        applied = not _APPLIED_WORDS.isdisjoint(WORD.findall(fold_case(self.own_text)))
        return not applied and _APPLIED.search(self.own_text) is None


def sentences(rationale: str) -> list[Sentence]:
    """The rationale's sentences with their offsets, each marked recited or not."""
    quotes = _long_quotes(rationale)
    out: list[Sentence] = []
    start = 0
    for m in _SENTENCE_END.finditer(rationale):
        if _ABBREVIATION.search(rationale[max(start, m.start() - 12) : m.start()]) or _inside(m.end(), quotes):
            continue
        out.append(_sentence(rationale, start, m.start(), quotes))
        start = m.end()
    if start < len(rationale):
        out.append(_sentence(rationale, start, len(rationale), quotes))
    return out


def _long_quotes(rationale: str) -> list[tuple[int, int]]:
    """Spans of long quotations. A mark after a space opens, any other closes; a quote the
    reviewer never closed (the next mark opens again) ends with its first sentence."""
    out: list[tuple[int, int]] = []
    opened: int | None = None
    for m in re.finditer(r"[\"“”]", rationale):
        i = m.start()
        if m.group() == "“" or (m.group() == '"' and (i == 0 or rationale[i - 1] in " \t\n(;:,")):
            if opened is not None:
                out.append((opened, _first_sentence_end(rationale, opened, i)))
            opened = i
        elif opened is not None:
            out.append((opened, i + 1))
            opened = None
    if opened is not None:
        out.append((opened, _first_sentence_end(rationale, opened, len(rationale))))
    return [(a, b) for a, b in out if b - a > _LONG_QUOTE]


def _first_sentence_end(rationale: str, start: int, limit: int) -> int:
    end = _SENTENCE_END.search(rationale, start, limit)
    return end.start() if end else limit


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a < pos < b for a, b in spans)


def _sentence(rationale: str, start: int, end: int, quotes: list[tuple[int, int]]) -> Sentence:
    text = rationale[start:end]
    own, pos = [], start  # what the sentence says outside its long quotes
    for a, b in quotes:
        if a < end and b > start:
            own.append(rationale[pos : max(pos, a)])
            pos = max(pos, min(b, end))
    own.append(rationale[pos:end])
    # "Regarding the request for X, <guideline>" names the topic; it neither applies the guideline
    # nor states a reason (the X may be "MRI without contrast").
    topic = _TOPIC_LEAD.match(text)
    own_text = " ".join(own)
    quoted = len(own_text.strip()) < len(text) / 2
    own_text = _TOPIC_LEAD.sub("", own_text, count=1)
    return Sentence(start, text, quoted, topic.end() if topic else 0, own_text)


def read_reasons(rationale: str, outcome: str) -> list[dict]:
    """The reasons a decision's rationale states: [{"code", "evidence"}], evidence verbatim from the rationale."""
    if not rationale or not rationale.strip():
        return []
    upheld = outcome != "overturned"
    found: dict[str, tuple[int, int]] = {}
    alone: dict[str, tuple[int, int]] = {}
    recited_evidence: set[str] = set()
    rows = _rows(reason_patterns(), upheld)
    for s in sentences(rationale):
        matches: dict[str, tuple[str, tuple[int, int]]] = {}
        if s.quoted:
            continue  # no row counts in a quotation of the guideline
        negated: bool | None = None  # whether the sentence negates, found when a row needs it
        # Which rows' key words the sentence has, found once: a row without any cannot match.
        folded = fold_case(s.text)
        candidates = _candidates(rows, folded)
        if candidates and s.recited:
            candidates = [p for p in candidates if p.scope == "anywhere"]  # the rows that count in recited text
        for p in candidates:
            if p.code in matches:
                continue
            if p.negated or p.branches:
                if negated is None:
                    negated = negates(s.text, s.lead)
                if not negated and p.negated:
                    continue
            if p.branches:
                m = _first_branch_match(p, s, folded, negated)
            elif p.prefilter is not None and p.prefilter.search(s.text, s.lead) is None:
                continue
            else:
                m = p.pattern.search(s.text, s.lead)
            if m is None or (p.unless is not None and p.unless.search(s.text)):
                continue
            span = (s.start + m.start(), s.start + m.end())
            if any(a < span[1] and span[0] < b for _, (a, b) in matches.values()):
                continue  # a more specific code (earlier in the file) already states this reason
            matches[p.code] = (p.scope, span)
        if _GENERIC in matches and _beside_another(s, matches):
            del matches[_GENERIC]  # missing details beside a named reason are that reason's detail
        for code, (scope, span) in matches.items():
            target = alone if scope == "alone" else found
            # the evidence: the first finding that states the reason, recited text only when no finding does
            if code not in target or (code in recited_evidence and not s.recited):
                target[code] = span
                if s.recited:
                    recited_evidence.add(code)
                else:
                    recited_evidence.discard(code)
    if not found:
        found = alone
    if not upheld and "criteria_met" not in found and "other" not in found:
        found["criteria_met"] = _conclusion(rationale)
    if upheld and not found:
        found["criteria_not_met"] = _conclusion(rationale)
    return [{"code": code, "evidence": _evidence(rationale, a, b)} for code, (a, b) in
            sorted(found.items(), key=lambda kv: kv[1])]


def _first_branch_match(p: ReasonPattern, s: "Sentence", folded: str, negated: bool) -> re.Match | None:
    """The pattern's match, from searching only the alternatives whose quick tests pass: the leftmost
    of their matches, the first alternative on a tie, as the whole pattern's search would give."""
    best = None
    for branch in p.branches:
        if branch.negated and not negated:
            continue
        if branch.keywords is not None and not any(word in folded for word in branch.keywords):
            continue
        if branch.prefilter is not None and branch.prefilter.search(s.text, s.lead) is None:
            continue
        m = branch.pattern.search(s.text, s.lead)
        if m is not None and (best is None or m.start() < best.start()):
            best = m
    return best


class _RowIndex(NamedTuple):
    """Rows in file order, found from a sentence's key words instead of testing every row per sentence.
    A row's gates are its pattern's key words and its prefilter's: the row can match only where each
    gate has one of its words."""
    rows: list[ReasonPattern]
    finder: re.Pattern  # the longest of the gates' words at each position
    opens_row: dict[str, frozenset[int]]  # per word found: the rows with one gate that it opens
    opens_gate: dict[str, frozenset[tuple[int, int]]]  # per word found: the (row place, gate) pairs of the others
    gates: list[int]  # how many gates each row has
    ungated: frozenset[int]  # rows without any: tried in every sentence


# The rows that can apply to an outcome, per (pattern list, upheld), built once per list: the list and its rows.
_ROWS: dict[tuple[int, bool], tuple[list[ReasonPattern], _RowIndex]] = {}


def _rows(patterns: list[ReasonPattern], upheld: bool) -> _RowIndex:
    cached = _ROWS.get((id(patterns), upheld))
    if cached is not None and cached[0] is patterns:
        return cached[1]
    rows = _row_index([p for p in patterns if (p.code in OVERTURNED_REASON_CODES) != upheld or p.code == "other"])
    if len(_ROWS) >= 8:  # a caller passing new lists (a test's own rows) must not grow this without end
        _ROWS.clear()
    _ROWS[(id(patterns), upheld)] = (patterns, rows)
    return rows


def _row_index(rows: list[ReasonPattern]) -> _RowIndex:
    gates = [
        [words for words in (p.keywords, required_words(p.prefilter) if p.prefilter else None) if words is not None]
        for p in rows
    ]
    words = frozenset(word for row in gates for gate in row for word in gate)
    opened_by = {word: set() for word in words}
    for place, row in enumerate(gates):
        for number, gate in enumerate(row):
            for word in gate:
                opened_by[word].add((place, number))
    by_word = {word: frozenset().union(*(opened_by[w] for w in words if word.startswith(w))) for word in words}
    opens_row = {word: frozenset(place for place, _ in pairs if len(gates[place]) == 1)
                 for word, pairs in by_word.items()}
    opens_gate = {word: frozenset(pair for pair in pairs if len(gates[pair[0]]) > 1) for word, pairs in by_word.items()}
    ungated = frozenset(place for place, row in enumerate(gates) if not row)
    return _RowIndex(rows, _word_finder(words), opens_row, opens_gate, [len(row) for row in gates], ungated)


def _word_finder(words: frozenset[str]) -> re.Pattern:
    """One pass that finds, at every position, the longest of the words starting there, as a trie so the
    engine tries few letters per position (the words that are its prefixes are there too)."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def alternation(node: dict) -> str:
        branches = [re.escape(ch) + alternation(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body  # greedy: the longest word first

    return re.compile(f"(?=({alternation(trie)}))")


def _candidates(index: _RowIndex, folded: str) -> list[ReasonPattern]:
    """The rows, in file order, that can match a sentence: those whose every gate has a word in it."""
    places = set(index.ungated)
    opened: set[tuple[int, int]] = set()
    for longest in set(index.finder.findall(folded)):
        places |= index.opens_row[longest]
        opened |= index.opens_gate[longest]
    for place, gate in opened:
        if gate == 0 and all((place, number) in opened for number in range(1, index.gates[place])):
            places.add(place)
    return [index.rows[i] for i in sorted(places)]


def _beside_another(s: Sentence, matches: dict[str, tuple[str, tuple[int, int]]]) -> bool:
    """Whether another code matched in the same clause as the generic one ("nor" and ";" part clauses)."""
    def clause(pos: int) -> int:
        return len(_CLAUSE_BREAK.findall(s.text, 0, pos - s.start))

    generic = clause(matches[_GENERIC][1][1])
    return any(clause(span[1]) == generic for code, (_, span) in matches.items() if code != _GENERIC)


def _evidence(rationale: str, start: int, end: int) -> str:
    """The matched words widened to their clause (back to its start, on to its end) when that is near."""
    clause = max(rationale.rfind(c, 0, start) for c in ",;:.")
    if clause >= 0 and start - clause <= _CLAUSE_REACH:
        start = clause + 1
    elif clause < 0 and start <= _CLAUSE_REACH:
        start = 0
    stop = _CLAUSE_END.search(rationale, end)
    stop_at = stop.start() if stop else len(rationale)
    if stop_at - end <= _CLAUSE_REACH:
        end = stop_at
    while end < len(rationale) and rationale[end].isalnum():
        end += 1
    return rationale[start:end].strip(" ,;:.\"")


def _conclusion(rationale: str) -> tuple[int, int]:
    """The span of the last sentence, where the reviewer concludes: the evidence when no phrase names the reason."""
    last = sentences(rationale)[-1]
    return last.start, last.start + len(last.text)
