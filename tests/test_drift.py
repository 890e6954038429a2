"""The ontology, the shapes, the mapper and the design table describe the same vocabulary.

Why: they are four hand-kept files. If the mapper writes a predicate the ontology does not
declare, queries and documentation disagree with the data; if it writes a class no shape
targets, that data is never validated; if DESIGN.md names a term the ontology lacks, the query
authors write SPARQL against a term that does not exist. The "maximal" letter below sets every
optional field, so the mapper writes every triple pattern it can; ingest adds the letter's
tally links and the tallies' descriptions (imrgraph.rdf.tallies), which are held to the same
rules.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import SH
from test_mapper import seed_letter

from imrgraph.model import Reason
from imrgraph.rdf.guidelines import guideline_scheme
from imrgraph.rdf.mapper import letter_to_graph, letter_to_triples
from imrgraph.rdf.tallies import letter_tallies
from imrgraph.rdf.validate import load_ontology, load_shapes
from imrgraph.rdf.vocab import IMR, PREFIXES

ROOT = Path(__file__).resolve().parents[1]
PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


def maximal_letter_graph() -> Graph:
    letter = seed_letter()
    letter.case_number = "CM15-0123456"
    letter.priority = "Expedited"
    letter.dates.assigned = "2015-10-20"
    letter.dates.decision = "2015-11-30"
    letter.dates.application_received = "2015-10-15"
    letter.applicant.sex = "female"
    letter.source.format = "pdf"
    letter.source.pages = 4
    letter.items[0].page = 2
    # a modified request: the heading's original request and what UR authorized of it
    letter.items[0].original_request = "Additional physical therapy 3x4 for the low back and neck"
    letter.items[0].authorized = "Additional physical therapy 3x2 for the low back and neck"
    letter.items[0].claims_administrator_citations[0].section = "Summary"
    letter.items[0].reasons = [Reason("criteria-met", letter.items[0].decisive_sentence or "x", 3)]
    letter.warnings = ["age-missing: example"]
    generated = datetime(2026, 1, 1, tzinfo=timezone.utc)
    graph = letter_to_graph(letter, generated_at=generated)
    # what ingest writes beside the letter: its tally links and the tallies' descriptions
    _, triples = letter_to_triples(letter, generated_at=generated)
    links, tallies = letter_tallies(triples, guideline_scheme().section_documents)
    described = [t for tally in tallies for t in tally.description()]
    data = ox.serialize(links + described, format=ox.RdfFormat.N_TRIPLES)
    graph.parse(data=data.decode("utf-8"), format="nt")
    return graph


@pytest.fixture(scope="module")
def written() -> Graph:
    return maximal_letter_graph()


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology()


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


def _declared_properties(ontology: Graph) -> set[URIRef]:
    return {p for kind in PROPERTY_KINDS for p in ontology.subjects(RDF.type, kind)}


def _shape_paths(shapes: Graph) -> set[URIRef]:
    """Every predicate a shape's sh:path mentions (inside inverse and sequence paths too)."""
    found: set[URIRef] = set()

    def walk(node) -> None:
        if isinstance(node, URIRef):
            found.add(node)
            return
        for p, o in shapes.predicate_objects(node):
            if p in (RDF.first, RDF.rest, SH.inversePath):
                walk(o)

    for path in shapes.objects(None, SH.path):
        walk(path)
    return found - {RDF.nil}


def test_the_maximal_letter_conforms(written: Graph) -> None:
    from imrgraph.rdf.validate import validate_graph

    assert validate_graph(written).conforms


def test_every_predicate_written_is_declared(written: Graph, ontology: Graph) -> None:
    predicates = set(written.predicates()) - {RDF.type}
    assert predicates - _declared_properties(ontology) == set()


