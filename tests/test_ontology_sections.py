"""A citation that names a section but no document (as the published letters cite the ODG's
visit guidelines: "Official Disability Guidelines (ODG), Physical Therapy Guidelines") resolves
to that section when only one document of its family has it, and to its family otherwise."""

from __future__ import annotations

import pytest

from imrgraph.model import Citation
from imrgraph.rdf.guidelines import resolve_citation
from imrgraph.rdf.vocab import GL


def _odg(section: str | None, document: str | None = None) -> Citation:
    return Citation(text="x", family="ODG", in_mtus=False, document=document, section=section)


@pytest.mark.parametrize(
    ("section", "concept"),
    [
        ("Physical Therapy Guidelines", "ODG-Preface-PhysicalTherapyGuidelines"),
        ("Physical therapy guidelines", "ODG-Preface-PhysicalTherapyGuidelines"),
        ("Physical Medicine Guidelines", "ODG-Preface-PhysicalTherapyGuidelines"),
        ("Chiropractic Guidelines", "ODG-Preface-ChiropracticGuidelines"),
        # several ODG chapters have a "Physical therapy" topic: which one is not said
        ("Physical therapy", "ODG"),
        ("A topic no chapter has", "ODG"),
        (None, "ODG"),
    ],
)
def test_a_section_without_a_document(section: str | None, concept: str) -> None:
    assert resolve_citation(_odg(section)) == f"{GL}{concept}"


def test_a_named_document_still_decides_where_its_section_is() -> None:
    # the Low Back chapter's own physical therapy topic, not the Preface's guidelines
    cited = resolve_citation(_odg("Physical therapy", "Low Back Chapter"))
    assert cited is not None and cited.startswith(f"{GL}ODG-LowBack")
