"""The expert reviewer's credentials, in both of the styles letters use.

- sentence: "The expert reviewer is Board Certified in Internal Medicine, has a subspecialty in
  Rheumatology and is licensed to practice in California."
- list: "The Expert Reviewer has the following credentials: State(s) of Licensure: Nevada,
  California  Certification(s)/Specialty: Neurology" (one line or several).

States come out as full names in the order written ("CA" -> "California"); an unknown state is
kept as written with a ``state-unrecognized`` warning. Specialties keep their own "and"
("Physical Medicine and Rehabilitation"), so only commas split a list of them.
"""

from __future__ import annotations

import re

from imrgraph.parse.text import collapse

STATES: dict[str, str] = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    "PR": "Puerto Rico",
}
_BY_NAME = {name.lower(): name for name in STATES.values()}
_BY_NAME["washington dc"] = "District of Columbia"
_BY_NAME["washington d.c."] = "District of Columbia"

_SENTENCE_RE = re.compile(
    r"\b(?:expert|physician|medical)\s+reviewer\s+is\s+(?P<body>.{0,400}?"
    r"licensed\s+to\s+practice\s+(?:medicine\s+)?in\s+(?P<states>[^.]{1,200}))\.",
    re.I | re.S,
)
_BOARD_RE = re.compile(
    r"(?:Board[\s-]+Certified|^(?:an?\s+)?(?:Licensed|Certified|Doctor\s+of))\s+(?:in\s+)?"
    r"(?P<cert>.+?)"
    r"(?=,\s*(?:has|and\s+has|with|is)\b|\s+and\s+(?:has|is)\b|\s*,?\s*(?:has\s+a\s+)?"
    r"sub-?specialt|$)",
    re.I | re.S,
)
_SUBSPEC_RE = re.compile(
    r"sub-?specialt(?:y|ies)\s+(?:certification\s+)?in\s+(?P<sub>.+?)"
    r"(?=,?\s+and\s+is\b|,\s*is\b|,?\s+and\s+(?:is\s+)?licensed|$)",
    re.I | re.S,
)
_LIST_STATES_RE = re.compile(
    r"State\(?s?\)?\s+of\s+Licensure\s*:\s*(?P<states>.+?)"
    r"(?=Certification|Specialt|Sub-?specialt|\n\s*\n\s*\S*[a-z]|$)",
    re.I | re.S,
)
_LIST_SPEC_RE = re.compile(
    r"(?:Certification\(?s?\)?\s*/\s*|\b)Specialt(?:y|ies)\s*:\s*(?P<spec>.+?)"
    r"(?=Sub-?specialt|State\(?s?\)?\s+of|\n[ \t]*\n|$)",
    re.I | re.S,
)
_LIST_SUB_RE = re.compile(
    r"Sub-?specialt(?:y|ies)\s*:\s*(?P<sub>.+?)(?=State\(?s?\)?\s+of|Certification|\n[ \t]*\n|$)",
    re.I | re.S,
)
_STATE_PREFIX_RE = re.compile(r"^(?:the\s+)?(?:states?\s+of\b\s*)?", re.I)
_STATE_SPLIT_RE = re.compile(r"\s*(?:,|;|\band\b|&)\s*", re.I)


def _states(raw: str, warnings: list[str]) -> list[str]:
    out: list[str] = []
    for part in _STATE_SPLIT_RE.split(collapse(raw).rstrip(".")):
        token = part.strip().strip(".").strip()
        if not token:
            continue
        token = _STATE_PREFIX_RE.sub("", token)
        if not token:
            continue
        name = STATES.get(token.upper()) if len(token) == 2 else _BY_NAME.get(token.lower())
        if name is None:
            warnings.append(f"state-unrecognized: {token!r}")
            name = token
        if name not in out:
            out.append(name)
    return out


def _split_specialties(raw: str) -> list[str]:
    """Comma-separated specialties; "and" stays inside a name."""
    text = collapse(raw).rstrip(".").strip()
    return [p.strip() for p in text.split(",") if p.strip()]


def parse_credentials(
    text: str, start: int, end: int, warnings: list[str]
) -> tuple[list[str], list[str]]:
    """Return (licensure states, specialties) read from ``text[start:end]``."""
    span = text[start:end]
    states_m = _LIST_STATES_RE.search(span)
    spec_m = _LIST_SPEC_RE.search(span)
    if states_m or spec_m:
        states = _states(states_m.group("states"), warnings) if states_m else []
        specialties = _split_specialties(spec_m.group("spec")) if spec_m else []
        sub_m = _LIST_SUB_RE.search(span)
        if sub_m:
            specialties += _split_specialties(sub_m.group("sub"))
        return states, specialties

    sentence = _SENTENCE_RE.search(span)
    if sentence is None:
        warnings.append("credentials-missing: no reviewer credentials found")
        return [], []
    body = collapse(sentence.group("body"))
    specialties: list[str] = []
    board = _BOARD_RE.search(body)
    if board:
        specialties += _split_specialties(board.group("cert"))
    sub = _SUBSPEC_RE.search(body)
    if sub:
        specialties += _split_specialties(sub.group("sub"))
    states = _states(sentence.group("states"), warnings)
    return states, specialties
