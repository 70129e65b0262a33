"""The expert reviewer: licence states and board specialties."""

import re
from difflib import get_close_matches

from etl.parse.text import fold
from etl.reference import specialty_variants, state_codes

_SECTION_STOP = (
    r"(?=CLINICAL\s+CASE\s+SUMMARY|DOCUMENTS\s+REVIEWED|Case\s+Summary|CASE\s+SUMMARY|ISSUE\s+AT\s+DISPUTE"
    r"|The\s+expert\s+reviewer\s+developed|State\(s\)\s+of\s+Licensure|Certification\(s\)|\n\s*\n\s*\S+[^\n]*:\s*\n|$)"
)


def license_states(text: str) -> list[str]:
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


def specialties(text: str) -> list[str]:
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
        if names[0] is None:  # two specialties on one line: "Internal Medicine/Pain Management"
            names = [canonical_specialty(part) for part in re.split(r"/|&|\band\b|\s-\s", piece)]
        for name in names:
            if name and name not in specialties:
                specialties.append(name)
    return specialties

