"""Whole letters through ``parse_pages``: the seed letter, a header-table letter over PDF pages,
letters that are not IMR letters, schema validity, and a property test over generated letters."""

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imrgraph.errors import NotAnImrLetter
from imrgraph.model import Letter, Source
from imrgraph.parse import parse_pages
from imrgraph.resources import schema_path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "letters" / "seed-letter.txt"
SCHEMA = json.loads(schema_path().read_text())


def text_source() -> Source:
    return Source(path="letter.txt", sha256="0" * 64, format="text")


def pdf_source(pages: int) -> Source:
    return Source(path="letter.pdf", sha256="1" * 64, format="pdf", pages=pages)


def codes(letter: Letter) -> list[str]:
    return sorted(w.split(":")[0] for w in letter.warnings)


@pytest.fixture(scope="module")
def seed() -> Letter:
    return parse_pages([SEED.read_text(encoding="utf-8")], text_source())


def test_seed_letter_items(seed):
    assert [(i.number, i.outcome, i.category) for i in seed.items] == [
        (1, "Overturned", "Physical Medicine"),
        (2, "Upheld", "Diagnostic Imaging"),
    ]
    therapy, mri = seed.items
    assert therapy.service == "Additional physical therapy 3x2 for the low back and neck"
    assert mri.service == "MRI of cervical spine without contrast"
    assert len(therapy.claims_administrator_citations) == 3
    assert [(c.family, c.document, c.section) for c in therapy.reviewer_citations] == [
        ("MTUS", "General Approaches", "Initial Approaches to Treatment")
    ]
    assert mri.claims_administrator_citations == []
    assert [(c.family, c.document, c.edition, c.section) for c in mri.reviewer_citations] == [
        ("MTUS", "Neck and Upper Back Complaints", "2004", "Summary")
    ]
    assert [(c.document, c.pages) for c in therapy.rationale_citations] == [
        ("General Approaches", "48")
    ]
    assert mri.rationale.startswith("Conversely, the request for MRI imaging")
    assert mri.rationale.endswith("Therefore, the request was not medically necessary.")


def test_seed_letter_facts(seed):
    assert seed.case_number is None and seed.priority is None
    assert seed.dates.injury == "2015-07-27" == seed.injury.date
    assert seed.dates.ur_decision == "2015-09-28"
    assert seed.reviewer.licensure_states == ["Texas", "New York", "California"]
    assert seed.reviewer.specialties == ["Preventive Medicine", "Occupational Medicine"]
    assert (seed.applicant.age, seed.applicant.sex) == (55, None)
    assert seed.injury.body_parts == ["neck", "low back", "shoulder"]
    assert seed.warnings == []


def test_seed_letter_validates_against_schema(seed):
    jsonschema.validate(seed.to_dict(), SCHEMA)


PAGE_1 = """Case Number: CM15-0201234     Date Assigned: 10/14/2015
Date of Injury: 06/02/2014      Decision Date: 11/20/2015
UR Denial Date: 09/28/2015      Priority: Expedited
Application Received: 10/05/2015

HOW THE IMR FINAL DETERMINATION WAS MADE
MAXIMUS Federal Services sent the complete case file to an expert reviewer.
The expert reviewer is Board Certified in Anesthesiology, has a subspecialty in Pain Medicine
and is licensed to practice in CA.

Clinical Case Summary
The injured worker is a 48 year old male who reported an injury on 06/03/2014. In a
Utilization Review report dated September 28, 2015, the request for Gabapentin was modified.
He has right knee and lumbar pain.

IMR ISSUES, DECISIONS AND RATIONALES
The Final Determination was based on decisions for the disputed items/services set forth below:

Gabapentin 600mg #90: Overturned

Claims Administrator guideline: Decision based on MTUS Chronic Pain Medical Treatment
"""
PAGE_2 = """Page 2 of 3
CM15-0201234
Guidelines, Antiepilepsy drugs (AEDs) Page(s): 16-18.

MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment Guidelines,
Antiepilepsy drugs (AEDs) Page(s): 16-18.

Decision rationale: Gabapentin is medically necessary for neuropathic pain. UR upheld the
denial of a different drug, which is not at issue.
"""
PAGE_3 = """CM15-0201234
Right knee arthroscopy: Upheld

Claims Administrator guideline: Decision based on MTUS Knee Complaints 2004.

MAXIMUS guideline: Decision based on MTUS Knee Complaints 2004, Section(s): Surgical
Considerations.

Decision rationale: The arthroscopy is not medically necessary.
Page 3 of 3
"""


