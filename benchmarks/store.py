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
import itertools
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
    """Peak resident memory of this process and all its descendants, sampled from /proc, and
    the CPU seconds they used (last sample of each process: short-lived ones may be missed)."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak = 0
        self.cpu_ticks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def cpu_seconds(self) -> float:
        return sum(self.cpu_ticks.values()) / os.sysconf("SC_CLK_TCK")

    def _tree_rss(self) -> int:
        children: dict[int, list[int]] = {}
        rss: dict[int, int] = {}
        ticks: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                ppid, pages = int(fields[1]), int(fields[21])
                cpu = int(fields[11]) + int(fields[12])  # utime + stime
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
            rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE")
            ticks[int(entry)] = cpu
        total, todo = 0, [os.getpid()]
        while todo:
            pid = todo.pop()
            total += rss.get(pid, 0)
            self.cpu_ticks[pid] = max(self.cpu_ticks.get(pid, 0), ticks.get(pid, 0))
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


def _letter_graphs(store: EmbeddedStore, limit: int) -> list[tuple[str, bytes]]:
    """The first ``limit`` letters' graphs as N-Triples (the input of the comparison)."""
    out = []
    for graph in store.letter_graphs()[:limit]:
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


def _cpu_per_stage(corpus: Path, count: int = 256) -> dict[str, float]:
    """CPU milliseconds per letter of each ingest stage, in this process, on ``count`` files.

    CPU time (not wall time) so the figure holds on a machine shared with other jobs: the
    end-to-end wall time above depends on how much of the 2 cores the other jobs leave.
    """
    from imrgraph.pipeline import iter_input_files, parse_one
    from imrgraph.rdf.mapper import letter_to_ntriples
    from imrgraph.rdf.validate import validate_letters

    files = list(itertools.islice(iter_input_files([corpus]), count))
    cpu = time.process_time
    started = cpu()
    letters = [parse_one(p) for p in files]
    parse = cpu() - started
    letters = [x for x in letters if not isinstance(x, Exception)]
    validate_letters(letters[:2])  # shapes and ontology loaded once per process, not timed
    started = cpu()
    for i in range(0, len(letters), 32):
        validate_letters(letters[i : i + 32])
    validate = cpu() - started
    started = cpu()
    data = [letter_to_ntriples(x) for x in letters]
    mapping = cpu() - started
    with tempfile.TemporaryDirectory() as folder:
        store = EmbeddedStore(Path(folder) / "s")
        started = cpu()
        for graph, triples in data:
            store.replace_graph(graph, triples)
        write = cpu() - started
        store.close()
    n = len(files)
    return {
        "extract+parse": parse / n * 1000,
        "SHACL": validate / len(letters) * 1000,
        "RDF mapping": mapping / len(letters) * 1000,
        "store write": write / len(letters) * 1000,
    }


