"""The optional header table: case number, priority and the five dates.

In a PDF the table has two columns, so two fields share a line ("Case Number: CM15-0123456
Date Assigned: 10/14/2015"). Each field is therefore found by its own label anywhere in the
header span rather than line by line. A value that looks like a date but names a day that does
not exist gives a ``date-unparsed`` warning and stays null.

The published letters of 2016-2017 wrap one label in its narrow cell: ``Application`` /
``Received:``, with the date beside the first line. PDF extraction joins the label back
(``imrgraph.extract.layout``); a text dump made by a layout-keeping tool (``pdftotext -layout``)
leaves ``Application   11/03/2016`` with ``Received:`` alone on the next line, which is read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from imrgraph.model import Priority
from imrgraph.parse.dates import DateMatch, date_at

_CASE_RE = re.compile(
    r"\b(?:IMR\s+)?Case\s+(?:Number|No\.?|#)\s*:?\s*(?P<case>[A-Z]{2}\d{2}-\d{5,8})\b", re.I
)
_PRIORITY_RE = re.compile(r"\bPriority\s*:?\s*(?P<p>Standard|Expedited)\b", re.I)

#: field name -> label pattern (the date follows the label).
_DATE_LABELS: dict[str, re.Pattern[str]] = {
    "assigned": re.compile(r"\bDate\s+Assigned\s*:", re.I),
    "injury": re.compile(r"\bDate\s+of\s+Injury\s*:", re.I),
    "decision": re.compile(r"\bDecision\s+Date\s*:", re.I),
    "ur_decision": re.compile(
        r"\b(?:UR\s+(?:Denial|Decision)\s+Date|Date\s+of\s+UR\s+(?:Denial|Decision))\s*:", re.I
    ),
    "application_received": re.compile(r"\b(?:IMR\s+)?Application\s+Received\s*:", re.I),
}


# "Application   11/03/2016" then "Received:" alone on the next line (a wrapped label cell).
_WRAPPED_APPLICATION_RE = re.compile(r"\b(?:IMR\s+)?Application[ \t]+(?=\S)", re.I)
_RECEIVED_LINE_RE = re.compile(r"[ \t]*\n[ \t]*Received[ \t]*:[ \t]*(?:\n|$)", re.I)


@dataclass
class Header:
    """What the header table states; absent fields are None."""

    case_number: str | None = None
    priority: Priority | None = None
    dates: dict[str, str | None] = field(default_factory=dict)
    unparsed: set[str] = field(default_factory=set)  # fields stated but not a possible date


def parse_header(text: str, start: int, end: int, warnings: list[str]) -> Header:
    """Read the header table fields found in ``text[start:end]``."""
    header = Header()
    m = _CASE_RE.search(text, start, end)
    if m:
        header.case_number = m.group("case").upper()
    m = _PRIORITY_RE.search(text, start, end)
    if m:
        header.priority = "Expedited" if m.group("p").lower() == "expedited" else "Standard"
    for name, label in _DATE_LABELS.items():
        lm = label.search(text, start, end)
        if lm is None:
            wrapped = (
                _wrapped_application_date(text, start, end)
                if name == "application_received"
                else None
            )
            header.dates[name] = wrapped.iso if wrapped else None
            if wrapped and wrapped.iso is None:
                warnings.append(f"date-unparsed: header {name} {wrapped.text!r}")
                header.unparsed.add(name)
            continue
        found = date_at(text, lm.end())
        if found is None or found.end > end:
            header.dates[name] = None
            value = text[lm.end() : min(end, lm.end() + 30)].strip().split("\n")[0]
            if value and not _next_label_starts(value):
                warnings.append(f"date-unparsed: header {name} {value!r}")
                header.unparsed.add(name)
            continue
        if found.iso is None:
            warnings.append(f"date-unparsed: header {name} {found.text!r}")
            header.unparsed.add(name)
        header.dates[name] = found.iso
    return header


def _wrapped_application_date(text: str, start: int, end: int) -> DateMatch | None:
    """The date of an ``Application <date>`` line whose label ends on the next line
    (``Received:`` alone), as a layout-keeping text dump gives the published header."""
    for m in _WRAPPED_APPLICATION_RE.finditer(text, start, end):
        found = date_at(text, m.end())
        if found is None or found.end > end:
            continue
        # the other column's cells may follow on the same line; "Received:" is below
        line_end = text.find("\n", found.end, end)
        if line_end >= 0 and _RECEIVED_LINE_RE.match(text, line_end):
            return found
    return None


_ANY_LABEL_RE = re.compile(
    r"^(?:Case\s+Number|Date\s+Assigned|Date\s+of\s+(?:Injury|UR)|Decision\s+Date|UR\s+Denial"
    r"|Priority"
    r"|Application\s+Received|IMR\s+Application)",
    re.I,
)


def _next_label_starts(value: str) -> bool:
    """An empty field followed directly by the next label is a blank cell, not a bad date."""
    return bool(_ANY_LABEL_RE.match(value))
