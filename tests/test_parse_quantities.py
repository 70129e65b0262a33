"""The grammar of counts (etl/parse/quantities.py), one written expression and its answer per row.
The expressions are ours, written the ways requests write counts, and the ways they write numbers that
are not counts (strengths, durations, ranges, numbers inside a name)."""

import pytest

from etl.parse.quantities import number, quantity

COUNTS = [
    # tally marks: the last one counts
    ("Norco 10/325mg #120", 120),
    ("Zanaflex 2 mg # 20", 20),
    ("Tylenol #3 #60", 60),
    ("Lidoderm 5% patches QTY: 2", 2),
    ("Gabapentin 600mg, quantity 90", 90),
    ("Office visits #4", 4),
    ("Acupuncture therapy sessions lumbar spine #6", 6),
    ("Omeprazole 20mg #60 with 2 refills", 60),
    ("Retrospective Ketoprofen cream 20% #1", 1),
    # a total in brackets
    ("Physical therapy (12 sessions)", 12),
    ("Physical therapy 2 times a week for 6 weeks (12 sessions) to the right elbow", 12),
    ("Additional physical therapy two times four visits (8) for the lumbar spine", 8),
    ("Eight (8) sessions of acupuncture", 8),
    ("Chiropractic treatment (6) for the neck", 6),
    ("Physical therapy two to three times a week for six to eight weeks (24 sessions)", 24),
    ("Aquatic therapy 2x4 (8 visits)", 8),
    # sessions named, before or after the noun
    ("Acupuncture 12 sessions", 12),
    ("Twelve physical therapy visits for the left hand", 12),
    ("8 additional physical therapy sessions", 8),
    ("Six sessions of cognitive behavioral therapy", 6),
    ("Physical Therapy sessions, 12", 12),
    ("Acupuncture treatments, 6 sessions", 6),
    ("Chiropractic visits x 6", 6),
    ("Psychotherapy treatments: 10", 10),
    ("2 sessions of occupational therapy", 2),
    ("Four sessions of physical therapy two times a week times 2 weeks", 4),
    ("Physical therapy twenty-four visits", 24),
    ("Biofeedback ten sessions", 10),
    ("Massage therapy, 4 treatments", 4),
    ("Home health care visits #4", 4),
    # frequencies
    ("Physical therapy 3 times a week for 4 weeks", 12),
    ("Chiropractic care twice a week for 3 weeks", 6),
    ("Acupuncture once a week for 6 weeks", 6),
    ("Physical therapy additional 3 visits per week for 2 weeks", 6),
    ("Two physical therapy sessions per week for six weeks", 12),
    ("PT 2x/week x 6 weeks", 12),
    ("Physical therapy 2 x per week x 4 weeks", 8),
    ("Occupational therapy 3x a week for 4 weeks", 12),
    ("Aquatic therapy 2 times per week for 8 weeks", 16),
    ("Physical therapy 2 times/week for 3 weeks", 6),
    ("Physical therapy for 6 weeks, 2 times a week", 12),
    ("Psychotherapy once a month for 6 months", 6),
    ("Daily RN for 4 weeks for wound care", 28),
    ("Home health aide daily for 14 days", 14),
    ("Physical therapy 2x6", 12),
    ("Chiropractic 1x4 for the low back", 4),
    ("Acupuncture two times six", 12),
    ("Physical therapy three times four for the shoulder", 12),
    # "times N" with no frequency
    ("Chiropractic spinal manipulation times 12", 12),
    ("Electrical stimulation times 12", 12),
    ("MRI without dye to lumbar spine times 1", 1),
    ("PT x12", 12),
    ("Trigger point injections x 3", 3),
    # a count before the noun
    ("Associated surgical service: 2 leg wraps", 2),
    ("Four trigger point injections", 4),
    ("One MRI of the lumbar spine", 1),
    ("3 knee braces", 3),
    ("30 tablets of Norco 10/325mg", 30),
]

NOT_COUNTS = [
    # strengths
    "Norco 10/325mg",
    "Lidoderm 5% patch",
    "Flector 1.3% patch",
    "Duragesic 25mcg/hr",
    "Ketoprofen 20% cream 240 gm",
    "Vitamin D 50,000 IU",
    # durations
    "Associated surgical service: Cold compression therapy 30 day rental",
    "Vascutherm unit, 14 days rental",
    "Cryotherapy unit, seven day use",
    "Home H-wave device for 30 days",
    "TENS unit 1 month trial",
    "Physical therapy for 6 weeks",
    "Two week trial of an acute rehabilitation unit",
    "Tramadol 50mg 1 tab 3 times daily",
    "Norco 10/325mg: 1 tablet every 6 hours as needed",
    "Ambien: 1 tab at bedtime",
    # ranges
    "Initial acupuncture, 1 to 2 times per week for 4 weeks, for the neck",
    "Acupuncture 1-2 times a week for 6 weeks",
    "Post-op physical therapy 12-18 sessions",
    "Wound care nurse, 1-2 visits to evaluate the incision",
    "Two to three week trial of an acute rehabilitation unit with possible extension from one to three weeks",
    "Physical therapy 6-12 visits",
    "Chiropractic two or three visits",
    "Acute inpatient rehabilitation 7-10 days for a foot fracture",
    # numbers inside a name
    "Gel-One injection to the right knee",
    "Synvisc-One injection",
    "Three-phase bone scan",
    "Two-level lumbar fusion",
    "X-ray 3 views of the knee",
    "6-panel urine drug screen",
    "4-lead TENS unit",
    "3D CT scan of the wrist",
    "Omega 3 capsules",
    "Vitamin B12 injection",
    # spinal levels and other numbers
    "Lumbar epidural steroid injection at L4-L5 and L5-S1",
    "C5-6 anterior cervical discectomy and fusion",
    "Right TFESI L4-5",
    "Retrospective TENS unit (DOS 12/29/16)",
    # nothing written
    "Deprizine (unknown quantity)",
    "Acupuncture treatments (unspecified quantity)",
    "MRI of the lumbar spine without contrast",
    "",
]


@pytest.mark.parametrize(("text", "count"), COUNTS)
def test_a_count_expression_gives_its_count(text, count):
    assert quantity(text) == count


@pytest.mark.parametrize("text", NOT_COUNTS)
def test_a_number_that_is_no_count_gives_none(text):
    assert quantity(text) is None


@pytest.mark.parametrize(
    ("word", "value"),
    [("12", 12), ("twelve", 12), ("Twenty-four", 24), ("thirty six", 36), ("twice", 2), ("once", 1), ("eight", 8)],
)
def test_numbers_in_words_and_digits(word, value):
    assert number(word) == value


def test_the_table_covers_at_least_80_expressions():
    assert len(COUNTS) + len(NOT_COUNTS) >= 80
