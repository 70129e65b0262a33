"""The parser's pieces, one rule at a time: quantities, strengths, dates, citations and page ranges,
specialties, modification headings and the classification of typical items."""

from datetime import date

import pytest

from etl.parse import canonical_specialty, classify, split_heading
from etl.parse.dates import parse_date
from etl.parse.guidelines import expand_pages, fold_guideline, parse_citations


def cite(source, chapter=None, section=None, pages=()):
    return {"source": source, "chapter": chapter, "section": section, "pages": list(pages)}


# ------------------------------------------------------------------ quantities


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Norco 10/325mg #120", 120),
        ("Zanaflex 2 mg # 20", 20),
        ("Lidoderm 5% patches QTY: 2", 2),
        ("Physical therapy (12 sessions)", 12),
        ("Acupuncture 12 sessions", 12),
        ("Physical therapy 3 times a week for 4 weeks", 12),
        ("Chiropractic care twice a week for 3 weeks", 6),
        ("Physical therapy two to three times a week for six to eight weeks (24 sessions)", 24),
        ("Four sessions of physical therapy two times a week times 2 weeks", 4),
        ("Twelve physical therapy visits for the left hand/finger", 12),
        ("Tylenol #3 #60", 60),
        ("Acupuncture therapy sessions lumbar spine #6", 6),
    ],
)
def test_quantity_is_the_requested_count(text, count):
    assert classify.quantity(text) == count


@pytest.mark.parametrize(
    "text",
    [
        "Initial acupuncture, 1 to 2 times per week for 4 weeks, for the neck",  # a range has no single count
        "Deprizine (unknown quantity)",
        "Norco 10/325mg",  # a strength is no count
        "MRI of the lumbar spine without contrast",
        "Lumbar epidural steroid injection at L4-L5 and L5-S1",  # spinal levels are no count
        "",
    ],
)
def test_quantity_is_none_when_no_count_is_written(text):
    assert classify.quantity(text) is None


# ------------------------------------------------------------------ strengths


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Norco 10/325mg #120", "10/325mg"),
        ("Norco 7.5-325mg #60", "7.5-325mg"),
        ("Zanaflex 2 mg # 20", "2 mg"),  # as written: the space stays
        ("Ketoprofen 20% in cream base 240g", "20%"),
        ("Tramadol/APAP 37.5mg #60", "37.5mg"),
        ("Lidoderm 5% patch #30", "5%"),
    ],
)
def test_strength_is_kept_as_written(text, written):
    assert classify.strength(text) == written


@pytest.mark.parametrize("text", ["Tylenol #3 #60", "Physical therapy 2 times a week for 6 weeks", "Urine drug screen"])
def test_strength_is_none_without_a_dose(text):
    assert classify.strength(text) is None


# ------------------------------------------------------------------ dates

DECIDED_2016 = date(2016, 12, 9)


@pytest.mark.parametrize(
    ("text", "reference", "iso"),
    [
        ("11/09/2016", None, "2016-11-09"),
        ("1/9/2017", None, "2017-01-09"),
        ("10-13-16", DECIDED_2016, "2016-10-13"),
        ("1-9-17", date(2017, 2, 14), "2017-01-09"),
        ("December 22, 2016", None, "2016-12-22"),
        ("Sept. 3, 2015", None, "2015-09-03"),
        # a two-digit year that would lie after the letter's date belongs to the 1900s
        ("10-13-51", DECIDED_2016, "1951-10-13"),
        ("11-2-98", date(2013, 9, 26), "1998-11-02"),
        ("12-20-16", DECIDED_2016, "1916-12-20"),
    ],
)
def test_dates_as_letters_write_them(text, reference, iso):
    assert parse_date(text, reference) == iso


@pytest.mark.parametrize("text", ["13/45/2016", "02/30/2016", "0/12/2016", "Smarch 3, 2016", "not a date", "", None])
def test_an_invalid_date_is_none(text):
    assert parse_date(text, DECIDED_2016) is None


# ------------------------------------------------------------------ citations and page ranges


@pytest.mark.parametrize(
    ("text", "pages"),
    [("18-19, 49", [18, 19, 49]), ("66", [66]), ("74-80", [74, 75, 76, 77, 78, 79, 80]), ("43, 77-78", [43, 77, 78])],
)
def test_page_ranges_expand(text, pages):
    assert expand_pages(text) == pages


def test_mtus_citation_with_section_and_pages():
    line = "Decision based on MTUS Chronic Pain Treatment Guidelines Anti-epileptic; Gabapentin Page(s): 18-19, 49."
    assert parse_citations(line) == [cite("MTUS", "Chronic Pain", "Anti-epileptic; Gabapentin", [18, 19, 49])]


