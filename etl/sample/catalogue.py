"""What the generated letters are made of: published targets, services, drugs, guidelines, reviewers.

The figures in PUBLISHED come from ../shared/spec/public-figures.md; where a year is
missing there (2013, 2022, 2025, some shares) the value is interpolated and marked
as an estimate, so the --report can say which comparisons are against a real figure.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

REFERENCE_DIR = Path(__file__).parent.parent / "reference"

# year -> (letters issued, overturn rate, pharmaceutical share of decisions, opioid share of pharmaceuticals)
# None marks a figure public-figures.md does not give; the generator uses the estimate beside it.
PUBLISHED: dict[int, tuple[int | None, float | None, float | None, float | None]] = {
    2014: (138_000, 0.09, 0.45, None),
    2015: (164_000, 0.11, 0.50, None),
    2016: (176_000, 0.085, 0.45, 0.30),
    2017: (172_000, 0.085, 0.45, 0.29),
    2018: (185_000, 0.095, 0.45, 0.31),
    2019: (164_000, 0.10, 0.37, 0.33),
    2020: (137_000, 0.095, 0.34, 0.30),
    2021: (133_000, 0.08, 0.35, 0.26),
    2023: (131_000, 0.10, 0.31, 0.26),
    2024: (142_000, 0.127, 0.33, 0.24),
}
# The generator's own figures for every year, published or estimated (IMR began in July 2013).
YEAR_TARGETS: dict[int, tuple[int, float, float, float]] = {
    2013: (30_000, 0.09, 0.45, 0.32),
    2014: (138_000, 0.09, 0.45, 0.32),
    2015: (164_000, 0.11, 0.50, 0.31),
    2016: (176_000, 0.085, 0.45, 0.30),
    2017: (172_000, 0.085, 0.45, 0.29),
    2018: (185_000, 0.095, 0.45, 0.31),
    2019: (164_000, 0.10, 0.37, 0.33),
    2020: (137_000, 0.095, 0.34, 0.30),
    2021: (133_000, 0.08, 0.35, 0.26),
    2022: (132_000, 0.09, 0.33, 0.26),
    2023: (131_000, 0.10, 0.31, 0.26),
    2024: (142_000, 0.127, 0.33, 0.24),
    2025: (140_000, 0.12, 0.32, 0.23),
}

# Items per letter, 1 to 20: 59% one item, 17% two, 8% three (194 real 2016-17 letters).
ITEMS_PER_LETTER = {
    1: 59,
    2: 17,
    3: 8,
    4: 5,
    5: 3.4,
    6: 2.4,
    7: 1.5,
    8: 1.0,
    9: 0.7,
    10: 0.5,
    11: 0.35,
    12: 0.3,
    13: 0.2,
    14: 0.15,
    15: 0.12,
    16: 0.1,
    17: 0.08,
    18: 0.06,
    19: 0.05,
    20: 0.05,
}

# Share of non-pharmaceutical decisions by category (2024 shapes: rehabilitation ~22% and
# diagnostics ~12% of all requests, surgery ~4%), and overturn-rate multipliers
# (E&M ~23-30%, psych ~20%, programs ~30% against ~8% for drugs).
CATEGORY_MIX = {
    "Rehabilitation": 22.0,
    "Diagnostic Testing": 12.0,
    "DMEPOS": 8.0,
    "Injection": 7.0,
    "Surgery": 4.0,
    "Evaluation & Management": 5.0,
    "Psych Services": 3.0,
    "Programs": 2.0,
    "Home Health": 1.2,
    "Transportation": 0.6,
    "Other": 1.2,
}
CATEGORY_OVERTURN = {
    "Pharmaceuticals": 0.85,
    "Rehabilitation": 1.0,
    "Diagnostic Testing": 1.1,
    "DMEPOS": 0.9,
    "Injection": 1.2,
    "Surgery": 1.5,
    "Evaluation & Management": 2.9,
    "Psych Services": 1.8,
    "Programs": 3.4,
    "Home Health": 1.6,
    "Transportation": 1.4,
    "Other": 0.8,
}
# Within pharmaceuticals (2024: opioids 24%, topical analgesics 17%, muscle relaxants 16%, ...);
# opioids and compounds are set per year, the rest keep these proportions.
DRUG_CLASS_MIX = {
    "Topical Analgesics": 21,
    "Muscle Relaxant": 16,
    "Anti-epilepsy drugs": 9,
    "NSAID": 8,
    "Proton Pump Inhibitors": 6,
    "Antidepressant": 5,
    "Sedative-hypnotics": 3.5,
    "Benzodiazepine": 2,
    "Nutritional Products": 2,
    "H2 Blocker": 1,
    "GI Agents": 1,
    "Antiemetic": 1,
    "Antimigraine Agent": 0.8,
    "Adrenal Cortical Steroids": 0.6,
    "Viscosupplementation": 0.8,
    "Antihistamine": 0.5,
    "Atypical Antipsychotic": 0.4,
    "Stimulants": 0.4,
    "Cannabinoids": 0.3,
    "Hormones": 0.4,
    "Impotence Agents": 0.4,
    "Antihypertensive": 0.3,
    "Antidiabetics": 0.2,
    "Anti-infectives": 0.3,
    "Asthma Medications": 0.2,
    "Statin": 0.2,
    "Misc Analgesics": 0.4,
    "AntiAnxiety": 0.4,
    "Other": 0.6,
}
DRUG_CLASS_OVERTURN = {
    "Antidepressant": 3.4,
    "Anti-epilepsy drugs": 1.5,
    "NSAID": 1.5,
    "Proton Pump Inhibitors": 1.3,
    "Opioids": 1.0,
    "Topical Compounds": 0.25,
    "Nutritional Products": 0.2,
    "Muscle Relaxant": 0.6,
    "Sedative-hypnotics": 0.6,
    "Benzodiazepine": 0.4,
    "Topical Analgesics": 0.6,
}


def compound_share(year: int) -> float:
    """Compounds fell from 12% of drug requests in 2014 to about 4% in 2017."""
    return {2013: 0.12, 2014: 0.12, 2015: 0.09, 2016: 0.06}.get(year, 0.04 if year == 2017 else 0.03)


# ---------------------------------------------------------------- drugs


@dataclass(frozen=True)
class Drug:
    name: str  # as the reference lists it, lower case
    generic: str
    drug_class: str
    form: str  # brand, generic, compound, kit, medical food


def load_drugs() -> dict[str, list[Drug]]:
    """The reference drug list by class, so the generator and the parser agree on names."""
    by_class: dict[str, list[Drug]] = {}
    with (REFERENCE_DIR / "drugs.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            drug = Drug(row["name"], row["generic"], row["drug_class"], row["form"])
            by_class.setdefault(drug.drug_class, []).append(drug)
    return by_class


# Strengths as prescribers write them, by generic; classes without an entry use CLASS_STRENGTHS.
STRENGTHS = {
    "hydrocodone / acetaminophen": ("5/325mg", "7.5/325mg", "10/325mg", "10/325 mg", "7.5-325mg", "10-325mg"),
    "oxycodone / acetaminophen": ("5/325mg", "7.5/325mg", "10/325mg"),
    "hydrocodone / ibuprofen": ("7.5/200mg",),
    "tramadol": ("50mg", "50 mg", "100mg", "150mg"),
    "oxycodone": ("5mg", "10mg", "15mg", "30mg"),
    "morphine": ("15mg", "30mg", "60mg"),
    "gabapentin": ("100mg", "300mg", "600mg", "800mg"),
    "pregabalin": ("50mg", "75mg", "150mg"),
    "cyclobenzaprine": ("5mg", "7.5mg", "10mg"),
    "tizanidine": ("2mg", "4mg"),
    "baclofen": ("10mg", "20mg"),
    "carisoprodol": ("350mg",),
    "methocarbamol": ("500mg", "750mg"),
    "metaxalone": ("800mg",),
    "orphenadrine": ("100mg",),
    "naproxen": ("375mg", "500mg", "550mg"),
    "ibuprofen": ("600mg", "800mg"),
    "meloxicam": ("7.5mg", "15mg"),
    "celecoxib": ("100mg", "200mg"),
    "diclofenac": ("75mg", "100mg"),
    "omeprazole": ("20mg", "40mg"),
    "pantoprazole": ("20mg", "40mg"),
    "esomeprazole": ("20mg", "40mg"),
    "lansoprazole": ("15mg", "30mg"),
    "duloxetine": ("30mg", "60mg"),
    "amitriptyline": ("10mg", "25mg"),
    "trazodone": ("50mg", "100mg"),
    "venlafaxine": ("37.5mg", "75mg"),
    "sertraline": ("50mg", "100mg"),
    "zolpidem": ("5mg", "10mg", "12.5mg"),
    "eszopiclone": ("2mg", "3mg"),
    "lidocaine": ("5%", "4%"),
    "alprazolam": ("0.5mg", "1mg"),
    "lorazepam": ("0.5mg", "1mg"),
    "diazepam": ("5mg", "10mg"),
    "clonazepam": ("0.5mg", "1mg"),
    "buprenorphine": ("2mg", "8mg"),
    "methadone": ("10mg",),
    "tapentadol": ("50mg", "100mg"),
    "fentanyl": ("25mcg/hr", "50mcg/hr"),
    "capsaicin": ("0.025%", "0.075%"),
    "ondansetron": ("4mg", "8mg"),
    "ranitidine": ("150mg",),
    "sumatriptan": ("50mg", "100mg"),
}
CLASS_STRENGTHS = {
    "Opioids": ("10mg", "20mg"),
    "NSAID": ("500mg", "7.5mg"),
    "Muscle Relaxant": ("10mg",),
    "Topical Analgesics": ("1%", "5%", "1.3%"),
    "Anti-epilepsy drugs": ("100mg", "25mg"),
    "Antidepressant": ("20mg", "50mg"),
    "Proton Pump Inhibitors": ("20mg",),
    "H2 Blocker": ("150mg",),
    "Sedative-hypnotics": ("10mg", "3mg"),
    "Benzodiazepine": ("1mg",),
    "Antiemetic": ("4mg", "8mg"),
    "Nutritional Products": ("1000 IU", "500mg"),
    "Viscosupplementation": ("16mg/2ml",),
}
# Topicals come in grams and patches; a topical's quantity is its count of patches, else none.
TOPICAL_FORMS = ("cream 120gm", "cream 180gm", "ointment 60gm", "gel 100gm", "cream 240gm")
SIGS = (
    ", one by mouth twice a day",
    ", 1 tablet every 8 hours as needed",
    " take 1 tab orally at bedtime",
    ", one tablet daily",
    ", 1 PO every 6 hours PRN pain",
    " three times daily",
)
UPPER_TOKENS = {"er", "xr", "cr", "sr", "es", "apap", "hcl", "ds", "pm", "am", "xl", "ir", "la", "cd", "odt"}


def display_drug_name(name: str) -> str:
    """The reference's lower-case name as a prescriber writes it: Norco, Hydrocodone/APAP, Effexor XR."""

    def part(p: str) -> str:
        return p.upper() if p in UPPER_TOKENS else "-".join(h[:1].upper() + h[1:] for h in p.split("-"))

    def word(w: str) -> str:
        return "/".join(part(p) for p in w.split("/"))

    return " ".join(word(w) for w in name.split(" "))


