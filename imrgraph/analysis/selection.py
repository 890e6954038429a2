"""The selection every analysis shares (citing party, guideline level, category, year), as SPARQL.

Why one module: the ranking, the networks, the plots and the report must count the same items
the same way, or their numbers disagree on the same page. Each function here returns a SPARQL
*fragment* chosen from fixed text by the options, plus the variable bindings (RDF terms) that
carry the user's values; user input never becomes query text.

Binding rule that makes the queries portable: a bound variable always occurs in a triple pattern
or as the target of a ``BIND`` (never only inside a ``FILTER``), and is projected. The embedded
store pre-binds it (pyoxigraph ``substitutions``); a SPARQL server gets it as a ``VALUES`` join;
both give the same answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pyoxigraph import Literal as RdfLiteral
from pyoxigraph import NamedNode

from imrgraph.errors import QueryError
from imrgraph.model import CATEGORIES
from imrgraph.rdf.vocab import CAT, IMR

__all__ = [
    "ONTOLOGY_GRAPH",
    "OUTCOME_BINDS",
    "OUTCOME_COUNTS",
    "PARTIES",
    "PREFIXES",
    "Selection",
    "category_iri",
    "run_select",
]

Party = Literal["reviewer", "claims-administrator"]
Level = Literal["document", "section"]

ONTOLOGY_GRAPH = "https://w3id.org/imrgraph/graph/ontology"
XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")

#: ``--by`` value -> the citing party individual of the ontology.
PARTIES: dict[str, str] = {
    "reviewer": f"{IMR}ExpertReviewer",
    "claims-administrator": f"{IMR}ClaimsAdministrator",
}
LEVELS: tuple[str, ...] = ("document", "section")

#: Upheld and overturned items counted apart (inside ``GRAPH ?g``, after ``?item imr:hasOutcome
#: ?outcome``): an item whose outcome could not be read (imr:UnknownOutcome) is neither, so
#: rates are taken over decided items only and the unknown ones are items - upheld - overturned.
OUTCOME_BINDS = (
    "BIND(IF(?outcome = imr:Upheld, ?item, ?none) AS ?upheldItem)\n"
    "BIND(IF(?outcome = imr:Overturned, ?item, ?none) AS ?overturnedItem)\n"
)
OUTCOME_COUNTS = (
    "(COUNT(DISTINCT ?upheldItem) AS ?upheld) (COUNT(DISTINCT ?overturnedItem) AS ?overturned)"
)

PREFIXES = """PREFIX imr: <https://w3id.org/imrgraph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""


def category_labels(store: Any) -> dict[str, str]:
    """Service category concept IRI -> label, read from the category scheme in the store."""
    rows = run_select(
        store,
        f"SELECT ?category ?label WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{\n"
        "  ?category skos:prefLabel ?label .\n"
        f'  FILTER(STRSTARTS(STR(?category), "{CAT}"))\n'
        "} }",
    )
    return {str(row["category"]): str(row["label"]) for row in rows}


def category_iri(store: Any, name: str) -> str:
    """The concept IRI of a service category given by name (case-insensitive).

    Raises ``QueryError`` naming the valid categories for anything else.
    """
    wanted = " ".join(name.split()).lower()
    if wanted in (c.lower() for c in CATEGORIES):
        for iri, label in category_labels(store).items():
            if label.lower() == wanted:
                return iri
    raise QueryError(f"unknown service category {name!r}; choose one of: {', '.join(CATEGORIES)}")


def level_fragment(concept: str, out: str, level: str) -> str:
    """Map citation concept ``?concept`` to the counted concept ``?out`` at ``level``.

    Section level counts the concept the citation links to (the most specific one). Document
    level counts a section's document (its ``skos:broader``; DESIGN.md: concepts are typed
    ``imr:GuidelineSection`` / ``imr:GuidelineDocument`` / ``imr:GuidelineFamily`` and sections
    hang directly under their document); a document or family concept counts as itself.
    Two index look-ups per citation: a property path (``skos:broader*``) with a NOT EXISTS test
    here made the ranking three times slower on a large store.
    """
    if level == "section":
        return f"BIND(?{concept} AS ?{out})\n"
    if level != "document":
        raise QueryError(f"unknown level {level!r}; choose document or section")
    return (
        f"OPTIONAL {{ GRAPH <{ONTOLOGY_GRAPH}> {{\n"
        f"  ?{concept} a imr:GuidelineSection ; skos:broader ?{out}_doc }} }}\n"
        f"BIND(COALESCE(?{out}_doc, ?{concept}) AS ?{out})\n"
    )


