"""A tiny PDF writer that draws text the way Acrobat PDFMaker (Word) does: glyph by glyph.

Why: the letters users download from the DWC are made by "Acrobat PDFMaker 15 for Word". Their
content streams do not show a line with one ``Tj``: each line is a ``TJ`` array of runs of one to
a few glyphs separated by kerning adjustments, and hyphens and digits are often shown by separate,
separately positioned text operators; the header table is a grid of thin filled rectangles with
grey label cells. pdfplumber then sees about 2,000-3,000 characters and ~80 rectangles on the
first page, and extractors that re-assemble words from glyph positions (pdfplumber's table
finder) slow down. fpdf2 writes one ``Tj`` per line, so the benchmark corpus and the examples
need their own writer to reproduce what a user's download costs and how PDFium reads it.

Only the 14 standard fonts are used (Times and Helvetica, WinAnsiEncoding): nothing to embed,
and their glyph widths are fpdf2's tables. The output is a function of the calls and of the seed
given to ``Document`` (the kerning noise): byte-identical across runs. Nothing here imports
``imrgraph``: the writer makes fixtures for the extractor under test.
"""

from __future__ import annotations

import itertools
import random
import zlib
from dataclasses import dataclass, field

PAGE_W, PAGE_H = 612.0, 792.0  # US Letter, points

# font key -> (PDF base font, fpdf2 width table name)
FONTS = {
    "F1": ("Times-Roman", "times"),
    "F2": ("Times-Bold", "timesB"),
    "F3": ("Helvetica", "helvetica"),
    "F4": ("Helvetica-Bold", "helveticaB"),
}
BODY, BODY_BOLD, TABLE, TABLE_BOLD = "F1", "F2", "F3", "F4"

_WIDTHS: dict[str, dict[str, float]] = {}


def widths(font: str) -> dict[str, float]:
    """Glyph widths (thousandths of the font size) of ``font``, keyed by character."""
    table = _WIDTHS.get(font)
    if table is None:
        from fpdf.fonts import CORE_FONTS_CHARWIDTHS

        table = dict(CORE_FONTS_CHARWIDTHS[FONTS[font][1]])
        for code in range(0x80, 0xA0):  # WinAnsiEncoding's extra characters (curly quotes...)
            char = bytes([code]).decode("cp1252", errors="ignore")
            if char:
                table[char] = table[chr(code)]
        _WIDTHS[font] = table
    return table


