"""The analysis gives the same answers over a real SPARQL server as on the embedded store.

Parameters reach a server as a VALUES block and the embedded store the same way; the queries
match letter data inside ``GRAPH ?g``. This test loads the example letters into ``oxigraph
serve`` (tests/conftest.py) and compares every analysis with the embedded store's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_analysis_guidelines import EXAMPLES

from imrgraph.analysis.guidelines import rank_guidelines
from imrgraph.analysis.network import build_network
from imrgraph.analysis.outcomes import corpus_overview, outcomes_by
from imrgraph.analysis.report import report_data
from imrgraph.store import open_store
from imrgraph.store.ingest import ingest

pytestmark = pytest.mark.server

CASES: list[tuple[str, dict[str, Any]]] = [
    ("rank", {}),
    ("rank", {"by": "claims-administrator", "level": "section", "sort": "rate"}),
    ("rank", {"category": "Pharmaceuticals"}),
    ("rank", {"year": 2015}),
    ("outcomes", {"dimension": "category"}),
    ("outcomes", {"dimension": "specialty", "year": 2014}),
    ("outcomes", {"dimension": "year"}),
    ("overview", {}),
]


def answer(store: Any, kind: str, options: dict[str, Any]) -> Any:
    if kind == "rank":
        return rank_guidelines(store, **options)
    if kind == "outcomes":
        return outcomes_by(store, **options)
    return corpus_overview(store)


def test_endpoint_answers_like_the_embedded_store(oxigraph_server: Any, tmp_path: Path) -> None:
    letters = [str(p) for p in sorted(EXAMPLES.glob("*.txt"))]
    oxigraph_server.clear()
    with open_store(tmp_path / "store", read_only=False) as embedded:
        assert not ingest(letters, embedded, workers=1).failures
        expected = [answer(embedded, kind, options) for kind, options in CASES]
        graph = build_network(embedded, "co-citation", by="claims-administrator")
        local_report = report_data(embedded, shacl=None)
    try:
        with open_store(endpoint=oxigraph_server.query_url, read_only=False) as server:
            assert not ingest(letters, server, workers=1).failures
            for (kind, options), want in zip(CASES, expected, strict=True):
                assert answer(server, kind, options) == want, (kind, options)
            remote = build_network(server, "co-citation", by="claims-administrator")
            # the report's parallel passes share one HTTP client
            remote_report = report_data(server, shacl=None)
    finally:
        oxigraph_server.clear()
    assert sorted(remote.edges(data=True)) == sorted(graph.edges(data=True))
    assert expected[0], "the examples should rank some guidelines"
    for key in ("overview", "ranking", "ca_ranking", "categories", "specialties", "years"):
        assert remote_report[key] == local_report[key], key
    # which examples come first is up to each store (no ORDER BY); how many and of what is not
    assert [
        (e["guideline"], sorted(d["outcome"] for d in e["decisions"]))
        for e in remote_report["examples"]
    ] == [
        (e["guideline"], sorted(d["outcome"] for d in e["decisions"]))
        for e in local_report["examples"]
    ]
