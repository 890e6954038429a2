"""The OWL axioms do what the alignments promise, checked with an OWL 2 RL reasoner (owlrl).

Why: the schema.org alignment of services is written as OWL class definitions (a service whose
category is Pharmaceuticals is an imr:PharmaceuticalService, a subclass of schema:Drug), which
only mean something if a reasoner really draws the conclusion from a letter's data. The same
reasoner checks that a letter graph is consistent with the ontology and that an item with two
outcomes is not (hasOutcome is functional, the outcomes are all different).
"""

from __future__ import annotations

import owlrl
import pytest
from rdflib import RDF, Graph, URIRef
from test_mapper import DET, ITEM1, ITEM2, seed_letter

from imrgraph.rdf.mapper import letter_to_graph
from imrgraph.rdf.validate import load_ontology
from imrgraph.rdf.vocab import IMR, PROV, SCHEMA

ERROR = URIRef("http://www.daml.org/2002/03/agents/agent-ont#ErrorMessage")


def closure(letter_graph: Graph) -> Graph:
    graph = Graph()
    for triple in load_ontology():
        graph.add(triple)
    for triple in letter_graph:
        graph.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return graph


@pytest.fixture(scope="module")
def seed_graph() -> Graph:
    return letter_to_graph(seed_letter())


def test_services_are_classified_into_schema_org_types(seed_graph: Graph) -> None:
    inferred = closure(seed_graph)
    therapy = seed_graph.value(ITEM1, IMR.requestsService)  # Physical Medicine
    mri = seed_graph.value(ITEM2, IMR.requestsService)  # Diagnostic Imaging
    assert (therapy, RDF.type, SCHEMA.PhysicalTherapy) in inferred
    assert (mri, RDF.type, SCHEMA.ImagingTest) in inferred
    assert (mri, RDF.type, SCHEMA.Drug) not in inferred
    assert (DET, RDF.type, PROV.Entity) in inferred
    assert list(inferred.subjects(RDF.type, ERROR)) == []


def test_a_drug_request_is_a_schema_drug(seed_graph: Graph) -> None:
    letter = seed_letter()
    letter.items[1].category = "Pharmaceuticals"
    graph = letter_to_graph(letter)
    service = graph.value(ITEM2, IMR.requestsService)
    assert (service, RDF.type, SCHEMA.Drug) in closure(graph)


def test_two_outcomes_are_inconsistent(seed_graph: Graph) -> None:
    graph = Graph()
    for triple in seed_graph:
        graph.add(triple)
    graph.add((ITEM1, IMR.hasOutcome, IMR.Upheld))  # it is Overturned already
    inferred = closure(graph)
    assert list(inferred.subjects(RDF.type, ERROR)) != []
