"""Extraction: PDFs and text files -> cleaned pages, and every way a file can fail.

The PDFs are made here, with fpdf2 (through tools/render_pdf.py for letters) and pypdfium2 reads
them back: no mocks, the real libraries on real files.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from fpdf import FPDF
from PIL import Image

from imrgraph.errors import (
    CorruptFile,
    EmptyFile,
    EncryptedFile,
    ExtractionError,
    InputError,
    LimitExceeded,
    NoTextLayer,
)
from imrgraph.extract import Limits, extract, remove_running_lines
from imrgraph.extract.layout import header_needs_layout
from imrgraph.extract.pdf import pdf_pages
from imrgraph.extract.running import is_furniture, is_page_number
from imrgraph.extract.text import decode_text, normalize_text
from imrgraph.parse.text import join_pages
from imrgraph.pipeline import parse_file

ROOT = Path(__file__).resolve().parent.parent


def _load_renderer():
    spec = importlib.util.spec_from_file_location("render_pdf", ROOT / "tools" / "render_pdf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


render_pdf = _load_renderer()

CASE = "CM15-0123456"
HEADER = (
    f"Case Number: {CASE}    Date Assigned: 10/05/2015\n"
    "Date of Injury: 07/27/2015    Decision Date: 11/20/2015\n"
    "UR Denial Date: 09/28/2015    Priority: Standard\n"
    "Application Received: 10/02/2015\n"
)


def long_letter(paragraphs: int = 14) -> str:
    """A letter long enough for several PDF pages, with lines wider than the page (they wrap)."""
    parts = [HEADER, "HOW THE IMR FINAL DETERMINATION WAS MADE", ""]
    for i in range(1, paragraphs + 1):
        parts.append(f"Tramadol ER 150mg #{i}0 with colon: dose {i}: Upheld")
        parts.append("")
        parts.append(
            f"Decision rationale: paragraph {i} says the applicant reported persistent low back "
            "pain radiating to the left lower extremity, with tenderness about the lumbar "
            "paraspinal musculature and limited range of motion, and that the attending provider "
            "did not document functional improvement, a reduction in dependence on medical "
            f"treatment, or a return to work. Therefore, request number {i} was not medically "
            "necessary."
        )
        parts.append("")
    return "\n".join(parts)


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> tuple[str, Path]:
    text = long_letter()
    out = tmp_path_factory.mktemp("pdf") / "letter.pdf"
    render_pdf.render(text, out)
    return text, out


# --- PDFs rendered from a letter ---------------------------------------------------------------


def test_pdf_text_is_the_letter_with_page_furniture_removed(rendered):
    text, path = rendered
    doc = extract(path)
    assert doc.format == "pdf"
    assert doc.page_count == len(pdfium.PdfDocument(str(path))) >= 3
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    # Same words in the same order: wrapped lines did not glue words, nothing was lost or added.
    assert collapse("\n".join(doc.pages)) == collapse(text)


def test_raw_pdf_has_running_lines_that_extraction_removes(rendered):
    _, path = rendered
    raw = pdf_pages(path.read_bytes(), str(path), 500)
    assert all(f"Page {n} of {len(raw)}" in page for n, page in enumerate(raw, start=1))
    assert all(page.lstrip().startswith(CASE) for page in raw)
    for page in extract(path).pages:
        for line in page.split("\n"):
            assert line.strip() != CASE
            assert not re.fullmatch(r"Page \d+ of \d+", line.strip())


def test_header_table_comes_out_as_label_value_lines(rendered):
    _, path = rendered
    first_lines = [line for line in extract(path).pages[0].split("\n") if line][:4]
    assert first_lines == [
        f"Case Number: {CASE} Date Assigned: 10/05/2015",
        "Date of Injury: 07/27/2015 Decision Date: 11/20/2015",
        "UR Denial Date: 09/28/2015 Priority: Standard",
        "Application Received: 10/02/2015",
    ]


def test_long_lines_wrap_and_an_item_breaks_across_pages(rendered):
    _, path = rendered
    pages = extract(path).pages
    lines = [line for page in pages for line in page.split("\n")]
    # Every rationale (one source line of ~420 characters) became several PDF lines.
    assert sum(line.startswith("Decision rationale:") for line in lines) == 14
    assert len(lines) > 14 * 4
    # Some page starts inside a rationale, i.e. not with a decision line.
    assert any(not page.startswith("Tramadol") for page in pages[1:])


def test_paragraph_gaps_become_blank_lines_and_wrapped_lines_do_not(rendered):
    _, path = rendered
    page = extract(path).pages[0].split("\n")
    at = next(i for i, line in enumerate(page) if line.startswith("Decision rationale:"))
    assert page[at - 1] == ""  # the blank line of the text letter, read from the PDF's gap
    assert page[at - 2].startswith("Tramadol ER 150mg")
    assert page[at + 1] != ""  # the rationale's wrapped continuation
    assert page[0] != ""  # the removed running header left no blank line behind


# Line-end hyphens. A real letter breaks "a three or four-week period" as "four-" / "week";
# PDFium reports that drawn hyphen as its own marker and drops the line break ("four\ufffeweek"),
# and a dash it does not mark ("11-21-" before "2016") keeps its line break.
HYPHENATED_RATIONALE = (
    "Decision rationale: the applicant was to be seen again after a three or four-\n"
    "week period of home exercise. The MRI dated 11-21-\n"
    "2016 was reviewed, and the guidelines recommend H2-\n"
    "receptor antagonists first. No new indications for imaging --\n"
    "Magnetic resonance imaging was not repeated. Therefore, the request was not medically\n"
    "necessary.\n"
)


def hyphenated_letter() -> str:
    heading = "HOW THE IMR FINAL DETERMINATION WAS MADE"
    return "\n".join([HEADER, heading, "", "Physical therapy: Upheld", "", HYPHENATED_RATIONALE])


@pytest.fixture(scope="module")
def hyphenated(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("hyphen")
    text_path = folder / "hyphen.txt"
    text_path.write_text(hyphenated_letter())
    pdf_path = folder / "hyphen.pdf"
    render_pdf.render(hyphenated_letter(), pdf_path)
    return text_path, pdf_path


def test_pdfium_reports_a_line_end_hyphen_as_a_marker_without_the_line_break(hyphenated):
    # The case this guards: PDFium's raw text, before our extraction.
    _, pdf_path = hyphenated
    doc = pdfium.PdfDocument(str(pdf_path))
    try:
        textpage = doc[0].get_textpage()
        raw = textpage.get_text_range()
        textpage.close()
    finally:
        doc.close()
    assert re.search("four[\ufffe\x02]week", raw)
    assert "11-21-\r\n2016" in raw


def test_a_hyphen_drawn_at_a_line_end_is_kept_with_its_line_break(hyphenated):
    # Extraction gives the PDF's lines as pdfplumber reads them ("four-" / "week"): the parser
    # joins a broken word (test_parse_text), for PDF and text letters alike.
    _, pdf_path = hyphenated
    text = "\n".join(extract(pdf_path).pages)
    assert "three or four-\nweek period" in text
    assert "dated 11-21-\n2016 was reviewed" in text
    assert "fourweek" not in text


def test_a_page_ending_in_a_hyphen_loses_its_footer_and_joins_the_next_page(tmp_path):
    # PDFium glues the footer after a page's last "four-" ("four\ufffePage 1 of 2"): written
    # back with its line break, the footer line is removed as on any page, and the parser joins
    # the word across the page break.
    pdf = FPDF(format="letter")
    pdf.set_font("Helvetica", size=11)
    pdf.set_auto_page_break(False)
    for number, line in enumerate(("the applicant was seen for a three or four-", "week period")):
        pdf.add_page()
        pdf.text(20, 20, CASE)
        pdf.text(20, 30, line)
        pdf.text(20, 260, f"Page {number + 1} of 2")
    path = tmp_path / "page-end-hyphen.pdf"
    pdf.output(str(path))
    pages = extract(path).pages
    assert pages == ["the applicant was seen for a three or four-", "week period"]
    assert join_pages(pages).text == "the applicant was seen for a three or four-week period"


def test_line_end_hyphens_read_the_same_from_the_pdf_and_the_text_letter(hyphenated):
    text_path, pdf_path = hyphenated
    rationales = [parse_file(path).items[0].rationale for path in (text_path, pdf_path)]
    assert rationales[0] == rationales[1]
    assert "a three or four-week period of home exercise" in rationales[1]
    assert "dated 11-21-2016 was" in rationales[1]
    assert "imaging -- Magnetic resonance" in rationales[1]


def test_renderer_is_reproducible(tmp_path):
    """Committed example PDFs only change when their letter does."""
    text = long_letter(3)
    render_pdf.render(text, tmp_path / "a.pdf")
    render_pdf.render(text, tmp_path / "b.pdf")
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


def test_renderer_transliterates_characters_a_core_font_lacks(tmp_path):
    out = tmp_path / "u.pdf"
    replaced = render_pdf.render("HOW THE IMR FINAL DETERMINATION WAS MADE\n“ﬁne” – ok…\n", out)
    assert replaced == {"“", "”", "ﬁ", "–", "…"}
    assert extract(out).pages[0].split("\n")[-1] == '"fine" - ok...'


# --- every way a file can fail -----------------------------------------------------------------


def _image_only_pdf(path: Path) -> None:
    pdf = FPDF(format="letter")
    for _ in range(2):
        pdf.add_page()
        image = Image.new("RGB", (200, 100), "white")
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        pdf.image(buf, x=20, y=20, w=150)
    pdf.output(str(path))


def _encrypted_pdf(path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "IMR ISSUES, DECISIONS AND RATIONALES")
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.output(str(path))


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "make", "error", "reason"),
    [
        ("empty.pdf", lambda p: p.write_bytes(b""), EmptyFile, "empty file (0 bytes)"),
        ("empty.txt", lambda p: p.write_bytes(b""), EmptyFile, "empty file (0 bytes)"),
        ("blank.txt", lambda p: p.write_bytes(b" \n\f\n"), EmptyFile, "no text"),
        ("random.pdf", lambda p: p.write_bytes(bytes(range(256)) * 8), CorruptFile, "not a PDF"),
        ("letter.pdf", lambda p: p.write_text("Case Number: CM15-1\n"), CorruptFile, "not a PDF"),
        (
            "header-only.pdf",
            lambda p: p.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4),
            CorruptFile,
            "corrupt PDF",
        ),
        ("encrypted.pdf", _encrypted_pdf, EncryptedFile, "encrypted PDF"),
        ("scanned.pdf", _image_only_pdf, NoTextLayer, "no text layer"),
        ("binary.txt", lambda p: p.write_bytes(b"\x89PNG\x00\x00\x01"), CorruptFile, "binary"),
        ("notes.docx", lambda p: p.write_bytes(b"PK\x03\x04"), ExtractionError, "unsupported file"),
    ],
)
def test_bad_inputs_raise_specific_errors(tmp_path, name, make, error, reason):
    path = tmp_path / name
    make(path)
    with pytest.raises(error) as info:
        extract(path)
    assert info.value.path == str(path)
    assert reason in info.value.reason
    assert str(info.value) == f"{path}: {info.value.reason}"
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("fraction", [0.2, 0.5, 0.9])
def test_truncated_pdf_is_corrupt(rendered, tmp_path, fraction):
    _, path = rendered
    data = path.read_bytes()
    cut = _file(tmp_path, "cut.pdf", data[: int(len(data) * fraction)])
    with pytest.raises(CorruptFile, match="corrupt PDF"):
        extract(cut)


def test_pdf_with_owner_password_only_opens(tmp_path):
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "Decision rationale: readable")
    pdf.set_encryption(owner_password="owner")  # no user password: anyone may read it
    pdf.output(str(tmp_path / "owner.pdf"))
    assert extract(tmp_path / "owner.pdf").pages == ["Decision rationale: readable"]


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ExtractionError, match="no such file"):
        extract(tmp_path / "nope.pdf")
    with pytest.raises(ExtractionError, match="is a directory"):
        extract(tmp_path)


def test_size_and_page_limits(rendered, tmp_path):
    _, path = rendered
    with pytest.raises(LimitExceeded, match="file too large"):
        extract(path, Limits(max_bytes=1000))
    with pytest.raises(LimitExceeded, match=r"too many pages \(\d+ > limit 2\)"):
        extract(path, Limits(max_pages=2))
    many = _file(tmp_path, "many.txt", b"page\f" * 10)
    with pytest.raises(LimitExceeded, match="too many pages"):
        extract(many, Limits(max_pages=5))
    assert extract(path, Limits(max_pages=50)).page_count >= 3


def test_unknown_suffix_is_sniffed(rendered, tmp_path):
    _, path = rendered
    copy = _file(tmp_path, "letter.download", path.read_bytes())
    assert extract(copy).format == "pdf"


def test_every_failure_is_an_input_error():
    for error in (CorruptFile, EmptyFile, EncryptedFile, NoTextLayer, LimitExceeded):
        assert issubclass(error, InputError)


# --- text letters ------------------------------------------------------------------------------


def test_text_letter_pages_split_on_form_feed(tmp_path):
    path = _file(tmp_path, "l.txt", b"one\r\ntwo\fthree\r\n")
    doc = extract(path)
    assert doc.format == "text"
    assert doc.pages == ["one\ntwo", "three\n"]
    assert doc.page_count == 2


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Décision “based” on".encode(), "Décision “based” on"),
        (b"\xef\xbb\xbfBOM first", "BOM first"),
        ("Décision “based” on".encode("cp1252"), "Décision “based” on"),
        (b"caf\xe9 \x81", "café \x81"),  # 0x81 is undefined in cp1252: latin-1 maps every byte
        ("UTF-16 letter".encode("utf-16"), "UTF-16 letter"),
    ],
)
def test_decoding(data, expected):
    assert decode_text(data, "x.txt") == expected


def test_normalize_text():
    raw = "of\ufb01ce visit\r\nmedi\u00adcally\u00a0necessary\u200b\rnext\x02 line\x07"
    assert normalize_text(raw) == "office visit\nmedically necessary\nnext line"


# --- running headers and footers ---------------------------------------------------------------


def test_page_footer_and_case_number_inside_a_paragraph_are_dropped():
    page = (
        "Decision rationale: the applicant was\n"
        "Page 2 of 4\n"
        f"{CASE}\n"
        "described as trending favorably.\n"
    )
    assert remove_running_lines([page]) == [
        "Decision rationale: the applicant was\ndescribed as trending favorably.\n"
    ]


def test_running_lines_between_an_items_lines_with_blank_lines():
    page = "MRI of the knee: Upheld\n\nPage 3 of 5\n\nClaims Administrator guideline: x\n"
    assert remove_running_lines([page]) == [
        "MRI of the knee: Upheld\n\nClaims Administrator guideline: x\n"
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Page 2 of 5",
        "  page 2 OF 5 ",
        CASE,
        f"{CASE}  Page 2 of 5",
        f"Page 2 of 5 | {CASE}",
    ],
)
def test_furniture_lines(line):
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "See page 2 of the report.",
        "Page(s): 63-66",
        "Case Number: CM15-0123456",
        "2. Topical compound cream 240gm is not medically necessary and appropriate.",
        "Physical therapy 2x6: Upheld",
        "12",
        "8/19/2010",  # a date wrapped onto a line of its own
        "9/10",
        "page 182",
        "2 of 5",
        f"{CASE}.",
    ],
)
def test_content_lines_are_not_furniture(line):
    assert not is_furniture(line)


@pytest.mark.parametrize(
    ("line", "page", "expected"),
    [
        ("Page 2", 2, True),
        ("2 of 5", 2, True),
        ("- 2 -", 2, True),
        ("2", 2, True),
        ("Page 2", 3, False),
        ("2", 1, False),
        ("page 182", 1, False),
        ("x 2", 2, False),
    ],
)
def test_page_numbers_at_edges(line, page, expected):
    assert is_page_number(line, page) is expected


def test_short_page_numbers_mid_page_are_content():
    page = "a\nb\nthe visit was on\n8/19/2010\nsee Table 8-8,\npage 182\n2 of 5\nc\nd"
    assert remove_running_lines([page]) == [page]


def test_repeated_edge_line_removed_only_at_page_edges():
    banner = "Independent Medical Review Final Determination"
    pages = [
        f"{banner}\nfirst page text\nmore text\nlast words",
        f"{banner}\nsecond page\n{banner}\nmiddle\nend here",
        f"{banner}\nthird page\nstill text\nfinal",
        "fourth page\nwithout it\nat all\ndone",
    ]
    cleaned = remove_running_lines(pages)
    assert len(cleaned) == 4
    assert cleaned[0] == "first page text\nmore text\nlast words"
    # The same line in the middle of a page is content, not a running header.
    assert cleaned[1] == f"second page\n{banner}\nmiddle\nend here"
    assert cleaned[3] == pages[3]


def test_prose_repeated_at_page_edges_by_chance_is_kept():
    # Found by the accuracy benchmark on generated 2-3 page letters: a sentence end or a heading
    # opening/closing two pages is content, not a running line.
    pages = [
        "Page one text\nThe Expert Reviewer's decision rationale:\nbody\nmedically necessary.",
        "The Expert Reviewer's decision rationale:\nmore\nbody\nmedically necessary.",
        "Physical therapy 2x6: Upheld\nlast page\nend",
    ]
    assert remove_running_lines(pages) == pages


def test_bare_page_numbers_at_bottom_removed_but_numbers_in_text_kept():
    pages = ["text one\n42\nmore\nthe end\n1", "text two\nmore\nstuff\n2", "three\nx\n7\ny\n3"]
    assert remove_running_lines(pages) == [
        "text one\n42\nmore\nthe end",
        "text two\nmore\nstuff",
        "three\nx\n7\ny",
    ]


def test_header_table_case_number_survives_a_repeated_case_number_header():
    pages = [
        f"Case Number: {CASE} Date Assigned: 10/05/2015\nbody one\nsome\nend",
        f"Case Number: {CASE} Date Assigned: 10/05/2015\nbody two\nmore\nend two",
        f"Case Number: {CASE} Date Assigned: 10/05/2015\nbody three\nother\nend three",
    ]
    cleaned = remove_running_lines(pages)
    assert cleaned[0] == pages[0]
    assert cleaned[1] == "body two\nmore\nend two"


def test_page_count_is_kept_even_when_a_page_empties():
    assert remove_running_lines(["text\nPage 1 of 2", "Page 2 of 2"]) == ["text", ""]


# --- header table: rebuilt from PDFium's char boxes when its reading is garbled ------------------


def _four_column_table_pdf(path: Path) -> None:
    """Label and value in separate cells; one label cell holds two lines."""
    pdf = FPDF(format="letter")
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    rows = [
        ("Case Number:", CASE, "Date Assigned:", "10/05/2015"),
        ("Date of Injury:", "07/27/2015", "Decision Date:", "11/20/2015"),
        ("UR Denial Date:", "09/28/2015", "Priority:", "Standard"),
        ("Application\nReceived:", "10/02/2015", "", ""),
    ]
    with pdf.table(col_widths=(30, 30, 30, 30), first_row_as_headings=False) as table:
        for cells in rows:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.ln(4)
    pdf.multi_cell(0, 5, "HOW THE IMR FINAL DETERMINATION WAS MADE")
    pdf.output(str(path))


PUBLISHED_CASE = "CM16-0123456"


def _published_header_pdf(path: Path, injury: str = "10/13/2016") -> None:
    """The header table as the DWC published it in 2016-2017: no borders, four label rows on the
    left, three on the right, the last right label wrapped with its date beside the first line
    (``Application`` / ``Received:``). The letters themselves are read from ../shared."""
    from fpdf.enums import VAlign

    pdf = FPDF(format="letter")
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    rows = [
        ("Case Number:", PUBLISHED_CASE, "", ""),
        ("Date Assigned:", "11/09/2016", "Date of Injury:", injury),
        ("Decision Date:", "12/09/2016", "UR Denial Date:", "11/03/2016"),
        ("Priority:", "Standard", "Application\nReceived:", "11/04/2016"),
    ]
    with pdf.table(
        col_widths=(25, 25, 25, 25),
        width=120,
        first_row_as_headings=False,
        borders_layout="NONE",
        v_align=VAlign.T,
        padding=0,
    ) as table:
        for cells in rows:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.ln(4)
    pdf.multi_cell(0, 5, "HOW THE IMR FINAL DETERMINATION WAS MADE")
    pdf.output(str(path))


def test_wrapped_label_cell_is_joined_from_char_positions(tmp_path):
    path = tmp_path / "table.pdf"
    _four_column_table_pdf(path)
    raw = pdf_pages(path.read_bytes(), str(path), 500)[0]
    lines = [line for line in raw.split("\n") if line]
    assert lines[3:6] == ["Application", "Received:", "10/02/2015"]  # PDFium splits the cell
    assert extract(path).pages[0].split("\n") == [
        f"Case Number: {CASE}    Date Assigned: 10/05/2015",
        "Date of Injury: 07/27/2015    Decision Date: 11/20/2015",
        "UR Denial Date: 09/28/2015    Priority: Standard",
        "Application Received: 10/02/2015",
        "",
        "HOW THE IMR FINAL DETERMINATION WAS MADE",
    ]


def test_published_header_wrapped_label_takes_the_date_beside_it(tmp_path):
    """PDFium reads ``Application`` / ``Received:`` / date; the date sits beside ``Application``."""
    path = tmp_path / "published.pdf"
    _published_header_pdf(path)
    raw = pdf_pages(path.read_bytes(), str(path), 500)[0]
    assert [line.strip() for line in raw.split("\n") if line.strip()][3:6] == [
        "Priority: Standard Application",
        "Received:",
        "11/04/2016",
    ]
    assert extract(path).pages[0].split("\n")[:4] == [
        f"Case Number: {PUBLISHED_CASE}",
        "Date Assigned: 11/09/2016    Date of Injury: 10/13/2016",
        "Decision Date: 12/09/2016    UR Denial Date: 11/03/2016",
        "Priority: Standard    Application Received: 11/04/2016",
    ]


def test_published_header_is_read_without_pdfplumber(tmp_path):
    """pdfplumber's layout pass costs more than the rest of the parse: PDFium's boxes suffice."""
    import subprocess
    import sys

    path = tmp_path / "published.pdf"
    _published_header_pdf(path)
    code = (
        "import sys\n"
        "from imrgraph.extract import extract\n"
        f"page = extract({str(path)!r}).pages[0]\n"
        "assert 'Application Received: 11/04/2016' in page, page\n"
        "print('pdfplumber' in sys.modules, 'pdfminer' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["False", "False"]


def test_blank_header_cell_stays_bare_without_pdfplumber(tmp_path):
    """A label with nothing beside it is an empty cell: pdfplumber could not read more."""
    import subprocess
    import sys

    path = tmp_path / "blank.pdf"
    _published_header_pdf(path, injury="")
    code = (
        "import sys\n"
        "from imrgraph.extract import extract\n"
        f"print(extract({str(path)!r}).pages[0].split(chr(10))[1])\n"
        "print('pdfplumber' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.splitlines() == [
        "Date Assigned: 11/09/2016    Date of Injury:",
        "False",
    ]


def _stacked_cells_pdf(path: Path) -> None:
    """Each cell holds its label over its value: no value shares a line with its label."""
    pdf = FPDF(format="letter")
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    with pdf.table(col_widths=(40, 40), first_row_as_headings=False) as table:
        for cells in (
            (f"Case Number:\n{CASE}", "Date Assigned:\n10/05/2015"),
            ("Priority:\nStandard", "Application Received:\n10/02/2015"),
        ):
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.ln(4)
    pdf.multi_cell(0, 5, "HOW THE IMR FINAL DETERMINATION WAS MADE")
    pdf.output(str(path))


def test_table_the_positions_cannot_pair_falls_back_to_pdfplumber(tmp_path):
    path = tmp_path / "stacked.pdf"
    _stacked_cells_pdf(path)
    assert extract(path).pages[0].split("\n")[:2] == [
        f"Case Number: {CASE}    Date Assigned: 10/05/2015",
        "Priority: Standard    Application Received: 10/02/2015",
    ]


def test_pdfminer_logs_nothing_while_reading_the_table(tmp_path, caplog):
    """Its warnings on damaged files would land on stderr between the CLI's PATH: reason lines."""
    import logging

    path = tmp_path / "table.pdf"
    _four_column_table_pdf(path)
    logging.getLogger("pdfminer").setLevel(logging.DEBUG)  # pdfminer logs plenty at DEBUG
    try:
        with caplog.at_level(logging.DEBUG):
            extract(path)
    finally:
        logging.getLogger("pdfminer").setLevel(logging.NOTSET)
    assert [r for r in caplog.records if r.name.startswith(("pdfminer", "pdfplumber"))] == []
    assert logging.getLogger("pdfminer").level == logging.NOTSET


