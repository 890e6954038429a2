"""SHACL validation of letter graphs with pyshacl, letter by letter or in batches.

Ingest validates every letter, so the cost per letter matters more than the cost of one big
validation (pyshacl's fixed cost per call dominates small graphs: ENGINEERING.md, and
BENCHMARKS.md "Validate"). The shapes and the ontology are read once per process
(:func:`default_validator`) and pyshacl's compiled shapes are reused between calls.
:meth:`Validator.validate_letters` validates many letters in one pyshacl call over their merged
triples, then attributes every result to the letter whose triples hold its focus node. Two
letters that would share a node (the same case number twice, one source file parsed twice) are
never put in one batch, so merging cannot invent a violation; only body-part nodes
(``{base}body-part/{slug}``), identical in every letter, are shared by design.

The shapes read the ontology in two places: a citation must name an ``imr:Guideline`` of
``gl:scheme`` and a service's category must be an ``imr:ServiceCategory``. How the ontology
reaches pyshacl is explained on :class:`Validator`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from pyshacl import Validator as PyshaclValidator
from pyshacl import validate as pyshacl_validate
from pyshacl.graph_abstraction import DataGraph
from pyshacl.shapes_graph import ShapesGraph
from rdflib import RDF, RDFS, SKOS, BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from imrgraph.errors import ImrGraphError, InputError, ValidationFailed
from imrgraph.model import Letter
from imrgraph.rdf.mapper import letter_rows, rows_to_graph
from imrgraph.rdf.vocab import (
    CAT,
    DCTERMS,
    DEFAULT_DATA_BASE,
    GL,
    IMR,
    ONTOLOGY_GRAPH,
    PREFIXES,
    PROV,
    RSN,
    SH,
)
from imrgraph.resources import resource_dir, resource_path

__all__ = [
    "LetterResult",
    "ValidationReport",
    "Validator",
    "Violation",
    "default_validator",
    "load_ontology",
    "load_shapes",
    "read_rdf",
    "validate_graph",
    "validate_letter",
    "validate_letters",
    "validate_store",
]

DEFAULT_BATCH_SIZE = 200
#: the label of triples that no imr:Determination reaches (a file that holds no letter)
NO_DETERMINATION = "(no determination)"


@dataclass(frozen=True)
class Violation:
    """One SHACL result, attributed to a letter."""

    letter: str  # the case number, else the letter's key / graph IRI
    graph: str | None  # the letter's named graph, when known
    focus_node: str
    path: str | None  # SHACL property path in prefixed form ("imr:hasOutcome", "^imr:hasItem")
    message: str
    severity: str  # "Violation", "Warning" or "Info"
    value: str | None = None
    source_file: str | None = None
    shape: str | None = None
    constraint: str | None = None  # the SHACL constraint component, e.g. "MinCount"


@dataclass
class LetterResult:
    """The validation outcome of one letter."""

    letter: str
    graph: str | None
    source_file: str | None
    violations: list[Violation] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not self.violations


@dataclass
class ValidationReport:
    """Results of validating many letters; ``conforms`` when every letter does."""

    results: list[LetterResult]

    @property
    def conforms(self) -> bool:
        return all(result.conforms for result in self.results)

    @property
    def violations(self) -> list[Violation]:
        return [v for result in self.results for v in result.violations]

    @property
    def failed(self) -> list[LetterResult]:
        return [result for result in self.results if not result.conforms]


@dataclass
class _Unit:
    """One letter's triples waiting in a batch: its label, graph, source file and subjects."""

    letter: str
    graph: str | None
    source_file: str | None
    triples: list[tuple[Node, Node, Node]] | None = None
    rows: list | None = None


class LetterSource(Protocol):
    """What :meth:`Validator.validate_store` needs of a store (``imrgraph.store.GraphStore``)."""

    def letter_graphs(self) -> list[str]: ...

    def quads(self, graph: str | None = None) -> Iterable[ox.Quad]: ...


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _rdflib_term(term: object) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise ImrGraphError(f"unsupported RDF term in the store: {term!r}")


def _rdflib_triple(quad: ox.Quad | ox.Triple) -> tuple[Node, Node, Node]:
    return (
        _rdflib_term(quad.subject),
        _rdflib_term(quad.predicate),
        _rdflib_term(quad.object),
    )


# ---- loading ---------------------------------------------------------------------------------


def _parse(graph: Graph, path: Path) -> None:
    try:
        graph.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many types for bad Turtle
        raise ImrGraphError(f"{path}: cannot parse: {exc}") from exc


