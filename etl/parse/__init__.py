"""Pure text to record: an IMR final determination letter's text becomes the letter record.

The record's fields and vocabularies are fixed by ../shared/spec/letter-record.md. Each module reads
one part of a letter (layouts, header, reviewer, patient, decisions, quantities, classify, guidelines,
dates). `parse_text` does no I/O; `parse_file` and the command line wrap it with etl.extract.

    python -m etl.parse PATH [PATH ...]     # JSON Lines on stdout, exit 1 if any file was rejected
"""

from datetime import date
from pathlib import Path

from etl.extract import Extracted, extract
from etl.parse import classify, decisions, header, patient, reviewer
from etl.parse.decisions import split_heading
from etl.parse.layouts import (
    IMR_WORDING,
    LAYOUT_DOCUMENTS,
    LAYOUT_FINAL,
    LAYOUT_NOTICE,
    LAYOUT_PROFESSIONAL,
    decisions_start,
    detect_layout,
)
from etl.parse.reviewer import canonical_specialty
from etl.parse.text import section
from etl.vocab import ERROR_NOT_IMR, ERROR_TRUNCATED

PARSER_VERSION = "2.0.0"

__all__ = [
    "LAYOUT_DOCUMENTS",
    "LAYOUT_FINAL",
    "LAYOUT_NOTICE",
    "LAYOUT_PROFESSIONAL",
    "PARSER_VERSION",
    "canonical_specialty",
    "classify",
    "detect_layout",
    "parse_extracted",
    "parse_file",
    "parse_text",
    "split_heading",
]


def parse_text(text: str) -> dict:
    """The letter record for a letter's text (without `source_file` and `sha256`)."""
    layout = detect_layout(text)
    if layout is None or not IMR_WORDING.search(text):
        return {"error": ERROR_NOT_IMR}

    top = text[:2000]
    case = header.CASE_NUMBER.search(top) or header.CASE_NUMBER.search(text)
    decision_date = header.decision_date(top)
    reference = date.fromisoformat(decision_date) if decision_date else None

    summary = section(
        text,
        r"CLINICAL\s+CASE\s+SUMMARY|Case\s+Summary:?|CASE\s+SUMMARY:?",
        r"IMR\s+ISSUES",
        r"IMR\s+DECISION",
        r"DOCUMENTS\s+REVIEWED",
        r"MEDICAL\s+TREATMENT\s+GUIDELINE",
    )
    if not summary:
        summary = section(text, r"Certification\(s\)\s*/\s*Specialty:", r"IMR\s+ISSUES", r"Decision\s+rationale")
    age, sex = patient.age_and_sex(summary or text)

    start = decisions_start(text, layout)
    narrative = text[:start] or text
    blocks = decisions.decision_blocks(text, layout, start)
    cut_off, warnings = decisions.completeness(blocks) if blocks else (True, [])
    if cut_off:
        return {"error": ERROR_TRUNCATED}
    headings = [split_heading(block["heading"]) for block in blocks]
    # The 2015 letters state a modification only in the case summary; later ones in the heading too.
    from_summary = decisions.assign_modifications(headings, decisions.summary_modifications(summary))
    records = [
        decisions.decision_record(i + 1, treatment, authorized or from_summary.get(i), block)
        for i, ((treatment, authorized), block) in enumerate(zip(headings, blocks, strict=True))
    ]

    return {
        "error": None,
        "layout": layout,
        "case_number": f"CM{case.group(1)}-{case.group(2)}" if case else None,
        "date_assigned": header.header_date(top, "Date Assigned", reference),
        "date_of_injury": header.header_date(top, "Date of Injury", reference)
        or header.first_date(header.INJURY_DATE_PATTERNS, summary, reference),
        "decision_date": decision_date,
        "ur_denial_date": header.header_date(top, "UR Denial Date", reference)
        or header.first_date(header.UR_DATE_PATTERNS, summary, reference)
        or header.first_date(header.UR_DATE_PATTERNS, narrative, reference),
        "application_received": header.application_received(narrative, reference),
        "priority": header.priority(top),
        "reviewer_license_states": reviewer.license_states(text),
        "reviewer_specialties": reviewer.specialties(text),
        "patient_age": age,
        "patient_sex": sex,
        "decisions": records,
        "warnings": warnings,
    }


def parse_extracted(extracted: Extracted) -> dict:
    record: dict = {"source_file": extracted.source_file, "sha256": extracted.sha256}
    if extracted.error:
        record["error"] = extracted.error
        return record
    parsed = parse_text(extracted.text or "")
    if parsed.get("error"):
        record["error"] = parsed["error"]
        return record
    record.update(parsed)
    return record


def parse_file(path: str | Path) -> dict:
    return parse_extracted(extract(path))
