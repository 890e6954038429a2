"""Content negotiation and SPARQL result writing of ``imrgraph serve`` (pure functions)."""

from __future__ import annotations

import pyoxigraph as ox

from imrgraph.serve.formats import RDF_TYPES, RESULT_TYPES, negotiate, results_bytes

PAGE = {"html": "text/html", "json": "application/json", "csv": "text/csv"}


def test_accept_picks_the_highest_quality_offered_type() -> None:
    offered = ("html", "json", "csv")
    assert negotiate("text/csv;q=0.5, application/json;q=0.9", offered, PAGE) == "json"
    assert negotiate("text/html,application/xhtml+xml,*/*;q=0.8", offered, PAGE) == "html"
    assert negotiate("application/json, text/html", offered, PAGE) == "json"  # order breaks ties


def test_wildcards_and_missing_accept_give_the_servers_first_choice() -> None:
    offered = ("json", "xml", "csv", "tsv")
    assert negotiate(None, offered, RESULT_TYPES) == "json"
    assert negotiate("*/*", offered, RESULT_TYPES) == "json"
    assert negotiate("text/*", offered, RESULT_TYPES) == "csv"
    # an exact type beats a wildcard of the same quality
    assert negotiate("*/*, text/tab-separated-values", offered, RESULT_TYPES) == "tsv"


def test_nothing_acceptable_is_none_and_q0_excludes() -> None:
    assert negotiate("image/png", ("turtle", "ntriples"), RDF_TYPES) is None
    assert negotiate("text/turtle;q=0, */*;q=0.1", ("turtle", "ntriples"), RDF_TYPES) == "ntriples"


def test_results_are_read_back_by_pyoxigraph_as_written() -> None:
    rows = [
        (ox.NamedNode("http://e/a"), ox.Literal('x\ty\n"q"', language="en")),
        (ox.BlankNode("b0"), None),
        (
            ox.Literal("3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
            ox.Literal("<&>"),
        ),
    ]
    for name, fmt in (
        ("json", ox.QueryResultsFormat.JSON),
        ("xml", ox.QueryResultsFormat.XML),
        ("tsv", ox.QueryResultsFormat.TSV),
    ):
        parsed = ox.parse_query_results(results_bytes(name, ["a", "b"], rows), format=fmt)
        got = [(s["a"], s["b"]) for s in parsed]
        assert [r[1] for r in got] == [r[1] for r in rows], name
        assert got[0][0] == rows[0][0] and got[2][0] == rows[2][0], name
        assert isinstance(got[1][0], ox.BlankNode), name
    for name, fmt in (("json", ox.QueryResultsFormat.JSON), ("xml", ox.QueryResultsFormat.XML)):
        assert bool(ox.parse_query_results(results_bytes(name, [], boolean=True), format=fmt))
