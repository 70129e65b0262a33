"""A disputed item as written ("Norco 10/325mg #60", "Physical therapy 2 times a week for 6 weeks")
to its DWC category and subcategory, drug, strength and quantity.

The names and rules come from the CSV files in etl/reference/, so users extend them without code.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from etl.parse.drugs import drug_pattern, drugs_in
from etl.parse.quantities import quantity
from etl.reference import Drug, service_rules

__all__ = ["Item", "classify", "quantity", "service_words", "strength"]  # quantity: classify.quantity as before


@dataclass(frozen=True)
class Item:
    category: str
    subcategory: str | None
    drug_generic: str | None
    strength: str | None
    quantity: int | None
    classified_by: str | None = None  # the reference row or rule that decided category and subcategory


# Words that place a request (when, why, alongside what) without naming the service: set aside before
# classifying, so "Associated surgical service: Shoulder sling" is a sling and "Pre-op labs" are labs.
_SURGICAL_CONTEXT = re.compile(
    r"^\s*(?:associated\s+surgical\s+services?|(?:pre|post|peri)[- ]?(?:op(?:erative(?:ly)?)?|surg(?:ical|ery)))\b"
    r"\s*[:,-]?\s*",
    re.I,
)
_CONTEXT = (
    re.compile(r"^\s*(?:retrospective|retro|prospective|concurrent)(?:\s+(?:request|review))?(?:\s+for)?\b\s*[:,-]?\s*",
               re.I),
    re.compile(r"^\s*(?:the\s+)?request(?:ed)?\s+(?:for|of)\s+", re.I),
    # "Labs to include: EKG": the service is what the list names
    re.compile(r"^\s*[\w/ -]{0,30}?\b(?:to\s+include|including|consisting\s+of)\s*:\s*(?=\S)", re.I),
    _SURGICAL_CONTEXT,
)
# Dates of service, what the request follows or precedes ("(DOS 12/29/16)", "[following TPII]"), and
# what a visit is for ("Pain management referral for consideration of epidural steroid injection"), unless
# that is an operation.
_ASIDES = re.compile(
    r"[(\[]\s*(?:DOS|date\s+of\s+service|following|after|before|prior\s+to)\b[^)\]]*[)\]]"
    r"|\bDOS:?\s*\d{1,2}/\d{1,2}/\d{2,4}"
    r"|(?<=\w)\s+(?:for|regarding)\s+(?:a\s+|the\s+)?(?:possible|potential|consideration\s+of|discussion\s+of)\b"
    r"(?!.*surg).*$",  # "for possible surgery" is what makes a visit a surgical consult: kept
    re.I,
)


def service_words(treatment: str) -> tuple[str, bool]:
    """The words of a request that name the service, and whether it was set in a surgical context."""
    text, surgical = _ASIDES.sub(" ", treatment), False
    changed = True
    while changed:
        changed = False
        for pattern in _CONTEXT:
            rest = pattern.sub("", text, count=1)
            if rest != text and rest.strip():
                surgical = surgical or pattern is _SURGICAL_CONTEXT
                text, changed = rest, True
    return " ".join(text.split()), surgical


_TOPICAL_FORM = re.compile(
    r"\b(?:cream|gel|ointment|lotion|liniment|topical|compound(?:ed)?|rub|(?<!nasal )spray|solution|"
    r"emulsion)\b|\d\s*%",
    re.I,
)
_DOSAGE = re.compile(r"\d\s*(?:mg|mcg)\b|\b(?:tabs?|tablets?|capsules?|caps|softgels?|suspension|syrup)\b", re.I)
_PATCH = re.compile(r"\bpatch(?:es)?\b", re.I)

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


def strength(text: str) -> str | None:
    match = _STRENGTH.search(text)
    return " ".join(match.group(1).split()) if match else None


def _pharmaceutical(text: str, found: list[Drug]) -> Item:
    form = drug_pattern().sub(" ", text)  # the form words outside the names: "Gel-One" is no gel
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
    by = "drugs.csv: " + ", ".join(drug.name for drug in found)
    if topical and drug_class != found[0].drug_class:
        by += " (applied to the skin)"
    return Item("Pharmaceuticals", drug_class, generic, None if compound_strength else strength(text),
                quantity(text), by)


# A product the drug list does not know yet: Pharmaceuticals all the same, class from its form when that tells.
_PRODUCT_FORM = re.compile(r"\b(?:cream|gel|ointment|lotion|liniment|patch(?:es)?|kit|compound(?:ed)?|topical)\b"
                           r"|\d\s*%", re.I)
# "Pentoxifylline 400mg": a name followed by its dose is the generic; a brand or a word of the request is not.
_NAME_AND_DOSE = re.compile(r"([a-z][a-z-]{3,})\s+\d+(?:\.\d+)?\s*(?:mg|mcg)\b", re.I)
_NOT_A_NAME = re.compile(r"compound\w*|topical|cream|retro\w*|prospective|request|unknown|generic|oral", re.I)


def _unknown_product(service: str, count: int | None) -> Item:
    named = _NAME_AND_DOSE.match(service)
    generic = named.group(1).lower() if named and not _NOT_A_NAME.fullmatch(named.group(1)) else None
    if _TOPICAL_FORM.search(service) or _PATCH.search(service) or re.search(r"\bkit\b", service, re.I):
        several = len(re.findall(r"\d\s*%", service)) > 1 or re.search(r"compound|\bkit\b", service, re.I)
        drug_class, generic = ("Topical Compounds" if several else "Topical Analgesics"), None
    else:
        drug_class = "Other"
    return Item("Pharmaceuticals", drug_class, generic, strength(service), count,
                "a medication form or dose, with no drug in drugs.csv")


def _by_rule(text: str, stage: str) -> tuple[str, str | None, str] | None:
    for rule in service_rules():
        if rule.stage == stage and rule.pattern.search(text):
            return rule.category, rule.subcategory, f"service_rules.csv: line {rule.line}"
    return None


@lru_cache(maxsize=8192)  # the same requests recur across letters
def classify(treatment: str) -> Item:
    """Category, subcategory, drug, strength and count of a request, decided by the service it names
    once context words are set aside, and recorded with the row or rule that decided it."""
    count = quantity(treatment)
    service, surgical = service_words(treatment)
    rule = _by_rule(service, "before_drugs")
    if rule:
        return Item(rule[0], rule[1], None, None, count, rule[2])
    found = drugs_in(service)
    if found:
        return _pharmaceutical(service, found)
    rule = _by_rule(service, "after_drugs")
    if rule:
        return Item(rule[0], rule[1], None, None, count, rule[2])
    if _DOSAGE.search(service) or _PRODUCT_FORM.search(service):
        return _unknown_product(service, count)
    if surgical:  # a service of the operation that no rule names more closely
        return Item("Surgery", "Adjunct Surgical Services", None, None, count, "its surgical context")
    return Item("Other", None, None, None, count, "no rule or drug matched")
