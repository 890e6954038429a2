"""The ontology and the two concept schemes: they parse, are documented, and resolve citations.

Why: the queries group citations by concept and the analysis reports labels, so every name the
parser can write (docs/DESIGN.md's table of canonical documents) must land on a document concept,
spellings seen in letters must land on the same concept, and an unknown citation must still count
for its family. The expected concepts here are read off the design and the letters.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef

from imrgraph.model import CATEGORIES, FAMILIES, Citation
from imrgraph.rdf.guidelines import (
    build_scheme,
    guideline_scheme,
    normalize_edition,
    resolve_citation,
)
from imrgraph.rdf.mapper import category_iri
from imrgraph.rdf.validate import load_ontology
from imrgraph.rdf.vocab import CAT, GL, IMR
from imrgraph.resources import resource_dir

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_IRI = URIRef("https://w3id.org/imrgraph/ontology")
SCHEMA = "https://schema.org/"


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology()


def test_every_file_parses() -> None:
    for name in ("imr.ttl", "guidelines.ttl", "categories.ttl"):
        assert len(Graph().parse(resource_dir("ontology") / name)) > 50
    assert len(Graph().parse(resource_dir("shapes") / "imr.shapes.ttl")) > 100


def test_ontology_header(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    version = ontology.value(ONTOLOGY_IRI, OWL.versionIRI)
    assert version is not None and str(version).startswith(str(ONTOLOGY_IRI) + "/")


def test_every_imr_class_and_property_has_label_and_comment(ontology: Graph) -> None:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual)
    terms = {
        s
        for kind in kinds
        for s in ontology.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and str(s).startswith(str(IMR))
    }
    assert len(terms) > 60
    missing = [
        t
        for t in terms
        if ontology.value(t, RDFS.label) is None or not ontology.value(t, RDFS.comment)
    ]
    assert missing == []


def test_properties_have_domain_and_range(ontology: Graph) -> None:
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for prop in ontology.subjects(RDF.type, kind):
            if str(prop).startswith(str(IMR)):
                assert ontology.value(prop, RDFS.domain) is not None, prop
                assert ontology.value(prop, RDFS.range) is not None, prop


def test_standard_vocabulary_alignments(ontology: Graph) -> None:
    sub = RDFS.subClassOf
    prov = "http://www.w3.org/ns/prov#"
    assert (IMR.Guideline, sub, URIRef(SCHEMA + "MedicalGuideline")) in ontology
    assert (IMR.Guideline, sub, SKOS.Concept) in ontology
    assert (IMR.BodyPart, sub, URIRef(SCHEMA + "AnatomicalStructure")) in ontology
    assert (IMR.PharmaceuticalService, sub, URIRef(SCHEMA + "Drug")) in ontology
    assert (IMR.SurgicalService, sub, URIRef(SCHEMA + "SurgicalProcedure")) in ontology
    assert (IMR.SourceDocument, sub, URIRef(prov + "Entity")) in ontology
    assert (IMR.ParseActivity, sub, URIRef(prov + "Activity")) in ontology
    assert (IMR.imrgraphParser, RDF.type, URIRef(prov + "SoftwareAgent")) in ontology
    assert (IMR.decisionDate, RDFS.subPropertyOf, URIRef("http://purl.org/dc/terms/issued")) in (
        ontology
    )


def _design_documents() -> list[tuple[str, str]]:
    """(family, canonical document) from docs/DESIGN.md's "Canonical documents" table."""
    text = (ROOT / "docs" / "DESIGN.md").read_text(encoding="utf-8")
    table = text.split("Canonical documents:", 1)[1].strip().split("\n\n", 1)[0]
    found = []
    for row in table.splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) != 2 or cells[0] not in FAMILIES:
            continue
        for name in cells[1].split("; "):
            if " spelled " in name:  # a note about a spelling, not a document name
                continue
            found.append((cells[0], re.sub(r"\s*\(.*\)$", "", name).strip()))
    return found


