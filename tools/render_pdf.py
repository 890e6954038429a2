"""Render a plain-text IMR letter to a PDF that looks like the ones the DWC posts.

Why: the project's examples are text files (written and checked by hand), but real letters arrive
as PDFs, with a two-column header table, a running header (the case number) and a footer
("Page N of M") on every page, and paragraphs that wrap and break across pages. Rendering each
example with these traits lets the tests check that the PDF path (extraction, running-line
removal, header table) gives exactly the same parse as the text.

Usage::

    python tools/render_pdf.py examples/letters/*.txt          # writes <same name>.pdf beside each
    python tools/render_pdf.py letter.txt --out /tmp/letter.pdf
    python tools/render_pdf.py letter.txt --published            # the DWC's layout (Dec 2016 on)
    python tools/render_pdf.py letter.txt --published --glyphs   # ... drawn glyph by glyph

Layout decisions:
- US Letter, Helvetica 11 pt (a core font: nothing to embed). Characters outside Latin-1 are
  transliterated (curly quotes, dashes, ligatures, accents) and reported on stderr, because a core
  font cannot show them; ``--unicode-font PATH`` embeds a TrueType font instead.
- The letter's own line breaks are kept as hard breaks (a decision line must stay a line of its
  own); fpdf2 wraps every line that is wider than the page, so long lines and paragraphs wrap.
- Lines of the text that stand for the original PDF's page furniture ("Page 2 of 4", a line with
  only the case number, form feeds) are dropped: the PDF gets its own real running header/footer.
- Header-table lines (``Case Number: ... Date Assigned: ...``) before the first section heading
  become a real two-column table, one ``Label: value`` per cell.
- ``--published``: the layout of the letters the DWC publishes from December 2016 (DOMAIN.md,
  "The published decisions"): a four-column header table (grey label cells; the ``Application
  Received`` label wrapped, its date on the ``Application`` line, as the text writes it the way
  ``pdftotext -layout`` does), Times 12, no running header or footer, and a form feed in the
  text is a page break wherever it falls (inside an item heading too). ``--glyphs`` draws it
  glyph by glyph as Acrobat PDFMaker does (``benchmarks/pdfmaker.py``) instead of with fpdf2.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from datetime import datetime, timezone
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import pdfmaker  # the glyph-by-glyph writer the corpus generator uses

# Written out again on purpose, not imported from imrgraph.extract.layout: the renderer makes the
# fixtures the extractor is tested on, so it must describe letters without the code under test
# (the same rule as benchmarks/corpus.py, whose tables repeat the model's and parser's lists).
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
    r"(?P<label>" + "|".join(re.escape(label) for label in HEADER_LABELS) + r")\s*:",
    re.IGNORECASE,
)
_CASE_RE = re.compile(r"\b(CM\d{2}-\d{5,8})\b")
_PAGE_LINE_RE = re.compile(r"^\s*(?:Page\s+\d+(?:\s+of\s+\d+)?|\d+\s+of\s+\d+)\s*$", re.IGNORECASE)
_SECTION_RE = re.compile(r"^\s*HOW THE IMR FINAL DETERMINATION WAS MADE", re.IGNORECASE)

# Typographic characters a Latin-1 core font lacks, mapped to what a typist would write.
_ASCII_MAP = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "--",
    "\u2015": "--",
    "\u2022": "*",
    "\u2026": "...",
    "\u2212": "-",
    "\u00ad": "",
    "\u200b": "",
    "\ufeff": "",
}

FIXED_DATE = datetime(2020, 1, 1, tzinfo=timezone.utc)
FONT_SIZE = 11
LINE_HEIGHT = 5.4  # mm


def to_latin1(text: str, replaced: set[str]) -> str:
    """Make ``text`` printable with a core (Latin-1) font; note every character changed."""
    out = []
    for ch in text:
        if ord(ch) < 256:
            out.append(ch)
            continue
        if ch in _ASCII_MAP:
            sub = _ASCII_MAP[ch]
        else:
            decomposed = unicodedata.normalize("NFKD", ch)
            sub = "".join(c for c in decomposed if ord(c) < 256 and not unicodedata.combining(c))
            if not sub:
                sub = "?"
        replaced.add(ch)
        out.append(sub)
    return "".join(out)


def split_header(lines: list[str]) -> tuple[list[str], list[tuple[str, str]], list[str]]:
    """Split the letter into (lines before the table, table fields, the rest).

    The header table is the run of lines before the first section heading that carry known
    ``Label:`` fields; two fields can share a line, as in the PDF's two-column table.
    """
    end = next((i for i, line in enumerate(lines) if _SECTION_RE.match(line)), len(lines))
    before: list[str] = []
    fields: list[tuple[str, str]] = []
    rest_start = 0
    for i, line in enumerate(lines[:end]):
        matches = list(_LABEL_RE.finditer(line))
        if not matches:
            if fields:
                if line.strip():
                    rest_start = i
                    break
                continue
            before.append(line)
            continue
        for j, m in enumerate(matches):
            stop = matches[j + 1].start() if j + 1 < len(matches) else len(line)
            fields.append((m.group("label"), line[m.end() : stop].strip()))
        rest_start = i + 1
    if not fields:
        return [], [], lines
    return before, fields, lines[rest_start:]


def find_case_number(text: str, fields: list[tuple[str, str]]) -> str | None:
    """The case number for the running header: the table's, else the first CMyy-nnnnnnn seen."""
    for label, value in fields:
        if label.lower() == "case number" and value:
            return value
    m = _CASE_RE.search(text)
    return m.group(1) if m else None


