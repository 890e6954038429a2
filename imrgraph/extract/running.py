"""Remove running page headers and footers, keeping page boundaries.

Why: a PDF repeats the case number at the top and "Page 2 of 5" at the bottom of every page, and
text dumps of PDFs leave those lines wherever the page broke: in the middle of a paragraph, between
an item's decision line and its citations. Left in, they end up inside rationales and citation
texts, or cut an item in two. Two rules, both line-based (a running line is always a line of its
own):

1. Anywhere in the letter: a line that is only page furniture ("Page 2 of 5", "Page 2",
   "2 of 5", the case number "CM15-0123456", or a mix of these) is dropped. No content line of
   an IMR letter consists of only these tokens.
2. At the top or bottom of a page (the first/last ``EDGE`` non-blank lines): a line repeated at
   the edges of most pages (digits ignored, so "Page 1"/"Page 2" count as one) is dropped, and
   so is a bare page number.

Pages stay pages (the parser reports the page of each item); only lines are removed.
"""

from __future__ import annotations

import re
from collections import Counter

EDGE = 2  # how many non-blank lines at each end of a page count as its edge
MIN_SHARE = 0.6  # a line is "running" when it sits at the edge of at least this share of pages

_CASE = r"CM\d{2}-\d{5,8}"
_PAGE_TOKEN = (
    r"(?:Page\s+\d+(?:\s*(?:of|/)\s*\d+)?|\d+\s*(?:of|/)\s*\d+|-\s*\d+\s*-|" + _CASE + r")"
)
_FURNITURE_RE = re.compile(
    r"^\s*(?:" + _PAGE_TOKEN + r"[\s|,;:-]*)+$",
    re.IGNORECASE,
)
_BARE_NUMBER_RE = re.compile(r"^\s*\d{1,4}\s*$")
_DIGITS_RE = re.compile(r"\d+")
_SPACES_RE = re.compile(r"\s+")
_CASE_LABEL_RE = re.compile(r"^\s*Case\s+Number\s*:", re.IGNORECASE)


def is_furniture(line: str) -> bool:
    """True for a line of only page and case numbers ("Page 2 of 5", "CM15-0123456")."""
    return bool(_FURNITURE_RE.match(line))


def _shape(line: str) -> str:
    """Compare lines across pages with whitespace collapsed and digits ignored."""
    return _DIGITS_RE.sub("#", _SPACES_RE.sub(" ", line.strip())).lower()


def _edge_indexes(lines: list[str]) -> list[int]:
    """Indexes of the first and last ``EDGE`` non-blank lines of a page."""
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    if len(nonblank) <= 2 * EDGE:
        return nonblank
    return nonblank[:EDGE] + nonblank[-EDGE:]


def _repeated_shapes(pages: list[list[str]]) -> set[str]:
    """Shapes of lines found at the edges of most pages (needs at least two pages)."""
    if len(pages) < 2:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({_shape(lines[i]) for i in _edge_indexes(lines)})
    needed = max(2, int(len(pages) * MIN_SHARE + 0.999))
    return {shape for shape, n in counts.items() if n >= needed and shape}


def _drop_lines(lines: list[str], drop: set[int]) -> list[str]:
    """Remove the lines at ``drop``; a removed line between two blank lines takes one with it."""
    out: list[str] = []
    for i, line in enumerate(lines):
        if i in drop:
            continue
        if (
            not line.strip()
            and out
            and not out[-1].strip()
            and i - 1 in drop
            and (i - 2 < 0 or not lines[i - 2].strip())
        ):
            continue
        out.append(line)
    return out


def remove_running_lines(pages: list[str]) -> list[str]:
    """Return ``pages`` without running headers/footers; the number of pages never changes."""
    split = [page.split("\n") for page in pages]
    repeated = _repeated_shapes(split)
    cleaned: list[str] = []
    for number, lines in enumerate(split, start=1):
        drop = {i for i, line in enumerate(lines) if line.strip() and is_furniture(line)}
        for i in _edge_indexes(lines):
            line = lines[i]
            if _shape(line) in repeated:
                if number == 1 and _CASE_LABEL_RE.match(line):
                    continue  # the header table's own Case Number field
                drop.add(i)
            elif _BARE_NUMBER_RE.match(line) and int(line) in (number, number - 1):
                drop.add(i)
        cleaned.append("\n".join(_drop_lines(lines, drop)) if drop else pages[number - 1])
    return cleaned