def year_fragment(out: str = "year", suffix: str = "") -> str:
    """Bind ``?out`` to the year of the letter ``?det`` (inside ``GRAPH ?g``).

    The year of a letter is that of its decision date, else the date assigned, else the date
    the application was received, else the UR decision date (the only date some older letters
    give). ``suffix`` keeps helper variables apart when the fragment is used twice.
    """
    d = f"?date{suffix}_"
    return (
        f"OPTIONAL {{ ?det imr:decisionDate {d}1 }}\n"
        f"OPTIONAL {{ ?det imr:dateAssigned {d}2 }}\n"
        f"OPTIONAL {{ ?det imr:applicationReceivedDate {d}3 }}\n"
        f"OPTIONAL {{ ?det imr:followsURDecision ?urd{suffix} .\n"
        f"  ?urd{suffix} imr:urDecisionDate {d}4 }}\n"
        f"BIND(YEAR(COALESCE({d}1, {d}2, {d}3, {d}4)) AS ?{out})\n"
    )


@dataclass(frozen=True)
class Selection:
    """Which items are counted: optional service category and year (of the letter)."""

    category: str | None = None
    year: int | None = None
    party: str = "reviewer"
    level: str = "document"

    def __post_init__(self) -> None:
        if self.party not in PARTIES:
            raise QueryError(
                f"unknown citing party {self.party!r}; choose reviewer or claims-administrator"
            )
        if self.level not in LEVELS:
            raise QueryError(f"unknown level {self.level!r}; choose document or section")
        if self.year is not None and not 1900 <= self.year <= 2200:
            raise QueryError(f"year {self.year} is out of range")

    def bindings(self, store: Any, *, with_party: bool = False) -> dict[str, Any]:
        """The user's values as RDF terms, keyed by the variable they bind."""
        out: dict[str, Any] = {}
        if self.category is not None:
            out["category"] = NamedNode(category_iri(store, self.category))
        if self.year is not None:
            out["year"] = RdfLiteral(str(self.year), datatype=XSD_INTEGER)
        if with_party:
            out["party"] = NamedNode(PARTIES[self.party])
        return out

    @property
    def bound(self) -> list[str]:
        """Names of the variables this selection binds (to project and group by)."""
        return [n for n, v in (("category", self.category), ("year", self.year)) if v is not None]

    def items_fragment(self, det: bool = False) -> str:
        """Patterns (inside ``GRAPH ?g``) binding ``?item`` and ``?outcome`` (and ``?det``).

        The letter ``?det`` is joined only when asked for or needed by the year filter: on a
        large store every pattern is an index look-up per citation, and the ranking does not
        need the letter.
        """
        text = "?item imr:hasOutcome ?outcome .\n"
        if det or self.year is not None:
            text = "?det a imr:Determination ; imr:hasItem ?item .\n" + text
        return text + self.filters_fragment()

    def filters_fragment(self) -> str:
        """The category and year filters, for patterns that already bind ``?item``/``?det``."""
        text = ""
        if self.category is not None:
            text += "?item imr:requestsService ?svc . ?svc imr:serviceCategory ?category .\n"
        if self.year is not None:
            # The year is computed here, inside GRAPH ?g; the user's year joins it from the
            # outer group (bindings), and an unbound ?year (a letter with no date at all) is
            # compatible with any value: without this FILTER it would count in every year.
            text += year_fragment() + "FILTER(BOUND(?year))\n"
        return text

    def citation_fragment(self, concept: str = "concept", cit: str = "cit") -> str:
        """Patterns (inside ``GRAPH ?g``) for a citation of ``?item`` by the chosen party."""
        return (
            f"?item imr:hasCitation ?{cit} . ?{cit} imr:citedBy ?party ; "
            f"imr:citesGuideline ?{concept} .\n"
        )

    def projection(self, *, with_party: bool = False) -> str:
        """The bound variables, to add to SELECT and GROUP BY (pyoxigraph needs them projected)."""
        names = self.bound + (["party"] if with_party else [])
        return " ".join(f"?{name}" for name in names)


def run_select(
    store: Any, sparql: str, bindings: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Run a SELECT through the store interface and return rows as dicts of Python values."""
    result = store.select(PREFIXES + sparql, dict(bindings or {}))
    columns = list(result.columns)
    return [dict(zip(columns, row, strict=True)) for row in result.rows]
