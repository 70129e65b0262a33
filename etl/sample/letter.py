"""One generated letter's content: the record it must parse to, and what the layouts print.

A letter depends only on (seed, index): its random stream is seeded from both, so any
letter can be made alone, in any order, in any process.
"""

import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from etl.sample import catalogue as cat
from etl.sample.prose import case_summary, rationale, topic_kind

NUMBER_WORDS = (
    "Zero",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
    "Thirteen",
    "Fourteen",
    "Fifteen",
    "Sixteen",
    "Eighteen",
)


@dataclass
class PlannedItem:
    decision: dict  # the record's decision fields
    heading: str  # the decision heading as printed, before ": Upheld"/": Overturned" (final-determination)
    summary_request: str  # how the case summary names the request
    summary_authorized: str | None  # how the case summary names what UR authorized, when it did


@dataclass
class PlannedLetter:
    layout: str
    style: str  # guideline wording: "section" (2016 on), "pages" (2014-2015), "prose" (2013-2014)
    record: dict
    assigned: date
    injury: date
    decided: date
    ur_denied: date
    received: date
    expedited: bool
    states_text: str  # as the letter prints the licence states
    specialties_text: str
    summary: str
    items: list[PlannedItem]
    documents: list[str] = field(default_factory=list)
    line_width: int = 95
    split_words: bool = False  # break long words at line ends with U+FFFE, as pdfium does
    blank_lines: bool = False  # a blank line after every line, as other extractors give (the seed letter)
    header_cut: bool = False  # the header block is missing, as in the seed letter


def letter_rng(seed: int, index: int) -> random.Random:
    return random.Random((seed << 40) ^ (index * 0x9E3779B1) ^ 0x5DEECE66D)


