"""Letter text as HTML that shows it literally, with the page's own marks around chosen spans.

Every piece of the letter's text is escaped; the only tags are the marks added here, so a letter
written as Markdown or HTML still reads as its characters.
"""

from dataclasses import dataclass
from html import escape
from itertools import pairwise

SEARCH_STYLE = "background:#fff3a3"
REASON_STYLE = "background:#dcebff;border-bottom:2px solid #2f6db5"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    style: str
    title: str = ""


def evidence_spans(text: str, evidence: list[tuple[str, str]]) -> list[Span]:
    """Where each reason's evidence stands in the text (its first occurrence), titled by the reason."""
    spans = []
    folded = text.casefold()
    for label, words in evidence:
        start = folded.find(words.casefold()) if words else -1
        if start >= 0:
            spans.append(Span(start, start + len(words), REASON_STYLE, label))
    return spans


def marked_html(text: str, spans: list[Span]) -> str:
    """The escaped text with a <mark> per piece that lies inside one or more spans (overlaps split)."""
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    parts = []
    for start, end in pairwise(cuts):
        piece = escape(text[start:end])
        inside = [s for s in spans if s.start <= start and end <= s.end]
        if not inside:
            parts.append(piece)
            continue
        style = ";".join(dict.fromkeys(s.style for s in inside))
        title = "; ".join(dict.fromkeys(s.title for s in inside if s.title))
        title_attr = f' title="{escape(title)}"' if title else ""
        parts.append(f'<mark style="{style}"{title_attr}>{piece}</mark>')
    return "".join(parts)
