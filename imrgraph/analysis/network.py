"""Guideline networks for Gephi/Cytoscape, built from SPARQL aggregates (never the whole RDF).

Three projections of the graph, each a weighted networkx ``Graph``:

* ``guideline-service``: guidelines linked to the service categories (or normalised service
  names) of the items citing them.
* ``co-citation``: guidelines linked when the same party cites both for the same item.
* ``reviewer-guideline``: reviewer specialties linked to the guidelines their reviews cite.

Nodes carry ``kind`` (guideline, category, service, specialty), ``label``, ``family`` (guidelines
only, else empty), ``items``, ``upheld`` and ``overturned``. Edges carry ``items`` (distinct
items behind the link), ``upheld`` and ``overturned`` (of those; an item whose outcome could not
be read is neither), ``uphold_rate`` (upheld / decided items; absent when none was decided) and
``weight`` (= items, what layout and community algorithms read). Counting is the same as the
ranking's (see :mod:`imrgraph.analysis.guidelines`): an item counts once per distinct guideline
at the level.
"""

from __future__ import annotations

import json
import re
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

import networkx as nx
from networkx.algorithms import community as nx_community

from imrgraph.analysis.counts import TallyCounts, resolve
from imrgraph.analysis.guidelines import (
    guideline_category_counts,
    guideline_scheme,
    rank_guidelines,
)
from imrgraph.analysis.outcomes import outcomes_by
from imrgraph.analysis.selection import (
    OUTCOME_BINDS,
    OUTCOME_COUNTS,
    Selection,
    category_labels,
    level_fragment,
    run_select,
)
from imrgraph.analysis.stats import overturned_of
from imrgraph.errors import ImrGraphError, QueryError

__all__ = [
    "FORMATS",
    "KINDS",
    "build_network",
    "normalise_service",
    "read_network",
    "summarize",
    "write_network",
]

KINDS: tuple[str, ...] = ("guideline-service", "co-citation", "reviewer-guideline")
FORMATS: tuple[str, ...] = ("graphml", "gexf", "json")

_DOSE = re.compile(
    r"\b\d+(?:[.,/]\d+)*\s*(?:mg|mcg|g|gm|gms|grams?|ml|cc|%|units?|hours?|hrs?|days?|weeks?|"
    r"months?|sessions?|visits?|tabs?|tablets?|caps?|capsules?|patch(?:es)?|refills?)\b",
    re.IGNORECASE,
)
_QUANTITY = re.compile(r"(?:#|qty:?\s*|quantity:?\s*|x\s*)\d+|\b\d+\s*x\s*\d+\b|\b\d+\b", re.I)
_NUMBERS = re.compile(r"\b\d+(?:[./]\d+)+\b")
_PARENS = re.compile(r"\([^)]*\)|\[[^]]*\]")
_LEADING = re.compile(
    r"^(?:retrospective|retro|prospective|outpatient|inpatient|additional|associated|"
    r"(?:request|requests|req) (?:for|of)|purchase of|rental of|one|1|an?|the)\b\s*",
    re.I,
)
_SIDE = re.compile(r"\b(?:left|right|bilateral|lt|rt|b/l)\b", re.I)
_TAIL = re.compile(r"\s+(?:for|to|of|on|at|with|x|#)\s*$", re.I)


def normalise_service(text: str) -> str:
    """A coarse service name for grouping: "Norco 10/325mg #60" -> "norco".

    A heuristic, not a terminology: drops what is bracketed, doses and quantities, laterality,
    request boilerplate ("Retrospective request for") and what follows " for " (the body part
    or reason), then lower-cases. Good enough to put "Physical therapy 2x6 for the right wrist"
    and "Physical therapy 12 sessions" on one node.
    """
    s = _PARENS.sub(" ", text)
    s = s.split(":")[0] if ":" in s else s
    s = " ".join(s.split())
    for _ in range(3):
        s = _LEADING.sub("", s).strip()
    s = re.split(r"\s+(?:for|to)\s+", s, maxsplit=1, flags=re.I)[0]
    s = _NUMBERS.sub(" ", s)
    s = _DOSE.sub(" ", s)
    s = _QUANTITY.sub(" ", s)
    s = _SIDE.sub(" ", s)
    s = re.sub(r"[^\w\s&+-]", " ", s)
    s = " ".join(s.split())
    s = _TAIL.sub("", s)
    return s.lower() or " ".join(text.lower().split())


