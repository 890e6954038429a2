"""The work of one benchmark stage, run by ``benchmarks/run.py`` as a child process.

Why a separate process per stage: the runner reads each stage's peak memory from the kernel
(``os.wait4``) and the stages must not share caches or heaps. Each subcommand does one stage's
work, times the part that matters inside the process (start-up excluded), and prints ONE JSON
line on stdout.

Subcommands:

- ``parse-compare LIST``: imrgraph's parse and the parse baseline (pdfplumber ``extract_text`` on
  every page, then the same cleaning and parser: ``benchmarks/parse.py``'s ``baseline``).
- ``validate STORE`` / ``export STORE OUT``: imrgraph's store validation / N-Quads export.
- ``query STORE NAME [k=v ...]``: one saved query on the embedded store, cold then warm runs.
- ``rdflib LIST``: the in-memory baselines on the same letters: imrgraph's own ``ingest`` (same
  workers, parsing and SHACL) writing into an rdflib ``Dataset`` instead of Oxigraph; then pyshacl
  once over the whole graph; then every saved query; then an N-Quads export.

``LIST`` is a file with one input path per line (letters, or folders of them).
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from imrgraph.errors import ImrGraphError  # noqa: E402
from imrgraph.rdf.vocab import IMR  # noqa: E402
from imrgraph.store.base import GraphStore  # noqa: E402
from imrgraph.store.queries import load_query  # noqa: E402
from imrgraph.store.results import Term  # noqa: E402
from imrgraph.store.sparqltext import bind_with_values  # noqa: E402

#: Parameters for saved queries that require one (the same on both stores).
QUERY_PARAMS: dict[str, dict[str, str]] = {
    "decisions-for-service": {"service": "MRI"},
    "uphold-rate-by-year-for-service": {"service": "MRI"},
}


def maxrss_bytes() -> int:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def read_list(path: str) -> list[str]:
    return [line for line in Path(path).read_text(encoding="utf-8").splitlines() if line]


def emit(result: Mapping[str, object]) -> None:
    print(json.dumps(result), flush=True)


# ---- parse baseline ---------------------------------------------------------------------------


def parse_compare(paths: list[str]) -> dict[str, object]:
    """imrgraph's parse and the pdfplumber-only baseline over the same letters, one process.

    Both sides read the PDF, clean the text, parse it and serialise the letter's JSON (what
    ``imrgraph parse`` prints); only the text engine differs (``benchmarks/parse.py``).
    """
    from parse import baseline

    from imrgraph.extract.document import DEFAULT_LIMITS, extract
    from imrgraph.pipeline import iter_input_files, parse_document

    files = list(iter_input_files(paths))
    sides = {
        "imrgraph": lambda path: parse_document(extract(path, DEFAULT_LIMITS)),
        "pdfplumber": baseline,
    }
    out: dict[str, object] = {"letters": len(files)}
    for name, parse_one in sides.items():
        json.dumps(parse_one(files[0]).to_dict())  # warm-up: imports, caches
        failed = 0
        started = time.perf_counter()
        for path in files:
            try:
                json.dumps(parse_one(path).to_dict())
            except ImrGraphError:
                failed += 1
        out[name] = {"seconds": time.perf_counter() - started, "failed": failed}
    return out


def validate_embedded(store: str) -> dict[str, object]:
    """imrgraph's store validation (batches of letter graphs), timed in-process."""
    from imrgraph.rdf.validate import Validator
    from imrgraph.store import EmbeddedStore

    with EmbeddedStore(store, create=False) as graph_store:
        started = time.perf_counter()
        report = Validator().validate_store(graph_store)
        seconds = time.perf_counter() - started
    failing = sum(1 for r in report.results if not r.conforms)
    return {
        "seconds": seconds,
        "letters": len(report.results),
        "failing": failing,
        "maxrss": maxrss_bytes(),
    }


def export_embedded(store: str, out: Path) -> dict[str, object]:
    """imrgraph's N-Quads export of the whole store, timed in-process."""
    from imrgraph.store import EmbeddedStore

    with EmbeddedStore(store, create=False) as graph_store, out.open("wb") as handle:
        started = time.perf_counter()
        quads = graph_store.export(handle, "nquads")
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "quads": quads,
        "bytes": out.stat().st_size,
        "maxrss": maxrss_bytes(),
    }


