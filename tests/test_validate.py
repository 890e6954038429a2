"""SHACL validation of letter graphs: conformance, the issue's negative cases, batching.

Why: ingest stores only letters whose graph conforms, so the shapes must accept every real
letter (the example letters' answer keys) and reject each kind of broken graph with a message a
person can act on. Batching merges many letters into one pyshacl run for speed; the tests check
that it attributes every violation to the right letter and agrees with validating one by one and
with pyshacl's own ``ont_graph`` route.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import pytest
from rdflib import RDFS, Graph, Literal, URIRef
from rdflib.namespace import XSD
from test_mapper import DET, ITEM1, ITEM2, seed_letter

from imrgraph.errors import ValidationFailed
from imrgraph.model import Letter
from imrgraph.rdf.mapper import letter_to_dataset, letter_to_graph
from imrgraph.rdf.validate import (
    Validator,
    require_valid,
    validate_graph,
    validate_letter,
    validate_letters,
)
from imrgraph.rdf.vocab import GL, IMR, PROV

LETTERS = Path(__file__).resolve().parents[1] / "examples" / "letters"


def example_letters() -> list[tuple[str, Letter]]:
    """The example letters' hand-written answer keys as Letters (source filled from the file)."""
    found = []
    for expected in sorted(LETTERS.glob("*.expected.json")):
        data = json.loads(expected.read_text(encoding="utf-8"))
        name = expected.name.removesuffix(".expected.json")
        original = next(
            (p for p in (LETTERS / f"{name}.txt", LETTERS / f"{name}.pdf") if p.exists()), None
        )
        source = dict(data.get("source", {}))
        if original is not None:
            source.setdefault("path", original.name)
            source.setdefault("sha256", hashlib.sha256(original.read_bytes()).hexdigest())
        source.setdefault("path", expected.name)
        source.setdefault("sha256", hashlib.sha256(expected.read_bytes()).hexdigest())
        source.setdefault("format", "text")
        data["source"] = {
            k: source[k] for k in ("path", "sha256", "format", "pages") if k in source
        }
        found.append((name, Letter.from_dict(data)))
    return found


EXAMPLES = example_letters()


@pytest.mark.skipif(not EXAMPLES, reason="no example letters yet")
@pytest.mark.parametrize("name,letter", EXAMPLES, ids=[n for n, _ in EXAMPLES])
def test_every_example_letter_conforms(name: str, letter: Letter) -> None:
    result = validate_letter(letter)
    assert result.conforms, [v.message for v in result.violations]


def test_hand_built_seed_letter_conforms() -> None:
    result = validate_letter(seed_letter())
    assert result.conforms, result.violations
    assert result.source_file == "seed-letter.txt"


def _violations(graph: Graph) -> list:
    report = validate_graph(graph)
    return report.violations


def _one(graph: Graph, path: str, constraint: str):
    found = [v for v in _violations(graph) if v.path == path and v.constraint == constraint]
    assert found, f"no {constraint} violation on {path}: {_violations(graph)}"
    return found[0]


def test_item_without_outcome() -> None:
    graph = letter_to_graph(seed_letter())
    graph.remove((ITEM2, IMR.hasOutcome, None))
    violation = _one(graph, "imr:hasOutcome", "MinCount")
    assert violation.focus_node == str(ITEM2)
    assert violation.message == "A disputed item must have an outcome."
    assert violation.source_file == "seed-letter.txt"


def test_item_with_two_outcomes() -> None:
    graph = letter_to_graph(seed_letter())
    graph.add((ITEM1, IMR.hasOutcome, IMR.Upheld))  # it is already Overturned
    violation = _one(graph, "imr:hasOutcome", "MaxCount")
    assert violation.focus_node == str(ITEM1)
    assert "exactly one outcome" in violation.message


def test_outcome_outside_upheld_overturned() -> None:
    graph = letter_to_graph(seed_letter())
    graph.set((ITEM1, IMR.hasOutcome, IMR.Maybe))
    assert _one(graph, "imr:hasOutcome", "In").value == "imr:Maybe"


def test_bad_outcome_and_sha_from_json_are_violations_not_crashes() -> None:
    letter = seed_letter()
    letter.items[0].outcome = "not sure"  # type: ignore[assignment]
    letter.source.sha256 = "not a hash"
    found = {(v.path, v.constraint) for v in validate_letter(letter).violations}
    assert found == {("imr:hasOutcome", "In"), ("imr:sha256", "Pattern")}


def test_malformed_date() -> None:
    letter = seed_letter()
    letter.dates.ur_decision = "2015-02-30"
    result = validate_letter(letter)
    (violation,) = result.violations
    assert violation.path == "imr:urDecisionDate"
    assert violation.constraint == "Datatype"
    assert "xsd:date" in violation.message


