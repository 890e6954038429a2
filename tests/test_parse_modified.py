"""Modified requests: UR authorized part of a request and the rest went to IMR.

The headings below follow the sentence forms DOMAIN.md describes ("The published decisions"),
written with services of our own; each variant moves the same facts around.
"""

import pytest

from imrgraph.model import Source
from imrgraph.parse import parse_pages
from imrgraph.parse.items import parse_items
from imrgraph.parse.modified import read_modified


@pytest.mark.parametrize(
    ("heading", "service", "original", "authorized"),
    [
        (
            "Tramadol 50mg #90 was the original request. Tramadol 50mg #30 was authorized by "
            "the Claims Administrator. The remaining IMR eligible portion of the original "
            "request, Tramadol 50mg #60 is",
            "Tramadol 50mg #60",
            "Tramadol 50mg #90",
            "Tramadol 50mg #30",
        ),
        (  # no final "is"
            "Twelve aquatic therapy visits was the original request. Four aquatic therapy "
            "visits was authorized by the Claims Administrator. The remaining IMR eligible "
            "portion of the original request, Eight aquatic therapy visits",
            "Eight aquatic therapy visits",
            "Twelve aquatic therapy visits",
            "Four aquatic therapy visits",
        ),
        (  # the whole request went to IMR
            "Massage therapy (unspecified visits) was the original request. The Claims "
            "Administrator authorized Massage therapy, 4 visits, leaving the original request "
            "IMR eligible. The original request, Massage therapy (unspecified visits) is",
            "Massage therapy (unspecified visits)",
            "Massage therapy (unspecified visits)",
            "Massage therapy, 4 visits",
        ),
        (  # the authorization first
            "The Claims Administrator authorized Gabapentin 300mg #30. Gabapentin 300mg #90 was "
            "the original request. The remaining IMR eligible portion of the original request, "
            "Gabapentin 300mg #60 is",
            "Gabapentin 300mg #60",
            "Gabapentin 300mg #90",
            "Gabapentin 300mg #30",
        ),
        (  # "The original request was ...", "is for ..."
            "The original request was for 6 sessions of massage. 2 sessions of massage were "
            "approved by the Claims Administrator. The remaining portion of the original "
            "request is for 4 sessions of massage",
            "4 sessions of massage",
            "6 sessions of massage",
            "2 sessions of massage",
        ),
        (  # glued words from the PDF's text layer
            "Home health aide 8 hours a day was the original request. Home health aide 4 hours "
            "a day wasauthorized by the Claims Administrator. The remaining IMR eligible portion "
            "of the original request, Home health aide 4 hours a day is",
            "Home health aide 4 hours a day",
            "Home health aide 8 hours a day",
            "Home health aide 4 hours a day",
        ),
        (  # "authorizedby" glued, sentences joined by "and"
            "Norco 5/325mg #60 was the original request and Norco 5/325mg #20 was authorizedby "
            "the Claims Administrator. The remaining IMR eligible portion of the original "
            "request, Norco 5/325mg #40 is",
            "Norco 5/325mg #40",
            "Norco 5/325mg #60",
            "Norco 5/325mg #20",
        ),
        (  # the remainder named in the authorization sentence
            "Knee brace and 8 therapy visits was the original request. The Claims "
            "Administrator authorized the knee brace, leaving 8 therapy visits IMR eligible",
            "8 therapy visits",
            "Knee brace and 8 therapy visits",
            "the knee brace",
        ),
        (  # only the last sentence of the heading
            "The remaining IMR eligible portion of the original request, Celecoxib 200mg #30 is",
            "Celecoxib 200mg #30",
            None,
            None,
        ),
        (  # no remainder stated: the original request is what went to IMR
            "Lidocaine 5% patch #60 was the original request. Lidocaine 5% patch #30 was "
            "authorized by the Claims Administrator",
            "Lidocaine 5% patch #60",
            "Lidocaine 5% patch #60",
            "Lidocaine 5% patch #30",
        ),
    ],
)
def test_modified_request_heading_forms(heading, service, original, authorized):
    got = read_modified(heading)
    assert got is not None
    assert (got.service, got.original_request, got.authorized) == (service, original, authorized)


@pytest.mark.parametrize(
    "heading",
    [
        "MRI of the lumbar spine without contrast",
        "Request for authorization of a lumbar brace",
        "Norco 10/325mg #60 (original request per the prescriber's note)",
    ],
)
def test_an_ordinary_service_is_not_a_modified_request(heading):
    assert read_modified(heading) is None


SECTION = """IMR ISSUES, DECISIONS AND RATIONALES
The Final Determination was based on decisions for the disputed items/services set forth below:

{heading}

Claims Administrator guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016,
Section(s): Physical medicine treatment.

MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016,
Section(s): Physical medicine treatment.

Decision rationale: The request exceeds the recommended number of visits. The request is not
medically necessary.
"""