@pytest.mark.parametrize(
    ("part", "chapter"),
    [
        ("Chronic Pain Medical Treatment 2016", "Chronic Pain"),
        ("Opioid Treatment 2016", "Opioids"),
        ("General Approaches 2004", "General Approaches"),
        ("Neck and Upper Back Complaints 2004", "Neck and Upper Back"),
        ("Shoulder Complaints 2004", "Shoulder"),
        ("Elbow Complaints 2007", "Elbow"),
        ("Forearm, Wrist, and Hand Complaints 2004", "Forearm, Wrist, and Hand"),
        ("Low Back Complaints 2004", "Low Back"),
        ("Knee Complaints 2004", "Knee"),
        ("Ankle and Foot Complaints 2004", "Ankle and Foot"),
        ("Stress Related Conditions 2004", "Stress-Related Conditions"),
        ("Acupuncture Treatment 2007", "Acupuncture"),
        ("Postsurgical Treatment 2009", "Postsurgical"),
    ],
)
def test_mtus_part_names_give_chapters(part, chapter):
    assert parse_citations(f"Decision based on MTUS {part}.") == [cite("MTUS", chapter)]


def test_two_mtus_parts_on_one_line():
    line = "Decision based on MTUS Shoulder Complaints 2004, and Low Back Complaints 2004."
    assert parse_citations(line) == [cite("MTUS", "Shoulder"), cite("MTUS", "Low Back")]


def test_two_mtus_parts_with_sections():
    line = (
        "Decision based on MTUS Low Back Complaints 2004, Section(s): Physical Methods, and Shoulder Complaints "
        "2004, Section(s): Initial Care."
    )
    assert parse_citations(line) == [
        cite("MTUS", "Low Back", "Physical Methods"),
        cite("MTUS", "Shoulder", "Initial Care"),
    ]


def test_odg_citation_keeps_its_topic():
    line = (
        "The Expert Reviewer based their decision on recommendation(s) outside of the MTUS Guidelines. Decision "
        "based on Non-MTUS Citation Official Disability Guidelines (ODG) Head, CT."
    )
    assert parse_citations(line) == [cite("ODG", None, "Head, CT")]


def test_mtus_and_odg_statements_on_one_line():
    line = (
        "Decision based on MTUS Shoulder Complaints 2004, and Low Back Complaints 2004. Decision based on "
        "Non-MTUS Citation Official Disability Guidelines (ODG)."
    )
    assert [(c["source"], c["chapter"]) for c in parse_citations(line)] == [
        ("MTUS", "Shoulder"),
        ("MTUS", "Low Back"),
        ("ODG", None),
    ]


@pytest.mark.parametrize(
    ("line", "source"),
    [
        ("Decision based on Non-MTUS Citation ACOEM Practice Guidelines, 3rd ed., Chronic Pain chapter", "ACOEM"),
        ("Decision based on Non-MTUS Citation https://www.ncbi.nlm.nih.gov/pubmed/00000000", "OTHER"),
        ("Decision based on Non-MTUS Citation Smith J, et al. Topical NSAIDs. Pain Journal (2014)", "OTHER"),
        ("Decision based on Non-MTUS Citation FDA prescribing information, ketoprofen", "OTHER"),
        ("Decision based on Non-MTUS Citation Official Disability Guidelines, Knee & Leg, Hyaluronic acid", "ODG"),
    ],
)
def test_non_mtus_sources_are_classified(line, source):
    citations = parse_citations(line)
    assert [(c["source"], c["chapter"]) for c in citations] == [(source, None)]


@pytest.mark.parametrize(
    "line",
    [
        "The Claims Administrator did not cite any medical evidence for its decision.",
        "The Expert Reviewer did not cite any medical evidence for its decision.",
        "The Claims Administrator did not cite any evidence-based criteria for its decision.",
        "",
        None,
    ],
)
def test_nothing_cited_gives_no_citations(line):
    assert parse_citations(line) == []


def test_a_guideline_word_hyphenated_over_a_line_break_is_rejoined():
    assert fold_guideline("MTUS Chronic Pain Treatment Guidelines Anti-\nepileptic;  Gabapentin \n") == (
        "MTUS Chronic Pain Treatment Guidelines Anti-epileptic; Gabapentin"
    )


# ------------------------------------------------------------------ specialties


@pytest.mark.parametrize(
    ("printed", "canonical"),
    [
        ("Physical Medicine & Rehabilitation", "Physical Medicine & Rehabilitation"),
        ("Physical Medicine and Rehabilitation", "Physical Medicine & Rehabilitation"),
        ("PM&R", "Physical Medicine & Rehabilitation"),
        ("Chiropractor", "Chiropractic"),
        ("Occupational Medi", "Occupational Medicine"),  # a line cut off mid-word
        ("Family Practicee", "Family Practice"),  # a trailing typo
        (" family  practice ", "Family Practice"),
        ("Orthopaedic Surgery", "Orthopedic Surgery"),
        ("Pain Medicine", "Pain Management"),
        ("Public Health & General Preventive Medicine", "Public Health & General Preventive Medicine"),
        ("Public Health and General Preventive Medicine", "Public Health & General Preventive Medicine"),
    ],
)
def test_specialty_variants_map_to_canonical_names(printed, canonical):
    assert canonical_specialty(printed) == canonical


