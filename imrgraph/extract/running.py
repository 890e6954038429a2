"""Remove running page headers and footers, keeping page boundaries.

Why: a PDF repeats the case number at the top and "Page 2 of 5" at the bottom of every page, and
text dumps of PDFs leave those lines wherever the page broke: in the middle of a paragraph, between
an item's decision line and its citations. Left in, they end up inside rationales and citation
texts, or cut an item in two. Two rules, both line-based (a running line is always a line of its
own):

1. Anywhere in the letter: a line that is only "Page 2 of 5" and/or a case number
   ("CM15-0123456") is dropped. No content line of an IMR letter consists of only these.
2. At the top or bottom of a page: a line that is the first (or the last) content line of most
   pages is dropped (digits ignored, so "Page 1"/"Page 2" count as one) if it also looks like
   furniture, not prose: short, not ending in sentence or label punctuation, not a decision line.
   (On a 2- or 3-page letter, "medically necessary." or "The Expert Reviewer's decision
   rationale:" can open or close two pages by chance.) Within the first/last ``EDGE`` lines, so
   is the page's own number ("Page 2", "2 of 5", "- 2 -", "2"). Shorter forms like these are
   content when they appear mid-page ("page 182" wrapped onto its own line), so they are not
   dropped there.

Pages stay pages (the parser reports the page of each item); only lines are removed.
"""

from __future__ import annotations

import re
from collections import Counter

EDGE = 2  # how many non-blank lines at each end of a page count as its edge
MIN_SHARE = 0.6  # a line is "running" when it sits at the edge of at least this share of pages

_CASE = r"CM\d{2}-\d{5,8}"
# Anywhere: "Page 2 of 5" and the case number, alone or together on one line. Tokens must be
# whole (a date such as "8/19/2010" on a wrapped line must never look like page furniture).
_FURNITURE_RE = re.compile(
    r"^\s*(?:(?:Page\s+\d+\s+of\s+\d+|" + _CASE + r")(?:\s*[|,;]\s*|\s+|$))+$",
    re.IGNORECASE,
)
# Only at a page's edge, and only when the number is that page's: "Page 2", "2 of 5", "- 2 -",
# "2". In running text these shapes can be content ("page 182" wrapped onto a line of its own).
_EDGE_NUMBER_RE = re.compile(
    r"^\s*(?:Page\s+(\d+)|(\d+)\s+of\s+\d+|-\s*(\d+)\s*-|(\d+))\s*$", re.IGNORECASE
)
_DIGITS_RE = re.compile(r"\d+")
_SPACES_RE = re.compile(r"\s+")
_CASE_LABEL_RE = re.compile(r"^\s*Case\s+Number\s*:", re.IGNORECASE)
# Prose, labels and decision lines: never a running header or footer, however often repeated.
_CONTENT_END_RE = re.compile(r"(?:[.:;,]|\b(?:upheld|overturned))\s*$", re.IGNORECASE)
MAX_RUNNING_LEN = 80


def is_furniture(line: str) -> bool:
    """True for a line of only page and case numbers ("Page 2 of 5", "CM15-0123456")."""
    return bool(_FURNITURE_RE.match(line))


def is_page_number(line: str, page: int) -> bool:
    """True for "Page 2", "2 of 5", "- 2 -" or "2" when 2 is ``page``, the page it sits on."""
    m = _EDGE_NUMBER_RE.match(line)
    return bool(m) and int(next(g for g in m.groups() if g)) == page


def _could_be_running(line: str) -> bool:
    """A repeated edge line is furniture only if it does not read as prose or a decision."""
    text = line.strip()
    return bool(text) and len(text) <= MAX_RUNNING_LEN and not _CONTENT_END_RE.search(text)


def _shape(line: str) -> str:
    """Compare lines across pages with whitespace collapsed and digits ignored."""
    return _DIGITS_RE.sub("#", _SPACES_RE.sub(" ", line.strip())).lower()


def _content(lines: list[str]) -> list[int]:
    """Indexes of a page's non-blank, non-furniture lines (computed once per page)."""
    return [
        i
        for i, line in enumerate(lines)
        # only a line starting with "P" or "C" can be furniture: skip the regex for the rest
        if (text := line.lstrip()) and not (text[0] in "PpCc" and is_furniture(line))
    ]


def _edges(content: list[int], depth: int = EDGE) -> tuple[list[int], list[int]]:
    """The first and the last ``depth`` of a page's content line indexes (``_content``)."""
    return content[:depth], content[-depth:]


def _repeated_shapes(
    pages: list[list[str]], contents: list[list[int]]
) -> tuple[set[str], set[str]]:
    """Shapes of lines found at the top, and at the bottom, of most pages (needs two pages).

    Top and bottom are counted apart: a running header repeats at the top, a footer at the
    bottom, while a short content line that happens to end one page and start another does not.
    """
    if len(pages) < 2:
        return set(), set()
    needed = max(2, int(len(pages) * MIN_SHARE + 0.999))
    found = []
    for side in (0, 1):
        counts: Counter[str] = Counter()
        for lines, content in zip(pages, contents, strict=True):
            counts.update(
                {_shape(lines[i]) for i in _edges(content, 1)[side] if _could_be_running(lines[i])}
            )
        found.append({shape for shape, n in counts.items() if n >= needed and shape})
    return found[0], found[1]


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
    contents = [_content(lines) for lines in split]
    top, bottom = _repeated_shapes(split, contents)
    cleaned: list[str] = []
    for number, (lines, content) in enumerate(zip(split, contents, strict=True), start=1):
        kept = set(content)
        drop = {i for i, line in enumerate(lines) if i not in kept and line.strip()}
        first, last = _edges(content, 1)
        head, tail = _edges(content)
        for i in head + tail:
            line = lines[i]
            shape = _shape(line)
            if (i in first and shape in top) or (i in last and shape in bottom):
                if number == 1 and _CASE_LABEL_RE.match(line):
                    continue  # the header table's own Case Number field
                drop.add(i)
            elif is_page_number(line, number):
                drop.add(i)
        cleaned.append("\n".join(_drop_lines(lines, drop)) if drop else pages[number - 1])
    return cleaned