# ---------------------------------------------------------------- body regions and MTUS parts


@dataclass(frozen=True)
class Region:
    phrase: str  # how the request names it
    mtus_part: str | None  # the MTUS complaints chapter as 2016 letters print it
    chapter: str | None
    odg_chapter: str
    acoem_pages: str  # pages the 2013-2015 letters cite in that chapter


REGIONS = (
    Region("lumbar spine", "Low Back Complaints 2004", "Low Back", "Low Back", "303-305"),
    Region(
        "low back", "Low Back Complaints 2004", "Low Back", "Low Back - Lumbar & Thoracic (Acute & Chronic)", "298-301"
    ),
    Region(
        "cervical spine", "Neck and Upper Back Complaints 2004", "Neck and Upper Back", "Neck and Upper Back", "177-179"
    ),
    Region(
        "neck",
        "Neck and Upper Back Complaints 2004",
        "Neck and Upper Back",
        "Neck and Upper Back (Acute & Chronic)",
        "174-175",
    ),
    Region("right shoulder", "Shoulder Complaints 2004", "Shoulder", "Shoulder", "207-209"),
    Region("left shoulder", "Shoulder Complaints 2004", "Shoulder", "Shoulder (Acute & Chronic)", "212-214"),
    Region("right knee", "Knee Complaints 2004", "Knee", "Knee & Leg", "341-343"),
    Region("left knee", "Knee Complaints 2004", "Knee", "Knee & Leg (Acute & Chronic)", "343-345"),
    Region(
        "right wrist",
        "Forearm, Wrist, and Hand Complaints 2004",
        "Forearm, Wrist, and Hand",
        "Forearm, Wrist, & Hand",
        "268-269",
    ),
    Region(
        "left hand",
        "Forearm, Wrist, and Hand Complaints 2004",
        "Forearm, Wrist, and Hand",
        "Forearm, Wrist and Hand",
        "270-271",
    ),
    Region("right elbow", "Elbow Complaints 2007", "Elbow", "Elbow (Acute & Chronic)", "33-34"),
    Region("left ankle", "Ankle and Foot Complaints 2004", "Ankle and Foot", "Ankle & Foot", "372-374"),
    Region("right hip", None, None, "Hip & Pelvis", ""),
    Region("thoracic spine", "Low Back Complaints 2004", "Low Back", "Low Back", "303-304"),
)