def weighted(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


# ---------------------------------------------------------------- calendar and layouts


@cache
def _year_weights() -> dict[int, int]:
    return {year: target[0] for year, target in cat.YEAR_TARGETS.items()}


def decision_date(rng: random.Random) -> date:
    year = weighted(rng, _year_weights())
    start = date(2013, 7, 15) if year == 2013 else date(year, 1, 1)
    return start + timedelta(days=rng.randrange((date(year, 12, 31) - start).days + 1))


def choose_layout(rng: random.Random, decided: date) -> tuple[str, str]:
    """The layout and guideline style in use on the decision date (letter-layouts.md)."""
    if decided.year == 2013:
        options = {"notice-2013": 55, "medical-professional-review": 45}
    elif decided < date(2014, 4, 1):
        options = {"notice-2013": 35, "medical-professional-review": 35, "maximus-documents-reviewed": 30}
    elif decided.year == 2014:
        options = {"medical-professional-review": 25, "maximus-documents-reviewed": 75}
    elif decided < date(2015, 7, 1):
        options = {"maximus-documents-reviewed": 40, "final-determination": 60}
    elif decided.year == 2015:
        options = {"maximus-documents-reviewed": 5, "final-determination": 95}
    else:
        return "final-determination", "section"
    layout = weighted(rng, options)
    style = {"notice-2013": "prose", "medical-professional-review": "prose"}.get(layout, "pages")
    return layout, style


def turnaround_days(rng: random.Random, year: int) -> int:
    """Weeks in 2013-2016, about 7-14 days since 2017."""
    if year >= 2017:
        return rng.randint(7, 14)
    return rng.randint(20, 60) if year <= 2014 else rng.randint(15, 35)


# ---------------------------------------------------------------- what is disputed


@cache
def _category_weights(year: int) -> dict[str, float]:
    pharma = cat.YEAR_TARGETS[year][2]
    others = sum(cat.CATEGORY_MIX.values())
    weights = {"Pharmaceuticals": pharma}
    weights.update({name: (1 - pharma) * w / others for name, w in cat.CATEGORY_MIX.items()})
    return weights


@cache
def _class_weights(year: int) -> dict[str, float]:
    opioids, compounds = cat.YEAR_TARGETS[year][3], cat.compound_share(year)
    rest = sum(cat.DRUG_CLASS_MIX.values())
    weights = {"Opioids": opioids, "Topical Compounds": compounds}
    weights.update({name: (1 - opioids - compounds) * w / rest for name, w in cat.DRUG_CLASS_MIX.items()})
    return weights


@cache
def _drugs() -> dict[str, list[cat.Drug]]:
    return cat.load_drugs()


@cache
def _services_by_category() -> dict[str, list[cat.Service]]:
    by_category: dict[str, list[cat.Service]] = {}
    for service in cat.SERVICES:
        by_category.setdefault(service.category, []).append(service)
    return by_category


TOPICAL_STRENGTHS = {
    "lidocaine": ("5%", "4%", "3%"),
    "diclofenac": ("1%", "1.3%", "1.5%"),
    "capsaicin": ("0.025%", "0.075%"),
    "ketoprofen": ("10%", "20%"),
    "menthol": ("4%",),
    "methyl salicylate": ("15%", "25%"),
    "camphor": ("3%",),
}


def _spaced(rng: random.Random, text: str) -> str:
    """How case summaries often re-type a request: "Zanaflex 2 mg # 20" for "Zanaflex 2mg #20"."""
    if rng.random() < 0.5:
        return text
    return re.sub(r"#(\d)", r"# \1", re.sub(r"(\d)mg\b", r"\1 mg", text))


@dataclass
class Request:
    text: str
    category: str
    subcategory: str | None
    generic: str | None
    strength: str | None
    quantity: int | None
    partial: str | None  # the request with "{a}" for a smaller quantity UR could authorize, or another
    # service UR could authorize instead (a surgery without its add-on), with no "{a}"
    service: cat.Service | None
    region: cat.Region


def drug_request(rng: random.Random, drug_class: str, region: cat.Region) -> Request:
    drugs = _drugs()[drug_class]
    drug = rng.choice(drugs)
    name = cat.display_drug_name(drug.name)

    def request(text: str, strength: str | None = None, quantity: int | None = None,
                partial: str | None = None) -> Request:
        return Request(text, "Pharmaceuticals", drug_class, drug.generic, strength, quantity, partial, None, region)

    quantity = rng.choice(
        (1, 3, 3, 5)
        if drug_class == "Viscosupplementation"
        else (30, 60, 60, 90, 90, 120, 120, 180, 240, 20, 10, 112, 100)
    )
    if drug.form == "compound" or drug_class == "Topical Compounds":
        if "/" in drug.name:
            parts = [cat.display_drug_name(p) for p in drug.name.split("/")]
            strengths = [f"{rng.choice((2, 5, 10, 15, 20, 25))}%" for _ in parts]
            text = rng.choice(("/".join(f"{p} {s}" for p, s in zip(parts, strengths, strict=True)), "/".join(parts)))
            return request(f"{text} {rng.choice(cat.TOPICAL_FORMS)}")
        if rng.random() < 0.5:
            return request(f"{name} #{quantity}", quantity=quantity, partial=f"{name} #{{a}}")
        return request(f"{name} {rng.choice(('ointment 121gm', 'lotion 4oz', 'cream 120gm'))}")
    if drug.form in ("kit", "medical food"):
        if rng.random() < 0.5:
            return request(f"{name} (unknown quantity)")
        return request(f"{name} #{quantity}", quantity=quantity, partial=f"{name} #{{a}}")
    if drug_class == "Topical Analgesics":
        strength = rng.choice(TOPICAL_STRENGTHS.get(drug.generic, ("5%",)))
        if drug.name.endswith("patch") or drug.name in ("lidoderm", "flector"):
            return request(f"{name} {strength} #{quantity}", strength, quantity, f"{name} {strength} #{{a}}")
        tube = (
            rng.choice(("100gm", "120gm", "60gm", "2 tubes"))
            if drug.name.endswith(("gel", "cream", "ointment"))
            else rng.choice(cat.TOPICAL_FORMS)
        )
        return request(f"{name} {strength} {tube}", strength)
    strength = rng.choice(cat.STRENGTHS.get(drug.generic) or cat.CLASS_STRENGTHS.get(drug_class) or ("10mg",))
    shape = rng.random()
    partial = None
    if shape < 0.6:
        text = f"{name} {strength} #{quantity}"
        partial = f"{name} {strength} #{{a}}"
    elif shape < 0.7:
        text = f"{name} {strength}{rng.choice(cat.SIGS)} #{quantity}"
    elif shape < 0.78 and drug.form == "brand" and "/" not in drug.generic:
        text = f"{name} ({drug.generic}) {strength} #{quantity}"
    elif shape < 0.84:
        text = f"{name} {strength} #{quantity} with {rng.choice(('one refill', '2 refills', 'no refills'))}"
    elif shape < 0.9:
        text, quantity = f"{name} {strength}", None
    elif shape < 0.95:
        text = f"{name} {strength} QTY: {quantity}"
    else:
        text, strength = f"{name} #{quantity}", None
    return request(text, strength, quantity, partial)


def service_request(rng: random.Random, service: cat.Service, region: cat.Region) -> Request:
    form = rng.choice(service.forms)
    frequency, weeks = rng.choice(((2, 6), (3, 4), (2, 4), (3, 2), (1, 6), (2, 3), (2, 2), (3, 6)))
    sessions = rng.choice((4, 6, 6, 8, 10, 12, 12, 16, 18, 24))
    count = rng.choice((1, 2, 2, 4, 6, 10, 30))
    text = form.format(
        r=region.phrase,
        f=frequency,
        w=weeks,
        s=sessions,
        n=count,
        S=NUMBER_WORDS[sessions] if sessions < len(NUMBER_WORDS) else str(sessions),
    )
    quantity = None
    if "{f}" in form:
        quantity = frequency * weeks
    elif "{s}" in form or "{S}" in form:
        quantity = sessions
    elif "{n}" in form:
        quantity = count
    partial = None
    if service.modifiable and quantity and quantity > 2:
        noun = form.split("{")[0].removesuffix(" for the ").removesuffix(" for ").rstrip(" #,")
        noun = noun.removesuffix(" sessions").removesuffix(" therapy sessions")
        if noun:
            partial = f"{noun} {{a}} sessions"  # UR authorizes at least 2, so always plural
    if service.category == "Surgery" and " with " in text:
        partial = text.split(" with ")[0]  # UR authorized the procedure without its add-on
    return Request(text, service.category, service.subcategory, None, None, quantity, partial, service, region)


def choose_request(rng: random.Random, year: int, category: str, region: cat.Region, layout: str) -> Request:
    if category == "Pharmaceuticals":
        return drug_request(rng, weighted(rng, _class_weights(year)), region)
    services = _services_by_category()[category]
    request = service_request(rng, rng.choices(services, weights=[s.weight for s in services])[0], region)
    # The 2013-2014 letters name services in running prose: "the request for physical therapy ...".
    if layout in ("notice-2013", "medical-professional-review") and request.text[1:2].islower():
        request.text = request.text[0].lower() + request.text[1:]
        if request.partial:
            request.partial = request.partial[0].lower() + request.partial[1:]
    return request


# ---------------------------------------------------------------- guideline lines

ACOEM_CHAPTER_NUMBERS = {
    "Neck and Upper Back": 8,
    "Shoulder": 9,
    "Elbow": 10,
    "Forearm, Wrist, and Hand": 11,
    "Low Back": 12,
    "Knee": 13,
    "Ankle and Foot": 14,
    "Stress-Related Conditions": 15,
    "General Approaches": 7,
}


@dataclass(frozen=True)
class MtusCite:
    chapter: str
    part: str  # the part as 2016 letters name it, without its year
    year: str
    section: str | None
    pages: str  # "74-96", "" when none


def expand_pages(pages: str) -> list[int]:
    found: list[int] = []
    for piece in filter(None, (p.strip() for p in pages.split(","))):
        low, _, high = piece.partition("-")
        found.extend(range(int(low), int(high or low) + 1))
    return found


def mtus_cite(rng: random.Random, request: Request, year: int) -> MtusCite | None:
    """The MTUS part that governs the request, or None where the MTUS says nothing of it."""
    service, region = request.service, request.region
    if request.category == "Pharmaceuticals":
        if request.subcategory == "Opioids" and year >= 2017 and rng.random() < 0.5:
            return MtusCite("Opioids", "Opioid Treatment", "2016", rng.choice(cat.OPIOID_2016_SECTIONS), "")
        if year >= 2019 and rng.random() < 0.06:
            return MtusCite("Drug Formulary", "Drug Formulary", "2018", None, "")
        section = cat.CHRONIC_PAIN_SECTIONS_BY_CLASS.get(request.subcategory or "", "Medications for chronic pain")
        return MtusCite(
            "Chronic Pain",
            "Chronic Pain Medical Treatment",
            "2016" if year >= 2016 else "2009",
            section,
            cat.CHRONIC_PAIN_PAGES.get(request.subcategory or "", "60"),
        )
    assert service is not None
    kind = service.mtus
    if "Post-operative" in request.text:
        return MtusCite("Postsurgical", "Postsurgical Treatment", "2009", region.chapter or "Knee", "")
    if kind == "acupuncture":
        return MtusCite("Acupuncture", "Acupuncture Treatment", "2007", None, "")
    if kind == "chronic":
        return MtusCite(
            "Chronic Pain",
            "Chronic Pain Medical Treatment",
            "2016" if year >= 2016 else "2009",
            service.section,
            cat.CHRONIC_PAIN_PAGES.get(service.section or "", "60"),
        )
    if kind == "general" and service.section:
        return MtusCite("General Approaches", "General Approaches", "2004", service.section, "127")
    if kind == "stress":
        return MtusCite("Stress-Related Conditions", "Stress Related Conditions", "2004", None, "398")
    if kind in ("region", "lowback"):
        target = cat.REGIONS[0] if kind == "lowback" else region
        if target.mtus_part is None:
            return None
        part, _, part_year = target.mtus_part.rpartition(" ")
        return MtusCite(target.chapter or "", part, part_year, service.section, target.acoem_pages)
    return None


def mtus_text(cite: MtusCite, style: str, with_section: bool) -> str:
    """One MTUS reference in the wording of the letter's era."""
    if style == "section":
        text = f"{cite.part} {cite.year}"
        return f"{text}, Section(s): {cite.section}" if with_section and cite.section else text
    if style == "pages":
        if cite.chapter == "Chronic Pain":
            name = "Chronic Pain Treatment Guidelines"
        elif cite.chapter in ACOEM_CHAPTER_NUMBERS:
            name = f"ACOEM {cite.part}"
        else:
            name = f"{cite.part} Guidelines"
        topic = f" {cite.section}" if with_section and cite.section else ""
        pages = f" Page(s): {cite.pages}" if with_section and cite.pages else ""
        return f"{name}{topic}{pages}"
    # prose, 2013-2014
    if cite.chapter in ACOEM_CHAPTER_NUMBERS:
        name = f"ACOEM Practice Guidelines, 2nd Edition (2004), Chapter {ACOEM_CHAPTER_NUMBERS[cite.chapter]}"
    elif cite.chapter == "Chronic Pain":
        name = "Chronic Pain Medical Treatment Guidelines (2009)"
        if with_section and cite.section:
            name += f", {cite.section}"
    else:
        name = f"{cite.part} Guidelines ({cite.year})"
    pages = ""
    if with_section and cite.pages:
        pages = f", page{'s' if '-' in cite.pages or ',' in cite.pages else ''} {cite.pages}"
    return f"{name}{pages}, which are part of the MTUS"


def odg_topic(rng: random.Random, request: Request) -> str | None:
    if request.service is not None:
        topic = request.service.odg
        chapter = request.region.odg_chapter if request.service.mtus in ("region", "lowback") else "Pain (Chronic)"
    else:
        topic = cat.ODG_DRUG_TOPICS.get(request.subcategory or "", request.subcategory or "Medications")
        chapter = None
    return rng.choice((f"{chapter}, {topic}" if chapter else topic, topic, None))


def other_reference(rng: random.Random, request: Request, year: int) -> str:
    # Drug references (drugs.org, the FDA label) only for drugs.
    template = rng.choice(cat.OTHER_EVIDENCE if request.generic else cat.OTHER_EVIDENCE[1:2] + cat.OTHER_EVIDENCE[3:])
    slug = (request.generic or "pain").split(" / ")[0].replace(" ", "-")
    return template.format(
        slug=slug,
        pmid=rng.randint(10_000_000, 30_000_000),
        name=(request.generic or "the product").split(" / ")[0],
        year=rng.randint(2008, max(2009, year - 1)),
    )


def non_mtus_reference(
    rng: random.Random, source: str, request: Request, style: str, year: int, citations: list[dict]
) -> str:
    """One reference outside the MTUS, in the wording of the letter's era; its citation joins `citations`."""
    outside = ", which are not part of the MTUS" if style == "prose" else ""
    if source == "ODG":
        topic = odg_topic(rng, request)
        citations.append({"source": "ODG", "chapter": None, "section": topic, "pages": []})
        if style == "prose":
            return f"Official Disability Guidelines (ODG){', ' + topic if topic else ''}{outside}"
        if style == "pages":
            return f"Official Disability Guidelines{', ' + topic if topic else ''}"
        return f"Official Disability Guidelines (ODG){rng.choice((', ', ' ')) + topic if topic else ''}"
    if source == "ACOEM":
        chapter = rng.choice(cat.ACOEM_3RD)
        page = rng.randint(40, 900)
        citations.append({"source": "ACOEM", "chapter": None, "section": chapter, "pages": [page]})
        return f"ACOEM Occupational Medicine Practice Guidelines, 3rd ed., {chapter}, pg. {page}{outside}"
    reference = other_reference(rng, request, year)
    citations.append({"source": "OTHER", "chapter": None, "section": reference, "pages": []})  # as written
    return reference + (", which is not part of the MTUS" if style == "prose" else "")


def guideline_line(
    rng: random.Random, side: str, request: Request, style: str, year: int, layout: str
) -> tuple[str, list[dict]]:
    """A "Claims Administrator guideline" or "MAXIMUS guideline" line and the citations it makes."""
    who = "Claims Administrator" if side == "ca" else "Expert Reviewer"
    if layout == "medical-professional-review" and side != "ca":
        who = "Professional Reviewer"
    if side == "ca":
        group = weighted(rng, {"MTUS only": 52, "MTUS + non-MTUS": 14, "non-MTUS only": 16, "nothing": 18})
    else:
        group = weighted(rng, {"MTUS only": 67, "MTUS + non-MTUS": 12, "non-MTUS only": 14, "nothing": 7})
    cite = mtus_cite(rng, request, year) if group.startswith("MTUS") else None
    if group.startswith("MTUS") and cite is None:
        group = "non-MTUS only"
    if group == "nothing":
        if style == "prose":
            return f"The {who} did not cite any evidence-based criteria for its decision.", []
        return f"The {who} did not cite any medical evidence for its decision.", []

    citations: list[dict] = []
    mtus_parts: list[str] = []
    with_section = side != "ca" or rng.random() < 0.5
    if cite is not None:
        mtus_parts.append(mtus_text(cite, style, with_section))
        citations.append(
            {
                "source": "MTUS",
                "chapter": cite.chapter,
                # the prose form names an ACOEM chapter by number only: no topic is written
                "section": cite.section
                if with_section and not (style == "prose" and cite.chapter in ACOEM_CHAPTER_NUMBERS)
                else None,
                "pages": expand_pages(cite.pages) if with_section and style != "section" else [],
            }
        )
        # A second MTUS part now and then (imaging of two regions, a drug with its chronic pain section).
        if style == "section" and rng.random() < 0.08 and request.category != "Pharmaceuticals":
            extra = MtusCite(
                "Chronic Pain", "Chronic Pain Medical Treatment", "2016", "Physical medicine treatment", ""
            )
            if extra.chapter != cite.chapter:
                mtus_parts.append(mtus_text(extra, style, True))
                citations.append({"source": "MTUS", "chapter": "Chronic Pain", "section": extra.section, "pages": []})

    others: list[str] = []
    if group != "MTUS only":
        # ODG is named on ~26% of lines, nearly every line that goes outside the MTUS; ACOEM's
        # 3rd edition and other evidence come alone or beside it.
        sources = ["ODG"] if rng.random() < 0.95 else []
        if not sources or rng.random() < 0.15:
            sources.append(weighted(rng, {"ACOEM": 45, "OTHER": 55}))
        for source in sources:
            others.append(non_mtus_reference(rng, source, request, style, year, citations))

    if style == "prose":
        verb = "its" if side == "ca" else "his/her"
        references = [*mtus_parts, *others]
        return f"The {who} based {verb} decision on the {', and the '.join(references)}.", citations
    sentences = []
    if not mtus_parts:
        if style == "pages":
            sentences.append(f"The {who} did not base their decision on the MTUS.")
        else:
            sentences.append(f"The {who} based their decision on recommendation(s) outside of the MTUS Guidelines.")
    if mtus_parts:
        sentences.append(f"Decision based on MTUS {', and '.join(mtus_parts)}.")
    sentences.extend(f"Decision based on Non-MTUS Citation {other}." for other in others)
    return " ".join(sentences), citations


# ---------------------------------------------------------------- outcomes

GUIDELINE_OVERTURN = {"MTUS only": 1.0, "MTUS + non-MTUS": 1.1, "non-MTUS only": 1.25, "nothing cited": 1.6}
GUIDELINE_SHARES = {"MTUS only": 0.66, "MTUS + non-MTUS": 0.12, "non-MTUS only": 0.15, "nothing cited": 0.07}


def _mean_specialty_factor(kind: str) -> float:
    weights = cat.REVIEWERS[kind]
    total = sum(w for _, w in weights)
    return sum(cat.SPECIALTY_OVERTURN.get(specs[0], 1.0) * w for specs, w in weights) / total


@cache
def _overturn_norm(year: int) -> float:
    """The mean of the overturn multipliers in a year, so the yearly rate lands on the published one."""
    class_weights = _class_weights(year)
    class_total = sum(class_weights.values())
    drug_factor = sum(cat.DRUG_CLASS_OVERTURN.get(c, 1.0) * w for c, w in class_weights.items()) / class_total
    norm = 0.0
    for category, weight in _category_weights(year).items():
        factor = cat.CATEGORY_OVERTURN[category] * (drug_factor if category == "Pharmaceuticals" else 1.0)
        norm += weight * factor * _mean_specialty_factor(reviewer_kind(category, None))
    guide = sum(GUIDELINE_OVERTURN[g] * s for g, s in GUIDELINE_SHARES.items())
    return norm * guide


def reviewer_kind(category: str, subcategory: str | None) -> str:
    if category == "Surgery":
        return "surgery"
    if category == "Psych Services":
        return "psych"
    if subcategory in ("Chiropractic", "Acupuncture"):
        return "chiro"
    if subcategory == "Dental Services":
        return "dental"
    if category == "Injection":
        return "injection"
    return "general"


def imr_group(citations: list[dict]) -> str:
    sources = {c["source"] for c in citations}
    if not sources:
        return "nothing cited"
    if sources == {"MTUS"}:
        return "MTUS only"
    return "MTUS + non-MTUS" if "MTUS" in sources else "non-MTUS only"


def overturned(
    rng: random.Random, year: int, request: Request, primary_specialty: str, imr_citations: list[dict]
) -> bool:
    factor = cat.CATEGORY_OVERTURN[request.category]
    if request.category == "Pharmaceuticals":
        factor *= cat.DRUG_CLASS_OVERTURN.get(request.subcategory or "", 1.0)
    factor *= cat.SPECIALTY_OVERTURN.get(primary_specialty, 1.0)
    factor *= GUIDELINE_OVERTURN[imr_group(imr_citations)]
    return rng.random() < min(0.9, cat.YEAR_TARGETS[year][1] * factor / _overturn_norm(year))


# ---------------------------------------------------------------- reviewers and people


@cache
def _state_names() -> dict[str, str]:
    return cat.load_states()


def reviewer(rng: random.Random, kind: str) -> tuple[list[str], str, list[str], str]:
    """(specialties, how the letter prints them, licence state codes, how the letter prints them)."""
    options = cat.REVIEWERS[kind]
    specialties = list(rng.choices([o[0] for o in options], weights=[o[1] for o in options])[0])
    printed = [rng.choice(cat.SPECIALTY_VARIANTS.get(s, (s,))) for s in specialties]
    if rng.random() < 0.01 and len(printed[-1]) > 12:
        printed[-1] = printed[-1][:-1]  # a letter lost at the end of the field, as some letters print it
    separator = rng.choice((", ", ", ", ","))
    count = weighted(rng, {1: 55, 2: 30, 3: 12, 4: 3})
    codes: list[str] = ["CA"] if rng.random() < 0.67 else []
    while len(codes) < count:
        code = weighted(rng, cat.OTHER_STATES)
        if code not in codes:
            codes.append(code)
    rng.shuffle(codes)
    names = _state_names()
    return specialties, separator.join(printed), codes, rng.choice((",", ", ")).join(names[c] for c in codes)


def age_phrase(rng: random.Random, age: int, sex: str) -> str:
    noun = sex if rng.random() < 0.8 else {"male": "man", "female": "woman"}[sex]
    article = "an" if str(age).startswith("8") or age in (11, 18) else "a"
    return weighted(
        rng,
        {
            f"{article} {age} year old {noun}": 50,
            f"{article} {age}-year-old {noun}": 35,
            f"{article} {age} year-old {noun}": 10,
            f"a year {age} old {noun}": 5,
        },
    )


def narrative_date(rng: random.Random, day: date) -> str:
    if rng.random() < 0.5:
        return f"{day.month}-{day.day}-{day.year % 100:02d}"
    return day.strftime("%m/%d/%Y")


# Drugs prescribed to go with another (a stomach protector with an NSAID or opioid): when the letter's
# first drug is upheld, these fall with it (the reason dependent_on_denied).
GOES_WITH_A_DRUG = ("Proton Pump Inhibitors", "H2 Blocker", "GI Agents", "Antiemetic")
PHYSICIANS = 10_000  # requesting physicians in the generated population


def provider_id(rng: random.Random) -> int:
    """A requesting physician: the top 1% of them make ~42% of requests, the top 10% ~85%."""
    tier = rng.random()
    if tier < 0.42:
        return rng.randrange(PHYSICIANS // 100)
    if tier < 0.85:
        return PHYSICIANS // 100 + rng.randrange(PHYSICIANS // 10 - PHYSICIANS // 100)
    return PHYSICIANS // 10 + rng.randrange(PHYSICIANS - PHYSICIANS // 10)


# ---------------------------------------------------------------- the whole letter


def item_count(rng: random.Random) -> int:
    return weighted(rng, cat.ITEMS_PER_LETTER)


def plan_letter(seed: int, index: int) -> PlannedLetter:
    rng = letter_rng(seed, index)
    decided = decision_date(rng)
    year = decided.year
    layout, style = choose_layout(rng, decided)
    assigned = decided - timedelta(days=turnaround_days(rng, year))
    received = assigned - timedelta(days=rng.randint(1, 10))
    ur_denied = received - timedelta(days=rng.randint(3, 30))
    injury = ur_denied - timedelta(days=rng.randint(20, 4000))
    visit = ur_denied - timedelta(days=rng.randint(3, 40))
    if visit <= injury:
        visit = injury + timedelta(days=1)
    expedited = rng.random() < 0.012

    region = rng.choice(cat.REGIONS)
    theme = weighted(rng, _category_weights(year))
    count = item_count(rng)
    requests = [choose_request(rng, year, theme, region, layout)]
    ancillary: set[str] = set()  # the requests that go with the surgery (post-op, assistant, pre-op)
    for _ in range(count - 1):
        if theme == "Surgery" and rng.random() < 0.7:
            adjunct = next(s for s in cat.SERVICES if s.subcategory == "Adjunct Surgical Services")
            post_op = cat.SERVICES[0]
            service = adjunct if rng.random() < 0.6 else post_op
            request = service_request(rng, service, region)
            ancillary.add(request.text)
        else:
            category = theme if rng.random() < 0.55 else weighted(rng, _category_weights(year))
            request = choose_request(
                rng, year, category, region if rng.random() < 0.7 else rng.choice(cat.REGIONS), layout
            )
        requests.append(request)
    # A letter lists each disputed item once.
    seen: set[str] = set()
    requests = [r for r in requests if not (r.text.lower() in seen or seen.add(r.text.lower()))]

    specialties, specialties_text, states, states_text = reviewer(rng, reviewer_kind(theme, requests[0].subcategory))
    sex = "male" if rng.random() < 0.6 else "female"
    age = max(19, min(79, round(rng.gauss(47, 11))))
    # About 1 letter in 5 has a partly authorized item; not every letter has an item UR can cut down.
    modified_letter = rng.random() < 0.39
    modifiable = [i for i, r in enumerate(requests) if r.partial and ("{a}" not in r.partial or (r.quantity or 0) > 3)]
    modified_index = rng.choice(modifiable) if modified_letter and modifiable else None

    items: list[PlannedItem] = []
    report_date = narrative_date(rng, visit)
    guideline_name = rng.choice(("The MTUS", "CA MTUS", "The California MTUS", "MTUS/ACOEM", "The ODG"))
    primary_upheld = False
    for position, request in enumerate(requests):
        ca_text, ca_citations = guideline_line(rng, "ca", request, style, year, layout)
        imr_text, imr_citations = guideline_line(rng, "imr", request, style, year, layout)
        is_overturned = overturned(rng, year, request, specialties[0], imr_citations)
        if position == 0:
            primary_upheld = not is_overturned
        goes_with_primary = position > 0 and (
            request.text in ancillary
            or (request.subcategory in GOES_WITH_A_DRUG and requests[0].category == "Pharmaceuticals")
            or (request.subcategory == "Supplies" and requests[0].category == "DMEPOS")
        )
        authorized = authorized_quantity = remaining = summary_authorized = None
        heading = request.text
        if position == modified_index and request.partial:
            if request.quantity and "{a}" in request.partial:
                share = rng.choice((0.1, 0.25, 1 / 3, 0.5, 2 / 3, 0.9))
                authorized_quantity = min(max(2, round(request.quantity * share)), request.quantity - 2)
                authorized = request.partial.format(a=authorized_quantity)
                remaining = request.partial.format(a=request.quantity - authorized_quantity)
            else:
                authorized = request.partial
            if style == "section":
                if remaining and rng.random() < 0.75:
                    heading = (
                        f"{request.text} was the original request. {authorized} was authorized by the Claims "
                        f"Administrator. The remaining IMR eligible portion of the original request, "
                        f"{remaining}{rng.choice((' is', ''))}"
                    )
                else:
                    heading = (
                        f"{request.text} was the original request. {authorized} was authorized by the Claims "
                        f"Administrator, leaving the original request IMR eligible. The original request, "
                        f"{request.text} is"
                    )
                summary_authorized = authorized
            else:
                summary_authorized = authorized = _spaced(rng, authorized)
        decision = {
            "item_no": position + 1,
            "treatment": request.text,
            "outcome": "overturned" if is_overturned else "upheld",
            "service_category": request.category,
            "service_subcategory": request.subcategory,
            "drug_generic": request.generic,
            "strength": request.strength,
            "quantity": request.quantity,
            "ur_action": "modified" if authorized else "denied",
            "ur_authorized": authorized,
            "ur_authorized_quantity": authorized_quantity,
            "ca_guideline_text": ca_text,
            "imr_guideline_text": imr_text,
            "ca_citations": ca_citations,
            "imr_citations": imr_citations,
        }
        decision["rationale"], decision["reasons"] = rationale(
            rng, request.text, request.category, request.subcategory, is_overturned, report_date, guideline_name,
            depends_on=(topic_kind(requests[0].category, requests[0].subcategory), requests[0].text)
            if primary_upheld and not is_overturned and goes_with_primary
            else None,
        )
        summary_request = _spaced(rng, request.text) if summary_authorized else request.text
        items.append(PlannedItem(decision, heading, summary_request, summary_authorized))

    ur_date_text = narrative_date(rng, ur_denied)
    denied = [it.summary_request for it in items if it.summary_authorized is None]
    ur_sentences = []
    if denied:
        listed = denied[0] if len(denied) == 1 else ", ".join(denied[:-1]) + " and " + denied[-1]
        ur_sentences.append(
            rng.choice(
                (
                    f"On {ur_date_text}, utilization review determined that {listed} "
                    f"{'was' if len(denied) == 1 else 'were'} not medically necessary.",
                    f"On {ur_date_text}, Utilization Review non-certified the request for {listed}.",
                    f"The request for {listed} was denied by utilization review on {ur_date_text}.",
                )
            )
        )
    for it in items:
        if it.summary_authorized:
            ur_sentences.append(
                f"On {ur_date_text}, Utilization Review modified the request for {it.summary_request} "
                f"to {it.summary_authorized}."
            )
    pronoun = "He" if sex == "male" else "She"
    summary = case_summary(
        rng, age_phrase(rng, age, sex), pronoun, narrative_date(rng, injury), report_date, " ".join(ur_sentences)
    )

    case_number = f"CM{assigned.year % 100:02d}-{(index * 7919 + seed * 104729 + 1) % 10_000_000:07d}"
    shows = {  # the header fields each layout prints (letter-layouts.md)
        "notice-2013": {"date_assigned": False, "priority": False}
    }.get(layout, {})
    record = {
        "layout": layout,
        "case_number": case_number,
        "date_assigned": assigned.isoformat() if shows.get("date_assigned", True) else None,
        "date_of_injury": injury.isoformat(),
        "decision_date": decided.isoformat(),
        "ur_denial_date": ur_denied.isoformat(),
        "application_received": received.isoformat(),
        "priority": ("expedited" if expedited else "standard") if shows.get("priority", True) else None,
        "reviewer_license_states": states,
        "reviewer_specialties": specialties,
        "patient_age": age,
        "patient_sex": sex,
        "decisions": [it.decision for it in items],
        "requesting_physician_id": provider_id(rng),
    }
    # Like the seed letter (2015): the header block did not survive, so only the narrative gives dates.
    header_cut = layout == "final-determination" and style == "pages" and rng.random() < 0.03
    if header_cut:
        record.update(
            case_number=None, date_assigned=None, decision_date=None, application_received=None, priority=None
        )
    documents = []
    if layout in ("maximus-documents-reviewed", "medical-professional-review"):
        documents = [
            f"Application of Independent Medical Review dated {received:%m/%d/%Y}",
            f"Utilization Review Determination dated {ur_denied:%m/%d/%Y}",
            rng.choice(
                (
                    "Medical records from the treating physician",
                    "Progress reports from the primary treating physician",
                    "Records from the pain management physician",
                )
            )
            + f" dated {visit:%m/%d/%Y}",
        ]
        documents += rng.sample(
            [
                "Qualified Medical Evaluation",
                "MRI report",
                "Physical therapy notes",
                "Employer's First Report of Occupational Injury",
                "Request for Authorization",
                "Psychological evaluation",
                "Operative report",
                "Pharmacy records",
            ],
            rng.randint(1, 3),
        )
    return PlannedLetter(
        layout=layout,
        style=style,
        record=record,
        assigned=assigned,
        injury=injury,
        decided=decided,
        ur_denied=ur_denied,
        received=received,
        expedited=expedited,
        states_text=states_text,
        specialties_text=specialties_text,
        summary=summary,
        items=items,
        documents=documents,
        line_width=rng.randint(86, 98),
        split_words=rng.random() < 0.3,
        blank_lines=style == "pages" and rng.random() < 0.15,
        header_cut=header_cut,
    )
