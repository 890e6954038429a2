"""Disputed items in both styles; outcome only from the decision line; services as written."""

import pytest

from imrgraph.parse.items import decisive_sentence, parse_items

NEWER = """IMR ISSUES, DECISIONS AND RATIONALES
The Final Determination was based on decisions for the disputed items/services set forth below:

Retrospective request for x-rays (DOS: 01/05/2015): Upheld

Claims Administrator guideline: Decision based on MTUS Low Back Complaints 2004.

MAXIMUS guideline: Decision based on MTUS Low Back Complaints 2004, Section(s): Special
Studies.

Decision rationale: No, the x-rays were not medically necessary. The prior IMR on the MRI was
overturned, and the UR denial of chiropractic care was upheld: neither changes this request.
The request was upheld by UR.

Norco 10/325mg #60 for the lumbar spine with instructions: 1 tab q6h
prn: Overturned

Claims Administrator guideline: Decision based on MTUS Chronic Pain Medical Treatment
Guidelines, Opioids Page(s): 78-80.

MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment Guidelines, Opioids
Page(s): 78-80.

Decision rationale: Yes, Norco was medically necessary. Function improved by 40%.
"""

OLDER = """IMR ISSUES, DECISIONS AND RATIONALES
The Final Determination was based on decisions for the disputed items/services set forth below:

1. Topical compound cream 240gm is not medically necessary and appropriate.

The Claims Administrator based its decision on the MTUS Chronic Pain Medical Treatment
Guidelines, Topical Analgesics, page 111, which is part of the MTUS.

The Expert Reviewer based his/her decision on the MTUS Chronic Pain Medical Treatment
Guidelines, Topical Analgesics, page 111, which is part of the MTUS.

The Expert Reviewer's decision rationale:
The compound is not recommended. 2. The prior request is medically necessary and was
overturned, per the records. Therefore the cream is not medically necessary.

2. Physical therapy 2x6 for the right wrist is medically necessary and
appropriate.

The Claims Administrator did not cite any medical evidence for its decision.

The Physician Reviewer found that the MTUS did not address the request. Per the Strength of
Evidence hierarchy, the Physician Reviewer based his/her decision on the Official Disability
Guidelines (ODG), Forearm, Wrist, and Hand Chapter, Physical therapy, which is not part of the
MTUS.

The Physician Reviewer's decision rationale:
Therapy is indicated. The request is medically necessary.
"""


def parse(text: str):
    warnings: list[str] = []
    return parse_items(text, 0, len(text), warnings), warnings


def test_newer_style_colons_wrapped_line_and_outcome_words_in_rationale():
    items, warnings = parse(NEWER)
    assert [(i.number, i.service, i.outcome) for i in items] == [
        (1, "Retrospective request for x-rays (DOS: 01/05/2015)", "Upheld"),
        (
            2,
            "Norco 10/325mg #60 for the lumbar spine with instructions: 1 tab q6h prn",
            "Overturned",
        ),
    ]
    assert [i.category for i in items] == ["Diagnostic Imaging", "Pharmaceuticals"]
    first, second = items
    assert [c.section for c in first.reviewer_citations] == ["Special Studies"]
    assert first.rationale.startswith("No, the x-rays were not medically necessary.")
    assert first.rationale.endswith("The request was upheld by UR.")
    assert first.decisive_sentence == "No, the x-rays were not medically necessary."
    assert [c.pages for c in second.claims_administrator_citations] == ["78-80"]
    assert second.rationale == "Yes, Norco was medically necessary. Function improved by 40%."
    assert all(i.page is None for i in items)
    assert warnings == []


def test_older_style_numbers_outcomes_and_physician_reviewer():
    items, warnings = parse(OLDER)
    assert [(i.number, i.service, i.outcome) for i in items] == [
        (1, "Topical compound cream 240gm", "Upheld"),
        (2, "Physical therapy 2x6 for the right wrist", "Overturned"),
    ]
    first, second = items
    assert [(c.family, c.section, c.pages) for c in first.claims_administrator_citations] == [
        ("MTUS", "Topical Analgesics", "111")
    ]
    assert len(first.reviewer_citations) == 1
    assert first.rationale.startswith("The compound is not recommended. 2. The prior request")
    assert second.claims_administrator_citations == []
    assert [(c.family, c.document, c.section) for c in second.reviewer_citations] == [
        ("ODG", "Forearm, Wrist, and Hand Chapter", "Physical therapy")
    ]
    assert second.rationale == "Therapy is indicated. The request is medically necessary."
    assert warnings == []


