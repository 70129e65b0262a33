"""The reference CSVs load, agree with etl/vocab.py, and map the cases the parser relies on."""

import pytest

from etl import reference as ref
from etl.vocab import DRUG_CLASSES, MTUS_CHAPTERS, SERVICE_SUBCATEGORIES, SPECIALTIES

RULES_HEADER = "stage,pattern,category,subcategory\n"


def first_rule(text: str, stage: str | None = None) -> ref.ServiceRule | None:
    rules = [r for r in ref.service_rules() if stage is None or r.stage == stage]
    return next((r for r in rules if r.pattern.search(text)), None)


def test_every_csv_loads_and_is_non_trivial():
    assert len(ref.drugs()) >= 300
    assert len(ref.specialty_variants()) >= len(SPECIALTIES)
    assert len(ref.mtus_parts()) >= 40
    assert len(ref.state_codes()) >= 52
    assert len(ref.service_rules()) >= 20


def test_values_are_in_the_vocabulary():
    assert {d.drug_class for d in ref.drugs().values()} <= set(DRUG_CLASSES)
    assert set(ref.specialty_variants().values()) <= set(SPECIALTIES)
    assert {c for _, c in ref.mtus_parts()} <= set(MTUS_CHAPTERS)
    for rule in ref.service_rules():
        subs = SERVICE_SUBCATEGORIES[rule.category]
        assert rule.subcategory in subs if subs else rule.subcategory is None


def test_at_least_200_distinct_products():
    drugs = ref.drugs().values()
    products = {d.generic for d in drugs} | {d.name for d in drugs if d.form != "generic"}
    assert len(products) >= 200


def test_canonical_specialties_map_to_themselves():
    variants = ref.specialty_variants()
    for s in SPECIALTIES:
        assert variants[s.lower()] == s


@pytest.mark.parametrize(("variant", "canonical"), [
    ("chiropractor", "Chiropractic"),
    ("pm&r", "Physical Medicine & Rehabilitation"),
    ("orthopaedic surgery", "Orthopedic Surgery"),
    ("licensed acupuncturist", "Oriental Medicine"),
    ("ent", "Otolaryngology"),
    ("cardiology", "Cardiovascular Disease"),
])
def test_specialty_variants(variant, canonical):
    assert ref.specialty_variants()[variant] == canonical


@pytest.mark.parametrize(("name", "generic", "drug_class"), [
    ("norco", "hydrocodone / acetaminophen", "Opioids"),
    ("hydrocodone/apap", "hydrocodone / acetaminophen", "Opioids"),
    ("zanaflex", "tizanidine", "Muscle Relaxant"),
    ("neurontin", "gabapentin", "Anti-epilepsy drugs"),
    ("lyrica", "pregabalin", "Anti-epilepsy drugs"),
    ("lidoderm", "lidocaine", "Topical Analgesics"),
    ("deprizine", "ranitidine", "H2 Blocker"),
    ("theramine", "l-arginine / gaba / choline", "Nutritional Products"),
    ("synvisc", "hylan g-f 20", "Viscosupplementation"),
])
def test_drug_mappings(name, generic, drug_class):
    drug = ref.drugs()[name]
    assert (drug.generic, drug.drug_class) == (generic, drug_class)


def test_terocin_is_a_topical_compound():
    assert ref.drugs()["terocin"].drug_class == "Topical Compounds"


