"""The mapper: Letter -> RDF, checked on the seed letter built by hand from its text.

Until the parser lands, the seed letter (/work/shared/examples/seed-letter.txt, copied into the
project's examples later) is transcribed here field by field following docs/DESIGN.md's parser
conventions; the expected triples below are read off the letter, not produced by the mapper.
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, SKOS, Literal, URIRef
from rdflib.namespace import XSD

from imrgraph.model import Applicant, Citation, Dates, Injury, Item, Letter, Reviewer, Source
from imrgraph.rdf.mapper import (
    InvalidBase,
    letter_graph_iri,
    letter_to_dataset,
    letter_to_graph,
    letter_to_ntriples,
    letter_to_quads,
)
from imrgraph.rdf.validate import load_ontology
from imrgraph.rdf.vocab import CAT, DCTERMS, GL, IMR, PROV

SEED_SHA = "5eed" + "0" * 60
DATA = "https://w3id.org/imrgraph/data/"


def seed_letter() -> Letter:
    """The seed letter as the parser should read it (no header table, so no case number)."""
    return Letter(
        source=Source(
            path="seed-letter.txt", sha256=SEED_SHA, format="text", parser_version="0.1.0"
        ),
        case_number=None,
        priority=None,
        dates=Dates(injury="2015-07-27", ur_decision="2015-09-28"),
        reviewer=Reviewer(
            licensure_states=["Texas", "New York", "California"],
            specialties=["Preventive Medicine", "Occupational Medicine"],
        ),
        applicant=Applicant(age=55, sex=None),
        injury=Injury(date="2015-07-27", body_parts=["neck", "low back", "shoulder"]),
        items=[
            Item(
                number=1,
                service="Additional physical therapy 3x2 for the low back and neck",
                outcome="Overturned",
                category="Physical Medicine",
                claims_administrator_citations=[
                    Citation(
                        text="MTUS Neck and Upper Back Complaints 2004",
                        family="MTUS",
                        in_mtus=True,
                        document="Neck and Upper Back Complaints",
                        edition="2004",
                    ),
                    Citation(
                        text="Low Back Complaints 2004",
                        family="MTUS",
                        in_mtus=True,
                        document="Low Back Complaints",
                        edition="2004",
                    ),
                    Citation(
                        text="Non-MTUS Citation ACOEM Practice Guidelines, Second Edition, "
                        "Chapter 12 (update 11/30/2007) Low Back Complaints page 134",
                        family="ACOEM",
                        in_mtus=False,
                        document="ACOEM Practice Guidelines",
                        edition="2nd Edition",
                        section="Low Back Complaints",
                        pages="134",
                    ),
                ],
                reviewer_citations=[
                    Citation(
                        text="MTUS General Approaches 2004, Section(s): Initial Approaches to "
                        "Treatment",
                        family="MTUS",
                        in_mtus=True,
                        document="General Approaches",
                        edition="2004",
                        section="Initial Approaches to Treatment",
                    )
                ],
                rationale="Yes, the request for 6 sessions of physical therapy for the low back "
                "and neck was medically necessary, medically appropriate, and indicated here. ...",
                decisive_sentence="Yes, the request for 6 sessions of physical therapy for the "
                "low back and neck was medically necessary, medically appropriate, and indicated "
                "here.",
                rationale_citations=[
                    Citation(
                        text="the MTUS Guideline in ACOEM Chapter 3, page 48",
                        family="MTUS",
                        in_mtus=True,
                        document="General Approaches",
                        edition="2004",
                        pages="48",
                    )
                ],
            ),
            Item(
                number=2,
                service="MRI of cervical spine without contrast",
                outcome="Upheld",
                category="Diagnostic Imaging",
                claims_administrator_citations=[],
                reviewer_citations=[
                    Citation(
                        text="MTUS Neck and Upper Back Complaints 2004, Section(s): Summary",
                        family="MTUS",
                        in_mtus=True,
                        document="Neck and Upper Back Complaints",
                        edition="2004",
                        section="Summary",
                    )
                ],
                rationale="Conversely, the request for MRI imaging of the cervical spine "
                "without contrast was not medically necessary, medically appropriate, or "
                "indicated here. ...",
                decisive_sentence="Conversely, the request for MRI imaging of the cervical "
                "spine without contrast was not medically necessary, medically appropriate, or "
                "indicated here.",
                rationale_citations=[
                    Citation(
                        text="the MTUS Guideline in ACOEM Chapter 8, Table 8-8, page 182",
                        family="MTUS",
                        in_mtus=True,
                        document="Neck and Upper Back Complaints",
                        edition="2004",
                        pages="182",
                    )
                ],
            ),
        ],
        warnings=[],
    )


# No case number: the letter is keyed by its content (tests/test_identity.py tests the rule).
KEY = seed_letter().key
assert KEY.startswith("content-") and len(KEY) == len("content-") + 64
DET = URIRef(f"{DATA}determination/{KEY}")
ITEM1 = URIRef(f"{DET}/item/1")
ITEM2 = URIRef(f"{DET}/item/2")


def _items_by_service(graph):
    return {
        str(graph.value(graph.value(item, IMR.requestsService), RDFS.label)): item
        for item in graph.objects(DET, IMR.hasItem)
    }


def test_seed_letter_links_mri_to_neck_chapter_upheld_and_therapy_to_general_approaches() -> None:
    graph = letter_to_graph(seed_letter())
    ontology = load_ontology()
    items = _items_by_service(graph)
    mri = items["MRI of cervical spine without contrast"]
    therapy = items["Additional physical therapy 3x2 for the low back and neck"]

    assert graph.value(mri, IMR.hasOutcome) == IMR.Upheld
    assert graph.value(therapy, IMR.hasOutcome) == IMR.Overturned

    def reviewer_concepts(item):
        return {
            graph.value(c, IMR.citesGuideline)
            for c in graph.objects(item, IMR.hasCitation)
            if graph.value(c, IMR.citedBy) == IMR.ExpertReviewer
        }

    # MRI: "MTUS Neck and Upper Back Complaints 2004, Section(s): Summary" -> the Summary section
    # of the Neck chapter, whose broader concept is the document, under the MTUS family.
    (mri_concept,) = reviewer_concepts(mri)
    assert mri_concept == GL["MTUS-NeckUpperBack-Summary"]
    document = ontology.value(mri_concept, SKOS.broader)
    assert ontology.value(document, SKOS.prefLabel) == Literal(
        "Neck and Upper Back Complaints", lang="en"
    )
    assert ontology.value(document, SKOS.broader) == GL.MTUS

    (therapy_concept,) = reviewer_concepts(therapy)
    assert therapy_concept == GL["MTUS-GeneralApproaches-InitialApproachesToTreatment"]
    assert ontology.value(therapy_concept, SKOS.broader) == GL["MTUS-GeneralApproaches"]
    assert ontology.value(GL["MTUS-GeneralApproaches"], SKOS.prefLabel) == Literal(
        "General Approaches", lang="en"
    )


def test_iris_types_and_literals_follow_the_design_table() -> None:
    letter = seed_letter()
    graph = letter_to_graph(letter)
    assert graph.identifier == URIRef(f"{DATA}graph/{KEY}")
    assert (DET, RDF.type, IMR.Determination) in graph
    assert (DET, IMR.hasItem, ITEM1) in graph and (DET, IMR.hasItem, ITEM2) in graph
    assert graph.value(ITEM2, IMR.itemNumber) == Literal(2, datatype=XSD.integer)
    applicant = graph.value(DET, IMR.concernsApplicant)
    assert graph.value(applicant, IMR.age) == Literal("55", datatype=XSD.integer)
    injury = graph.value(DET, IMR.concernsInjury)
    assert graph.value(injury, IMR.injuryDate) == Literal("2015-07-27", datatype=XSD.date)
    assert set(graph.objects(injury, IMR.affectsBodyPart)) == {
        URIRef(f"{DATA}body-part/neck"),
        URIRef(f"{DATA}body-part/low-back"),
        URIRef(f"{DATA}body-part/shoulder"),
    }
    ur = graph.value(DET, IMR.followsURDecision)
    assert graph.value(ur, IMR.urDecisionDate) == Literal("2015-09-28", datatype=XSD.date)
    reviewer = graph.value(DET, IMR.reviewedBy)
    assert (reviewer, RDF.type, IMR.Reviewer) in graph
    assert {str(s) for s in graph.objects(reviewer, IMR.licensedIn)} == {
        "Texas",
        "New York",
        "California",
    }
    service = graph.value(ITEM2, IMR.requestsService)
    assert graph.value(service, IMR.serviceCategory) == CAT["diagnostic-imaging"]
    assert graph.value(ITEM1, IMR.decisiveSentence).startswith("Yes, the request")
    # Provenance
    source = graph.value(DET, PROV.wasDerivedFrom)
    assert source == URIRef(f"{DATA}source/{SEED_SHA}")
    assert graph.value(source, IMR.sha256) == Literal(SEED_SHA)
    assert graph.value(source, DCTERMS["format"]) == Literal("text/plain")
    activity = graph.value(DET, PROV.wasGeneratedBy)
    assert (activity, PROV.used, source) in graph
    assert (activity, PROV.wasAssociatedWith, IMR.imrgraphParser) in graph
    assert graph.value(activity, IMR.parserVersion) == Literal("0.1.0")
    # Citations: item 1 has 3 claims administrator, 1 reviewer, 1 rationale citation.
    citations = list(graph.objects(ITEM1, IMR.hasCitation))
    parties = sorted(str(graph.value(c, IMR.citedBy)).rsplit("#")[-1] for c in citations)
    assert parties == ["ClaimsAdministrator"] * 3 + ["ExpertReviewer", "RationaleText"]
    acoem = URIRef(f"{ITEM1}/citation/claims-administrator-3")
    # "ACOEM Practice Guidelines, Second Edition, Chapter 12 ... Low Back Complaints"
    assert graph.value(acoem, IMR.citesGuideline) == GL["ACOEM-2nd-LowBackComplaints"]
    assert graph.value(acoem, IMR.inMTUS) == Literal(False)
    assert graph.value(acoem, IMR.pages) == Literal("134")


def test_same_letter_same_triples_and_case_number_wins_over_sha() -> None:
    first = letter_to_graph(seed_letter())
    second = letter_to_graph(seed_letter())
    assert set(first) == set(second)
    letter = seed_letter()
    letter.case_number = "CM15-0123456"
    graph = letter_to_graph(letter)
    det = URIRef(f"{DATA}determination/CM15-0123456")
    assert graph.value(det, DCTERMS.identifier) == Literal("CM15-0123456")
    assert letter_graph_iri(letter) == f"{DATA}graph/CM15-0123456"


def test_generated_at_is_the_only_varying_triple() -> None:
    plain = set(letter_to_graph(seed_letter()))
    stamped = set(
        letter_to_graph(
            seed_letter(), generated_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
        )
    )
    (extra,) = stamped - plain
    assert extra[1] == PROV.endedAtTime
    assert extra[2] == Literal("2026-01-02T03:04:05+00:00", datatype=XSD.dateTime)


def test_pyoxigraph_quads_equal_the_rdflib_dataset() -> None:
    letter = seed_letter()
    quads = letter_to_quads(letter)
    graph_iri = letter_graph_iri(letter)
    assert {q.graph_name for q in quads} == {ox.NamedNode(graph_iri)}
    store = ox.Store()
    store.extend(quads)
    dataset = letter_to_dataset(letter)
    trig = dataset.serialize(format="nquads").encode()
    other = ox.Store()
    other.load(trig, format=ox.RdfFormat.N_QUADS)
    assert set(store) == set(other)
    name, ntriples = letter_to_ntriples(letter)
    assert name == graph_iri
    assert len(list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))) == len(quads)


def test_odd_case_numbers_stay_valid_iris() -> None:
    letter = seed_letter()
    letter.case_number = "CM15 01/23#4"
    quads = letter_to_quads(letter)
    assert str(quads[0].graph_name.value).endswith("/graph/CM15%2001%2F23%234")


def test_bad_base_is_a_user_error() -> None:
    with pytest.raises(InvalidBase, match="not an absolute"):
        letter_to_graph(seed_letter(), base="not an iri")
    graph = letter_to_graph(seed_letter(), base="https://example.org/imr")
    assert URIRef(f"https://example.org/imr/determination/{KEY}") in set(graph.subjects())


def test_duplicate_item_numbers_do_not_merge_items() -> None:
    letter = seed_letter()
    letter.items.append(copy.deepcopy(letter.items[1]))
    graph = letter_to_graph(letter)
    det = URIRef(f"{DATA}determination/{letter.key}")  # another content, another key
    assert len(set(graph.objects(det, IMR.hasItem))) == 3
