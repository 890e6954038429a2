"""The text parser: cleaned page texts -> :class:`imrgraph.model.Letter`.

One small module per part of a letter (``sections``, ``header``, ``credentials``, ``summary``,
``dates``, ``items``, ``citations``, ``categories``); this module only puts their answers
together and applies the cross-part rules of DESIGN.md: header dates win over the summary (a
disagreement is a ``date-conflict`` warning), missing facts are null plus a warning, and text
with no readable disputed item is not an IMR letter.
"""

from __future__ import annotations

from imrgraph.errors import NotAnImrLetter
from imrgraph.model import Applicant, Dates, Injury, Letter, Reviewer, Source
from imrgraph.parse.checks import letter_checks
from imrgraph.parse.credentials import parse_credentials
from imrgraph.parse.header import parse_header
from imrgraph.parse.items import find_decisions, parse_items
from imrgraph.parse.reasons import find_reasons
from imrgraph.parse.sections import split_sections
from imrgraph.parse.summary import parse_summary
from imrgraph.parse.text import collapse, join_pages

__all__ = ["parse_pages", "parse_text"]


def _merge_date(
    name: str,
    header_value: str | None,
    summary_value: str | None,
    warnings: list[str],
) -> str | None:
    if header_value and summary_value and header_value != summary_value:
        warnings.append(f"date-conflict: {name} header {header_value} vs summary {summary_value}")
    return header_value or summary_value


def parse_pages(pages: list[str], source: Source) -> Letter:
    """Parse a letter's cleaned page texts. ``source`` is filled in by the caller.

    Raises :class:`NotAnImrLetter` when the text has no IMR decision section and no item can be
    read from it.
    """
    joined = join_pages(pages)
    text = joined.text
    if not text.strip():
        raise NotAnImrLetter(source.path, "no text to parse")
    warnings: list[str] = []
    sections = split_sections(text, warnings)

    # Items: in the decisions section; without its heading, anywhere (a decision line only
    # counts when an item's labelled lines follow it, so the other parts cannot fake one).
    if sections.decisions is not None:
        item_start, item_end = sections.decisions.start, sections.decisions.end
    else:
        item_start, item_end = 0, len(text)
    page_of = joined.page_of if source.format == "pdf" else None
    decisions = find_decisions(text, item_start, item_end)
    items = parse_items(text, item_start, item_end, warnings, page_of, decisions)
    find_reasons(items, text, item_start, page_of)  # why: the reasons each rationale states
    # Where the items begin: the end of the summary/credentials fallbacks below.
    if sections.decisions is not None:
        first_item = sections.decisions.start
    else:
        first_item = decisions[0].start if decisions else 0
    if not items:
        reason = (
            "not an IMR determination letter (no IMR decision section)"
            if sections.decisions is None
            else "not an IMR determination letter (no disputed item could be read)"
        )
        raise NotAnImrLetter(source.path, reason)

    header = parse_header(text, sections.header.start, sections.header.end, warnings)

    if sections.credentials is not None:
        cred_start, cred_end = sections.credentials.start, sections.credentials.end
    else:
        cred_end = sections.summary.start if sections.summary else first_item
        cred_start = 0
    states, specialties = parse_credentials(text, cred_start, cred_end, warnings)

    if sections.summary is not None:
        summary_text = collapse(text[sections.summary.start : sections.summary.end])
    else:
        summary_text = collapse(text[sections.header.end : max(sections.header.end, first_item)])
    summary = parse_summary(summary_text)

    dates = Dates(
        injury=_merge_date("injury", header.dates.get("injury"), summary.injury_date, warnings),
        ur_decision=_merge_date(
            "ur_decision", header.dates.get("ur_decision"), summary.ur_date, warnings
        ),
        assigned=header.dates.get("assigned"),
        decision=header.dates.get("decision"),
        application_received=header.dates.get("application_received"),
    )
    # A date the letter states but that cannot exist is "unparsed", not "missing".
    if summary.injury_date_unparsed and dates.injury is None:
        warnings.append("date-unparsed: summary injury date")
    elif dates.injury is None and "injury" not in header.unparsed:
        warnings.append("injury-date-missing: no date of injury found")
    if summary.ur_date_unparsed and dates.ur_decision is None:
        warnings.append("date-unparsed: summary utilization review date")
    elif dates.ur_decision is None and "ur_decision" not in header.unparsed:
        warnings.append("ur-date-missing: no utilization review date found")
    if summary.age is None:
        warnings.append("age-missing: no applicant age found")
    warnings.extend(letter_checks(dates, items))  # parse/checks.py: facts that cannot all be true

    return Letter(
        source=source,
        case_number=header.case_number,
        priority=header.priority,
        dates=dates,
        reviewer=Reviewer(licensure_states=states, specialties=specialties),
        applicant=Applicant(age=summary.age, sex=summary.sex),
        injury=Injury(date=dates.injury, body_parts=summary.body_parts),
        items=items,
        warnings=warnings,
    )


def parse_text(text: str, source: Source) -> Letter:
    """Parse a letter given as one text (a ``.txt`` letter): one page."""
    return parse_pages([text], source)
