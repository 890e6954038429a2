"""The interface both store backends share, and what can be written once on top of it.

A backend implements the primitives (``_select_terms``, ``_ask``, ``_construct``, ``_update``,
``quads``, ``close``); statistics, source look-ups, letter look-ups, ontology loading and export
are written here once over those primitives, so the embedded store and a SPARQL server behave
the same by construction.
"""

from __future__ import annotations

import abc
import contextlib
import contextvars
import hashlib
import io
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from imrgraph.errors import ImrGraphError, QueryError, QueryTimeout, StoreError
from imrgraph.rdf.tallies import TALLY_GRAPH, UNMARK_TALLIES
from imrgraph.rdf.vocab import IMR, PREFIXES
from imrgraph.resources import resource_dir
from imrgraph.store.results import SelectResult, Term
from imrgraph.store.sparqltext import check_query_text, query_form, serialize_term, then

#: Seconds one query may run, by default (``--timeout``): far above what any saved query or
#: analysis needs at 100,000 letters (BENCHMARKS.md), far below "for ever".
DEFAULT_TIMEOUT = 300.0
#: Cells (rows x columns) a SELECT may return by default (``GraphStore.max_cells``), all held in
#: memory at about 190 bytes a cell (10 million took 1.9 GB; 10 million rows of 12 columns, 18 GB;
#: so this is about 1 GB). Every saved query and the analysis return far fewer at 100,000
#: letters (at most one row per item, about 450,000, of a few columns).
MAX_CELLS = 5_000_000

#: The deadline (``time.monotonic()``) of the query the current thread is running, set by the
#: public query methods for the backend's primitives (a context variable, so threads of a web
#: app sharing one store each keep their own).
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("imrgraph_deadline")
_SECONDS: contextvars.ContextVar[float | None] = contextvars.ContextVar("imrgraph_seconds")

ONTOLOGY_GRAPH = "https://w3id.org/imrgraph/graph/ontology"

EXPORT_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
}

Binding = Any  # a pyoxigraph NamedNode/Literal, or a Python str/int/float/bool


def to_term(value: Binding) -> ox.NamedNode | ox.Literal:
    """A binding as an RDF term: terms pass through, Python values become typed literals."""
    if isinstance(value, (ox.NamedNode, ox.Literal)):
        return value
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(_XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(_XSD + "integer"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(_XSD + "double"))
    if isinstance(value, str):
        return ox.Literal(value)
    raise QueryError(f"cannot bind a {type(value).__name__} as a query parameter")


_XSD = "http://www.w3.org/2001/XMLSchema#"
_DCTERMS = "http://purl.org/dc/terms/"


def _ntriples(triples: Iterable[ox.Triple] | bytes) -> str:
    if isinstance(triples, bytes):
        return triples.decode("utf-8")
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")


def _prologue() -> str:
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())


