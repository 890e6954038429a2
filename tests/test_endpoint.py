"""The SPARQL-server backend against a real ``oxigraph serve`` (tests/conftest.py).

The server's answers must be exactly the embedded store's: every saved query, with default and
non-default parameters, stats and exports. Failure handling (server down, transient 503, bad
query) is checked against real HTTP servers too.
"""

from __future__ import annotations

import http.server
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic

from imrgraph.errors import EndpointError, QueryError
from imrgraph.store import EmbeddedStore, EndpointStore, sibling_url
from imrgraph.store.queries import load_query, run_select, saved_queries

pytestmark = pytest.mark.server

PARAMS: dict[str, list[dict[str, str]]] = {
    "guidelines-upheld-denials": [
        {},
        {"level": "section"},
        {"party": "claims-administrator"},
        {"party": "rationale", "level": "section"},
    ],
    "claims-administrator-citations-overturned": [{}, {"level": "section"}],
    "decisions-for-service": [{"service": "norco"}, {"service": "o", "outcome": "Upheld"}],
    "uphold-rate-by-year": [{}, {"category": "Pharmaceuticals"}],
    "uphold-rate-by-year-for-service": [
        {"service": "norco"},
        {"service": "o", "category": "Pharmaceuticals"},
    ],
    "letters-with-warnings": [{}, {"code": "age-missing"}],
    "modified-requests": [{}, {"group": "category"}],
}


@pytest.fixture
def endpoint(oxigraph_server) -> Iterator[EndpointStore]:
    from conftest import load_sample

    oxigraph_server.clear()
    store = EndpointStore(oxigraph_server.query_url, retries=1, backoff=0.05)
    load_sample(store)
    yield store
    store.close()


def test_urls_default_to_oxigraph_layout() -> None:
    assert sibling_url("http://h:7878/query", "update") == "http://h:7878/update"
    assert sibling_url("https://h/sparql/ds/query?x=1", "store") == "https://h/sparql/ds/store"
    with pytest.raises(EndpointError, match="not an http"):
        sibling_url("localhost:7878", "update")


def test_every_saved_query_answers_as_on_the_embedded_store(
    endpoint: EndpointStore, sample_store: EmbeddedStore
) -> None:
    checked = 0
    for query in saved_queries():
        for params in PARAMS.get(query.name, [{}]):
            on_server = run_select(endpoint, query, params)
            embedded = run_select(sample_store, query, params)
            assert on_server.columns == embedded.columns, query.name
            assert on_server.rows == embedded.rows, (query.name, params)
            assert on_server.rows, (query.name, params)
            checked += 1
    assert checked >= len(saved_queries())


def test_stats_and_sources_agree(endpoint: EndpointStore, sample_store: EmbeddedStore) -> None:
    from conftest import SHA

    assert endpoint.stats() == sample_store.stats()
    assert endpoint.has_source(SHA["one"]) and not endpoint.has_source("0" * 64)


def test_export_through_the_graph_store_protocol(
    endpoint: EndpointStore, sample_store: EmbeddedStore
) -> None:
    served, local = io.BytesIO(), io.BytesIO()
    assert endpoint.export(served, "nquads") == sample_store.export(local, "nquads")
    a, b = rdflib.Dataset(), rdflib.Dataset()
    a.parse(data=served.getvalue(), format="nquads")
    b.parse(data=local.getvalue(), format="nquads")
    graphs_a = {str(g.identifier): g for g in a.graphs() if len(g)}
    graphs_b = {str(g.identifier): g for g in b.graphs() if len(g)}
    assert graphs_a.keys() == graphs_b.keys()
    for name in graphs_a:
        assert isomorphic(graphs_a[name], graphs_b[name]), name
    one = io.BytesIO()
    endpoint.export(one, "turtle", case="CM15-0000001")
    assert b"Norco 10/325mg #60" in one.getvalue() and b"MRI" not in one.getvalue()


def test_replace_is_one_request_and_replaces(endpoint: EndpointStore) -> None:
    graph = "https://w3id.org/imrgraph/data/graph/CM15-0000001"
    before = sum(1 for _ in endpoint.quads(graph))
    import pyoxigraph as ox

    triple = ox.Triple(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("o"))
    endpoint.replace_graph(graph, [triple])
    assert [q.triple for q in endpoint.quads(graph)] == [triple]
    assert before > 1


