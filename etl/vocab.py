"""The closed vocabularies of the letter record (../shared/spec/letter-record.md).

These names are fixed by the contract; the parser, the generator, the database
schema and the dashboard all take them from here.
"""

SERVICE_SUBCATEGORIES: dict[str, tuple[str, ...]] = {
    "Pharmaceuticals": (),  # the drug class, see DRUG_CLASSES
    "Diagnostic Testing": ("Imaging/Radiology", "EMG/NCV/NCS", "Lab & Pathology", "Other Diagnostic Tests"),
    "DMEPOS": ("DME", "Electrical Stimulation", "Prosthetics/Orthotics", "Supplies"),
    "Rehabilitation": ("PT/OT", "Chiropractic", "Acupuncture", "Other Therapies"),
    "Injection": ("Facet Injection", "Injection"),
    "Surgery": (
        "Spine",
        "Arthroscopic Surgery",
        "Non-arthroscopic Surgery",
        "Adjunct Surgical Services",
        "Surgical Consult",
    ),
    "Evaluation & Management": ("Medical Specialties", "Dental Services"),
    "Psych Services": ("Evaluation & Management", "Therapies"),
    "Programs": ("Programs",),
    "Home Health": ("Home Health",),
    "Transportation": ("Transportation",),
    "Other": (),
}
SERVICE_CATEGORIES: tuple[str, ...] = tuple(SERVICE_SUBCATEGORIES)

DRUG_CLASSES: tuple[str, ...] = (
    "Opioids",
    "Muscle Relaxant",
    "NSAID",
    "Topical Analgesics",
    "Topical Compounds",
    "Anti-epilepsy drugs",
    "Antidepressant",
    "Proton Pump Inhibitors",
    "H2 Blocker",
    "GI Agents",
    "Antiemetic",
    "Sedative-hypnotics",
    "Benzodiazepine",
    "AntiAnxiety",
    "Antimigraine Agent",
    "Misc Analgesics",
    "Nutritional Products",
    "Adrenal Cortical Steroids",
    "Viscosupplementation",
    "Antihistamine",
    "Atypical Antipsychotic",
    "Stimulants",
    "Cannabinoids",
    "Hormones",
    "Impotence Agents",
    "Antihypertensive",
    "Antidiabetics",
    "Anti-infectives",
    "Asthma Medications",
    "Statin",
    "Other",
)

# Every value service_subcategory can take, in a stable order (for the database ENUM).
SUBCATEGORIES: tuple[str, ...] = tuple(
    dict.fromkeys(DRUG_CLASSES + tuple(s for subs in SERVICE_SUBCATEGORIES.values() for s in subs))
)

OUTCOMES = ("upheld", "overturned")
UR_ACTIONS = ("denied", "modified")
PRIORITIES = ("standard", "expedited")
SEXES = ("female", "male")
CITATION_SOURCES = ("MTUS", "ODG", "ACOEM", "OTHER")
CITATION_SIDES = ("claims_administrator", "imr_reviewer")

# Why the reviewer ruled (../shared/spec/decision-reasons.md): the optional decision field `reasons`.
REASON_CODES = (
    "not_recommended",
    "duration_exceeded",
    "no_functional_improvement",
    "quantity_exceeded",
    "first_line_not_tried",
    "criteria_not_met",
    "insufficient_documentation",
    "monitoring_missing",
    "dependent_on_denied",
    "home_exercise_sufficient",
    "duplicate_or_repeat",
    "preferred_alternative",
    "contraindicated",
    "criteria_met",
    "other",
)
# An upheld decision never gets criteria_met; an overturned one only these.
OVERTURNED_REASON_CODES = ("criteria_met", "other")
# The case-level outcome the state's own search shows, from a letter's decisions.
LETTER_OUTCOMES = ("upheld", "partially overturned", "overturned")

MTUS_CHAPTERS = (
    "Chronic Pain",
    "Opioids",
    "General Approaches",
    "Neck and Upper Back",
    "Shoulder",
    "Elbow",
    "Forearm, Wrist, and Hand",
    "Low Back",
    "Knee",
    "Ankle and Foot",
    "Stress-Related Conditions",
    "Eye",
    "Acupuncture",
    "Postsurgical",
    "Drug Formulary",
)

SPECIALTIES = (
    "Addiction Psychiatry",
    "Allergy and Immunology",
    "Anesthesiology",
    "Cardiovascular Disease",
    "Child and Adolescent Psychiatry",
    "Chiropractic",
    "Colon and Rectal Surgery",
    "Critical Care Medicine",
    "Dentist",
    "Dermatology",
    "Diagnostic Radiology",
    "Emergency Medicine",
    "Family Practice",
    "Gastroenterology",
    "General Vascular Surgery",
    "Geriatric Medicine",
    "Hand Surgery",
    "Hospice & Palliative Medicine",
    "Infectious Disease",
    "Internal Medicine",
    "Interventional Cardiology",
    "Medical Oncology",
    "Medical Toxicology",
    "Nephrology",
    "Neurological Surgery",
    "Neurology",
    "Neuromuscular Medicine",
    "Neuroradiology",
    "Occupational Medicine",
    "Oncology",
    "Ophthalmology",
    "Optometry",
    "Oriental Medicine",
    "Orthopedic Surgery",
    "Otolaryngology",
    "Pain Management",
    "Pediatric Rehabilitation Medicine",
    "Pediatrics",
    "Physical Medicine & Rehabilitation",
    "Plastic Surgery",
    "Podiatric Surgery",
    "Podiatrist",
    "Preventive Medicine",
    "Psychiatry",
    "Psychologist",
    "Psychology",
    "Public Health & General Preventive Medicine",
    "Pulmonary Disease",
    "Radiology",
    "Registered Nurse",
    "Rheumatology",
    "Sleep Medicine",
    "Sports Medicine",
    "Surgery",
    "Surgical Critical Care",
    "Thoracic Surgery",
    "Urology",
)

# Reasons a file is rejected; the contract fixes the first four wordings.
ERROR_NO_TEXT = "no text layer (scanned PDF?)"
ERROR_NOT_IMR = "not an IMR determination letter"
ERROR_UNREADABLE_PDF = "unreadable PDF: "  # followed by what pdfium said
ERROR_EMPTY = "empty file"
ERROR_TRUNCATED = "letter cut off before its decisions are complete (truncated file?)"

LETTER_FIELDS = (
    "source_file",
    "sha256",
    "error",
    "layout",
    "case_number",
    "date_assigned",
    "date_of_injury",
    "decision_date",
    "ur_denial_date",
    "application_received",
    "priority",
    "reviewer_license_states",
    "reviewer_specialties",
    "patient_age",
    "patient_sex",
    "decisions",
)
DECISION_FIELDS = (
    "item_no",
    "treatment",
    "outcome",
    "service_category",
    "service_subcategory",
    "drug_generic",
    "strength",
    "quantity",
    "ur_action",
    "ur_authorized",
    "ur_authorized_quantity",
    "ca_guideline_text",
    "imr_guideline_text",
    "ca_citations",
    "imr_citations",
    "rationale",
)
# Optional fields the contract added later: the parser fills them, the loader stores them.
OPTIONAL_LETTER_FIELDS = ("warnings",)
OPTIONAL_DECISION_FIELDS = ("reasons", "classified_by")