@pytest.mark.parametrize("printed", ["Underwater Basket Weaving", "", "  "])
def test_an_unknown_specialty_maps_to_nothing(printed):
    assert canonical_specialty(printed) is None


# ------------------------------------------------------------------ modification headings


def test_three_sentence_heading_gives_original_and_authorized():
    heading = (
        "Baclofen 10mg #30 was the original request. Baclofen 10mg #27 was authorized by the Claims "
        "Administrator. The remaining IMR eligible portion of the original request, Baclofen 10mg #3"
    )
    assert split_heading(heading) == ("Baclofen 10mg #30", "Baclofen 10mg #27")


def test_three_sentence_heading_wrapped_and_ending_in_is():
    heading = (
        "Chiropractic therapy for the lumbar spine, two times a week for four weeks (8 sessions) was the\n"
        "original request. Chiropractic therapy for the lumbar spine, 6 sessions was authorized by the\n"
        "Claims Administrator. The remaining IMR eligible portion of the original request,\n"
        "Chiropractic therapy for the lumbar spine, 2 sessions is"
    )
    assert split_heading(heading) == (
        "Chiropractic therapy for the lumbar spine, two times a week for four weeks (8 sessions)",
        "Chiropractic therapy for the lumbar spine, 6 sessions",
    )


@pytest.mark.parametrize(
    ("heading", "original", "authorized"),
    [
        (
            "Acupuncture 12 sessions was the original request. The Claims Administrator authorized Acupuncture, "
            "6 sessions, leaving the original request IMR eligible. The original request, Acupuncture 12 sessions is",
            "Acupuncture 12 sessions",
            "Acupuncture, 6 sessions",
        ),
        (
            "Inpatient rehabilitation 10 days was the original request. The Claims Administrator authorized a "
            "skilled nursing facility for 7 days, leaving the original request IMR eligible. The original "
            "request, Inpatient rehabilitation 10 days is",
            "Inpatient rehabilitation 10 days",
            "skilled nursing facility for 7 days",
        ),
        (
            "Norco 10/325mg #120 was the original request. The Claims Administrator certified Norco 10/325mg #60. "
            "The remaining IMR eligible portion of the original request, Norco 10/325mg #60 is",
            "Norco 10/325mg #120",
            "Norco 10/325mg #60",
        ),
        (
            "Physical therapy 12 visits was the original request. The Claims Administrator modified the request to "
            "6 visits, leaving the original request IMR eligible. The original request, Physical therapy 12 visits is",
            "Physical therapy 12 visits",
            "6 visits",
        ),
    ],
)
def test_a_modification_in_the_active_voice(heading, original, authorized):
    assert split_heading(heading) == (original, authorized)


def test_leaving_the_original_request_eligible_heading():
    heading = (
        "MRI of the cervical spine with and without contrast was the original request. MRI of the cervical "
        "spine without contrast was authorized by the Claims Administrator, leaving the original request IMR "
        "eligible. The original request, MRI of the cervical spine with and without contrast is"
    )
    assert split_heading(heading) == (
        "MRI of the cervical spine with and without contrast",
        "MRI of the cervical spine without contrast",
    )


def test_leaving_eligible_heading_without_an_authorized_sentence():
    heading = (
        "UR authorized another service, leaving the original request IMR eligible. The original request, "
        "Norco 10/325mg #60 is"
    )
    assert split_heading(heading)[0] == "Norco 10/325mg #60"


@pytest.mark.parametrize("heading", ["Norco 10/325mg #60", "MRI of the right shoulder without contrast"])
def test_plain_heading_is_the_request(heading):
    assert split_heading(heading) == (heading, None)


# ------------------------------------------------------------------ classification


