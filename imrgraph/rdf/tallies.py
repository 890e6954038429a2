"""Tallies: what each item and letter is counted under, written with the letter (fast counts).

Why: every question users ask ("which guidelines lead to upheld denials", "outcomes by category
and year") is a count of items grouped by a few facts that sit three or four links away from
the item (outcome, service category, letter year, citing party, guideline document). Joining
those links per item is what made a count over 100,000 letters take 10 s in Oxigraph (an index
look-up per link per item), while scanning one predicate over the whole store takes a fraction
of a second (BENCHMARKS.md, "Tallies"). So ingest writes, with each letter and in the same
transaction, one ``imr:countedUnder`` link per (item, combination of those facts):

    <.../determination/K/item/1> imr:countedUnder <https://w3id.org/imrgraph/tally/guideline/
        ExpertReviewer/document/MTUS-ChronicPain/pharmaceuticals/2019/Upheld> .

and describes each combination (an ``imr:Tally``: its dimensions as triples) once, in the
tallies graph. Counting the items of a selection is then: count the links per tally (one scan),
join the few thousand tallies with their dimensions, sum. Because a link is a triple of the
letter's own graph, it comes and goes with the letter (replace, ``--force``, a corrected
version) with no counter to update: concurrent writers and retried requests cannot make the
counts drift, and RDF's set semantics make "an item citing a guideline twice counts once" hold
by construction.

What is counted matches the direct queries of ``imrgraph.analysis`` (the tests compare them on
every example letter and on generated corpora):

- an item is counted if its letter is a current ``imr:Determination`` and it has an
  ``imr:hasOutcome`` (a superseded version has neither, so it is never counted);
- the letter's year is that of its decision date, else date assigned, else application
  received, else UR decision date;
- a citation counts for its citing party at two levels: the concept it links to ("section"),
  and that concept's document ("document": a section's ``skos:broader``; a document or family
  concept counts as itself);
- reviewer specialties overlap (a reviewer may list two): an item counts once per specialty.

Kinds of tally (the IRI's first segment) and their dimensions:

- ``guideline``: party, level, guideline concept, category, year, outcome (items);
- ``item``: category, year, outcome (items; these partition the items);
- ``specialty``: specialty, category, year, outcome (items, once per specialty);
- ``letter``: year, whether the letter has parser warnings (letters);
- ``reason``: decision reason (``ontology/reasons.ttl``), category, year, outcome (items, once
  per reason the item's rationale states).

A dimension with no value (no date at all, no stated specialty) is absent from the tally's
description and written ``-`` in its IRI.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from urllib.parse import quote

import pyoxigraph as ox

from imrgraph.rdf.vocab import CAT, GL, IMR, RSN

__all__ = [
    "COUNTED_UNDER",
    "TALLY_BASE",
    "TALLY_GRAPH",
    "TALLY_KINDS",
    "TALLY_VERSION",
    "UNMARK_TALLIES",
    "Tally",
    "description_ntriples",
    "letter_tallies",
]

_I = str(IMR)
TALLY_GRAPH = "https://w3id.org/imrgraph/graph/tallies"
TALLY_BASE = "https://w3id.org/imrgraph/tally/"
#: Raised whenever what is counted, or how a tally IRI is made, changes: a store whose tallies
#: were written under another version is re-tallied (``imrgraph tally``) before it is trusted.
TALLY_VERSION = 2  # 2: reason tallies

COUNTED_UNDER = ox.NamedNode(_I + "countedUnder")
#: A SPARQL Update removing the tallies' trust mark (``imrgraph.store.tallies``).
UNMARK_TALLIES = (
    f"DELETE WHERE {{ GRAPH <{TALLY_GRAPH}> {{ <{TALLY_GRAPH}> <{_I}tallyVersion> ?v }} }}"
)
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER = ox.NamedNode(_XSD + "integer")
_BOOLEAN = ox.NamedNode(_XSD + "boolean")

#: kind -> the class of its tallies
TALLY_KINDS: dict[str, str] = {
    "guideline": _I + "GuidelineTally",
    "item": _I + "ItemTally",
    "specialty": _I + "SpecialtyTally",
    "letter": _I + "LetterTally",
    "reason": _I + "ReasonTally",
}
LEVELS = ("section", "document")
_YEAR_SOURCES = ("decisionDate", "dateAssigned", "applicationReceivedDate")
_YEAR = re.compile(r"^(\d{4})-")


@dataclass(frozen=True)
class Tally:
    """One combination of dimensions items (or letters) are counted under."""

    kind: str
    party: str | None = None  # citing party individual IRI
    level: str | None = None  # "document" | "section"
    guideline: str | None = None  # guideline concept IRI
    category: str | None = None  # service category concept IRI
    year: int | None = None
    outcome: str | None = None  # imr:Upheld / imr:Overturned IRI
    specialty: str | None = None
    warned: bool | None = None  # letters: has parser warnings
    reason: str | None = None  # decision reason concept IRI (reason tallies)

    @cached_property  # a frozen dataclass without slots: cached in the instance's __dict__
    def iri(self) -> str:
        """A readable, deterministic IRI: the kind, then each dimension's value (``-``: none)."""
        parts: list[str] = [self.kind]
        if self.kind == "guideline":
            parts += [
                _local(self.party, _I),
                self.level or "-",
                _local(self.guideline, str(GL)),
            ]
        if self.kind == "reason":
            parts.append(_local(self.reason, str(RSN)))
        if self.kind == "specialty":
            # "-" stands for "none": a specialty written "-" is escaped so the two never share
            parts.append(
                quote(self.specialty, safe="").replace("-", "%2D") if self.specialty else "-"
            )
        if self.kind == "letter":
            parts += [str(self.year) if self.year is not None else "-"]
            parts.append("warned" if self.warned else "clean")
        else:
            parts += [
                _local(self.category, str(CAT)),
                str(self.year) if self.year is not None else "-",
                _local(self.outcome, _I),
            ]
        return TALLY_BASE + "/".join(parts)

    def description(self) -> list[ox.Triple]:
        """The tally's dimensions as triples (written into the tallies graph)."""
        node = ox.NamedNode(self.iri)
        out = [ox.Triple(node, _RDF_TYPE, ox.NamedNode(TALLY_KINDS[self.kind]))]

        def add(prop: str, value: ox.NamedNode | ox.Literal) -> None:
            out.append(ox.Triple(node, ox.NamedNode(_I + prop), value))

        for prop, iri in (
            ("tallyParty", self.party),
            ("tallyGuideline", self.guideline),
            ("tallyCategory", self.category),
            ("tallyOutcome", self.outcome),
            ("tallyReason", self.reason),
        ):
            if iri is not None:
                add(prop, ox.NamedNode(iri))
        if self.level is not None:
            add("tallyLevel", ox.Literal(self.level))
        if self.year is not None:
            add("tallyYear", ox.Literal(str(self.year), datatype=_INTEGER))
        if self.specialty is not None:
            add("tallySpecialty", ox.Literal(self.specialty))
        if self.warned is not None:
            add("tallyWarned", ox.Literal("true" if self.warned else "false", datatype=_BOOLEAN))
        return out


