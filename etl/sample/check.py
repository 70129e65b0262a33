"""Read generated letters back through extraction and the parser, field by field against their truth.

Fields scored by ../shared/tools/score_parse.py are compared by its rules (treatment by
folded text or 90% similarity, drug names as sets, citations as (source, chapter) sets);
the reasons by their codes; every other field must be equal. Used by bench/roundtrip_bench.py
and tests/test_generate.py.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from etl import vocab
from etl.extract import extract_bytes
from etl.parse import parse_extracted
from etl.sample import Progress, iter_letters

# Every field of the contract but the file's own (source_file, sha256, error) and the decisions'
# position, which the comparison walks by.
LETTER_FIELDS = tuple(f for f in vocab.LETTER_FIELDS if f not in ("source_file", "sha256", "error", "decisions"))
# The reasons are compared as sets of codes: the evidence is the reader's choice of words.
DECISION_FIELDS = (*(f for f in vocab.DECISION_FIELDS if f != "item_no"), "reasons")


def _norm_text(text: str | None) -> str:
    return " ".join(re.findall(r"[a-z0-9%/.#]+", (text or "").lower()))


def _cite_set(citations) -> set:
    return {
        (c.get("source"), c.get("chapter") if c.get("source") == "MTUS" else None)
        for c in citations or []
        if isinstance(c, dict)
    }


def _drug_set(text: str | None) -> frozenset | None:
    if not text:
        return None
    return frozenset(x.strip() for x in re.split(r"\s*/\s*|,\s*| and ", text.lower()) if x.strip())


def _codes(reasons) -> set:
    return {r.get("code") for r in reasons or [] if isinstance(r, dict)}


def _fold(value):
    return " ".join(value.split()) if isinstance(value, str) else value


def same(name: str, got, want) -> bool:
    if name == "treatment":
        a, b = _norm_text(got), _norm_text(want)
        return a == b or SequenceMatcher(None, a, b).ratio() >= 0.9
    if name in ("ca_citations", "imr_citations"):
        return _cite_set(got) == _cite_set(want)
    if name == "drug_generic":
        return _drug_set(got) == _drug_set(want)
    if name == "reasons":
        return _codes(got) == _codes(want)
    if name in ("reviewer_license_states", "reviewer_specialties"):
        return list(got or []) == list(want or [])
    return _fold(got) == _fold(want)


@dataclass
class RoundTrip:
    hits: Counter = field(default_factory=Counter)
    totals: Counter = field(default_factory=Counter)
    misses: dict[str, list[tuple[str, object, object]]] = field(default_factory=dict)
    files: int = 0

    def score(self, name: str, where: str, got, want, ok: bool) -> None:
        self.totals[name] += 1
        if ok:
            self.hits[name] += 1
        else:
            self.misses.setdefault(name, []).append((where, got, want))

    def add(self, truth: dict, parsed: dict) -> None:
        self.files += 1
        where = truth["source_file"]
        if truth.get("error"):
            self.score("rejections", where, parsed.get("error"), truth["error"], parsed.get("error") == truth["error"])
            return
        if parsed.get("error"):
            self.score("rejections", where, parsed["error"], None, False)
        for name in LETTER_FIELDS:
            self.score(name, where, parsed.get(name), truth[name], same(name, parsed.get(name), truth[name]))
        got, want = parsed.get("decisions") or [], truth["decisions"]
        self.score("decision_count", where, len(got), len(want), len(got) == len(want))
        for i, wanted in enumerate(want):
            g = got[i] if i < len(got) else {}
            for name in DECISION_FIELDS:
                self.score(name, f"{where}#{i + 1}", g.get(name), wanted[name], same(name, g.get(name), wanted[name]))

    def accuracy(self, name: str) -> float:
        return self.hits[name] / self.totals[name] if self.totals[name] else 1.0

    def table(self, show: int = 0) -> str:
        names = [*LETTER_FIELDS, "decision_count", *DECISION_FIELDS, "rejections"]
        lines = [f"{'field':24s} {'right':>7s} {'of':>7s} {'accuracy':>9s}"]
        for name in names:
            if not self.totals[name]:
                continue
            lines.append(f"{name:24s} {self.hits[name]:7d} {self.totals[name]:7d} {self.accuracy(name):9.2%}")
            for where, got, want in self.misses.get(name, [])[:show]:
                lines.append(f"    {where}: got={got!r} want={want!r}")
        worst = min((n for n in names if self.totals[n]), key=self.accuracy)
        lines.append(f"{self.files} files; worst field {worst} {self.accuracy(worst):.2%}")
        return "\n".join(lines)


def round_trip(n: int, seed: int, pdf_share: float = 0.0, progress: bool = False) -> RoundTrip:
    """Generate n letters in memory, read each back as the loader would, and score the fields."""
    result = RoundTrip()
    shown = Progress(n, "letters read back") if progress else None
    for done, letter in enumerate(iter_letters(n, seed, pdf_share), 1):
        parsed = parse_extracted(extract_bytes(letter.data, letter.file_name))
        result.add(letter.record, parsed)
        if shown:
            shown.update(done)
    return result
