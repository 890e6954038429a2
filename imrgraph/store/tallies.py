"""Keeping the tallies (``imrgraph.rdf.tallies``) in the store: written, trusted, rebuilt, read.

- **Written** with each letter, in the letter's own transaction (``imrgraph.store.ingest``
  computes them in the workers): the links go into the letter's graph, the descriptions of its
  tallies into the tallies graph (a description is the same triples whoever writes it, so
  writing it twice is harmless).
- **Trusted** only when the store says so: the tallies graph holds
  ``<tallies graph> imr:tallyVersion N`` when every current letter carries its links, made by
  this ``TALLY_VERSION``. Ingest writes the mark into an empty store and keeps it; a SPARQL
  Update from the user (``query --allow-update``) or a changed guideline scheme removes it in
  the same transaction, since either can change what a letter counts under. Without the mark
  the analysis counts the slow direct way and says so, and saved queries that read tallies
  refuse to run.
- **Rebuilt** by ``imrgraph tally`` (``retally``): every letter graph's links recomputed from its
  triples with the same function ingest uses, 50 letters per transaction (a crash loses
  nothing), then the mark, unless something removed it meanwhile.
- **Read** in two scans and no join (``read_tallies``): link counts per tally, and the tallies
  graph; the dimensions are matched in Python.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields

import pyoxigraph as ox

from imrgraph.errors import StoreError
from imrgraph.rdf.tallies import (
    COUNTED_UNDER,
    TALLY_BASE,
    TALLY_GRAPH,
    TALLY_KINDS,
    TALLY_VERSION,
    UNMARK_TALLIES,
    Tally,
    description_ntriples,
    letter_tallies,
)
from imrgraph.rdf.vocab import IMR
from imrgraph.store.base import GraphStore
from imrgraph.store.sparqltext import serialize_term

__all__ = [
    "TallyCount",
    "has_letters",
    "letter_and_version_graphs",
    "mark_tallies",
    "read_tallies",
    "retally",
    "section_documents",
    "tallies_current",
]

_I = str(IMR)
_GRAPH = ox.NamedNode(TALLY_GRAPH)
_VERSION = ox.NamedNode(_I + "tallyVersion")
_XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_KIND_OF_CLASS = {cls: kind for kind, cls in TALLY_KINDS.items()}
_SHA256 = ox.NamedNode(_I + "sha256")
_PARSER_VERSION = ox.NamedNode(_I + "parserVersion")
#: The dimensions a tally description may carry (``Tally``'s fields but its kind).
_DIMENSIONS = frozenset(f.name for f in dataclass_fields(Tally)) - {"kind"}


def section_documents() -> dict[str, str]:
    """Guideline section IRI -> its document IRI, from the packaged scheme (what ingest loads)."""
    from imrgraph.rdf.guidelines import guideline_scheme

    return guideline_scheme().section_documents


def tallies_current(store: GraphStore) -> bool:
    """Whether the store's tallies can be trusted (see the module docstring)."""
    version = ox.Literal(str(TALLY_VERSION), datatype=_XSD_INTEGER)
    return store.ask(
        f"ASK {{ GRAPH {_GRAPH} {{ {_GRAPH} {_VERSION} {serialize_term(version)} }} }}"
    )


def mark_tallies(store: GraphStore) -> None:
    """Record that every current letter carries its tallies (this ``TALLY_VERSION``)."""
    mark = f"{_GRAPH} {_VERSION} {_version()}"
    store._update(f"{UNMARK_TALLIES} ;\nINSERT DATA {{ GRAPH {_GRAPH} {{ {mark} }} }}")


def _version(version: int = TALLY_VERSION) -> str:
    return serialize_term(ox.Literal(str(version), datatype=_XSD_INTEGER))