@lru_cache(maxsize=1 << 16)
def description_ntriples(tally: Tally) -> bytes:
    """The tally's description as N-Triples (cached: a corpus has a few thousand tallies, and
    every letter repeats some of them)."""
    return ox.serialize(tally.description(), format=ox.RdfFormat.N_TRIPLES)


def _local(iri: str | None, namespace: str) -> str:
    """The part of ``iri`` after ``namespace`` (a path-safe token), ``-`` for none.

    Anything outside the namespace (never written by imrgraph, but a store can be edited) gets
    a digest, so two different IRIs never share a tally.
    """
    if iri is None:
        return "-"
    if iri.startswith(namespace) and len(iri) > len(namespace):
        return quote(iri[len(namespace) :], safe="")
    return "x-" + hashlib.sha1(iri.encode("utf-8")).hexdigest()[:16]


class _Index:
    """A letter's triples by subject and predicate (a letter has about a hundred)."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.by: dict[tuple[object, str], list[object]] = {}
        self.determinations: list[ox.NamedNode] = []
        determination = ox.NamedNode(_I + "Determination")
        for t in triples:
            self.by.setdefault((t.subject, t.predicate.value), []).append(t.object)
            if t.predicate == _RDF_TYPE and t.object == determination:
                self.determinations.append(t.subject)  # type: ignore[arg-type]

    def objects(self, subject: object, predicate: str) -> list[object]:
        return self.by.get((subject, _I + predicate), [])

    def iris(self, subject: object, predicate: str) -> list[str]:
        return sorted({o.value for o in self.objects(subject, predicate) if _is_iri(o)})


def _is_iri(term: object) -> bool:
    return isinstance(term, ox.NamedNode)


def _year(index: _Index, det: object) -> int | None:
    values: list[object] = []
    for prop in _YEAR_SOURCES:
        values = index.objects(det, prop)
        if values:
            break
    else:
        for ur in index.objects(det, "followsURDecision"):
            values = index.objects(ur, "urDecisionDate")
            if values:
                break
    for value in values:
        match = _YEAR.match(getattr(value, "value", ""))
        if match:
            return int(match.group(1))
    return None


def letter_tallies(
    triples: Iterable[ox.Triple], section_documents: Mapping[str, str]
) -> tuple[list[ox.Triple], set[Tally]]:
    """The ``imr:countedUnder`` links of one letter's graph, and the tallies they point to.

    ``triples``: the letter's graph (without links; any given are ignored).
    ``section_documents``: guideline section IRI -> its document IRI (the scheme's
    ``skos:broader`` of each ``imr:GuidelineSection``). A graph without a current
    ``imr:Determination`` (a superseded version) yields nothing.
    """
    index = _Index(t for t in triples if t.predicate != COUNTED_UNDER)
    links: list[ox.Triple] = []
    tallies: set[Tally] = set()

    def link(node: object, tally: Tally) -> None:
        tallies.add(tally)
        links.append(ox.Triple(node, COUNTED_UNDER, ox.NamedNode(tally.iri)))  # type: ignore[arg-type]

    for det in index.determinations:
        year = _year(index, det)
        warned = bool(index.objects(det, "warning"))
        link(det, Tally("letter", year=year, warned=warned))
        specialties: list[str | None] = sorted(
            {
                o.value
                for reviewer in index.objects(det, "reviewedBy")
                for o in index.objects(reviewer, "specialty")
            }
        ) or [None]
        for item in index.objects(det, "hasItem"):
            outcomes = index.iris(item, "hasOutcome")
            categories: list[str | None] = [
                category
                for service in index.objects(item, "requestsService")
                for category in index.iris(service, "serviceCategory")
            ] or [None]
            reasons = sorted(
                {
                    reason
                    for statement in index.objects(item, "hasReason")
                    for reason in index.iris(statement, "reasonConcept")
                }
            )
            concepts: set[tuple[str, str]] = set()
            for citation in index.objects(item, "hasCitation"):
                for party in index.iris(citation, "citedBy"):
                    for concept in index.iris(citation, "citesGuideline"):
                        concepts.add((party, concept))
            item_tallies: set[Tally] = set()
            for outcome in outcomes:
                for category in categories:
                    item_tallies.add(Tally("item", category=category, year=year, outcome=outcome))
                    for reason in reasons:
                        item_tallies.add(
                            Tally(
                                "reason",
                                reason=reason,
                                category=category,
                                year=year,
                                outcome=outcome,
                            )
                        )
                    for specialty in specialties:
                        item_tallies.add(
                            Tally(
                                "specialty",
                                specialty=specialty,
                                category=category,
                                year=year,
                                outcome=outcome,
                            )
                        )
                    for party, concept in concepts:
                        document = section_documents.get(concept, concept)
                        for level, counted in (("section", concept), ("document", document)):
                            item_tallies.add(
                                Tally(
                                    "guideline",
                                    party=party,
                                    level=level,
                                    guideline=counted,
                                    category=category,
                                    year=year,
                                    outcome=outcome,
                                )
                            )
            for tally in sorted(item_tallies, key=lambda t: t.iri):
                link(item, tally)
    return links, tallies