def test_decision_line_split_before_the_outcome():
    text = (
        "MRI of the left shoulder without contrast:\nOverturned\n\n"
        "Claims Administrator guideline: Decision based on MTUS Shoulder Complaints 2004.\n"
        "MAXIMUS guideline: Decision based on MTUS Shoulder Complaints 2004.\n"
        "Decision rationale: The MRI is medically necessary.\n"
    )
    items, _ = parse(text)
    assert [(i.service, i.outcome) for i in items] == [
        ("MRI of the left shoulder without contrast", "Overturned")
    ]


def test_rationale_lines_ending_in_outcome_words_do_not_create_items():
    text = (
        "Lumbar brace: Upheld\n"
        "Claims Administrator guideline: Decision based on MTUS Low Back Complaints 2004.\n"
        "MAXIMUS guideline: Decision based on MTUS Low Back Complaints 2004.\n"
        "Decision rationale: The earlier request for a cane: Overturned\n"
        "by a prior reviewer. That decision: Upheld\n"
        "The brace is not medically necessary.\n"
    )
    items, _ = parse(text)
    assert len(items) == 1 and items[0].outcome == "Upheld"
    assert "cane: Overturned" in items[0].rationale


def test_missing_citation_line_and_rationale_warn():
    text = (
        "IMR ISSUES, DECISIONS AND RATIONALES\n"
        "Gym membership: Upheld\n"
        "MAXIMUS guideline: Decision based on ODG Low Back Chapter, Gym memberships.\n"
        "Decision rationale:\n"
        "TENS unit: Upheld\n"
        "Claims Administrator guideline: Decision based on MTUS Chronic Pain Medical Treatment "
        "Guidelines, TENS.\n"
        "MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment Guidelines, "
        "TENS.\n"
        "Decision rationale: Not medically necessary.\n"
    )
    items, warnings = parse(text)
    assert [i.service for i in items] == ["Gym membership", "TENS unit"]
    assert items[0].rationale == "" and items[0].decisive_sentence is None
    assert sorted(w.split(":")[0] for w in warnings) == [
        "item-citations-missing",
        "item-rationale-missing",
    ]


def test_page_of_decision_line():
    second_page = NEWER.index("Norco")
    items = parse_items(NEWER, 0, len(NEWER), [], page_of=lambda pos: 1 if pos < second_page else 2)
    assert [i.page for i in items] == [1, 2]


def test_decisive_sentence_falls_back_to_last_sentence():
    assert decisive_sentence("Guidelines do not support it. Dr. Smith agreed. So, denied.") == (
        "So, denied."
    )
    assert decisive_sentence("The request, e.g. the gel, was not medically necessary. Ok.") == (
        "The request, e.g. the gel, was not medically necessary."
    )


def test_missing_claims_line_is_not_found_inside_the_rationale():
    text = (
        "1. Lumbar MRI is not medically necessary and appropriate.\n"
        "The Expert Reviewer based his/her decision on the MTUS Low Back Complaints 2004, "
        "which is part of the MTUS.\n"
        "The Expert Reviewer's decision rationale: The Claims Administrator based its decision "
        "on nothing; the claims administrator was right. Not medically necessary.\n"
    )
    items, warnings = parse(text)
    (item,) = items
    assert item.claims_administrator_citations == []
    assert [c.document for c in item.reviewer_citations] == ["Low Back Complaints"]
    assert item.rationale.startswith("The Claims Administrator based its decision on nothing")
    assert [w.split(":")[0] for w in warnings] == ["item-citations-missing"]


# --- an item heading never vanishes (issue 15, item 1) ----------------------------------------

HOSTILE = """IMR ISSUES, DECISIONS AND RATIONALES
The Final Determination was based on decisions for the disputed items/services set forth below:

Urine drug screen: Upheld

Claims Administrator guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016,
Section(s): Drug testing.

MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016,
Section(s): Drug testing.

Decision rationale: There is no sign of aberrant behavior. The request is not medically
necessary.

{heading}

Claims Administrator guideline: Decision based on MTUS Low Back Complaints 2004,
Section(s): Special Studies.

MAXIMUS guideline: Decision based on MTUS Low Back Complaints 2004, Section(s): Special
Studies.

Decision rationale: There are no red flags. The request is not medically necessary.
"""


def _hostile(heading: str):
    text = HOSTILE.format(heading=heading)
    warnings: list[str] = []
    return parse_items(text, 0, len(text), warnings), warnings