# ---------------------------------------------------------------- services other than drugs


@dataclass(frozen=True)
class Service:
    category: str
    subcategory: str | None
    forms: tuple[str, ...]  # treatment wordings; {r} region, {n} count, {f}x{w} frequency, {s} sessions
    quantity: str  # "none", "count" ({n}), "sessions" ({f} times {w} weeks or {s})
    mtus: str  # "region" (the region's complaints chapter), a Chronic Pain section, "acupuncture", ...
    section: str | None  # MTUS section the reviewer names
    odg: str  # ODG topic
    modifiable: bool = False  # UR can authorize part of it
    weight: float = 1.0  # how often it is disputed, relative to the other services of its category


SERVICES: tuple[Service, ...] = (
    Service(
        "Rehabilitation",
        "PT/OT",
        (
            "Physical therapy {f} times a week for {w} weeks for the {r}",
            "Physical therapy for {s} sessions",
            "Additional physical therapy {f} times a week for {w} weeks",
            "Post-operative physical therapy for the {r} {f} times a week for {w} weeks",
            "Occupational therapy {s} sessions for the {r}",
            "{S} physical therapy visits for the {r}",
            "Aquatic therapy {f} times a week for {w} weeks",
        ),
        "sessions",
        "chronic",
        "Physical medicine treatment",
        "Physical Therapy",
        True,
        weight=3.0,
    ),
    Service(
        "Rehabilitation",
        "Chiropractic",
        (
            "Chiropractic treatment {f} times a week for {w} weeks for the {r}",
            "Chiropractic manipulation {s} sessions",
            "Chirophysio therapy for the {r}, {s} sessions",
        ),
        "sessions",
        "chronic",
        "Manual therapy & manipulation",
        "Manipulation",
        True,
    ),
    Service(
        "Rehabilitation",
        "Acupuncture",
        (
            "Acupuncture {f} times a week for {w} weeks for the {r}",
            "Acupuncture therapy sessions {r} #{s}",
            "Additional acupuncture {s} sessions",
        ),
        "sessions",
        "acupuncture",
        None,
        "Acupuncture",
        True,
    ),
    Service(
        "Rehabilitation",
        "Other Therapies",
        (
            "Biofeedback {s} sessions",
            "Massage therapy {f} times a week for {w} weeks",
            "Extracorporeal shockwave therapy for the {r}",
        ),
        "sessions",
        "chronic",
        "Biofeedback",
        "Biofeedback",
        False,
        weight=0.4,
    ),
    Service(
        "Diagnostic Testing",
        "Imaging/Radiology",
        (
            "MRI of the {r} without contrast",
            "MRI of the {r}",
            "X-rays of the {r}",
            "CT scan of the {r}",
            "MR arthrogram of the {r}",
            "Bone scan",
            "Ultrasound of the {r}",
        ),
        "none",
        "region",
        "Special Studies",
        "MRIs (magnetic resonance imaging)",
        weight=3.0,
    ),
    Service(
        "Diagnostic Testing",
        "EMG/NCV/NCS",
        (
            "EMG/NCV of the bilateral lower extremities",
            "EMG bilateral upper extremities",
            "NCV bilateral lower extremities QTY: {n}",
            "Electromyography of the left upper extremity",
        ),
        "count",
        "chronic",
        "Electrodiagnostic testing (EMG/NCS)",
        "Electrodiagnostic studies (EDS)",
    ),
    Service(
        "Diagnostic Testing",
        "Lab & Pathology",
        (
            "Urine drug screen",
            "Urine toxicology screening",
            "Comprehensive metabolic panel",
            "CBC with differential",
            "Retrospective urine drug test",
            "Genetic testing for narcotic risk",
        ),
        "none",
        "chronic",
        "Drug testing",
        "Urine drug testing (UDT)",
        weight=0.8,
    ),
    Service(
        "Diagnostic Testing",
        "Other Diagnostic Tests",
        ("Functional capacity evaluation", "Sleep study", "Computerized range of motion testing"),
        "none",
        "general",
        "Functional Improvement Measures",
        "Fitness For Duty",
        weight=0.6,
    ),
    Service(
        "DMEPOS",
        "DME",
        (
            "Cervical pillow",
            "Hot/cold therapy unit for the {r}",
            "Home traction unit",
            "Continuous passive motion device rental",
            "Shower chair",
            "Cold therapy unit rental #{n}",
            "Post-operative cold therapy unit rental",
            "Home exercise kit for the {r}",
            "Hot tub",
            "Ergonomic chair",
        ),
        "count",
        "region",
        "Initial Care",
        "Durable medical equipment (DME)",
    ),
    Service(
        "DMEPOS",
        "Electrical Stimulation",
        ("TENS unit", "TENS unit for the {r}", "Interferential unit purchase", "H-wave device for home use"),
        "count",
        "chronic",
        "TENS, chronic pain (transcutaneous electrical nerve stimulation)",
        "TENS",
    ),
    Service(
        "DMEPOS",
        "Prosthetics/Orthotics",
        ("Lumbar support", "Wrist braces #{n}", "Knee brace for the {r}", "Custom orthotics", "Back brace"),
        "count",
        "region",
        "Initial Care",
        "Back brace",
    ),
    Service(
        "DMEPOS",
        "Supplies",
        ("Hygiene wipes", "Electrodes #{n}", "Conductive garment", "Large gloves", "TENS unit supplies #{n}"),
        "count",
        "chronic",
        "TENS, chronic pain (transcutaneous electrical nerve stimulation)",
        "DME",
        weight=0.4,
    ),
    Service(
        "Injection",
        "Facet Injection",
        (
            "Bilateral L4-L5 facet injections",
            "Cervical medial branch block at C5-C6",
            "Lumbar facet joint injection at L5-S1",
            "Radiofrequency ablation bilateral L3-L5",
        ),
        "none",
        "region",
        "Injection Therapy",
        "Facet joint diagnostic blocks (injections)",
    ),
    Service(
        "Injection",
        "Injection",
        (
            "Lumbar epidural steroid injection at L4-L5",
            "Cortisone injection to the {r}",
            "Trigger point injections #{n}",
            "Platelet-rich plasma injection to the {r}",
            "Transforaminal epidural steroid injection at L5-S1",
        ),
        "count",
        "chronic",
        "Epidural steroid injections (ESIs)",
        "Epidural steroid injections (ESIs)",
        weight=2.0,
    ),
    Service(
        "Surgery",
        "Spine",
        (
            "Anterior cervical discectomy and fusion at C5-C6",
            "L4-L5 laminectomy and discectomy",
            "Posterior lumbar interbody fusion at L5-S1",
            "Lumbar microdiscectomy at L4-L5",
        ),
        "none",
        "lowback",
        "Surgical Considerations",
        "Discectomy/laminectomy",
    ),
    Service(
        "Surgery",
        "Arthroscopic Surgery",
        (
            "Right knee arthroscopy with partial medial meniscectomy",
            "Left shoulder arthroscopy with subacromial decompression",
            "Arthroscopic rotator cuff repair of the right shoulder",
            "Knee arthroscopy with chondroplasty",
        ),
        "none",
        "region",
        "Surgical Considerations",
        "Meniscectomy",
        weight=1.3,
    ),
    Service(
        "Surgery",
        "Non-arthroscopic Surgery",
        (
            "Right carpal tunnel release",
            "Open reduction internal fixation of the left distal radius with carpal tunnel release",
            "Total knee replacement of the {r}",
            "Left trigger finger release",
        ),
        "none",
        "region",
        "Surgical Considerations",
        "Carpal tunnel release surgery (CTR)",
    ),
    Service(
        "Surgery",
        "Adjunct Surgical Services",
        (
            "Assistant surgeon",
            "PA assist",
            "Pre-operative medical clearance",
            "Associated surgical service: Surgical assistant",
        ),
        "none",
        "general",
        "Surgical Considerations",
        "Surgical assistant",
    ),
    Service(
        "Surgery",
        "Surgical Consult",
        ("Orthopedic surgical consultation for the {r}", "Spine surgeon consultation", "Hand surgeon consultation"),
        "none",
        "general",
        "Referral",
        "Office visits",
        weight=0.5,
    ),
    Service(
        "Evaluation & Management",
        "Medical Specialties",
        (
            "Pain management consultation",
            "Follow-up visit with the orthopedist",
            "Internal medicine consultation",
            "Neurology consultation and treatment",
            "Office visits #{n}",
            "Referral to a pain management specialist",
        ),
        "count",
        "general",
        "Independent Medical Examinations and Consultations",
        "Office visits",
    ),
    Service(
        "Evaluation & Management",
        "Dental Services",
        ("Dental evaluation", "Dental consultation for bruxism", "Night guard for bruxism"),
        "none",
        "general",
        "Independent Medical Examinations and Consultations",
        "Dental trauma treatment",
        weight=0.12,
    ),
    Service(
        "Psych Services",
        "Evaluation & Management",
        (
            "Psychological evaluation",
            "Psychiatric consultation",
            "Psychological testing",
            "Psychiatric follow-up visits #{n}",
        ),
        "count",
        "stress",
        "Psychological evaluations",
        "Psychological evaluations",
    ),
    Service(
        "Psych Services",
        "Therapies",
        (
            "Cognitive behavioral therapy {s} sessions",
            "Psychotherapy {f} times a week for {w} weeks",
            "Individual psychotherapy #{n}",
            "Group psychotherapy {s} sessions",
        ),
        "sessions",
        "chronic",
        "Behavioral interventions",
        "Cognitive therapy for depression",
        True,
    ),
    Service(
        "Programs",
        "Programs",
        (
            "Functional restoration program {s} sessions",
            "Functional restoration program evaluation",
            "Multidisciplinary pain program",
            "Chronic pain program {s} sessions",
            "Weight loss program",
            "Weight loss program with a nutritionist",
        ),
        "count",
        "chronic",
        "Functional restoration programs (FRPs)",
        "Functional restoration programs (FRPs)",
        True,
    ),
    Service(
        "Home Health",
        "Home Health",
        (
            "Home health care visits #{n}",
            "Home health aide {f} times a week for {w} weeks",
            "Home health evaluation",
            "Skilled nursing visits #{n}",
        ),
        "count",
        "chronic",
        "Home health services",
        "Home health services",
    ),
    Service(
        "Transportation",
        "Transportation",
        (
            "Transportation to and from medical appointments",
            "Round trip transportation #{n}",
            "Medical transportation for all appointments",
        ),
        "count",
        "general",
        None,
        "Transportation (to & from appointments)",
    ),
    Service(
        "Other",
        None,
        ("Gym membership", "Pool membership", "YMCA membership for aquatic exercise"),
        "count",
        "general",
        None,
        "Gym memberships",
    ),
)