def test_header_table_letter_over_pdf_pages():
    letter = parse_pages([PAGE_1, PAGE_2, PAGE_3], pdf_source(3))
    assert letter.case_number == "CM15-0201234"
    assert letter.priority == "Expedited"
    assert (letter.dates.assigned, letter.dates.decision, letter.dates.application_received) == (
        "2015-10-14",
        "2015-11-20",
        "2015-10-05",
    )
    # Header wins over the summary's 06/03/2014, with a warning.
    assert letter.dates.injury == "2014-06-02"
    assert letter.dates.ur_decision == "2015-09-28"
    assert codes(letter) == ["date-conflict"]
    assert letter.reviewer.licensure_states == ["California"]
    assert letter.reviewer.specialties == ["Anesthesiology", "Pain Medicine"]
    assert (letter.applicant.age, letter.applicant.sex) == (48, "male")
    assert letter.injury.body_parts == ["knee", "low back"]
    gabapentin, knee = letter.items
    assert (gabapentin.service, gabapentin.outcome, gabapentin.page) == (
        "Gabapentin 600mg #90",
        "Overturned",
        1,
    )
    # The footer and repeated case number between pages do not enter the citation.
    assert [c.text for c in gabapentin.claims_administrator_citations] == [
        "MTUS Chronic Pain Medical Treatment Guidelines, Antiepilepsy drugs (AEDs) Page(s): 16-18"
    ]
    assert gabapentin.rationale.endswith("which is not at issue.")
    assert (knee.service, knee.outcome, knee.page, knee.category) == (
        "Right knee arthroscopy",
        "Upheld",
        3,
        "Surgery",
    )
    assert knee.rationale == "The arthroscopy is not medically necessary."
    jsonschema.validate(letter.to_dict(), SCHEMA)


def test_missing_facts_are_null_with_warnings():
    text = (
        "IMR ISSUES, DECISIONS AND RATIONALES\n"
        "Transportation to appointments: Upheld\n"
        "Claims Administrator guideline: Decision based on MTUS.\n"
        "MAXIMUS guideline: Decision based on Non-MTUS: peer-reviewed literature.\n"
        "Decision rationale: Not medically necessary.\n"
    )
    letter = parse_pages([text], text_source())
    assert letter.dates.injury is None and letter.applicant.age is None
    assert letter.items[0].category == "Other"
    assert set(codes(letter)) >= {
        "section-missing",
        "credentials-missing",
        "injury-date-missing",
        "ur-date-missing",
        "age-missing",
        "category-defaulted",
    }
    jsonschema.validate(letter.to_dict(), SCHEMA)


@pytest.mark.parametrize(
    "pages",
    [
        [""],
        ["   \n\n  "],
        ["Dear Sir, thank you for your letter. The MRI was upheld by the board."],
        ["CLINICAL CASE SUMMARY\nThe applicant is a 40-year-old.\n"],
        ["IMR ISSUES, DECISIONS AND RATIONALES\nNothing was decided here.\n"],
    ],
)
def test_not_an_imr_letter(pages):
    with pytest.raises(NotAnImrLetter) as info:
        parse_pages(pages, text_source())
    assert info.value.path == "letter.txt"
    assert "\n" not in str(info.value)


# --- property: generated letters give back exactly the items they were built from ----------