def test_date_typed_as_string_is_rejected() -> None:
    graph = letter_to_graph(seed_letter())
    injury = graph.value(DET, IMR.concernsInjury)
    graph.set((injury, IMR.injuryDate, Literal("July 27, 2015")))
    assert _one(graph, "imr:injuryDate", "Datatype")


def test_age_of_300() -> None:
    letter = seed_letter()
    letter.applicant.age = 300
    (violation,) = validate_letter(letter).violations
    assert violation.path == "imr:age"
    assert violation.constraint == "MaxInclusive"
    assert violation.message == "The applicant's age must be between 0 and 120."


def test_citation_without_guideline() -> None:
    graph = letter_to_graph(seed_letter())
    citation = URIRef(f"{ITEM2}/citation/expert-reviewer-1")
    graph.remove((citation, IMR.citesGuideline, None))
    violation = _one(graph, "imr:citesGuideline", "MinCount")
    assert violation.focus_node == str(citation)


def test_citation_of_an_unknown_family_has_no_guideline() -> None:
    letter = seed_letter()
    letter.items[1].reviewer_citations[0].family = "BOGUS"  # type: ignore[assignment]
    messages = {v.message for v in validate_letter(letter).violations}
    assert "A citation must cite exactly one guideline concept (imr:citesGuideline)." in messages


def test_citation_of_a_concept_outside_the_scheme() -> None:
    graph = letter_to_graph(seed_letter())
    citation = URIRef(f"{ITEM2}/citation/expert-reviewer-1")
    graph.set((citation, IMR.citesGuideline, URIRef("https://example.org/not-a-guideline")))
    assert _one(graph, "imr:citesGuideline", "Class")
    assert _one(graph, "imr:citesGuideline/skos:inScheme", "HasValue")


def test_citation_of_a_concept_of_another_family() -> None:
    graph = letter_to_graph(seed_letter())
    citation = URIRef(f"{ITEM2}/citation/expert-reviewer-1")  # an MTUS citation
    graph.set((citation, IMR.citesGuideline, GL["ODG-Pain"]))
    violation = _one(graph, "imr:citesGuideline/imr:family", "Equals")
    assert "guideline family" in violation.message


def test_no_provenance() -> None:
    graph = letter_to_graph(seed_letter())
    graph.remove((DET, PROV.wasDerivedFrom, None))
    graph.remove((DET, PROV.wasGeneratedBy, None))
    found = {(v.path, v.constraint) for v in _violations(graph)}
    assert ("prov:wasDerivedFrom", "MinCount") in found
    assert ("prov:wasGeneratedBy", "MinCount") in found


def test_determination_without_items() -> None:
    letter = seed_letter()
    letter.items = []
    (violation,) = validate_letter(letter).violations
    assert violation.message == "A determination must have at least one disputed item."


def test_unknown_category_is_rejected() -> None:
    letter = seed_letter()
    letter.items[0].category = "Astrology"
    (violation,) = validate_letter(letter).violations
    assert violation.path == "imr:serviceCategory"
    assert violation.constraint == "Class"


def _broken(letter: Letter, index: int) -> Letter:
    letter = copy.deepcopy(letter)
    letter.case_number = f"CM15-{index:07d}"
    letter.source.sha256 = f"{index:064x}"
    letter.source.path = f"letter-{index}.txt"
    return letter


def test_batches_attribute_each_violation_to_its_letter() -> None:
    letters = [_broken(seed_letter(), i) for i in range(6)]
    letters[2].applicant.age = 300
    letters[4].dates.decision = "2015-13-01"
    batched = validate_letters(letters, batch_size=4)
    one_by_one = [validate_letter(letter) for letter in letters]
    assert [r.conforms for r in batched] == [True, True, False, True, False, True]
    for together, alone in zip(batched, one_by_one, strict=True):
        assert sorted(together.violations, key=repr) == sorted(alone.violations, key=repr)
    assert batched[2].letter == "CM15-0000002"
    assert batched[2].source_file == "letter-2.txt"
    assert batched[4].violations[0].path == "imr:decisionDate"


def test_same_case_twice_in_a_batch_is_not_merged() -> None:
    # Two letters with one case number would share every node if merged: a false "two
    # outcomes" for each item. They must go to separate pyshacl runs.
    first = _broken(seed_letter(), 7)
    second = _broken(seed_letter(), 7)
    second.items[1].outcome = "Overturned"
    results = validate_letters([first, second], batch_size=10)
    assert all(r.conforms for r in results), [r.violations for r in results]