def _pairs_query(selection: Selection, other: str, det: bool = False) -> str:
    """(guideline, other) -> items, upheld, overturned; ``other`` binds ``?other``."""
    bound = selection.projection(with_party=True)
    return (
        f"SELECT ?guideline ?other (COUNT(DISTINCT ?item) AS ?items) {OUTCOME_COUNTS} {bound}\n"
        f"WHERE {{\n  GRAPH ?g {{\n{selection.items_fragment(det)}{selection.citation_fragment()}"
        f"{other}{OUTCOME_BINDS}  }}\n"
        f"{level_fragment('concept', 'guideline', selection.level)}}}\n"
        f"GROUP BY ?guideline ?other {bound}"
    )


def _cocitation_query(selection: Selection) -> str:
    bound = selection.projection(with_party=True)
    return (
        f"SELECT ?guideline ?other (COUNT(DISTINCT ?item) AS ?items) {OUTCOME_COUNTS} {bound}\n"
        f"WHERE {{\n  GRAPH ?g {{\n{selection.items_fragment()}"
        f"{selection.citation_fragment('concept', 'cit')}"
        f"{selection.citation_fragment('concept2', 'cit2')}"
        f"FILTER(?concept != ?concept2)\n{OUTCOME_BINDS}  }}\n"
        f"{level_fragment('concept', 'guideline', selection.level)}"
        f"{level_fragment('concept2', 'other', selection.level)}"
        "FILTER(STR(?guideline) < STR(?other))\n}\n"
        f"GROUP BY ?guideline ?other {bound}"
    )


