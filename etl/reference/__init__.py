"""Reference data as plain CSV files that a user can extend without touching code.

Each loader validates every row against etl/vocab.py and raises ValueError naming the
file, the line and the problem, so a mistake in a hand-edited CSV is easy to find.
The csv module (not polars) keeps importing this module cheap.
"""

import csv
import functools
import re
from collections.abc import Container, Iterator
from dataclasses import dataclass
from pathlib import Path
from re import _constants as re_constants  # re's own parse of a pattern, for required_words
from re import _parser as re_parser

from etl.vocab import DRUG_CLASSES, MTUS_CHAPTERS, SERVICE_SUBCATEGORIES, SPECIALTIES

DIR = Path(__file__).parent

DRUG_FORMS = ("brand", "generic", "compound", "kit", "medical food")
RULE_STAGES = ("before_drugs", "after_drugs")


@dataclass(frozen=True)
class Drug:
    name: str
    generic: str
    drug_class: str
    form: str


@dataclass(frozen=True)
class ServiceRule:
    stage: str
    pattern: re.Pattern
    category: str
    subcategory: str | None
    line: int  # its line in the CSV, so a decision can say which rule classified it


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) with surrounding blanks stripped; blank lines are skipped."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != columns:
            raise ValueError(f"{path}, line 1: columns are {reader.fieldnames}, expected {list(columns)}")
        for row in reader:
            if None in row or None in row.values():
                raise ValueError(f"{path}, line {reader.line_num}: expected {len(columns)} fields")
            row = {k: v.strip() for k, v in row.items()}
            if any(row.values()):
                yield reader.line_num, row


def _check(ok: bool, path: Path, line: int, problem: str) -> None:
    if not ok:
        raise ValueError(f"{path}, line {line}: {problem}")


def _lower_key(path: Path, line: int, value: str, seen: Container[str]) -> str:
    """The first column is a lookup key: it must be lower case, non-empty and unique."""
    _check(bool(value), path, line, "empty key")
    _check(value == value.lower(), path, line, f"{value!r} must be lower case")
    _check(value not in seen, path, line, f"duplicate {value!r}")
    return value


def load_drugs(path: Path) -> dict[str, Drug]:
    out: dict[str, Drug] = {}
    for line, r in _rows(path, ("name", "generic", "drug_class", "form")):
        name = _lower_key(path, line, r["name"], out)
        _check(bool(r["generic"]) and r["generic"] == r["generic"].lower(), path, line,
               f"generic {r['generic']!r} must be non-empty lower case")
        _check(r["drug_class"] in DRUG_CLASSES, path, line, f"unknown drug_class {r['drug_class']!r}")
        _check(r["form"] in DRUG_FORMS, path, line, f"unknown form {r['form']!r}, expected one of {DRUG_FORMS}")
        out[name] = Drug(name, r["generic"], r["drug_class"], r["form"])
    return out