class LetterPDF(FPDF):
    """A Letter-size page with the case number as running header and "Page N of M" as footer."""

    def __init__(self, case_number: str | None, font_family: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="letter")
        self.case_number = case_number
        self.font_family_name = font_family
        self.set_margins(25, 20, 25)
        # A fixed date makes the output byte-for-byte reproducible (no churn in git).
        self.set_creation_date(FIXED_DATE)
        self.set_auto_page_break(auto=True, margin=20)

    def header(self) -> None:
        if self.case_number:
            self.set_font(self.font_family_name, size=9)
            self.set_y(9)
            self.cell(0, 5, self.case_number, align="R")
            self.set_y(20)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(self.font_family_name, size=9)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")


def render(text: str, out: Path, unicode_font: Path | None = None) -> set[str]:
    """Render letter ``text`` to the PDF ``out``; return the characters that were transliterated."""
    replaced: set[str] = set()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    raw_lines = text.replace("\f", "\n").split("\n")
    before, fields, body = split_header(raw_lines)
    case_number = find_case_number(text, fields)

    family = "helvetica"
    pdf = LetterPDF(case_number, family)
    if unicode_font is not None:
        pdf.add_font("letterfont", "", str(unicode_font))
        pdf.add_font("letterfont", "B", str(unicode_font))
        family = pdf.font_family_name = "letterfont"

    def fix(s: str) -> str:
        return s if unicode_font is not None else to_latin1(s, replaced)

    pdf.add_page()
    pdf.set_font(family, size=FONT_SIZE)

    def write_lines(lines: list[str]) -> None:
        gap_pending = False
        for line in lines:
            stripped = line.strip()
            if not stripped:
                gap_pending = True
                continue
            if _PAGE_LINE_RE.match(stripped) or (case_number and stripped == case_number):
                continue  # the text's stand-in for page furniture; the PDF has its own
            if gap_pending:
                pdf.ln(LINE_HEIGHT * 0.6)
                gap_pending = False
            heading = stripped.isupper() and len(stripped) > 3
            pdf.set_font(family, style="B" if heading else "", size=FONT_SIZE)
            pdf.multi_cell(0, LINE_HEIGHT, fix(stripped), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, size=FONT_SIZE)

    write_lines(before)
    if fields:
        pdf.ln(2)
        pdf.set_font(family, size=FONT_SIZE)
        with pdf.table(
            col_widths=(1, 1),
            first_row_as_headings=False,
            line_height=LINE_HEIGHT + 1,
            padding=1.5,
            headings_style=FontFace(emphasis=None),
        ) as table:
            for k in range(0, len(fields), 2):
                row = table.row()
                for label, value in fields[k : k + 2]:
                    row.cell(fix(f"{label}: {value}"))
                if k + 1 >= len(fields):
                    row.cell("")
        pdf.ln(4)
    write_lines(body)
    pdf.output(str(out))
    return replaced


_PUBLISHED_FIELD_RE = re.compile(
    r"(Case Number|Date Assigned|Date of Injury|Decision Date|UR Denial Date|Priority):\s*(\S+)"
    r"|(Application)\s+(\d{2}/\d{2}/\d{4})"
)


