"""The page-1 header table, rebuilt from character positions when PDFium's text garbles it.

Why only sometimes: PDFium reads a table row by row, so a header table whose cells each fit on
one line comes out as clean ``Label: value Label: value`` lines (measured on the rendered
examples; see tests/test_extract.py). A cell that wraps ("Application" / "Received:" in a narrow
label column, as in every published letter of 2016-2017) is read as separate lines, and PDFium
puts the value after the label's second line although it sits beside the first. Only then is
the table rebuilt, on page 1 alone, from PDFium's own character boxes (``table_from_positions``:
a few hundred ``get_charbox`` calls, well under a millisecond). pdfplumber's table finder
(``fix_header_table``) is the last resort for a table the positions cannot make whole: its
layout pass costs about 50x PDFium's text, and on PDFs that draw every glyph as its own object
(Acrobat PDFMaker) it cost more than all the rest of the parse together.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from imrgraph.extract.pdf import upright

if TYPE_CHECKING:
    import pypdfium2 as pdfium

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


@dataclass(slots=True)
class _Box:
    """A run of text and its box in PDF points (loose boxes: font ascent to descent)."""

    text: str
    left: float
    right: float
    bottom: float
    top: float

    @property
    def height(self) -> float:
        return self.top - self.bottom

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    def overlaps(self, other: _Box) -> bool:
        """True when the two boxes share more than a third of the smaller one's height."""
        shared = min(self.top, other.top) - max(self.bottom, other.bottom)
        return shared > min(self.height, other.height) / 3


# Why these sizes: in a table, cells of one row are far apart (a label column and a value
# column, 30 pt and more in the published letters), words of one cell a space apart (3 pt); a
# font height (10-15 pt) tells them apart at any font size.
_SAME_LINE = 0.3  # words whose middles differ by less than this many heights share a line
_CELL_GAP = 1.0  # a gap wider than this many heights starts a new cell
_NONSPACE_RE = re.compile(r"\S+")
# A cell that could be a header value (a date in any form, a case number, a priority). Wide on
# purpose: such a cell left over sends the page to pdfplumber, slower but never wrong.
_VALUE_RE = re.compile(r".*\d.*|Standard|Expedited", re.IGNORECASE)


def _region_end(text: str) -> int:
    """Character index where page 1's header region ends in PDFium's raw text (``\r\n``)."""
    lines = text.split("\r\n")
    end = header_region(lines)
    return sum(len(line) + 2 for line in lines[:end])


def _words(textpage: pdfium.PdfTextPage, text: str, end: int, quarter: int) -> list[_Box]:
    """Words of ``text[:end]`` with their boxes; a jump in position also ends a word.

    PDFium is called directly (one reused rectangle), not through pypdfium2's ``get_charbox``,
    and a word is measured by its first and last characters: a header region is about 250
    characters, and the per-character calls were most of the table's cost. A word wider than
    a font height per character (two cells PDFium ran together) is measured character by
    character, so a gap inside it still splits it.
    """
    import pypdfium2.raw as pdfium_c

    rect = pdfium_c.FS_RECTF()
    loose_box = pdfium_c.FPDFText_GetLooseCharBox
    raw = textpage.raw

    def box(i: int) -> tuple[float, float, float, float] | None:
        if not loose_box(raw, i, rect):
            return None
        found = upright((rect.left, rect.bottom, rect.right, rect.top), quarter)
        # a character PDFium made up (no glyph) has no height: no position to go by
        return found if found[3] > found[1] else None

    words: list[_Box] = []
    for match in _NONSPACE_RE.finditer(text, 0, end):
        first, last = box(match.start()), box(match.end() - 1)
        if (
            first is not None
            and last is not None
            and abs((first[1] + first[3]) - (last[1] + last[3])) / 2
            <= _SAME_LINE * (first[3] - first[1])
            and first[0] <= last[0]
            and last[2] - first[0] <= (match.end() - match.start()) * (first[3] - first[1])
        ):
            words.append(
                _Box(
                    match.group(),
                    first[0],
                    last[2],
                    min(first[1], last[1]),
                    max(first[3], last[3]),
                )
            )
            continue
        word: _Box | None = None
        for i in range(match.start(), match.end()):
            found = box(i)
            if found is None:
                word = None
                continue
            left, bottom, right, top = found
            if word is not None and (
                abs((top + bottom) / 2 - word.middle) > _SAME_LINE * word.height
                or left < word.left
                or left - word.right > _CELL_GAP * word.height
            ):
                word = None
            if word is None:
                word = _Box(text[i], left, right, bottom, top)
                words.append(word)
            else:
                word.text += text[i]
                word.right = max(word.right, right)
                word.bottom = min(word.bottom, bottom)
                word.top = max(word.top, top)
    return words