@cache
def load_ontology() -> Graph:
    """Every ``ontology/*.ttl`` (the OWL ontology and both concept schemes) as one Graph.

    Cached: treat the result as read-only.
    """
    graph = Graph()
    for path in sorted(resource_dir("ontology").glob("*.ttl")):
        _parse(graph, path)
    return graph


@cache
def load_shapes() -> Graph:
    """``shapes/imr.shapes.ttl`` as a Graph (cached: treat as read-only)."""
    graph = Graph()
    _parse(graph, resource_path("shapes", "imr.shapes.ttl"))
    return graph


def validation_ontology(ontology: Graph) -> Graph:
    """The part of ``ontology`` the shapes read: subclass axioms, and the types, scheme
    membership and family of the guideline, category and reason concepts."""
    slim = Graph()
    concept_prefixes = (str(GL), str(CAT), str(RSN))
    for s, p, o in ontology.triples((None, RDFS.subClassOf, None)):
        if isinstance(o, URIRef):
            slim.add((s, p, o))
    for predicate in (RDF.type, SKOS.inScheme, IMR.family):
        for s, p, o in ontology.triples((None, predicate, None)):
            if isinstance(s, URIRef) and str(s).startswith(concept_prefixes):
                slim.add((s, p, o))
    return slim


# ---- the validator ---------------------------------------------------------------------------


