"""The letter view's marks: letter text escaped, reasons' evidence and search matches marked, overlaps split."""

import pytest

from dashboard import marks

RATIONALE = "There is no documentation of functional improvement. The request is not medically necessary."


@pytest.mark.parametrize(
    ("text", "spans", "expected"),
    [
        ("plain words", [], "plain words"),
        ("a <b>bold</b> & **md**", [], "a &lt;b&gt;bold&lt;/b&gt; &amp; **md**"),
        ("abc def", [marks.Span(4, 7, "x")], 'abc <mark style="x">def</mark>'),
        ("abcdef", [marks.Span(0, 4, "x", "A"), marks.Span(2, 6, "y")],
         '<mark style="x" title="A">ab</mark><mark style="x;y" title="A">cd</mark><mark style="y">ef</mark>'),
        ("<i>x</i>", [marks.Span(0, 8, "x", 'a "quoted" <title>')],
         '<mark style="x" title="a &quot;quoted&quot; &lt;title&gt;">&lt;i&gt;x&lt;/i&gt;</mark>'),
    ],
)
def test_marked_html_escapes_every_piece_and_splits_overlaps(text, spans, expected):
    assert marks.marked_html(text, spans) == expected


def test_evidence_is_found_whatever_its_case_and_missing_evidence_is_skipped():
    spans = marks.evidence_spans(RATIONALE, [("No documented functional improvement",
                                              "no documentation of FUNCTIONAL improvement"),
                                             ("Other", "words the rationale does not hold"), ("Empty", "")])
    assert [(RATIONALE[s.start:s.end], s.title) for s in spans] == [
        ("no documentation of functional improvement", "No documented functional improvement")]
