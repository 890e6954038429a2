"""The CLINICAL CASE SUMMARY: applicant age and sex, injury date, UR decision date, body parts.

The summary is free text written by the reviewer, so every reader here looks for the phrase that
states the fact ("a 39-year-old", "an industrial injury of June 2, 2014", "In a Utilization
Review report dated ...") and reads nothing from context it does not state: sex only from words
such as "female" or "man" (the boilerplate's "He/she" says nothing), body parts only from the
summary, each canonical part once, in order of first mention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from imrgraph.model import Sex
from imrgraph.parse.dates import DATE_PATTERN, DateMatch, date_at, first_date

_AGE_RE = re.compile(r"\b(?P<age>\d{1,3})[\s-]+(?:-\s*)?years?[\s-]+old\b", re.I)
_AGE_ALT_RE = re.compile(
    r"\b(?:aged?|age\s+of)\s+(?P<age>\d{1,3})\b|\b(?P<yo>\d{1,3})\s*(?:y/o|y\.o\.|yo)(?!\w)", re.I
)
_SEX_NEAR_AGE_RE = re.compile(r"\b(?P<sex>female|male|woman|man|gentleman|lady)\b", re.I)
_SEX_ANY_RE = re.compile(r"\b(?P<sex>female|male)\b", re.I)
_SEX: dict[str, Sex] = {
    "female": "female",
    "woman": "female",
    "lady": "female",
    "male": "male",
    "man": "male",
    "gentleman": "male",
}

# "industrial injury of June 2, 2014", "reported an injury on 06/02/2014", "injured on ...",
# "date of injury (DOI) 06/02/2014": the first date shortly after an injury word ("the injured
# worker" is a name for the applicant, not an injury phrase).
_INJURY_ANCHOR_RE = re.compile(
    r"\b(?:injur(?:y|ies|ed)(?!\s+(?:workers?|employees?|party))|DOI)\b", re.I
)
_GAP_STOP_RE = re.compile(r"[.;]")
_INJURY_REACH = 80  # the date follows its injury word closely ("injury of", "injured on")
_MAX_MENTIONS = 50  # a real summary has a handful; this bounds pathological input
_ON_BEFORE_RE = re.compile(r"\b(?:On|on)\s+(" + DATE_PATTERN + r")\s*,?\s*(?:the\s+)?$", re.I)
_SENTENCE_REACH = 300
_UR_RE = re.compile(r"\b(?:Utilization\s+Review|UR)\b", re.I)
_UR_AFTER_RE = re.compile(
    r"[^.;,]{0,40}?\b(?:dated|of|on|from|date[d]?\s+of|issued|rendered)\s+(?=[A-Z0-9])", re.I
)

#: Canonical body parts (DESIGN.md order) and the words that name them. Two-word names are
#: looked up before single words, so "low back" is not read as "back" and "upper extremity"
#: is not read as "extremity".
BODY_PART_WORDS: dict[str, str] = {
    "head": "head",
    "neck": "neck",
    "necks": "neck",
    "cervical": "neck",
    "upper back": "upper back",
    "thoracic": "upper back",
    "mid back": "upper back",
    "midback": "upper back",
    "mid-back": "upper back",
    "low back": "low back",
    "lower back": "low back",
    "lumbar": "low back",
    "lumbosacral": "low back",
    "shoulder": "shoulder",
    "shoulders": "shoulder",
    "upper extremity": "upper extremity",
    "upper extremities": "upper extremity",
    "arm": "upper extremity",
    "arms": "upper extremity",
    "elbow": "elbow",
    "elbows": "elbow",
    "forearm": "forearm",
    "forearms": "forearm",
    "wrist": "wrist",
    "wrists": "wrist",
    "hand": "hand",
    "hands": "hand",
    "finger": "hand",
    "fingers": "hand",
    "thumb": "hand",
    "thumbs": "hand",
    "hip": "hip",
    "hips": "hip",
    "lower extremity": "lower extremity",
    "lower extremities": "lower extremity",
    "leg": "lower extremity",
    "legs": "lower extremity",
    "knee": "knee",
    "knees": "knee",
    "ankle": "ankle",
    "ankles": "ankle",
    "foot": "foot",
    "feet": "foot",
    "toe": "foot",
    "toes": "foot",
    "chest": "chest",
    "abdomen": "abdomen",
    "abdominal": "abdomen",
}
_NOT_BODY_PARTS = frozenset({"other hand"})  # "on the other hand" is a turn of phrase
_WORD_RE = re.compile(r"[a-z]+(?:-[a-z]+)*")


@dataclass
class Summary:
    """What the summary states; absent facts are None / empty."""

    age: int | None = None
    sex: Sex | None = None
    injury_date: str | None = None
    ur_date: str | None = None
    body_parts: list[str] = field(default_factory=list)
    # True when a date was stated but could not be read (so it is not "missing").
    injury_date_unparsed: bool = False
    ur_date_unparsed: bool = False


def _age_and_sex(text: str) -> tuple[int | None, Sex | None]:
    age: int | None = None
    sex: Sex | None = None
    m = _AGE_RE.search(text) or _AGE_ALT_RE.search(text)
    if m:
        value = int(m.group("age") or m.group("yo"))
        age = value if 0 < value <= 120 else None
        # The sex, when stated, is in the same phrase: "a 55-year-old male who ...".
        window = text[max(0, m.start() - 80) : m.end() + 80]
        s = _SEX_NEAR_AGE_RE.search(window)
        if s:
            sex = _SEX[s.group("sex").lower()]
    if sex is None:
        s = _SEX_ANY_RE.search(text)
        if s:
            sex = _SEX[s.group("sex").lower()]
    return age, sex


def _injury_date(text: str) -> DateMatch | None:
    """The first date shortly after an injury word, in the same sentence."""
    for n, anchor in enumerate(_INJURY_ANCHOR_RE.finditer(text)):
        if n >= _MAX_MENTIONS:
            break
        found = first_date(text, anchor.end(), min(len(text), anchor.end() + _INJURY_REACH + 40))
        if (
            found is not None
            and found.start - anchor.end() <= _INJURY_REACH
            and not _GAP_STOP_RE.search(text, anchor.end(), found.start)
        ):
            return found
    return None


# A UR mention that reports the decision ("On X, Utilization Review non-certified ...") beats
# one that only names a document UR read ("the report reviewed by UR was dated X").
_UR_DECISION_VERB_RE = re.compile(
    r"non[\s-]*certif|\bdenied\b|\bdenial\b|\bmodified\b|\bcertified\b|\bupheld\b|"
    r"\bdetermination\b|\bdecision\b|not\s+medically\s+necessary",
    re.I,
)


def _ur_date(text: str) -> DateMatch | None:
    """The date of the Utilization Review decision: "UR report dated X", "On X, Utilization
    Review non-certified ...", else the first date in the UR mention's sentence. Mentions
    whose sentence reports a decision are tried first."""
    return _ur_date_pass(text, decision_only=True) or _ur_date_pass(text, decision_only=False)


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    lo = max(0, start - _SENTENCE_REACH)
    hi = min(len(text), end + _SENTENCE_REACH)
    stop = text.find(". ", end, hi)
    return max(text.rfind(". ", lo, start) + 2, lo), stop if stop != -1 else hi


def _ur_date_pass(text: str, decision_only: bool) -> DateMatch | None:
    for n, m in enumerate(_UR_RE.finditer(text)):
        if n >= _MAX_MENTIONS:
            break
        if decision_only:
            lo, hi = _sentence_bounds(text, m.start(), m.end())
            if not _UR_DECISION_VERB_RE.search(text, lo, hi):
                continue
        before_start = max(0, m.start() - 40)
        on = _ON_BEFORE_RE.search(text, before_start, m.start())
        if on:
            return date_at(text, on.start(1))
        after = _UR_AFTER_RE.match(text, m.end())
        if after:
            found = date_at(text, after.end())
            if found:
                return found
        # Else the first date of the mention's sentence (bounded: sentences are short, and
        # an unbounded look would make a pathological text quadratic).
        lo = max(0, m.start() - _SENTENCE_REACH)
        hi = min(len(text), m.end() + _SENTENCE_REACH)
        stop = text.find(". ", m.end(), hi)
        window_end = stop if stop != -1 else hi
        sentence_start = max(text.rfind(". ", lo, m.start()) + 2, lo)
        found = first_date(text, sentence_start, window_end)
        if found:
            return found
    return None


def _body_parts(text: str) -> list[str]:
    """Canonical body parts in order of first mention (word lookups: fast and exact)."""
    words = _WORD_RE.findall(text.lower())
    found: list[str] = []
    i = 0
    while i < len(words):
        if i + 1 < len(words):
            pair = f"{words[i]} {words[i + 1]}"
            if pair in _NOT_BODY_PARTS:
                i += 2
                continue
            name = BODY_PART_WORDS.get(pair)
            if name is not None:
                if name not in found:
                    found.append(name)
                i += 2
                continue
        word = words[i]
        names = [BODY_PART_WORDS.get(word) or BODY_PART_WORDS.get(word.replace("-", " "))]
        if names[0] is None and "-" in word:  # "neck-shoulder", "knee-related"
            names = [BODY_PART_WORDS.get(part) for part in word.split("-")]
        for name in names:
            if name is not None and name not in found:
                found.append(name)
        i += 1
    return found


def parse_summary(text: str) -> Summary:
    """Read the facts of a (whitespace-collapsed) summary text."""
    out = Summary()
    out.age, out.sex = _age_and_sex(text)
    injury = _injury_date(text)
    if injury:
        out.injury_date = injury.iso
        out.injury_date_unparsed = injury.iso is None
    ur = _ur_date(text)
    if ur:
        out.ur_date = ur.iso
        out.ur_date_unparsed = ur.iso is None
    out.body_parts = _body_parts(text)
    return out