def build_network(
    store: Any,
    kind: str,
    by: str = "reviewer",
    level: str = "document",
    category: str | None = None,
    year: int | None = None,
    service: str = "category",
    min_items: int = 1,
    ranking: list[dict[str, Any]] | None = None,
    categories: list[dict[str, Any]] | None = None,
    pairs: list[dict[str, Any]] | None = None,
    tallies: TallyCounts | bool | None = None,
) -> nx.Graph:
    """Build one of ``KINDS`` from the store; edges with fewer than ``min_items`` are left out.

    ``ranking`` (the :func:`rank_guidelines` records of the same selection) and ``categories``
    (:func:`outcomes_by` category records) and ``pairs`` (:func:`guideline_category_counts`)
    may be passed by a caller that has them already. ``tallies``: see
    ``imrgraph.analysis.counts`` (the node and guideline-category counts come from them; the
    co-citation, service-label and specialty pairs are always counted from the citations)."""
    if kind not in KINDS:
        raise QueryError(f"unknown network kind {kind!r}; choose {', '.join(KINDS)}")
    if service not in ("category", "service"):
        raise QueryError(f"unknown service grouping {service!r}; choose category or service")
    selection = Selection(category=category, year=year, party=by, level=level)
    bindings = selection.bindings(store, with_party=True)
    scheme = guideline_scheme(store)
    graph = nx.Graph(kind=kind, level=level, cited_by=by, min_items=min_items)
    counts = resolve(store, tallies) if ranking is None or pairs is None else None
    use: TallyCounts | bool = counts if counts is not None else False

    if ranking is None:
        ranking = rank_guidelines(
            store, by=by, level=level, category=category, year=year, tallies=use
        )
    for rec in ranking:
        graph.add_node(
            rec["concept"],
            kind="guideline",
            label=rec["guideline"],
            family=rec["family"] or "",
            document=rec["document"] or "",
            items=rec["items"],
            upheld=rec["upheld"],
            overturned=rec["overturned"],
        )

    def add_edge(a: str, b: str, items: int, upheld: int, overturned: int) -> None:
        if items < min_items:
            return
        if graph.has_edge(a, b):
            items += graph.edges[a, b]["items"]
            upheld += graph.edges[a, b]["upheld"]
            overturned += graph.edges[a, b]["overturned"]
        graph.add_edge(a, b, items=items, upheld=upheld, overturned=overturned, weight=float(items))
        if upheld + overturned:  # no rate for an edge whose outcomes could not be read
            graph.edges[a, b]["uphold_rate"] = upheld / (upheld + overturned)

    if kind == "co-citation":
        for row in run_select(store, _cocitation_query(selection), bindings):
            add_edge(str(row["guideline"]), str(row["other"]), *_counted(row))
    elif kind == "guideline-service" and service == "category":
        labels = category_labels(store)
        if categories is None:
            categories = outcomes_by(store, "category", category=category, year=year, tallies=use)
        for rec in categories:
            graph.add_node(
                str(rec["key"]),
                kind="category",
                label=rec["label"],
                family="",
                items=rec["items"],
                upheld=rec["upheld"],
                overturned=rec["overturned"],
            )
        if pairs is None:
            pairs = guideline_category_counts(
                store, by=by, level=level, category=category, year=year, tallies=use
            )
        for pair in pairs:
            key = pair["category"]
            if key is None:
                continue
            if key not in graph:
                graph.add_node(key, kind="category", label=labels.get(key, key), family="")
            add_edge(pair["guideline"], key, pair["items"], pair["upheld"], overturned_of(pair))
    elif kind == "guideline-service":
        _add_services(store, graph, selection, bindings, add_edge)
    else:  # reviewer-guideline
        for rec in outcomes_by(store, "specialty", category=category, year=year, tallies=use):
            if rec["key"] is None:
                continue
            graph.add_node(
                f"specialty:{rec['key']}",
                kind="specialty",
                label=str(rec["key"]),
                family="",
                items=rec["items"],
                upheld=rec["upheld"],
                overturned=rec["overturned"],
            )
        other = "?det imr:reviewedBy ?orev . ?orev imr:specialty ?other .\n"
        for row in run_select(store, _pairs_query(selection, other, det=True), bindings):
            key = f"specialty:{row['other']}"
            if key not in graph:
                graph.add_node(key, kind="specialty", label=str(row["other"]), family="")
            add_edge(key, str(row["guideline"]), *_counted(row))

    for node in list(graph.nodes):
        data = graph.nodes[node]
        if "kind" not in data:  # a concept outside the ranking (cannot happen with one selection)
            info = scheme.get(node)
            data.update(kind="guideline", label=info.display if info else node, family="")
        data.setdefault("items", 0)
        data.setdefault("upheld", 0)
        data.setdefault("overturned", 0)
    graph.remove_nodes_from([n for n in list(graph.nodes) if graph.degree(n) == 0])
    return graph


def _add_services(
    store: Any, graph: nx.Graph, selection: Selection, bindings: dict[str, Any], add_edge: Any
) -> None:
    """Guideline -> normalised service: the normalisation is Python, so fetch per label."""
    other = "?item imr:requestsService ?osvc . ?osvc rdfs:label ?other .\n"
    # Items per (guideline, service label) and per service label; an item has one service, so
    # summing label counts that normalise to the same name is exact.
    edges: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in run_select(store, _pairs_query(selection, other), bindings):
        name = normalise_service(str(row["other"]))
        edge = edges[(str(row["guideline"]), name)]
        for i, n in enumerate(_counted(row)):
            edge[i] += n
    node_totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    rows = run_select(
        store,
        f"SELECT ?other (COUNT(DISTINCT ?item) AS ?items) {OUTCOME_COUNTS} "
        f"{selection.projection()}\n"
        f"WHERE {{ GRAPH ?g {{\n{selection.items_fragment()}{other}{OUTCOME_BINDS}"
        f"}} }}\nGROUP BY ?other {selection.projection()}",
        {k: v for k, v in bindings.items() if k != "party"},
    )
    for row in rows:
        total = node_totals[normalise_service(str(row["other"]))]
        for i, n in enumerate(_counted(row)):
            total[i] += n
    for name, (items, upheld, overturned) in node_totals.items():
        graph.add_node(
            f"service:{name}",
            kind="service",
            label=name,
            family="",
            items=items,
            upheld=upheld,
            overturned=overturned,
        )
    for (concept, name), (items, upheld, overturned) in edges.items():
        add_edge(concept, f"service:{name}", items, upheld, overturned)


