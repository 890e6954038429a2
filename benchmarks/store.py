"""Store benchmark: embedded Oxigraph vs rdflib's in-memory store, on the same letters, in one run.

What it measures, side by side:

1. End-to-end ingest into the embedded store (PDF -> extract -> parse -> RDF -> SHACL -> one
   transaction per letter), with ``imrgraph.store.ingest.ingest`` and all cores: letters/s, and the
   peak memory of the whole process tree (parent + workers, sampled from /proc).
2. The store-writing part alone, on the SAME letters' triples (read back from step 1, one graph per
   letter): Oxigraph on disk, one transaction per letter (what ingest does) vs an rdflib
   ``Dataset`` in memory (one ``parse`` per letter graph). Parsing and validation are the same
   work whichever store follows, so this is where the stores differ.
3. The ``guidelines-upheld-denials`` saved query (default parameters): median latency on each
   store, and a check that both return the same rows.

Usage::

    python benchmarks/corpus.py --letters 10000 --seed 1 --out /tmp/corpus10k     # once
    python benchmarks/store.py --corpus /tmp/corpus10k
    python benchmarks/store.py --letters 500          # generates a corpus in a temp folder

Numbers are noisy on a shared machine: trust the ratios.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import rdflib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from imrgraph.store import ONTOLOGY_GRAPH, EmbeddedStore  # noqa: E402
from imrgraph.store.ingest import ingest  # noqa: E402
from imrgraph.store.queries import load_query  # noqa: E402
from imrgraph.store.results import to_python  # noqa: E402
from imrgraph.store.sparqltext import bind_with_values  # noqa: E402


class PeakMemory:
    """Peak resident memory of this process and all its descendants, sampled from /proc."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _tree_rss() -> int:
        children: dict[int, list[int]] = {}
        rss: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                ppid, pages = int(fields[1]), int(fields[21])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
            rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE")
        total, todo = 0, [os.getpid()]
        while todo:
            pid = todo.pop()
            total += rss.get(pid, 0)
            todo.extend(children.get(pid, []))
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._tree_rss())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _corpus(args: argparse.Namespace, scratch: Path) -> Path:
    if args.corpus:
        return Path(args.corpus)
    out = scratch / "corpus"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "corpus.py"),
            "--letters",
            str(args.letters),
            "--seed",
            "1",
            "--out",
            str(out),
        ],
        check=True,
    )
    return out


def _letter_graphs(store: EmbeddedStore) -> list[tuple[str, bytes]]:
    """Each letter's graph as N-Triples, in store order (the input of the write-only race)."""
    out = []
    for graph in store.letter_graphs():
        triples = (q.triple for q in store.quads(graph))
        out.append((graph, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)))
    return out


def _ontology_ntriples(store: EmbeddedStore) -> bytes:
    return ox.serialize(
        (q.triple for q in store.quads(ONTOLOGY_GRAPH)), format=ox.RdfFormat.N_TRIPLES
    )


def _rdflib_value(term: rdflib.term.Node | None):
    if term is None:
        return None
    if isinstance(term, rdflib.Literal):
        value = term.toPython()
        return Decimal(str(value)) if isinstance(value, float | Decimal) else value
    return str(term)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", help="folder of letters (benchmarks/corpus.py output)")
    parser.add_argument(
        "--letters",
        type=int,
        default=500,
        help="letters to generate when no --corpus (default 500)",
    )
    parser.add_argument("--workers", type=int, default=None, help="ingest workers (default: CPUs)")
    parser.add_argument("--query-runs", type=int, default=5, help="timed runs per store")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="imrgraph-bench-"))
    try:
        corpus = _corpus(args, scratch)
        files = sum(1 for p in corpus.rglob("*") if p.suffix.lower() in (".pdf", ".txt"))

        # 1. end to end, embedded Oxigraph
        store = EmbeddedStore(scratch / "oxigraph")
        with PeakMemory() as memory:
            summary = ingest([corpus], store, workers=args.workers)
        e2e_rate = summary.stored / summary.seconds
        graphs = _letter_graphs(store)
        ontology = _ontology_ntriples(store)
        triples = sum(data.count(b"\n") for _, data in graphs)

        # 2. the same letters' triples, store write only
        fresh = EmbeddedStore(scratch / "oxigraph-write")
        fresh.replace_graph(ONTOLOGY_GRAPH, ontology)
        started = time.perf_counter()
        for graph, data in graphs:
            fresh.replace_graph(graph, data)
        ox_write = time.perf_counter() - started
        fresh.close()

        dataset = rdflib.Dataset()
        dataset.graph(rdflib.URIRef(ONTOLOGY_GRAPH)).parse(data=ontology, format="nt")
        started = time.perf_counter()
        for graph, data in graphs:
            dataset.graph(rdflib.URIRef(graph)).parse(data=data, format="nt")
        rdf_write = time.perf_counter() - started

        # 3. guidelines-upheld-denials latency, and the same answer on both
        query = load_query("guidelines-upheld-denials")
        text = bind_with_values(query.text, query.bindings({}))
        ox_times, ox_rows = [], []
        for _ in range(args.query_runs):
            started = time.perf_counter()
            solutions = store.oxigraph.query(text)
            ox_rows = [tuple(to_python(s[i]) for i in range(4)) for s in solutions]
            ox_times.append(time.perf_counter() - started)
        rdf_times, rdf_rows = [], []
        for _ in range(max(1, min(args.query_runs, 3))):
            started = time.perf_counter()
            result = dataset.query(text)
            rdf_rows = [tuple(_rdflib_value(v) for v in row) for row in result]
            rdf_times.append(time.perf_counter() - started)
        same = ox_rows == rdf_rows
        store.close()

        ox_q, rdf_q = statistics.median(ox_times), statistics.median(rdf_times)
        print(f"corpus: {corpus} ({files} files)")
        print(
            f"end-to-end ingest into embedded Oxigraph (PDF -> validated, stored), "
            f"{args.workers or os.cpu_count()} workers:"
        )
        print(
            f"  {summary.stored} stored, {summary.skipped} skipped, {summary.failed} failed in "
            f"{summary.seconds:.1f} s = {e2e_rate:.1f} letters/s; "
            f"peak memory (all processes) {memory.peak / 2**20:.0f} MiB"
        )
        print(f"  -> 10,000 letters would take about {10000 / e2e_rate / 60:.1f} min")
        print(f"same {len(graphs)} letters ({triples:,} triples), store write only:")
        print(f"{'':34s}{'seconds':>9s}{'letters/s':>11s}{'triples/s':>11s}")
        for name, seconds in (
            ("Oxigraph on disk, 1 txn/letter", ox_write),
            ("rdflib in memory, 1 parse/letter", rdf_write),
        ):
            print(
                f"  {name:32s}{seconds:9.2f}{len(graphs) / seconds:11.0f}{triples / seconds:11.0f}"
            )
        print(f"  ratio (rdflib time / Oxigraph time): {rdf_write / ox_write:.1f}x")
        print(f"guidelines-upheld-denials ({len(ox_rows)} rows; same rows on both: {same}):")
        print(f"  Oxigraph median {ox_q * 1000:.1f} ms over {len(ox_times)} runs")
        print(f"  rdflib   median {rdf_q * 1000:.1f} ms over {len(rdf_times)} runs")
        print(f"  ratio (rdflib / Oxigraph): {rdf_q / ox_q:.1f}x")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
