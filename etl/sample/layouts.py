"""Print a planned letter in its layout, line by line, as pypdfium2 extracts the state's PDFs.

A printed line is a tuple of segments (column, text): column 0 is the left margin, 1 the
right-hand header column. The text file joins a line's segments with a space, which is
what extraction does to the two-column header; the PDF writer places them at their columns.

The four layouts (names are the record's `layout` values):

- `final-determination` (2015 on): header block, HOW THE IMR FINAL DETERMINATION WAS MADE,
  CLINICAL CASE SUMMARY, IMR ISSUES, DECISIONS AND RATIONALES; headings `<item>: Upheld`.
- `maximus-documents-reviewed` (2014-2015): "MAXIMUS FEDERAL SERVICES, INC. / Independent
  Medical Review", the same header, HOW THE ..., DOCUMENTS REVIEWED, CLINICAL CASE SUMMARY,
  IMR DECISION(S) AND RATIONALE(S); headings `1. <item> is (not) medically necessary and appropriate.`
- `medical-professional-review` (2013-2014): MEDICAL PROFESSIONAL REVIEW, ISSUE AT DISPUTE:
  (`1. The request for <item> is (not) medically necessary and appropriate.`), CASE SUMMARY:,
  DOCUMENTS REVIEWED FOR DETERMINATION:, per item `1) Regarding the request for <item>:` with
  MEDICAL TREATMENT GUIDELINE(S) RELIED UPON BY PROFESSIONAL REVIEWER AND WHY: (one sentence
  from the Claims Administrator, one from the Professional Reviewer) and RATIONALE FOR WHY ...:,
  then MEDICAL REVIEWER QUALIFICATIONS: in prose.
- `notice-2013` (mid-2013 to early 2014): NOTICE OF INDEPENDENT MEDICAL REVIEW DETERMINATION,
  `Dated: 9/26/2013`, a numbered list `MAXIMUS Federal Services, Inc. has determined the request
  for <item> is (not) medically necessary and appropriate.`, INDEPENDENT MEDICAL REVIEW DECISION
  AND RATIONALE with the application and UR denial dates in prose, "Medical Qualifications of the
  Expert Reviewer:", "Case Summary:", then per item `1. Regarding the request for <item>:`, the
  two guideline sentences and "Rationale for the Decision:".
"""

import functools
import random
import re

from etl.sample.letter import PlannedLetter

Line = tuple[tuple[int, str], ...]

REVIEW_PROCESS = (
    "MAXIMUS Federal Services sent the complete case file to an expert reviewer who has no affiliation with the "
    "employer, the employee, the providers or the claims administrator. The reviewer has practised clinically "
    "for more than five years, still works in active practice at least 24 hours a week, and was chosen for "
    "experience, education and expertise in a specialty that evaluates or treats the condition in dispute. "
    "The reviewer knows the governing laws and regulations, including the hierarchy of evidence that applies "
    "to Independent Medical Review determinations."
)
CASE_SUMMARY_INTRO = (
    "The expert reviewer developed the following clinical case summary based on a review of "
    "the case file, including all medical records:"
)
DECISIONS_INTRO = "The Final Determination was based on decisions for the disputed items/services set forth below:"


@functools.cache
def _line_pattern(width: int) -> re.Pattern:
    return re.compile(rf"(.{{1,{width}}})(?: |$)")


def wrap(text: str, width: int, rng: random.Random, split_words: bool) -> list[str]:
    """Greedy wrap; continued lines keep a trailing space, as pdfium reports them.

    With split_words, a long word that does not fit is broken with U+FFFE, which
    etl/extract.py joins again, so the record's text is unchanged."""
    if not split_words:
        # The common case in C: the longest run of at most `width` characters ending at a space.
        lines = _line_pattern(width).findall(text)
        if "".join(lines).replace(" ", "") == text.replace(" ", "") and not any(
            line.endswith("-") for line in lines[:-1]
        ):
            return [line + " " for line in lines[:-1]] + [lines[-1] + (" " if rng.random() < 0.3 else "")]
    lines = []
    words: list[str] = []
    length = -1  # of " ".join(words); -1 so the first word adds no space
    for word in text.split(" "):
        if length + 1 + len(word) <= width or not words:
            words.append(word)
            length += 1 + len(word)
            continue
        room = width - length - 2
        if split_words and word.isalpha() and len(word) >= 8 and room >= 3 and rng.random() < 0.5:
            cut = min(room, len(word) - 3)
            lines.append(f"{' '.join(words)} {word[:cut]}\ufffe")
            words, length = [word[cut:]], len(word) - cut
            continue
        carried = []
        if words[-1].endswith("-") and len(words) > 1:
            # pdfium glues a line ending in "-" to the next one; keep such a word with what follows.
            carried = [words.pop()]
        lines.append(" ".join(words) + " ")
        words = [*carried, word]
        length = len(" ".join(words))
    lines.append(" ".join(words) + (" " if rng.random() < 0.3 else ""))
    return lines