@pytest.mark.parametrize(
    ("lines", "needed"),
    [
        ([f"Case Number: {CASE} Date Assigned: 10/05/2015", "Priority: Standard"], False),
        (["No table here", "HOW THE IMR FINAL DETERMINATION WAS MADE", "Label:"], False),
        ([f"Case Number: {CASE}", "Application", "Received:", "10/02/2015"], True),
        ([f"Case Number: {CASE} Date Assigned:", "10/05/2015"], True),
        (["Date of", "Injury: 07/27/2015"], True),
    ],
)
def test_header_needs_layout(lines, needed):
    assert header_needs_layout(lines) is needed


def test_clean_rendered_header_stays_on_the_fast_path(rendered):
    _, path = rendered
    raw = pdf_pages(path.read_bytes(), str(path), 500)[0]
    assert not header_needs_layout(raw.split("\n"))


def test_input_errors_survive_pickling():
    """Ingest workers return these across processes."""
    import pickle

    for error in (InputError, CorruptFile, EmptyFile, EncryptedFile, NoTextLayer, LimitExceeded):
        copy = pickle.loads(pickle.dumps(error("a/b.pdf", "why")))
        assert type(copy) is error
        assert (copy.path, copy.reason, str(copy)) == ("a/b.pdf", "why", "a/b.pdf: why")


