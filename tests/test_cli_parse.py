"""`imrgraph parse`: output formats, per-file failures on stderr, exit status, folder recursion.

Runs the real command (Typer's runner in-process, and the console entry point in a subprocess
once) on real files: the seed letter as text and as a PDF rendered by tools/render_pdf.py, and
broken files made here.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from fpdf import FPDF
from typer.testing import CliRunner

from imrgraph import __version__
from imrgraph.cli import app
from imrgraph.errors import EncryptedFile
from imrgraph.model import Letter
from imrgraph.pipeline import iter_input_files, parse_many, parse_one

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "letters" / "seed-letter.txt"


def _render(text_path: Path, out: Path) -> None:
    spec = importlib.util.spec_from_file_location("render_pdf", ROOT / "tools" / "render_pdf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.render(text_path.read_text(encoding="utf-8"), out)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """good/ holds the seed letter as .txt and .pdf; bad/ (nested) holds one file per failure."""
    root = tmp_path_factory.mktemp("corpus")
    good = root / "good"
    good.mkdir()
    shutil.copy(SEED, good / "seed.txt")
    _render(SEED, good / "seed.pdf")
    (good / "seed.expected.json").write_text("{}")  # not a letter: the folder search skips it
    bad = root / "bad" / "nested"
    bad.mkdir(parents=True)
    (bad / "empty.pdf").write_bytes(b"")
    (bad / "random.pdf").write_bytes(bytes(range(256)) * 4)
    (bad / "shopping-list.txt").write_text("Eggs\nMilk\nBread\n")
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "IMR ISSUES, DECISIONS AND RATIONALES")
    pdf.set_encryption(owner_password="o", user_password="u")
    pdf.output(str(bad / "locked.pdf"))
    return root


def run(*args: str):
    return CliRunner().invoke(app, ["parse", *args])


def test_json_array_of_letters(corpus):
    result = run(str(corpus / "good"))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    letters = json.loads(result.stdout)
    assert [Path(x["source"]["path"]).name for x in letters] == ["seed.pdf", "seed.txt"]
    pdf, text = letters
    assert (pdf["source"]["format"], text["source"]["format"]) == ("pdf", "text")
    assert pdf["source"]["pages"] >= 2 and text["source"]["pages"] is None
    for letter in letters:
        assert [item["outcome"] for item in letter["items"]] == ["Overturned", "Upheld"]
    # The PDF and its text parse to the same letter, apart from where they came from (the file,
    # and the pages of the decision lines and of the reasons' sentences).
    for letter in letters:
        del letter["source"]
        for item in letter["items"]:
            item["page"] = None
            for reason in item["reasons"]:
                reason["page"] = None
    assert pdf == text


def test_jsonl_one_object_per_line(corpus):
    result = run(str(corpus / "good" / "seed.txt"), str(corpus / "good"), "--format", "jsonl")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    # seed.txt named twice (directly and through its folder) is parsed once.
    assert len(lines) == 2
    assert [json.loads(line)["source"]["format"] for line in lines] == ["text", "pdf"]


def test_failures_one_line_each_others_still_parsed(corpus):
    result = run(str(corpus))
    assert result.exit_code == 1
    assert len(json.loads(result.stdout)) == 2
    bad = corpus / "bad" / "nested"
    lines = result.stderr.splitlines()
    assert lines[:3] == [
        f"{bad / 'empty.pdf'}: empty file (0 bytes)",
        f"{bad / 'locked.pdf'}: encrypted PDF (a password is required)",
        f"{bad / 'random.pdf'}: not a PDF file (no %PDF header)",
    ]
    assert lines[3].startswith(f"{bad / 'shopping-list.txt'}: ")
    assert len(lines) == 4
    assert "Traceback" not in result.stderr


def test_missing_path_fails_alone(corpus, tmp_path):
    missing = tmp_path / "nope.pdf"
    result = run(str(missing), str(corpus / "good" / "seed.txt"), "-f", "jsonl")
    assert result.exit_code == 1
    assert result.stderr == f"{missing}: no such file\n"
    assert len(result.stdout.splitlines()) == 1


def test_only_failures_give_an_empty_array(corpus):
    result = run(str(corpus / "bad" / "nested" / "empty.pdf"))
    assert result.exit_code == 1
    assert json.loads(result.stdout) == []


def test_limits_are_options(corpus):
    result = run(str(corpus / "good" / "seed.pdf"), "--max-pages", "1")
    assert result.exit_code == 1
    assert "too many pages" in result.stderr


def test_bad_format_is_a_usage_error(corpus):
    result = run(str(corpus / "good"), "--format", "xml")
    assert result.exit_code == 2


def test_help_shows_examples():
    result = CliRunner().invoke(app, ["parse", "--help"])
    assert result.exit_code == 0
    assert "imrgraph parse examples/letters --format jsonl" in result.stdout


def test_console_entry_point_prints_no_traceback(corpus):
    bad = corpus / "bad" / "nested" / "random.pdf"
    proc = subprocess.run(
        [sys.executable, "-m", "imrgraph", "parse", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr == f"{bad}: not a PDF file (no %PDF header)\n"
    assert json.loads(proc.stdout) == []


# --- the pipeline functions the CLI and ingest workers share -----------------------------------


def test_iter_input_files_order_recursion_and_missing(tmp_path):
    for name in ("b/z.txt", "b/a.PDF", "a.txt", "c/d/e.pdf", ".git/x.txt", "notes.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    missing = tmp_path / "missing.pdf"
    found = list(iter_input_files([tmp_path, missing, tmp_path / "a.txt", tmp_path / "notes.md"]))
    assert found == [
        tmp_path / "a.txt",
        tmp_path / "b" / "a.PDF",
        tmp_path / "b" / "z.txt",
        tmp_path / "c" / "d" / "e.pdf",
        missing,  # an error for this path only, reported when it is read
        tmp_path / "notes.md",  # named explicitly: tried, whatever its suffix
    ]


def test_parse_many_goes_on_after_a_bad_file(corpus):
    results = list(parse_many([corpus / "bad" / "nested" / "random.pdf", corpus / "good"]))
    assert [type(r).__name__ for _, r in results] == ["CorruptFile", "Letter", "Letter"]
    letter = results[1][1]
    assert letter.source.parser_version == __version__
    assert letter.source.sha256 == hashlib.sha256(results[1][0].read_bytes()).hexdigest()


def test_parse_one_works_in_a_worker_process(corpus):
    paths = [corpus / "good" / "seed.pdf", corpus / "bad" / "nested" / "locked.pdf"]
    with ProcessPoolExecutor(max_workers=1) as pool:
        letter, error = pool.map(parse_one, paths)
    assert isinstance(letter, Letter) and len(letter.items) == 2
    assert isinstance(error, EncryptedFile) and error.path == str(paths[1])


def test_progress_bar_only_on_a_terminal(corpus, tmp_path):
    """With stderr on a pseudo-terminal and 10+ files a bar is drawn; errors still get a line."""
    import os
    import pty

    for i in range(10):
        shutil.copy(corpus / "good" / "seed.txt", tmp_path / f"l{i:02}.txt")
    (tmp_path / "zz-empty.txt").write_bytes(b"")
    controller, terminal = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "imrgraph", "parse", str(tmp_path), "-f", "jsonl"],
            stdout=subprocess.PIPE,
            stderr=terminal,
            timeout=120,
            env={**os.environ, "TERM": "xterm", "COLUMNS": "100"},
        )
        os.close(terminal)
        chunks = []
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the terminal's other side is closed
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(controller)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 1
    assert len(proc.stdout.splitlines()) == 10
    assert "parsing" in shown and "11/11" in shown
    assert f"{tmp_path / 'zz-empty.txt'}: empty file (0 bytes)" in shown

    plain = subprocess.run(
        [sys.executable, "-m", "imrgraph", "parse", str(tmp_path), "-f", "jsonl"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert plain.stderr == f"{tmp_path / 'zz-empty.txt'}: empty file (0 bytes)\n"


def test_workers_give_the_same_output_and_the_same_failures(corpus):
    """`-j 2` parses in supervised worker processes: same letters, same order, same errors."""
    alone, pooled = run(str(corpus)), run(str(corpus), "-j", "2")
    assert pooled.exit_code == alone.exit_code == 1
    assert pooled.stdout == alone.stdout
    assert sorted(pooled.stderr.splitlines()) == sorted(alone.stderr.splitlines())
    letters = ROOT / "examples" / "letters"
    alone, pooled = run(str(letters), "-f", "jsonl"), run(str(letters), "-f", "jsonl", "-j", "2")
    assert pooled.exit_code == alone.exit_code == 0
    renderings = [*letters.glob("*.txt"), *letters.glob("*.pdf")]  # each example, text and PDF
    assert pooled.stdout == alone.stdout and len(pooled.stdout.splitlines()) == len(renderings)


@pytest.mark.slow
def test_workers_stop_a_decompression_bomb_by_its_memory(corpus, tmp_path):
    """With workers, the memory limit of ingest holds for parse too (tests/
    test_reliability_limits.py has the bomb); in-process (-j 1) it cannot, as documented."""
    from test_reliability_limits import _bomb_pdf

    folder = tmp_path / "in"
    shutil.copytree(corpus / "good", folder)
    _bomb_pdf(folder / "bomb.pdf", 400)
    result = run(str(folder), "-j", "2", "--max-memory", "350", "-f", "jsonl")
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 2  # the seed letter's text and PDF
    [line] = result.stderr.splitlines()
    assert line.startswith(f"{folder / 'bomb.pdf'}: parsing it took more than the memory limit")
