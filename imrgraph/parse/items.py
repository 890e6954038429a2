"""Disputed items: find each decision line, then read its citation lines and rationale.

Two styles (DOMAIN.md):

- newer: ``<service as requested>: Upheld`` (or ``Overturned``) on its own line (possibly wrapped
  over several lines), then ``Claims Administrator guideline:``, ``MAXIMUS guideline:`` and
  ``Decision rationale:``;
- older: ``2. <service> is (not) medically necessary and appropriate.``, then "The Claims
  Administrator based its decision on ...", "The Expert (or Physician) Reviewer based his/her
  decision on ..." and "The Expert Reviewer's decision rationale:".

A decision line only counts when the item's own structure follows it (a citation line or the
rationale label), so "upheld"/"overturned" or "is not medically necessary" inside a rationale
can never create or change an item. The outcome is read from the decision line and nowhere else.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

from imrgraph.model import Citation, Item, Outcome
from imrgraph.parse.categories import categorize
from imrgraph.parse.citations import parse_citation_line, rationale_citations
from imrgraph.parse.modified import MODIFIED_HINT_RE as _MODIFIED_HINT_RE
from imrgraph.parse.modified import read_modified
from imrgraph.parse.text import collapse, ends_with_abbreviation, sentences

# --- newer style ---------------------------------------------------------------------------

_NEW_DECISION_RE = re.compile(
    # Starts at the colon: a leading "[ \t]*" made every position of a long run of spaces
    # rescan the run (quadratic: 200,000 spaces took minutes); collapse() trims the service.
    r":[ \t]*(?:\r?\n[ \t]*)*(?P<outcome>Upheld|Overturned)\b[ \t]*\.?[ \t]*(?=\r?\n|$)",
    re.I,
)
_NEW_FOLLOW_RE = re.compile(
    r"\s*(?:Claims\s+Administrator\s+guidelines?|(?:MAXIMUS(?:\s+Federal\s+Services)?"
    r"|(?:Expert|Physician|Medical)\s+Reviewer|IMR)\s+guidelines?|Decision\s+rationale)\s*:",
    re.I,
)
# No word boundary after the outcome: the label right after it is the boundary, even glued
# to it by a lost line break ("UpheldClaims Administrator guideline:").
_RUN_ON_DECISION_RE = re.compile(
    r":\s*(?P<outcome>Upheld|Overturned)\.?(?=" + _NEW_FOLLOW_RE.pattern + r")", re.I
)
# Where a run-on service starts: after a sentence end, or after the "set forth below:" and
# "Decision rationale:" labels (not after any colon: "DOS: 01/05/2015" is inside a service).
_RUN_ON_STOP_RE = re.compile(r"(?:[.!?][\"'”’)\]]*|below:|rationale:)\s+(?=\S)", re.I)
_RUN_ON_REACH = 300
_NEW_CA_RE = re.compile(r"Claims\s+Administrator\s+guidelines?\s*:", re.I)
_NEW_REVIEWER_RE = re.compile(
    r"(?:MAXIMUS(?:\s+Federal\s+Services)?|(?:Expert|Physician|Medical)\s+Reviewer|IMR)"
    r"\s+guidelines?\s*:",
    re.I,
)
_NEW_RATIONALE_RE = re.compile(r"Decision\s+rationale\s*:", re.I)

# --- older style ---------------------------------------------------------------------------

_OLD_DECISION_RE = re.compile(
    r"(?m)^[ \t]*(?P<num>\d{1,2})[ \t]*[.)](?:[ \t]+|[ \t]*\n[ \t]*)"
    r"(?P<svc>\S[^\n]*?(?:\s*\n[^\n]*?){0,5}?)"
    r"\s+(?:is|are|was|were)\s+(?P<neg>not\s+)?medically\s+necessary\b"
    r"(?P<tail>[^.\n]*(?:\n[^.\n]*){0,2}?)\.?",
    re.I,
)
_OLD_FOLLOW_RE = re.compile(
    r"\s*(?:The\s+)?(?:Claims\s+Administrator|(?:Expert|Physician|Medical)\s+Reviewer)\b",
    re.I,
)
_OLD_CA_RE = re.compile(r"(?:The\s+)?Claims\s+Administrator\b", re.I)
_OLD_REVIEWER_RE = re.compile(
    r"(?:The\s+)?(?:Expert|Physician|Medical)\s+Reviewer\b(?!['’]?s\s+(?:decision\s+)?rationale)",
    re.I,
)
_OLD_RATIONALE_RE = re.compile(
    r"(?:The\s+)?(?:Expert|Physician|Medical)\s+Reviewer['’]?s\s+(?:decision\s+)?rationale\s*:"
    r"|Decision\s+rationale\s*:",
    re.I,
)
_HAS_LEAD_IN_RE = re.compile(
    r"based\s+\S+(?:\s+or\s+her)?\s+decisions?\s+on|did\s+not\s+cite", re.I
)

_TERMINAL_RE = re.compile(r"[.:;!?][\"'”’)\]]*$")
# A section heading in capitals ("IMR ISSUES, DECISIONS AND RATIONALES"): two words at least,
# so a service's first word alone in capitals ("MRI" above a page break) is not one.
_HEADING_RE = re.compile(r"^[^a-z]*[A-Z]{3,}[^a-z]*$")
_TWO_WORDS_RE = re.compile(r"\S\s+\S")
_MEDICALLY_NECESSARY_RE = re.compile(r"medically\s+necessary", re.I)


@dataclass
class Decision:
    """A decision line found in the text."""

    start: int  # where the service text starts
    end: int  # end of the decision line
    number: int | None  # older style: the number as written
    service: str
    outcome: Outcome
    older: bool
    original_request: str | None = None  # a modified request's heading (modified.py)
    authorized: str | None = None
    unreadable: str | None = None  # the heading as written when its outcome could not be read


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end == -1 else end


# A modified request's heading runs over several sentences (modified.py); a line ending with
# one of its fixed phrases ends a sentence of the heading, not the previous item's rationale.
_MODIFIED_LINE_END_RE = re.compile(
    r"(?:the\s+original\s+request|by\s+the\s+Claims\s+Administrator|IMR[\s-]+eligible)\s*[.,;]$",
    re.I,
)
# How the later sentences of a modified request's heading begin.
_MODIFIED_CONTINUES_RE = re.compile(
    r"\s*(?:The\s+remaining\b|The\s+original\s+request\b|(?:was|were)\s*(?:authori|approved|the"
    r"\s+original)|authori[sz]ed\s*by|by\s+the\s+Claims|The\s+Claims\s+Administrator\s+"
    r"(?:authori|approv|certif|modif))",
    re.I,
)
# A label that a service's next line completes: "... DOS:" / "Date of service:" + the date.
_OPEN_LABEL_RE = re.compile(
    r"\b(?:DOS|dates?(?:\s+of\s+service)?|service\s+dates?|dated)\s*:$", re.I
)
# A line ending in a colon that is the service's own ("Post-operative durable medical
# equipment:" + "cold therapy unit ..."): not the intro ("set forth below:"), a label of the
# layout ("... guideline:", "Decision rationale:"); a heading in capitals stops the walk first.
_OWN_COLON_RE = re.compile(
    r"^(?!.*\b(?:below|guidelines?|rationale|reviewed|summary|qualifications|reviewer|"
    r"decisions?|determination|follows)\s*:$).*[\w)%]\s*:$",
    re.I,
)
_ONLY_A_DATE_RE = re.compile(r"^[\d/.\-\s]*\d[\d/.\-\s]*$")
_MAX_HEADING_LINES = 8  # a compounded cream lists its ingredients (7 lines at 40 columns)
_MAX_MODIFIED_HEADING_LINES = 14


def _continues_modified(below: str) -> bool:
    """Whether the heading text read so far opens with a sentence of a modified request's
    heading (so a period ending the line above is that heading's, not a rationale's)."""
    first = _FIRST_SENTENCE_RE.split(collapse(below), maxsplit=1)[0]
    return bool(_MODIFIED_CONTINUES_RE.match(below) or _MODIFIED_HINT_RE.search(first))


_FIRST_SENTENCE_RE = re.compile(r"(?<=[.;])\s+(?=\S)")
_BLANK_LINE_BEFORE_RE = re.compile(r"\n[ \t\r]*\n[ \t\r]*$")
_DECISION_LINE_END_RE = re.compile(r":[ \t]*(?:Upheld|Overturned)[ \t]*\.?$", re.I)


def _service_start(text: str, colon: int, floor: int) -> int:
    """Where a (possibly wrapped) newer-style decision line begins.

    Walk back over the preceding lines while they do not end a sentence or a label: a service
    wrapped over two or three lines has no final period, the rationale before it does. A
    modified request's heading is several sentences (its lines may end at their periods) and
    may run longer; a line ending in "DOS:" is completed by the date on the next line.
    """
    start, _ = _line_bounds(text, colon)
    for n in range(_MAX_MODIFIED_HEADING_LINES):
        j = start - 1
        while j > floor and text[j] in " \t\r\n":
            j -= 1
        if j <= floor:
            break
        prev_start, prev_end = _line_bounds(text, j)
        prev = text[max(prev_start, floor) : prev_end].strip()
        below = text[start:colon]
        section_heading = _HEADING_RE.match(prev) and _TWO_WORDS_RE.search(prev)
        if not prev or section_heading or _DECISION_LINE_END_RE.search(prev):
            break  # another item's decision line ("X: Upheld") is never part of this heading
        if n >= _MAX_HEADING_LINES and not _MODIFIED_HINT_RE.search(below):
            break
        # An unclosed bracket ("... (DOS:") means the service goes on on the next line.
        unclosed = prev.count("(") > prev.count(")")
        continues = (
            unclosed
            or _OPEN_LABEL_RE.search(prev) is not None
            or _OWN_COLON_RE.search(prev) is not None
            or (_MODIFIED_LINE_END_RE.search(prev) is not None and _continues_modified(below))
            or _ONLY_A_DATE_RE.match(collapse(below)) is not None
        )
        if not continues:
            if _TERMINAL_RE.search(prev) and not ends_with_abbreviation(prev):
                break
            # The last line of the previous rationale, the heading after its last sentence.
            rest = _RATIONALE_END_RE.match(text, max(prev_start, floor), prev_end)
            if rest is not None and rest.end() < prev_end:
                start = rest.end()
                break
            if _MEDICALLY_NECESSARY_RE.search(prev):
                break
        if _NEW_FOLLOW_RE.match(prev) or _OLD_RATIONALE_RE.match(prev):
            break
        start = max(prev_start, floor)
    # A lost line break left the previous rationale's conclusion before the heading: the
    # heading starts after it, and the rationale keeps its (often decisive) last sentence.
    rest = _RATIONALE_END_RE.match(text, start, colon)
    if rest is not None:
        start = rest.end()
    while start < colon and text[start] in " \t\r\n":
        start += 1
    return start


# Text a heading can only carry when a line break before it was lost: the section's intro
# ("... set forth below:") or the end of the previous item's rationale.
_INTRO_RE = re.compile(r"^.*?\bset\s+forth\s+below\s*:\s*", re.I | re.S)
# How a rationale concludes: "... (not) medically necessary (at this time).", "Medical necessity
# has not been established.", "... is not supported / recommended / indicated / warranted."
_RATIONALE_END_RE = re.compile(
    r".*\b(?:medically\s+necessary|necessity|supported|recommended|indicated|warranted"
    r"|established|appropriate)\b[^.!?:]{0,80}[.!]\s+(?=\S)",
    re.I | re.S,
)


def _newer_decision(start: int, end: int, heading: str, outcome: Outcome) -> Decision:
    """A newer-style decision; a modified request's heading gives its three services."""
    if "below" in heading or "necessary" in heading:
        heading = _RATIONALE_END_RE.sub("", _INTRO_RE.sub("", heading), count=1) or heading
    modified = read_modified(heading)
    if modified is None:
        return Decision(start, end, None, heading, outcome, older=False)
    return Decision(
        start,
        end,
        None,
        modified.service,
        outcome,
        older=False,
        original_request=modified.original_request,
        authorized=modified.authorized,
    )