@pytest.mark.parametrize(
    ("treatment", "category", "subcategory", "generic"),
    [
        ("Norco 10/325mg #60", "Pharmaceuticals", "Opioids", "hydrocodone / acetaminophen"),
        ("Hydrocodone/APAP 10/325mg #60", "Pharmaceuticals", "Opioids", "hydrocodone / acetaminophen"),
        ("Zanaflex 2mg #120", "Pharmaceuticals", "Muscle Relaxant", "tizanidine"),
        ("Tizanidine 4mg #60", "Pharmaceuticals", "Muscle Relaxant", "tizanidine"),
        ("Neurontin 600mg #120", "Pharmaceuticals", "Anti-epilepsy drugs", "gabapentin"),
        ("Prilosec 20mg #30", "Pharmaceuticals", "Proton Pump Inhibitors", "omeprazole"),
        ("Ambien 10mg #30", "Pharmaceuticals", "Sedative-hypnotics", "zolpidem"),
        ("Celebrex 200mg #30", "Pharmaceuticals", "NSAID", "celecoxib"),
        (
            "Flurbiprofen 20%/Lidocaine 5% cream 120gm",
            "Pharmaceuticals",
            "Topical Compounds",
            "flurbiprofen / lidocaine",
        ),
        (
            "Flurbiprofen/Cyclobenzaprine/Lidocaine compound cream 180gm",
            "Pharmaceuticals",
            "Topical Compounds",
            "flurbiprofen / cyclobenzaprine / lidocaine",
        ),
        ("Ketoprofen 20% in cream base 240g", "Pharmaceuticals", "Topical Analgesics", "ketoprofen"),
        ("Voltaren gel 1% 100g", "Pharmaceuticals", "Topical Analgesics", "diclofenac"),
        ("Lidoderm 5% patch #30", "Pharmaceuticals", "Topical Analgesics", "lidocaine"),
        ("MRI of the lumbar spine without contrast", "Diagnostic Testing", "Imaging/Radiology", None),
        ("Urine drug screen", "Diagnostic Testing", "Lab & Pathology", None),
        ("EMG/NCV of the bilateral lower extremities", "Diagnostic Testing", "EMG/NCV/NCS", None),
        ("Physical therapy 2 times a week for 6 weeks", "Rehabilitation", "PT/OT", None),
        ("Acupuncture 6 sessions", "Rehabilitation", "Acupuncture", None),
        ("TENS unit for home use", "DMEPOS", "Electrical Stimulation", None),
        ("Lumbar epidural steroid injection at L4-L5", "Injection", "Injection", None),
        ("Toradol 60mg intramuscular injection", "Injection", "Injection", None),
        ("Kenalog injection to the right knee", "Injection", "Injection", None),
        ("Functional restoration program, 80 hours", "Programs", "Programs", None),
    ],
)
def test_typical_items_are_classified(treatment, category, subcategory, generic):
    item = classify.classify(treatment)
    assert (item.category, item.subcategory) == (category, subcategory)
    if category == "Pharmaceuticals":
        assert item.drug_generic == generic


def test_classified_item_carries_strength_and_quantity():
    assert classify.classify("Norco 10/325mg #90") == classify.Item(
        "Pharmaceuticals", "Opioids", "hydrocodone / acetaminophen", "10/325mg", 90, "drugs.csv: norco"
    )
    assert classify.classify("Physical therapy 2 times a week for 6 weeks").quantity == 12


# ------------------------------------------------------------------ issue 8: kinds of mistakes seen in real letters


def test_a_to_inside_the_item_is_not_where_a_summary_modification_splits():
    from etl.parse.decisions import summary_modifications

    summary = (
        "The Utilization Review modified the request for Physical therapy 2 times a week for 6 weeks to the right "
        "elbow to 6 sessions of physical therapy. UR modified Norco 10/325mg #60 to #30."
    )
    assert summary_modifications(summary) == [
        ("Physical therapy 2 times a week for 6 weeks to the right elbow", "6 sessions of physical therapy"),
        ("Norco 10/325mg #60", "#30"),
    ]


def test_a_heading_wrapped_at_the_items_own_colon_keeps_its_first_line():
    from etl.parse.decisions import split_decisions

    section = (
        "The Final Determination was based on decisions for the disputed items/services set forth below:\n"
        "Associated surgical service:\nArc sling: Upheld\n"
        "Claims Administrator guideline: The Claims Administrator did not cite any medical evidence.\n"
        "MAXIMUS guideline: The Expert Reviewer did not cite any medical evidence for its decision.\n"
        "Decision rationale: The surgery is not medically necessary, so the sling is not medically necessary.\n"
    )
    [block] = split_decisions(section)
    assert block["heading"] == "Associated surgical service: Arc sling"


@pytest.mark.parametrize(
    ("line", "sources"),
    [
        # a non-MTUS citation that names an ODG chapter without saying ODG
        ("Decision based on Non-MTUS Citation Low Back (Hyperstimulation analgesia).", {("ODG", None)}),
        # ODG and ACOEM's book (by its editor and title) run together in one citation
        (
            "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Low back - Manipulation "
            "Harris J. Occupational medicine practice guidelines, 2nd edition (2004) p 301.",
            {("ODG", None), ("ACOEM", None)},
        ),
        ("Decision based on Non-MTUS Citation https://www.fda.gov/drugs label.", {("OTHER", None)}),
    ],
)
def test_citations_read_as_their_sources(line, sources):
    assert {(c["source"], c["chapter"]) for c in parse_citations(line)} == sources
