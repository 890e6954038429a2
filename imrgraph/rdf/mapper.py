"""Map a parsed letter (``model.Letter``) to RDF: one named graph per letter, deterministic IRIs.

The IRI patterns and vocabulary are docs/DESIGN.md's "RDF vocabulary" table. The mapper is
total: it writes what the letter says and leaves judging to SHACL (``validate.py``), so an age of
300 or an unknown category becomes a triple the shapes reject, not an exception here.

Speed matters (a year of letters is 100,000-200,000): the letter is first turned into plain
Python rows ``(subject, predicate, object, kind)`` with no RDF library involved, and only then into
the terms a consumer needs: pyoxigraph quads/triples for the store (the fast path, no rdflib
objects at all), N-Triples bytes for ingest workers, or an rdflib Graph/Dataset for pyshacl and
for callers who want rdflib. The same letter always yields the same rows, hence the same triples;
only ``generated_at`` (the parse time) adds a varying triple, and only when given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import lru_cache
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef

from imrgraph.errors import ImrGraphError
from imrgraph.model import Citation, Letter, Reason
from imrgraph.rdf.guidelines import guideline_scheme
from imrgraph.rdf.vocab import CAT, DCTERMS, DEFAULT_DATA_BASE, IMR, PROV, RSN

__all__ = [
    "CITING_PARTIES",
    "OUTCOME_IRIS",
    "InvalidBase",
    "Row",
    "category_iri",
    "letter_graph_iri",
    "letter_rows",
    "letter_to_dataset",
    "letter_to_graph",
    "letter_to_ntriples",
    "letter_to_quads",
    "letter_to_triples",
    "normalize_base",
    "rows_to_graph",
]

# A row is (subject IRI, predicate IRI, object, kind): kind None = the object is an IRI,
# "" = a plain string literal (xsd:string), otherwise the datatype IRI of a typed literal.
Row = tuple[str, str, str, str | None]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_DATE = _XSD + "date"
_INTEGER = _XSD + "integer"
_BOOLEAN = _XSD + "boolean"
_DATETIME = _XSD + "dateTime"
_STRING = ""

_I = str(IMR)
_P = str(PROV)
_RSN = str(RSN)
_DC = str(DCTERMS)

# Who cited: (model attribute, IRI slug, citing-party individual).
CITING_PARTIES: tuple[tuple[str, str, str], ...] = (
    ("claims_administrator_citations", "claims-administrator", _I + "ClaimsAdministrator"),
    ("reviewer_citations", "expert-reviewer", _I + "ExpertReviewer"),
    ("rationale_citations", "rationale", _I + "RationaleText"),
)
_MEDIA_TYPES = {"pdf": "application/pdf", "text": "text/plain"}
# The model's outcome -> its individual of imr:Outcome. "Unknown" (a decision line the parser
# could not read; the item is kept with a warning) gets a name that says what it is.
OUTCOME_IRIS: dict[str, str] = {
    "Upheld": _I + "Upheld",
    "Overturned": _I + "Overturned",
    "Unknown": _I + "UnknownOutcome",
}
_SLUG = re.compile(r"[^a-z0-9]+")


class InvalidBase(ImrGraphError):
    """The data base IRI given by the user is not an absolute http(s) IRI."""


@lru_cache(maxsize=64)
def normalize_base(base: str) -> str:
    """Check the data base IRI and make it end with "/" or "#" so paths can be appended."""
    if not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", base):
        raise InvalidBase(f"--base {base!r}: not an absolute http(s) IRI")
    return base if base.endswith(("/", "#")) else base + "/"


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.casefold()).strip("-") or "unnamed"


def _key(letter: Letter) -> str:
    # Case numbers are "CM15-0123456"; anything else a letter might carry is percent-encoded so
    # the IRI stays valid and distinct.
    return quote(letter.key, safe="-._~")


@lru_cache(maxsize=256)
def category_iri(category: str) -> str:
    """The concept of the category scheme for a category name ("Physical Medicine" ->
    cat:physical-medicine). Unknown names get an IRI too, which SHACL then rejects."""
    return f"{CAT}{_slug(category)}"


def letter_graph_iri(letter: Letter, base: str = DEFAULT_DATA_BASE) -> str:
    """The named graph that holds ``letter``'s triples: ``{base}graph/{key}``."""
    return f"{normalize_base(base)}graph/{_key(letter)}"