_WORDS = st.sampled_from(
    [
        "MRI",
        "of",
        "the",
        "lumbar",
        "spine",
        "Norco",
        "10/325mg",
        "#60",
        "physical",
        "therapy",
        "2x6",
        "right",
        "knee",
        "(DOS:",
        "01/05/2015)",
        "topical",
        "cream",
        "TENS",
        "unit:",
        "consultation",
        "with",
        "pain",
        "management",
        "x-rays",
    ]
)
_SERVICE = (
    st.lists(_WORDS, min_size=1, max_size=8).map(" ".join).filter(lambda s: not s.endswith(":"))
)
_RATIONALE_WORDS = st.sampled_from(
    [
        "The",
        "request",
        "was",
        "upheld",
        "overturned",
        "Upheld:",
        "Overturned",
        "medically",
        "necessary",
        "not",
        "is",
        "Claims",
        "Administrator",
        "MTUS",
        "and",
        ";",
        ".",
        "1.",
        "2.",
        "guideline",
        "the",
        "UR",
        "decision",
    ]
)
_RATIONALE = st.lists(_RATIONALE_WORDS, min_size=1, max_size=30).map(" ".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(_SERVICE, st.sampled_from(["Upheld", "Overturned"]), _RATIONALE),
        min_size=1,
        max_size=7,
    )
)
def test_generated_newer_style_letters_round_trip(items):
    blocks = [
        f"{service}: {outcome}\n\n"
        "Claims Administrator guideline: Decision based on MTUS Low Back Complaints 2004.\n\n"
        "MAXIMUS guideline: Decision based on MTUS Low Back Complaints 2004.\n\n"
        f"Decision rationale: {rationale}.\n\n"
        for service, outcome, rationale in items
    ]
    text = (
        "CLINICAL CASE SUMMARY\nThe applicant is a 40-year-old.\n\n"
        "IMR ISSUES, DECISIONS AND RATIONALES\n" + "".join(blocks)
    )
    letter = parse_pages([text], text_source())
    assert [(i.service, i.outcome) for i in letter.items] == [
        (" ".join(s.split()), o) for s, o, _ in items
    ]
    assert [i.number for i in letter.items] == list(range(1, len(items) + 1))
    assert all(len(i.reviewer_citations) == 1 for i in letter.items)


def test_sections_out_of_order_and_short_heading():
    text = (
        "IMR ISSUES\n"
        "MRI of the right knee: Upheld\n"
        "MAXIMUS guideline: Decision based on MTUS Knee Complaints 2004.\n"
        "Decision rationale: The MRI is not medically necessary.\n\n"
        "CLINICAL CASE SUMMARY\n"
        "The applicant is a 39-year-old who reported an injury on 06/02/2014.\n\n"
        "HOW THE IMR FINAL DETERMINATION WAS MADE\n"
        "State(s) of Licensure: Nevada\nCertification(s)/Specialty: Orthopedic Surgery\n"
    )
    letter = parse_pages([text], text_source())
    (item,) = letter.items
    assert (item.service, item.outcome) == ("MRI of the right knee", "Upheld")
    # The rationale stops at the next heading instead of swallowing the summary.
    assert item.rationale == "The MRI is not medically necessary."
    assert (letter.applicant.age, letter.dates.injury) == (39, "2014-06-02")
    assert letter.reviewer.licensure_states == ["Nevada"]
    assert "section-missing" not in codes(letter)


def test_no_decisions_heading_items_found_anywhere():
    text = (
        "CLINICAL CASE SUMMARY\nThe applicant is a 39-year-old.\n"
        "MRI of the right knee: Overturned\n"
        "Claims Administrator guideline: Decision based on MTUS Knee Complaints 2004.\n"
        "Decision rationale: The MRI is medically necessary.\n"
    )
    letter = parse_pages([text], text_source())
    assert [(i.service, i.outcome) for i in letter.items] == [
        ("MRI of the right knee", "Overturned")
    ]
    assert "section-missing" in codes(letter)


def test_impossible_header_date_is_unparsed_not_missing():
    text = (
        "Case Number: CM15-0201234  Date of Injury: 02/30/2014  UR Denial Date: 09/28/2015\n"
        "CLINICAL CASE SUMMARY\nThe applicant is a 39-year-old with neck pain.\n"
        "IMR ISSUES, DECISIONS AND RATIONALES\n"
        "MRI of the neck: Upheld\n"
        "Claims Administrator guideline: Decision based on MTUS Neck and Upper Back "
        "Complaints 2004.\n"
        "MAXIMUS guideline: Decision based on MTUS Neck and Upper Back Complaints 2004.\n"
        "Decision rationale: The MRI is not medically necessary.\n"
    )
    letter = parse_pages([text], text_source())
    assert letter.dates.injury is None and letter.dates.ur_decision == "2015-09-28"
    assert codes(letter) == ["credentials-missing", "date-unparsed", "section-missing"]
