"""Property tests: no text makes the parser raise, and what it returns is always either a rejection or a
record whose fields and values the contract allows; no bytes make extraction raise."""

import io
import re
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from reportlab.pdfgen import canvas

from etl.extract import extract_bytes
from etl.parse import LAYOUT_DOCUMENTS, LAYOUT_FINAL, LAYOUT_NOTICE, LAYOUT_PROFESSIONAL, parse_extracted, parse_text
from etl.parse.classify import quantity
from etl.parse.dates import parse_date
from etl.parse.guidelines import expand_pages
from etl.reference import state_codes
from etl.vocab import (
    CITATION_SOURCES,
    DECISION_FIELDS,
    DRUG_CLASSES,
    LETTER_FIELDS,
    MTUS_CHAPTERS,
    OUTCOMES,
    PRIORITIES,
    SERVICE_SUBCATEGORIES,
    SEXES,
    SPECIALTIES,
    UR_ACTIONS,
)

LAYOUTS = {LAYOUT_FINAL, LAYOUT_NOTICE, LAYOUT_DOCUMENTS, LAYOUT_PROFESSIONAL}
RECORD_FIELDS = set(LETTER_FIELDS) - {"source_file", "sha256"}
DATE_FIELDS = ("date_assigned", "date_of_injury", "decision_date", "ur_denial_date", "application_received")
SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces of real letters' wording, so that generated texts reach the header, reviewer and decision rules.
FRAGMENTS = (
    "Case Number: CM16-0213037",
    "Date Assigned: 11/09/2016 Date of Injury: 10/13/2016",
    "Decision Date: 12/09/2016 UR Denial Date: 11/03/2016",
    "Priority: Expedited Application",
    "Received:",
    "11/03/2016",
    "10-13-51",
    "December 22, 2016",
    "02/30/2016",
    "HOW THE IMR FINAL DETERMINATION WAS MADE",
    "State(s) of Licensure: California,North Carolina",
    "Certification(s)/Specialty: Physical Medicine & Rehabilitation, Pain Management, Occupational",
    "Medicine",
    "CLINICAL CASE SUMMARY",
    "The injured worker is a 48 year old male who sustained an industrial injury on 10-13-16.",
    "On 11-3-16, utilization review modified the request for Norco 10/325mg #120 to Norco 10/325mg #60.",
    "IMR ISSUES, DECISIONS AND RATIONALES",
    "IMR DECISION(S) AND RATIONALE(S)",
    "Notice of Independent Medical Review Determination",
    "MEDICAL PROFESSIONAL REVIEW",
    "Norco 10/325mg #90 was the original request. Norco 10/325mg #45 was authorized by the",
    "Claims Administrator. The remaining IMR eligible portion of the original request, Norco",
    "Flurbiprofen/Lidocaine cream 120gm:  Upheld",
    "Physical therapy 2 times a week for 6 weeks: Overturned",
    "Tylenol #3 #60: Upheld",
    "is: Upheld",
    ": Overturned",
    "#",
    "# 20",
    "Claims Administrator guideline: Decision based on MTUS Shoulder Complaints 2004, and",
    "Low Back Complaints 2004.",
    "MAXIMUS guideline: Decision based on MTUS Chronic Pain Treatment Guidelines Page(s): 18-19, 49.",
    "Page(s): 1-100000, ,-,",
    "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Head, CT.",
    "The Claims Administrator did not cite any medical evidence for its decision.",
    "Decision rationale: The request is not medically necessary.",
    "Therefore, the request is medically necessary.",
    "1. MAXIMUS Federal Services, Inc. has determined the request for Lidoderm 5% patch #30 is not",
    "medically necessary and appropriate.",
    "\ufffe",
    "",
)

letter_like = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), min_size=1, max_size=40).flatmap(
    lambda pieces: st.sampled_from(["\n", " \n", "\n\n", " "]).map(lambda sep: sep.join(pieces))
)

# A letter assembled in order, so the property is known to meet full records as well as rejections.
ORDERED_LETTER = "\n".join(
    FRAGMENTS[:3]
    + FRAGMENTS[9:17]
    + (
        "Tylenol #3 #60: Upheld",
        "Claims Administrator guideline: Decision based on MTUS Shoulder Complaints 2004, and",
        "Low Back Complaints 2004.",
        "MAXIMUS guideline: Decision based on MTUS Chronic Pain Treatment Guidelines Page(s): 18-19, 49.",
        "Decision rationale: The request is not medically necessary.",
    )
)


FIXTURE_TEXTS = tuple(
    p.read_text(encoding="utf-8") for p in sorted((Path(__file__).parent / "fixtures" / "letters").glob("*.txt"))
)


@st.composite
def damaged_letters(draw) -> str:
    """A fixture letter with lines dropped, repeated or moved: real structure, broken order."""
    lines = draw(st.sampled_from(FIXTURE_TEXTS)).splitlines()
    for _ in range(draw(st.integers(1, 8))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "repeat", "move", "cut"]))
        if action == "drop":
            del lines[i]
        elif action == "repeat":
            lines.insert(i, lines[i])
        elif action == "move":
            lines.insert(draw(st.integers(0, len(lines) - 1)), lines.pop(i))
        else:
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        if not lines:
            return ""
    return "\n".join(lines)


def check_citation(citation: dict) -> None:
    assert set(citation) >= {"source", "chapter", "section", "pages"}
    assert citation["source"] in CITATION_SOURCES
    if citation["source"] == "MTUS":
        assert citation["chapter"] is None or citation["chapter"] in MTUS_CHAPTERS
    else:
        assert citation["chapter"] is None
    assert citation["section"] is None or isinstance(citation["section"], str)
    assert all(type(page) is int for page in citation["pages"])


