"""The page-1 header table, rebuilt with pdfplumber's table finder when PDFium's text garbles it.

Why only sometimes: PDFium reads a table row by row, so a header table whose cells each fit on
one line comes out as clean ``Label: value Label: value`` lines (measured on the rendered
examples; see tests/test_extract.py). A cell that wraps ("Application" / "Received:" in a narrow
label column) is read as separate lines, and the label loses its value. Only then is pdfplumber
asked, on page 1 alone, for the table's cells; every other page and every clean letter stays on
the fast path (pdfplumber's layout pass costs about 50x PDFium's text).
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

HEADER_LABELS = (
    "Case Number",
    "Date Assigned",
    "Date of Injury",
    "Decision Date",
    "UR Denial Date",
    "Priority",
    "Application Received",
)
_LABEL_RE = re.compile(
    r"\b(" + "|".join(re.escape(label) for label in HEADER_LABELS) + r")\s*:\s*",
    re.IGNORECASE,
)
_HEADING_RE = re.compile(
    r"^\s*(HOW THE IMR FINAL DETERMINATION|CLINICAL CASE SUMMARY|IMR ISSUES)", re.IGNORECASE
)
_BARE_LABEL_RE = re.compile(r"^[A-Za-z][A-Za-z ()/.]*:$")
_SPACES_RE = re.compile(r"\s+")
_FRAGMENTS = frozenset(
    " ".join(words[i:j]).lower()
    for label in HEADER_LABELS
    for words in [label.split()]
    for i in range(len(words))
    for j in range(i + 1, len(words) + 1)
    if (i, j) != (0, len(words))
)
HEADER_WINDOW = 30  # lines of page 1 searched for the table


def header_region(lines: list[str]) -> int:
    """Index of the first section heading on page 1 (the table is above it)."""
    for i, line in enumerate(lines[:HEADER_WINDOW]):
        if _HEADING_RE.match(line):
            return i
    return min(len(lines), HEADER_WINDOW)


def header_needs_layout(lines: list[str]) -> bool:
    """True when page 1's header table did not come out as whole ``Label: value`` pairs.

    Signs of a garbled table: a label with no value after it, a line that is only a label
    ("Received:"), or a line that is a piece of a label ("Application", "Date of").
    """
    region = lines[: header_region(lines)]
    if not any(_LABEL_RE.search(line) for line in region) and not any(
        line.strip().lower().rstrip(":") in _FRAGMENTS for line in region
    ):
        return False
    for line in region:
        text = line.strip()
        if not text:
            continue
        if _BARE_LABEL_RE.match(text) or text.lower().rstrip(":") in _FRAGMENTS:
            return True
        matches = list(_LABEL_RE.finditer(text))
        for k, match in enumerate(matches):
            end = matches[k + 1].start() if k + 1 < len(matches) else len(text)
            if not text[match.end() : end].strip():
                return True
    return False


@contextmanager
def _quiet_pdfminer() -> Iterator[None]:
    """Silence pdfminer's and pdfplumber's log records while they read one page.

    On a damaged file they log warnings ("Could not get FontBBox ...") that Python prints on
    stderr when no logging is set up, which would break the CLI's one ``PATH: reason`` line per
    failed file. The levels are restored afterwards, so a caller's own logging setup stands.
    """
    loggers = [logging.getLogger(name) for name in ("pdfminer", "pdfplumber")]
    saved = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, saved, strict=True):
            logger.setLevel(level)


def _cell(text: str | None) -> str:
    return _SPACES_RE.sub(" ", text or "").strip()


def table_lines(data: bytes) -> list[str] | None:
    """``Label: value`` lines of page 1's header table, read by pdfplumber; None if none found.

    Works for both layouts: a cell per field ("Case Number: CM15-...") and a cell per label and
    per value ("Case Number:" | "CM15-...").
    """
    import pdfplumber  # the slow, layout-aware library: loaded only when a letter needs it

    with _quiet_pdfminer(), pdfplumber.open(io.BytesIO(data), pages=[1]) as pdf:
        tables = pdf.pages[0].extract_tables() if pdf.pages else []
    for table in tables:
        lines = []
        for row in table:
            cells = [_cell(c) for c in row if _cell(c)]
            fields: list[str] = []
            k = 0
            while k < len(cells):
                cell = cells[k]
                bare = cell.endswith(":") and _LABEL_RE.fullmatch(cell)
                if bare and k + 1 < len(cells) and not _LABEL_RE.match(cells[k + 1]):
                    fields.append(f"{cell} {cells[k + 1]}")
                    k += 2
                else:
                    fields.append(cell)
                    k += 1
            if fields:
                lines.append("    ".join(fields))
        if any(_LABEL_RE.search(line) for line in lines):
            return lines
    return None


def fix_header_table(page: str, data: bytes) -> str:
    """Page 1's text with its header-table lines replaced by pdfplumber's reading of the table.

    The replaced lines are those above the first heading made only of words from the table's
    cells; the rebuilt lines go where the first of them was. If pdfplumber finds no table with a
    header label, the page is returned unchanged.
    """
    lines = page.split("\n")
    rebuilt = table_lines(data)
    if not rebuilt:
        return page
    words = {w.lower() for line in rebuilt for w in line.split()}
    region = header_region(lines)
    table_rows = [
        i
        for i in range(region)
        if lines[i].strip() and all(w.lower() in words for w in lines[i].split())
    ]
    if not table_rows:
        return page
    first, last = table_rows[0], table_rows[-1]
    dropped = set(table_rows) | {i for i in range(first, last) if not lines[i].strip()}
    kept = [line for i, line in enumerate(lines) if i not in dropped]
    before = sum(1 for i in range(first) if i not in dropped)
    return "\n".join(kept[:before] + rebuilt + kept[before:])
