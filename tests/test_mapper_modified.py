"""Modified requests and unreadable outcomes are data in the graph, and the shapes accept them.

A modified request: utilization review authorized part of a request and the rest went to IMR.
The heading states the original request and what was authorized; the item's service is the part
that went to IMR (docs/DESIGN.md, "RDF vocabulary"). An item whose decision line the parser
cannot read keeps its place with the outcome "Unknown" (imr:UnknownOutcome) and a warning.
"""

from __future__ import annotations

import copy

from rdflib import RDFS, Literal, URIRef
from test_mapper import DATA, seed_letter

from imrgraph.model import Citation, Item, Letter
from imrgraph.rdf.mapper import letter_to_graph, letter_to_triples
from imrgraph.rdf.validate import validate_graph, validate_letter
from imrgraph.rdf.vocab import IMR


def modified_request_letter() -> Letter:
    """A letter whose second item is a modified request, written as the published letters do."""
    letter = seed_letter()
    letter.case_number = "CM16-0000001"
    letter.dates.decision = "2016-12-20"
    norco = Item(
        number=3,
        service="Norco 10/325mg #35",
        outcome="Upheld",
        category="Pharmaceuticals",
        reviewer_citations=[
            Citation(
                text="MTUS Chronic Pain Medical Treatment 2016, Section(s): Opioids, "
                "criteria for use",
                family="MTUS",
                in_mtus=True,
                document="Chronic Pain Medical Treatment Guidelines",
                edition="2016",
                section="Opioids, criteria for use",
            )
        ],
        original_request="Norco 10/325mg #60",
        authorized="Norco 10/325mg #25",
    )
    letter.items.append(norco)
    return letter


def _item(graph, position: int) -> URIRef:
    letter_key = "CM16-0000001"
    return URIRef(f"{DATA}determination/{letter_key}/item/{position}")


def test_a_modified_request_keeps_its_original_request_and_what_was_authorized() -> None:
    graph = letter_to_graph(modified_request_letter())
    item = _item(graph, 3)
    assert graph.value(item, IMR.originalRequest) == Literal("Norco 10/325mg #60")
    assert graph.value(item, IMR.authorizedPortion) == Literal("Norco 10/325mg #25")
    # the service is the part that went to IMR
    service = graph.value(item, IMR.requestsService)
    assert graph.value(service, RDFS.label) == Literal("Norco 10/325mg #35")


def test_an_item_that_went_to_imr_whole_has_neither_fact() -> None:
    graph = letter_to_graph(modified_request_letter())
    for position in (1, 2):
        item = _item(graph, position)
        assert graph.value(item, IMR.originalRequest) is None
        assert graph.value(item, IMR.authorizedPortion) is None


def test_a_request_modified_with_only_the_authorized_part_stated_keeps_that() -> None:
    # "X was the original request. The Claims Administrator authorized Y, leaving the original
    # request IMR eligible. The original request, X is: ...": the service is X itself.
    letter = modified_request_letter()
    letter.items[2].service = "Norco 10/325mg #60"
    letter.items[2].original_request = None
    graph = letter_to_graph(letter)
    item = _item(graph, 3)
    assert graph.value(item, IMR.originalRequest) is None
    assert graph.value(item, IMR.authorizedPortion) == Literal("Norco 10/325mg #25")


def test_the_mapping_of_a_modified_request_is_deterministic() -> None:
    first = letter_to_triples(modified_request_letter())
    second = letter_to_triples(copy.deepcopy(modified_request_letter()))
    assert first == second


def test_a_letter_with_a_modified_request_conforms_to_the_shapes() -> None:
    result = validate_letter(modified_request_letter())
    assert result.conforms, [v.message for v in result.violations]


def test_two_original_requests_for_one_item_are_rejected() -> None:
    graph = letter_to_graph(modified_request_letter())
    graph.add((_item(graph, 3), IMR.originalRequest, Literal("Norco 10/325mg #90")))
    report = validate_graph(graph)
    assert not report.conforms
    assert any("original request" in v.message for v in report.violations)


def test_an_unreadable_outcome_is_held_as_the_unknown_outcome_and_conforms() -> None:
    letter = modified_request_letter()
    letter.items[1].outcome = "Unknown"
    letter.warnings = ["item-outcome-unreadable: item 2: Upheld Overturned"]
    graph = letter_to_graph(letter)
    assert graph.value(_item(graph, 2), IMR.hasOutcome) == IMR.UnknownOutcome
    result = validate_letter(letter)
    assert result.conforms, [v.message for v in result.violations]


def test_an_outcome_outside_the_three_is_still_rejected() -> None:
    letter = modified_request_letter()
    letter.items[1].outcome = "Partially Overturned"
    result = validate_letter(letter)
    assert not result.conforms
    assert any("outcome must be" in v.message for v in result.violations)