def find_decisions(text: str, start: int, end: int) -> list[Decision]:
    """Every decision line in ``text[start:end]`` that is followed by an item's structure."""
    found: list[Decision] = []
    floor = start
    bare: re.Match[str] | None = None  # a decision line with no item structure under it (yet)
    for m in _NEW_DECISION_RE.finditer(text, start, end):
        if not _NEW_FOLLOW_RE.match(text, m.end(), end):
            bare = m
            continue
        s = _service_start(text, m.start(), floor)
        if bare is not None and bare.end() >= floor and not text[bare.end() : s].strip():
            # Decision lines in a row: the one above lost its paragraphs, not its item.
            b = _service_start(text, bare.start(), floor)
            # A heading stands after a blank line (or the previous decision) and is no label:
            # "Decision rationale: upheld" is a rationale, not an item.
            own_paragraph = b == floor or bool(
                _BLANK_LINE_BEFORE_RE.search(text, max(floor, b - 200), b)
            )
            labelled = _NEW_FOLLOW_RE.match(text, b) or _OLD_RATIONALE_RE.match(text, b)
            service = collapse(text[b : bare.start()])
            if service and own_paragraph and not labelled:
                said: Outcome = (
                    "Upheld" if bare.group("outcome").lower() == "upheld" else "Overturned"
                )
                found.append(_newer_decision(b, bare.end(), service, said))
        bare = None
        service = collapse(text[s : m.start()])
        if not service:
            continue
        outcome: Outcome = "Upheld" if m.group("outcome").lower() == "upheld" else "Overturned"
        found.append(_newer_decision(s, m.end(), service, outcome))
        floor = m.end()
    for m in _OLD_DECISION_RE.finditer(text, start, end):
        if not _OLD_FOLLOW_RE.match(text, m.end(), end) and not _OLD_RATIONALE_RE.match(
            text, m.end(), end
        ):
            # Allow a short rest of sentence ("... and appropriate.") before the next block.
            nxt = text.find(".", m.end(), min(end, m.end() + 120))
            if nxt == -1 or not _OLD_FOLLOW_RE.match(text, nxt + 1, end):
                continue
        outcome = "Upheld" if m.group("neg") else "Overturned"
        found.append(
            Decision(
                m.start("num"),
                m.end(),
                int(m.group("num")),
                collapse(m.group("svc")),
                outcome,
                older=True,
            )
        )
    if not found:
        found = _run_on_decisions(text, start, end)
    elif not any(d.older for d in found):
        # A decision line whose line break before its first label was lost ("X: Upheld Claims
        # Administrator guideline: ...") next to ordinary ones.
        found.sort(key=lambda d: d.start)
        starts = [d.start for d in found]
        for d in _run_on_decisions(text, start, end):
            k = bisect.bisect_left(starts, d.end)  # found[:k] start before d ends
            if k == 0 or found[k - 1].end <= d.start:
                # found is sorted and free of overlaps, so only found[k-1] can reach into d
                found.insert(k, d)
                starts.insert(k, d.start)
    if not any(d.older for d in found):
        found.extend(_headings_without_outcome(text, start, end, found))
    found.sort(key=lambda d: d.start)
    # Drop overlaps (a decision found inside another's span).
    out: list[Decision] = []
    for d in found:
        if out and d.start < out[-1].end:
            continue
        out.append(d)
    return out