def has_letters(store: GraphStore) -> bool:
    """Whether any named graph holds a letter (current or superseded) or a tally link.

    The links count too: a user's update can remove the letters' types and leave their links,
    and a store judged empty would then be marked current over links no letter backs.
    """
    return store.ask(
        f"ASK {{ GRAPH ?g {{ {{ ?d a ?type FILTER(?type IN (<{_I}Determination>, "
        f"<{_I}SupersededDetermination>)) }} UNION {{ ?x {COUNTED_UNDER} ?tally }} }} }}"
    )


def retally(
    store: GraphStore,
    *,
    graphs: list[str] | None = None,
    on_letter: Callable[[str], None] | None = None,
    batch: int = 50,
) -> int:
    """Recompute every letter's tally links from its triples, then mark the tallies current.

    Raises ``StoreError`` (and leaves no mark) if the mark was removed while it ran: a change to
    letters it had already rewritten could make their links wrong.

    ``batch`` letters are written per update (each letter's links replaced whole, so a crash
    between updates leaves letters either old or new, and the mark absent until a rerun ends).
    ``on_letter`` is called with each letter graph done (for a progress bar). Returns the number
    of letter graphs. ``graphs``: the letter graphs, when the caller has listed them already
    (they are listed again after the tallies graph is dropped; letters stored since are added).
    """
    store._update(UNMARK_TALLIES + f" ;\nDROP SILENT GRAPH {_GRAPH}")
    store.load_ontology()  # the scheme the links are computed with is the one the store holds
    # While the rebuild runs, the mark's place holds this run's token (a negative "version",
    # never current). Whatever removes the mark meanwhile (a user's update, a new scheme, another
    # rebuild) removes the token with it, and the token becomes the mark only if still there.
    token = f"{_GRAPH} {_VERSION} {_version(-1 - secrets.randbelow(1 << 62))}"
    store._update(f"INSERT DATA {{ GRAPH {_GRAPH} {{ {token} }} }}")
    # Listed again now that the descriptions are gone: a letter another writer stored after the
    # caller's listing lost its tallies' descriptions with the graph, and must be described again.
    graphs = sorted(set(graphs or ()) | set(letter_and_version_graphs(store)))
    done = 0
    for chunk in _chunks(graphs, batch):
        parts: list[str] = []
        descriptions: dict[str, bytes] = {}  # tally IRI -> N-Triples, as ingest writes them
        for graph in chunk:
            triples = [q.triple for q in store.quads(graph) if q.predicate != COUNTED_UNDER]
            links, tallies = letter_tallies(triples, section_documents())
            descriptions.update((tally.iri, description_ntriples(tally)) for tally in tallies)
            parts.append(_relink(graph, triples, links))
        if descriptions:
            body = b"".join(descriptions.values()).decode("utf-8")
            parts.append(f"INSERT DATA {{ GRAPH {_GRAPH} {{\n{body}}} }}")
        store._update(" ;\n".join(parts))
        for graph in chunk:
            done += 1
            if on_letter is not None:
                on_letter(graph)
    mark = f"{_GRAPH} {_VERSION} {_version()}"
    store._update(
        f"DELETE {{ GRAPH {_GRAPH} {{ {token} }} }} INSERT {{ GRAPH {_GRAPH} {{ {mark} }} }} "
        f"WHERE {{ GRAPH {_GRAPH} {{ {token} }} }}"
    )
    if not tallies_current(store):
        raise StoreError(
            f"{store.location}: the store changed while the tallies were rebuilt (a SPARQL "
            "Update, a new guideline scheme or another rebuild): run `imrgraph tally` again"
        )
    return done