class Validator:
    """pyshacl over letter graphs, with the shapes and ontology read and compiled once.

    Not thread-safe (it keeps pyshacl's compiled shapes between calls); use one per thread or
    process.

    ``use_ont_graph=True`` hands the ontology (the part :func:`validation_ontology` keeps) to
    pyshacl as ``ont_graph`` on every call, the textbook way. pyshacl then copies
    ("inoculates") every class axiom and named individual into a clone of the data graph on
    each call, which costs more than validating a letter. The default instead adds to each
    batch's data graph the ontology triples about the nodes that batch mentions (the cited
    concepts' types and scheme, the categories' types) plus the subclass axioms: the same
    triples inoculation would contribute to any check these shapes make, since no shape targets
    an ontology individual. ``benchmarks/validate.py`` compares both.
    """

    def __init__(
        self,
        shapes: Graph | None = None,
        ontology: Graph | None = None,
        *,
        use_ont_graph: bool = False,
    ) -> None:
        self.shapes = shapes if shapes is not None else load_shapes()
        self.ontology = validation_ontology(ontology if ontology is not None else load_ontology())
        self.use_ont_graph = use_ont_graph
        self._axioms = [t for t in self.ontology if t[1] == RDFS.subClassOf]
        self._about: dict[str, list[tuple[Node, Node, Node]]] = {}
        for triple in self.ontology:
            if triple[1] != RDFS.subClassOf:
                self._about.setdefault(str(triple[0]), []).append(triple)
        self._compiled: ShapesGraph | None = None
        self._namespaces = NamespaceManager(Graph(), bind_namespaces="none")
        for prefix, iri in PREFIXES.items():
            self._namespaces.bind(prefix, iri)

    # -- public API

    def validate_letter(self, letter: Letter, base: str = DEFAULT_DATA_BASE) -> LetterResult:
        """Validate one parsed letter's graph."""
        return self.validate_letters([letter], base=base, batch_size=1)[0]

    def validate_letters(
        self,
        letters: Sequence[Letter],
        base: str = DEFAULT_DATA_BASE,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> list[LetterResult]:
        """Validate many letters, ``batch_size`` per pyshacl call; a result per letter, in order."""
        units = []
        for letter in letters:
            graph_iri, rows = letter_rows(letter, base)
            units.append(
                _Unit(
                    letter=letter.case_number or letter.key,
                    graph=graph_iri,
                    source_file=letter.source.path or None,
                    rows=rows,
                )
            )
        return self._validate_units(units, batch_size)

    def validate_graph(
        self, data: Graph | Dataset, batch_size: int = DEFAULT_BATCH_SIZE
    ) -> ValidationReport:
        """Validate RDF data: each named graph is one letter; triples in the default graph are
        split into letters by what each imr:Determination reaches."""
        return ValidationReport(self._validate_units(list(_units_of(data)), batch_size))

    def validate_store(
        self, store: LetterSource, batch_size: int = DEFAULT_BATCH_SIZE
    ) -> ValidationReport:
        """Validate every letter graph of a store (embedded or SPARQL server), ``batch_size``
        graphs at a time so memory stays bounded whatever the size of the store."""
        results: list[LetterResult] = []
        graphs = store.letter_graphs()
        for start in range(0, len(graphs), batch_size):
            units = [
                _unit(name, [_rdflib_triple(q) for q in store.quads(name)])
                for name in graphs[start : start + batch_size]
            ]
            results.extend(self._validate_units(units, batch_size))
        return ValidationReport(results)

    def run_pyshacl(self, data: Graph) -> tuple[bool, Graph]:
        """One pyshacl run over ``data`` (modified in place: ontology triples are added)."""
        if self.use_ont_graph:
            conforms, report, _ = pyshacl_validate(
                data,
                shacl_graph=self.shapes,
                ont_graph=self.ontology,
                inference="none",
                inplace=True,
            )
            return bool(conforms), report
        mentioned = {str(o) for o in data.objects() if isinstance(o, URIRef)}
        extra = [t for iri in mentioned for t in self._about.get(iri, ())]
        data.addN((s, p, o, data) for s, p, o in extra + self._axioms)
        validator = PyshaclValidator(
            DataGraph.from_rdflib(data),
            shacl_graph=self.shapes,
            options={"inference": "none", "inplace": True},
        )
        # Shapes compiled by the first run are reused: compiling them costs about as much as
        # validating a letter, and they do not depend on the data.
        if self._compiled is None:
            self._compiled = validator.shacl_graph
        else:
            validator.shacl_graph = self._compiled
        conforms, report, _ = validator.run()
        return bool(conforms), report

    # -- internals

    def _validate_units(self, units: list[_Unit], batch_size: int) -> list[LetterResult]:
        results = [LetterResult(u.letter, u.graph, u.source_file) for u in units]
        for batch in _batches(units, max(1, batch_size)):
            self._validate_batch(batch, results)
        return results

    def _validate_batch(self, batch: list[tuple[int, _Unit]], results: list[LetterResult]) -> None:
        data = Graph()
        owners: dict[Node, list[int]] = {}
        for index, unit in batch:
            if unit.rows is not None:
                rows_to_graph(unit.rows, data)
                subjects: Iterable[Node] = {URIRef(row[0]) for row in unit.rows}
            else:
                assert unit.triples is not None
                data.addN((s, p, o, data) for s, p, o in unit.triples)
                subjects = {s for s, _, _ in unit.triples}
            for subject in subjects:
                owners.setdefault(subject, []).append(index)
        conforms, report = self.run_pyshacl(data)
        if conforms:
            return
        for violation_node in report.objects(None, SH.result):
            focus = report.value(violation_node, SH.focusNode)
            indexes = owners.get(focus) if focus is not None else None
            if not indexes:  # a node no letter describes (only referenced): the first letter
                indexes = [batch[0][0]]
            for index in indexes:
                result = results[index]
                result.violations.append(self._violation(report, violation_node, result))

    def _violation(self, report: Graph, node: Node, result: LetterResult) -> Violation:
        def text(value: Node | None) -> str | None:
            if value is None:
                return None
            if isinstance(value, URIRef):
                return self._namespaces.normalizeUri(value)
            return str(value)

        messages = [str(m) for m in report.objects(node, SH.resultMessage)]
        severity = report.value(node, SH.resultSeverity)
        path = report.value(node, SH.resultPath)
        focus = report.value(node, SH.focusNode)
        shape = report.value(node, SH.sourceShape)
        return Violation(
            letter=result.letter,
            graph=result.graph,
            focus_node=str(focus),
            path=self._path(report, path) if path is not None else None,
            message=messages[0] if messages else "constraint violated",
            severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
            value=text(report.value(node, SH.value)),
            source_file=result.source_file,
            shape=text(shape) if isinstance(shape, URIRef) else None,
            constraint=_component(report.value(node, SH.sourceConstraintComponent)),
        )

    def _path(self, graph: Graph, path: Node) -> str:
        """A SHACL path in SPARQL property-path syntax with the project's prefixes."""
        if isinstance(path, URIRef):
            return self._namespaces.normalizeUri(path)
        inverse = graph.value(path, SH.inversePath)
        if inverse is not None:
            return "^" + self._path(graph, inverse)
        if graph.value(path, RDF.first) is not None:
            return "/".join(self._path(graph, step) for step in Collection(graph, path))
        for key, suffix in (
            (SH.zeroOrMorePath, "*"),
            (SH.oneOrMorePath, "+"),
            (SH.zeroOrOnePath, "?"),
        ):
            inner = graph.value(path, key)
            if inner is not None:
                return self._path(graph, inner) + suffix
        return str(path)


def _component(node: Node | None) -> str | None:
    """sh:MinCountConstraintComponent -> "MinCount"."""
    if node is None:
        return None
    name = str(node).rsplit("#", 1)[-1]
    return name.removesuffix("ConstraintComponent")


def _batches(units: list[_Unit], size: int) -> Iterator[list[tuple[int, _Unit]]]:
    """Group units into batches of at most ``size`` so that merging letters cannot create or
    hide a violation: no two units in a batch describe the same node, except body-part nodes
    that both describe with exactly the same triples."""
    batch: list[tuple[int, _Unit]] = []
    seen: set[str] = set()
    shared: dict[str, frozenset] = {}
    for index, unit in enumerate(units):
        about: dict[str, set] = {}
        if unit.rows is not None:
            for row in unit.rows:
                about.setdefault(row[0], set()).add(row[1:])
        else:
            for s, p, o in unit.triples or ():
                about.setdefault(str(s), set()).add((p, o))
        own = {s for s in about if "/body-part/" not in s}
        parts = {s: frozenset(about[s]) for s in about if "/body-part/" in s}
        clash = not own.isdisjoint(seen) or any(
            shared.get(s, rows) != rows for s, rows in parts.items()
        )
        if batch and (len(batch) >= size or clash):
            yield batch
            batch, seen, shared = [], set(), {}
        batch.append((index, unit))
        seen |= own
        shared.update(parts)
    if batch:
        yield batch


def _units_of(data: Graph | Dataset) -> Iterator[_Unit]:
    """Split RDF data into letters: one per non-empty named graph (the ontology graph skipped),
    and for the default graph one per imr:Determination with the nodes it reaches."""
    if isinstance(data, Dataset):
        for graph in data.graphs():
            if graph.identifier == data.default_graph.identifier or not len(graph):
                continue
            if str(graph.identifier) == ONTOLOGY_GRAPH:
                continue
            yield _unit(str(graph.identifier), list(graph))
        default = data.default_graph
        if len(default):
            yield from _split_by_determination(default)
    else:
        yield from _split_by_determination(data)


_DETERMINATION_TYPES = (IMR.Determination, IMR.SupersededDetermination)


def _unit(graph_iri: str | None, triples: list[tuple[Node, Node, Node]]) -> _Unit:
    """A unit for a letter's triples, labelled by its case number (else its determination's
    key) and the file name of its source."""
    det = identifier = source = None
    names: dict[Node, Node] = {}
    for s, p, o in triples:
        if p == RDF.type and o in _DETERMINATION_TYPES:
            det = s
        elif p == DCTERMS.identifier:
            identifier = (s, o)
        elif p == PROV.wasDerivedFrom:
            source = (s, o)
        elif p == IMR.fileName:
            names[s] = o
    label = source_file = None
    if det is not None:
        if identifier is not None and identifier[0] == det:
            label = str(identifier[1])
        else:
            label = str(det).rsplit("/", 1)[-1]
        if source is not None and source[0] == det and source[1] in names:
            source_file = str(names[source[1]])
    return _Unit(
        letter=label or graph_iri or NO_DETERMINATION,
        graph=graph_iri,
        source_file=source_file,
        triples=triples,
    )


def _split_by_determination(graph: Graph) -> Iterator[_Unit]:
    determinations = [d for t in _DETERMINATION_TYPES for d in graph.subjects(RDF.type, t)]
    claimed: set[Node] = set()
    for det in determinations:
        reach = {det}
        todo = [det]
        while todo:
            node = todo.pop()
            for p, o in graph.predicate_objects(node):
                if (
                    p != RDF.type
                    and isinstance(o, URIRef | BNode)
                    and o not in reach
                    and (o, None, None) in graph
                ):
                    reach.add(o)
                    todo.append(o)
        # A node two determinations reach (a body part) stays with each; a parse activity is
        # reached through prov:wasGeneratedBy.
        claimed |= reach
        yield _unit(None, [t for node in reach for t in graph.triples((node, None, None))])
    rest = [t for t in graph if t[0] not in claimed]
    if rest:
        yield _unit(None, rest)


# ---- RDF files ---------------------------------------------------------------------------------

#: file extension -> rdflib parser name; quad formats keep one named graph per letter
RDF_FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".ntriples": "nt",
    ".nq": "nquads",
    ".nquads": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".n3": "n3",
}