# An item's first label at a line start: every one belongs to an item of its own.
_CA_LINE_RE = re.compile(r"(?m)^[ \t]*Claims\s+Administrator\s+guidelines?\s*:", re.I)
_OUTCOME_LINE_RE = re.compile(r"\n[ \t]*(?P<outcome>Upheld|Overturned)[ \t]*\.?[ \t]*$", re.I)
# The last colon of a heading and an outcome-like rest ("Upheld Overturned", "Partially
# Overturned", nothing at all).
_GARBLED_TAIL_RE = re.compile(r":(?P<tail>[^:]*)$")
_OUTCOME_WORD_RE = re.compile(
    r"uphe|overt|partial|modif|denied|approv|certif|reversed|affirm|unknown", re.I
)


def _headings_without_outcome(
    text: str, start: int, end: int, found: list[Decision]
) -> list[Decision]:
    """Items whose decision line has no readable outcome (issue 15: a heading never vanishes).

    Every ``Claims Administrator guideline:`` label at a line start opens an item; one with no
    decision line since the previous label has a heading the outcome pattern could not read
    ("X: Upheld Overturned", "X: Partially Overturned", "X" alone, or "X" with the outcome on
    the next line without a colon). Its heading is the paragraph before the label. The outcome
    is read when the heading's last line is an outcome alone, else it is "Unknown" and the
    heading is kept for a warning.
    """
    ends = sorted(d.end for d in found)
    out: list[Decision] = []
    previous_label = start
    for label in _CA_LINE_RE.finditer(text, start, end):
        pos = label.start()
        # The last decision line ending before this label (bisect: a letter may hold
        # thousands of items, and a scan per label would be quadratic).
        k = bisect.bisect_right(ends, pos)
        floor = max(start, ends[k - 1]) if k else start
        owned = k > 0 and ends[k - 1] >= previous_label
        previous_label = pos
        if owned:
            continue
        j = pos - 1
        while j > floor and text[j] in " \t\r\n":
            j -= 1
        if j <= floor:
            continue
        hs = _service_start(text, j, floor)
        raw = text[hs : j + 1]
        heading = collapse(raw)
        tail = _GARBLED_TAIL_RE.search(heading)
        garbled = tail is not None and (
            not tail.group("tail").strip() or _OUTCOME_WORD_RE.search(tail.group("tail"))
        )
        # The paragraph before the label is running text, not a heading: no item to keep.
        if (
            not heading
            or _NEW_FOLLOW_RE.match(raw)
            or (heading.endswith(".") and not garbled and not ends_with_abbreviation(heading))
        ):
            continue
        outcome: Outcome = "Unknown"
        unreadable: str | None = heading
        service = heading
        line = _OUTCOME_LINE_RE.search(raw)
        if line is not None:  # "X" / "Upheld": the outcome alone on the next line
            service = collapse(raw[: line.start()]).rstrip(" :")
            outcome = "Upheld" if line.group("outcome").lower() == "upheld" else "Overturned"
            unreadable = None
        elif tail is not None and garbled:
            service = heading[: tail.start()].rstrip()
        if not service:
            continue
        decision = _newer_decision(hs, pos, service, outcome)
        decision.unreadable = unreadable
        out.append(decision)
    return out


