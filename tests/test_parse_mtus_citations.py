"""MTUS citations in the published layout, in forms the 97 sample letters happen not to use
(our own wording): documents listed with commas ("A, B, and C"), and the General Approaches
written by the title of one of its chapters (ACOEM 2nd edition chapters 1 to 7)."""

from __future__ import annotations

import pytest

from imrgraph.parse.citations import parse_citation_line

LEAD = "Decision based on MTUS "


def _read(line: str) -> tuple[list[tuple], list[str]]:
    warnings: list[str] = []
    cits = parse_citation_line(line, warnings)
    return [(c.family, c.document, c.edition, c.section) for c in cits], warnings


def test_three_mtus_documents_listed_with_commas_are_three_citations():
    got, warnings = _read(
        LEAD + "Low Back Complaints 2004, Section(s): Summary, Chronic Pain Medical Treatment "
        "2016, Section(s): Opioids, criteria for use, and Acupuncture Treatment 2007, "
        "Section(s): Acupuncture"
    )
    assert got == [
        ("MTUS", "Low Back Complaints", "2004", "Summary"),
        ("MTUS", "Chronic Pain Medical Treatment Guidelines", "2016", "Opioids, criteria for use"),
        ("MTUS", "Acupuncture Medical Treatment Guidelines", "2007", "Acupuncture"),
    ]
    assert warnings == []


def test_a_second_mtus_document_after_a_comma_without_and_is_a_citation_of_its_own():
    got, _ = _read(
        LEAD + "Chronic Pain Medical Treatment 2016, Section(s): Opioids, Opioid Treatment "
        "2016, Section(s): Weaning"
    )
    assert got == [
        ("MTUS", "Chronic Pain Medical Treatment Guidelines", "2016", "Opioids"),
        ("MTUS", "Opioids Treatment Guidelines", "2016", "Weaning"),
    ]


def test_a_section_list_naming_no_document_with_a_year_stays_one_citation():
    got, _ = _read(
        LEAD + "Chronic Pain Medical Treatment 2016, Section(s): Opioids, criteria for use, "
        "Opioids, dosing"
    )
    assert got == [
        (
            "MTUS",
            "Chronic Pain Medical Treatment Guidelines",
            "2016",
            "Opioids, criteria for use, Opioids, dosing",
        )
    ]


@pytest.mark.parametrize(
    "title",
    [
        "Independent Medical Examinations and Consultations",
        "Initial Approaches to Treatment",
        "General Approach to Initial Assessment and Documentation",
        "Cornerstones of Disability Prevention and Management",
        "Pain, Suffering, and the Restoration of Function",
    ],
)
def test_a_general_approaches_chapter_title_is_the_general_approaches(title):
    got, warnings = _read(LEAD + f"{title} 2004, Section(s): Summary")
    assert got == [("MTUS", "General Approaches", "2004", "Summary")]
    assert warnings == []


@pytest.mark.parametrize(
    ("sections", "kept"),
    [
        (
            "Functional restoration programs; Chronic pain programs (functional restoration "
            "programs)",
            "Functional restoration programs; Chronic pain programs (functional restoration "
            "programs)",
        ),
        ("Opioids; Pain outcomes and endpoints", "Opioids; Pain outcomes and endpoints"),
        ("Knee brace; Shoulder injections", "Knee brace; Shoulder injections"),
    ],
)
def test_an_mtus_section_after_a_semicolon_starting_with_a_body_part_stays_in_the_citation(
    sections, kept
):
    # "Pain ...", "Knee ...", "Shoulder ..." begin ODG chapter names, but after a semicolon
    # inside an MTUS citation they are more of its sections, not another guideline.
    got, warnings = _read(LEAD + f"Chronic Pain Medical Treatment 2016, Section(s): {sections}")
    assert got == [("MTUS", "Chronic Pain Medical Treatment Guidelines", "2016", kept)]
    assert warnings == []


@pytest.mark.parametrize(
    "paragraph",
    [
        "The Claims Administrator did not cite any medical evidence for its decision.",
        "The Claims Administrator did not provide any guideline citation for its decision.",
        "The Claims Administrator cited no guidelines for its decision.",
        "No evidence-based guidelines were cited by the Claims Administrator.",
        "No citations were provided.",
    ],
)
def test_a_paragraph_saying_nothing_was_cited_has_no_citation(paragraph):
    assert _read(paragraph) == ([], [])