# ---- saved query on the embedded store --------------------------------------------------------


def time_query(run: Callable[[], int], runs: int, budget: float | None = None) -> dict[str, object]:
    """First (cold) run and the median of the following warm runs of ``run()``; a first run
    longer than ``budget`` seconds is not repeated (warm = cold, ``"repeated": false``)."""
    times, cpu, rows = [], [], 0
    for _ in range(max(runs, 2)):
        started, started_cpu = time.perf_counter(), time.process_time()
        rows = run()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        if budget is not None and times[0] > budget:
            return {"cold": times[0], "warm": times[0], "rows": rows, "repeated": False,
                    "cold_cpu": cpu[0], "warm_cpu": cpu[0]}  # fmt: skip
    return {
        "cold": times[0],
        "warm": statistics.median(times[1:]),
        "cold_cpu": cpu[0],
        "warm_cpu": statistics.median(cpu[1:]),
        "rows": rows,
    }


def query_embedded(store: str, name: str, runs: int) -> dict[str, object]:
    from imrgraph.store import EmbeddedStore
    from imrgraph.store.queries import run_select

    query = load_query(name)
    values = QUERY_PARAMS.get(name, {})
    with EmbeddedStore(store, create=False) as graph_store:
        result = time_query(lambda: len(run_select(graph_store, query, values).rows), runs)
    result["maxrss"] = maxrss_bytes()
    return result


# ---- rdflib in-memory store -------------------------------------------------------------------


def _to_ox(term: rdflib.term.Node | None) -> Term | None:
    if term is None:
        return None
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unexpected rdflib term {term!r}")


def _to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


class RdflibStore(GraphStore):
    """imrgraph's store interface over an rdflib ``Dataset`` in memory (the baseline store).

    Queries go through rdflib's SPARQL engine with the same query text (bindings as the same
    VALUES block). Writes parse each letter's N-Triples into its named graph, rdflib's fastest
    route (not SPARQL ``INSERT DATA``, which would make the baseline needlessly slow); the source
    look-up ingest makes per file uses rdflib's index directly, for the same reason.
    """

    location = "rdflib in-memory Dataset"

    def __init__(self) -> None:
        self.dataset = rdflib.Dataset()

    def _select_terms(
        self, sparql: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]
    ) -> tuple[list[str], Iterable[tuple[Term | None, ...]]]:
        result = self.dataset.query(bind_with_values(sparql, bindings))
        columns = [str(v) for v in result.vars]
        return columns, [tuple(_to_ox(v) for v in row) for row in result]

    def _ask(self, sparql: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> bool:
        return bool(self.dataset.query(bind_with_values(sparql, bindings)).askAnswer)

    def _construct(self, sparql: str) -> Iterator[ox.Triple]:
        for s, p, o in self.dataset.query(sparql):
            yield ox.Triple(_to_ox(s), _to_ox(p), _to_ox(o))

    def _update(self, sparql: str) -> None:
        self.dataset.update(sparql)

    def write_graphs(
        self,
        graphs: Mapping[str, Iterable[ox.Triple] | bytes],
        drop: Iterable[str] = (),
        add: Mapping[str, Iterable[ox.Triple] | bytes] | None = None,
    ) -> None:
        for other in drop:
            self.dataset.remove_graph(rdflib.URIRef(other))
        for name, triples in graphs.items():
            graph = self.dataset.graph(rdflib.URIRef(name))
            graph.remove((None, None, None))
            self._add(graph, triples)
        for name, triples in (add or {}).items():  # the tallies' descriptions: added, kept
            self._add(self.dataset.graph(rdflib.URIRef(name)), triples)

    @staticmethod
    def _add(graph: rdflib.Graph, triples: Iterable[ox.Triple] | bytes) -> None:
        if isinstance(triples, bytes):
            graph.parse(data=triples, format="nt")
            return
        for t in triples:
            graph.add((_to_rdflib(t.subject), _to_rdflib(t.predicate), _to_rdflib(t.object)))

    def has_source(self, sha256: str) -> bool:
        pattern = (None, rdflib.URIRef(f"{IMR}sha256"), rdflib.Literal(sha256), None)
        return next(iter(self.dataset.quads(pattern)), None) is not None

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        context = rdflib.URIRef(graph) if graph else None
        for s, p, o, g in self.dataset.quads((None, None, None, context)):
            name = g.identifier if isinstance(g, rdflib.Graph) else g
            if name is None or name == DATASET_DEFAULT_GRAPH_ID:
                continue
            yield ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), ox.NamedNode(str(name)))

    def close(self) -> None:
        pass


