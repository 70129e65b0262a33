"""A disputed item as written ("Norco 10/325mg #60", "Physical therapy 2 times a week for 6 weeks")
to its DWC category and subcategory, drug, strength and quantity.

The names and rules come from the CSV files in etl/reference/, so users extend them without code.
"""

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from etl.reference import Drug, drugs, service_rules


@dataclass(frozen=True)
class Item:
    category: str
    subcategory: str | None
    drug_generic: str | None
    strength: str | None
    quantity: int | None


# Salt and release words a request may add to a drug name ("Venlafaxine HCL ER").
_DRUG_SUFFIX = (
    r"(?:\s+(?:hcl|hydrochloride|sodium|potassium|bitartrate|er|xr|cr|sr|dr|ir|la|xl|ds|odt|extended[- ]release))*"
)
_TOPICAL_FORM = re.compile(
    r"\b(?:cream|gel|ointment|lotion|liniment|topical|compound(?:ed)?|rub|spray|solution|"
    r"emulsion)\b|\d\s*%",
    re.I,
)
_DOSAGE = re.compile(r"\d\s*(?:mg|mcg)\b|\b(?:tabs?|tablets?|capsules?|caps|softgels?|suspension|syrup)\b", re.I)
_PATCH = re.compile(r"\bpatch(?:es)?\b", re.I)

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
_UNIT = r"(?:mg/ml|mg/hr|mcg/hr|mcg/h|mcg|mg|meq|iu|%)"
_STRENGTH = re.compile(
    r"(?<![\w.#/])(\d+(?:\.\d+)?(?:\s*"
    + _UNIT
    + r")?(?:\s*[/-]\s*\d+(?:\.\d+)?(?:\s*"
    + _UNIT
    + r")?)*\s*"
    + _UNIT
    + r"(?:\s*/\s*\d+(?:\.\d+)?\s*(?:ml|g|gm))?|\d+(?:\.\d+)?\s*(?:mg|mcg)\s*/\s*\d+(?:\.\d+)?\s*(?:g|gm|ml))(?![a-z])",
    re.I,
)


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
    text = _drug_pattern().sub(" ", text.lower()) if "#" in text else text
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


@cache
def _drug_pattern() -> re.Pattern:
    names = sorted(drugs(), key=len, reverse=True)
    alternatives = "|".join(r"\s*".join(map(re.escape, name.split())) for name in names)
    return re.compile(r"(?<![a-z])(" + alternatives + r")" + _DRUG_SUFFIX + r"(?![a-z])", re.I)


def _lookup(name: str) -> Drug:
    return drugs()[" ".join(name.lower().split())]


def _drugs_in(text: str) -> list[Drug]:
    found: list[Drug] = []
    for match in _drug_pattern().finditer(text):
        drug = _lookup(re.sub(r"\s+", " ", match.group(1)))
        # "Horizant (gabapentin enacarbil)" names one drug twice, not two drugs
        if all(drug.generic not in seen.generic for seen in found):
            found.append(drug)
    return found


def first_drug_name(text: str | None) -> str | None:
    """The generic of the first drug named in `text`, for matching a request to its modification."""
    if not text:
        return None
    found = _drugs_in(text)
    return found[0].generic if found else None


def strength(text: str) -> str | None:
    match = _STRENGTH.search(text)
    return " ".join(match.group(1).split()) if match else None


def _pharmaceutical(text: str, found: list[Drug]) -> Item:
    form = _drug_pattern().sub(" ", text)  # the form words outside the names: "Gel-One" is no gel
    topical = (bool(_TOPICAL_FORM.search(form)) and not _PATCH.search(form)) or any(
        d.drug_class in ("Topical Analgesics", "Topical Compounds") for d in found
    )
    actives = [part for drug in found for part in drug.generic.split(" / ")]
    if len(found) > 1:
        generic = " / ".join(dict.fromkeys(actives))
        drug_class = "Topical Compounds" if topical else found[0].drug_class
    else:
        drug = found[0]
        generic = drug.generic
        drug_class = drug.drug_class
        if topical and drug.drug_class not in ("Topical Analgesics", "Topical Compounds"):
            drug_class = "Topical Compounds" if len(actives) > 1 else "Topical Analgesics"
    # a compound's actives each have their own strength: it has none of its own
    compound_strength = len(actives) > 1 and drug_class == "Topical Compounds"
    return Item("Pharmaceuticals", drug_class, generic, None if compound_strength else strength(text), quantity(text))


@lru_cache(maxsize=8192)  # the same requests recur across letters
def classify(treatment: str) -> Item:
    rules = service_rules()
    for rule in rules:
        if rule.stage == "before_drugs" and rule.pattern.search(treatment):
            return Item(rule.category, rule.subcategory, None, None, quantity(treatment))
    found = _drugs_in(treatment)
    if found:
        return _pharmaceutical(treatment, found)
    for rule in rules:
        if rule.stage == "after_drugs" and rule.pattern.search(treatment):
            return Item(rule.category, rule.subcategory, None, None, quantity(treatment))
    unknown_drug = _DOSAGE.search(treatment)
    if unknown_drug:  # a medication our drug list does not know yet: its class is unknown, its name is the first word
        name = re.match(r"[A-Za-z][A-Za-z-]+", treatment.strip())
        return Item(
            "Pharmaceuticals",
            "Other",
            name.group(0).lower() if name else None,
            strength(treatment),
            quantity(treatment),
        )
    return Item("Other", None, None, None, quantity(treatment))