def _items(heading: str):
    text = SECTION.format(heading=heading)
    warnings: list[str] = []
    return parse_items(text, 0, len(text), warnings), warnings


def test_modified_item_keeps_original_and_authorized_and_its_category_from_the_service():
    heading = (
        "Physical therapy for the left knee 2 times a week for 6 weeks was the original\n"
        "request. Physical therapy for the left knee 2 times a week for 3 weeks was authorized\n"
        "by the Claims Administrator. The remaining IMR eligible portion of the original\n"
        "request, Physical therapy for the left knee 2 times a week for 3 weeks is: Upheld"
    )
    items, _ = _items(heading)
    assert len(items) == 1
    item = items[0]
    assert item.service == "Physical therapy for the left knee 2 times a week for 3 weeks"
    assert item.original_request == "Physical therapy for the left knee 2 times a week for 6 weeks"
    assert item.authorized == "Physical therapy for the left knee 2 times a week for 3 weeks"
    assert item.outcome == "Upheld"
    assert item.category == "Physical Medicine"


def test_modified_heading_whose_lines_end_at_sentence_ends_is_read_whole():
    heading = (
        "Naproxen 550mg #90 was the original request.\n"
        "Naproxen 550mg #60 was authorized by the Claims Administrator.\n"
        "The remaining IMR eligible portion of the original request, Naproxen 550mg #30 is:\n"
        "Overturned"
    )
    items, _ = _items(heading)
    assert [(i.service, i.original_request, i.authorized, i.outcome) for i in items] == [
        ("Naproxen 550mg #30", "Naproxen 550mg #90", "Naproxen 550mg #60", "Overturned")
    ]


def test_modified_heading_split_across_pages_is_one_item():
    page1 = (
        "Case Number: CM16-0000001\n\n"
        + SECTION.format(heading="X-ray of the chest: Upheld")
        + "\nKetoprofen 20% cream 120gm #2 was the original request. Ketoprofen 20% cream\n"
        "120gm #1 was authorized by the Claims Administrator."
    )
    page2 = (
        "The remaining IMR eligible portion of the original request, Ketoprofen 20% cream\n"
        "120gm #1 is: Upheld\n\n"
        "Claims Administrator guideline: Decision based on MTUS Chronic Pain Medical Treatment\n"
        "2016, Section(s): Topical analgesics.\n\n"
        "MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016,\n"
        "Section(s): Topical analgesics.\n\n"
        "Decision rationale: Topical NSAIDs are not supported here. Not medically necessary.\n"
    )
    letter = parse_pages([page1, page2], Source(path="x.pdf", sha256="0" * 64, format="pdf"))
    assert [(i.service, i.authorized, i.page) for i in letter.items] == [
        ("X-ray of the chest", None, 1),
        ("Ketoprofen 20% cream 120gm #1", "Ketoprofen 20% cream 120gm #1", 1),
    ]
    assert letter.items[1].original_request == "Ketoprofen 20% cream 120gm #2"


def test_a_service_wrapped_after_a_date_of_service_label_is_never_the_date():
    heading = "Retrospective Tizanidine 4mg #60 DOS:\n11/11/2016: Upheld"
    items, _ = _items(heading)
    assert [i.service for i in items] == ["Retrospective Tizanidine 4mg #60 DOS: 11/11/2016"]


def test_a_rationale_ending_in_an_authorization_sentence_is_not_taken_into_the_next_heading():
    item = (
        "Claims Administrator guideline: Decision based on MTUS Knee Complaints 2004.\n\n"
        "MAXIMUS guideline: Decision based on MTUS Knee Complaints 2004.\n\n"
        "Decision rationale: The request exceeds the guidelines. Six visits were previously\n"
        "authorized by the Claims Administrator.\n\n"
    )
    text = (
        "IMR ISSUES, DECISIONS AND RATIONALES\n\n"
        f"Home exercise kit: Upheld\n\n{item}Cervical pillow: Upheld\n\n{item}"
    )
    warnings: list[str] = []
    items = parse_items(text, 0, len(text), warnings)
    assert [(i.service, i.original_request) for i in items] == [
        ("Home exercise kit", None),
        ("Cervical pillow", None),
    ]


def test_a_heading_with_a_long_run_of_spaces_is_read_in_linear_time():
    # The anchors used to start with ``\s*``: every position of a run of spaces rescanned the
    # rest of the run (20,000 spaces took about 40 s). A hostile heading must not stall a batch.
    import time

    heading = (
        "Tramadol 50mg #90 was the original request." + " " * 20_000 + "Tramadol 50mg #30 was "
        "authorized by the Claims Administrator. The remaining IMR eligible portion of the "
        "original request, Tramadol 50mg #60 is"
    )
    started = time.perf_counter()
    modified = read_modified(heading)
    assert time.perf_counter() - started < 2.0
    assert modified is not None
    assert (modified.service, modified.original_request, modified.authorized) == (
        "Tramadol 50mg #60",
        "Tramadol 50mg #90",
        "Tramadol 50mg #30",
    )