def _relink(graph: str, triples: list[ox.Triple], links: list[ox.Triple]) -> str:
    """The update replacing ``graph``'s links by ``links``, if it still holds what was read.

    Another writer (an ingest on the same server) may replace or drop the letter between the
    read and this update; its own links are then right, and writing these over them (or into
    the dropped graph) would count the old letter under a current mark. The letter is known by
    its source file's sha256 (a new version or a dropped graph no longer holds it) and the
    version of the parser that read it (a `--force` re-ingest of the same file by another
    imrgraph may read it differently).
    """
    name = serialize_term(ox.NamedNode(graph))
    shas = [t for t in triples if t.predicate == _SHA256]
    held = ""
    if len(shas) == 1:
        read_by = [t for t in triples if t.predicate == _PARSER_VERSION]
        if read_by:
            parsed = " . ".join(
                f"{serialize_term(t.subject)} {_PARSER_VERSION} {serialize_term(t.object)}"
                for t in read_by
            )
        else:
            parsed = f"FILTER NOT EXISTS {{ ?activity {_PARSER_VERSION} ?version }}"
        held = (
            f"GRAPH {name} {{ {serialize_term(shas[0].subject)} {_SHA256} "
            f"{serialize_term(shas[0].object)} . {parsed} }}"
        )
    old = f"GRAPH {name} {{ ?s {COUNTED_UNDER} ?t }}"
    update = f"DELETE {{ {old} }} WHERE {{ {held} {old} }}"
    if links:
        update += f" ;\nINSERT {{ GRAPH {name} {{\n{_ntriples(links)}}} }} WHERE {{ {held} }}"
    return update


def letter_and_version_graphs(store: GraphStore) -> list[str]:
    """Every graph holding a letter, current or superseded (superseded ones get no links)."""
    result = store.select(
        f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?d a ?type }} FILTER(?type IN "
        f"(<{_I}Determination>, <{_I}SupersededDetermination>)) }} ORDER BY ?g"
    )
    return [str(row[0]) for row in result.rows]


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _ntriples(triples: Iterable[ox.Triple]) -> str:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")


@dataclass(frozen=True)
class TallyCount:
    """A tally and how many items (letters, for ``letter`` tallies) are counted under it."""

    tally: Tally
    count: int


def read_tallies(store: GraphStore) -> list[TallyCount]:
    """Every tally with its count: two scans of the store, joined here.

    Counting the links per tally is one scan of ``imr:countedUnder``; the descriptions are one
    scan of the tallies graph. Joining them in SPARQL would cost an index look-up per tally and
    dimension; in Python it costs nothing.
    """
    counted = store.select(
        f"SELECT ?tally (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?x {COUNTED_UNDER} ?tally }} }} "
        "GROUP BY ?tally"
    )
    counts = {str(tally): int(n) for tally, n in counted.rows}
    fields: dict[str, dict[str, object]] = {}
    for quad in store.quads(TALLY_GRAPH):
        subject = quad.subject.value
        if not subject.startswith(TALLY_BASE) or subject not in counts:
            continue
        predicate = quad.predicate.value
        values = fields.setdefault(subject, {})
        if predicate == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type":
            values["kind"] = _KIND_OF_CLASS.get(quad.object.value)
        elif predicate.startswith(_I + "tally"):
            name = predicate[len(_I) + 5 :].lower()
            value = _python(quad.object)
            if name not in _DIMENSIONS or values.setdefault(name, value) != value:
                # another tool wrote here (imrgraph writes one value per known dimension)
                raise StoreError(
                    f"{store.location}: the tallies graph describes {subject} with "
                    f"{predicate} {quad.object}, which imrgraph does not write: run "
                    "`imrgraph tally` to rebuild the tallies"
                )
    out = []
    for iri, values in fields.items():
        kind = values.pop("kind", None)
        if kind is None:
            continue
        tally = Tally(kind=str(kind), **values)  # type: ignore[arg-type]
        out.append(TallyCount(tally, counts[iri]))
    return out


def _python(term: object) -> object:
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value if term.datatype is not None else ""
        if datatype.endswith("#integer"):
            try:
                return int(term.value)
            except ValueError:
                return term  # not a number: reported by read_tallies as not imrgraph's
        if datatype.endswith("#boolean"):
            return term.value == "true"
        return term.value
    return None