def read_rdf(path: Path) -> Dataset:
    """Parse an RDF file, its format chosen by extension, into a Dataset.

    Raises :class:`InputError` ("PATH: reason", one line) for a missing file, an unknown
    extension or a syntax error. A file is read without network access and without entity
    expansion: a JSON-LD ``@context`` (or ``@import``) naming a URL is refused, not fetched, and
    RDF/XML may declare only plain internal entities (no external, parameter or nested ones:
    the "billion laughs" bomb), checked before any entity is expanded.
    """
    fmt = RDF_FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(RDF_FORMATS))
        raise InputError(str(path), f"unknown RDF file extension (expected one of {known})")
    if not path.is_file():
        raise InputError(str(path), "no such file")
    dataset = Dataset()
    try:
        if fmt == "json-ld":
            text = path.read_text(encoding="utf-8")
            _refuse_remote_contexts(path, json.loads(text))
            dataset.parse(data=text, format=fmt, base=path.resolve().as_uri())
        else:
            if fmt == "xml":
                _refuse_entity_bombs(path)
            dataset.parse(path, format=fmt)
    except InputError:
        raise
    except Exception as exc:  # rdflib's parsers raise many exception types
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise InputError(str(path), f"not valid {fmt}: {reason[:300]}") from exc
    return dataset