def _lines_of_cells(words: list[_Box]) -> list[list[_Box]]:
    """Words grouped into visual lines (top to bottom), each line into cells (left to right)."""
    lines: list[list[_Box]] = []
    for word in sorted(words, key=lambda w: -w.middle):
        if lines and abs(lines[-1][0].middle - word.middle) <= _SAME_LINE * word.height:
            lines[-1].append(word)
        else:
            lines.append([word])
    out = []
    for line in lines:
        cells: list[_Box] = []
        for word in sorted(line, key=lambda w: w.left):
            last = cells[-1] if cells else None
            if last is not None and word.left - last.right <= _CELL_GAP * word.height:
                last.text += " " + word.text
                last.right = max(last.right, word.right)
                last.bottom = min(last.bottom, word.bottom)
                last.top = max(last.top, word.top)
            else:
                cells.append(_Box(word.text, word.left, word.right, word.bottom, word.top))
        out.append(cells)
    return out


def _join_wrapped_labels(lines: list[list[_Box]]) -> None:
    """Join a label cell that wrapped ("Application" over "Received:") into its first line.

    The second part starts at the same left edge, just below the first, and together they make
    one of the known labels; the joined cell spans both lines.
    """
    for k, line in enumerate(lines):
        for cell in list(line):
            above = [
                part
                for upper in lines[max(0, k - 3) : k]
                for part in upper
                if ":" not in part.text
                and abs(part.left - cell.left) <= cell.height / 2
                and 0 < part.middle - cell.middle <= 2.5 * cell.height
                and _LABEL_RE.match(f"{part.text} {cell.text}")
            ]
            if not above:
                continue
            part = min(above, key=lambda p: p.middle - cell.middle)
            part.text = f"{part.text} {cell.text}"
            part.right = max(part.right, cell.right)
            part.bottom = min(part.bottom, cell.bottom)
            line.remove(cell)


def _is_bare_label(cell: _Box) -> bool:
    matches = list(_LABEL_RE.finditer(cell.text))
    return bool(matches) and not cell.text[matches[-1].end() :].strip()


def _table_rows(lines: list[list[_Box]]) -> list[str] | None:
    """``Label: value`` lines: each bare label takes the nearest value cell to its right that
    shares its height, with no other label in between.

    A label left without a value is a blank cell, unless a cell that could be a value (digits, a
    priority) was left without a label too: then the positions failed, and None says so.
    """
    cells = [cell for line in lines for cell in line]
    is_label = {id(cell): bool(_LABEL_RE.search(cell.text)) for cell in cells}
    labels = [cell for cell in cells if is_label[id(cell)]]
    values = [cell for cell in cells if not is_label[id(cell)]]
    used: set[int] = set()
    fields: dict[int, str] = {}
    for label in labels:
        if not _is_bare_label(label):
            continue
        right = [
            cell
            for cell in values
            if cell.left >= label.right and id(cell) not in used and cell.overlaps(label)
        ]
        if not right:
            continue
        value = min(right, key=lambda c: c.left)
        if any(
            label.right <= other.left < value.left and other.overlaps(label)
            for other in labels
            if other is not label
        ):
            continue  # the nearest value belongs to a label in between
        used.add(id(value))
        fields[id(label)] = f"{label.text} {value.text}"
    unpaired = any(_is_bare_label(label) and id(label) not in fields for label in labels) and any(
        id(cell) not in used and _VALUE_RE.fullmatch(cell.text) for cell in values
    )
    if unpaired:
        return None  # a value the positions could not place: not a blank cell
    rows = []
    for line in lines:
        if not any(is_label[id(cell)] for cell in line):
            continue
        rows.append("    ".join(fields.get(id(c), c.text) for c in line if id(c) not in used))
    return rows


def table_from_positions(
    textpage: pdfium.PdfTextPage, text: str, quarter: int = 0
) -> list[str] | None:
    """Page 1's header table as ``Label: value`` lines, rebuilt from PDFium's character boxes.

    ``text`` is the page's raw text (``textpage.get_text_range()``); ``quarter`` the clockwise
    quarter turn of its glyphs (``imrgraph.extract.pdf.upright``). A label with nothing beside
    it is a blank cell and stays bare. None when the page has no header label, when a value was
    left that no label could take, or when its characters and text do not line up (characters
    outside the BMP).
    """
    if textpage.count_chars() != len(text):
        return None
    end = _region_end(text)
    lines = _lines_of_cells(_words(textpage, text, end, quarter))
    _join_wrapped_labels(lines)
    rows = _table_rows(lines)
    return rows or None


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


def splice_table(page: str, rebuilt: list[str]) -> str:
    """Page 1's text with its header-table lines replaced by ``rebuilt``.

    The replaced lines are those above the first heading made only of words from the rebuilt
    lines; the rebuilt lines go where the first of them was. Unchanged if there are none.
    """
    lines = page.split("\n")
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


def fix_header_table(page: str, data: bytes) -> str:
    """Page 1's text with its header table re-read by pdfplumber's table finder (the slow,
    last resort). If pdfplumber finds no table with a header label, the page is unchanged."""
    rebuilt = table_lines(data)
    return splice_table(page, rebuilt) if rebuilt else page
