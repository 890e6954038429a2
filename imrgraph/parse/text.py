"""Text plumbing shared by the parser modules: page joining, leftover header/footer removal,
whitespace collapsing and sentence boundaries.

The extractor already removes running headers and footers, but a text letter, or a PDF whose
footer shifted, can still carry "Page 2 of 5" or a bare repeated case number in the middle of an
item block. They are dropped here, before anything else reads the text, so that no later step
has to know about them (DESIGN.md, "Parser output conventions").
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_WS_RE = re.compile(r"\s+")
_PAGE_FOOTER_RE = re.compile(r"\bPage\s+\d{1,3}\s+of\s+\d{1,3}\b", re.IGNORECASE)
_BARE_CASE_LINE_RE = re.compile(
    r"^[ \t]*(?:IMR\s+)?(?:Case\s+(?:Number|No\.?|#)\s*:?\s*)?[A-Z]{2}\d{2}-\d{5,8}[ \t]*$",
    re.IGNORECASE,
)
_FURNITURE_HINT_RE = re.compile(r"Page\s+\d|\d{2}-\d{5}", re.IGNORECASE)
_CASE_LABEL_RE = re.compile(r"Case\s+(?:Number|No\.?|#)", re.IGNORECASE)
_LABELLED_CASE_RE = re.compile(
    r"Case\s+(?:Number|No\.?|#)\s*:?\s*[A-Z]{2}\d{2}-\d{5,8}", re.IGNORECASE
)
_CASE_LABEL_END_RE = re.compile(r"Case\s+(?:Number|No\.?|#)\s*:?\s*$", re.IGNORECASE)


def collapse(text: str) -> str:
    """Whitespace runs (newlines included) to one space, trimmed: the form of every text field."""
    return _WS_RE.sub(" ", text).strip()


@dataclass
class JoinedText:
    """All pages as one string, with the offset where each page starts (for item page numbers)."""

    text: str
    page_starts: list[int]

    def page_of(self, pos: int) -> int:
        """1-based page holding character ``pos``."""
        return max(1, bisect.bisect_right(self.page_starts, pos))


def _clean_page(page: str, seen_label: bool) -> tuple[str, bool]:
    """Drop footer lines and case-number-only lines (running headers) from one page.

    Two case-number lines are the header table's, not furniture, and are kept: the first
    "Case Number: CM15-0123456" line of the letter, and a bare number under a "Case Number:"
    label left alone on the line before. ``seen_label`` carries the first across pages.
    """
    page = page.replace("\r\n", "\n").replace("\r", "\n")
    if not _FURNITURE_HINT_RE.search(page):  # most pages: nothing to remove, skip the lines
        return page, seen_label
    out: list[str] = []
    previous = ""
    for line in page.split("\n"):
        if _PAGE_FOOTER_RE.search(line):
            # Only a line that is nothing but furniture goes: "page 80 of 127" inside a
            # sentence or a citation is content.
            rest = _PAGE_FOOTER_RE.sub("", line)
            if not rest.strip() or _BARE_CASE_LINE_RE.match(rest):
                continue
        if _BARE_CASE_LINE_RE.match(line):
            if _CASE_LABEL_RE.search(line):
                if seen_label:
                    continue
            elif not _CASE_LABEL_END_RE.search(previous):
                continue
            seen_label = True
        elif not seen_label and _LABELLED_CASE_RE.search(line):
            seen_label = True  # "Case Number: CM15-0123456   Date Assigned: ..."
        out.append(line)
        if line.strip():
            previous = line
    return "\n".join(out), seen_label


# A hyphen that ends a line right after a letter or digit, before a line that starts with one:
# the PDF's "four-" / "week" (a compound, or a date "11-21-" / "2016"). The word is written
# "four-week": the hyphen stays and the lines join without a space (as a web address broken
# after a hyphen does, ``citations._BROKEN_URL_RE``). A dash after a space or another dash
# ("imaging --"), or before a blank line, is punctuation: that line break stays.
_LINE_END_HYPHEN_RE = re.compile(r"(?<=[^\W_])-[ \t]*\n[ \t]*(?=[^\W_])")
_PAGE_END_HYPHEN_RE = re.compile(r"[^\W_]-[ \t]*\Z")
_PAGE_START_WORD_RE = re.compile(r"[ \t]*(?=[^\W_])")


def join_line_end_hyphens(text: str) -> str:
    """``text`` with each word broken at a line-end hyphen joined back: "four-\nweek" ->
    "four-week" (DESIGN.md, "Parser output conventions")."""
    if "-" not in text:
        return text
    return _LINE_END_HYPHEN_RE.sub("-", text)


def join_pages(pages: list[str]) -> JoinedText:
    """Clean every page and join them with newlines, remembering page starts.

    Words broken at a line-end hyphen are joined here, once, after the furniture lines are gone
    (a "Page 2 of 5" line between "four-" and "week" must not be glued on), for PDF and text
    letters alike; a word broken at the end of a page joins the next page's first word.
    """
    pieces: list[str] = []
    starts: list[int] = []
    pos = 0
    seen_label = False
    for index, page in enumerate(pages):
        cleaned, seen_label = _clean_page(page, seen_label)
        cleaned = join_line_end_hyphens(cleaned)
        if index:
            previous = pieces[-1]  # the last page's text
            start = _PAGE_START_WORD_RE.match(cleaned)
            if start is not None and _PAGE_END_HYPHEN_RE.search(previous):
                trimmed = previous.rstrip(" \t")  # "four-" ends a page, "week" starts the next
                pieces[-1] = trimmed
                pos -= len(previous) - len(trimmed)
                cleaned = cleaned[start.end() :]
            else:
                pieces.append("\n")
                pos += 1
        starts.append(pos)
        pieces.append(cleaned)
        pos += len(cleaned)
    return JoinedText("".join(pieces), starts)


# Sentence boundaries: a terminal mark, optional closing quote/bracket, whitespace, then a
# capital, digit, quote or bracket. Abbreviations that end in a period are not boundaries.
_SENT_END_RE = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_ABBREVIATIONS = frozenset(
    {
        "dr",
        "mr",
        "mrs",
        "ms",
        "e.g",
        "i.e",
        "vs",
        "etc",
        "no",
        "approx",
        "p.o",
        "b.i.d",
        "t.i.d",
        "q.i.d",
        "q.d",
        "p.r.n",
        "h.s",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "fig",
        "ch",
        "pp",
        "al",
        "st",
        "jr",
        "sr",
        "u.s",
        "inc",
        "co",
        "q.h.s",
        "q.o.d",
        "m.d",
        "d.o",
        "d.c",
        "ph.d",
        "r.n",
        "p.a",
    }
)
_LAST_WORD_RE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    if text[match.start()] != ".":
        return True
    # Only the word just before the period matters; a short window keeps this O(1).
    word = _LAST_WORD_RE.search(text, max(0, match.start() - 24), match.start())
    if word is None:
        return True
    token = word.group(1).lower()
    if token in _ABBREVIATIONS:
        return False
    # Single initials ("J. Smith") are not sentence ends.
    return not (len(token) == 1 and token.isalpha())


def ends_with_abbreviation(line: str) -> bool:
    """True when ``line`` ends in a period that belongs to an abbreviation ("p.o.", "b.i.d.")."""
    if not line.endswith("."):
        return False
    word = _LAST_WORD_RE.search(line, max(0, len(line) - 25), len(line) - 1)
    return word is not None and word.group(1).lower().rstrip(".") in _ABBREVIATIONS


def sentences(text: str) -> list[str]:
    """Split already-collapsed text into sentences (abbreviation-aware, no library needed for
    this one narrow job: the decisive sentence and the summary's UR sentence)."""
    out: list[str] = []
    start = 0
    for m in _SENT_END_RE.finditer(text):
        if not _is_boundary(text, m):
            continue
        end = m.start() + 1
        while end < len(text) and text[end] in "\"'”’)]":
            end += 1
        piece = text[start:end].strip()
        if piece:
            out.append(piece)
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out
