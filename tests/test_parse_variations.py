"""Real-world variation the parser must absorb without being fitted to the examples: odd case,
extra spaces, line breaks inside decision and citation lines, leftover page furniture,
"Physician Reviewer", abbreviations at a line end, other spellings of the same label."""

from imrgraph.model import Source
from imrgraph.parse import parse_pages
from imrgraph.parse.citations import parse_citation_line
from imrgraph.parse.credentials import parse_credentials
from imrgraph.parse.summary import parse_summary

SOURCE = Source(path="v.txt", sha256="0" * 64, format="text")

LETTER = """Case   Number:  CM14-0099001
Date of UR Decision: 4/1/14   Priority:   standard

How the IMR Final Determination Was Made
The expert reviewer is Licensed in Chiropractic, has a subspecialty in Acupuncture and is
licensed to practice in California.

clinical case summary
The employee is a 39 y/o woman with DOI: 6/2/13. Her low-back and right hand hurt.

Imr Issues, Decisions And Rationales
The Final Determination was based on decisions for the disputed items/services set forth below:

Cyclobenzaprine 7.5 mg, 1 tab p.o.
b.i.d. #60   :   UPHELD

Claims  Administrator  Guideline:  Decision based on MTUS Chronic Pain Medical Treatment
Guidelines, Muscle relaxants (for pain) Page(s):
63-66.
CM14-0099001   Page 2 of 4
MAXIMUS Guideline: Decision based on ODG-TWC Pain Chapter, Muscle relaxants.

Decision Rationale: Not medically necessary. A prior IMR
overturned a denial of therapy; the decision: Upheld
stays. Therefore the request is not medically necessary.

Chiropractic manipulation 2x3 for the lumbar spine: Overturned

Claims Administrator guideline: Decision based on MTUS Chronic Pain Medical Treatment
Guidelines, Manual therapy & manipulation Page(s): 58-59.

MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment Guidelines, Manual
therapy & manipulation Page(s): 58-59.

Decision rationale: The manipulation is medically necessary.
"""


def test_a_letter_full_of_variation():
    letter = parse_pages([LETTER], SOURCE)
    assert letter.case_number == "CM14-0099001"
    assert letter.priority == "Standard"
    assert letter.dates.ur_decision == "2014-04-01"
    assert letter.dates.injury == "2013-06-02"
    assert (letter.applicant.age, letter.applicant.sex) == (39, "female")
    assert letter.injury.body_parts == ["low back", "hand"]
    assert letter.reviewer.specialties == ["Chiropractic", "Acupuncture"]
    assert [(i.service, i.outcome, i.category) for i in letter.items] == [
        ("Cyclobenzaprine 7.5 mg, 1 tab p.o. b.i.d. #60", "Upheld", "Pharmaceuticals"),
        (
            "Chiropractic manipulation 2x3 for the lumbar spine",
            "Overturned",
            "Physical Medicine",
        ),
    ]
    first = letter.items[0]
    assert [(c.section, c.pages) for c in first.claims_administrator_citations] == [
        ("Muscle relaxants (for pain)", "63-66")
    ]
    assert [(c.family, c.document, c.section) for c in first.reviewer_citations] == [
        ("ODG", "Pain Chapter", "Muscle relaxants")
    ]
    assert "CM14" not in first.claims_administrator_citations[0].text
    assert first.rationale.endswith("Therefore the request is not medically necessary.")
    assert letter.warnings == []


def test_older_style_variants_his_her_and_physician_reviewer():
    text = (
        "IMR ISSUES, DECISIONS AND RATIONALES\n"
        "3) Retrospective request for Norco 10/325 #90 between 1/1/2013 and 2/2/2013 is\n"
        "not medically necessary and appropriate.\n"
        "The Claims Administrator based its decision on the MTUS Chronic Pain Medical "
        "Treatment Guidelines, Opioids, pages 74-96, which is part of the MTUS.\n"
        "The Physician Reviewer based her decision on the MTUS Chronic Pain Medical "
        "Treatment Guidelines, Opioids, pages 74-96, which is part of the MTUS.\n"
        "The Physician Reviewer's decision rationale: The opioid is not medically "
        "necessary. It is not medically necessary and appropriate.\n"
    )
    letter = parse_pages([text], SOURCE)
    (item,) = letter.items
    assert (item.number, item.outcome) == (3, "Upheld")
    assert (
        item.service == "Retrospective request for Norco 10/325 #90 between 1/1/2013 and 2/2/2013"
    )
    assert [c.pages for c in item.reviewer_citations] == ["74-96"]
    assert item.decisive_sentence == "The opioid is not medically necessary."