def _run_on_decisions(text: str, start: int, end: int) -> list[Decision]:
    """Fallback for text whose line breaks were lost ("... necessary. MRI of the knee: Upheld
    Claims Administrator guideline: ..."): the decision is the colon and outcome right before
    an item label, the service the text since the previous sentence or label ended."""
    found: list[Decision] = []
    floor = start
    for m in _RUN_ON_DECISION_RE.finditer(text, start, end):
        reach = _RUN_ON_REACH
        if _MODIFIED_HINT_RE.search(text, max(floor, m.start() - reach), m.start()):
            reach *= 3  # a modified request's heading is several sentences long
        lo = max(floor, m.start() - reach)
        stops = [lo] + [stop.end() for stop in _RUN_ON_STOP_RE.finditer(text, lo, m.start())]
        s = stops[-1]
        # A modified request's heading is several sentences: take in the ones before its last
        # while they are its own ("... was the original request.", "... was authorized by ...").
        k = len(stops) - 1
        while k > 0 and _MODIFIED_HINT_RE.search(text, stops[k - 1], stops[k]):
            k -= 1
        if k < len(stops) - 1 and _MODIFIED_HINT_RE.search(text, s, m.start()):
            s = stops[k]
        service = collapse(text[s : m.start()])
        if service:
            outcome: Outcome = "Upheld" if m.group("outcome").lower() == "upheld" else "Overturned"
            found.append(_newer_decision(s, m.end(), service, outcome))
        floor = m.end()
    return found


