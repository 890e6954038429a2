"""Property tests: whatever bytes or text come in, only imrgraph's own errors come out.

A batch of 100,000 letters must not die on one odd file, and the CLI promises a one-line reason
instead of a traceback; both rest on this property. The PDF cases start from a real letter PDF
and damage it (flipped bytes, cuts, splices), which reaches far deeper into PDFium than random
bytes, which mostly stop at the missing %PDF header.
"""

from __future__ import annotations

import contextlib
import importlib.util
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imrgraph.errors import ImrGraphError
from imrgraph.extract import extract
from imrgraph.extract.pdf import pdf_pages
from imrgraph.extract.running import remove_running_lines
from imrgraph.extract.text import normalize_text
from imrgraph.model import Letter, Source

ROOT = Path(__file__).resolve().parent.parent
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

LETTER = """Case Number: CM15-0123456    Date Assigned: 10/05/2015
HOW THE IMR FINAL DETERMINATION WAS MADE
The Expert Reviewer has the following credentials: State(s) of Licensure: California
IMR ISSUES, DECISIONS AND RATIONALES
MRI of the lumbar spine: Upheld
Claims Administrator guideline: Decision based on MTUS Low Back Complaints 2004.
MAXIMUS guideline: Decision based on MTUS Low Back Complaints 2004, Section(s): Summary.
Decision rationale: The request was not medically necessary.
"""


@pytest.fixture(scope="module")
def letter_pdf(tmp_path_factory) -> bytes:
    spec = importlib.util.spec_from_file_location("render_pdf", ROOT / "tools" / "render_pdf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path_factory.mktemp("fuzz") / "letter.pdf"
    module.render(LETTER, out)
    return out.read_bytes()


def _read(data: bytes) -> list[str] | None:
    try:
        return pdf_pages(data, "fuzz.pdf", 500)
    except ImrGraphError:
        return None


@FUZZ
@given(data=st.binary(max_size=2048))
def test_arbitrary_bytes_as_pdf(data):
    _read(data)
    _read(b"%PDF-1.7\n" + data)


@FUZZ
@given(edits=st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=8)), max_size=6))
def test_damaged_pdf(letter_pdf, edits):
    data = bytearray(letter_pdf)
    for where, junk in edits:
        at = int(where * (len(data) - 1))
        data[at : at + len(junk)] = junk
    _read(bytes(data))


@FUZZ
@given(cut=st.integers(min_value=0))
def test_truncated_pdf(letter_pdf, cut):
    _read(letter_pdf[: cut % len(letter_pdf)])


@FUZZ
@given(data=st.binary(max_size=4096), suffix=st.sampled_from([".pdf", ".txt", ".bin"]))
def test_arbitrary_files_through_extract(tmp_path, data, suffix):
    path = tmp_path / f"input{suffix}"
    path.write_bytes(data)
    try:
        doc = extract(path)
    except ImrGraphError:
        return
    assert doc.page_count == len(doc.pages) >= 1


@FUZZ
@given(pages=st.lists(st.text(max_size=300), min_size=1, max_size=5))
def test_running_removal_keeps_pages(pages):
    cleaned = remove_running_lines([normalize_text(p) for p in pages])
    assert len(cleaned) == len(pages)


# Text that looks like a letter some of the time: fragments of the real headings and lines,
# mixed with arbitrary text, so the parser's deeper paths are reached too.
_FRAGMENTS = st.sampled_from(
    [
        "IMR ISSUES, DECISIONS AND RATIONALES\n",
        "HOW THE IMR FINAL DETERMINATION WAS MADE\n",
        "CLINICAL CASE SUMMARY\n",
        "MRI of the knee: Upheld\n",
        "Retrospective request for x-rays (DOS: 01/05/2015): Overturned\n",
        "2. Topical compound cream 240gm is not medically necessary and appropriate.\n",
        "Claims Administrator guideline: Decision based on ",
        "MAXIMUS guideline: Decision based on MTUS ",
        "Decision rationale: ",
        "The Expert Reviewer based his/her decision on ",
        "Case Number: CM15-0123456 Date of Injury: 13/45/2015\n",
        "State(s) of Licensure: ",
        "a 39-year-old ",
        "Page 2 of 5\n",
        " and ",
        "; ",
    ]
)


@FUZZ
@given(pages=st.lists(st.lists(_FRAGMENTS | st.text(max_size=40), max_size=25), max_size=4))
def test_arbitrary_text_to_parse_pages(pages):
    from imrgraph.parse import parse_pages

    source = Source(path="fuzz.txt", sha256="0" * 64, format="text")
    try:
        letter = parse_pages(["".join(parts) for parts in pages], source)
    except ImrGraphError:
        return
    assert isinstance(letter, Letter)


@pytest.fixture(scope="module")
def garbled_table_pdf(tmp_path_factory) -> bytes:
    """A letter whose header table PDFium garbles, so extraction goes through pdfplumber too."""
    from fpdf import FPDF

    pdf = FPDF(format="letter")
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    with pdf.table(first_row_as_headings=False) as table:
        for cells in (
            ("Case Number:", "CM15-0123456", "Date Assigned:", "10/05/2015"),
            ("Application\nReceived:", "10/02/2015", "Priority:", "Standard"),
        ):
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.multi_cell(0, 5, LETTER)
    out = tmp_path_factory.mktemp("fuzz") / "table.pdf"
    pdf.output(str(out))
    return out.read_bytes()


@settings(FUZZ, max_examples=40)
@given(edits=st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=8)), max_size=4))
def test_damaged_pdf_through_the_layout_path(garbled_table_pdf, tmp_path, capfd, edits):
    data = bytearray(garbled_table_pdf)
    for where, junk in edits:
        at = int(where * (len(data) - 1))
        data[at : at + len(junk)] = junk
    path = tmp_path / "damaged.pdf"
    path.write_bytes(bytes(data))
    with contextlib.suppress(ImrGraphError):
        extract(path)
    assert capfd.readouterr().err == ""  # no library chatter between the CLI's error lines
