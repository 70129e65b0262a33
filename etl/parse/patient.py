"""The injured worker's age and sex, as the case summary states them."""

import re

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


def age_and_sex(summary: str) -> tuple[int | None, str | None]:
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