def test_every_canonical_document_of_the_design_resolves_to_a_document_concept(
    ontology: Graph,
) -> None:
    documents = _design_documents()
    assert len(documents) == 12 + 19 + 1  # MTUS, ODG, ACOEM rows of the table
    for family, name in documents:
        editions = ["2nd Edition", "3rd Edition"] if family == "ACOEM" else [None]
        for edition in editions:
            iri = URIRef(resolve_citation(Citation(name, family, family == "MTUS", name, edition)))
            assert (iri, RDF.type, IMR.GuidelineDocument) in ontology, (family, name, edition)
            assert ontology.value(iri, IMR.family) == Literal(family)
            if family != "ACOEM":
                assert ontology.value(iri, SKOS.prefLabel) == Literal(name, lang="en")


@pytest.mark.parametrize(
    "family,document,edition,section,expected",
    [
        ("ODG", "Pain (Chronic)", None, "Compound creams", "ODG-Pain-CompoundCreams"),
        ("ODG", "Knee & Leg", None, None, "ODG-KneeLeg"),
        ("ODG", "Mental Illness & Stress", None, None, "ODG-MentalStress"),
        ("ODG", "Shoulder Chapter", None, "MRI", "ODG-Shoulder-MRI"),
        ("ODG", "Knee and Leg Chapter", None, "MRI\u2019s (magnetic resonance imaging)",
         "ODG-KneeLeg-MRI"),
        ("ODG", "Low Back Chapter", None, "MRIs (magnetic resonance imaging)", "ODG-LowBack-MRI"),
        ("MTUS", "Chronic Pain Medical Treatment Guidelines", None, "Opioids, criteria for use",
         "MTUS-ChronicPain-Opioids"),
        ("MTUS", "Chronic Pain Medical Treatment Guidelines", None, "Muscle relaxants (for pain)",
         "MTUS-ChronicPain-MuscleRelaxants"),
        ("MTUS", "Low Back Complaints", "2004", "Physical Methods", "MTUS-LowBack-PhysicalMethods"),
        ("MTUS", "Postsurgical Treatment Guidelines", None, "Shoulder",
         "MTUS-Postsurgical-Shoulder"),
        ("MTUS", "Low Back Complaints", "2004", "Something unheard of", "MTUS-LowBack"),
        ("MTUS", "A document nobody wrote", None, "Opioids", "MTUS"),
        ("ODG", "Pain Chapter", None, None, "ODG-Pain"),
        ("ACOEM", "ACOEM Practice Guidelines", "3rd Edition (2011)", "Chapter 7",
         "ACOEM-3rd-IndependentMedicalExaminationsAndConsultations"),
        ("ACOEM", "ACOEM Practice Guidelines", "3rd Edition", "Chapter 12", "ACOEM-3rd"),
        ("ACOEM", "ACOEM Practice Guidelines", "2nd Edition", "Chapter 12",
         "ACOEM-2nd-LowBackComplaints"),
        ("ACOEM", "ACOEM Practice Guidelines", "Second Edition", None, "ACOEM-2nd"),
        ("ACOEM", "ACOEM Practice Guidelines", None, None, "ACOEM"),
        ("OTHER", "FDA (Food and Drug Administration)", None, None, "OTHER-FDA"),
        ("OTHER", "peer-reviewed literature", None, None, "OTHER-PeerReviewedLiterature"),
        ("OTHER", "Some journal article", None, None, "OTHER"),
    ],
)  # fmt: skip
def test_citations_resolve_to_the_most_specific_concept(
    family: str, document: str, edition: str | None, section: str | None, expected: str
) -> None:
    citation = Citation("as written", family, family == "MTUS", document, edition, section)  # type: ignore[arg-type]
    assert resolve_citation(citation) == str(GL[expected])


def test_documents_of_one_family_only() -> None:
    # "Shoulder Complaints" is an MTUS document: cited as ODG it is an unknown ODG document.
    citation = Citation("x", "ODG", False, "Shoulder Complaints")
    assert resolve_citation(citation) == str(GL.ODG)


