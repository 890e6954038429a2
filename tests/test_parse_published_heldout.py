"""A letter of our own wording in the published 2016-2017 layout, with what the 97 sample
letters do not have (held-out style): ODG chapters they never cite (Pulmonary, Diabetes, Eye),
the ODG subtitle before a chapter, a 2016 Opioids citation run together with a 2009 Chronic
Pain one, a modified request with another drug whose heading is cut by a page break inside its
last sentence, a service cut by a page break before its outcome, citation paragraphs run
together without blank lines, and a web address broken after a hyphen.

The expected reading below is written by hand from the letter, not by the parser. The letter
is also cut into two pages at every line of its decisions section: the reading must not depend
on where the page breaks fall.
"""

from __future__ import annotations

import pytest

from imrgraph.model import Letter, Source
from imrgraph.parse import parse_pages

PAGE_1 = """Case Number: CM17-0099001 Date of Injury: 03/14/2012
Date Assigned: 01/05/2017 UR Denial Date: 12/20/2016
Decision Date: 02/02/2017 Application 12/28/2016
Priority: Standard Received:

HOW THE IMR FINAL DETERMINATION WAS MADE
MAXIMUS Federal Services sent the case file to an expert reviewer. The expert reviewer is Board
Certified in Internal Medicine and is licensed to practice in California and Oregon.

CLINICAL CASE SUMMARY
The applicant is a 61 year old female who reported an injury on 03/14/2012.
The Utilization Review dated 12/20/2016 non-certified the requests.

IMR ISSUES, DECISIONS AND RATIONALES
The Final Determination was based on decisions for the disputed items/services set forth below:

Spirometry testing: Upheld

Claims Administrator guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016,
Section(s): Introduction.
The Claims Administrator based their decision on recommendation(s) outside of the MTUS Guidelines.
Decision based on Non-MTUS Citation ODG Pulmonary Chapter (updated 05/10/16), Spirometry.
MAXIMUS guideline: The Expert Reviewer based their decision on recommendation(s) outside of the MTUS
Guidelines. Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Integrated
Treatment/Disability Duration Guidelines, Pulmonary, Spirometry.
Decision rationale: Spirometry is not supported for this applicant. The request is not medically
necessary.

Oxycodone 15mg #120 was the original request. Oxycodone 15mg #60 was authorized by the Claims
Administrator. The remaining IMR eligible portion"""
PAGE_2 = """of the original request, Oxycodone 15mg #60 is: Upheld

Claims Administrator guideline: Decision based on MTUS Opioids Treatment Guidelines 2016,
Section(s): Weaning, and Chronic Pain Medical Treatment 2009, Section(s): Opioids, criteria for use.

MAXIMUS guideline: Decision based on MTUS Opioid Treatment 2016, Section(s): Tapering; Chronic Pain
Medical Treatment 2016, Section(s): Opioids.

Decision rationale: Weaning was appropriately recommended. The request is not medically necessary.

Eye examination with dilated
"""
PAGE_3 = """fundus photography: Overturned

Claims Administrator guideline: Decision based on Non-MTUS Citation ODG Diabetes
(Type 1, 2, and Gestational) Chapter, Retinal imaging.

MAXIMUS guideline: Decision based on Non-MTUS Citation ODG Eye Chapter (updated 11/30/16),
Office visits, and ODG Head Chapter, Vision evaluation. Decision based on Non-MTUS Citation
American Academy of Ophthalmology, Preferred Practice Pattern, https://www.aao.org/preferred-
practice-pattern/diabetic-retinopathy-ppp
Decision rationale: The examination is indicated. The request is medically necessary.
"""

EXPECTED_ITEMS = [
    (
        "Spirometry testing",
        "Upheld",
        None,
        None,
        [
            ("MTUS", "Chronic Pain Medical Treatment Guidelines", "2016"),
            ("ODG", "Pulmonary Chapter", None),
        ],
        [("ODG", "Pulmonary Chapter", None)],
    ),
    (
        "Oxycodone 15mg #60",
        "Upheld",
        "Oxycodone 15mg #120",
        "Oxycodone 15mg #60",
        [
            ("MTUS", "Opioids Treatment Guidelines", "2016"),
            ("MTUS", "Chronic Pain Medical Treatment Guidelines", "2009"),
        ],
        [
            ("MTUS", "Opioids Treatment Guidelines", "2016"),
            ("MTUS", "Chronic Pain Medical Treatment Guidelines", "2016"),
        ],
    ),
    (
        "Eye examination with dilated fundus photography",
        "Overturned",
        None,
        None,
        [("ODG", "Diabetes Chapter", None)],
        [("ODG", "Eye Chapter", None), ("ODG", "Head Chapter", None), ("OTHER", None, None)],
    ),
]
SOURCE = Source(path="heldout.pdf", sha256="0" * 64, format="pdf")


def _reading(letter: Letter) -> list[tuple]:
    def cites(citations):
        return [
            (c.family, c.document if c.family != "OTHER" else None, c.edition) for c in citations
        ]

    return [
        (
            i.service,
            i.outcome,
            i.original_request,
            i.authorized,
            cites(i.claims_administrator_citations),
            cites(i.reviewer_citations),
        )
        for i in letter.items
    ]


def test_published_layout_letter_of_our_own_wording_reads_as_written():
    letter = parse_pages([PAGE_1, PAGE_2, PAGE_3], SOURCE)
    assert _reading(letter) == EXPECTED_ITEMS
    assert letter.dates.injury == "2012-03-14"
    assert letter.dates.ur_decision == "2016-12-20"
    assert letter.reviewer.licensure_states == ["California", "Oregon"]
    assert not [w for w in letter.warnings if w.startswith("citation-unrecognized")]
    eye = letter.items[2].reviewer_citations[-1]
    assert "https://www.aao.org/preferred-practice-pattern/diabetic-retinopathy-ppp" in (
        eye.document or ""
    )


_WHOLE = "\n".join([PAGE_1, PAGE_2, PAGE_3])
_LINES = _WHOLE.split("\n")
_FIRST_ITEM_LINE = next(n for n, line in enumerate(_LINES) if line.startswith("Spirometry"))


@pytest.mark.parametrize("cut", range(_FIRST_ITEM_LINE, len(_LINES) - 1))
def test_published_layout_letter_reads_the_same_wherever_a_page_breaks(cut):
    pages = ["\n".join(_LINES[:cut]), "\n".join(_LINES[cut:])]
    assert _reading(parse_pages(pages, SOURCE)) == EXPECTED_ITEMS
