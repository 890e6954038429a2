"""Networks from the example letters: counts, export round trips, summary, plots."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from test_analysis_guidelines import EXAMPLES, document_key, expected_letters
from typer.testing import CliRunner

from imrgraph.analysis.network import (
    build_network,
    normalise_service,
    read_network,
    summarize,
    write_network,
)
from imrgraph.cli import app
from imrgraph.store import open_store
from imrgraph.store.ingest import ingest


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("network") / "store"
    with open_store(path, read_only=False) as store:
        summary = ingest([str(p) for p in sorted(EXAMPLES.glob("*.txt"))], store, workers=1)
    assert not summary.failures
    return path


@pytest.fixture
def store(store_dir: Path) -> Iterator[Any]:
    with open_store(store_dir) as opened:
        yield opened


def label_key(data: dict[str, Any]) -> str:
    return data["label"]


def test_category_edges_agree_with_expected_json(store: Any) -> None:
    graph = build_network(store, "guideline-service")
    expected: dict[tuple[tuple[str, str | None], str], list[int]] = defaultdict(lambda: [0, 0])
    for letter in expected_letters():
        for item in letter["items"]:
            for key in {document_key(c) for c in item["reviewer_citations"]}:
                edge = expected[(key, item["category"])]
                edge[0] += 1
                edge[1] += item["outcome"] == "Upheld"
    got = {}
    for a, b, data in graph.edges(data=True):
        guideline, category = (a, b) if graph.nodes[a]["kind"] == "guideline" else (b, a)
        info = graph.nodes[guideline]
        key = (info["family"], info.get("document") or None)
        got[(key, graph.nodes[category]["label"])] = [data["items"], data["upheld"]]
    assert got == dict(expected)


def test_cocitation_edges_agree_with_expected_json(store: Any) -> None:
    graph = build_network(store, "co-citation", by="claims-administrator")
    expected: dict[frozenset, list[int]] = defaultdict(lambda: [0, 0])
    for letter in expected_letters():
        for item in letter["items"]:
            keys = sorted(
                {document_key(c) for c in item["claims_administrator_citations"]}, key=str
            )
            for i, a in enumerate(keys):
                for b in keys[i + 1 :]:
                    expected[frozenset((a, b))][0] += 1
                    expected[frozenset((a, b))][1] += item["outcome"] == "Upheld"
    got = {}
    for a, b, data in graph.edges(data=True):
        ka = (graph.nodes[a]["family"], graph.nodes[a].get("document") or None)
        kb = (graph.nodes[b]["family"], graph.nodes[b].get("document") or None)
        got[frozenset((ka, kb))] = [data["items"], data["upheld"]]
    assert got == dict(expected)
    assert expected, "the examples should have items citing several guidelines"


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
@pytest.mark.parametrize("kind", ["guideline-service", "co-citation", "reviewer-guideline"])
def test_export_round_trip(store: Any, tmp_path: Path, kind: str, fmt: str) -> None:
    by = "claims-administrator" if kind == "co-citation" else "reviewer"  # more multi-citations
    graph = build_network(store, kind, by=by)
    assert graph.number_of_edges() > 0
    path = tmp_path / f"net.{fmt}"
    write_network(graph, path)
    back = read_network(path)
    assert set(back.nodes) == set(graph.nodes)
    assert {frozenset(e) for e in back.edges} == {frozenset(e) for e in graph.edges}
    for a, b, data in graph.edges(data=True):
        other = back.edges[a, b]
        assert int(other["items"]) == data["items"]
        assert int(other["upheld"]) == data["upheld"]
        assert float(other["weight"]) == data["weight"]
    for node, data in graph.nodes(data=True):
        assert back.nodes[node]["kind"] == data["kind"]
        assert back.nodes[node]["label"] == data["label"]


def test_summary_names_central_guidelines_and_communities(store: Any) -> None:
    graph = build_network(store, "co-citation", by="claims-administrator")
    summary = summarize(graph)
    assert summary["edges"] == graph.number_of_edges()
    strengths = [row["weighted_degree"] for row in summary["central"]]
    assert strengths == sorted(strengths, reverse=True)
    # the most connected guideline sits in the largest component: it has an eigenvector score
    assert summary["central"][0]["eigenvector"] is not None
    members = [m for community in summary["communities"] for m in community]
    assert len(members) == len(set(members))  # a partition
    # guidelines linked by an edge are candidates for the same community
    assert summary["communities"]


def test_cli_network_writes_graphml_and_prints_summary(store_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "g.graphml"
    runner = CliRunner()
    result = runner.invoke(app, ["network", "--store", str(store_dir), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert nx.read_graphml(out).number_of_edges() > 0
    result = runner.invoke(app, ["network", "--store", str(store_dir), "--kind", "co-citation"])
    assert result.exit_code == 0, result.output
    assert "Most central guidelines" in result.stdout and "Communities" in result.stdout
    result = runner.invoke(
        app, ["network", "--store", str(store_dir), "-o", str(tmp_path / "g.txt")]
    )
    assert result.exit_code == 1 and "cannot tell the network format" in str(result.exception)


@pytest.mark.parametrize(
    ("kind", "suffix"),
    [("guidelines", ".svg"), ("categories", ".png"), ("years", ".svg"), ("network", ".png")],
)
def test_cli_plot_writes_svg_and_png(store_dir: Path, tmp_path: Path, kind: str, suffix: str):
    out = tmp_path / f"{kind}{suffix}"
    result = CliRunner().invoke(app, ["plot", kind, "--store", str(store_dir), "-o", str(out)])
    assert result.exit_code == 0, result.output
    head = out.read_bytes()[:8]
    assert head.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in out.read_bytes()[:600]


@pytest.mark.parametrize(
    ("service", "name"),
    [
        ("Norco 10/325mg #60", "norco"),
        ("Physical therapy 2x6 for the right wrist", "physical therapy"),
        ("Retrospective request for x-rays (DOS: 01/05/2015)", "x-rays"),
        ("Gabapentin 600mg #90", "gabapentin"),
        ("Physical therapy 12 sessions", "physical therapy"),
    ],
)
def test_normalise_service(service: str, name: str) -> None:
    assert normalise_service(service) == name


def test_json_export_is_node_link(store: Any, tmp_path: Path) -> None:
    path = tmp_path / "n.json"
    write_network(build_network(store, "reviewer-guideline"), path)
    data = json.loads(path.read_text())
    assert {"nodes", "links"} <= set(data)
    assert {n["kind"] for n in data["nodes"]} == {"guideline", "specialty"}
