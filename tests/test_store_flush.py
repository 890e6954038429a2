"""The embedded writer flushes RocksDB's memtables by volume, not only at its timed snapshots.

Why it matters (BENCHMARKS.md, "Writer memory as N grows"): every letter written costs about
140 KiB of RocksDB memtable until a flush, and Oxigraph's memtables only fill at 128 MiB per
column family. Flushed only at the snapshots (every ``SNAPSHOT_SECONDS``), the writer's peak
memory followed how many letters it wrote in those seconds. Observable without timing or memory
readings: a flush starts a new write-ahead log file (RocksDB switches a memtable and its log
together), and nothing else does while the memtables are far from full. (New SST files are no
sign: a compaction in the background writes them too.) The control case (no volume limit) shows
the same writes keep the same log files.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from imrgraph.store import EmbeddedStore, embedded

G = "https://w3id.org/imrgraph/data/graph/flush-test"


def _triples(n: int) -> list[ox.Triple]:
    return [
        ox.Triple(ox.NamedNode(f"http://example.org/s{i}"), ox.NamedNode("http://p"), ox.Literal(i))
        for i in range(n)
    ]


def _logs(path: Path) -> set[str]:
    """RocksDB's write-ahead log files in a store folder."""
    return {p.name for p in path.glob("*.log")}


@pytest.mark.parametrize("limit", [64 * 1024, None], ids=["flush-bytes", "no-limit-control"])
def test_the_writer_flushes_after_flush_bytes_of_updates(tmp_path, monkeypatch, limit):
    monkeypatch.setattr(embedded, "SNAPSHOT_SECONDS", 1e9)  # only the first write's snapshot
    monkeypatch.setattr(embedded, "FLUSH_BYTES", limit or 1 << 40)
    store = EmbeddedStore(tmp_path / "store")
    try:
        store.replace_graph(f"{G}/0", _triples(10))  # the first write's snapshot flushes
        before = _logs(tmp_path / "store")
        store.replace_graph(f"{G}/1", _triples(100))  # about 9 KB of update text
        assert _logs(tmp_path / "store") == before  # under the limit: no flush
        for i in range(2, 22):  # about 180 KB more
            store.replace_graph(f"{G}/{i}", _triples(100))
        written = _logs(tmp_path / "store") - before
        if limit:
            assert written, "no new write-ahead log: the memtables were not flushed"
        else:
            assert not written
        assert store.count_quads() == 10 + 21 * 100  # a flush loses nothing
    finally:
        store.close()
