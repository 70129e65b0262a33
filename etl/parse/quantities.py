"""The grammar of counts: how a request says how many, and what is not a count.

A count is, in the order tried (the first that speaks wins):
    a tally mark           "#120", "# 20", "QTY: 2"                   (the last one: "Tylenol #3 #60" is 60)
    a total in brackets    "(12 sessions)", "two times four visits (8)", "Eight (8)"
    sessions named         "12 sessions", "Twelve physical therapy visits", "sessions, 12", "x 6 visits"
    a frequency            "3 times a week for 4 weeks", "2x/week x 6 weeks", "3 visits per week for 2 weeks",
                           "twice a week for 3 weeks", "daily for 4 weeks" (28), "2 x 6" (therapy shorthand)
    "times N" alone        "manipulation times 12", "MRI ... times 1", "PT x12"
    a count before a noun  "2 leg wraps", "Four trigger point injections"
Not counts: strengths ("10/325mg", "5%"), durations ("30 day rental", "for 6 weeks"), ranges ("two to
three", "12-18 sessions", "1 to 2 times per week"), spinal levels ("L4-L5"), and numbers that are part
of a name ("Synvisc-One", "three-phase bone scan", "two-level fusion", "6-panel drug screen").
"""

import re

from etl.parse.drugs import drug_pattern

_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90}
_ADVERBS = {"once": 1, "twice": 2, "thrice": 3, "single": 1}
_WORD = (
    r"(?:(?:" + "|".join(_TENS) + r")(?:[- ](?:" + "|".join(k for k, v in _UNITS.items() if v < 10) + r"))?"
    r"|" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")"
)
# A number standing alone: not inside a name ("Synvisc-One", "L4-5"), a decimal or a range.
_N = (
    r"(?<![a-wyz\d_.#/-])(?<!\bto )(?<!\bor )(?<!- )(\d{1,3}|" + _WORD + r")"
    r"(?![a-wyz\d_/%]|x[a-z]|-[a-z]|\.\d|\s*(?:-|to|or)\s*(?:\d|" + _WORD + r")\b)"
)
_SESSION = r"(?:sessions?|visits?|treatments?|appointments?|classes)"
_PERIOD = r"(?:a|per|/|each|every|x)?\s*(?:weeks?|wks?)\b"
_DURATION = r"(?:days?|weeks?|wks?|months?|years?|hours?|hrs?|minutes?|mins?)\b"
# What a number before a noun names rather than counts: "two-level", "3 view", "6 panel", "4 lead".
_NAME_PART = r"(?:levels?|views?|panels?|phases?|leads?|channels?|compartments?|parts?|d\b|dimensional|ply)"
_UNIT = r"(?:mg|mcg|ml|cc|g|gm|grams?|%|percent|iu|units?|meq|mm|cm|inch\w*|hz|oz|refills?)\b"