@pytest.mark.parametrize(("text", "category", "subcategory"), [
    ("MRI of the right shoulder without contrast", "Diagnostic Testing", "Imaging/Radiology"),
    ("MR Arthrogram of the right shoulder", "Diagnostic Testing", "Imaging/Radiology"),
    ("Lumbar epidural steroid injection L4-5", "Injection", "Injection"),
    ("Retrospective injection 5cc of lidocaine and 1cc of dexamethasone", "Injection", "Injection"),
    ("Medial branch block L3-4", "Injection", "Facet Injection"),
    ("TENS unit", "DMEPOS", "Electrical Stimulation"),
    ("TENS unit electrodes", "DMEPOS", "Supplies"),
    ("Referral to chiropractor for evaluation of low back pain", "Rehabilitation", "Chiropractic"),
    ("Post operative physical therapy for the right knee", "Rehabilitation", "PT/OT"),
    ("Post-operative cold therapy unit", "DMEPOS", "DME"),
    ("Orthopedic consultation", "Surgery", "Surgical Consult"),
    ("Follow-up visit with pain management", "Evaluation & Management", "Medical Specialties"),
    ("Lumbar fusion L4-S1", "Surgery", "Spine"),
    ("Right knee arthroscopy with meniscectomy", "Surgery", "Arthroscopic Surgery"),
    ("Open reduction internal fixation of the left distal radius", "Surgery", "Non-arthroscopic Surgery"),
    ("PA assist", "Surgery", "Adjunct Surgical Services"),
    ("Psychological evaluation prior to spinal cord stimulator", "Psych Services", "Evaluation & Management"),
    ("Cognitive behavioral therapy 6 sessions", "Psych Services", "Therapies"),
    ("Functional restoration program", "Programs", "Programs"),
    ("Transportation to appointments", "Transportation", "Transportation"),
    ("Gym membership", "Other", None),
])
def test_service_rules(text, category, subcategory):
    rule = first_rule(text)
    assert rule is not None
    assert (rule.category, rule.subcategory) == (category, subcategory)


def test_drug_requests_fall_through_the_before_drugs_rules():
    # Otherwise a plain prescription would be classed as a service before drug detection runs.
    texts = ("Norco 10/325mg #60", "Lidoderm 5% patch #30", "Synvisc-One injection right knee", "Norco post surgery",
             "Valium 5mg prior to MRI", "Hydrocortisone 1% cream")
    for text in texts:
        assert first_rule(text, "before_drugs") is None, text


def test_mtus_parts_longest_first():
    parts = dict(ref.mtus_parts())
    assert parts["chronic pain medical treatment"] == "Chronic Pain"
    assert parts["chapter 12"] == "Low Back"
    lengths = [len(v) for v, _ in ref.mtus_parts()]
    assert lengths == sorted(lengths, reverse=True)


def test_state_codes():
    codes = ref.state_codes()
    assert codes["north carolina"] == "NC"
    assert codes["california"] == "CA"
    assert codes["district of columbia"] == "DC"
    assert codes["puerto rico"] == "PR"


@pytest.mark.parametrize(("loader", "text", "problem"), [
    (ref.load_drugs, "name,generic,drug_class,form\nnorco,hydrocodone,Opioids,brand\nfoo,foo,Painkillers,brand\n",
     "unknown drug_class 'Painkillers'"),
    (ref.load_drugs, "name,generic,drug_class,form\nNorco,hydrocodone,Opioids,brand\n", "must be lower case"),
    (ref.load_drugs, "name,generic,drug_class\nnorco,hydrocodone,Opioids\n", "columns"),
    (ref.load_specialty_variants, "variant,specialty\nchiro,Chiropractic\nbone doc,Bone Doctor\n",
     "unknown specialty 'Bone Doctor'"),
    (ref.load_mtus_parts, "variant,chapter\nneck,Neck\n", "unknown MTUS chapter 'Neck'"),
    (ref.load_state_codes, "name,code\ncalifornia,CA\ntexas,Tex\n", "two upper-case letters"),
    (ref.load_service_rules, RULES_HEADER + "after_drugs,mri(,Diagnostic Testing,Imaging/Radiology\n",
     "bad regular expression"),
    (ref.load_service_rules, RULES_HEADER + "after_drugs,mri,Diagnostic Testing,Radiology\n",
     "subcategory 'Radiology'"),
    (ref.load_service_rules, RULES_HEADER + "after_drugs,gym,Other,DME\n", "takes no subcategory"),
    (ref.load_service_rules, RULES_HEADER + "later,gym,Other,\n", "unknown stage"),
])
def test_broken_csv_names_file_and_line(tmp_path, loader, text, problem):
    path = tmp_path / "broken.csv"
    path.write_text(text)
    line = len(text.splitlines())
    with pytest.raises(ValueError, match=r"broken\.csv") as err:
        loader(path)
    assert problem in str(err.value)
    assert f"line {1 if problem == 'columns' else line}" in str(err.value)