def test_reviewer_paragraph_without_lead_in_gives_no_citation():
    text = (
        "IMR ISSUES, DECISIONS AND RATIONALES\n"
        "1. Gym membership is not medically necessary and appropriate.\n"
        "The Claims Administrator did not cite any medical evidence for its decision.\n"
        "The Expert Reviewer found that no section of the MTUS was applicable.\n"
        "The Expert Reviewer's decision rationale: Not indicated.\n"
    )
    (item,) = parse_pages([text], SOURCE).items
    assert item.claims_administrator_citations == [] and item.reviewer_citations == []


def test_citation_variants():
    warnings: list[str] = []
    cits = parse_citation_line(
        "Decision based on MTUS 2009: Chronic Pain Medical Treatment Guidelines, NSAIDs. "
        "Decision based on Official Disability Guidelines - Treatment in Workers' "
        "Compensation (ODG-TWC), Low Back Chapter, MRIs. Decision based on MTUS: ACOEM, "
        "Chapter 12, page 303",
        warnings,
    )
    assert [(c.family, c.document, c.edition, c.section, c.pages) for c in cits] == [
        ("MTUS", "Chronic Pain Medical Treatment Guidelines", "2009", "NSAIDs", None),
        ("ODG", "Low Back Chapter", None, "MRIs", None),
        ("MTUS", "Low Back Complaints", None, None, "303"),
    ]
    assert warnings == []


def test_credentials_sentence_with_several_states_in_words():
    text = (
        "The expert reviewer is Board Certified in Orthopaedic Surgery and is licensed to "
        "practice in California, New York and the District of Columbia."
    )
    warnings: list[str] = []
    assert parse_credentials(text, 0, len(text), warnings) == (
        ["California", "New York", "District of Columbia"],
        ["Orthopaedic Surgery"],
    )


def test_summary_utilization_review_spellings():
    for sentence in (
        "In a Utilization Review (UR) report dated 9/28/15, the request was denied.",
        "The request was non-certified by Utilization Review on September 28, 2015.",
        "On 09-28-2015, Utilization Review modified the request.",
        "In its Utilization Review decision of September 28, 2015, the claims administrator "
        "cited an October 1, 2015 note.",
    ):
        assert parse_summary(sentence).ur_date == "2015-09-28", sentence


def test_typographic_apostrophes_and_quotes():
    text = (
        "IMR ISSUES, DECISIONS AND RATIONALES\n"
        "1. MRI of the lumbar spine is not medically necessary and appropriate.\n"
        "The Claims Administrator based its decision on the Official Disability Guidelines "
        "(ODG), Low Back Chapter, MRIs, which is not part of the MTUS.\n"
        "The Expert Reviewer based his/her decision on the Official Disability Guidelines "
        "(ODG), Low Back Chapter, MRIs, which is not part of the MTUS.\n"
        "The Expert Reviewer’s decision rationale:\n"
        "ODG’s Low Back Chapter MRI topic says “imaging is not routine.” The MRI is not "
        "medically necessary.\n"
    )
    (item,) = parse_pages([text], SOURCE).items
    assert [c.section for c in item.reviewer_citations] == ["MRIs"]
    assert item.rationale.startswith("ODG’s Low Back Chapter")
    assert [(c.document, c.section) for c in item.rationale_citations] == [
        ("Low Back Chapter", "MRI")
    ]
    assert item.decisive_sentence == "The MRI is not medically necessary."


def test_later_and_earlier_citation_spellings():
    warnings: list[str] = []
    cits = parse_citation_line(
        "Decision based on MTUS Chronic Pain Medical Treatment Guidelines 8 C.C.R. 9792.20 - "
        "9792.26 MTUS (Effective July 18, 2009), Opioids Page(s): 78 of 127. "
        "Decision based on Non-MTUS Citation ACOEM Occupational Medicine Practice Guidelines, "
        "Second Edition (2004), Chapter 12, Low Back Complaints. "
        "Decision based on the California MTUS Chronic Pain Medical Treatment Guidelines "
        "(2009), page 98-99",
        warnings,
    )
    assert [(c.family, c.document, c.edition, c.section, c.pages) for c in cits] == [
        ("MTUS", "Chronic Pain Medical Treatment Guidelines", None, "Opioids", "78"),
        ("ACOEM", "ACOEM Practice Guidelines", "2nd Edition", "Low Back Complaints", None),
        ("MTUS", "Chronic Pain Medical Treatment Guidelines", "2009", None, "98-99"),
    ]
    assert warnings == []


