"""Modified requests: the decision line of an item that UR authorized in part.

The published letters (DOMAIN.md, "The published decisions") write such an item's heading as a
few sentences around the services, e.g.::

    Norco 10/325mg #60 was the original request. Norco 10/325mg #25 was authorized by the
    Claims Administrator. The remaining IMR eligible portion of the original request, Norco
    10/325mg #35 is: Upheld

    X was the original request. The Claims Administrator authorized Y, leaving the original
    request IMR eligible. The original request, X is: Overturned

The sentences are read by their fixed phrases ("anchors"), not by position, so the word-order
variants work alike: each anchor says which role the text before it ("X was the original
request") or after it ("The Claims Administrator authorized Y") plays, and that text runs to the
neighbouring anchor. The item's service is what went to IMR: the remaining portion when the
heading states one, else the original request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from imrgraph.parse.text import collapse

_CA = r"(?:the\s+)?Claims\s+Administrator"
_AUTH_VERB = r"(?:authori[sz]ed|approved|certified|modified)"

# (role, side, pattern): "before" anchors close the value written before them, "after" anchors
# open the value written after them.
_ANCHORS: list[tuple[str, str, re.Pattern[str]]] = [
    (
        "original",
        "before",
        re.compile(
            r"(?<![A-Za-z])(?:was|were|is|are|as)\s*the\s+original\s+request\b\s*[.;,]?", re.I
        ),
    ),
    (
        "authorized",
        "before",
        re.compile(
            rf"(?<![A-Za-z])(?:was|were|is|are|has\s+been|had\s+been)\s*{_AUTH_VERB}\s*by\s+{_CA}"
            r"\b\s*[.;,]?",
            re.I,
        ),
    ),
    (
        "authorized",
        "after",
        re.compile(rf"\b{_CA}\s+(?:has\s+|had\s+)?{_AUTH_VERB}(?:\s+the\s+request\s+to)?\s+", re.I),
    ),
    (
        "remainder",
        "after",
        re.compile(
            r"\b(?:The\s+)?remaining\s+(?:IMR[\s-]+eligible\s+)?portion(?:\s+of\s+the\s+"
            r"(?:original\s+)?request)?(?:\s+(?:that\s+)?(?:is|was)\s+IMR[\s-]+eligible)?"
            r"(?:\s*[,:]|\s+(?:is|was)(?:\s+for)?\b)?\s*",
            re.I,
        ),
    ),
    (
        "whole",
        "after",
        re.compile(r"\bThe\s+original\s+request(?:\s*[,:]|\s+(?:is|was)(?:\s+for)?\b)\s*", re.I),
    ),
]
# Words that make a heading worth reading as a modified request (cheap test first).
MODIFIED_HINT_RE = re.compile(
    r"original\s+request|by\s+the\s+Claims\s+Administrator|Administrator\s+" + _AUTH_VERB, re.I
)
# "..., leaving Norco #30 IMR eligible": the remainder named inside the authorization sentence.
_LEAVING_VALUE_RE = re.compile(
    r"\bleaving\s+(?!the\s+(?:original\s+)?request\b|the\s+remaind)(?P<value>.+?)\s+"
    r"(?:as\s+)?IMR[\s-]+eligible\b",
    re.I | re.S,
)
_LEADING_AND_RE = re.compile(r"^(?:and|while|but)\s+", re.I)
# The tail a value may carry: "..., leaving the original request IMR eligible", a final "is".
_LEAVING_RE = re.compile(r"\s*,?\s*leaving\s+.*$", re.I | re.S)
_FINAL_VERB_RE = re.compile(r"\s+(?:is|are|was|were)\s*$", re.I)
_SENTENCE_END_RE = re.compile(r"[.;]\s+(?=\S)")


@dataclass(frozen=True)
class ModifiedRequest:
    """What a modified request's heading states. ``service`` is the part that went to IMR."""

    service: str
    original_request: str | None
    authorized: str | None


def _clean(value: str) -> str | None:
    value = _LEAVING_RE.sub("", collapse(value))
    value = _FINAL_VERB_RE.sub("", value).strip(" ,;:")
    value = _LEADING_AND_RE.sub("", value)
    while value.endswith(".") and not re.search(r"\b(?:no|approx|etc|vs)\.$", value, re.I):
        value = value[:-1].rstrip(" ,;:")
    return value or None


def read_modified(heading: str) -> ModifiedRequest | None:
    """Read a decision line's text (without ``: Outcome``) as a modified request.

    None when the heading is an ordinary service: none of the sentences above is in it.
    """
    if not MODIFIED_HINT_RE.search(heading):
        return None
    # Every value is collapsed anyway; collapsing first also keeps the anchors linear on a
    # hostile heading (a pattern may begin where a long run of spaces does). A glued "#30was"
    # still reads: the anchors refuse only a letter before them ("has the original request").
    heading = collapse(heading)
    hits: list[tuple[int, int, str, str]] = []
    for role, side, pattern in _ANCHORS:
        for m in pattern.finditer(heading):
            if any(s < m.end() and m.start() < e for s, e, _, _ in hits):
                continue  # an earlier, more specific anchor already holds this text
            hits.append((m.start(), m.end(), role, side))
    hits.sort()
    if not hits:
        return None
    values: dict[str, str] = {}
    for i, (start, end, role, side) in enumerate(hits):
        if side == "before":
            lo = hits[i - 1][1] if i > 0 else 0
            text = heading[lo:start]
            if i > 0 and hits[i - 1][3] == "after":
                # The previous anchor's value and this one share the text between them: this
                # one starts after the last sentence end ("The CA authorized Y. X was ...").
                ends = list(_SENTENCE_END_RE.finditer(text))
                if not ends:
                    continue
                text = text[ends[-1].end() :]
        else:
            hi = hits[i + 1][0] if i + 1 < len(hits) else len(heading)
            text = heading[end:hi]
            if i + 1 < len(hits) and hits[i + 1][3] == "before":
                ends = list(_SENTENCE_END_RE.finditer(text))
                text = text[: ends[-1].start()] if ends else text
        value = _clean(text)
        if value and role not in values:
            values[role] = value
    # "The original request, X is" names the original request too (and sends all of it to IMR).
    original = values.get("original") or values.get("whole")
    authorized = values.get("authorized")
    leaving = None if "remainder" in values else _LEAVING_VALUE_RE.search(heading)
    if leaving is not None and (value := _clean(leaving.group("value"))):
        values["remainder"] = value
    service = values.get("remainder") or values.get("whole") or original
    if service is None:
        return None
    return ModifiedRequest(service=service, original_request=original, authorized=authorized)