@pytest.mark.parametrize(
    "text_path",
    sorted((ROOT / "examples" / "letters").glob("*.txt")),
    ids=lambda p: p.stem,
)
def test_example_pdfs_are_rendered_from_the_current_letters(text_path, tmp_path):
    """A letter edited without re-rendering its PDF (python tools/render_pdf.py ...) fails here.

    Compares the extracted text, not the bytes, so another fpdf2 version still passes. The name
    says how it is rendered (examples/README.md): `published` in the DWC's published layout
    (`--published`), `glyphs` drawn glyph by glyph (`--glyphs`).
    """
    committed = text_path.with_suffix(".pdf")
    assert committed.exists(), f"render it: python tools/render_pdf.py {text_path}"
    fresh = tmp_path / committed.name
    text = text_path.read_text(encoding="utf-8")
    if "published" in text_path.stem:
        render_pdf.render_published(text, fresh, glyphs="glyphs" in text_path.stem)
    else:
        render_pdf.render(text, fresh)
    assert extract(committed).pages == extract(fresh).pages


# --- rotated pages: read in the direction the glyphs stand ---------------------------------------


def _turned(source: Path, out: Path, pages: list[int], *, rotate: int, turn_content: bool) -> Path:
    """A copy of ``source`` with ``pages`` given a /Rotate of ``rotate`` degrees and/or their
    content drawn turned a quarter clockwise (the page box turned with it), made with PDFium."""
    doc = pdfium.PdfDocument(source)
    for index in pages:
        page = doc[index]
        if turn_content:
            width, height = page.get_size()
            turn = pdfium.PdfMatrix().rotate(90).translate(0, width)
            for obj in list(page.get_objects()):
                obj.transform(turn)
            page.set_mediabox(0, 0, height, width)
            page.gen_content()
        if rotate:
            page.set_rotation(rotate)
    doc.save(str(out))
    doc.close()
    return out


