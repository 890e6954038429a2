"""The 2016 MTUS as the published letters cite it resolves to concepts of the guideline scheme.

The parser writes, for family MTUS, these canonical documents and editions (the contract between
the parser and the graph, docs/DESIGN.md): Chronic Pain Medical Treatment Guidelines 2016, 2009
or no edition; Opioids Treatment Guidelines 2016 (a document of its own); Acupuncture Medical
Treatment Guidelines 2007; Elbow Disorders 2007; Postsurgical Treatment Guidelines 2009; the
2004 chapters. Each must count under its own document, never under "MTUS (document not
recognised)". The editions of one document are one concept; the edition stays on the citation
(``imr:edition``), where queries find it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from published_letters import published_letters, store_of
from rdflib import SKOS

from imrgraph.analysis.guidelines import rank_guidelines
from imrgraph.analysis.selection import run_select
from imrgraph.model import Citation
from imrgraph.rdf.guidelines import guideline_scheme, resolve_citation
from imrgraph.rdf.vocab import GL

# (document, edition) as the parser writes them -> the concept, by hand
CONTRACT = {
    ("Chronic Pain Medical Treatment Guidelines", "2016"): "MTUS-ChronicPain",
    ("Chronic Pain Medical Treatment Guidelines", "2009"): "MTUS-ChronicPain",
    ("Chronic Pain Medical Treatment Guidelines", None): "MTUS-ChronicPain",
    ("Opioids Treatment Guidelines", "2016"): "MTUS-Opioids",
    ("Acupuncture Medical Treatment Guidelines", "2007"): "MTUS-Acupuncture",
    ("Elbow Disorders", "2007"): "MTUS-Elbow",
    ("Postsurgical Treatment Guidelines", "2009"): "MTUS-Postsurgical",
    ("General Approaches", "2004"): "MTUS-GeneralApproaches",
    ("Neck and Upper Back Complaints", "2004"): "MTUS-NeckUpperBack",
    ("Shoulder Complaints", "2004"): "MTUS-Shoulder",
    ("Forearm, Wrist, and Hand Complaints", "2004"): "MTUS-ForearmWristHand",
    ("Low Back Complaints", "2004"): "MTUS-LowBack",
    ("Knee Complaints", "2004"): "MTUS-Knee",
    ("Ankle and Foot Complaints", "2004"): "MTUS-AnkleFoot",
    ("Stress Related Conditions", "2004"): "MTUS-Stress",
}


def _mtus(document: str, edition: str | None, section: str | None = None) -> Citation:
    return Citation(
        text=f"MTUS {document} {edition or ''}",
        family="MTUS",
        in_mtus=True,
        document=document,
        edition=edition,
        section=section,
    )


@pytest.mark.parametrize(("document", "edition"), sorted(CONTRACT, key=str))
def test_every_mtus_document_of_the_contract_resolves_to_its_document(
    document: str, edition: str | None
) -> None:
    concept = resolve_citation(_mtus(document, edition))
    assert concept == f"{GL}{CONTRACT[(document, edition)]}"
    assert guideline_scheme().levels[concept] == "document"


def test_the_opioids_treatment_guidelines_are_a_document_of_their_own() -> None:
    from imrgraph.rdf.guidelines import load_scheme_graph

    graph = load_scheme_graph()
    broader = graph.value(GL["MTUS-Opioids"], SKOS.broader)
    assert str(broader) == f"{GL}MTUS"  # not a section or edition of Chronic Pain


@pytest.mark.parametrize(
    ("section", "concept"),
    [
        (
            "3.3.9 Opioids for Chronic Pain and Chronic Opioid Treatment: Maintenance of "
            "Chronic Opioid Treatment",
            "MTUS-Opioids-ChronicPain",
        ),
        ("1.4 Opioids for Acute Pain: Opioids for Post-operative Pain", "MTUS-Opioids-AcutePain"),
        ("4.1 Tapering Opioids: Indications for Tapering Opioids", "MTUS-Opioids-Tapering"),
        ("2.1 A part the scheme does not name", "MTUS-Opioids"),  # counts for the document
    ],
)
def test_numbered_opioids_sections_resolve_to_their_part(section: str, concept: str) -> None:
    assert resolve_citation(_mtus("Opioids Treatment Guidelines", "2016", section)) == (
        f"{GL}{concept}"
    )


def test_a_section_number_is_not_taken_for_a_section_name() -> None:
    # Chronic Pain 2016 sections are named as in 2009; a leading number changes nothing
    plain = resolve_citation(_mtus("Chronic Pain Medical Treatment Guidelines", "2016", "Opioids"))
    assert plain == f"{GL}MTUS-ChronicPain-Opioids"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    store = store_of(published_letters(), tmp_path_factory.mktemp("editions") / "store")
    yield store
    store.close()


@pytest.mark.parametrize("counting", ["tallies", "citations"])
def test_document_level_puts_the_2009_and_2016_editions_together(store: Any, counting: str) -> None:
    tallies = None if counting == "tallies" else False
    rows = rank_guidelines(store, "reviewer", "document", tallies=tallies)
    names = [r["guideline"] for r in rows]
    assert not any("not recognised" in name for name in names)
    chronic = [r for r in rows if r["concept"] == f"{GL}MTUS-ChronicPain"]
    # tests/published_letters.py: reviewer cites Chronic Pain 2016 (2 items), 2009, no edition
    assert len(chronic) == 1 and chronic[0]["items"] == 4
    assert "MTUS Opioids Treatment Guidelines" in names


def test_the_edition_stays_queryable_on_the_citation(store: Any) -> None:
    rows = run_select(
        store,
        "SELECT ?edition (COUNT(DISTINCT ?item) AS ?items) WHERE { GRAPH ?g {\n"
        "  ?item imr:hasCitation ?cit .\n"
        "  ?cit imr:citedBy imr:ExpertReviewer ; imr:citesGuideline ?concept .\n"
        "  OPTIONAL { ?cit imr:edition ?edition }\n"
        "} GRAPH <https://w3id.org/imrgraph/graph/ontology> {\n"
        "  ?concept skos:broader* <https://w3id.org/imrgraph/guideline/MTUS-ChronicPain> }\n"
        "} GROUP BY ?edition",
    )
    by_edition = {row["edition"]: int(row["items"]) for row in rows}
    assert by_edition == {"2016": 2, "2009": 1, None: 1}


def test_a_store_holds_the_opioids_treatment_guidelines_in_its_scheme(tmp_path: Path) -> None:
    with store_of([], tmp_path / "empty") as empty:
        rows = run_select(
            empty,
            "SELECT ?label WHERE { GRAPH <https://w3id.org/imrgraph/graph/ontology> {\n"
            "  <https://w3id.org/imrgraph/guideline/MTUS-Opioids> skos:prefLabel ?label } }",
        )
    assert [row["label"] for row in rows] == ["Opioids Treatment Guidelines"]
