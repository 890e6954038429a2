"""Parsing workers die with the command that started them (issue 15, item 8).

``imrgraph ingest -j 2`` killed with SIGKILL cannot clean up. Its workers (children of the
forkserver, not of the command) used to live on, and with them the forkserver and the resource
tracker, all holding the command's stdout: ``imrgraph ingest ... | cat`` never returned. The test
runs the real command in a real shell pipeline, SIGKILLs it while its workers parse, and asserts
that every process of its tree is gone within a few seconds and that the pipeline returns.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux processes")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("orphan-corpus")
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "corpus.py"),
            *("--letters", "1000", "--seed", "11", "--out", str(out), "--text"),
        ],
        check=True,
        capture_output=True,
    )
    return out


def _alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    alive = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process)
        except psutil.NoSuchProcess:
            continue
    return alive


def test_sigkilled_ingest_leaves_no_process_and_its_pipe_closes(
    corpus: Path, tmp_path: Path
) -> None:
    ingest = shlex.join(
        [
            *(sys.executable, "-m", "imrgraph", "ingest", str(corpus)),
            *("--store", str(tmp_path / "store"), "-j", "2"),
        ]
    )
    # The shell pipeline a user types: cat returns only when every holder of the pipe is gone.
    shell = subprocess.Popen(
        ["bash", "-c", f"{ingest} 2>&1 | cat > {shlex.quote(str(tmp_path / 'out'))}"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        start_new_session=True,
    )
    tree: list[psutil.Process] = []
    try:
        command = None
        deadline = time.monotonic() + 120
        # Wait until the command runs its workers: resource tracker, forkserver, 2 workers.
        while time.monotonic() < deadline:
            for child in psutil.Process(shell.pid).children():
                if "imrgraph" in " ".join(child.cmdline()):
                    command = child
            if command is not None and len(command.children(recursive=True)) >= 4:
                break
            time.sleep(0.2)
        assert command is not None, "the ingest did not start"
        time.sleep(1.0)  # the workers are parsing now
        tree = command.children(recursive=True)
        assert len(tree) >= 4, [p.cmdline()[-1][:60] for p in tree]
        command.send_signal(signal.SIGKILL)

        left = _alive(tree)
        deadline = time.monotonic() + 5
        while left and time.monotonic() < deadline:
            time.sleep(0.1)
            left = _alive(tree)
        assert not left, "survived the SIGKILL: " + "; ".join(
            " ".join(p.cmdline())[-80:] for p in left
        )
        assert shell.wait(timeout=5) is not None  # cat saw the end of its input
    finally:
        for process in _alive(tree):
            process.kill()
        if shell.poll() is None:
            os.killpg(shell.pid, signal.SIGKILL)
            shell.wait()