def letter_rows(
    letter: Letter, base: str = DEFAULT_DATA_BASE, generated_at: datetime | None = None
) -> tuple[str, list[Row]]:
    """The letter's named-graph IRI and its triples as plain rows (see :data:`Row`)."""
    base = normalize_base(base)
    key = _key(letter)
    rows: list[Row] = []
    add = rows.append
    scheme = guideline_scheme()

    det = f"{base}determination/{key}"
    sha = quote(letter.source.sha256, safe="")  # hex digits; anything else stays a valid IRI
    source = f"{base}source/{sha}"
    activity = f"{base}activity/parse/{sha}"

    add((det, _RDF_TYPE, _I + "Determination", None))
    if letter.case_number:
        add((det, _DC + "identifier", letter.case_number, _STRING))
    if letter.priority:
        add((det, _I + "priority", letter.priority, _STRING))
    dates = letter.dates
    for prop, value in (
        ("dateAssigned", dates.assigned),
        ("decisionDate", dates.decision),
        ("applicationReceivedDate", dates.application_received),
    ):
        if value:
            add((det, _I + prop, value, _DATE))
    for warning in letter.warnings:
        add((det, _I + "warning", warning, _STRING))

    # Provenance: the source file, the parse activity, the software agent (in the ontology).
    add((det, _P + "wasDerivedFrom", source, None))
    add((det, _P + "wasGeneratedBy", activity, None))
    add((source, _RDF_TYPE, _I + "SourceDocument", None))
    add((source, _I + "sha256", letter.source.sha256, _STRING))
    media_type = _MEDIA_TYPES.get(letter.source.format, letter.source.format)
    add((source, _DC + "format", media_type, _STRING))
    if letter.source.pages is not None:
        add((source, _I + "pageCount", str(letter.source.pages), _INTEGER))
    if letter.source.path:
        add((source, _I + "fileName", letter.source.path, _STRING))
    add((activity, _RDF_TYPE, _I + "ParseActivity", None))
    add((activity, _RDF_TYPE, _P + "Activity", None))
    add((activity, _P + "used", source, None))
    add((activity, _P + "wasAssociatedWith", _I + "imrgraphParser", None))
    if letter.source.parser_version:
        add((activity, _I + "parserVersion", letter.source.parser_version, _STRING))
    if generated_at is not None:
        add((activity, _P + "endedAtTime", generated_at.isoformat(), _DATETIME))

    applicant = letter.applicant
    if applicant.age is not None or applicant.sex:
        node = f"{det}/applicant"
        add((det, _I + "concernsApplicant", node, None))
        add((node, _RDF_TYPE, _I + "Applicant", None))
        if applicant.age is not None:
            add((node, _I + "age", str(applicant.age), _INTEGER))
        if applicant.sex:
            add((node, _I + "sex", applicant.sex, _STRING))

    injury = letter.injury
    injury_date = injury.date or dates.injury
    if injury_date or injury.body_parts:
        node = f"{det}/injury"
        add((det, _I + "concernsInjury", node, None))
        add((node, _RDF_TYPE, _I + "Injury", None))
        if injury_date:
            add((node, _I + "injuryDate", injury_date, _DATE))
        for part in injury.body_parts:
            part_iri = f"{base}body-part/{_slug(part)}"
            add((node, _I + "affectsBodyPart", part_iri, None))
            add((part_iri, _RDF_TYPE, _I + "BodyPart", None))
            add((part_iri, _RDFS_LABEL, part, _STRING))

    reviewer = letter.reviewer
    if reviewer.specialties or reviewer.licensure_states:
        node = f"{det}/reviewer"
        add((det, _I + "reviewedBy", node, None))
        add((node, _RDF_TYPE, _I + "Reviewer", None))
        for specialty in reviewer.specialties:
            add((node, _I + "specialty", specialty, _STRING))
        for state in reviewer.licensure_states:
            add((node, _I + "licensedIn", state, _STRING))

    if dates.ur_decision:
        node = f"{det}/ur-decision"
        add((det, _I + "followsURDecision", node, None))
        add((node, _RDF_TYPE, _I + "UtilizationReviewDecision", None))
        add((node, _I + "urDecisionDate", dates.ur_decision, _DATE))

    for position, item in enumerate(letter.items, start=1):
        # The position, not the number as written, names the item: older letters can repeat a
        # number, and two items must never merge into one node.
        node = f"{det}/item/{position}"
        add((det, _I + "hasItem", node, None))
        add((node, _RDF_TYPE, _I + "DisputedItem", None))
        add((node, _I + "itemNumber", str(item.number), _INTEGER))
        # Upheld/Overturned/Unknown; anything else (bad input) still makes a valid IRI, which
        # SHACL rejects.
        outcome = OUTCOME_IRIS.get(item.outcome) or _I + quote(item.outcome, safe="")
        add((node, _I + "hasOutcome", outcome, None))
        # A modified request: what the heading says of the whole request (the service is the
        # part that went to IMR).
        if item.original_request:
            add((node, _I + "originalRequest", item.original_request, _STRING))
        if item.authorized:
            add((node, _I + "authorizedPortion", item.authorized, _STRING))
        if item.rationale:
            add((node, _I + "rationale", item.rationale, _STRING))
        if item.decisive_sentence:
            add((node, _I + "decisiveSentence", item.decisive_sentence, _STRING))
        if item.page is not None:
            add((node, _I + "sourcePage", str(item.page), _INTEGER))
        service = f"{node}/service"
        add((node, _I + "requestsService", service, None))
        add((service, _RDF_TYPE, _I + "Service", None))
        add((service, _RDFS_LABEL, item.service, _STRING))
        add((service, _I + "serviceCategory", category_iri(item.category), None))
        for attribute, slug, party in CITING_PARTIES:
            citations: list[Citation] = getattr(item, attribute)
            for index, citation in enumerate(citations, start=1):
                cit = f"{node}/citation/{slug}-{index}"
                add((node, _I + "hasCitation", cit, None))
                add((cit, _RDF_TYPE, _I + "GuidelineCitation", None))
                add((cit, _I + "citedBy", party, None))
                add((cit, _I + "citationText", citation.text, _STRING))
                concept = scheme.resolve(citation)
                if concept:
                    add((cit, _I + "citesGuideline", concept, None))
                add((cit, _I + "guidelineFamily", citation.family, _STRING))
                add((cit, _I + "inMTUS", "true" if citation.in_mtus else "false", _BOOLEAN))
                if citation.edition:
                    add((cit, _I + "edition", citation.edition, _STRING))
                if citation.section:
                    add((cit, _I + "section", citation.section, _STRING))
                if citation.pages:
                    add((cit, _I + "pages", citation.pages, _STRING))
        _reason_rows(add, node, item.reasons, source)
    return f"{base}graph/{key}", rows


