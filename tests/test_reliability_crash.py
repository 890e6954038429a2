"""Crash safety: ``imrgraph ingest`` killed with SIGKILL part-way, then run again.

The promise: each letter is one transaction, and a rerun skips what is stored and stores the
rest, so after the rerun the store holds exactly what an uninterrupted run stores: the same
letters, the same triples, no partial letter, no duplicate. The test runs the real command in a
subprocess on 200 generated letters, kills it (SIGKILL, no chance to clean up) once some but not
all letters are stored, checks that every letter present right after the kill is complete, and
compares the rerun's store with an uninterrupted run's, graph by graph and triple by triple.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import TALLY_GRAPH, assert_whole_after_a_failure

from imrgraph.store import ONTOLOGY_GRAPH, EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
LETTERS = 200
IMRGRAPH = [sys.executable, "-m", "imrgraph"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("crash-corpus")
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "corpus.py"),
            "--letters",
            str(LETTERS),
            "--seed",
            "7",
            "--out",
            str(out),
            "--text",
        ],
        check=True,
        capture_output=True,
    )
    return out


def _ingest(corpus: Path, store: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*IMRGRAPH, "ingest", str(corpus), "--store", str(store), "-j", "2"],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _letter_graphs(store_dir: Path) -> dict[str, frozenset[str]]:
    """Every named graph but the ontology's (letters and tallies), as sets of N-Triples lines."""
    graphs: dict[str, set[str]] = {}
    with EmbeddedStore(store_dir, create=False) as store:
        for quad in store.quads():
            name = quad.graph_name.value
            if name != ONTOLOGY_GRAPH:
                graphs.setdefault(name, set()).add(str(quad.triple))
    return {name: frozenset(triples) for name, triples in graphs.items()}


def _ontology_size(store_dir: Path) -> int:
    with EmbeddedStore(store_dir, create=False) as store:
        return sum(1 for _ in store.quads(ONTOLOGY_GRAPH))


def _kill_part_way(corpus: Path, store: Path, after: float) -> None:
    """Start an ingest, SIGKILL the command ``after`` seconds in, clean up what it left."""
    process = subprocess.Popen(
        [*IMRGRAPH, "ingest", str(corpus), "--store", str(store), "-j", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(after)
    process.send_signal(signal.SIGKILL)  # the ingest command itself, as `kill -9` would
    process.wait(timeout=30)
    # Its orphaned workers (same process group) exit once their parent is gone; make sure.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        os.killpg(process.pid, signal.SIGKILL)


@pytest.mark.slow
def test_sigkill_then_rerun_equals_an_uninterrupted_run(corpus, tmp_path):
    reference_dir = tmp_path / "reference"
    started = time.monotonic()
    done = _ingest(corpus, reference_dir)
    full_run = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    reference = _letter_graphs(reference_dir)
    assert len(reference) == LETTERS + 1  # and the tallies graph

    # Kill part-way: 40% of a full run in, then bisect on the time (letters are written in
    # batches, and start-up time varies with the machine's load, so one guess can miss).
    crashed_dir = tmp_path / "crashed"
    low, high, fraction = 0.0, 1.5, 0.4
    tried: list[tuple[float, int]] = []
    for _attempt in range(8):
        if crashed_dir.exists():
            import shutil

            shutil.rmtree(crashed_dir)
        _kill_part_way(corpus, crashed_dir, full_run * fraction)
        stored = _letter_graphs(crashed_dir) if (crashed_dir / "CURRENT").exists() else {}
        letters = len([name for name in stored if name != TALLY_GRAPH])
        tried.append((round(fraction, 3), letters))
        if 0 < letters < LETTERS:
            break
        if letters:
            high = fraction
        else:
            low = fraction
        fraction = (low + high) / 2
    else:
        pytest.fail(
            f"could not kill the ingest part-way (full run {full_run:.1f} s; "
            f"(fraction, letters stored) tried: {tried})"
        )
    # No partial letter: every letter stored before the kill is exactly the reference's, and
    # the tallies they link to are described.
    assert assert_whole_after_a_failure(stored, reference) == letters

    rerun = _ingest(corpus, crashed_dir)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{letters} skipped" in rerun.stderr
    assert f"{LETTERS - letters} stored" in rerun.stderr
    # Same letters, same triples, nothing twice (a set per graph, and the same graphs).
    assert _letter_graphs(crashed_dir) == reference
    assert _ontology_size(crashed_dir) == _ontology_size(reference_dir)
    with (
        EmbeddedStore(crashed_dir, create=False) as a,
        EmbeddedStore(reference_dir, create=False) as b,
    ):
        assert a.stats() == b.stats()
        assert a.count_quads() == b.count_quads()