CHRONIC_PAIN_SECTIONS_BY_CLASS = {
    "Opioids": "Opioids, criteria for use",
    "Muscle Relaxant": "Muscle relaxants (for pain)",
    "NSAID": "NSAIDs (non-steroidal anti-inflammatory drugs)",
    "Topical Analgesics": "Topical analgesics",
    "Topical Compounds": "Topical analgesics",
    "Anti-epilepsy drugs": "Anti-epilepsy drugs (AEDs)",
    "Antidepressant": "Antidepressants for chronic pain",
    "Proton Pump Inhibitors": "NSAIDs, GI symptoms & cardiovascular risk",
    "H2 Blocker": "NSAIDs, GI symptoms & cardiovascular risk",
    "Benzodiazepine": "Benzodiazepines",
    "Nutritional Products": "Medical food",
    "Sedative-hypnotics": "Insomnia treatment",
}
CHRONIC_PAIN_PAGES = {
    "Opioids": "74-96",
    "Muscle Relaxant": "63-66",
    "NSAID": "67-73",
    "Topical Analgesics": "111-113",
    "Topical Compounds": "111-113",
    "Anti-epilepsy drugs": "16-18",
    "Antidepressant": "13-16",
    "Proton Pump Inhibitors": "68-69",
    "H2 Blocker": "68-69",
    "Benzodiazepine": "24",
    "Physical medicine treatment": "98-99",
    "Manual therapy & manipulation": "58-60",
    "Epidural steroid injections (ESIs)": "46",
    "Functional restoration programs (FRPs)": "30-32",
    "Behavioral interventions": "23",
    "TENS, chronic pain (transcutaneous electrical nerve stimulation)": "114-116",
    "Drug testing": "43",
    "Electrodiagnostic testing (EMG/NCS)": "",
    "Home health services": "51",
    "Biofeedback": "24-25",
}
OPIOID_2016_SECTIONS = (
    "3.3 Opioids for Chronic Pain and Chronic Opioid Treatment: Initiating and Monitoring Chronic Opioid Treatment",
    "4.1 Tapering Opioids: Indications for Tapering Opioids",
    "3. Opioids for Chronic Pain and Chronic Opioid Treatment: Overview of Recommendations",
    "2. Opioids for Subacute Pain",
)
ODG_DRUG_TOPICS = {
    "Opioids": "Pain (Chronic), Opioids",
    "Muscle Relaxant": "Pain (Chronic), Muscle relaxants",
    "Sedative-hypnotics": "Pain (Chronic), Insomnia treatment",
    "Nutritional Products": "Pain (Chronic), Medical food",
    "Benzodiazepine": "Pain, Benzodiazepines",
}
OTHER_EVIDENCE = (
    "https://www.drugs.org/pro/{slug}.html",
    "https://www.ncbi.nlm.nih.gov/pubmed/{pmid}",
    "FDA prescribing information, {name}",
    "Journal of Occupational and Environmental Medicine, {year}",
    "UpToDate, Evaluation of chronic pain in adults",
)
ACOEM_3RD = (
    "Chapter 6, Pain, Suffering, and the Restoration of Function",
    "Chapter 7, Independent Medical Examinations and Consultations",
    "Low Back Disorders",
    "Shoulder Disorders",
    "Chronic Pain",
)