def _reason_rows(add: Callable[[Row], None], node: str, reasons: list[Reason], source: str) -> None:
    """The item's reasons: one statement per reason ({item}/reason/{code}) with its concept,
    its sentence and page, derived from the source document (PROV), like the letter itself."""
    for reason in reasons:
        code = quote(reason.code, safe="-")  # a scheme code; anything else stays a valid IRI
        statement = f"{node}/reason/{code}"
        add((node, _I + "hasReason", statement, None))
        add((statement, _RDF_TYPE, _I + "ReasonStatement", None))
        add((statement, _I + "reasonConcept", _RSN + code, None))
        add((statement, _I + "evidenceSentence", reason.sentence, _STRING))
        if reason.page is not None:
            add((statement, _I + "evidencePage", str(reason.page), _INTEGER))
        add((statement, _P + "wasDerivedFrom", source, None))


# ---- pyoxigraph (the store's fast path) ------------------------------------------------------

_OX_NODES: dict[str, ox.NamedNode] = {}


def _ox_node(iri: str) -> ox.NamedNode:
    # Predicates, classes and datatypes repeat in every letter: build each NamedNode once.
    node = _OX_NODES.get(iri)
    if node is None:
        node = ox.NamedNode(iri)
        if len(_OX_NODES) < 10_000:
            _OX_NODES[iri] = node
    return node


