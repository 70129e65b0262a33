"""A disputed item as written ("Norco 10/325mg #60", "Physical therapy 2 times a week for 6 weeks")
to its DWC category and subcategory, drug, strength and quantity.

The names and rules come from the CSV files in etl/reference/, so users extend them without code.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from etl.parse.drugs import drug_pattern, drugs_in, first_drug_name
from etl.parse.quantities import quantity
from etl.reference import Drug, service_rules

__all__ = ["Item", "classify", "first_drug_name", "quantity", "strength"]


@dataclass(frozen=True)
class Item:
    category: str
    subcategory: str | None
    drug_generic: str | None
    strength: str | None
    quantity: int | None


_TOPICAL_FORM = re.compile(
    r"\b(?:cream|gel|ointment|lotion|liniment|topical|compound(?:ed)?|rub|spray|solution|"
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
    return Item("Pharmaceuticals", drug_class, generic, None if compound_strength else strength(text), quantity(text))


@lru_cache(maxsize=8192)  # the same requests recur across letters
def classify(treatment: str) -> Item:
    rules = service_rules()
    for rule in rules:
        if rule.stage == "before_drugs" and rule.pattern.search(treatment):
            return Item(rule.category, rule.subcategory, None, None, quantity(treatment))
    found = drugs_in(treatment)
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