# ---------------------------------------------------------------- reviewers

# Reviewer certifications as lists of canonical specialties with a display variant, weighted,
# keyed by the kind of item the letter is mostly about.
REVIEWERS = {
    "general": (
        (("Preventive Medicine", "Occupational Medicine"), 18),
        (("Family Practice",), 16),
        (("Physical Medicine & Rehabilitation", "Pain Management"), 9),
        (("Physical Medicine & Rehabilitation",), 8),
        (("Internal Medicine",), 8),
        (("Occupational Medicine",), 6),
        (("Anesthesiology", "Pain Management"), 6),
        (("Emergency Medicine",), 4),
        (("Physical Medicine & Rehabilitation", "Sports Medicine"), 3),
        (("Preventive Medicine", "Occupational Medicine", "Family Practice"), 3),
        (("Neurology",), 2),
        (("Preventive Medicine", "Occupational Medicine", "Medical Toxicology"), 1),
        (("Orthopedic Surgery",), 4),
    ),
    "surgery": (
        (("Orthopedic Surgery",), 45),
        (("Neurological Surgery",), 12),
        (("Hand Surgery", "Orthopedic Surgery"), 6),
        (("Podiatric Surgery",), 3),
        (("Plastic Surgery", "Hand Surgery"), 3),
        (("Surgery",), 3),
    ),
    "psych": (
        (("Psychologist",), 35),
        (("Psychiatry",), 30),
        (("Psychology",), 10),
        (("Psychiatry", "Addiction Psychiatry"), 5),
        (("Child and Adolescent Psychiatry", "Psychiatry"), 2),
    ),
    "chiro": ((("Chiropractic",), 60), (("Physical Medicine & Rehabilitation",), 20), (("Oriental Medicine",), 12)),
    "dental": ((("Dentist",), 1),),
    "injection": (
        (("Anesthesiology", "Pain Management"), 40),
        (("Physical Medicine & Rehabilitation", "Pain Management"), 30),
        (("Pain Management",), 10),
        (("Orthopedic Surgery",), 8),
    ),
}
# How letters print some specialties (the parser maps them back through specialties.csv).
SPECIALTY_VARIANTS = {
    "Chiropractic": ("Chiropractic", "Chiropractor", "Chiropractic Medicine"),
    "Physical Medicine & Rehabilitation": (
        "Physical Medicine & Rehabilitation",
        "Physical Medicine and Rehabilitation",
    ),
    "Orthopedic Surgery": ("Orthopedic Surgery", "Orthopaedic Surgery"),
    "Family Practice": ("Family Practice", "Family Practice", "Family Medicine"),
    "Oriental Medicine": ("Oriental Medicine", "Acupuncture and Oriental Medicine"),
    "Psychologist": ("Psychologist", "Clinical Psychologist"),
}
# Overturn multipliers by the primary specialty (psych and chiropractic reviewers overturn more).
SPECIALTY_OVERTURN = {
    "Psychologist": 1.5,
    "Psychiatry": 1.3,
    "Psychology": 1.4,
    "Chiropractic": 1.3,
    "Orthopedic Surgery": 0.9,
    "Preventive Medicine": 0.85,
    "Occupational Medicine": 0.9,
    "Emergency Medicine": 0.8,
    "Internal Medicine": 1.1,
    "Neurological Surgery": 1.1,
}


def load_states() -> dict[str, str]:
    """USPS code -> state name as letters print it (from the shared reference list)."""
    names: dict[str, str] = {}
    with (REFERENCE_DIR / "states.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            names.setdefault(row["code"], row["name"].title().replace(" Of ", " of "))
    return names


# Other states reviewers hold licences in, weighted (MAXIMUS reviewers are nationwide).
OTHER_STATES = {
    "TX": 10,
    "NY": 8,
    "NC": 5,
    "NJ": 5,
    "PA": 5,
    "FL": 5,
    "AZ": 4,
    "OH": 4,
    "IL": 4,
    "GA": 3,
    "MD": 3,
    "MA": 3,
    "WA": 3,
    "OR": 2,
    "CO": 2,
    "MI": 2,
    "VA": 2,
    "NV": 2,
    "OK": 2,
    "SC": 2,
    "WV": 1,
    "TN": 1,
    "MN": 1,
    "WI": 1,
    "CT": 1,
    "UT": 1,
    "NM": 1,
    "KY": 1,
    "HI": 1,
}
