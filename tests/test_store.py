"""The embedded store: transactions, locking, location, conversions, export round trips, stats."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from imrgraph.errors import QueryError, StoreError, StoreLocked
from imrgraph.rdf.tallies import TALLY_GRAPH
from imrgraph.store import ONTOLOGY_GRAPH, EmbeddedStore, default_store_path, open_store

G = "https://w3id.org/imrgraph/data/graph/test"
EX = "http://example.org/"


def _triples(n: int, tag: str = "v") -> list[ox.Triple]:
    return [
        ox.Triple(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(f"{EX}p"), ox.Literal(f"{tag}{i}"))
        for i in range(n)
    ]


def _graph_values(store: EmbeddedStore, graph: str) -> set[str]:
    return {q.object.value for q in store.quads(graph)}


def test_replace_graph_replaces_the_whole_graph(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "s")
    store.replace_graph(G, _triples(5, "old"))
    store.replace_graph(G, _triples(2, "new"))
    assert _graph_values(store, G) == {"new0", "new1"}


def test_a_failed_replace_leaves_the_previous_letter_untouched(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "s")
    store.replace_graph(G, _triples(3, "old"))
    good = ox.serialize(_triples(2, "new"), format=ox.RdfFormat.N_TRIPLES)
    broken = good + b'<http://example.org/s9> <http://example.org/p> "unterminated .\n'
    with pytest.raises(QueryError):
        store.replace_graph(G, broken)
    # all or nothing: neither the DROP nor the first half of the INSERT happened
    assert _graph_values(store, G) == {"old0", "old1", "old2"}


def test_drop_in_the_same_transaction(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "s")
    store.replace_graph(G + "-stale", _triples(1))
    store.replace_graph(G, _triples(1), drop=[G + "-stale"])
    names = {q.graph_name.value for q in store.quads()}
    assert names == {G}


def test_second_process_gets_a_clear_locked_error(tmp_path: Path) -> None:
    # A second WRITER (readers get the writer's snapshot: tests/test_reliability_concurrency.py)
    location = tmp_path / "s"
    store = EmbeddedStore(location)
    store.replace_graph(G, _triples(1))
    letter = tmp_path / "letter.txt"
    letter.write_text("not read: the store cannot be opened")
    run = subprocess.run(
        [sys.executable, "-m", "imrgraph", "ingest", str(letter), "--store", str(location)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    store.close()
    assert run.returncode == 1
    assert "store is locked by another process" in run.stderr
    assert "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_same_process_second_open_is_store_locked(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "s")
    with pytest.raises(StoreLocked):
        EmbeddedStore(tmp_path / "s")
    store.close()
    EmbeddedStore(tmp_path / "s").close()  # the lock is released by close()


def test_reading_a_missing_store_does_not_create_it(tmp_path: Path) -> None:
    location = tmp_path / "nothing-here"
    with pytest.raises(StoreError, match="no imrgraph store here"):
        open_store(location, read_only=True)
    assert not location.exists()


def test_a_folder_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "letter.txt").write_text("keep me")
    with pytest.raises(StoreError, match="not an Oxigraph store"):
        open_store(folder, read_only=False)
    assert sorted(p.name for p in folder.iterdir()) == ["letter.txt"]


def test_store_location_flag_then_environment_then_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IMRGRAPH_STORE", raising=False)
    monkeypatch.delenv("IMRGRAPH_ENDPOINT", raising=False)
    assert default_store_path() == Path("imrgraph-store")
    monkeypatch.setenv("IMRGRAPH_STORE", str(tmp_path / "env-store"))
    assert default_store_path() == tmp_path / "env-store"
    assert default_store_path(tmp_path / "flag") == tmp_path / "flag"
    store = open_store(read_only=False)
    store.close()
    assert (tmp_path / "env-store" / "CURRENT").is_file()


def test_store_and_endpoint_together_are_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="either --store or --endpoint"):
        open_store(tmp_path, "http://localhost:7878/query")


def test_select_returns_python_values(tmp_path: Path) -> None:
    store = EmbeddedStore(None)
    result = store.select(
        "SELECT ?i ?d ?date ?b ?s ?iri ?none WHERE { "
        "BIND(3 AS ?i) BIND(0.25 AS ?d) "
        'BIND("2015-03-10"^^<http://www.w3.org/2001/XMLSchema#date> AS ?date) '
        'BIND(true AS ?b) BIND("text"@en AS ?s) BIND(<http://example.org/x> AS ?iri) }'
    )
    assert result.columns == ["i", "d", "date", "b", "s", "iri", "none"]
    assert result.rows == [
        (3, Decimal("0.25"), dt.date(2015, 3, 10), True, "text", "http://example.org/x", None)
    ]
    assert isinstance(result.terms[0][5], ox.NamedNode)


def test_select_refuses_other_forms(tmp_path: Path) -> None:
    store = EmbeddedStore(None)
    with pytest.raises(QueryError, match="expected a SELECT"):
        store.select("ASK {}")
    with pytest.raises(QueryError, match="bad SPARQL"):
        store.select("SELECT ?x WHERE { ?x ")


def test_stats_of_the_sample(sample_store: EmbeddedStore) -> None:
    stats = sample_store.stats()
    assert {k: stats[k] for k in ("letters", "items", "upheld", "overturned")} == {
        "letters": 3,
        "items": 5,
        "upheld": 3,
        "overturned": 2,
    }
    ontology = sum(1 for _ in sample_store.quads(ONTOLOGY_GRAPH))
    tallies = sum(1 for _ in sample_store.quads(TALLY_GRAPH))
    assert tallies > 0
    assert stats["triples"] == stats["letter_triples"] + ontology + tallies > ontology > 0


def test_has_source(sample_store: EmbeddedStore) -> None:
    from conftest import SHA

    assert sample_store.has_source(SHA["two"])
    assert not sample_store.has_source("f" * 64)


def _dataset_of(store: EmbeddedStore) -> rdflib.Dataset:
    dataset = rdflib.Dataset()
    data = ox.serialize(store.quads(), format=ox.RdfFormat.N_QUADS)
    dataset.parse(data=data, format="nquads")
    return dataset


def _graphs(dataset: rdflib.Dataset) -> dict[str, rdflib.Graph]:
    out = {}
    for graph in dataset.graphs():
        if len(graph):
            copy = rdflib.Graph()
            for triple in graph:
                copy.add(triple)
            out[str(graph.identifier)] = copy
    return out


@pytest.mark.parametrize(
    "fmt,rdflib_format", [("trig", "trig"), ("nquads", "nquads"), ("jsonld", "json-ld")]
)
def test_export_whole_store_round_trips(
    sample_store: EmbeddedStore, fmt: str, rdflib_format: str
) -> None:
    buffer = io.BytesIO()
    count = sample_store.export(buffer, fmt)
    back = rdflib.Dataset()
    back.parse(data=buffer.getvalue(), format=rdflib_format)
    original = _graphs(_dataset_of(sample_store))
    parsed = _graphs(back)
    assert count == sum(len(g) for g in original.values())
    assert parsed.keys() == original.keys()
    for name, graph in original.items():
        assert isomorphic(graph, parsed[name]), name


@pytest.mark.parametrize("fmt,rdflib_format", [("turtle", "turtle"), ("ntriples", "nt")])
def test_export_one_case_round_trips(
    sample_store: EmbeddedStore, fmt: str, rdflib_format: str
) -> None:
    buffer = io.BytesIO()
    sample_store.export(buffer, fmt, case="CM16-0000002")
    back = rdflib.Graph()
    back.parse(data=buffer.getvalue(), format=rdflib_format)
    expected = _graphs(_dataset_of(sample_store))[
        "https://w3id.org/imrgraph/data/graph/CM16-0000002"
    ]
    assert isomorphic(back, expected)
    if fmt == "turtle":
        assert b"@prefix imr: <https://w3id.org/imrgraph/ontology#>" in buffer.getvalue()
        assert b"imr:hasOutcome imr:Upheld" in buffer.getvalue()


def test_export_by_key_of_a_letter_without_case_number(sample_store: EmbeddedStore) -> None:
    from conftest import sample_letters

    from imrgraph.model import Letter

    key = Letter.from_dict(sample_letters()[2]).key  # as the saved queries show it
    assert key.startswith("content-")
    buffer = io.BytesIO()
    assert sample_store.export(buffer, "nquads", case=key) > 0
    assert b"Topical compound cream" in buffer.getvalue()


def test_export_unknown_case_is_a_clear_error(sample_store: EmbeddedStore) -> None:
    with pytest.raises(StoreError, match="no letter with case number 'CM99-1'"):
        sample_store.export(io.BytesIO(), "trig", case="CM99-1")


def test_cli_export_and_stats(sample_store: EmbeddedStore, tmp_path: Path) -> None:
    location = sample_store.path
    sample_store.close()
    out = tmp_path / "one.ttl"
    env = {**os.environ, "IMRGRAPH_STORE": str(location)}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "imrgraph",
            "export",
            "--case",
            "CM15-0000001",
            "--format",
            "turtle",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    graph = rdflib.Graph().parse(out, format="turtle")
    assert (
        None,
        rdflib.URIRef("http://purl.org/dc/terms/identifier"),
        rdflib.Literal("CM15-0000001"),
    ) in graph
    run = subprocess.run(
        [sys.executable, "-m", "imrgraph", "stats", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    import json

    stats = json.loads(run.stdout)
    assert (stats["letters"], stats["items"], stats["upheld"], stats["overturned"]) == (3, 5, 3, 2)
