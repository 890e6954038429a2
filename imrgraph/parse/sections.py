"""Split a letter into its main parts: header, credentials, summary, decisions.

The three headings ("HOW THE IMR FINAL DETERMINATION WAS MADE", "CLINICAL CASE SUMMARY",
"IMR ISSUES, DECISIONS AND RATIONALES") are matched at the start of a line, with any spacing or
line break between their words: in any case when the heading is alone on its line, in capitals
when text runs on after it. The same words inside a sentence are never taken for a heading.
A missing heading is a ``section-missing`` warning; the parser then falls back to wider spans
instead of failing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "ISSUES," may lose its comma or gain an "&"; "DECISIONS AND RATIONALES" may say "DECISION"
# or be left out ("IMR ISSUES").
_HOW = r"HOW\s+THE\s+(?:IMR\s+)?FINAL\s+DETERMINATION\s+WAS\s+MADE"
_SUMMARY = r"CLINICAL\s+CASE\s+SUMMARY"
_DECISIONS = r"IMR\s+ISSUES?(?:\s*,?\s*(?:DECISIONS?\s*(?:,|AND|&)?\s*)?RATIONALES?)?"


def _heading_res(words: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Two ways to meet a heading: alone on its line in any case, or in capitals at the start
    of a line with text run on after it (some extractions lose the line break)."""
    alone = re.compile(rf"(?im)^[ \t]*{words}\b:?[ \t]*$")
    run_on = re.compile(rf"(?m)^[ \t]*{words}\b:?")
    return alone, run_on


_HOW_RES = _heading_res(_HOW)
_SUMMARY_RES = _heading_res(_SUMMARY)
_DECISIONS_RES = _heading_res(_DECISIONS)


def _find(
    res: tuple[re.Pattern[str], re.Pattern[str]], text: str, pos: int
) -> re.Match[str] | None:
    for pattern in res:
        m = pattern.search(text, pos)
        if m is not None:
            return m
    return None


@dataclass
class Span:
    """A half-open character range ``[start, end)`` in the joined text."""

    start: int
    end: int


@dataclass
class Sections:
    """Where each main part of the letter lies. ``None`` means the heading was not found."""

    header: Span
    credentials: Span | None
    summary: Span | None
    decisions: Span | None


def split_sections(text: str, warnings: list[str]) -> Sections:
    """Locate the main parts; warn ``section-missing`` for each absent heading.

    Each part runs from its heading to the next heading, whatever their order (a damaged or
    reassembled letter can have its summary after its decisions).
    """
    how = _find(_HOW_RES, text, 0)
    summary = _find(_SUMMARY_RES, text, how.end() if how else 0) or _find(_SUMMARY_RES, text, 0)
    after_summary = summary.end() if summary else (how.end() if how else 0)
    decisions = _find(_DECISIONS_RES, text, after_summary) or _find(_DECISIONS_RES, text, 0)

    for found, name in (
        (how, "HOW THE IMR FINAL DETERMINATION WAS MADE"),
        (summary, "CLINICAL CASE SUMMARY"),
        (decisions, "IMR ISSUES, DECISIONS AND RATIONALES"),
    ):
        if found is None:
            warnings.append(f"section-missing: no '{name}' heading")

    starts = [m.start() for m in (how, summary, decisions) if m is not None]
    header_end = min(starts) if starts else 0
    end = len(text)

    def until_next(m: re.Match[str] | None) -> Span | None:
        if m is None:
            return None
        later = [s for s in starts if s > m.start()]
        return Span(m.end(), min(later) if later else end)

    return Sections(
        header=Span(0, header_end),
        credentials=until_next(how),
        summary=until_next(summary),
        decisions=until_next(decisions),
    )