@pytest.fixture(scope="module")
def nine_items(tmp_path_factory) -> Path:
    """A real example letter (nine items, five pages) rendered to PDF."""
    out = tmp_path_factory.mktemp("rot") / "nine.pdf"
    render_pdf.render((ROOT / "examples/letters/cm14-wrist-nine-items.txt").read_text(), out)
    return out


@pytest.mark.parametrize(
    ("pages", "rotate", "turn_content"),
    [
        ([1], 90, False),  # page 2 shown landscape: its upright text turned on its side
        ([0, 1, 2, 3, 4], 90, False),  # every page so
        ([1], 270, False),
        ([0, 1, 2, 3, 4], 0, True),  # content drawn turned, no /Rotate to stand it up
        ([1], 270, True),  # content drawn turned and a /Rotate that stands it up again
    ],
)
def test_rotated_pages_read_as_the_upright_letter(
    nine_items, tmp_path, pages, rotate, turn_content
):
    from imrgraph.pipeline import parse_file

    turned = _turned(
        nine_items, tmp_path / "turned.pdf", pages, rotate=rotate, turn_content=turn_content
    )
    assert extract(turned).pages == extract(nine_items).pages
    upright_letter = parse_file(nine_items).to_dict()
    turned_letter = parse_file(turned).to_dict()
    upright_letter.pop("source"), turned_letter.pop("source")
    assert turned_letter == upright_letter
    assert len(turned_letter["items"]) == 9


def test_rotated_first_page_header_table_is_rebuilt(tmp_path):
    path = tmp_path / "published.pdf"
    _published_header_pdf(path)
    for name, rotate, turn in (("r90.pdf", 90, False), ("turned.pdf", 0, True)):
        turned = _turned(path, tmp_path / name, [0], rotate=rotate, turn_content=turn)
        assert extract(turned).pages[0] == extract(path).pages[0], name