@pytest.mark.parametrize(
    "heading",
    [
        "MRI of the lumbar spine without contrast: Upheld Overturned",
        "MRI of the lumbar spine without contrast: Upheld/Overturned",
        "MRI of the lumbar spine without contrast: Partially Overturned",
        "MRI of the lumbar spine without contrast: Upheld Overturned.",
        "MRI of the lumbar spine without contrast: Overturned (in part)",
        "MRI of the lumbar spine without contrast:",
        "MRI of the lumbar spine without contrast",
    ],
)
def test_unreadable_outcome_keeps_the_item_as_unknown_with_a_warning(heading):
    items, warnings = _hostile(heading)
    assert [(i.service, i.outcome) for i in items] == [
        ("Urine drug screen", "Upheld"),
        ("MRI of the lumbar spine without contrast", "Unknown"),
    ]
    # Its own citations and rationale stay with it, not in the previous item's rationale.
    assert [c.document for c in items[1].claims_administrator_citations] == ["Low Back Complaints"]
    assert items[1].rationale == "There are no red flags. The request is not medically necessary."
    assert "Claims Administrator" not in items[0].rationale
    assert [w for w in warnings if w.startswith("item-outcome-unreadable")] == [
        f"item-outcome-unreadable: {heading}"
    ]


@pytest.mark.parametrize(
    ("heading", "outcome"),
    [
        ("MRI of the lumbar spine without contrast:\nOverturned", "Overturned"),
        ("MRI of the lumbar spine without contrast:\n\nUpheld", "Upheld"),
        ("MRI of the lumbar spine without contrast\nOverturned", "Overturned"),
    ],
)
def test_outcome_on_the_next_line_is_read(heading, outcome):
    items, warnings = _hostile(heading)
    assert [(i.service, i.outcome) for i in items] == [
        ("Urine drug screen", "Upheld"),
        ("MRI of the lumbar spine without contrast", outcome),
    ]
    assert not [w for w in warnings if w.startswith("item-outcome-unreadable")]


def test_citation_paragraphs_run_together_are_still_read_apart():
    text = (
        "IMR ISSUES, DECISIONS AND RATIONALES\n\n"
        "Lumbar brace: Upheld\n"
        "Claims Administrator guideline: Decision based on MTUS Low Back Complaints 2004,\n"
        "Section(s): Physical Methods.MAXIMUS guideline: Decision based on MTUS Low Back\n"
        "Complaints 2004, Section(s): Summary.\n"
        "Decision rationale: Braces do not help past the acute phase. Not medically necessary.\n"
    )
    warnings: list[str] = []
    (item,) = parse_items(text, 0, len(text), warnings)
    assert [c.section for c in item.claims_administrator_citations] == ["Physical Methods"]
    assert [c.section for c in item.reviewer_citations] == ["Summary"]
    assert item.rationale.startswith("Braces do not help")


# --- line breaks lost by the extraction ------------------------------------------------------

_BLOCK = (
    "Claims Administrator guideline: Decision based on MTUS Knee Complaints 2004.\n\n"
    "MAXIMUS guideline: Decision based on MTUS Knee Complaints 2004.\n\n"
    "Decision rationale: Imaging is not indicated yet. The request is not medically necessary.\n"
)


def test_heading_on_the_line_of_the_section_intro_or_of_the_previous_rationale_end():
    text = (
        "IMR ISSUES, DECISIONS AND RATIONALES\n"
        "The Final Determination was based on decisions for the disputed items/services set "
        "forth below: MRI of the left knee: Upheld\n\n" + _BLOCK
    )
    text = text[:-1] + " X-ray of the left knee: Overturned\n\n" + _BLOCK
    warnings: list[str] = []
    items = parse_items(text, 0, len(text), warnings)
    assert [(i.service, i.outcome) for i in items] == [
        ("MRI of the left knee", "Upheld"),
        ("X-ray of the left knee", "Overturned"),
    ]


def test_a_decision_line_run_into_its_first_label_next_to_ordinary_ones():
    text = (
        "IMR ISSUES, DECISIONS AND RATIONALES\n\nMRI of the left knee: Upheld\n\n"
        + _BLOCK
        + "\nX-ray of the left knee: Upheld"
        + _BLOCK
        + "\nNaproxen 550mg #90 was the original request. Naproxen 550mg #60 was authorized by "
        "the Claims Administrator. The remaining IMR eligible portion of the original request, "
        "Naproxen 550mg #30 is: Upheld " + _BLOCK
    )
    warnings: list[str] = []
    items = parse_items(text, 0, len(text), warnings)
    assert [(i.service, i.original_request) for i in items] == [
        ("MRI of the left knee", None),
        ("X-ray of the left knee", None),
        ("Naproxen 550mg #30", "Naproxen 550mg #90"),
    ]
    assert all(i.claims_administrator_citations for i in items)


