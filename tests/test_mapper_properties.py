"""Property test: whatever text a letter carries, the mapper gives valid, stable RDF.

Why: service names, rationales and citations are free text from PDFs (quotes, backslashes,
newlines, any Unicode); case numbers and outcomes can be anything when a letter comes from JSON.
The mapper must never crash or write an invalid IRI, its three outputs (pyoxigraph, N-Triples,
rdflib) must hold the same triples, and the same letter must give the same triples.
"""

from __future__ import annotations

import pyoxigraph as ox
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imrgraph.model import (
    CATEGORIES,
    FAMILIES,
    Applicant,
    Citation,
    Dates,
    Injury,
    Item,
    Letter,
    Reviewer,
    Source,
)
from imrgraph.rdf.mapper import letter_to_graph, letter_to_ntriples, letter_to_quads

# Text as PDFs give it: any character but lone surrogates (not encodable in UTF-8 at all).
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
maybe = st.none() | text

citations = st.lists(
    st.builds(
        Citation,
        text=text,
        family=st.sampled_from(FAMILIES),
        in_mtus=st.booleans(),
        document=maybe,
        edition=maybe,
        section=maybe,
        pages=maybe,
    ),
    max_size=3,
)
items = st.lists(
    st.builds(
        Item,
        number=st.integers(-5, 10**6),
        service=text,
        outcome=st.sampled_from(["Upheld", "Overturned"]) | text,
        category=st.sampled_from(CATEGORIES) | text,
        claims_administrator_citations=citations,
        reviewer_citations=citations,
        rationale=text,
        decisive_sentence=maybe,
        rationale_citations=citations,
        page=st.none() | st.integers(1, 50),
    ),
    max_size=4,
)
letters = st.builds(
    Letter,
    source=st.builds(
        Source,
        path=text,
        sha256=st.text("0123456789abcdef", min_size=64, max_size=64) | text,
        format=st.sampled_from(["pdf", "text"]),
        pages=st.none() | st.integers(1, 99),
        parser_version=maybe,
    ),
    case_number=maybe,
    priority=st.none() | st.sampled_from(["Standard", "Expedited"]),
    dates=st.builds(Dates, injury=maybe, ur_decision=maybe, decision=maybe),
    reviewer=st.builds(Reviewer, licensure_states=st.lists(text, max_size=3)),
    applicant=st.builds(Applicant, age=st.none() | st.integers(-10, 500)),
    injury=st.builds(Injury, date=maybe, body_parts=st.lists(text, max_size=3)),
    items=items,
    warnings=st.lists(text, max_size=2),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(letters)
def test_any_letter_maps_to_the_same_valid_triples_every_way(letter: Letter) -> None:
    quads = letter_to_quads(letter)
    graph_name, ntriples = letter_to_ntriples(letter)
    parsed = {q.triple for q in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)}
    assert parsed == {q.triple for q in quads}
    assert {q.graph_name.value for q in quads} == {graph_name}
    # rdflib sees the same number of distinct triples and the same subjects
    graph = letter_to_graph(letter)
    assert len(graph) == len(parsed)
    assert {str(s) for s in graph.subjects()} == {t.subject.value for t in parsed}
    assert set(letter_to_quads(letter)) == set(quads)