def _counted(row: dict[str, Any]) -> tuple[int, int, int]:
    """(items, upheld, overturned) of a pairs query row."""
    return int(row["items"]), int(row["upheld"] or 0), int(row["overturned"] or 0)


def write_network(graph: nx.Graph, path: Path, fmt: str | None = None) -> str:
    """Write ``graph`` as GraphML, GEXF or node-link JSON (format from ``fmt`` or the suffix)."""
    fmt = fmt or {".graphml": "graphml", ".gexf": "gexf", ".json": "json"}.get(
        path.suffix.lower(), ""
    )
    if fmt not in FORMATS:
        raise ImrGraphError(
            f"{path}: cannot tell the network format; use --format {'|'.join(FORMATS)} "
            "or a .graphml/.gexf/.json file name"
        )
    try:
        if fmt == "graphml":
            nx.write_graphml(graph, path)
        elif fmt == "gexf":
            nx.write_gexf(graph, path)
        else:
            data = nx.node_link_data(graph, edges="links")
            path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    except OSError as exc:
        raise ImrGraphError(f"{path}: cannot write the network: {exc.strerror or exc}") from exc
    return fmt


def read_network(path: Path) -> nx.Graph:
    """Read a network written by :func:`write_network` (for round-trip checks)."""
    suffix = path.suffix.lower()
    if suffix == ".graphml":
        return nx.read_graphml(path)
    if suffix == ".gexf":
        return nx.read_gexf(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    return nx.node_link_graph(data, edges="links")


def summarize(graph: nx.Graph, top: int = 10, seed: int = 1) -> dict[str, Any]:
    """Most central guidelines and communities of guidelines, for ``imrgraph network`` without -o.

    Centrality is weighted degree (items behind a guideline's links, how much it connects) and
    eigenvector centrality on the item weights (connected to other well-connected nodes; in the
    largest connected component, None outside it).
    Communities are Louvain communities on the item weights (seeded: the same graph gives the
    same answer); for co-citation they are guidelines cited together.
    """
    guidelines = [n for n, d in graph.nodes(data=True) if d.get("kind") == "guideline"]
    strength = dict(graph.degree(weight="weight"))
    eigen: dict[Any, float] = {}
    if graph.number_of_edges():
        # Eigenvector centrality is defined on a connected graph: it is computed on the largest
        # component (None elsewhere). The eigensolver converges where power iteration does not
        # (bipartite graphs, one hub with thousands of items); if it still fails, None.
        largest = graph.subgraph(max(nx.connected_components(graph), key=len))
        if largest.number_of_nodes() > 2:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                try:
                    eigen = nx.eigenvector_centrality_numpy(largest, weight="weight")
                except (nx.NetworkXException, ArithmeticError, ValueError, RuntimeError):
                    eigen = {}
    central = sorted(guidelines, key=lambda n: (-strength.get(n, 0), graph.nodes[n]["label"]))
    communities: list[list[str]] = []
    if graph.number_of_edges():
        found = nx_community.louvain_communities(graph, weight="weight", seed=seed)
        for group in sorted(found, key=lambda g: -sum(strength.get(n, 0) for n in g)):
            labels = [
                graph.nodes[n]["label"]
                for n in sorted(group, key=lambda n: -strength.get(n, 0))
                if graph.nodes[n].get("kind") == "guideline"
            ]
            if len(labels) >= 2 or (labels and len(group) > 1):
                communities.append(labels)
    return {
        "kind": graph.graph.get("kind"),
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "guidelines": len(guidelines),
        "central": [
            {
                "guideline": graph.nodes[n]["label"],
                "weighted_degree": float(strength.get(n, 0)),
                "eigenvector": float(eigen[n]) if n in eigen else None,
                "neighbours": graph.degree(n),
            }
            for n in central[:top]
        ],
        "communities": communities[:top],
    }
