"""Classification (etl/parse/classify.py with etl/reference/*.csv), one request phrasing per row, across
every DWC category: the service the item names decides, not a context word around it, and each answer
says which reference row or rule decided it."""

import pytest

from etl.parse.classify import classify, service_words
from etl.vocab import SERVICE_SUBCATEGORIES

PH = "Pharmaceuticals"
DX = "Diagnostic Testing"
DME = "DMEPOS"
REHAB = "Rehabilitation"
INJ = "Injection"
SX = "Surgery"
EM = "Evaluation & Management"
PSY = "Psych Services"

PHRASINGS = [
    # Pharmaceuticals: brand and generic, combinations, topicals, compounds and kits
    ("Norco 10/325mg #60", PH, "Opioids"),
    ("Hydrocodone/APAP 10/325mg #90", PH, "Opioids"),
    ("Oxycodone HCL ER 20mg #60", PH, "Opioids"),
    ("Xartemis XR 7.5/325mg #60", PH, "Opioids"),
    ("Tramadol ER 150mg #30", PH, "Opioids"),
    ("Butrans patch 10mcg/hr #4", PH, "Opioids"),
    ("Post-op Norco 5/325mg #60, 1-2 tabs every 4-6 hours as needed", PH, "Opioids"),
    ("Cyclobenzaprine 7.5mg #90", PH, "Muscle Relaxant"),
    ("Dantrium 25mg #60", PH, "Muscle Relaxant"),
    ("Tizanidine 4mg #60", PH, "Muscle Relaxant"),
    ("Naproxen sodium 550mg #60", PH, "NSAID"),
    ("Celebrex 200mg #30", PH, "NSAID"),
    ("Lidoderm 5% patch #30", PH, "Topical Analgesics"),
    ("Xolido 2% cream", PH, "Topical Analgesics"),
    ("Voltaren gel 1% 100g", PH, "Topical Analgesics"),
    ("Ultracin lotion 120ml", PH, "Topical Compounds"),
    ("Fluriflex cream 180gm", PH, "Topical Compounds"),
    ("TGHot cream 180gm", PH, "Topical Compounds"),
    ("Kera-Tek gel 4oz", PH, "Topical Compounds"),
    ("Lidothol kit", PH, "Topical Compounds"),
    ("Flurbiprofen 20%, Baclofen 5%, Dexamethasone 2% in cream base", PH, "Topical Compounds"),
    ("Compound cream: ketoprofen 10%, gabapentin 6%, lidocaine 5%", PH, "Topical Compounds"),
    ("Retrospective Terocin patch #30 (DOS 10/1/16)", PH, "Topical Compounds"),
    ("Gabapentin 600mg #90", PH, "Anti-epilepsy drugs"),
    ("Lyrica 75mg #60", PH, "Anti-epilepsy drugs"),
    ("Cymbalta 60mg #30", PH, "Antidepressant"),
    ("Trazodone 50mg #30", PH, "Antidepressant"),
    ("Omeprazole 20mg #60", PH, "Proton Pump Inhibitors"),
    ("Ranitidine 150mg #60", PH, "H2 Blocker"),
    ("Colace 100mg #60", PH, "GI Agents"),
    ("Ondansetron 4mg #10", PH, "Antiemetic"),
    ("Ambien 10mg #30", PH, "Sedative-hypnotics"),
    ("Xanax 0.5mg #30", PH, "Benzodiazepine"),
    ("Imitrex 50mg #9", PH, "Antimigraine Agent"),
    ("Deplin 15mg #30", PH, "Nutritional Products"),
    ("Cosamin DS #90", PH, "Nutritional Products"),
    ("Depo-Medrol 80mg injection", INJ, "Injection"),
    ("Medrol dose pack", PH, "Adrenal Cortical Steroids"),
    ("Xyzal 5mg #30", PH, "Antihistamine"),
    ("Nifedipine 30mg #30", PH, "Antihypertensive"),
    ("Narcan nasal spray", PH, "Other"),
    ("Pentoxifylline 400mg #90", PH, "Other"),
    ("Unknownix 40mg #30", PH, "Other"),
    ("Somaflex 20% cream", PH, "Topical Analgesics"),
    # Diagnostic Testing
    ("MRI of the lumbar spine without contrast", DX, "Imaging/Radiology"),
    ("Magnetic resonance imaging of the right shoulder", DX, "Imaging/Radiology"),
    ("CT scan of the cervical spine", DX, "Imaging/Radiology"),
    ("X-ray 3 views of the knee", DX, "Imaging/Radiology"),
    ("Pre-op chest x-ray", DX, "Imaging/Radiology"),
    ("Associated surgical service: Chest x-ray", DX, "Imaging/Radiology"),
    ("CXR", DX, "Imaging/Radiology"),
    ("Bone density scan", DX, "Imaging/Radiology"),
    ("EMG/NCV of the bilateral lower extremities", DX, "EMG/NCV/NCS"),
    ("Electromyography of the upper extremities", DX, "EMG/NCV/NCS"),
    ("Nerve conduction velocity study of the left arm", DX, "EMG/NCV/NCS"),
    ("Urine drug screen", DX, "Lab & Pathology"),
    ("Urine Test", DX, "Lab & Pathology"),
    ("Associated surgical service: UA", DX, "Lab & Pathology"),
    ("Pre-op labs: CBC", DX, "Lab & Pathology"),
    ("Pre-operative PT/PTT", DX, "Lab & Pathology"),
    ("Complete blood count", DX, "Lab & Pathology"),
    ("HbA1c", DX, "Lab & Pathology"),
    ("Comprehensive metabolic panel", DX, "Lab & Pathology"),
    ("Labs to include: EKG", DX, "Other Diagnostic Tests"),
    ("Pre-operative EKG", DX, "Other Diagnostic Tests"),
    ("Functional capacity evaluation", DX, "Other Diagnostic Tests"),
    ("Sleep study", DX, "Other Diagnostic Tests"),
    ("Trigger point impedance imaging (TPII)", DX, "Other Diagnostic Tests"),
    ("Quantitative sensory testing", DX, "Other Diagnostic Tests"),
    ("Computerized range of motion testing", DX, "Other Diagnostic Tests"),
    # DMEPOS
    ("Associated surgical service: Cold compression therapy 30 day rental", DME, "DME"),
    ("Associated surgical service: Cold therapy unit", DME, "DME"),
    ("Vascutherm unit, 14 days rental", DME, "DME"),
    ("Continuous passive motion machine rental", DME, "DME"),
    ("Front wheeled walker", DME, "DME"),
    ("Lumbar traction unit", DME, "DME"),
    ("Cervical traction", DME, "DME"),
    ("Hot/cold pack", DME, "DME"),
    ("Orthopedic mattress", DME, "DME"),
    ("TENS unit purchase", DME, "Electrical Stimulation"),
    ("Associated surgical service: EMS/TENS unit", DME, "Electrical Stimulation"),
    ("H-wave device, home use", DME, "Electrical Stimulation"),
    ("Interferential current stimulator", DME, "Electrical Stimulation"),
    ("Transcutaneous electrical nerve stimulation unit", DME, "Electrical Stimulation"),
    ("Associated surgical service: Shoulder Brace", DME, "Prosthetics/Orthotics"),
    ("Associated surgical service: Arc sling", DME, "Prosthetics/Orthotics"),
    ("Associated surgical service: Ultrasling", DME, "Prosthetics/Orthotics"),
    ("Shoulder sling with abduction pillow", DME, "Prosthetics/Orthotics"),
    ("Lumbar support brace", DME, "Prosthetics/Orthotics"),
    ("Custom orthotics for both feet", DME, "Prosthetics/Orthotics"),
    ("Wrist splint", DME, "Prosthetics/Orthotics"),
    ("LSO brace", DME, "Prosthetics/Orthotics"),
    ("Associated surgical service: Hip pad", DME, "Supplies"),
    ("Associated surgical service: 2 leg wraps", DME, "Supplies"),
    ("Shoulder wrap for purchase", DME, "Supplies"),
    ("TENS electrodes and batteries", DME, "Supplies"),
    ("Conductive garment", DME, "Supplies"),
    # Rehabilitation
    ("Physical therapy 2 times a week for 6 weeks", REHAB, "PT/OT"),
    ("Post-op physical therapy 12-18 sessions", REHAB, "PT/OT"),
    ("Associated surgical service: Physical Therapy sessions, 12", REHAB, "PT/OT"),
    ("Occupational therapy 3x a week for 4 weeks", REHAB, "PT/OT"),
    ("Aquatic therapy 8 sessions", REHAB, "PT/OT"),
    ("Acute inpatient rehabilitation physical therapy and occupational therapy 7-10 days", REHAB, "PT/OT"),
    ("Home exercise program instruction", REHAB, "PT/OT"),
    ("Chiropractic spinal manipulation times 12", REHAB, "Chiropractic"),
    ("Chiropractic care twice a week for 3 weeks", REHAB, "Chiropractic"),
    ("Re-exam with chiropractor for the lumbar spine flare-up", EM, "Medical Specialties"),
    ("Re-evaluation with the physical therapist", REHAB, "PT/OT"),
    ("Osteopathic manipulative treatment 6 sessions", REHAB, "Chiropractic"),
    ("Acupuncture 12 sessions", REHAB, "Acupuncture"),
    ("Acupuncture treatments, 6 sessions", REHAB, "Acupuncture"),
    ("Electroacupuncture for the neck", REHAB, "Acupuncture"),
    ("Pulsed Ultrasound 2 times a week for 4 weeks", REHAB, "Other Therapies"),
    ("Localized intense neurostimulation therapy [following TPII]", REHAB, "Other Therapies"),
    ("Extracorporeal shockwave therapy x 3", REHAB, "Other Therapies"),
    ("ECSWT for the plantar fascia", REHAB, "Other Therapies"),
    ("Massage therapy, 4 treatments", REHAB, "Other Therapies"),
    ("Biofeedback ten sessions", REHAB, "Other Therapies"),
    ("Work hardening program 10 visits", REHAB, "Other Therapies"),
    ("Electrical stimulation times 12", REHAB, "Other Therapies"),
    ("Electrical Muscle Stimulation 2 times a week for 4 weeks", REHAB, "Other Therapies"),
    ("Retrospective E-stim (DOS 12/29/16)", REHAB, "Other Therapies"),
    ("Spinolator therapy (traction) times 12", REHAB, "Other Therapies"),
    ("Ice/Heat pads therapy times 12", REHAB, "Other Therapies"),
    ("Mechanical traction 2x a week for 4 weeks", REHAB, "Other Therapies"),
    # Injection
    ("Lumbar epidural steroid injection at L4-L5 and L5-S1", INJ, "Injection"),
    ("Right TFESI L4-5", INJ, "Injection"),
    ("Trigger point injections x 3", INJ, "Injection"),
    ("Platelet rich plasma injection to the elbow", INJ, "Injection"),
    ("Retrospective injection 5cc of lidocaine 1% and dexamethasone to the right knee", INJ, "Injection"),
    ("Left stellate ganglion block", INJ, "Injection"),
    ("Bilateral L4-5 medial branch blocks", INJ, "Facet Injection"),
    ("Radiofrequency ablation at L3-L5", INJ, "Facet Injection"),
    ("Cervical facet joint injection", INJ, "Facet Injection"),
    # Surgery
    ("Right shoulder arthroscopy with rotator cuff repair", SX, "Arthroscopic Surgery"),
    ("Operative arthroscopy, superior labral anterior posterior repair, right shoulder", SX, "Arthroscopic Surgery"),
    ("L4-5 laminectomy and discectomy", SX, "Spine"),
    ("Anterior cervical discectomy and fusion C5-6", SX, "Spine"),
    ("Spinal cord stimulator trial", SX, "Spine"),
    ("Right carpal tunnel release", SX, "Non-arthroscopic Surgery"),
    ("Left TKA", SX, "Non-arthroscopic Surgery"),
    ("Total knee arthroplasty of the right knee", SX, "Non-arthroscopic Surgery"),
    ("Retrospective: Open reduction internal fixation of the left distal radius", SX, "Non-arthroscopic Surgery"),
    ("Assistant surgeon", SX, "Adjunct Surgical Services"),
    ("Assistant PA", SX, "Adjunct Surgical Services"),
    ("Pre-operative medical clearance", SX, "Adjunct Surgical Services"),
    ("Associated surgical service: Medical clearance", SX, "Adjunct Surgical Services"),
    ("Associated surgical service: Surgical assistant", SX, "Adjunct Surgical Services"),
    ("Associated surgical service: Two day inpatient stay", SX, "Adjunct Surgical Services"),
    ("Orthopedic surgical consultation for the knee", SX, "Surgical Consult"),
    ("Spine surgeon consultation", SX, "Surgical Consult"),
    # Evaluation & Management
    ("Pain management consultation", EM, "Medical Specialties"),
    ("Follow-up visit with the orthopedist", EM, "Medical Specialties"),
    ("Internal medicine consultation", EM, "Medical Specialties"),
    ("Neurology consultation and treatment", EM, "Medical Specialties"),
    ("Office visits #4", EM, "Medical Specialties"),
    ("Pain management referral for consideration of epidural steroid injection", EM, "Medical Specialties"),
    ("Evaluation for possible surgery", SX, "Surgical Consult"),
    ("Dental evaluation and treatment", EM, "Dental Services"),
    ("Night guard for bruxism", EM, "Dental Services"),
    # Psych Services
    ("Psychological evaluation", PSY, "Evaluation & Management"),
    ("Psychiatric consultation", PSY, "Evaluation & Management"),
    ("Neuropsychological testing", PSY, "Evaluation & Management"),
    ("Cognitive behavioral therapy 6 sessions", PSY, "Therapies"),
    ("Psychotherapy once a month for 6 months", PSY, "Therapies"),
    ("Partial Hospitalization day treatment", PSY, "Therapies"),
    # Programs
    ("Functional restoration program 80 hours", "Programs", "Programs"),
    ("Multidisciplinary pain program evaluation", "Programs", "Programs"),
    ("Weight loss program", "Programs", "Programs"),
    # Home Health
    ("Home health care 4 hours a day", "Home Health", "Home Health"),
    ("Daily RN for 4 weeks for wound care and medication management", "Home Health", "Home Health"),
    ("Skilled nursing visits twice a week", "Home Health", "Home Health"),
    ("Home health aide daily for 14 days", "Home Health", "Home Health"),
    ("In-home care assistance", "Home Health", "Home Health"),
    # Transportation
    ("Transportation to and from medical appointments", "Transportation", "Transportation"),
    ("Taxi to physical therapy", "Transportation", "Transportation"),
    ("Round trip mileage to appointments", "Transportation", "Transportation"),
    # Other
    ("Gym membership for 6 months", "Other", None),
    ("Two to three week trial of Acute Rehabilitation Unit", "Other", None),
    ("Skilled nursing facility for 7 days", "Other", None),
    ("Something the rules do not know", "Other", None),
]