def test_a_letter_with_an_unreadable_outcome_conforms_to_the_json_contract():
    import json
    from pathlib import Path

    import jsonschema

    from imrgraph.model import Source
    from imrgraph.parse import parse_pages

    schema_path = Path(__file__).resolve().parents[1] / "imrgraph" / "schema" / "letter.schema.json"
    text = "Case Number: CM16-0000001\n\n" + HOSTILE.format(
        heading="MRI of the lumbar spine: Upheld/Overturned"
    )
    letter = parse_pages([text], Source(path="x.txt", sha256="0" * 64, format="text")).to_dict()
    jsonschema.validate(letter, json.loads(schema_path.read_text(encoding="utf-8")))
    assert [i["outcome"] for i in letter["items"]] == ["Upheld", "Unknown"]
    assert (
        "item-outcome-unreadable: MRI of the lumbar spine: Upheld/Overturned" in letter["warnings"]
    )


# --- hostile sizes: time grows with the text, not with its square ---------------------------


def test_a_long_run_of_spaces_in_the_decisions_section_is_read_in_linear_time():
    import time

    text = "IMR ISSUES, DECISIONS AND RATIONALES\n" + " " * 200_000 + "x\n"
    t0 = time.perf_counter()
    assert parse_items(text, 0, len(text), []) == []
    # A pattern starting with "[ \t]*" rescanned the run from every position: minutes.
    assert time.perf_counter() - t0 < 10


def test_thousands_of_items_are_read_in_linear_time():
    import time

    block = (
        "MRI: Upheld\nClaims Administrator guideline: x\nDecision rationale: y.\n"
        "CT: Upheld Claims Administrator guideline: x\nDecision rationale: y.\n"
    )
    text = "IMR ISSUES, DECISIONS AND RATIONALES\n" + block * 10_000
    t0 = time.perf_counter()
    items = parse_items(text, 0, len(text), [])
    assert len(items) == 20_000
    assert time.perf_counter() - t0 < 30  # about 2 s here; pairing labels by scan took minutes


def test_a_decision_line_with_nothing_under_it_is_never_part_of_the_next_heading():
    # Two decision lines in a row (the first item's paragraphs lost): one item each, the first
    # without citations, never one service "Gabapentin 300mg #90: Upheld Cervical pillow".
    text = """IMR ISSUES, DECISIONS AND RATIONALES
The Final Determination was based on decisions for the disputed items/services set forth below:

Gabapentin 300mg #90: Upheld

Cervical pillow: Overturned

Claims Administrator guideline: Decision based on Non-MTUS Citation ODG Neck Chapter, Pillow.

MAXIMUS guideline: Decision based on Non-MTUS Citation ODG Neck Chapter, Pillow.

Decision rationale: A pillow is supported here. The request is medically necessary.
"""
    warnings: list[str] = []
    items = parse_items(text, 0, len(text), warnings)
    assert [(i.service, i.outcome) for i in items] == [
        ("Gabapentin 300mg #90", "Upheld"),
        ("Cervical pillow", "Overturned"),
    ]
    assert items[0].claims_administrator_citations == []
    assert [c.document for c in items[1].reviewer_citations] == ["Neck and Upper Back Chapter"]


def test_a_rationale_ending_in_an_outcome_word_is_not_an_item_of_its_own():
    block = (
        "Claims Administrator guideline: Decision based on MTUS Knee Complaints 2004.\n\n"
        "MAXIMUS guideline: Decision based on MTUS Knee Complaints 2004.\n\n"
    )
    text = (
        "IMR ISSUES, DECISIONS AND RATIONALES\n"
        "The Final Determination was based on decisions for the disputed items/services set "
        "forth below:\n\nKnee MRI: Upheld\n\n" + block + "Decision rationale: upheld\n\n"
        "Knee brace: Overturned\n\n" + block + "Decision rationale: A brace helps here.\n"
    )
    items = parse_items(text, 0, len(text), [])
    assert [(i.service, i.outcome) for i in items] == [
        ("Knee MRI", "Upheld"),
        ("Knee brace", "Overturned"),
    ]