def rdflib_baselines(
    paths: list[str], workers: int, runs: int, shacl: bool, export: Path | None
) -> dict[str, object]:
    """Ingest into rdflib, then pyshacl on the whole graph, the saved queries and an export."""
    from pyshacl import validate as pyshacl_validate

    from imrgraph.rdf.validate import load_ontology, load_shapes, validation_ontology
    from imrgraph.store.base import ONTOLOGY_GRAPH
    from imrgraph.store.ingest import ingest
    from imrgraph.store.queries import run_select, saved_queries

    out: dict[str, object] = {}
    store = RdflibStore()
    summary = ingest(paths, store, workers=workers)
    out["ingest"] = {
        "seconds": summary.seconds,
        "stored": summary.stored,
        "failed": summary.failed,
        "skipped": summary.skipped,
        "failures": [f"{f.path}: {f.stage}: {f.reason}" for f in summary.failures[:5]],
        "maxrss": maxrss_bytes(),
        "triples": len(store.dataset),
    }

    if shacl:
        # pyshacl once over the whole graph: every letter's triples plus the ontology triples
        # the shapes read (the same ``validation_ontology`` imrgraph adds to its batches) in ONE
        # data graph, one call, validated in place: the same checks as imrgraph's batches.
        started = time.perf_counter()
        data = rdflib.Graph()
        for s, p, o, g in store.dataset.quads((None, None, None, None)):
            name = g.identifier if isinstance(g, rdflib.Graph) else g
            if str(name) != ONTOLOGY_GRAPH:
                data.add((s, p, o))
        letter_triples = len(data)
        for triple in validation_ontology(load_ontology()):  # what imrgraph gives pyshacl
            data.add(triple)
        conforms, _report, _text = pyshacl_validate(
            data, shacl_graph=load_shapes(), inference="none", inplace=True
        )
        out["validate"] = {
            "seconds": time.perf_counter() - started,
            "conforms": bool(conforms),
            "triples": letter_triples,
            "maxrss": maxrss_bytes(),
        }
        del data

    queries = {}
    for query in saved_queries():
        values = QUERY_PARAMS.get(query.name, {})
        if query.form != "SELECT":
            continue
        queries[query.name] = time_query(
            lambda q=query, v=values: len(run_select(store, q, v).rows), runs, budget=30.0
        )
        queries[query.name]["maxrss"] = maxrss_bytes()
    out["queries"] = queries

    if export is not None:
        started = time.perf_counter()
        buffer = io.BytesIO()
        store.dataset.serialize(destination=buffer, format="nquads")
        export.write_bytes(buffer.getvalue())
        out["export"] = {
            "seconds": time.perf_counter() - started,
            "bytes": export.stat().st_size,
            "maxrss": maxrss_bytes(),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("parse-compare")
    p.add_argument("list")
    v = sub.add_parser("validate")
    v.add_argument("store")
    e = sub.add_parser("export")
    e.add_argument("store")
    e.add_argument("out", type=Path)
    q = sub.add_parser("query")
    q.add_argument("store")
    q.add_argument("name")
    q.add_argument("--runs", type=int, default=3)
    r = sub.add_parser("rdflib")
    r.add_argument("list")
    r.add_argument("--workers", type=int, default=None)
    r.add_argument("--runs", type=int, default=3)
    r.add_argument("--no-shacl", action="store_true")
    r.add_argument("--export", type=Path)
    args = ap.parse_args(argv)
    if args.cmd == "parse-compare":
        emit(parse_compare(read_list(args.list)))
    elif args.cmd == "validate":
        emit(validate_embedded(args.store))
    elif args.cmd == "export":
        emit(export_embedded(args.store, args.out))
    elif args.cmd == "query":
        emit(query_embedded(args.store, args.name, args.runs))
    else:
        emit(
            rdflib_baselines(
                read_list(args.list), args.workers or 0, args.runs, not args.no_shacl, args.export
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