def test_scheme_structure(ontology: Graph) -> None:
    concepts = set(ontology.subjects(SKOS.inScheme, GL.scheme))
    assert len(concepts) > 150
    for concept in concepts:
        assert len(list(ontology.objects(concept, SKOS.prefLabel))) == 1, concept
        assert str(ontology.value(concept, IMR.family)) in FAMILIES, concept
        broader = list(ontology.objects(concept, SKOS.broader))
        if (concept, RDF.type, IMR.GuidelineFamily) in ontology:
            assert broader == [] and (concept, SKOS.topConceptOf, GL.scheme) in ontology
        elif (concept, RDF.type, IMR.GuidelineDocument) in ontology:
            assert len(broader) == 1 and (broader[0], RDF.type, IMR.GuidelineFamily) in ontology
        else:
            assert (concept, RDF.type, IMR.GuidelineSection) in ontology, concept
            assert len(broader) == 1 and (broader[0], RDF.type, IMR.GuidelineDocument) in ontology
        # the family of a concept is the family of the top concept above it
        top = concept
        while (parent := ontology.value(top, SKOS.broader)) is not None:
            top = parent
        assert ontology.value(top, IMR.family) == ontology.value(concept, IMR.family)
    # the MTUS 2004 ACOEM chapters, by name
    mtus_documents = {
        str(ontology.value(d, SKOS.prefLabel)) for d in ontology.subjects(SKOS.broader, GL.MTUS)
    }
    assert {"General Approaches", "Neck and Upper Back Complaints", "Shoulder Complaints",
            "Elbow Disorders", "Forearm, Wrist, and Hand Complaints", "Low Back Complaints",
            "Knee Complaints", "Ankle and Foot Complaints", "Stress Related Conditions",
            "Acupuncture Medical Treatment Guidelines",
            "Postsurgical Treatment Guidelines"} <= mtus_documents  # fmt: skip


def test_concepts_are_named_individuals(ontology: Graph) -> None:
    # pyshacl's ont_graph mixes only axioms and owl:NamedIndividual nodes into the data graph;
    # without this, "a citation names a concept of the scheme" fails for any pyshacl user.
    for scheme in (GL.scheme, CAT.scheme):
        for concept in ontology.subjects(SKOS.inScheme, scheme):
            assert (concept, RDF.type, OWL.NamedIndividual) in ontology, concept


def test_no_links_down_from_a_scheme(ontology: Graph) -> None:
    # pyshacl's ont_graph copies each named individual with all it reaches: a link down from
    # the scheme (hasTopConcept, narrower) would make every concept copy the whole scheme.
    assert list(ontology.triples((None, SKOS.hasTopConcept, None))) == []
    assert list(ontology.triples((None, SKOS.narrower, None))) == []


def test_a_label_naming_two_concepts_is_refused() -> None:
    graph = Graph().parse(resource_dir("ontology") / "guidelines.ttl")
    graph.add((GL["ODG-KneeLeg"], SKOS.altLabel, Literal("Pain Chapter", lang="en")))
    with pytest.raises(Exception, match="names two concepts"):
        build_scheme(graph)


def test_category_scheme_is_the_schema_enum(ontology: Graph) -> None:
    concepts = set(ontology.subjects(SKOS.inScheme, CAT.scheme))
    labels = {str(ontology.value(c, SKOS.prefLabel)) for c in concepts}
    assert labels == set(CATEGORIES)
    for name in CATEGORIES:
        iri = URIRef(category_iri(name))
        assert (iri, RDF.type, IMR.ServiceCategory) in ontology
        assert ontology.value(iri, SKOS.prefLabel) == Literal(name, lang="en")


def test_edition_normalisation() -> None:
    assert normalize_edition("Second Edition") == "2nd"
    assert normalize_edition("2nd Edition (2004)") == "2nd"
    assert normalize_edition("3rd Edition") == "3rd"
    assert normalize_edition("2004") is None
    assert normalize_edition(None) is None


def test_scheme_tables_are_built_once() -> None:
    assert guideline_scheme() is guideline_scheme()


def test_every_constraint_has_a_message() -> None:
    # A violation is read by a person: each property shape carries one English sh:message, and
    # a node shape with a constraint of its own (sh:nodeKind) says what it is about.
    from rdflib.namespace import SH

    shapes = Graph().parse(resource_dir("shapes") / "imr.shapes.ttl")
    property_shapes = set(shapes.subjects(RDF.type, SH.PropertyShape))
    assert len(property_shapes) > 40
    for shape in property_shapes:
        messages = list(shapes.objects(shape, SH.message))
        assert len(messages) == 1 and messages[0].language == "en", shape
        assert shapes.value(shape, SH.targetClass) is not None, shape
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        assert shapes.value(shape, RDFS.comment) is not None, shape