def test_every_class_written_is_declared_and_targeted(
    written: Graph, ontology: Graph, shapes: Graph
) -> None:
    classes = set(written.objects(None, RDF.type))
    declared = set(ontology.subjects(RDF.type, OWL.Class))
    targeted = set(shapes.objects(None, SH.targetClass))
    node_shape_targets = {
        c
        for s in shapes.subjects(RDF.type, SH.NodeShape)
        for c in shapes.objects(s, SH.targetClass)
    }
    assert classes - declared == set()
    # prov:Activity is written beside imr:ParseActivity, whose shapes check that node.
    assert classes - node_shape_targets == {URIRef("http://www.w3.org/ns/prov#Activity")}
    assert classes - targeted - {URIRef("http://www.w3.org/ns/prov#Activity")} == set()


def test_every_predicate_written_is_checked_by_a_shape(written: Graph, shapes: Graph) -> None:
    predicates = set(written.predicates()) - {RDF.type}
    assert predicates - _shape_paths(shapes) == set()


def test_shapes_name_only_declared_terms(ontology: Graph, shapes: Graph) -> None:
    skos_in_scheme = URIRef("http://www.w3.org/2004/02/skos/core#inScheme")
    assert _shape_paths(shapes) - _declared_properties(ontology) - {skos_in_scheme} == set()
    declared = set(ontology.subjects(RDF.type, OWL.Class))
    assert set(shapes.objects(None, SH.targetClass)) - declared == set()
    assert {c for c in shapes.objects(None, SH["class"])} - declared == set()


def test_every_data_class_of_the_ontology_is_targeted(ontology: Graph, shapes: Graph) -> None:
    imr_classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(str(IMR))}
    defined = {c for c in imr_classes if ontology.value(c, OWL.equivalentClass) is not None}
    vocabulary = {
        IMR.Guideline,
        IMR.GuidelineFamily,
        IMR.GuidelineDocument,
        IMR.GuidelineSection,
        IMR.ServiceCategory,
        IMR.DecisionReason,
    }  # fmt: skip  (their instances are the schemes, not letter data)
    targeted = set(shapes.objects(None, SH.targetClass))
    assert imr_classes - defined - vocabulary - targeted == set()
    # the defined classes are the schema.org service alignments and the two enumerations
    assert {IMR.Outcome, IMR.CitingParty, IMR.PharmaceuticalService} <= defined


def test_every_imr_property_is_written_by_the_mapper(written: Graph, ontology: Graph) -> None:
    imr_properties = {p for p in _declared_properties(ontology) if str(p).startswith(str(IMR))}
    # imr:family describes the scheme's concepts, not letter data; imr:supersededBy is written
    # and imr:supersededOutcome by the store when a corrected letter replaces a version
    # (imrgraph.store.versions); imr:tallyVersion by the store about its tallies graph.
    # A tally of a letter without warnings, and of one with no specialty, lack two more.
    assert imr_properties - set(written.predicates()) == {
        IMR.family,
        IMR.supersededBy,
        IMR.supersededOutcome,
        IMR.tallyVersion,
    }


def _design_terms() -> set[URIRef]:
    text = (ROOT / "docs" / "DESIGN.md").read_text(encoding="utf-8")
    section = text.split("## RDF vocabulary", 1)[1].split("\n## ", 1)[0]
    terms = set()
    for prefix, local in re.findall(r"`(imr|prov|dcterms):([A-Za-z][\w-]*)`", section):
        terms.add(URIRef(PREFIXES[prefix] + local))
    return terms


def test_design_names_only_terms_of_the_ontology(ontology: Graph) -> None:
    terms = _design_terms()
    assert len(terms) > 40
    known = set(ontology.subjects()) | {
        URIRef("http://www.w3.org/ns/prov#Activity"),  # declared via the PROV block
    }
    assert terms - known == set()


def test_design_names_every_predicate_the_mapper_writes(written: Graph) -> None:
    predicates = set(written.predicates()) - {RDF.type, RDFS.label}
    assert predicates - _design_terms() == set()