@pytest.mark.parametrize(("request_text", "category", "subcategory"), PHRASINGS)
def test_a_request_gets_its_category_and_subcategory(request_text, category, subcategory):
    item = classify(request_text)
    assert (item.category, item.subcategory) == (category, subcategory), item.classified_by


def test_the_table_has_at_least_150_phrasings_across_every_category():
    assert len(PHRASINGS) >= 150
    assert {category for _, category, _ in PHRASINGS} == set(SERVICE_SUBCATEGORIES)
    assert {(c, s) for _, c, s in PHRASINGS if c != PH} >= {
        (c, s) for c, subs in SERVICE_SUBCATEGORIES.items() if c != PH for s in subs or [None]
    }


@pytest.mark.parametrize(
    ("request_text", "service"),
    [
        ("Associated surgical service: Arc sling", "Arc sling"),
        ("Retrospective: Open reduction internal fixation", "Open reduction internal fixation"),
        ("Retrospective E-stim (DOS 12/29/16)", "E-stim"),
        ("Pre-op labs: CBC", "labs: CBC"),
        ("Labs to include: EKG", "EKG"),
        ("Localized intense neurostimulation therapy [following TPII]", "Localized intense neurostimulation therapy"),
        ("Post-op", "Post-op"),  # nothing left once set aside: the words stay
    ],
)
def test_context_words_are_set_aside(request_text, service):
    assert service_words(request_text)[0] == service


@pytest.mark.parametrize(
    ("request_text", "decided_by"),
    [
        ("Norco 10/325mg #60", "drugs.csv: norco"),
        ("Ketoprofen 20% cream", "drugs.csv: ketoprofen (applied to the skin)"),
        ("Unknownix 40mg #30", "a medication form or dose, with no drug in drugs.csv"),
        ("Associated surgical service: Two day inpatient stay", "service_rules.csv: line "),
        ("Associated surgical service: Gizmo", "its surgical context"),
        ("Something the rules do not know", "no rule or drug matched"),
    ],
)
def test_each_answer_says_what_decided_it(request_text, decided_by):
    assert classify(request_text).classified_by.startswith(decided_by)


def test_a_rule_answer_names_the_csv_line_that_matched():
    from etl.reference import service_rules

    by = classify("MRI of the knee").classified_by
    line = int(by.rsplit(" ", 1)[1])
    rule = next(r for r in service_rules() if r.line == line)
    assert rule.pattern.search("MRI of the knee") and rule.subcategory == "Imaging/Radiology"
