"""The hostile-input suite: a folder of bad, odd and tricky files, all generated here.

The promise for each file (RELIABILITY.md, "Hostile input"): one line ``PATH: reason`` on
stderr and in ``--report``, the batch goes on with the next file, the exit status is 1 when any
file failed, and nothing already in the store changes. Odd-but-valid letters (ligatures, soft
hyphens, non-breaking spaces, a missing section) are stored, and a letter dressed in odd Unicode
must parse to exactly the hand-checked expected JSON of the clean letter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image, ImageDraw

from imrgraph.pipeline import parse_file
from imrgraph.rdf.tallies import TALLY_GRAPH
from imrgraph.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
LETTERS = ROOT / "examples" / "letters"
IMRGRAPH = [sys.executable, "-m", "imrgraph"]

UR_LETTER = """UTILIZATION REVIEW DETERMINATION
Claim Number: 0012345-WC    Date of Request: 09/17/2015
Dear Dr. Provider,
We have reviewed your request for authorization of physical therapy 2x6 for the lumbar spine.
Determination: NON-CERTIFIED. The request is not medically necessary based on the MTUS
Chronic Pain Medical Treatment Guidelines, Physical Medicine, pages 98-99.
You may request Independent Medical Review (IMR) within 30 days.
"""
INVOICE = """INVOICE #2015-0042
Bill to: Acme Claims Administration    Date: 10/01/2015
Item: MRI of the lumbar spine without contrast ............ $1,250.00
Item: Physical therapy 6 sessions ............................ $720.00
Total due: $1,970.00. Payment terms: net 30.
"""


def _pdf(path: Path, pages: int = 1, text: str | None = None, **encryption: str) -> None:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    if encryption:
        pdf.set_encryption(**encryption)
    for _ in range(pages):
        pdf.add_page()
        if text:
            pdf.multi_cell(0, 5, text)
    pdf.output(str(path))


def _image_only_pdf(path: Path) -> None:
    image = Image.new("RGB", (800, 1000), "white")
    draw = ImageDraw.Draw(image)
    for row, line in enumerate((LETTERS / "seed-letter.txt").read_text().splitlines()[:40]):
        draw.text((20, 20 + row * 22), line, fill="black")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(image, x=0, y=0, w=210)
    pdf.output(str(path))


def _odd_unicode(text: str) -> str:
    """The same letter as a careless PDF-to-text tool writes it: ligatures, soft hyphens,
    non-breaking and zero-width spaces, a BOM, CRLF line ends."""
    text = text.replace("fi", "\ufb01").replace("fl", "\ufb02")
    text = text.replace("medically", "medi\u00adcally").replace("applicant", "appli\u00adcant")
    text = text.replace("Decision based on", "Decision\u00a0based\u00a0on")
    text = text.replace("rationale:", "rationale:\u200b")
    return "\ufeff" + text.replace("\n", "\r\n")


# (file name, how to make it, expected stage, reason fragment); stage None = stored
HOSTILE = [
    ("empty.pdf", lambda p: p.write_bytes(b""), "parse", "empty file (0 bytes)"),
    ("empty.txt", lambda p: p.write_text("  \n\t\n"), "parse", "no text"),
    ("text-named.pdf", lambda p: p.write_text(INVOICE), "parse", "not a PDF file"),
    (
        "truncated.pdf",
        lambda p: p.write_bytes((LETTERS / "seed-letter.pdf").read_bytes()[:2000]),
        "parse",
        "corrupt PDF",
    ),
    (
        "bitflipped.pdf",
        lambda p: p.write_bytes(
            (LETTERS / "seed-letter.pdf").read_bytes()[:9] + bytes(400) + b"garbage" * 50
        ),
        "parse",
        "corrupt PDF",
    ),
    (
        "encrypted.pdf",
        lambda p: _pdf(p, text=INVOICE, owner_password="o", user_password="secret"),
        "parse",
        "encrypted PDF",
    ),
    ("image-only.pdf", _image_only_pdf, "parse", "no text layer"),
    ("blank-2000-pages.pdf", lambda p: _pdf(p, pages=2000), "parse", "too many pages (2000"),
    ("ur-letter.txt", lambda p: p.write_text(UR_LETTER), "parse", "not an IMR determination"),
    ("invoice.pdf", lambda p: _pdf(p, text=INVOICE), "parse", "not an IMR determination"),
    (
        "binary.txt",
        lambda p: p.write_bytes(bytes(range(256)) * 4),
        "parse",
        "not a text file (binary data)",
    ),
    (
        "huge-single-page.txt",
        lambda p: p.write_text("lorem ipsum dolor sit amet " * 400_000),  # 10.8 MB, one page
        "parse",
        "not an IMR determination",
    ),
    # a named pipe among the downloads: opening it for reading would block forever
    ("fifo.txt", lambda p: os.mkfifo(p), "parse", "not a regular file"),
    (
        "missing-summary.txt",
        lambda p: p.write_text(_without_section((LETTERS / "seed-letter.txt").read_text())),
        None,
        "",
    ),
    (
        "odd-unicode.txt",
        lambda p: p.write_text(
            _odd_unicode((LETTERS / "older-2015-shoulder-ca-licensure.txt").read_text())
        ),
        None,
        "",
    ),
    (
        "same-letter-again.txt",
        lambda p: p.write_bytes((LETTERS / "cm15-low-back-date-conflict.txt").read_bytes()),
        "skipped",
        "",
    ),
]


def _without_section(text: str) -> str:
    start = text.index("CLINICAL CASE SUMMARY")
    end = text.index("IMR ISSUES")
    return text[:start] + text[end:]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    for name, make, _stage, _reason in HOSTILE:
        make(folder / name)
    return folder


def test_odd_unicode_parses_to_the_clean_letters_expected_json(hostile):
    clean = "older-2015-shoulder-ca-licensure"
    expected = json.loads((LETTERS / f"{clean}.expected.json").read_text())
    got = parse_file(hostile / "odd-unicode.txt").to_dict()
    plain = parse_file(LETTERS / f"{clean}.txt").to_dict()
    for data in (expected, got, plain):
        data.pop("source")
    # Odd Unicode changes nothing: the same reading as the plain letter, reasons included...
    assert got == plain
    # ...and the hand key's, reasons apart: they are measured against the key, not matched
    # (test_examples.test_reasons_agree_with_the_hand_key).
    for data in (expected, got):
        for item in data["items"]:
            item.pop("reasons")
    assert got == expected


def test_a_missing_section_is_a_warning_not_a_failure(hostile):
    letter = parse_file(hostile / "missing-summary.txt")
    assert any(w.startswith("section-missing") for w in letter.warnings)
    assert letter.items


@pytest.mark.slow
def test_every_hostile_file_gets_its_one_line_and_nothing_stored_changes(hostile, tmp_path):
    store_dir = tmp_path / "store"
    good = LETTERS / "cm15-low-back-date-conflict.txt"
    first = subprocess.run(
        [*IMRGRAPH, "ingest", str(good), "--store", str(store_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert first.returncode == 0, first.stderr
    with EmbeddedStore(store_dir, create=False) as store:
        before = {str(q) for q in store.quads()}

    report = tmp_path / "report.json"
    run = subprocess.run(
        [*IMRGRAPH, "ingest", str(hostile), "--store", str(store_dir), "--report", str(report)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    data = json.loads(report.read_text())
    failures = {Path(f["path"]).name: f for f in data["failures"]}
    for name, _make, stage, reason in HOSTILE:
        if stage == "parse":
            assert name in failures, f"{name} did not fail"
            assert reason in failures[name]["reason"], (name, failures[name])
            # exactly one stderr line for the file, "PATH: stage: reason" on one line
            lines = [line for line in run.stderr.splitlines() if f"/{name}: " in line]
            assert len(lines) == 1, (name, lines)
        else:
            assert name not in failures, (name, failures.get(name))
    expected_failed = sum(1 for h in HOSTILE if h[2] == "parse")
    assert data["failed"] == expected_failed
    assert data["stored"] == sum(1 for h in HOSTILE if h[2] is None)
    assert data["skipped"] == 1  # the same letter again
    assert data["files"] == len(HOSTILE)

    with EmbeddedStore(store_dir, create=False) as store:
        after = {str(q) for q in store.quads()}
        assert store.stats()["letters"] == 3
    # nothing that was stored changed: the graphs present before hold exactly what they held
    # (the tallies graph, shared by all letters, only gained the new letters' tallies)
    tallies = f"<{TALLY_GRAPH}>"
    graphs_before = {line.rsplit(" ", 1)[-1] for line in before} - {tallies}
    assert {q for q in after if q.rsplit(" ", 1)[-1] in graphs_before} == {
        q for q in before if q.rsplit(" ", 1)[-1] != tallies
    }
    assert {q for q in before if q.rsplit(" ", 1)[-1] == tallies} <= after