def _time_query(run, runs: int, budget: float = 20.0) -> tuple[float, list, int]:
    """Median seconds of ``run()`` over up to ``runs`` runs (fewer if one run exceeds budget)."""
    times, rows = [], []
    for _ in range(runs):
        started = time.perf_counter()
        rows = run()
        times.append(time.perf_counter() - started)
        if sum(times) > budget:
            break
    return statistics.median(times), rows, len(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", help="folder of letters (benchmarks/corpus.py output)")
    parser.add_argument(
        "--letters", type=int, default=500, help="letters to generate when no --corpus"
    )
    parser.add_argument("--workers", type=int, default=None, help="ingest workers (default: CPUs)")
    parser.add_argument(
        "--compare-letters",
        type=int,
        default=2000,
        help="letters in the Oxigraph-vs-rdflib comparison (default 2000; rdflib holds them in "
        "memory and its query takes minutes beyond that)",
    )
    parser.add_argument("--query-runs", type=int, default=5, help="timed runs per store")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="imrgraph-bench-"))
    try:
        corpus = _corpus(args, scratch)
        files = sum(1 for p in corpus.rglob("*") if p.suffix.lower() in (".pdf", ".txt"))

        # 1. end to end, embedded Oxigraph, every letter of the corpus
        store = EmbeddedStore(scratch / "oxigraph")
        with PeakMemory() as memory:
            before = memory.cpu_seconds
            summary = ingest([corpus], store, workers=args.workers)
        # this process's CPU before the ingest (imports) is not the ingest's
        ingest_cpu = memory.cpu_seconds - before
        e2e_rate = summary.stored / summary.seconds
        query = load_query("guidelines-upheld-denials")
        text = bind_with_values(query.text, query.bindings({}))

        def ox_run(on: EmbeddedStore):
            return lambda: [
                tuple(to_python(s[i]) for i in range(4)) for s in on.oxigraph.query(text)
            ]

        full_q, full_rows, _ = _time_query(ox_run(store), args.query_runs)
        graphs = _letter_graphs(store, args.compare_letters)
        ontology = _ontology_ntriples(store)
        store.close()
        triples = sum(data.count(b"\n") for _, data in graphs)

        # 2. the same letters' triples, store write only
        fresh = EmbeddedStore(scratch / "oxigraph-write")
        fresh.replace_graph(ONTOLOGY_GRAPH, ontology)
        started = time.perf_counter()
        for graph, data in graphs:
            fresh.replace_graph(graph, data)
        ox_write = time.perf_counter() - started

        dataset = rdflib.Dataset()
        dataset.graph(rdflib.URIRef(ONTOLOGY_GRAPH)).parse(data=ontology, format="nt")
        started = time.perf_counter()
        for graph, data in graphs:
            dataset.graph(rdflib.URIRef(graph)).parse(data=data, format="nt")
        rdf_write = time.perf_counter() - started

        # 3. guidelines-upheld-denials on the same letters, and the same answer on both
        ox_q, ox_rows, ox_n = _time_query(ox_run(fresh), args.query_runs)

        def rdf_run():
            return [tuple(_rdflib_value(v) for v in row) for row in dataset.query(text)]

        rdf_q, rdf_rows, rdf_n = _time_query(rdf_run, args.query_runs, budget=60.0)
        same = ox_rows == rdf_rows
        fresh.close()

        stages = _cpu_per_stage(corpus)
        print(f"corpus: {corpus} ({files} files)")
        print(
            "1. end-to-end ingest into embedded Oxigraph (PDF -> parsed, SHACL-validated, "
            f"stored), {args.workers or os.cpu_count()} workers:"
        )
        print(
            f"  {summary.stored} stored, {summary.skipped} skipped, {summary.failed} failed in "
            f"{summary.seconds:.1f} s = {e2e_rate:.1f} letters/s "
            f"(10,000 letters: {10000 / e2e_rate / 60:.1f} min); "
            f"peak memory of all processes {memory.peak / 2**20:.0f} MiB"
        )
        cpu_per_letter = ingest_cpu / max(1, summary.stored + summary.failed)
        print(
            f"  CPU used by the ingest (parent + workers, from /proc): {ingest_cpu:.0f} s = "
            f"{cpu_per_letter * 1000:.1f} ms per letter -> with 2 cores to itself: about "
            f"{2 / cpu_per_letter:.0f} letters/s (10,000 letters: "
            f"{10000 * cpu_per_letter / 2 / 60:.1f} min)"
        )
        worker_cpu = sum(v for k, v in stages.items() if k != "store write")
        print(
            "  CPU ms per letter (256 letters, one process): "
            + ", ".join(f"{k} {v:.1f}" for k, v in stages.items())
            + f" -> on 2 idle cores about {2000 / worker_cpu:.0f} letters/s if the writer keeps "
            f"up ({1000 / stages['store write']:.0f} letters/s alone)"
        )
        print(
            f"  guidelines-upheld-denials on all {summary.stored} letters: "
            f"{full_q * 1000:.0f} ms ({len(full_rows)} rows)"
        )
        print(f"2. store write only, the same {len(graphs)} letters ({triples:,} triples):")
        print(f"  {'':34s}{'seconds':>9s}{'letters/s':>11s}{'triples/s':>11s}")
        for name, seconds in (
            ("Oxigraph on disk, 1 txn/letter", ox_write),
            ("rdflib in memory, 1 parse/letter", rdf_write),
        ):
            print(
                f"  {name:34s}{seconds:9.2f}{len(graphs) / seconds:11.0f}{triples / seconds:11.0f}"
            )
        print(f"  ratio (rdflib time / Oxigraph time): {rdf_write / ox_write:.1f}x")
        print(
            f"3. guidelines-upheld-denials on those {len(graphs)} letters "
            f"({len(ox_rows)} rows; same rows on both: {same}):"
        )
        print(f"  Oxigraph median {ox_q * 1000:9.1f} ms over {ox_n} runs")
        print(f"  rdflib   median {rdf_q * 1000:9.1f} ms over {rdf_n} runs")
        print(f"  ratio (rdflib / Oxigraph): {rdf_q / ox_q:.1f}x")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