def _label_spans(
    block: str, ca_re: re.Pattern[str], reviewer_re: re.Pattern[str], rationale_re: re.Pattern[str]
) -> dict[str, tuple[int, int]]:
    """Where each labelled part of an item block starts; a part runs to the next label.

    The rationale label is found first and the citation lines are looked for only before it,
    so words such as "the claims administrator" inside a rationale are never taken for a
    missing citation line.
    """
    hits: list[tuple[int, int, str]] = []
    rationale = rationale_re.search(block)
    limit = rationale.start() if rationale else len(block)
    ca = ca_re.search(block, 0, limit)
    reviewer = reviewer_re.search(block, ca.end() if ca else 0, limit)
    if reviewer is None and ca is not None:  # the two citation lines in the other order
        reviewer = reviewer_re.search(block, 0, ca.start())
    for name, m in (("ca", ca), ("reviewer", reviewer), ("rationale", rationale)):
        if m is not None:
            hits.append((m.start(), m.end(), name))
    hits.sort()
    spans: dict[str, tuple[int, int]] = {}
    for i, (_, body_start, name) in enumerate(hits):
        body_end = hits[i + 1][0] if i + 1 < len(hits) else len(block)
        spans[name] = (body_start, body_end)
    return spans


def decisive_sentence(rationale: str) -> str | None:
    """The first rationale sentence saying "medically necessary"; else the last; None if none."""
    if not rationale:
        return None
    parts = sentences(rationale)
    for sentence in parts:
        if _MEDICALLY_NECESSARY_RE.search(sentence):
            return sentence
    return parts[-1] if parts else None