class GraphStore(abc.ABC):
    """A quad store holding one named graph per letter plus the ontology graph."""

    #: a short description for messages ("store ./imrgraph-store", "endpoint http://...")
    location: str = ""
    #: seconds a query may run unless its call says otherwise (None: no limit)
    timeout: float | None = DEFAULT_TIMEOUT
    #: whether a query may hold SERVICE (the engine would fetch the URL it names)
    allow_service: bool = False
    #: cells a SELECT may return (held in memory): a cartesian product streams rows at about
    #: 40 MB a second, so the time limit alone would let it fill gigabytes first
    max_cells: int = MAX_CELLS

    def row_limit(self, columns: int) -> int:
        """How many rows of ``columns`` columns a SELECT may return (``max_cells``)."""
        return max(1, self.max_cells // max(1, columns))

    def too_many_rows(self, rows: int) -> QueryError:
        """The one-line error for a SELECT over ``max_cells``."""
        return QueryError(
            f"{self.location}: the query returns more than {rows:,} rows "
            f"({self.max_cells:,} values); add a LIMIT or narrow it"
        )

    # -- time limits ------------------------------------------------------------------------

    def deadline(self) -> float | None:
        """When the query being run must stop (``time.monotonic()``), or None for no limit."""
        deadline = _DEADLINE.get(0.0)
        if deadline != 0.0:
            return deadline
        return time.monotonic() + self.timeout if self.timeout else None

    @contextlib.contextmanager
    def _limited(self, sparql: str, timeout: float | None) -> Iterator[None]:
        """Check ``sparql`` (size, nesting, SERVICE) and set the deadline of running it."""
        check_query_text(sparql, allow_service=self.allow_service)
        seconds = self.timeout if timeout is None else timeout
        token = _DEADLINE.set(time.monotonic() + seconds if seconds else None)
        seconds_token = _SECONDS.set(seconds)
        try:
            yield
        finally:
            _DEADLINE.reset(token)
            _SECONDS.reset(seconds_token)

    def timed_out(self) -> QueryTimeout:
        """The one-line error for a query stopped at its deadline."""
        seconds = _SECONDS.get(self.timeout)
        return QueryTimeout(
            f"{self.location}: the query ran past its time limit ({seconds:g} s) and was "
            "stopped (--timeout SECONDS to allow more)"
        )

    # -- primitives every backend implements -------------------------------------------------

    @abc.abstractmethod
    def _select_terms(
        self, sparql: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]
    ) -> tuple[list[str], Iterable[tuple[Term | None, ...]]]:
        """Run a SELECT; return its variable names and rows of terms (``None`` = unbound)."""

    @abc.abstractmethod
    def _ask(self, sparql: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> bool:
        """Run an ASK query."""

    @abc.abstractmethod
    def _construct(self, sparql: str) -> Iterator[ox.Triple]:
        """Run a CONSTRUCT or DESCRIBE query."""

    @abc.abstractmethod
    def _update(self, sparql: str) -> None:
        """Run a SPARQL Update request as one transaction."""

    @abc.abstractmethod
    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """All quads of the store, or of the named graph ``graph`` (streamed)."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the store (the embedded store's lock, the HTTP connection pool)."""

    def count_quads(self) -> int:
        """Number of triples in all named graphs (letters and ontology; the same on any server)."""
        result = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(result.rows[0][0] or 0)

    # -- the public interface ---------------------------------------------------------------

    # Every public query method takes ``timeout`` (seconds; None: the store's own, 0: none): a
    # query past it stops with ``QueryTimeout`` and is never retried. Each refuses first a query
    # the engine could not survive (too deep, too long) or one holding SERVICE
    # (``sparqltext.check_query_text``).

    def select(
        self,
        sparql: str,
        bindings: Mapping[str, Binding] | None = None,
        *,
        timeout: float | None = None,
    ) -> SelectResult:
        """Run a SELECT query with ``bindings`` bound as RDF terms; rows of Python values."""
        form = query_form(sparql)
        if form != "SELECT":
            raise QueryError(f"expected a SELECT query, got {form}")
        terms = {name: to_term(value) for name, value in (bindings or {}).items()}
        with self._limited(sparql, timeout):
            columns, rows = self._select_terms(sparql, terms)
        return SelectResult.from_terms(columns, rows)

    def ask(
        self,
        sparql: str,
        bindings: Mapping[str, Binding] | None = None,
        *,
        timeout: float | None = None,
    ) -> bool:
        """Run an ASK query with ``bindings`` bound as RDF terms."""
        form = query_form(sparql)
        if form != "ASK":
            raise QueryError(f"expected an ASK query, got {form}")
        with self._limited(sparql, timeout):
            return self._ask(sparql, {name: to_term(v) for name, v in (bindings or {}).items()})

    def construct(self, sparql: str, *, timeout: float | None = None) -> Iterator[ox.Triple]:
        """Run a CONSTRUCT or DESCRIBE query; the triples it builds."""
        form = query_form(sparql)
        if form not in ("CONSTRUCT", "DESCRIBE"):
            raise QueryError(f"expected a CONSTRUCT or DESCRIBE query, got {form}")
        with self._limited(sparql, timeout):
            return self._construct(sparql)

    def update(self, sparql: str, *, timeout: float | None = None) -> None:
        """Run a SPARQL Update (one transaction). Only reached through ``--allow-update``.

        The tallies' trust mark is removed first (``imrgraph.store.tallies``): an update can
        change what a letter counts under, and only ``imrgraph tally`` can tell again. It goes
        in the update's own transaction: an update the store rejects keeps it, and a rebuild
        running meanwhile sees its token go with the change (``sparqltext.then``).
        """
        if query_form(sparql) != "UPDATE":
            raise QueryError("expected a SPARQL Update")
        with self._limited(sparql, timeout):
            self._user_update(then(sparql, UNMARK_TALLIES))

    def _user_update(self, sparql: str) -> None:
        """Run a user's update (``update``); a backend may bound its time (the embedded one)."""
        self._update(sparql)

    def replace_graph(
        self, graph: str, triples: Iterable[ox.Triple] | bytes, drop: Iterable[str] = ()
    ) -> None:
        """Replace named graph ``graph`` with ``triples`` in one transaction (all or nothing).

        ``triples`` may be pyoxigraph triples or their N-Triples serialisation (what ingest
        workers send, so the writing process does not parse and re-serialise every letter).
        The graphs in ``drop`` are removed in the same transaction.
        """
        self.write_graphs({graph: triples}, drop=drop)

    def write_graphs(
        self,
        graphs: Mapping[str, Iterable[ox.Triple] | bytes],
        drop: Iterable[str] = (),
        add: Mapping[str, Iterable[ox.Triple] | bytes] | None = None,
    ) -> None:
        """Replace several named graphs, drop others and add to others, all in ONE transaction.

        What keeps a corrected letter consistent (``imrgraph.store.versions``): demoting the
        current version to its superseded graph and storing the new one must not be split by a
        crash or a server failure. ``add``: triples inserted into graphs that are kept (the
        descriptions of the letter's tallies).
        """
        parts = [f"DROP SILENT GRAPH {serialize_term(ox.NamedNode(other))}" for other in drop]
        for graph, triples in graphs.items():
            name = serialize_term(ox.NamedNode(graph))
            parts.append(f"DROP SILENT GRAPH {name}")
            parts.append(f"INSERT DATA {{ GRAPH {name} {{\n{_ntriples(triples)}}} }}")
        for graph, triples in (add or {}).items():
            name = serialize_term(ox.NamedNode(graph))
            parts.append(f"INSERT DATA {{ GRAPH {name} {{\n{_ntriples(triples)}}} }}")
        self._update(" ;\n".join(parts))

    def drop_graph(self, graph: str) -> None:
        """Remove named graph ``graph`` (no error if absent)."""
        self._update(f"DROP SILENT GRAPH {serialize_term(ox.NamedNode(graph))}")

    def has_source(self, sha256: str) -> bool:
        """Whether a letter parsed from a file with this sha256 is stored."""
        # the digest is written as a serialised literal (a constant the index can use)
        return self._ask(
            f"ASK {{ GRAPH ?g {{ ?source <{IMR}sha256> {serialize_term(ox.Literal(sha256))} }} }}",
            {},
        )

    def letter_graphs(self) -> list[str]:
        """The IRIs of the named graphs holding letters (every graph but the ontology's)."""
        result = self.select(
            _prologue()
            + "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?d a imr:Determination } } ORDER BY ?g"
        )
        return [str(row[0]) for row in result.rows]

    def graph_of_case(self, case: str) -> str:
        """The named graph of the letter with case number (or key) ``case``.

        A superseded version (``imrgraph.store.versions``) is found only by its own key,
        ``{case}/superseded/{sha256}``; the case number alone names the current version.
        """
        result = self.select(
            _prologue() + "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?d a ?type . "
            "OPTIONAL { ?d dcterms:identifier ?id } } "
            "FILTER((?type = imr:Determination && ?id = ?case) || "
            "(?type IN (imr:Determination, imr:SupersededDetermination) && "
            "STRENDS(STR(?g), CONCAT('/graph/', ?case)))) }",
            {"case": case},
        )
        if not result.rows:
            raise StoreError(f"no letter with case number {case!r} in {self.location}")
        return str(result.rows[0][0])

    def load_ontology(self, directory: Path | None = None, *, force: bool = False) -> int:
        """Make the ontology graph hold every ``*.ttl`` of the ontology folder; triples loaded.

        The saved queries read the guideline and category hierarchies (skos:broader, labels)
        from this graph, so ingest calls this on every run. The files' sha256 is recorded in the
        graph (``dcterms:hasVersion``) and an unchanged ontology is not rewritten (0 is
        returned): re-ingesting changes nothing, not even blank node labels.
        """
        folder = directory or resource_dir("ontology")
        paths = sorted(folder.glob("*.ttl"))
        if not paths:
            raise StoreError(f"{folder}: no ontology (*.ttl) files to load")
        digest = hashlib.sha256()
        for path in paths:
            try:
                digest.update(path.read_bytes())
            except OSError as exc:
                raise StoreError(f"{path}: cannot read the ontology: {exc}") from exc
        version = ox.Literal(f"sha256:{digest.hexdigest()}")
        graph = ox.NamedNode(ONTOLOGY_GRAPH)
        has_version = ox.NamedNode(_DCTERMS + "hasVersion")
        if not force and self._ask(
            f"ASK {{ GRAPH {graph} {{ {graph} {has_version} ?v }} }}", {"v": version}
        ):
            return 0
        triples: list[ox.Triple] = [ox.Triple(graph, has_version, version)]
        for path in paths:
            try:
                parsed = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
                triples.extend(q.triple for q in parsed)
            except (SyntaxError, ValueError, OSError) as exc:
                raise StoreError(f"{path}: cannot load the ontology: {exc}") from exc
        # A new scheme may move sections between documents, so the tallies' trust mark goes in
        # the same transaction (imrgraph.store.tallies): a crash right after it cannot leave
        # letters tallied under the old scheme marked current. Ingest marks an empty store again.
        name = serialize_term(graph)
        self._update(
            f"{UNMARK_TALLIES} ;\nDROP SILENT GRAPH {name} ;\n"
            f"INSERT DATA {{ GRAPH {name} {{\n{_ntriples(triples)}}} }}"
        )
        return len(triples)

    def stats(self) -> dict[str, int]:
        """Counts of letters, items, outcomes and triples in the store.

        Letters and items come from the tallies when they are current (one scan,
        ``imrgraph.store.tallies``), else from the letters themselves.
        """
        from imrgraph.store.tallies import read_tallies, tallies_current

        if tallies_current(self):
            counts = read_tallies(self)
            letters = sum(c.count for c in counts if c.tally.kind == "letter")
            warned = sum(c.count for c in counts if c.tally.kind == "letter" and c.tally.warned)
            by_outcome: dict[str, int] = {}
            for c in counts:
                if c.tally.kind == "item" and c.tally.outcome:
                    name = c.tally.outcome.rsplit("#", 1)[-1]
                    by_outcome[name] = by_outcome.get(name, 0) + c.count
        else:
            letters, by_outcome = self._counted_stats()
            warned = self.select(  # a current letter's warnings, not a superseded version's
                _prologue() + "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE "
                "{ GRAPH ?g { ?d a imr:Determination ; imr:warning ?w } }"
            ).rows[0][0]
        letter_triples = self.select(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(?g NOT IN (<{ONTOLOGY_GRAPH}>, <{TALLY_GRAPH}>)) }}"
        ).rows[0][0]
        return {
            "letters": int(letters or 0),
            "letters_with_warnings": int(warned or 0),
            "items": sum(by_outcome.values()),
            "upheld": by_outcome.get("Upheld", 0),
            "overturned": by_outcome.get("Overturned", 0),
            # items kept with an outcome the parser could not read (and a warning)
            "unknown_outcome": by_outcome.get("UnknownOutcome", 0),
            "letter_triples": int(letter_triples or 0),
            "triples": self.count_quads(),
        }

    def _counted_stats(self) -> tuple[int, dict[str, int]]:
        """(letters, items by outcome) counted from the letters (no tallies needed)."""
        prologue = _prologue()
        letters = self.select(
            prologue + "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE "
            "{ GRAPH ?g { ?d a imr:Determination } }"
        ).rows[0][0]
        outcomes = self.select(
            prologue + "SELECT ?outcome (COUNT(DISTINCT ?item) AS ?n) WHERE "
            "{ GRAPH ?g { ?d a imr:Determination ; imr:hasItem ?item .\n"
            "  ?item imr:hasOutcome ?outcome } } "
            "GROUP BY ?outcome"
        )
        by_outcome = {str(row[0]).rsplit("#", 1)[-1]: int(row[1]) for row in outcomes.rows}
        return int(letters or 0), by_outcome

    def export(self, output: BinaryIO, fmt: str = "trig", case: str | None = None) -> int:
        """Write the whole store, or the letter ``case``, to ``output`` in ``fmt``; quad count.

        Triple formats (turtle, ntriples) of the whole store merge all graphs. JSON-LD goes
        through rdflib, which compacts IRIs with the project's prefixes (pyoxigraph writes no
        JSON-LD context), so it holds the data in memory; the other formats stream.
        """
        if fmt not in EXPORT_FORMATS:
            raise ImrGraphError(
                f"unknown export format {fmt!r} (one of {', '.join(EXPORT_FORMATS)})"
            )
        graph = self.graph_of_case(case) if case else None
        count = 0

        def counted(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
            nonlocal count
            for quad in quads:
                count += 1
                yield quad

        quads = counted(self.quads(graph))
        rdf_format = EXPORT_FORMATS[fmt]
        if fmt == "jsonld":
            import rdflib

            buffer = io.BytesIO()
            ox.serialize(quads, buffer, ox.RdfFormat.N_QUADS)
            dataset = rdflib.Dataset()
            dataset.parse(data=buffer.getvalue(), format="nquads")
            text = dataset.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True)
            output.write(text.encode("utf-8"))
            return count
        if not rdf_format.supports_datasets:
            stream: Iterable[ox.Triple | ox.Quad] = (q.triple for q in quads)
        else:
            stream = quads
        ox.serialize(stream, output, rdf_format, prefixes=dict(PREFIXES))
        return count

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