def test_a_broken_write_leaves_the_letter_on_the_server(endpoint: EndpointStore) -> None:
    graph = "https://w3id.org/imrgraph/data/graph/CM15-0000001"
    before = sorted(str(q) for q in endpoint.quads(graph))
    with pytest.raises(QueryError):
        endpoint.replace_graph(graph, b'<http://e/s> <http://e/p> "unterminated .\n')
    assert sorted(str(q) for q in endpoint.quads(graph)) == before


@pytest.mark.parametrize("payload", ['x")) } } ; DROP ALL ; #', "x' } } CLEAR ALL #"])
def test_injection_fails_safely_on_the_server(endpoint: EndpointStore, payload: str) -> None:
    before = endpoint.stats()
    assert (
        run_select(endpoint, load_query("decisions-for-service"), {"service": payload}).rows == []
    )
    assert endpoint.stats() == before


def test_bad_query_is_a_one_line_query_error(endpoint: EndpointStore) -> None:
    with pytest.raises(QueryError, match="the server refused the request"):
        endpoint.select("SELECT ?x WHERE { ?x")


def test_server_down_is_a_clear_endpoint_error() -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    store = EndpointStore(f"http://127.0.0.1:{port}/query", retries=2, backoff=0.01)
    with pytest.raises(EndpointError, match="cannot reach the SPARQL server"):
        store.stats()


class _Flaky(http.server.BaseHTTPRequestHandler):
    """Answers 503 to the first ``failures`` requests, then a one-row SPARQL JSON result."""

    failures = 2
    seen = 0

    def do_POST(self) -> None:
        type(self).seen += 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if type(self).seen <= type(self).failures:
            self.send_response(503)
            self.end_headers()
            self.wfile.write(b"busy")
            return
        body = json.dumps(
            {
                "head": {"vars": ["n"]},
                "results": {
                    "bindings": [
                        {
                            "n": {
                                "type": "literal",
                                "value": "7",
                                "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                            }
                        }
                    ]
                },
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def flaky_server() -> Iterator[str]:
    _Flaky.seen = 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/query"
    server.shutdown()
    server.server_close()


def test_transient_503_is_retried(flaky_server: str) -> None:
    store = EndpointStore(flaky_server, retries=3, backoff=0.01)
    assert store.select("SELECT ?n WHERE {}").rows == [(7,)]
    assert _Flaky.seen == 3


def test_503_beyond_the_retries_is_an_endpoint_error(flaky_server: str) -> None:
    store = EndpointStore(flaky_server, retries=1, backoff=0.01)
    with pytest.raises(EndpointError, match="HTTP 503"):
        store.select("SELECT ?n WHERE {}")


def test_cli_reads_through_the_endpoint(endpoint: EndpointStore, tmp_path: Path, cli) -> None:
    run = cli(
        "query",
        "outcomes-by-category",
        "--format",
        "csv",
        "--endpoint",
        endpoint.query_url,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[1] == "Pharmaceuticals,3,2,1,0"  # items, upheld, over, unknown
    assert not (tmp_path / "imrgraph-store").exists()  # the embedded store was not touched


@pytest.mark.slow
def test_examples_ingested_through_the_server_answer_as_embedded(
    oxigraph_server, tmp_path: Path
) -> None:
    """The issue's check: ingest examples/letters through a real server, then every saved query
    (with each parameter set above) answers exactly as on the embedded store."""
    from imrgraph.store.ingest import ingest

    examples = Path(__file__).resolve().parents[1] / "examples" / "letters"
    oxigraph_server.clear()
    server = EndpointStore(oxigraph_server.query_url, retries=1, backoff=0.05)
    embedded = EmbeddedStore(tmp_path / "store")
    on_server = ingest([examples], server, workers=1)
    locally = ingest([examples], embedded, workers=1)
    assert (on_server.stored, on_server.skipped, on_server.failed) == (
        locally.stored,
        locally.skipped,
        locally.failed,
    )
    assert on_server.stored > 0 and on_server.failed == 0
    for query in saved_queries():
        for params in PARAMS.get(query.name, [{}]):
            assert (
                run_select(server, query, params).rows == run_select(embedded, query, params).rows
            ), (query.name, params)
    again = ingest([examples], server, workers=1)
    assert again.stored == 0 and again.skipped == again.files
    assert server.stats() == embedded.stats()
    server.close()
    embedded.close()
