"""The parser over the 40 real letters in ../shared, scored against their hand labels with the rules of
../shared/tools/score_parse.py (its own `same`, imported, so the two cannot drift apart)."""

import importlib.util
import json
from collections import Counter
from pathlib import Path

import pytest

from etl.parse import parse_file

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REAL = SHARED / "letters" / "real-dev"
SCORER = SHARED / "tools" / "score_parse.py"
OUTCOME_FLOOR, FIELD_FLOOR = 0.99, 0.95
STRICT_FIELDS = ("decision_count", "outcome")

pytestmark = [
    pytest.mark.real_letters,
    pytest.mark.skipif(
        not (REAL / "labels.jsonl").is_file() or not SCORER.is_file(),
        reason="../shared/letters/real-dev or ../shared/tools/score_parse.py is absent",
    ),
]


def load_scorer():
    spec = importlib.util.spec_from_file_location("score_parse", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scores() -> tuple[Counter, Counter, dict[str, list[str]]]:
    scorer = load_scorer()
    labels = [json.loads(line) for line in (REAL / "labels.jsonl").read_text().splitlines() if line.strip()]
    hits, totals, misses = Counter(), Counter(), {}

    def score(field: str, ok: bool, where: str, got, want) -> None:
        totals[field] += 1
        hits[field] += ok
        if not ok:
            misses.setdefault(field, []).append(f"{where}: got={got!r} want={want!r}")

    for label in labels:
        case = label["case_number"]
        got = parse_file(REAL / f"{case}.pdf")
        if label.get("error"):
            score("rejections", bool(got.get("error")), case, got.get("error"), label["error"])
            continue
        for field in scorer.LETTER_FIELDS:
            score(field, scorer.same(field, got.get(field), label.get(field)), case, got.get(field), label.get(field))
        got_decisions, want_decisions = got.get("decisions") or [], label["decisions"]
        count_ok = len(got_decisions) == len(want_decisions)
        score("decision_count", count_ok, case, len(got_decisions), len(want_decisions))
        for i, want in enumerate(want_decisions):
            have = got_decisions[i] if i < len(got_decisions) else {}
            for field in scorer.DECISION_FIELDS:
                ok = scorer.same(field, have.get(field), want.get(field), want.get("alt"))
                score(field, ok, f"{case}#{i + 1}", have.get(field), want.get(field))
    return hits, totals, misses


def test_every_real_letter_is_scored(scores):
    _, totals, _ = scores
    assert totals["case_number"] + totals["rejections"] == len(list(REAL.glob("*.pdf"))) == 40


def test_decision_count_and_outcome_are_near_perfect(scores):
    hits, totals, misses = scores
    for field in STRICT_FIELDS:
        accuracy = hits[field] / totals[field]
        assert accuracy >= OUTCOME_FLOOR, f"{field} {accuracy:.1%}:\n  " + "\n  ".join(misses[field][:10])


def test_every_other_field_is_at_least_95_percent(scores):
    hits, totals, misses = scores
    low = {f: hits[f] / totals[f] for f in totals if f not in STRICT_FIELDS and hits[f] / totals[f] < FIELD_FLOOR}
    details = [f"{f} {acc:.1%}: " + "; ".join(misses[f][:5]) for f, acc in sorted(low.items())]
    assert not low, "\n".join(details)