def check_decision(decision: dict, item_no: int) -> None:
    assert set(decision) >= set(DECISION_FIELDS)
    assert decision["item_no"] == item_no
    assert isinstance(decision["treatment"], str) and isinstance(decision["rationale"], str)
    assert decision["outcome"] in OUTCOMES
    category, subcategory = decision["service_category"], decision["service_subcategory"]
    assert category in SERVICE_SUBCATEGORIES
    allowed = DRUG_CLASSES if category == "Pharmaceuticals" else SERVICE_SUBCATEGORIES[category]
    assert subcategory is None or subcategory in allowed
    if category != "Pharmaceuticals":
        assert decision["drug_generic"] is None
    for field in ("quantity", "ur_authorized_quantity"):
        assert decision[field] is None or type(decision[field]) is int
    assert decision["ur_action"] in UR_ACTIONS
    assert (decision["ur_action"] == "modified") == (decision["ur_authorized"] is not None)
    for field in ("ca_citations", "imr_citations"):
        for citation in decision[field]:
            check_citation(citation)


def check_result(result: dict) -> None:
    """A rejection carries only its reason; a record carries every contract field with an allowed value."""
    if result.get("error") is not None:
        assert set(result) == {"error"} and isinstance(result["error"], str) and result["error"]
        return
    assert set(result) >= RECORD_FIELDS
    assert result["layout"] in LAYOUTS
    assert result["case_number"] is None or re.fullmatch(r"CM\d{2}-\d{7}", result["case_number"])
    for field in DATE_FIELDS:
        assert result[field] is None or date.fromisoformat(result[field]).isoformat() == result[field]
    assert result["priority"] is None or result["priority"] in PRIORITIES
    assert all(code in set(state_codes().values()) for code in result["reviewer_license_states"])
    assert all(name in SPECIALTIES for name in result["reviewer_specialties"])
    assert result["patient_age"] is None or type(result["patient_age"]) is int
    assert result["patient_sex"] is None or result["patient_sex"] in SEXES
    for number, decision in enumerate(result["decisions"], start=1):
        check_decision(decision, number)


def test_the_ordered_letter_gives_a_full_record():
    record = parse_text(ORDERED_LETTER)
    assert record["error"] is None and len(record["decisions"]) == 1
    check_result(record)


@SETTINGS
@given(st.text())
def test_any_text_gives_a_rejection_or_a_valid_record(text):
    check_result(parse_text(text))


@SETTINGS
@given(letter_like)
@example(ORDERED_LETTER)
def test_letter_like_text_gives_a_rejection_or_a_valid_record(text):
    check_result(parse_text(text))


@SETTINGS
@given(damaged_letters())
def test_damaged_letters_give_a_rejection_or_a_valid_record(text):
    check_result(parse_text(text))


# ------------------------------------------------------------------ rules as properties

REFERENCE = date(2016, 12, 9)


@given(st.dates(min_value=date(REFERENCE.year - 99, 1, 1), max_value=REFERENCE))
def test_a_two_digit_year_is_the_latest_reading_not_after_the_letter(day):
    assert parse_date(f"{day.month}-{day.day}-{day.year % 100:02d}", REFERENCE) == day.isoformat()


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
def test_a_four_digit_date_reads_back(day):
    assert parse_date(f"{day.month:02d}/{day.day:02d}/{day.year}", REFERENCE) == day.isoformat()


@given(st.integers(1, 9999))
def test_a_hash_count_is_the_quantity(count):
    assert quantity(f"Norco 10/325mg #{count}") == count


@given(st.integers(1, 5), st.integers(1, 12))
def test_sessions_a_week_times_weeks_is_the_quantity(per_week, weeks):
    assert quantity(f"Physical therapy {per_week} times a week for {weeks} weeks") == per_week * weeks


@given(st.integers(1, 500), st.integers(0, 60))
def test_a_page_range_expands_to_every_page(first, span):
    assert expand_pages(f"{first}-{first + span}") == list(range(first, first + span + 1))


def small_pdf() -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=1)
    pdf.drawString(72, 720, "Case Number: CM16-0213037")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


PDF = small_pdf()


@st.composite
def mutated_pdfs(draw) -> bytes:
    """A real PDF cut short, with bytes overwritten, or a bare PDF header followed by junk."""
    kind = draw(st.sampled_from(["truncated", "overwritten", "header"]))
    if kind == "truncated":
        return PDF[: draw(st.integers(0, len(PDF)))]
    if kind == "overwritten":
        data = bytearray(PDF)
        for _ in range(draw(st.integers(1, 20))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    return b"%PDF-1." + draw(st.binary(max_size=400))


def check_extraction(data: bytes, name: str) -> None:
    extracted = extract_bytes(data, name)
    assert (extracted.error is None) == (extracted.text is not None)
    assert extracted.error is None or extracted.error.strip()
    record = parse_extracted(extracted)
    assert record["source_file"] == name and record["sha256"] == extracted.sha256
    check_result({k: v for k, v in record.items() if k not in ("source_file", "sha256")})


@SETTINGS
@given(st.binary(), st.sampled_from(["letter.pdf", "letter.txt"]))
def test_any_bytes_extract_without_raising(data, name):
    check_extraction(data, name)


@SETTINGS
@given(mutated_pdfs())
def test_damaged_pdfs_extract_without_raising(data):
    check_extraction(data, "letter.pdf")
