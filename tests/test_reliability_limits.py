"""Per-file limits: size, pages, parse time; a runaway or dying worker costs one file, not the run.

The defaults are documented in RELIABILITY.md (50 MB, 500 pages, 60 s) and each has a CLI option
on both ``imrgraph parse`` and ``imrgraph ingest``. The time limit has two layers: SIGALRM inside
the worker (stops Python code and the regex engine) and the parent's supervisor, which kills a
worker that does not stop (a call stuck in C) and re-runs the rest of its batch. The last two
tests exercise the supervisor with workers that really hang with SIGALRM blocked, and that
really die, as a stuck PDFium call or the OOM killer would.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from imrgraph.cli import app
from imrgraph.extract import DEFAULT_LIMITS
from imrgraph.store import EmbeddedStore
from imrgraph.workers import run_supervised

ROOT = Path(__file__).resolve().parent.parent
LETTERS = ROOT / "examples" / "letters"
runner = CliRunner()


def test_documented_defaults():
    assert DEFAULT_LIMITS.max_bytes == 50 * 1024 * 1024
    assert DEFAULT_LIMITS.max_pages == 500
    assert DEFAULT_LIMITS.max_seconds == 60.0
    assert DEFAULT_LIMITS.max_memory == 2048 * 2**20
    text = (ROOT / "RELIABILITY.md").read_text()
    options = ("--max-mb", "--max-pages", "--max-seconds", "--max-memory")
    for option in (*options, "50 MB", "500 pages", "60 s", "2,048 MiB"):
        assert option in text


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Two good letters and one that parses far longer than a 0.3 s limit (~3.7 MB of items)."""
    out = tmp_path / "in"
    out.mkdir()
    for name in ("seed-letter.txt", "cm15-opioids-compound-running-lines.txt"):
        (out / name).write_bytes((LETTERS / name).read_bytes())
    slow = (LETTERS / "cm14-wrist-nine-items.txt").read_text() * 300
    (out / "slow.txt").write_text(slow)
    return out


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ingest_stops_a_slow_file_and_goes_on(tmp_path, folder, workers):
    store = tmp_path / "store"
    report = tmp_path / "report.json"
    started = time.monotonic()
    result = runner.invoke(
        app,
        [
            "ingest",
            str(folder),
            "--store",
            str(store),
            "-j",
            workers,
            "--max-seconds",
            "0.3",
            "--report",
            str(report),
        ],
    )
    elapsed = time.monotonic() - started
    assert result.exit_code == 1, result.output
    data = json.loads(report.read_text())
    assert (data["stored"], data["failed"]) == (2, 1)
    [failure] = data["failures"]
    assert failure["path"].endswith("slow.txt")
    assert "parse took longer than the limit (0.3 s)" in failure["reason"]
    assert elapsed < 60
    with EmbeddedStore(store, create=False) as graph_store:
        assert graph_store.stats()["letters"] == 2


def test_parse_has_the_same_limit(folder):
    result = runner.invoke(
        app, ["parse", str(folder / "slow.txt"), "--max-seconds", "0.3", "-f", "jsonl"]
    )
    assert result.exit_code == 1
    assert "slow.txt: parse took longer than the limit (0.3 s); stopped" in result.output


