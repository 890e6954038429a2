"""PDF letters: bytes -> page texts, with PDFium (pypdfium2).

Why PDFium and not pdfplumber's ``extract_text``: on these letters it gives the same text line
for line about 50x faster (ENGINEERING.md; ``benchmarks/parse.py`` measures it again). pdfplumber
is kept for layout work, but the one layout feature of the letters, the two-column header table,
already comes out of PDFium as clean ``Label: value Label: value`` lines (each table row is one
text line, cells in reading order), so no page needs pdfplumber's slower layout pass.

Every failure of the PDF library is turned into one of the project's errors with a short reason;
nothing from pypdfium2 escapes (a corrupt file must not stop a batch of thousands).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from imrgraph.errors import CorruptFile, EncryptedFile, InputError, LimitExceeded

_LINE_BREAK_RE = re.compile(r"\r\n|\n")
# PDFium's mark for a hyphen the PDF draws at the end of a line before a letter: U+FFFE from
# FPDFText_GetText (pypdfium2's get_text_range), U+0002 where the raw character code comes
# through. PDFium also drops the line break after it ("four\ufffeweek" where the page shows
# "four-" / "week"). The PDF's character is a plain "-" (pdfplumber reads "four-" on its line).
_LINE_END_HYPHEN_MARKS = ("\ufffe", "\x02")
_GAP_FACTOR = 1.5  # a line further below the previous than 1.5 font heights starts a paragraph
_HEADER_WINDOW = 1024  # the PDF spec allows junk before %PDF- within the first 1 KiB

_OPEN_REASONS = {
    pdfium_c.FPDF_ERR_PASSWORD: (EncryptedFile, "encrypted PDF (a password is required)"),
    pdfium_c.FPDF_ERR_SECURITY: (EncryptedFile, "PDF uses an unsupported security handler"),
    pdfium_c.FPDF_ERR_FORMAT: (CorruptFile, "corrupt PDF (its structure cannot be read)"),
    pdfium_c.FPDF_ERR_FILE: (CorruptFile, "corrupt PDF (cannot be opened)"),
}


#: Called on page 1's text with its open text page (for character positions) and the quarter
#: turn of its glyphs (``upright``); returns the text.
FirstPage = Callable[[str, pdfium.PdfTextPage, int], str]

_ANGLE_SAMPLES = 9  # characters whose angle is read to find which way a page's text stands


def pdf_pages(
    data: bytes, path: str, max_pages: int, first_page: FirstPage | None = None
) -> list[str]:
    """Return the raw text of each page of the PDF in ``data`` (``\\r\\n`` line ends kept).

    ``first_page``, if given, may rewrite page 1's text while its character boxes are at hand
    (the header table: ``imrgraph.extract.layout``).

    Raises CorruptFile (not a PDF, damaged), EncryptedFile (password), LimitExceeded (more than
    ``max_pages`` pages).
    """
    if b"%PDF-" not in data[:_HEADER_WINDOW]:
        raise CorruptFile(path, "not a PDF file (no %PDF header)")
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        kind, reason = _OPEN_REASONS.get(
            getattr(exc, "err_code", None), (CorruptFile, "corrupt PDF (cannot be opened)")
        )
        raise kind(path, reason) from exc
    except Exception as exc:  # any other failure inside the library: still the file's fault
        raise CorruptFile(path, f"corrupt PDF ({type(exc).__name__})") from exc
    try:
        count = len(doc)
        if count == 0:
            raise CorruptFile(path, "corrupt PDF (no pages)")
        if count > max_pages:
            raise LimitExceeded(path, f"too many pages ({count} > limit {max_pages})")
        pages = []
        for index in range(count):
            page = doc[index]
            textpage, quarter = _upright_textpage(page)
            try:
                text = _page_text(textpage, quarter)
                if index == 0 and first_page is not None:
                    text = first_page(text, textpage, quarter)
                pages.append(text)
            finally:
                textpage.close()
                page.close()
        return pages
    except InputError:
        raise
    except Exception as exc:  # PdfiumError on a damaged page, or anything else from the library
        raise CorruptFile(
            path, f"corrupt PDF (page text unreadable: {type(exc).__name__})"
        ) from exc
    finally:
        doc.close()


def _glyph_quarter(textpage: pdfium.PdfTextPage) -> int:
    """Clockwise quarter turns (0-3) at which most of the page's glyphs stand in page space.

    Read from a few characters spread over the page (PDFium's angle is clockwise, in radians);
    the most common wins, so a rotated stamp or margin note does not turn the page.
    """
    count = textpage.count_chars()
    if count <= 0:
        return 0
    raw = textpage.raw
    votes = [0, 0, 0, 0]
    step = max(1, count // _ANGLE_SAMPLES)
    for i in range(step // 2, count, step):
        if pdfium_c.FPDFText_GetUnicode(raw, i) in (0x20, 0x0D, 0x0A):
            continue  # spaces and line ends PDFium made up carry no angle
        angle = pdfium_c.FPDFText_GetCharAngle(raw, i)
        if angle >= 0:
            votes[round(math.degrees(angle) / 90) % 4] += 1
    return max(range(4), key=lambda q: votes[q])


def _upright_textpage(page: pdfium.PdfPage) -> tuple[pdfium.PdfTextPage, int]:
    """The page's text page, read the way its glyphs stand, and their quarter turn.

    PDFium orders text lines as the page is displayed (its /Rotate applied). A page whose
    /Rotate turns upright glyphs on their side (a letter scanned or printed landscape), or
    whose content is drawn turned without a /Rotate to undo it, comes out in a jumble of
    line pieces. Then the page's rotation is set, in memory only, to the one that stands the
    glyphs upright, and the text is read again. Most pages pass the check at the cost of a few
    calls.
    """
    textpage = page.get_textpage()
    quarter = _glyph_quarter(textpage)
    upright_rotation = (-90 * quarter) % 360
    if page.get_rotation() != upright_rotation:
        textpage.close()
        page.set_rotation(upright_rotation)
        textpage = page.get_textpage()
    return textpage, quarter


def upright(
    box: tuple[float, float, float, float], quarter: int
) -> tuple[float, float, float, float]:
    """A (left, bottom, right, top) box in page space, seen in the frame of glyphs turned
    ``quarter`` clockwise quarters: left to right along their lines, bottom to top across."""
    left, bottom, right, top = box
    if quarter == 1:  # lines run down the page, "up" is to the right
        return -top, left, -bottom, right
    if quarter == 2:
        return -right, -top, -left, -bottom
    if quarter == 3:  # lines run up the page, "up" is to the left
        return bottom, -right, top, -left
    return box


def _page_text(textpage: pdfium.PdfTextPage, quarter: int = 0) -> str:
    """The page's text with a blank line wherever the PDF leaves a paragraph gap.

    PDFium gives one text line per PDF line but no blank lines; text letters (and the parser's
    view of them) separate paragraphs and blocks with blank lines. The gap is read from the
    font-height box of each line's first character: a few calls per page, not per character.
    """
    text = textpage.get_text_range()
    if textpage.count_chars() != len(text):  # characters outside the BMP: indexes differ
        return _line_end_hyphens(text)
    lines = _LINE_BREAK_RE.split(text)
    out: list[str] = []
    start = 0
    previous_bottom: float | None = None
    rect = pdfium_c.FS_RECTF()  # PDFium called directly: pypdfium2's wrapper cost more than it
    raw = textpage.raw
    marked = any(mark in text for mark in _LINE_END_HYPHEN_MARKS)

    def bottom_and_height(index: int) -> tuple[float, float]:
        if not pdfium_c.FPDFText_GetLooseCharBox(raw, index, rect):
            raise pdfium.PdfiumError("Failed to get charbox.")
        box = (rect.left, rect.bottom, rect.right, rect.top)
        _, bottom, _, top = upright(box, quarter)
        return bottom, top - bottom

    for line in lines:
        first = len(line) - len(line.lstrip())
        if first < len(line):
            bottom, height = bottom_and_height(start + first)
            if (
                previous_bottom is not None
                and height > 0
                and previous_bottom - bottom > _GAP_FACTOR * height
            ):
                out.append("")
            previous_bottom = bottom
            if marked:  # PDFium's line goes on past a line-end hyphen: the gap is from there
                after = max(line.rfind(mark) for mark in _LINE_END_HYPHEN_MARKS) + 1
                if 0 < after < len(line):
                    previous_bottom, _ = bottom_and_height(start + after)
        out.append(line)
        start += len(line) + 2  # PDFium ends every line with "\r\n"
    # After the character indexes are done with: restoring the line break adds characters.
    return _line_end_hyphens("\n".join(out))


def _line_end_hyphens(text: str) -> str:
    """PDFium's line-end hyphen marks as the PDF draws them: "-" and the line break PDFium
    dropped, so the text has the PDF's lines ("four-" / "week", as pdfplumber reads them).

    The line break matters before the parser joins the word (``imrgraph.parse.text``): running
    header/footer removal works line by line, and a footer line PDFium glued after a hyphen
    would otherwise stay in the text.
    """
    for mark in _LINE_END_HYPHEN_MARKS:
        if mark in text:
            text = text.replace(mark, "-\n")
    return text


def hyphen_marks_as_drawn(text: str) -> str:
    """PDFium's line-end hyphen marks as the "-" the PDF draws, one character for one, so that
    character indexes into PDFium's text page still hold (the header table's cells)."""
    for mark in _LINE_END_HYPHEN_MARKS:
        if mark in text:
            text = text.replace(mark, "-")
    return text
