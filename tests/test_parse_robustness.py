"""Real letters rewritten as extraction rewrites them must give the same record: lines wrapped at another
width, a decision heading wrapped at the item's own colon, and a last rationale that closes in other words
(which may add a warning, never a rejection). The letters are read from ../shared, never copied here."""

import re
from pathlib import Path

import pytest

from etl.extract import extract
from etl.parse import parse_text

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
FOLDERS = (SHARED / "letters" / "real-dev", SHARED / "letters" / "real-dev-2")
LETTERS = sorted(pdf for folder in FOLDERS if folder.is_dir() for pdf in folder.glob("*.pdf"))

pytestmark = [
    pytest.mark.real_letters,
    pytest.mark.skipif(not LETTERS, reason="../shared/letters/real-dev(-2) is absent"),
]


def rewrap(text: str, width: int) -> str:
    """Every line longer than `width` broken at its last space before it, as a narrower column would."""
    out = []
    for line in text.split("\n"):
        while len(line) > width and " " in line[:width]:
            cut = line.rfind(" ", 0, width)
            out.append(line[:cut])
            line = line[cut + 1 :]
        out.append(line)
    return "\n".join(out)


def heading_wrapped_at_colon(text: str) -> str:
    """"Associated surgical service: Arc sling: Upheld" becomes two lines after the item's own colon."""
    return re.sub(r"(?m)^([^\n:]{3,80}?:)[ \t]+([^\n]+:[ \t]*(?:Upheld|Overturned)[ \t]*)$", r"\1\n\2", text)


def closing(sentence: str, whole: bool = False):
    """The last rationale's last sentence (or the `whole` rationale) replaced by `sentence`."""

    def rewrite(text: str) -> str:
        body = text.rstrip()
        start = body.rfind("rationale:")
        start = start + len("rationale:") if start >= 0 else len(body) // 2
        cut = max(body.rfind(". ", start, len(body) - 2), body.rfind(".\n", start, len(body) - 2), start - 1)
        return body[: start if whole else cut + 1] + "\n" + sentence + "\n"

    return rewrite


REWRITES = {
    "rewrapped at 60": lambda text: rewrap(text, 60),
    "rewrapped at 45": lambda text: rewrap(text, 45),
    "heading wrapped at its colon": heading_wrapped_at_colon,
    "closing in other words": closing("Therefore, the request is not a medical necessity at this time."),
    "closing without a verdict word": closing("The patient may return once the records are complete."),
}


def comparable(record: dict) -> dict:
    """The record without what a rewrite may rightly change: the rationale's words (and so the reasons read from
    them) and the warnings."""
    kept = {k: v for k, v in record.items() if k != "warnings"}
    kept["decisions"] = [{k: v for k, v in d.items() if k not in ("rationale", "reasons")}
                         for d in record.get("decisions", [])]
    return kept


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return {pdf.stem: extract(pdf).text for pdf in LETTERS}


@pytest.mark.parametrize("rewrite", list(REWRITES))
def test_a_rewritten_real_letter_gives_the_same_record(texts, rewrite):
    changed = []
    for case, text in texts.items():
        want = parse_text(text)
        got = parse_text(REWRITES[rewrite](text))
        if comparable(got) != comparable(want):
            fields = sorted(k for k in want if got.get(k) != want.get(k))
            changed.append(f"{case}: {got.get('error') or fields}")
    assert not changed, f"{len(changed)} of {len(texts)} letters changed:\n  " + "\n  ".join(changed[:10])


def test_the_colon_rewrite_reaches_letters_whose_items_hold_a_colon(texts):
    rewritten = [case for case, text in texts.items() if heading_wrapped_at_colon(text) != text]
    assert len(rewritten) >= 3


def test_a_closing_without_a_verdict_word_keeps_the_letter_and_warns(texts):
    rewrite = closing("The records were reviewed. The patient may return once they are complete.", whole=True)
    for case, text in list(texts.items())[:20]:
        got = parse_text(rewrite(text))
        assert not got.get("error"), case
        assert "the last rationale ends without a conclusion" in got["warnings"], case