def _citations(body: str, older: bool, party: str, n: int, warnings: list[str]) -> list[Citation]:
    if older and not _HAS_LEAD_IN_RE.search(body):
        return []
    return parse_citation_line(body, warnings, where=f"item {n} {party}: ")


def parse_items(
    text: str,
    start: int,
    end: int,
    warnings: list[str],
    page_of: Callable[[int], int] | None = None,
    decisions: list[Decision] | None = None,
) -> list[Item]:
    """Read every disputed item in ``text[start:end]``.

    ``page_of`` maps a character position to its 1-based page (PDF) or is None (text).
    ``decisions`` are the decision lines when the caller already found them.
    """
    if decisions is None:
        decisions = find_decisions(text, start, end)
    items: list[Item] = []
    for i, d in enumerate(decisions):
        block_end = decisions[i + 1].start if i + 1 < len(decisions) else end
        block = text[d.end : block_end]
        number = d.number if d.older and d.number else i + 1
        if d.older:
            spans = _label_spans(block, _OLD_CA_RE, _OLD_REVIEWER_RE, _OLD_RATIONALE_RE)
        else:
            spans = _label_spans(block, _NEW_CA_RE, _NEW_REVIEWER_RE, _NEW_RATIONALE_RE)

        ca: list[Citation] = []
        reviewer: list[Citation] = []
        for key, party in (("ca", "claims administrator"), ("reviewer", "reviewer")):
            if key not in spans:
                warnings.append(f"item-citations-missing: item {number} {party}")
                continue
            s, e = spans[key]
            cits = _citations(block[s:e], d.older, party, number, warnings)
            if key == "ca":
                ca = cits
            else:
                reviewer = cits

        rationale = ""
        if "rationale" in spans:
            s, e = spans["rationale"]
            rationale = collapse(block[s:e])
        if not rationale:
            warnings.append(f"item-rationale-missing: item {number}")

        if d.unreadable is not None:
            warnings.append(f"item-outcome-unreadable: {d.unreadable}")
        category = categorize(d.service)
        if category is None:
            warnings.append(f"category-defaulted: item {number} {d.service!r}")
            category = "Other"

        page = page_of(d.start) if page_of is not None else None
        items.append(
            Item(
                number=number,
                service=d.service,
                outcome=d.outcome,
                category=category,
                claims_administrator_citations=ca,
                reviewer_citations=reviewer,
                rationale=rationale,
                decisive_sentence=decisive_sentence(rationale),
                rationale_citations=rationale_citations(rationale),
                page=page,
                original_request=d.original_request,
                authorized=d.authorized,
            )
        )
    return items