def text_width(text: str, font: str, size: float) -> float:
    table = widths(font)
    return sum(table.get(c, 500) for c in text) * size / 1000


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap to ``width`` points, as Word does it; hard line breaks kept.

    A web address that does not fit is broken after one of its own hyphens when the part up to
    it fits (Word breaks URLs there), so the next line starts inside the address; no other word
    is ever split.
    """
    table = widths(font)
    scale = size / 1000
    space = table[" "] * scale
    lines: list[str] = []
    for hard in text.split("\n"):
        line: list[str] = []
        used = 0.0
        words = hard.split()
        i = 0
        while i < len(words):
            word = words[i]
            w = sum(table.get(c, 500) for c in word) * scale
            if not line or used + space + w <= width:
                used += (space if line else 0.0) + w
                line.append(word)
                i += 1
                continue
            if word.startswith(("http://", "https://", "www.")) and "-" in word:
                room = width - used - space
                cut = -1
                for j, ch in enumerate(word[:-1]):
                    if ch == "-" and sum(table.get(c, 500) for c in word[: j + 1]) * scale <= room:
                        cut = j + 1
                if cut > 0:
                    line.append(word[:cut])
                    lines.append(" ".join(line))
                    words[i] = word[cut:]
                    line, used = [], 0.0
                    continue
            lines.append(" ".join(line))
            line, used = [], 0.0
        lines.append(" ".join(line))
    return lines


def _escape(raw: bytes) -> bytes:
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _num(x: float) -> str:
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass
class Page:
    ops: list[str] = field(default_factory=list)


class Document:
    """Pages of glyph-run text and filled rectangles; ``output()`` gives the PDF bytes."""

    def __init__(self, seed: str, title: str = "") -> None:
        self.rng = random.Random(f"pdfmaker:{seed}")
        self.pages: list[Page] = []
        self.title = title

    def add_page(self) -> Page:
        self.pages.append(Page())
        return self.pages[-1]

    def rect(self, page: Page, x: float, top: float, w: float, h: float, gray: float) -> None:
        """A filled rectangle (``top`` measured from the top of the page, as a layout is)."""
        y = PAGE_H - top - h
        page.ops.append(f"{_num(gray)} g {_num(x)} {_num(y)} {_num(w)} {_num(h)} re f")

    def text(
        self, page: Page, x: float, baseline: float, text: str, font: str, size: float
    ) -> float:
        """Draw ``text`` with its baseline ``baseline`` points below the page top, starting at
        ``x``, as PDFMaker does: runs of 1-3 glyphs in ``TJ`` arrays with small kerning numbers,
        and now and then (always, for most hyphens) a new separately positioned text object.
        Returns the x where the text ends."""
        if not text:
            return x
        rng = self.rng
        table = widths(font)
        y = PAGE_H - baseline
        chunks: list[tuple[float, list[tuple[str, int]]]] = []  # (x, [(run, kern after)])
        start_x = x
        runs: list[tuple[str, int]] = []
        run = ""
        for i, ch in enumerate(text):
            new_object = (ch == "-" and rng.random() < 0.7) or (i and rng.random() < 0.01)
            if new_object and (run or runs):
                if run:
                    runs.append((run, 0))
                chunks.append((start_x, runs))
                runs, run, start_x = [], "", x
            run += ch
            x += table.get(ch, 500) * size / 1000
            if ch == "-" and new_object:  # the hyphen alone, as PDFMaker shows it
                runs.append((run, 0))
                chunks.append((start_x, runs))
                runs, run, start_x = [], "", x
                continue
            if len(run) >= rng.choice((1, 1, 2, 2, 3)):
                kern = rng.choice((-10, -6, -4, -2, -1, 0, 1, 2, 3, 4, 6))
                runs.append((run, kern))
                x -= kern * size / 1000
                run = ""
        if run:
            runs.append((run, 0))
        if runs:
            chunks.append((start_x, runs))
        for cx, chunk in chunks:
            parts = []
            for j, (glyphs, kern) in enumerate(chunk):
                part = b"(" + _escape(glyphs.encode("cp1252", errors="replace")) + b")"
                parts.append(part.decode("latin-1"))
                if kern and j < len(chunk) - 1:
                    parts.append(str(kern))
            page.ops.append(
                f"BT /{font} 1 Tf {_num(size)} 0 0 {_num(size)} {_num(cx)} {_num(y)} Tm "
                f"[{' '.join(parts)}]TJ ET"
            )
        return x

    def output(self) -> bytes:
        """The PDF: catalog, page tree, four standard fonts, one compressed stream a page."""
        objects: list[bytes] = []

        def add(body: bytes) -> int:
            objects.append(body)
            return len(objects)

        catalog = add(b"")  # filled in below
        pages_obj = add(b"")
        font_ids = {
            key: add(
                f"<< /Type /Font /Subtype /Type1 /BaseFont /{base} "
                "/Encoding /WinAnsiEncoding >>".encode()
            )
            for key, (base, _) in FONTS.items()
        }
        fonts = " ".join(f"/{key} {n} 0 R" for key, n in font_ids.items())
        kids = []
        for page in self.pages:
            content = zlib.compress("\n".join(page.ops).encode("latin-1"), 6)
            stream = add(
                f"<< /Length {len(content)} /Filter /FlateDecode >>\nstream\n".encode()
                + content
                + b"\nendstream"
            )
            kids.append(
                add(
                    f"<< /Type /Page /Parent {pages_obj} 0 R /MediaBox [0 0 612 792] "
                    f"/Resources << /Font << {fonts} >> >> /Contents {stream} 0 R >>".encode()
                )
            )
        objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_obj} 0 R >>".encode()
        objects[pages_obj - 1] = (
            f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>"
        ).encode()
        info = add(
            b"<< /Producer (imrgraph benchmarks/pdfmaker.py) "
            b"/Creator (glyph runs in the manner of Acrobat PDFMaker for Word) >>"
        )
        out = bytearray(b"%PDF-1.6\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for n, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
        xref = len(out)
        out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
        for off in offsets:
            out += f"{off:010d} 00000 n \n".encode()
        out += (
            f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R /Info {info} 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n"
        ).encode()
        return bytes(out)


# --- the published header table ---------------------------------------------------------------

# Column x positions and widths (points) of the DWC's four-column header table: grey label cell,
# value cell, grey label cell, value cell.
TABLE_X = 66.84
TABLE_COLS = (106.92, 149.04, 97.44, 123.96)
TABLE_ROW_H = 13.2
TABLE_PAD = 5.16
TABLE_SIZE = 11.04
RULE = 0.48


def header_table(
    doc: Document, page: Page, top: float, rows: list[tuple[str, str, list[str], str]]
) -> float:
    """Draw the header table at ``top``; return the y below it.

    ``rows`` are ``(left label, left value, right label lines, right value)``: a right label of
    two lines ("Application", "Received:") makes its row two lines high, with the value on the
    first line, as Word sets a wrapped cell. An empty right label leaves the right half one
    empty cell (the first row: "Case Number" only).
    """
    xs = [TABLE_X]
    for w in TABLE_COLS:
        xs.append(xs[-1] + w)
    y = top
    for left_label, left_value, right_label, right_value in rows:
        height = TABLE_ROW_H * max(1, len(right_label))
        # grey label cells, shaded twice as Word does (the cell, then its paragraph)
        doc.rect(page, xs[0], y, TABLE_COLS[0], height, 0.875)
        doc.rect(page, xs[0] + TABLE_PAD, y, TABLE_COLS[0] - 2 * TABLE_PAD, height, 0.875)
        if right_label:
            doc.rect(page, xs[2], y, TABLE_COLS[2], height, 0.875)
            doc.rect(page, xs[2] + TABLE_PAD, y, TABLE_COLS[2] - 2 * TABLE_PAD, height, 0.875)
        baseline = y + TABLE_ROW_H - 3.3
        doc.text(page, xs[0] + TABLE_PAD, baseline, left_label, TABLE_BOLD, TABLE_SIZE)
        doc.text(page, xs[1] + TABLE_PAD, baseline, left_value, TABLE, TABLE_SIZE)
        for k, label_line in enumerate(right_label):
            doc.text(
                page, xs[2] + TABLE_PAD, baseline + k * TABLE_ROW_H, label_line, TABLE_BOLD,
                TABLE_SIZE,
            )  # fmt: skip
        if right_value:
            doc.text(page, xs[3] + TABLE_PAD, baseline, right_value, TABLE, TABLE_SIZE)
        # the grid: thin filled rectangles, one per cell edge and one per joint, as Word draws
        # cell borders
        inner = xs if right_label else [xs[0], xs[1], xs[2], xs[-1]]
        for a, b in itertools.pairwise(inner):
            doc.rect(page, a - RULE, y, RULE, RULE, 0)
            doc.rect(page, a, y, b - a, RULE, 0)
        doc.rect(page, inner[-1] - RULE, y, RULE, RULE, 0)
        for x in inner:
            doc.rect(page, x - RULE, y, RULE, height, 0)
        y += height
    for a, b in itertools.pairwise(xs):
        doc.rect(page, a - RULE, y, RULE, RULE, 0)
        doc.rect(page, a, y, b - a, RULE, 0)
    return y


def published_rows(fields: dict[str, str]) -> list[tuple[str, str, list[str], str]]:
    """The DWC table's rows from its seven fields (label -> value)."""
    return [
        ("Case Number:", fields["Case Number"], [], ""),
        ("Date Assigned:", fields["Date Assigned"], ["Date of Injury:"], fields["Date of Injury"]),
        ("Decision Date:", fields["Decision Date"], ["UR Denial Date:"], fields["UR Denial Date"]),
        ("Priority:", fields["Priority"], ["Application", "Received:"],
         fields["Application Received"]),
    ]  # fmt: skip


def published_table_text(fields: dict[str, str]) -> list[str]:
    """The same table as ``pdftotext -layout`` lays it out: two columns, the wrapped label's
    ``Received:`` alone on the line below its date."""
    lines = []
    for left, value, right, right_value in published_rows(fields):
        line = f"{left:<18}{value:<22}"
        if right:
            line += f"{right[0]:<18}{right_value}"
        lines.append(line.rstrip())
        for more in right[1:]:
            lines.append(f"{'':<40}{more}")
    return lines
