"""Two versions of one case number (a corrected letter): which one counts, and where the other goes.

The rule (RELIABILITY.md, "Versions of a letter"):

- A letter's graph is ``{base}graph/{key}``, ``key`` = its case number, so two files with the same
  case number compete for one graph.
- If the two files say the same thing (the same letter as PDF and as text, a re-download), they
  are one letter: the first stored stays, the second is skipped as a duplicate.
- If they differ, they are two versions. The version with the later Decision Date is current
  (a version without one counts as earliest, and so does one whose decision date is after the
  day of the ingest: a typo'd 2099 would otherwise stay current for ever); on a tie, the
  version ingested later is current.
- The current version fills ``{base}graph/{key}`` as any letter does. The other is kept, whole,
  in its own named graph ``{base}graph/{key}/superseded/{sha256}`` with its nodes renamed under
  ``{base}determination/{key}/superseded/{sha256}`` (so no node is shared with the current
  version, even when graphs are merged) and its determination typed
  ``imr:SupersededDetermination`` (not ``imr:Determination``) with ``imr:supersededBy`` the
  current determination; its items' ``imr:hasOutcome`` become ``imr:supersededOutcome``.
  Saved queries, analysis and stats count items through ``imr:hasOutcome`` and letters through
  ``?det a imr:Determination`` inside ``GRAPH ?g``, so a superseded version is never counted,
  yet ``imrgraph export --case {key}/superseded/{sha256}`` and the ``letter-versions`` query
  still show it.

Every change is one transaction: demoting the current version and storing the new one happen in
one update, so a crash leaves either the old state or the new one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from imrgraph.errors import ImrGraphError
from imrgraph.rdf.tallies import COUNTED_UNDER, TALLY_GRAPH
from imrgraph.rdf.vocab import IMR
from imrgraph.store.base import GraphStore
from imrgraph.store.sparqltext import serialize_term

_I = str(IMR)
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DETERMINATION = ox.NamedNode(_I + "Determination")
SUPERSEDED_DETERMINATION = ox.NamedNode(_I + "SupersededDetermination")
SUPERSEDED_BY = ox.NamedNode(_I + "supersededBy")
HAS_OUTCOME = ox.NamedNode(_I + "hasOutcome")
SUPERSEDED_OUTCOME = ox.NamedNode(_I + "supersededOutcome")
_DECISION_DATE = ox.NamedNode(_I + "decisionDate")
_SHA256 = ox.NamedNode(_I + "sha256")
_SOURCE_PAGE = ox.NamedNode(_I + "sourcePage")
_HAS_REASON = ox.NamedNode(_I + "hasReason")
# Provenance differs between two files of one letter; it is not what the letter says.
_PROVENANCE = {
    "http://www.w3.org/ns/prov#wasDerivedFrom",
    "http://www.w3.org/ns/prov#wasGeneratedBy",
    _I + "sourcePage",
}


def superseded_graph(graph: str, sha256: str) -> str:
    """The named graph of a superseded version: ``{graph}/superseded/{sha256}``."""
    return f"{graph}/superseded/{sha256}"


@dataclass(frozen=True)
class Version:
    """What the store says about the version that fills a letter's graph now."""

    sha256: str
    determination: str
    decision_date: str | None
    file: str | None


def current_version(store: GraphStore, graph: str) -> Version | None:
    """The version stored in ``graph`` (None if the graph holds no letter)."""
    # The graph IRI is written into the text as a term serialised by pyoxigraph, not bound as
    # VALUES: Oxigraph evaluates a GRAPH ?g block holding an OPTIONAL before joining the VALUES,
    # i.e. over every letter (300 ms per call at 8,000 letters, quadratic over an ingest).
    name = serialize_term(ox.NamedNode(graph))
    result = store.select(
        "PREFIX imr: <https://w3id.org/imrgraph/ontology#>\n"
        f"SELECT ?det ?sha ?date ?file WHERE {{ GRAPH {name} {{\n"
        "  ?det a imr:Determination .\n"
        "  OPTIONAL { ?det imr:decisionDate ?date }\n"
        "  OPTIONAL { ?det <http://www.w3.org/ns/prov#wasDerivedFrom> ?src .\n"
        "    ?src imr:sha256 ?sha OPTIONAL { ?src imr:fileName ?file } }\n"
        "} }",
    )
    for det, sha, date, file in result.rows:
        return Version(
            str(sha or ""),
            str(det),
            str(date) if date is not None else None,
            str(file) if file is not None else None,
        )
    return None


def _determination(triples: Iterable[ox.Triple]) -> ox.NamedNode:
    for t in triples:
        if t.predicate == _RDF_TYPE and t.object == DETERMINATION:
            return t.subject  # type: ignore[return-value]
    raise ValueError("no imr:Determination in the letter's triples")


def _decision_date(triples: Iterable[ox.Triple], det: ox.NamedNode) -> str | None:
    for t in triples:
        if t.subject == det and t.predicate == _DECISION_DATE:
            return t.object.value
    return None