@pytest.mark.parametrize(
    "last_sentence",
    [
        "The request is not medically necessary.",
        "The request is not medically necessary at this time.",
        "Therefore, the request is medically necessary and appropriate.",
        "As such, the request is not supported.",
        "Medical necessity has not been established.",
        "The request is therefore not recommended by the guidelines.",
    ],
)
def test_a_heading_on_the_line_of_any_rationale_conclusion_keeps_only_its_service(last_sentence):
    # A lost line break puts the next heading after the rationale's last sentence, however
    # that sentence is worded (not only "... medically necessary.").
    block = (
        "Claims Administrator guideline: Decision based on MTUS Knee Complaints 2004.\n\n"
        "MAXIMUS guideline: Decision based on MTUS Knee Complaints 2004.\n\n"
    )
    text = (
        "IMR ISSUES, DECISIONS AND RATIONALES\n"
        "The Final Determination was based on decisions for the disputed items/services set "
        "forth below:\n\nKnee MRI: Upheld\n\n" + block + "Decision rationale: The knee is "
        f"stable.\n{last_sentence} Knee brace 2 units: Overturned\n\n"
        + block
        + "Decision rationale: A brace helps here.\n"
    )
    items = parse_items(text, 0, len(text), [])
    assert [(i.service, i.outcome) for i in items] == [
        ("Knee MRI", "Upheld"),
        ("Knee brace 2 units", "Overturned"),
    ]
    assert items[0].rationale.endswith(last_sentence)


@pytest.mark.parametrize("width", [40, 55, 70, 95])
def test_a_long_service_wrapped_over_many_lines_is_kept_whole(width):
    # A compounded cream lists its ingredients: at a narrow width its heading runs over up to
    # seven lines, none ending a sentence; all of them are the service.
    import textwrap

    service = (
        "Retrospective request for compounded topical cream with Flurbiprofen 20%, Baclofen 2%, "
        "Cyclobenzaprine 2%, Gabapentin 6%, Lidocaine 5%, Camphor 2%, Menthol 2%, 240gm with 3 "
        "refills, dispensed on 11/11/2016 for the cervical and lumbar spine"
    )
    block = (
        "Claims Administrator guideline: Decision based on MTUS Chronic Pain Medical Treatment "
        "2016, Section(s): Topical analgesics.\n\nMAXIMUS guideline: Decision based on MTUS "
        "Chronic Pain Medical Treatment 2016, Section(s): Topical analgesics.\n\n"
    )
    text = (
        "IMR ISSUES, DECISIONS AND RATIONALES\n"
        "The Final Determination was based on decisions for the disputed items/services set "
        "forth below:\n\nKnee MRI: Upheld\n\n" + block + "Decision rationale: The knee is "
        "stable. Not medically necessary.\n\n"
        + textwrap.fill(service + ": Upheld", width)
        + "\n\n"
        + block
        + "Decision rationale: Not supported.\n"
    )
    items = parse_items(text, 0, len(text), [])
    assert [i.service for i in items] == ["Knee MRI", service]


def test_a_service_whose_own_colon_ends_a_wrapped_line_is_kept_whole():
    text = (
        "IMR ISSUES, DECISIONS AND RATIONALES\n"
        "The Final Determination was based on decisions for the disputed items/services set "
        "forth below:\n\nPost-operative durable medical equipment:\ncold therapy unit, 30 day "
        "rental: Upheld\n\n"
        "Claims Administrator guideline: Decision based on Non-MTUS Citation ODG Knee Chapter, "
        "Continuous-flow cryotherapy.\n\nMAXIMUS guideline: Decision based on Non-MTUS "
        "Citation ODG Knee Chapter, Continuous-flow cryotherapy.\n\n"
        "Decision rationale: Seven days are recommended. Not medically necessary.\n"
    )
    items = parse_items(text, 0, len(text), [])
    assert [i.service for i in items] == [
        "Post-operative durable medical equipment: cold therapy unit, 30 day rental"
    ]


def test_a_page_break_after_a_service_first_word_in_capitals_keeps_the_service_whole():
    from imrgraph.model import Source
    from imrgraph.parse import parse_pages

    page1 = (
        "IMR ISSUES, DECISIONS AND RATIONALES\n"
        "The Final Determination was based on decisions for the disputed items/services set "
        "forth below:\n\nEMG/NCV"
    )
    page2 = (
        "of the bilateral upper extremities: Upheld\n\n"
        "Claims Administrator guideline: Decision based on MTUS Neck and Upper Back Complaints "
        "2004.\n\nMAXIMUS guideline: Decision based on MTUS Neck and Upper Back Complaints "
        "2004.\n\nDecision rationale: No focal deficit is shown. Not medically necessary.\n"
    )
    letter = parse_pages([page1, page2], Source(path="x.pdf", sha256="0" * 64, format="pdf"))
    assert [i.service for i in letter.items] == ["EMG/NCV of the bilateral upper extremities"]