def load_specialty_variants(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line, r in _rows(path, ("variant", "specialty")):
        variant = _lower_key(path, line, r["variant"], out)
        _check(r["specialty"] in SPECIALTIES, path, line, f"unknown specialty {r['specialty']!r}")
        out[variant] = r["specialty"]
    return out


def load_mtus_parts(path: Path) -> list[tuple[str, str]]:
    out: dict[str, str] = {}
    for line, r in _rows(path, ("variant", "chapter")):
        variant = _lower_key(path, line, r["variant"], out)
        _check(r["chapter"] in MTUS_CHAPTERS, path, line, f"unknown MTUS chapter {r['chapter']!r}")
        out[variant] = r["chapter"]
    # Longest first, so "chronic pain medical treatment" wins over "chronic pain".
    return sorted(out.items(), key=lambda kv: -len(kv[0]))


def load_state_codes(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line, r in _rows(path, ("name", "code")):
        name = _lower_key(path, line, r["name"], out)
        _check(re.fullmatch(r"[A-Z]{2}", r["code"]) is not None, path, line,
               f"code {r['code']!r} must be two upper-case letters")
        out[name] = r["code"]
    return out


def load_service_rules(path: Path) -> list[ServiceRule]:
    out: list[ServiceRule] = []
    for line, r in _rows(path, ("stage", "pattern", "category", "subcategory")):
        _check(r["stage"] in RULE_STAGES, path, line, f"unknown stage {r['stage']!r}, expected one of {RULE_STAGES}")
        category, sub = r["category"], r["subcategory"] or None
        # Pharmaceuticals come from drugs.csv, never from a rule.
        _check(category in SERVICE_SUBCATEGORIES and category != "Pharmaceuticals", path, line,
               f"unknown category {category!r}")
        allowed = SERVICE_SUBCATEGORIES[category]
        if allowed:
            _check(sub in allowed, path, line, f"subcategory {sub!r} is not one of {allowed}")
        else:
            _check(sub is None, path, line, f"category {category!r} takes no subcategory, got {sub!r}")
        try:
            pattern = re.compile(r["pattern"], re.IGNORECASE)
        except re.error as e:
            raise ValueError(f"{path}, line {line}: bad regular expression: {e}") from None
        out.append(ServiceRule(r["stage"], pattern, category, sub, line))
    return out


@functools.cache
def drugs() -> dict[str, Drug]:
    """Lower-case name as written in a request (brand or generic) -> Drug."""
    return load_drugs(DIR / "drugs.csv")


@functools.cache
def specialty_variants() -> dict[str, str]:
    """Lower-case variant -> canonical specialty."""
    return load_specialty_variants(DIR / "specialties.csv")


@functools.cache
def mtus_parts() -> list[tuple[str, str]]:
    """(lower-case variant, MTUS chapter), longest variant first."""
    return load_mtus_parts(DIR / "mtus_parts.csv")


@functools.cache
def state_codes() -> dict[str, str]:
    """Lower-case full name -> USPS code."""
    return load_state_codes(DIR / "states.csv")


@functools.cache
def service_rules() -> list[ServiceRule]:
    """Non-drug treatment rules in file order; the first match within a stage wins."""
    return load_service_rules(DIR / "service_rules.csv")


# ------------------------------------------------------------------ decision reasons

# finding: only in sentences about this patient or request; anywhere: recited text too;
# alone: a finding counted only when the rationale gives no other reason (boilerplate).
REASON_SCOPES = ("finding", "anywhere", "alone")
# Shorthands a pattern in reason_patterns.csv may use, so a row reads like the wording it catches.
REASON_MACROS = {
    "neg": r"\b(?:no|not|none|nor|neither|never|without(?!\s+contrast)|absent|absence\s+of|lacks?|lacking|lack\s+of|"
    r"fail(?:s|ed)?\s+to|unable\s+to|cannot|can\s*not|did\s+not|does\s+not|do\s+not|has\s+not|have\s+not|"
    r"had\s+not|was\s+not|were\s+not|is\s+not|are\s+not|insufficient|limited|unclear|"
    r"(?:isn|wasn|doesn|didn|hasn|haven)'t|nothing)\b",
    "doc": r"(?:documentation|documented|document|evidence|indication|indicated|mention|mentioned|record|"
    r"information|report|reports|notes?|details?|discussion|findings?|history|description|support|"
    r"objective\s+evidence|clinical\s+documentation|proof)",
    "pt": r"\b(?:patient|claimant|injured\s+worker|applicant|employee|individual|worker|member|he|she|they)",
    "gap": r"(?:(?!\snor\s)[^;]){0,100}?",  # a few words within the clause ("nor" and ";" end it)
    "near": r"(?:(?!\snor\s)[^;,]){0,50}?",  # fewer words, not past a comma
}


@dataclass(frozen=True)
class ReasonBranch:
    """One top-level alternative of a pattern, with its own quick tests (see ReasonPattern)."""
    pattern: re.Pattern
    prefilter: re.Pattern | None
    negated: bool
    keywords: tuple[str, ...] | None


@dataclass(frozen=True)
class ReasonPattern:
    line: int
    code: str
    scope: str
    pattern: re.Pattern
    unless: re.Pattern | None
    # What must also match for the pattern to match (the words after its last top-level {gap} or
    # {near}): a quick test that spares the slow search in most sentences.
    prefilter: re.Pattern | None = None
    negated: bool = False  # opens with {neg}: no negation in the sentence, no match
    # Lower-case words of which every match contains one (see required_words): a sentence
    # without any of them is not searched. None: the pattern has no such words.
    keywords: tuple[str, ...] | None = None
    # A pattern with a top-level |: its alternatives, each searched only where its own quick tests
    # pass; the leftmost of their matches (the first alternative on a tie) is the pattern's match.
    branches: tuple[ReasonBranch, ...] = ()


def _top_level(text: str) -> Iterator[int]:
    """The positions of a pattern's characters outside any group, not escaped and not a bracket."""
    depth, escaped = 0, False
    for i, ch in enumerate(text):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0:
            yield i


def _top_level_branches(text: str) -> list[str]:
    """The pattern's text split at each | outside any group (a | in a character class leaves a part
    that does not compile, so such a pattern is searched whole)."""
    parts, begin = [], 0
    for i in _top_level(text):
        if text[i] == "|":
            parts.append(text[begin:i])
            begin = i + 1
    return [*parts, text[begin:]]


def _branches(text: str) -> tuple[ReasonBranch, ...]:
    parts = _top_level_branches(text)
    if len(parts) < 2:
        return ()
    out = []
    for part in parts:
        try:
            pattern = re.compile(re.sub(r"\{([a-z_]+)\}", lambda m: REASON_MACROS[m.group(1)], part), re.IGNORECASE)
        except re.error:
            return ()
        if re.search(r"\\[1-9]|\(\?P=", part):  # a back reference's group number would differ from the whole's
            return ()
        out.append(ReasonBranch(pattern, _required_tail(part), part.startswith("{neg}"), required_words(pattern)))
    return tuple(out)


def _required_tail(text: str) -> re.Pattern | None:
    """The part of a pattern after its last {gap}/{near} outside any group, when it has no top-level |."""
    cut = None
    for i in _top_level(text):
        if text[i] == "|":
            return None
        if text.startswith(("{gap}", "{near}"), i):
            cut = text.index("}", i) + 1
    if cut is None or cut >= len(text):
        return None
    tail = re.sub(r"\{([a-z_]+)\}", lambda m: REASON_MACROS[m.group(1)], text[cut:])
    try:
        return re.compile(tail, re.IGNORECASE)
    except re.error:
        return None


def required_words(pattern: re.Pattern) -> tuple[str, ...] | None:
    """Lower-case words of which every match of the pattern contains one, read from re's own parse
    of it; None when no such words are found. Test them against fold_case(text)."""
    try:
        words = _required(re_parser.parse(pattern.pattern, pattern.flags))
    except Exception:  # re's parser is internal: if it changes, search every sentence as before
        return None
    return tuple(sorted(words)) if words else None


_REPEATS = (re_constants.MAX_REPEAT, re_constants.MIN_REPEAT, re_constants.POSSESSIVE_REPEAT)


def _required(items) -> frozenset[str] | None:
    """The best (longest shortest word) of the requirements of a sequence's items; a run of literal
    characters is one word. Anything not understood requires nothing (None), which stays correct."""
    best: frozenset[str] | None = None
    run: list[str] = []

    def better(words: frozenset[str] | None) -> None:
        nonlocal best
        if words and (best is None or (min(map(len, words)), -len(words)) > (min(map(len, best)), -len(best))):
            best = words

    for op, av in items:
        if op is re_constants.LITERAL and av < 128:
            run.append(chr(av).lower())
            continue
        if run:
            better(frozenset(["".join(run)]))
            run = []
        if op is re_constants.SUBPATTERN:
            better(_required(av[-1]))
        elif op is re_constants.ATOMIC_GROUP:
            better(_required(av))
        elif op in _REPEATS and av[0] >= 1:
            better(_required(av[2]))
        elif op is re_constants.BRANCH:
            alternatives = [_required(branch) for branch in av[1]]
            if all(alternatives):
                better(frozenset().union(*alternatives))
        elif op is re_constants.IN and all(o is re_constants.LITERAL and a < 128 for o, a in av):
            better(frozenset(chr(a).lower() for _, a in av))
    if run:
        better(frozenset(["".join(run)]))
    return best


# Characters outside ASCII that re's IGNORECASE matches to an ASCII letter, and whose lower() is not it.
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def fold_case(text: str) -> str:
    """The text lower-cased so that a required word of an IGNORECASE pattern is found in it when the pattern is."""
    return text.lower() if text.isascii() else text.translate(_FOLD).lower()


def _reason_regex(path: Path, line: int, text: str, column: str) -> re.Pattern:
    unknown = sorted(set(re.findall(r"\{([a-z_]+)\}", text)) - set(REASON_MACROS))
    _check(not unknown, path, line, f"{column} uses unknown shorthands {unknown}; known: {sorted(REASON_MACROS)}")
    expanded = re.sub(r"\{([a-z_]+)\}", lambda m: REASON_MACROS[m.group(1)], text)
    try:
        compiled = re.compile(expanded, re.IGNORECASE)
    except re.error as e:
        raise ValueError(f"{path}, line {line}: bad regular expression in {column}: {e}") from None
    # An empty alternative ("a|" or "|b") matches every sentence: a typo, never intended.
    _check(compiled.search("") is None, path, line, f"{column} matches empty text, so it would match every sentence")
    return compiled


def load_reason_patterns(path: Path) -> list[ReasonPattern]:
    """Phrase patterns per reason code, in file order; {neg}, {doc}, {pt}, {gap}, {near} are shorthands."""
    from etl.vocab import REASON_CODES  # here, so the loaders above keep their own import line

    out: list[ReasonPattern] = []
    for line, r in _rows(path, ("code", "scope", "pattern", "unless")):
        _check(r["code"] in REASON_CODES, path, line, f"unknown reason code {r['code']!r}")
        _check(r["scope"] in REASON_SCOPES, path, line,
               f"unknown scope {r['scope']!r}, expected one of {REASON_SCOPES}")
        _check(bool(r["pattern"]), path, line, "empty pattern")
        unless = _reason_regex(path, line, r["unless"], "unless") if r["unless"] else None
        pattern = _reason_regex(path, line, r["pattern"], "pattern")
        out.append(ReasonPattern(line, r["code"], r["scope"], pattern, unless, _required_tail(r["pattern"]),
                                 r["pattern"].startswith("{neg}"), required_words(pattern),
                                 _branches(r["pattern"])))
    return out


NEGATION = re.compile(REASON_MACROS["neg"], re.IGNORECASE)
# Words that are each a whole match of NEGATION: a sentence holding one negates, no search needed.
NEGATION_WORDS = frozenset(
    ("no", "not", "none", "nor", "neither", "never", "absent", "lack", "lacks", "lacking", "insufficient",
     "limited", "unclear", "cannot", "nothing")
)
WORD = re.compile(r"\w+")


def negates(text: str, pos: int = 0) -> bool:
    """Whether NEGATION matches in text from pos: first by looking its one-word negations up."""
    return not NEGATION_WORDS.isdisjoint(WORD.findall(fold_case(text[pos:]))) or NEGATION.search(text, pos) is not None


@functools.cache
def reason_patterns() -> list[ReasonPattern]:
    """The phrase patterns of etl/reference/reason_patterns.csv, in file order."""
    return load_reason_patterns(DIR / "reason_patterns.csv")
