"""The drug list (etl/reference/drugs.csv) as one pattern: which drugs a request names, and where."""

import re
from functools import cache

from etl.reference import Drug, drugs

# Salt and release words a request may add to a drug name ("Venlafaxine HCL ER").
_DRUG_SUFFIX = (
    r"(?:\s+(?:hcl|hydrochloride|sodium|potassium|bitartrate|er|xr|cr|sr|dr|ir|la|xl|ds|odt|extended[- ]release))*"
)


@cache
def drug_pattern() -> re.Pattern:
    names = sorted(drugs(), key=len, reverse=True)
    alternatives = "|".join(r"\s*".join(map(re.escape, name.split())) for name in names)
    return re.compile(r"(?<![a-z])(" + alternatives + r")" + _DRUG_SUFFIX + r"(?![a-z])", re.I)


def drugs_in(text: str) -> list[Drug]:
    """The drugs `text` names, in order; a drug named twice (brand and generic) counts once."""
    found: list[Drug] = []
    for match in drug_pattern().finditer(text):
        drug = drugs()[" ".join(match.group(1).lower().split())]
        # "Horizant (gabapentin enacarbil)" names one drug twice, not two drugs
        if all(drug.generic not in seen.generic for seen in found):
            found.append(drug)
    return found


def first_drug_name(text: str | None) -> str | None:
    """The generic of the first drug named in `text`, for matching a request to its modification."""
    if not text:
        return None
    found = drugs_in(text)
    return found[0].generic if found else None