def _refuse_remote_contexts(path: Path, data: object) -> None:
    """Refuse a JSON-LD document whose ``@context`` (or a context's ``@import``) is a URL.

    rdflib would fetch it (an outbound request nobody asked for, and a hang on a server that
    never answers); rdflib 7 has no switch to forbid that, so the document is checked first.
    """
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                contexts = value if isinstance(value, list) else [value]
                if key in ("@context", "@import"):
                    for context in contexts:
                        if isinstance(context, str):
                            raise InputError(
                                str(path),
                                f"JSON-LD {key} names a remote document ({context[:200]}); "
                                "files are read without network access: inline the context",
                            )
                stack.append(value)


class _Prolog(Exception):
    """Raised to stop the entity check at the first element (the prolog is all it needs)."""


def _refuse_entity_bombs(path: Path) -> None:
    """Refuse an XML file declaring external, parameter or nested entities, before parsing.

    Expat reports each declaration before anything is expanded; a plain internal entity
    (``<!ENTITY owl "http://www.w3.org/2002/07/owl#">``, common in OWL files) expands to its
    text once per use, which the file's size bounds. Reading stops at the first element.
    """
    import xml.parsers.expat

    parser = xml.parsers.expat.ParserCreate()

    def declared(name, is_parameter, value, base, system_id, public_id, notation) -> None:
        if is_parameter or value is None or "&" in value or "%" in value:
            raise InputError(
                str(path),
                f"XML entity {name!r} is external, a parameter entity or refers to other "
                "entities: refused (files are read with entity expansion off)",
            )

    def first_element(name, attributes) -> None:
        raise _Prolog

    parser.EntityDeclHandler = declared
    parser.StartElementHandler = first_element
    parser.ExternalEntityRefHandler = lambda *args: 1  # never fetch an external DTD or entity
    try:
        with path.open("rb") as handle:
            parser.ParseFile(handle)
    except _Prolog:
        return
    except xml.parsers.expat.ExpatError as exc:
        raise InputError(str(path), f"not valid xml: {exc}") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None


# ---- module-level conveniences ----------------------------------------------------------------


@cache
def default_validator() -> Validator:
    """A Validator over the packaged shapes and ontology, built once per process."""
    return Validator()


def validate_letter(letter: Letter, base: str = DEFAULT_DATA_BASE) -> LetterResult:
    """Validate one parsed letter against the packaged shapes."""
    return default_validator().validate_letter(letter, base)


def validate_letters(
    letters: Sequence[Letter],
    base: str = DEFAULT_DATA_BASE,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> list[LetterResult]:
    """Validate many parsed letters in batches; one :class:`LetterResult` per letter, in order."""
    return default_validator().validate_letters(letters, base, batch_size)


def validate_graph(data: Graph | Dataset, batch_size: int = DEFAULT_BATCH_SIZE) -> ValidationReport:
    """Validate RDF data (a letter graph, a dataset of letter graphs) with the packaged shapes."""
    return default_validator().validate_graph(data, batch_size)


def validate_store(store: LetterSource, batch_size: int = DEFAULT_BATCH_SIZE) -> ValidationReport:
    """Validate every letter graph of an open store against the packaged shapes."""
    return default_validator().validate_store(store, batch_size)


def require_valid(result: LetterResult) -> None:
    """Raise :class:`ValidationFailed` naming the letter, its source file and first violation."""
    if result.conforms:
        return
    first = result.violations[0]
    where = result.source_file or result.letter
    more = f" (and {len(result.violations) - 1} more)" if len(result.violations) > 1 else ""
    raise ValidationFailed(f"{where}: does not conform: {first.message}{more}")