def published_fields(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """The seven header fields of a published letter's text (pdftotext's two columns, the
    ``Application`` label with its date, ``Received:`` alone below) and the lines after them."""
    end = next((i for i, line in enumerate(lines) if _SECTION_RE.match(line)), len(lines))
    fields: dict[str, str] = {}
    for line in lines[:end]:
        for m in _PUBLISHED_FIELD_RE.finditer(line):
            if m.group(1):
                fields[m.group(1)] = m.group(2)
            else:
                fields["Application Received"] = m.group(4)
    return fields, lines[end:]


def _paragraphs(lines: list[str]) -> list[tuple[bool, str]]:
    """(gap before, line) for each text line; a form feed stands alone as a page break."""
    out: list[tuple[bool, str]] = []
    gap = False
    for line in lines:
        if line == "\f":
            out.append((False, "\f"))
            continue
        if not line.strip():
            gap = True
            continue
        out.append((gap, line.strip()))
        gap = False
    return out


def _bold(line: str) -> bool:
    """Section headings and item headings (a line that ends with the item's outcome) are bold."""
    return (line.isupper() and len(line) > 3) or line.endswith((": Upheld", ": Overturned"))


def render_published(text: str, out: Path, glyphs: bool) -> set[str]:
    """Render a letter in the DWC's published layout to ``out``; return transliterated chars."""
    replaced: set[str] = set()
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\f\n")
    fields, body = published_fields(text.split("\n"))
    missing = {"Case Number", "Priority", "Application Received"} - fields.keys()
    if missing:
        raise ValueError(f"no published header table (missing {', '.join(sorted(missing))})")
    paragraphs = [(gap, to_latin1(line, replaced)) for gap, line in _paragraphs(body)]
    if glyphs:
        out.write_bytes(_published_glyphs(fields, paragraphs))
        return replaced

    pdf = FPDF(orientation="portrait", unit="pt", format="letter")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_margins(72, 72, 72)
    pdf.set_auto_page_break(auto=True, margin=72)
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    with pdf.table(
        col_widths=pdfmaker.TABLE_COLS,
        width=468,
        first_row_as_headings=False,
        line_height=13,
        padding=2,
        align="LEFT",
        v_align="TOP",  # Word sets a wrapped label's neighbour on its first line
    ) as table:
        grey = FontFace(emphasis="BOLD", fill_color=(223, 223, 223))
        for left, value, right, right_value in pdfmaker.published_rows(fields):
            row = table.row()
            row.cell(left, style=grey)
            row.cell(value)
            if right:
                row.cell(" ".join(right), style=grey)
                row.cell(right_value)
            else:
                row.cell("", colspan=2)
    pdf.ln(14)
    for gap, line in paragraphs:
        if line == "\f":
            pdf.add_page()
            continue
        if gap:
            pdf.ln(13.8)
        pdf.set_font("times", style="B" if _bold(line) else "", size=12)
        pdf.multi_cell(0, 13.8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(out))
    return replaced


def _published_glyphs(fields: dict[str, str], paragraphs: list[tuple[bool, str]]) -> bytes:
    """The published layout drawn by ``benchmarks/pdfmaker.py``: glyph runs, Word's table."""
    size, lead, top, bottom, margin = 12.0, 13.8, 72.0, 720.0, 72.0
    doc = pdfmaker.Document("render_pdf")
    page = doc.add_page()
    y = pdfmaker.header_table(doc, page, top, pdfmaker.published_rows(fields)) + lead
    for gap, paragraph in paragraphs:
        if paragraph == "\f":
            page, y = doc.add_page(), top
            continue
        font = pdfmaker.BODY_BOLD if _bold(paragraph) else pdfmaker.BODY
        if gap and y > top:
            y += lead
        for line in pdfmaker.wrap(paragraph, font, size, pdfmaker.PAGE_W - 2 * margin):
            if y + lead > bottom:
                page, y = doc.add_page(), top
            y += lead
            doc.text(page, margin, y, line, font, size)
    return doc.output()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: render each TEXT file to a PDF beside it (or to --out for one file)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("texts", nargs="+", type=Path, metavar="TEXT")
    ap.add_argument("--out", type=Path, help="output path (only with a single TEXT)")
    ap.add_argument("--unicode-font", type=Path, help="embed this TrueType font instead")
    ap.add_argument(
        "--published", action="store_true", help="the DWC's published layout (Dec 2016 on)"
    )
    ap.add_argument(
        "--glyphs", action="store_true", help="with --published: draw glyph by glyph (PDFMaker)"
    )
    args = ap.parse_args(argv)
    if args.out and len(args.texts) != 1:
        ap.error("--out needs exactly one TEXT")
    status = 0
    for path in args.texts:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"{path}: cannot read: {exc}", file=sys.stderr)
            status = 1
            continue
        out = args.out or path.with_suffix(".pdf")
        if args.published:
            try:
                replaced = render_published(text, out, args.glyphs)
            except ValueError as exc:
                print(f"{path}: {exc}", file=sys.stderr)
                status = 1
                continue
        else:
            replaced = render(text, out, args.unicode_font)
        note = ""
        if replaced:
            note = "  (transliterated: " + " ".join(sorted(replaced)) + ")"
        print(f"{path} -> {out}{note}")
    return status


if __name__ == "__main__":
    sys.exit(main())