def test_decision_line_broken_inside_a_bracket_and_before_its_colon():
    text = (
        "IMR ISSUES, DECISIONS AND RATIONALES\n"
        "The Final Determination was based on decisions for the disputed items/services set "
        "forth below:\n\n"
        "Retrospective request for x-rays of the right wrist (DOS:\n01/05/2015): Upheld\n\n"
        "Claims Administrator guideline: Decision based on MTUS Forearm, Wrist, and Hand "
        "Complaints 2004.\n"
        "Decision rationale: The x-rays were not medically necessary.\n\n"
        "MRI of the right\nwrist\n: Overturned\n"
        "MAXIMUS guideline: Decision based on MTUS Forearm, Wrist, and Hand Complaints 2004.\n"
        "Decision rationale: The MRI is medically necessary.\n"
    )
    letter = parse_pages([text], SOURCE)
    assert [(i.service, i.outcome) for i in letter.items] == [
        ("Retrospective request for x-rays of the right wrist (DOS: 01/05/2015)", "Upheld"),
        ("MRI of the right wrist", "Overturned"),
    ]


def test_page_n_of_total_is_content_not_a_footer():
    text = (
        "IMR ISSUES, DECISIONS AND RATIONALES\n"
        "Norco 10/325mg #60: Upheld\n"
        "MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment Guidelines, "
        "Opioids Page(s): 78 of 127.\n"
        "Page 2 of 3\n"
        "Decision rationale: As noted on page 80 of 127 of the MTUS Chronic Pain Medical\n"
        "Treatment Guidelines, opioids need documented benefit. Not medically necessary.\n"
    )
    (item,) = parse_pages([text], SOURCE).items
    assert "page 80 of 127 of the MTUS" in item.rationale
    assert "Page 2 of 3" not in item.rationale
    assert [c.pages for c in item.reviewer_citations] == ["78"]
    assert [(c.document, c.pages) for c in item.rationale_citations] == [
        ("Chronic Pain Medical Treatment Guidelines", "80")
    ]


def test_text_that_lost_its_line_breaks():
    text = (
        "IMR ISSUES, DECISIONS AND RATIONALES The Final Determination was based on decisions "
        "for the disputed items/services set forth below: Retrospective request for x-rays "
        "(DOS: 01/05/2015): Upheld Claims Administrator guideline: Decision based on MTUS Low "
        "Back Complaints 2004. MAXIMUS guideline: Decision based on MTUS Low Back Complaints "
        "2004. Decision rationale: Not medically necessary. Norco 10/325mg #60: Overturned "
        "MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment Guidelines, "
        "Opioids Page(s): 78-80. Decision rationale: Medically necessary."
    )
    letter = parse_pages([text], SOURCE)
    assert [(i.service, i.outcome, i.rationale) for i in letter.items] == [
        (
            "Retrospective request for x-rays (DOS: 01/05/2015)",
            "Upheld",
            "Not medically necessary.",
        ),
        ("Norco 10/325mg #60", "Overturned", "Medically necessary."),
    ]
    assert [c.pages for c in letter.items[1].reviewer_citations] == ["78-80"]


def test_early_2013_citation_spellings():
    warnings: list[str] = []
    lines = [
        "The Claims Administrator based its decision on the Chronic Pain Medical Treatment "
        "Guidelines, which are part of the California Medical Treatment Utilization Schedule "
        "(MTUS).",
        "The Expert Reviewer based his/her decision on the American College of Occupational "
        "and Environmental Medicine (ACOEM), 2nd Edition, (2004), Chapter 12, page 308, which "
        "is part of the MTUS.",
        "The Expert Reviewer based his/her decision on the Chronic Pain Medical Treatment "
        "Guidelines (May 2009), Opioids, pages 74-96, which is part of the MTUS.",
        "The Expert Reviewer based his/her decision on the Official Disability Guidelines "
        "(ODG), Low Back Chapter, which is not part of the California MTUS.",
    ]
    got = [
        (c.family, c.document, c.edition, c.section, c.pages)
        for line in lines
        for c in parse_citation_line(line, warnings)
    ]
    assert got == [
        ("MTUS", "Chronic Pain Medical Treatment Guidelines", None, None, None),
        ("MTUS", "Low Back Complaints", "2004", None, "308"),
        ("MTUS", "Chronic Pain Medical Treatment Guidelines", "2009", "Opioids", "74-96"),
        ("ODG", "Low Back Chapter", None, None, None),
    ]
    assert warnings == []


def test_odg_editions_written_before_the_chapter():
    warnings: list[str] = []
    cits = parse_citation_line(
        "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Treatment "
        "Index, 11th Edition (web), 2013, Pain, Opioids. Decision based on ODG Treatment in "
        "Workers Comp, 18th Edition, 2013 Updates: Low Back Chapter, MRI",
        warnings,
    )
    assert [(c.family, c.document, c.edition, c.section) for c in cits] == [
        ("ODG", "Pain Chapter", "11th Edition", "Opioids"),
        ("ODG", "Low Back Chapter", "18th Edition", "MRI"),
    ]
    assert warnings == []
