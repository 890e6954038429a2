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
from imrgraph.store.workers import run_supervised

ROOT = Path(__file__).resolve().parent.parent
LETTERS = ROOT / "examples" / "letters"
runner = CliRunner()


def test_documented_defaults():
    assert DEFAULT_LIMITS.max_bytes == 50 * 1024 * 1024
    assert DEFAULT_LIMITS.max_pages == 500
    assert DEFAULT_LIMITS.max_seconds == 60.0
    text = (ROOT / "RELIABILITY.md").read_text()
    for option in ("--max-mb", "--max-pages", "--max-seconds", "50 MB", "500 pages", "60 s"):
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
    """Runs in a worker: 'hang' blocks SIGALRM and sleeps (a call stuck in C); 'die' is killed."""
    out = []
    for path in batch:
        if path.startswith("bad"):
            if mode == "hang":
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
                time.sleep(600)
            else:
                os.kill(os.getpid(), signal.SIGKILL)
        out.append(path)
    return out


@pytest.mark.parametrize("mode", ["hang", "die"])
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
        per_file_seconds=0.5,
        write=written.append,
        fail=lambda path, reason: failed.append((path, reason)),
        grace=1.0,
    )
    assert sorted(written) == sorted(p for p in paths if p != "bad-1")
    assert len(written) == len(set(written))  # nothing written twice after the re-runs
    [(path, reason)] = failed
    assert path == "bad-1"
    if mode == "hang":
        assert "its worker was stopped" in reason
    else:
        assert "worker died" in reason
    assert time.monotonic() - started < 60
