"""Concurrency on the embedded store: one writer, a clear error for a second, readers that work.

What pyoxigraph 0.5 allows decides the design (RELIABILITY.md, "Concurrency"): a second writer
gets "store is locked by another process" (exit 1, one line, no traceback); a reader, which may
not open the live folder next to a writer (undefined behaviour per Oxigraph's docs, and pyoxigraph
0.5 has no secondary instance), opens the writer's newest snapshot read-only instead. The last
test runs a real ``imrgraph ingest`` of 120 letters and reads the store with ``stats`` and
``export`` in other processes while it writes: every read succeeds once a snapshot exists, the
letter counts never go down, and every letter a reader sees is complete.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import assert_whole_after_a_failure

from imrgraph.errors import StoreLocked
from imrgraph.store import ONTOLOGY_GRAPH, EmbeddedStore, open_store
from imrgraph.store.embedded import SNAPSHOT_DIR

ROOT = Path(__file__).resolve().parent.parent
IMRGRAPH = [sys.executable, "-m", "imrgraph"]
G = "https://w3id.org/imrgraph/data/graph/test"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*IMRGRAPH, *args], capture_output=True, text=True, timeout=120)


def _triples(n: int) -> list[ox.Triple]:
    return [
        ox.Triple(ox.NamedNode(f"http://example.org/s{i}"), ox.NamedNode("http://p"), ox.Literal(i))
        for i in range(n)
    ]


@pytest.fixture
def writer(tmp_path: Path):
    """A store held open for writing by this process, with one letter's worth of data."""
    store = EmbeddedStore(tmp_path / "store")
    store.load_ontology()
    store.replace_graph(G, _triples(5))
    store.checkpoint()  # readers see writes up to SNAPSHOT_SECONDS late; publish this one now
    yield store
    store.close()


def test_a_second_writer_gets_a_one_line_locked_error(writer, tmp_path):
    letter = ROOT / "examples" / "letters" / "seed-letter.txt"
    run = _run("ingest", str(letter), "--store", str(writer.path))
    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [
        f"imrgraph: error: {writer.path}: store is locked by another process (an ingest "
        "running?); wait for it, or use a SPARQL server (--endpoint) for concurrent access"
    ]


def test_readers_see_the_writers_snapshot(writer):
    run = _run("stats", "--store", str(writer.path), "--json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["letter_triples"] == 5
    shown = _run("stats", "--store", str(writer.path))
    assert "being written by another process: its snapshot of" in shown.stdout
    exported = _run("export", "--store", str(writer.path), "--format", "nquads")
    assert exported.returncode == 0, exported.stderr
    graphs = {line.rsplit(" ", 2)[-2] for line in exported.stdout.splitlines() if line}
    assert graphs == {f"<{G}>", f"<{ONTOLOGY_GRAPH}>"}


def test_a_snapshot_is_taken_at_the_first_write_and_then_every_few_seconds(writer, monkeypatch):
    from imrgraph.store import embedded

    first = sorted((writer.path / SNAPSHOT_DIR).iterdir())
    assert len(first) == 2  # the first write's, and the fixture's checkpoint()
    writer.replace_graph(G, _triples(6))  # within SNAPSHOT_SECONDS: no new snapshot
    assert sorted((writer.path / SNAPSHOT_DIR).iterdir()) == first
    monkeypatch.setattr(embedded, "SNAPSHOT_SECONDS", 0.0)
    for n in range(7, 7 + embedded.KEEP_SNAPSHOTS + 2):
        writer.replace_graph(G, _triples(n))
    kept = sorted((writer.path / SNAPSHOT_DIR).iterdir())
    assert len(kept) == embedded.KEEP_SNAPSHOTS
    with EmbeddedStore(writer.path, create=False) as reader:  # the newest: the last write
        assert reader.snapshot == max(kept, key=lambda p: int(p.name)).name
        assert sum(1 for _ in reader.quads(G)) == 7 + embedded.KEEP_SNAPSHOTS + 1


def test_a_reader_cannot_write_through_a_snapshot(writer):
    reader = open_store(writer.path, read_only=True)
    try:
        with pytest.raises(StoreLocked, match="can be read meanwhile, not written"):
            reader.replace_graph(G, _triples(1))
    finally:
        reader.close()
    assert sum(1 for _ in writer.quads(G)) == 5


def test_snapshots_go_when_the_writer_closes(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    store.replace_graph(G, _triples(2))
    assert (tmp_path / "s" / SNAPSHOT_DIR).is_dir()
    store.close()
    assert not (tmp_path / "s" / SNAPSHOT_DIR).exists()
    with EmbeddedStore(tmp_path / "s", create=False) as reader:  # the live store again
        assert reader.snapshot is None


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("concurrency-corpus")
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "corpus.py"), "--letters", "120", "--seed",
         "11", "--out", str(out), "--text"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return out


@pytest.mark.slow
def test_stats_and_export_while_an_ingest_writes(corpus, tmp_path):
    store = tmp_path / "store"
    ingest = subprocess.Popen(
        [*IMRGRAPH, "ingest", str(corpus), "--store", str(store), "-j", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    counts: list[int] = []
    exports: list[str] = []
    locked = 0
    try:
        while ingest.poll() is None:
            stats = _run("stats", "--store", str(store), "--json")
            if stats.returncode != 0:
                # before the writer's first write there is nothing to read yet
                assert (
                    "store is locked by another process" in stats.stderr
                    or "no imrgraph store here" in stats.stderr
                ), stats.stderr
                assert "Traceback" not in stats.stderr
                locked += 1
                time.sleep(0.3)
                continue
            if ingest.poll() is not None:
                break  # this read may have been of the finished store
            counts.append(json.loads(stats.stdout)["letters"])
            exported = _run("export", "--store", str(store), "--format", "nquads")
            assert exported.returncode == 0, exported.stderr
            exports.append(exported.stdout)
    finally:
        ingest.wait(timeout=300)
    assert ingest.returncode == 0, ingest.stderr
    assert counts, f"no read succeeded during the ingest ({locked} locked)"
    assert counts == sorted(counts)
    assert counts[-1] < 120  # the reads really happened part-way

    final: dict[str, set[str]] = {}
    with EmbeddedStore(store, create=False) as done:
        assert done.stats()["letters"] == 120
        for quad in done.quads():
            final.setdefault(quad.graph_name.value, set()).add(str(quad.triple))
    for text in exports:
        seen: dict[str, set[str]] = {}
        for quad in ox.parse(text.encode(), format=ox.RdfFormat.N_QUADS):
            seen.setdefault(quad.graph_name.value, set()).add(str(quad.triple))
        # every letter a reader saw is whole; the tallies graph (shared, it grows letter by
        # letter) is a part of the final one describing every tally the letters link to
        assert_whole_after_a_failure(
            {name: frozenset(t) for name, t in seen.items() if name != ONTOLOGY_GRAPH},
            {name: frozenset(t) for name, t in final.items()},
        )