def _ox_triples(rows: Iterable[Row]) -> list[ox.Triple]:
    named, cached, lit = ox.NamedNode, _ox_node, ox.Literal
    out = []
    for s, p, o, kind in rows:
        if kind is None:
            obj = named(o)
        elif kind == _STRING:
            obj = lit(o)
        else:
            obj = lit(o, datatype=cached(kind))
        out.append(ox.Triple(named(s), cached(p), obj))
    return out


def letter_to_triples(
    letter: Letter, base: str = DEFAULT_DATA_BASE, generated_at: datetime | None = None
) -> tuple[str, list[ox.Triple]]:
    """The letter's graph IRI and its triples as pyoxigraph terms (what ``replace_graph`` takes)."""
    graph, rows = letter_rows(letter, base, generated_at)
    return graph, _ox_triples(rows)


def letter_to_quads(
    letter: Letter, base: str = DEFAULT_DATA_BASE, generated_at: datetime | None = None
) -> list[ox.Quad]:
    """The letter as pyoxigraph quads, all in its own named graph ``{base}graph/{key}``."""
    graph, triples = letter_to_triples(letter, base, generated_at)
    name = ox.NamedNode(graph)
    return [ox.Quad(t.subject, t.predicate, t.object, name) for t in triples]


def letter_to_ntriples(
    letter: Letter, base: str = DEFAULT_DATA_BASE, generated_at: datetime | None = None
) -> tuple[str, bytes]:
    """The letter's graph IRI and its triples serialised as N-Triples (for ingest workers)."""
    graph, triples = letter_to_triples(letter, base, generated_at)
    return graph, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


# ---- rdflib (pyshacl, and callers who want rdflib) --------------------------------------------


def rows_to_graph(rows: Iterable[Row], graph: Graph | None = None) -> Graph:
    """Add ``rows`` to ``graph`` (a new rdflib Graph by default) as rdflib terms."""
    graph = Graph() if graph is None else graph
    add = graph.add
    datatypes: dict[str, URIRef] = {}
    for s, p, o, kind in rows:
        if kind is None:
            obj: URIRef | Literal = URIRef(o)
        elif kind == _STRING:
            obj = Literal(o)
        else:
            datatype = datatypes.get(kind)
            if datatype is None:
                datatype = datatypes[kind] = URIRef(kind)
            obj = Literal(o, datatype=datatype)
        add((URIRef(s), URIRef(p), obj))
    return graph


def letter_to_graph(
    letter: Letter, base: str = DEFAULT_DATA_BASE, generated_at: datetime | None = None
) -> Graph:
    """The letter's triples as an rdflib Graph whose identifier is the letter's graph IRI."""
    graph_iri, rows = letter_rows(letter, base, generated_at)
    return rows_to_graph(rows, Graph(identifier=URIRef(graph_iri)))


def letter_to_dataset(
    letter: Letter, base: str = DEFAULT_DATA_BASE, generated_at: datetime | None = None
) -> Dataset:
    """The letter as an rdflib Dataset with one named graph, ``{base}graph/{key}``."""
    graph_iri, rows = letter_rows(letter, base, generated_at)
    dataset = Dataset()
    rows_to_graph(rows, dataset.graph(URIRef(graph_iri)))
    return dataset