class Printer:
    def __init__(self, plan: PlannedLetter, rng: random.Random, for_pdf: bool):
        self.plan, self.rng = plan, rng
        # pdfium joins hyphenated lines itself, and the blank-line extractor does not split words.
        self.split_words = plan.split_words and not for_pdf and not plan.blank_lines
        self.lines: list[Line] = []

    def paragraph(self, text: str) -> None:
        for line in wrap(text, self.plan.line_width, self.rng, self.split_words):
            self.lines.append(((0, line),))

    def heading(self, text: str) -> None:
        """Section headings; in older letters a long one now and then breaks over two lines."""
        if len(text) > 50 and self.rng.random() < 0.15:
            cut = text.rfind(" ", 0, self.rng.randint(30, len(text) - 10))
            self.lines.append(((0, text[:cut] + " "),))
            self.lines.append(((0, text[cut + 1 :]),))
        else:
            self.lines.append(((0, text),))

    def columns(self, left: str, right: str | None) -> None:
        self.lines.append(((0, left), (1, right)) if right else ((0, left),))

    def received(self, left: str, received: str) -> None:
        """The right-hand "Application Received:" label lands on three lines more often than not."""
        if self.rng.random() < 0.8:
            self.lines.append(((0, left), (1, "Application ")))
            self.lines.append(((1, "Received: "),))
            self.lines.append(((1, received),))
        else:
            self.columns(left, f"Application Received: {received}")


def _header_date(day) -> str:
    return day.strftime("%m/%d/%Y")


def _outcome_word(decision: dict) -> str:
    return "Overturned" if decision["outcome"] == "overturned" else "Upheld"


def _necessity(decision: dict) -> str:
    return (
        "is medically necessary and appropriate"
        if decision["outcome"] == "overturned"
        else "is not medically necessary and appropriate"
    )


def _priority(plan: PlannedLetter) -> str:
    return "Expedited" if plan.expedited else "Standard"


def _credentials(p: Printer) -> None:
    p.lines.append(((0, "The Expert Reviewer has the following credentials:"),))
    p.paragraph(f"State(s) of Licensure: {p.plan.states_text}")
    p.paragraph(f"Certification(s)/Specialty: {p.plan.specialties_text}")


def _decision_block(p: Printer, decision: dict) -> None:
    p.paragraph(f"Claims Administrator guideline: {decision['ca_guideline_text']}")
    p.paragraph(f"MAXIMUS guideline: {decision['imr_guideline_text']}")
    p.paragraph(f"Decision rationale: {decision['rationale']}")


def final_determination(p: Printer) -> None:
    plan = p.plan
    if not plan.header_cut:
        p.lines.append(((0, f"Case Number: {plan.record['case_number']}"),))
        p.columns(f"Date Assigned: {_header_date(plan.assigned)}", f"Date of Injury: {_header_date(plan.injury)}")
        p.columns(f"Decision Date: {_header_date(plan.decided)}", f"UR Denial Date: {_header_date(plan.ur_denied)}")
        p.received(f"Priority: {_priority(plan)}", _header_date(plan.received))
    p.heading("HOW THE IMR FINAL DETERMINATION WAS MADE")
    p.paragraph(REVIEW_PROCESS)
    _credentials(p)
    p.heading("CLINICAL CASE SUMMARY")
    p.paragraph(CASE_SUMMARY_INTRO)
    p.paragraph(plan.summary)
    p.heading("IMR ISSUES, DECISIONS AND RATIONALES")
    p.paragraph(DECISIONS_INTRO)
    for item in plan.items:
        p.paragraph(f"{item.heading}: {_outcome_word(item.decision)}")
        _decision_block(p, item.decision)


def maximus_documents_reviewed(p: Printer) -> None:
    plan, record = p.plan, p.plan.record
    p.lines.append(((0, "MAXIMUS FEDERAL SERVICES, INC."),))
    p.lines.append(((0, "Independent Medical Review"),))
    p.columns(f"Case Number: {record['case_number']}", f"Date Assigned: {_header_date(plan.assigned)}")
    p.columns(f"Date of Injury: {_header_date(plan.injury)}", f"Decision Date: {_header_date(plan.decided)}")
    p.columns(f"UR Denial Date: {_header_date(plan.ur_denied)}", f"Priority: {_priority(plan)}")
    p.lines.append(((0, f"Application Received: {_header_date(plan.received)}"),))
    p.heading("HOW THE IMR FINAL DETERMINATION WAS MADE")
    p.paragraph(REVIEW_PROCESS)
    _credentials(p)
    p.heading("DOCUMENTS REVIEWED")
    for number, document in enumerate(plan.documents, 1):
        p.paragraph(f"{number}. {document}")
    p.heading("CLINICAL CASE SUMMARY")
    p.paragraph(CASE_SUMMARY_INTRO)
    p.paragraph(plan.summary)
    p.heading("IMR DECISION(S) AND RATIONALE(S)")
    p.paragraph(DECISIONS_INTRO)
    for item in plan.items:
        decision = item.decision
        p.paragraph(f"{decision['item_no']}. {decision['treatment']} {_necessity(decision)}.")
        _decision_block(p, decision)