def test_size_and_page_limits_on_ingest(tmp_path):
    store = tmp_path / "store"
    pdf = LETTERS / "cm14-wrist-nine-items.pdf"  # 3+ pages, > 2 KB
    report = tmp_path / "r.json"
    args = ["ingest", str(pdf), "--store", str(store), "-j", "1", "--report", str(report)]
    result = runner.invoke(app, [*args, "--max-pages", "2"])
    assert result.exit_code == 1
    assert "too many pages" in json.loads(report.read_text())["failures"][0]["reason"]
    result = runner.invoke(app, [*args, "--max-mb", "0.002"])
    assert result.exit_code == 1
    assert "file too large" in json.loads(report.read_text())["failures"][0]["reason"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output


# ---- the supervisor, with workers that misbehave for real --------------------------------------


def misbehaving_task(batch: list[str], mode: str) -> list[str]:
    """Runs in a worker: 'hang' blocks SIGALRM and sleeps (a call stuck in C); 'die' is killed;
    'hog' fills 600 MiB and holds it (as PDFium inflating a bomb would, where no signal reaches)."""
    out = []
    for path in batch:
        if path.startswith("bad"):
            if mode == "hang":
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
                time.sleep(600)
            elif mode == "hog":
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
                held = b"x" * (600 * 2**20)  # written, so resident
                time.sleep(600)
                out.append(str(len(held)))
            else:
                os.kill(os.getpid(), signal.SIGKILL)
        out.append(path)
    return out


@pytest.mark.parametrize("mode", ["hang", "die", "hog"])
def test_supervisor_stops_one_file_and_finishes_the_rest(mode):
    paths = [f"good-{i}" for i in range(20)]
    paths.insert(7, "bad-1")
    batches = [paths[i : i + 4] for i in range(0, len(paths), 4)]
    written: list[str] = []
    failed: list[tuple[str, str]] = []
    started = time.monotonic()
    run_supervised(
        batches,
        misbehaving_task,
        (mode,),
        workers=2,
        inflight=4,
        per_file_seconds=0.5 if mode != "hog" else None,  # the memory limit alone stops it
        write=written.append,
        fail=lambda path, reason: failed.append((path, reason)),
        grace=1.0,
        max_memory=300 * 2**20,  # workers need ~60 MiB here
    )
    assert sorted(written) == sorted(p for p in paths if p != "bad-1")
    assert len(written) == len(set(written))  # nothing written twice after the re-runs
    [(path, reason)] = failed
    assert path == "bad-1"
    if mode == "hang":
        assert "its worker was stopped" in reason
    elif mode == "hog":
        assert "more than the memory limit of 300 MiB" in reason
    else:
        assert "worker died" in reason
    assert time.monotonic() - started < 60


def _bomb_pdf(path: Path, inflated_mb: int) -> None:
    """A one-page PDF whose content stream (one PDF comment of spaces) inflates ~1000-fold.

    Written by hand on purpose: a hostile file is what no PDF library would write.
    """
    import zlib

    stream = zlib.compress(b"%" + b" " * (inflated_mb * 2**20) + b"\n", 9)
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(bodies, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1,
        xref,
    )
    path.write_bytes(bytes(out))


@pytest.mark.slow
def test_ingest_stops_a_decompression_bomb_by_its_memory(tmp_path):
    """A 400 KB PDF that PDFium inflates to 400 MB (about 900 MB resident): with a 350 MiB limit
    its worker is stopped, the file fails with the reason, and every letter around it is stored."""
    folder = tmp_path / "in"
    folder.mkdir()
    for pdf in sorted(LETTERS.glob("*.pdf"))[:3]:
        (folder / pdf.name).write_bytes(pdf.read_bytes())
    _bomb_pdf(folder / "bomb.pdf", 400)
    assert (folder / "bomb.pdf").stat().st_size < 500_000
    store, report = tmp_path / "store", tmp_path / "r.json"
    args = ["ingest", str(folder), "--store", str(store), "-j", "2", "--report", str(report)]
    result = runner.invoke(app, [*args, "--max-memory", "350"])
    assert result.exit_code == 1, result.output
    [failure] = json.loads(report.read_text())["failures"]
    assert failure["path"].endswith("bomb.pdf")
    assert "more than the memory limit of 350 MiB (a decompression bomb?)" in failure["reason"]
    with EmbeddedStore(store, create=False) as opened:
        assert opened.stats()["letters"] == 3
    # Under the default limit (2 GiB) the same file parses (to "no text layer"): the limit,
    # not the file, stopped it.
    result = runner.invoke(app, [*args, "--force"])
    [failure] = json.loads(report.read_text())["failures"]
    assert "no text layer" in failure["reason"]