def _content(triples: Iterable[ox.Triple], det: ox.NamedNode) -> set[ox.Triple]:
    """The triples that say what the letter says (no source file, parse activity or pages)."""
    prefix = det.value + "/"

    def mine(term: object) -> bool:
        return isinstance(term, ox.NamedNode) and (
            term == det or term.value.startswith(prefix) or "/body-part/" in term.value
        )

    return {
        t
        for t in triples
        if mine(t.subject)
        and t.predicate.value not in _PROVENANCE
        and t.predicate != _SHA256
        and t.predicate != COUNTED_UNDER  # derived, and absent from letters stored before tallies
        # Reasons are read out of the rationale (which counts), by rules that change between
        # versions, and carry pages: like the content key (Letter.content_digest), not content.
        and t.predicate != _HAS_REASON
        and "/reason/" not in t.subject.value
    }


def supersede(
    triples: Iterable[ox.Triple], det: ox.NamedNode, sha256: str, current: ox.NamedNode
) -> list[ox.Triple]:
    """A version's triples renamed and retyped as a superseded version of ``current``.

    Its items' outcomes become ``imr:supersededOutcome``: every count of items (saved queries,
    the analysis, stats) goes through ``imr:hasOutcome``, so an outcome no longer in force can
    never be counted, even by a query that does not anchor on ``imr:Determination``. Its tally
    links (``imr:countedUnder``) are dropped, for the same reason.
    """
    old = det.value
    new = f"{old}/superseded/{sha256}"

    def rename(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> object:
        value = term.value if isinstance(term, ox.NamedNode) else ""
        if value == old or value.startswith(old + "/"):
            return ox.NamedNode(new + value[len(old) :])
        return term

    renamed = ox.NamedNode(new)
    out = []
    for t in triples:
        if t.predicate == COUNTED_UNDER:
            continue
        if t.subject == det and t.predicate == _RDF_TYPE and t.object == DETERMINATION:
            out.append(ox.Triple(renamed, _RDF_TYPE, SUPERSEDED_DETERMINATION))
            continue
        predicate = SUPERSEDED_OUTCOME if t.predicate == HAS_OUTCOME else t.predicate
        out.append(ox.Triple(rename(t.subject), predicate, rename(t.object)))
    out.append(ox.Triple(renamed, SUPERSEDED_BY, current))
    return out


@dataclass(frozen=True)
class Placed:
    """What happened to a letter: ``stored`` (current or kept as superseded) or ``skipped``."""

    kind: str
    detail: str


def _ranked(decision_date: str | None) -> str:
    """A decision date as the version rule compares it: none, or one not yet come, is earliest."""
    if not decision_date or decision_date > dt.date.today().isoformat():
        return ""
    return decision_date


def store_letter(
    store: GraphStore,
    graph: str,
    sha256: str,
    ntriples: bytes,
    drop: Iterable[str] = (),
    tallies: bytes = b"",
) -> Placed:
    """Store one checked letter by the version rule above, in one transaction.

    ``tallies``: N-Triples describing the tallies the letter's links point to, added to the
    tallies graph in the same transaction (``imrgraph.rdf.tallies``).
    """
    drop = [g for g in drop if g != graph]
    add = {TALLY_GRAPH: tallies} if tallies else {}
    current = current_version(store, graph)
    if current is None or current.sha256 == sha256:
        store.write_graphs({graph: ntriples}, drop=drop, add=add)
        return Placed("stored", graph)
    new = [q.triple for q in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)]
    det = _determination(new)
    stored = [q.triple for q in store.quads(graph)]
    current_det = ox.NamedNode(current.determination)
    where = current.file or current.sha256
    if _content(new, det) == _content(stored, current_det):
        if drop:  # this file's graphs under an older key (--force): the letter is here already
            store.write_graphs({}, drop=drop)
        return Placed("skipped", f"same letter already stored from {where}")
    new_date = _decision_date(new, det)
    if _ranked(new_date) >= _ranked(current.decision_date):
        demoted = supersede(stored, current_det, current.sha256, det)
        store.write_graphs(
            {superseded_graph(graph, current.sha256): demoted, graph: new}, drop=drop, add=add
        )
        return Placed("stored", f"{graph} (current; the version from {where} is superseded)")
    kept = supersede(new, det, sha256, current_det)
    target = superseded_graph(graph, sha256)
    store.write_graphs({target: kept}, drop=drop, add=add)
    return Placed(
        "stored",
        f"{target} (superseded: the version from {where} has a later decision date)",
    )


def check_base(store: GraphStore, base: str) -> None:
    """Refuse to ingest under ``base`` into a store that holds letters under another base.

    A letter's IRIs start with the base it was written under, so the same letter under a
    second base would be a second letter: every count doubled, and SHACL happy with both. One
    store holds one base; the store's letters say which (no extra record to keep in step, and
    the same on a server). Since every ingest checks, one letter tells: the look-up costs the
    same at any store size.
    """
    result = store.select(
        f"SELECT ?g ?det WHERE {{ GRAPH ?g {{ ?det a ?type }} "
        f"VALUES ?type {{ {DETERMINATION} {SUPERSEDED_DETERMINATION} }} }} LIMIT 1"
    )
    if not result.rows:
        return
    graph, det = (str(value) for value in result.rows[0])
    if graph.startswith(base + "graph/"):
        return
    # the base is what the graph IRI ({base}graph/...) and the determination IRI share
    length = next(
        (i for i, (a, b) in enumerate(zip(graph, det, strict=False)) if a != b),
        min(len(graph), len(det)),
    )
    theirs = graph[:length] or graph
    raise ImrGraphError(
        f"{store.location} holds letters written under the base {theirs} and this ingest would "
        f"write under {base}, storing each letter a second time: one store holds one base "
        f"(give --base {theirs}, or ingest into another store)"
    )