def _prose_list(text: str) -> str:
    """ "California, Texas" as prose: "California and Texas"."""
    names = [n.strip() for n in text.split(",")]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def medical_professional_review(p: Printer) -> None:
    plan, record = p.plan, p.plan.record
    p.lines.append(((0, "MAXIMUS FEDERAL SERVICES, INC."),))
    p.heading("MEDICAL PROFESSIONAL REVIEW")
    p.columns(f"IMR Case Number: {record['case_number']}", f"Date of Injury: {_header_date(plan.injury)}")
    p.columns(f"Date Assigned: {_header_date(plan.assigned)}", f"UR Denial Date: {_header_date(plan.ur_denied)}")
    p.columns(f"Decision Date: {_header_date(plan.decided)}", f"Priority: {_priority(plan)}")
    p.lines.append(((0, f"Application Received: {_header_date(plan.received)}"),))
    p.heading("ISSUE AT DISPUTE:")
    for item in plan.items:
        decision = item.decision
        p.paragraph(f"{decision['item_no']}. The request for {decision['treatment']} {_necessity(decision)}.")
    p.heading("CASE SUMMARY:")
    p.paragraph(plan.summary)
    p.heading("DOCUMENTS REVIEWED FOR DETERMINATION:")
    for document in plan.documents:
        p.paragraph(f"- {document}")
    for item in plan.items:
        decision = item.decision
        p.paragraph(f"{decision['item_no']}) Regarding the request for {decision['treatment']}:")
        p.heading("MEDICAL TREATMENT GUIDELINE(S) RELIED UPON BY PROFESSIONAL REVIEWER AND WHY:")
        p.paragraph(decision["ca_guideline_text"])
        p.paragraph(decision["imr_guideline_text"])
        p.heading("RATIONALE FOR WHY THE REQUESTED TREATMENT/SERVICE IS/WAS NOT MEDICALLY NECESSARY:")
        p.paragraph(decision["rationale"])
    p.heading("MEDICAL REVIEWER QUALIFICATIONS:")
    p.paragraph(
        f"The physician reviewer is Board Certified in {plan.specialties_text} and is licensed to practice "
        f"in {_prose_list(plan.states_text)}. The reviewer is in active practice and has no affiliation "
        f"with any party to this dispute."
    )


def notice_2013(p: Printer) -> None:
    plan, record = p.plan, p.plan.record
    p.heading(
        p.rng.choice(
            ("NOTICE OF INDEPENDENT MEDICAL REVIEW DETERMINATION", "Notice of Independent Medical Review Determination")
        )
    )
    p.lines.append(((0, f"Dated: {plan.decided.month}/{plan.decided.day}/{plan.decided.year}"),))
    p.columns(f"IMR Case Number: {record['case_number']}", f"Date of Injury: {_header_date(plan.injury)}")
    p.paragraph(
        "MAXIMUS Federal Services, Inc. has completed the Independent Medical Review of the disputed "
        "medical treatment in this case. The final determination for each disputed item follows:"
    )
    for item in plan.items:
        decision = item.decision
        p.paragraph(
            f"{decision['item_no']}. MAXIMUS Federal Services, Inc. has determined the request for "
            f"{decision['treatment']} {_necessity(decision)}."
        )
    p.paragraph("This decision is final and binding on all parties, except as provided by the Labor Code.")
    p.heading("INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE")
    p.paragraph(
        f"The Application for Independent Medical Review was filed on {plan.received:%m/%d/%Y}. The "
        f"Utilization Review Denial was dated {plan.ur_denied:%m/%d/%Y}. The case file was sent to an "
        f"expert reviewer in the appropriate specialty."
    )
    p.lines.append(((0, "Medical Qualifications of the Expert Reviewer:"),))
    p.paragraph(
        f"The expert reviewer is Board Certified in {plan.specialties_text} and is licensed to practice in "
        f"{_prose_list(plan.states_text)}. The expert reviewer is familiar with the medical treatment "
        f"guidelines that apply to this dispute."
    )
    p.lines.append(((0, "Case Summary:"),))
    p.paragraph(plan.summary)
    for item in plan.items:
        decision = item.decision
        p.paragraph(f"{decision['item_no']}. Regarding the request for {decision['treatment']}:")
        p.paragraph(decision["ca_guideline_text"])
        p.paragraph(decision["imr_guideline_text"])
        p.lines.append(((0, "Rationale for the Decision:"),))
        p.paragraph(decision["rationale"])


LAYOUT_PRINTERS = {
    "final-determination": final_determination,
    "maximus-documents-reviewed": maximus_documents_reviewed,
    "medical-professional-review": medical_professional_review,
    "notice-2013": notice_2013,
}


def print_letter(plan: PlannedLetter, rng: random.Random, for_pdf: bool) -> list[Line]:
    printer = Printer(plan, rng, for_pdf)
    LAYOUT_PRINTERS[plan.layout](printer)
    return printer.lines


def as_text(lines: list[Line], blank_lines: bool = False) -> str:
    return ("\n\n" if blank_lines else "\n").join(" ".join(text for _, text in line) for line in lines) + "\n"