def test_body_parts_described_differently_are_not_merged() -> None:
    # "Neck" and "neck" name the same body-part node with two labels: in one merged graph that
    # node would have two labels, a violation neither letter has on its own.
    first, second = _broken(seed_letter(), 1), _broken(seed_letter(), 2)
    second.injury.body_parts = ["Neck"]
    results = validate_letters([first, second], batch_size=10)
    assert all(r.conforms for r in results), [r.violations for r in results]


def test_ont_graph_route_agrees_with_the_fast_route() -> None:
    letters = [_broken(seed_letter(), i) for i in range(3)]
    letters[1].applicant.age = 300
    letters[2].items[0].category = "Astrology"
    fast = Validator().validate_letters(letters)
    textbook = Validator(use_ont_graph=True).validate_letters(letters)
    assert [sorted(r.violations, key=repr) for r in fast] == [
        sorted(r.violations, key=repr) for r in textbook
    ]
    assert [r.conforms for r in fast] == [True, False, False]


def test_plain_pyshacl_with_the_ontology_as_ont_graph_accepts_the_seed_letter() -> None:
    # What any pyshacl user does with the published files: data, shapes, ontology.
    from pyshacl import validate

    from imrgraph.rdf.validate import load_ontology, load_shapes

    conforms, _, text = validate(
        letter_to_graph(seed_letter()), shacl_graph=load_shapes(), ont_graph=load_ontology()
    )
    assert conforms, text


def test_dataset_with_several_letter_graphs_is_reported_per_graph() -> None:
    good, bad = _broken(seed_letter(), 1), _broken(seed_letter(), 2)
    bad.applicant.age = 300
    dataset = letter_to_dataset(good)
    for quad in letter_to_dataset(bad).quads((None, None, None, None)):
        dataset.add(quad)
    report = validate_graph(dataset)
    assert not report.conforms
    assert {r.letter: r.conforms for r in report.results} == {
        "CM15-0000001": True,
        "CM15-0000002": False,
    }
    (failed,) = report.failed
    assert failed.graph.endswith("/graph/CM15-0000002")
    assert failed.source_file == "letter-2.txt"


def test_default_graph_is_split_by_determination() -> None:
    graph = letter_to_graph(_broken(seed_letter(), 1))
    bad = _broken(seed_letter(), 2)
    bad.dates.injury = bad.injury.date = "2015-02-30"
    graph += letter_to_graph(bad)
    report = validate_graph(graph)
    assert {r.letter: r.conforms for r in report.results} == {
        "CM15-0000001": True,
        "CM15-0000002": False,
    }


def test_require_valid_raises_a_one_line_error() -> None:
    letter = seed_letter()
    letter.applicant.age = 300
    with pytest.raises(ValidationFailed) as caught:
        require_valid(validate_letter(letter))
    assert str(caught.value) == (
        "seed-letter.txt: does not conform: The applicant's age must be between 0 and 120."
    )
    assert "\n" not in str(caught.value)


def test_integer_age_literal_type() -> None:
    graph = letter_to_graph(seed_letter())
    applicant = graph.value(DET, IMR.concernsApplicant)
    graph.set((applicant, IMR.age, Literal("55.5", datatype=XSD.decimal)))
    assert _one(graph, "imr:age", "Datatype")


PARSED_FILES = sorted(p for p in LETTERS.glob("*") if p.suffix in (".txt", ".pdf"))


def test_every_example_file_parsed_by_the_pipeline_conforms() -> None:
    # End to end: the real parser's output for every example letter (text and PDF), validated
    # in one batch, as ingest does.
    from imrgraph.pipeline import parse_file

    letters = [parse_file(path) for path in PARSED_FILES]
    assert len(letters) >= 8
    results = validate_letters(letters)
    assert [(r.source_file, r.violations) for r in results if not r.conforms] == []


def test_seed_letter_parsed_by_the_pipeline_links_items_to_their_concepts() -> None:
    from imrgraph.pipeline import parse_file

    graph = letter_to_graph(parse_file(LETTERS / "seed-letter.txt"))
    found = {}
    for item in graph.subjects(IMR.hasOutcome, None):
        service = str(graph.value(graph.value(item, IMR.requestsService), RDFS.label))
        concepts = {
            graph.value(c, IMR.citesGuideline)
            for c in graph.objects(item, IMR.hasCitation)
            if graph.value(c, IMR.citedBy) == IMR.ExpertReviewer
        }
        found[service] = (graph.value(item, IMR.hasOutcome), concepts)
    assert found["MRI of cervical spine without contrast"] == (
        IMR.Upheld,
        {GL["MTUS-NeckUpperBack-Summary"]},
    )
    assert found["Additional physical therapy 3x2 for the low back and neck"] == (
        IMR.Overturned,
        {GL["MTUS-GeneralApproaches-InitialApproachesToTreatment"]},
    )
