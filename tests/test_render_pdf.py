"""tools/render_pdf.py --published [--glyphs]: the examples' PDFs in the DWC's published layout.

Why: the published examples are checked against their text through these PDFs, so the renderer
must give the layout DOMAIN.md describes (four-column table, the wrapped Application Received
label, no running lines, a form feed as a page break wherever it falls) in both of its writers,
byte for byte the same on every run, and PDFium (read directly here, not through the project's
extractor) must find the letter's words in it.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import zlib
from pathlib import Path

import pdfplumber
import pypdfium2
import pytest

ROOT = Path(__file__).resolve().parents[1]
LETTER = ROOT / "examples" / "letters" / "cm17-published-opioid-taper-glyphs.txt"


def _renderer():
    spec = importlib.util.spec_from_file_location("render_pdf", ROOT / "tools" / "render_pdf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


render_pdf = _renderer()


def _pages(path: Path) -> list[str]:
    pdf = pypdfium2.PdfDocument(path)
    try:
        return [
            pdf[i].get_textpage().get_text_range().replace("\r\n", "\n") for i in range(len(pdf))
        ]
    finally:
        pdf.close()


@pytest.mark.parametrize("glyphs", [False, True])
def test_published_rendering_has_the_dwc_header_and_no_running_lines(
    tmp_path: Path, glyphs: bool
) -> None:
    out = tmp_path / "a.pdf"
    render_pdf.render_published(LETTER.read_text(encoding="utf-8"), out, glyphs)
    pages = _pages(out)
    first = pages[0].splitlines()
    assert first[0].strip() == "Case Number: CM17-0480213"
    assert any(
        "Decision Date: 02/06/2017" in x and "UR Denial Date: 12/19/2016" in x for x in first
    )
    # the wrapped label: "Application" beside Priority, "Received:" below, as in the real letters
    row = next(i for i, x in enumerate(first) if x.startswith("Priority:"))
    assert first[row].split() == ["Priority:", "Standard", "Application"]
    assert first[row + 1].strip() == "Received:" and first[row + 2].strip() == "01/03/2017"
    assert not any(re.search(r"Page \d+ of \d+", p) for p in pages)
    assert all("CM17-0480213" not in p for p in pages[1:])
    # the form feed inside the first item's heading is a page break there
    assert pages[0].rstrip().endswith("was authorized by the")
    assert pages[1].lstrip().startswith("Claims Administrator. The remaining IMR eligible")


def test_glyph_rendering_draws_glyph_runs_and_a_table_of_filled_rectangles(
    tmp_path: Path,
) -> None:
    out = tmp_path / "g.pdf"
    render_pdf.render_published(LETTER.read_text(encoding="utf-8"), out, glyphs=True)
    with pdfplumber.open(out) as pdf:
        first = pdf.pages[0]
        assert len(first.rects) >= 60 and not first.lines
        assert len(first.chars) > 1500
    data = out.read_bytes()
    assert b"/Creator (glyph runs" in data
    shown = []  # the strings the content streams show: runs of one to three glyphs, not lines
    for match in re.finditer(rb"stream\n(.*?)\nendstream", data, re.S):
        content = zlib.decompress(match.group(1)).decode("latin-1")
        shown += re.findall(r"\(((?:[^()\\]|\\.)*)\)", content)
    assert len(shown) > 2000 and max(len(re.sub(r"\\(.)", r"\1", s)) for s in shown) <= 3


@pytest.mark.parametrize("glyphs", [False, True])
def test_published_rendering_is_reproducible(tmp_path: Path, glyphs: bool) -> None:
    text = LETTER.read_text(encoding="utf-8")
    render_pdf.render_published(text, tmp_path / "a.pdf", glyphs)
    render_pdf.render_published(text, tmp_path / "b.pdf", glyphs)
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


def test_committed_example_pdfs_are_the_renderings_of_their_texts(tmp_path: Path) -> None:
    """The examples' PDFs are what the renderer makes of their text today (none is stale)."""
    letters = ROOT / "examples" / "letters"
    for name, glyphs in (
        ("cm17-published-opioid-taper-glyphs", True),
        ("cm16-published-shoulder-modified-run-together", False),
    ):
        out = tmp_path / f"{name}.pdf"
        render_pdf.render_published((letters / f"{name}.txt").read_text("utf-8"), out, glyphs)
        assert out.read_bytes() == (letters / f"{name}.pdf").read_bytes(), name


def test_published_without_a_header_table_is_a_one_line_error(tmp_path: Path) -> None:
    letter = tmp_path / "no-table.txt"
    letter.write_text("HOW THE IMR FINAL DETERMINATION WAS MADE\nText.\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "render_pdf.py"), str(letter), "--published"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"{letter}: no published header table (missing Application Received, Case Number, Priority)"
    ]
    assert not letter.with_suffix(".pdf").exists()