_TALLY = (re.compile(r"#\s*(\d+)"), re.compile(r"\b(?:qty|quantity)\s*[:.]?\s*(\d+)", re.I))
_BRACKET_TOTAL = re.compile(
    r"(?<=\S)\s*\(\s*(\d{1,3})\s*(?:" + _SESSION + r"|units?|total)?\s*\)(?!\s*" + _DURATION + r")", re.I
)
_SESSIONS = (
    # "12 sessions", "8 additional physical therapy visits" (not "3 visits per week")
    re.compile(
        r"(?<!times )(?<!x )" + _N + r"\s+(?:(?!to\b|or\b|times\b|x\b)[a-z/&-]+\s+){0,3}?" + _SESSION
        + r"\b(?!\s*" + _PERIOD + r")",
        re.I,
    ),
    # "sessions, 12", "visits x 6", "treatments: 8"
    re.compile(_SESSION + r"\s*(?:[,:]|x|times)\s*" + _N + r"(?!\s*(?:" + _DURATION + r"|" + _UNIT + r"))", re.I),
)
_FREQUENCY = (
    # "3 times a week for 4 weeks", "2x/week x 6 weeks", "3 visits per week for 2 weeks"
    (
        re.compile(
            _N + r"\s*(?:x|times?|(?:[a-z/&-]+\s+){0,3}?" + _SESSION + r")?\s*" + _PERIOD
            + r"\s*[,(]?\s*(?:for|x|times|over|\*)?\s*" + _N + r"\s*(?:weeks?|wks?)\b",
            re.I,
        ),
        lambda per, weeks: per * weeks,
    ),
    # "for 6 weeks, 2 times a week"
    (
        re.compile(r"\bfor\s+" + _N + r"\s+weeks?,?\s+(?:at\s+)?" + _N + r"\s*(?:x|times?)\s*" + _PERIOD, re.I),
        lambda weeks, per: per * weeks,
    ),
    # "once a month for 6 months"
    (
        re.compile(_N + r"\s*(?:x|times?)?\s*(?:a|per|/|each|every)\s*month\s*(?:for|x|times|over)\s*" + _N
                   + r"\s*months?\b", re.I),
        lambda per, months: per * months,
    ),
)
_DAILY = re.compile(r"\bdaily\b(?:\s+[\w/]+){0,3}?\s+(?:for|x|times)\s+" + _N + r"\s+(weeks?|days?)\b", re.I)
# Therapy shorthand: "2 x 6" and "two times four" are twice a week for six weeks.
_TIMES_WEEKS = re.compile(
    r"(?<![\d#./-])\b([1-7]|one|two|three|four|five|six|seven)\s*(?:x|times)\s*" + _N
    + r"(?!\s*(?:" + _UNIT + r"|" + _DURATION + r"|(?:a|per|/|each)\s))",
    re.I,
)
_THERAPY = re.compile(r"therap|session|visit|acupunct|chiro|\bpt\b|\bot\b|rehab|treatment|manipulation", re.I)
_TIMES_ALONE = re.compile(
    r"(?:\btimes|\bx)\s*" + _N + r"(?!\s*(?:" + _UNIT + r"|" + _DURATION + r"|(?:a|per|/|each)\s))", re.I
)
# "1 tablet every 6 hours" is a dose, "30 tablets" a count
_DOSE = (
    r"(?:tabs?|tablets?|caps?|capsules?|pills?|puffs?|drops?|sprays?|patch(?:es)?)\s+(?:by\s+mouth|po\b|orally"
    r"|every|daily|once|twice|three|four|per\b|a\s+day|q\.?\s*\d|q[hd]|bid|tid|qid|qhs|hs\b|at\s+bedtime|as\s+needed|prn)"
)
_LEADING = re.compile(
    r"^(?:[^:]{0,60}:\s*)?" + _N + r"\s+(?!(?:times?|x|additional\s+" + _DURATION + r")\b|" + _UNIT + r"|"
    + _DURATION + r"|" + _NAME_PART + r"|" + _DOSE + r")(?=[a-z])",
    re.I,
)
_RANGE_OF_TIMES = re.compile(r"\b(?:\d+|" + _WORD + r")\s*(?:-|to|or)\s*(?:\d+|" + _WORD + r")\s*(?:x|times?)\b", re.I)


def number(word: str) -> int:
    """12, 'twelve', 'twenty-four', 'twice' as integers."""
    word = word.lower()
    if word.isdigit():
        return int(word)
    if word in _ADVERBS:
        return _ADVERBS[word]
    tens, _, unit = word.replace(" ", "-").partition("-")
    if tens in _TENS:
        return _TENS[tens] + (_UNITS[unit] if unit else 0)
    return _UNITS[word]


def quantity(text: str | None) -> int | None:
    """The request's count: `#120` is 120, `12 sessions` is 12, `3 times a week for 4 weeks` is 12."""
    if not text:
        return None
    if "#" in text:  # "Tylenol #3" is a name, not a tally
        text = drug_pattern().sub(" ", text)
    for pattern in _TALLY:
        found = pattern.findall(text)
        if found:
            return int(found[-1])
    bracket = _BRACKET_TOTAL.search(text)
    if bracket:
        return int(bracket.group(1))
    for pattern in _SESSIONS:
        match = pattern.search(text)
        if match:
            return number(match.group(1))
    adverbs = re.sub(r"\b(once|twice|thrice)\b", lambda m: str(_ADVERBS[m.group(1).lower()]), text, flags=re.I)
    for pattern, product in _FREQUENCY:
        match = pattern.search(adverbs)
        if match:
            return product(number(match.group(1)), number(match.group(2)))
    daily = _DAILY.search(text)
    if daily:
        return number(daily.group(1)) * (7 if daily.group(2).lower().startswith("week") else 1)
    if _RANGE_OF_TIMES.search(text):  # "1 to 2 times per week": no single count
        return None
    shorthand = _TIMES_WEEKS.search(text) if _THERAPY.search(text) else None
    if shorthand:
        return number(shorthand.group(1)) * number(shorthand.group(2))
    alone = _TIMES_ALONE.search(text)
    if alone:
        return number(alone.group(1))
    leading = _LEADING.match(text.strip())
    return number(leading.group(1)) if leading else None
