"""ODG citations as the published letters write them, for chapters and spellings the 97 real
letters happen not to use (held-out style: every line below is our own wording in the
published layout, ``Decision based on Non-MTUS Citation ODG <chapter> ..., <topic>``).

A chapter ODG has must be read as that chapter, its topic kept as the section, with no
``citation-unrecognized`` warning, and it must resolve to a document of the guideline scheme.
"""

from __future__ import annotations

import pytest

from imrgraph.model import Citation
from imrgraph.parse.citations import ODG_DOCUMENTS, parse_citation_line
from imrgraph.rdf.guidelines import guideline_scheme

LEAD = "Decision based on Non-MTUS Citation "


@pytest.mark.parametrize(
    ("written", "chapter", "section"),
    [
        ("ODG Pulmonary Chapter (updated 05/10/16), Spirometry", "Pulmonary Chapter", "Spirometry"),
        ("ODG Eye Chapter, Vision therapy", "Eye Chapter", "Vision therapy"),
        ("ODG Burns Chapter, Skin substitutes", "Burns Chapter", "Skin substitutes"),
        (
            "ODG Diabetes (Type 1, 2, and Gestational) Chapter, Glucose monitoring",
            "Diabetes Chapter",
            "Glucose monitoring",
        ),
        (
            "ODG Hernia Chapter, Surgery for hernia repair",
            "Hernia Chapter",
            "Surgery for hernia repair",
        ),
        (
            "ODG Traumatic Brain Injury Chapter, Cognitive rehabilitation",
            "Traumatic Brain Injury Chapter",
            "Cognitive rehabilitation",
        ),
        ("ODG Carpal Tunnel Chapter, Splinting", "Carpal Tunnel Syndrome Chapter", "Splinting"),
        (
            "ODG Stress/Mental Chapter, Psychological evaluations",
            "Mental Illness and Stress Chapter",
            "Psychological evaluations",
        ),
        # "updated" written without brackets is the chapter's date, not part of the topic
        (
            "ODG, Low Back - Lumbar & Thoracic (Acute & Chronic), updated 11/23/16, Discography",
            "Low Back Chapter",
            "Discography",
        ),
        (
            "ODG Elbow (Acute & Chronic) Chapter, last updated 10/14/2016, Lateral epicondylitis",
            "Elbow Chapter",
            "Lateral epicondylitis",
        ),
        # the publication's subtitles before the chapter are not the topic
        (
            "Official Disability Guidelines (ODG), Integrated Treatment/Disability Duration "
            "Guidelines, Pain (Chronic), Opioids, criteria for use",
            "Pain Chapter",
            "Opioids, criteria for use",
        ),
        (
            "ODG Treatment, Integrated Treatment/Disability Duration Guidelines, Knee & Leg "
            "(Acute & Chronic), Physical medicine",
            "Knee and Leg Chapter",
            "Physical medicine",
        ),
        (
            "Official Disability Guidelines, Treatment in Workers' Compensation, 2016, Hip & "
            "Pelvis Chapter, Arthroplasty",
            "Hip and Pelvis Chapter",
            "Arthroplasty",
        ),
        # publisher and format words around the chapter are not the topic
        (
            "ODG Treatment Guidelines, Low Back Chapter, Lumbar supports",
            "Low Back Chapter",
            "Lumbar supports",
        ),
        (
            "ODG (Official Disability Guidelines), Shoulder Chapter, Rotator cuff repair",
            "Shoulder Chapter",
            "Rotator cuff repair",
        ),
        ("ODG Online, Low Back, Lumbar MRI", "Low Back Chapter", "Lumbar MRI"),
        (
            "ODG Knee and Leg Chapter, Online Edition, Knee brace",
            "Knee and Leg Chapter",
            "Knee brace",
        ),
    ],
)
def test_odg_chapter_spellings_are_read_as_their_chapter(written, chapter, section):
    warnings: list[str] = []
    citations = parse_citation_line(LEAD + written, warnings)
    assert [(c.family, c.document, c.section) for c in citations] == [("ODG", chapter, section)]
    assert warnings == []


def test_a_semicolon_then_and_before_a_second_odg_chapter_opens_a_citation_of_its_own():
    warnings: list[str] = []
    citations = parse_citation_line(
        LEAD + "ODG Low Back Chapter, Lumbar supports; and Neck Chapter, Cervical collars",
        warnings,
    )
    assert [(c.document, c.section) for c in citations] == [
        ("Low Back Chapter", "Lumbar supports"),
        ("Neck and Upper Back Chapter", "Cervical collars"),
    ]
    assert warnings == []


@pytest.mark.parametrize("chapter", [name for name, _ in ODG_DOCUMENTS])
def test_every_odg_chapter_the_parser_names_is_a_document_of_the_guideline_scheme(chapter):
    scheme = guideline_scheme()
    iri = scheme.resolve(Citation(text=chapter, family="ODG", in_mtus=False, document=chapter))
    assert iri is not None
    assert scheme.levels[iri] == "document"


@pytest.mark.parametrize(
    "preamble",
    [
        "The Expert Reviewer based their decision on recommendation(s) outside of the MTUS "
        "Guidelines.",
        "The Expert Reviewer based their decision on the following guidelines outside of the MTUS:",
        "The Claims Administrator based their decision on guidelines other than the MTUS.",
        "The Expert Reviewer based his/her decision on evidence-based guidelines outside the "
        "California MTUS.",
    ],
)
def test_a_preamble_in_other_words_is_not_a_citation(preamble):
    warnings: list[str] = []
    citations = parse_citation_line(
        preamble + " " + LEAD + "ODG Pain Chapter, Opioids, criteria for use", warnings
    )
    assert [(c.family, c.document) for c in citations] == [("ODG", "Pain Chapter")]
    assert warnings == []
