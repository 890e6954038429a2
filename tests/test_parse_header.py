"""The header table: two fields can share a line; a bad date is a warning, never a guess."""

import json
import os
from pathlib import Path

import pytest

from imrgraph.parse.header import parse_header
from imrgraph.pipeline import parse_file

ROOT = Path(__file__).resolve().parent.parent
# The published letters are read where they live (never copied here): ../shared beside the
# checkout, as in CI, or where IMRGRAPH_REAL_LETTERS points (a git worktree elsewhere).
REAL_LETTERS = Path(
    os.environ.get("IMRGRAPH_REAL_LETTERS") or ROOT.parent / "shared" / "real-letters"
)

TWO_COLUMNS = """Case Number: CM15-0201234     Date Assigned: 10/14/2015
Date of Injury: 06/02/2014      Decision Date: 11/20/2015
UR Denial Date: 09/28/2015      Priority: Standard
Application Received: 10/05/2015
"""


def test_two_fields_per_line():
    warnings: list[str] = []
    h = parse_header(TWO_COLUMNS, 0, len(TWO_COLUMNS), warnings)
    assert h.case_number == "CM15-0201234"
    assert h.priority == "Standard"
    assert h.dates == {
        "assigned": "2015-10-14",
        "injury": "2014-06-02",
        "decision": "2015-11-20",
        "ur_decision": "2015-09-28",
        "application_received": "2015-10-05",
    }
    assert warnings == []


def test_one_field_per_line_expedited_and_month_names():
    text = (
        "Case Number:\nCM16-0000007\nDate Assigned:\nJanuary 4, 2016\nPriority:\nEXPEDITED\n"
        "Date of Injury:\n3/4/10\n"
    )
    warnings: list[str] = []
    h = parse_header(text, 0, len(text), warnings)
    assert h.case_number == "CM16-0000007"
    assert h.priority == "Expedited"
    assert h.dates["assigned"] == "2016-01-04"
    assert h.dates["injury"] == "2010-03-04"
    assert h.dates["decision"] is None


def test_impossible_header_date_warns():
    text = "Case Number: CM15-0201234 Date of Injury: 02/30/2014 Decision Date: 11/20/2015"
    warnings: list[str] = []
    h = parse_header(text, 0, len(text), warnings)
    assert h.dates["injury"] is None
    assert h.dates["decision"] == "2015-11-20"
    assert [w.split(":")[0] for w in warnings] == ["date-unparsed"]


def test_blank_cell_is_not_a_bad_date():
    text = "Date of Injury:     Decision Date: 11/20/2015"
    warnings: list[str] = []
    h = parse_header(text, 0, len(text), warnings)
    assert h.dates["injury"] is None and warnings == []


# The published header of 2016-2017 as a layout-keeping text dump (pdftotext -layout) gives it:
# the wrapped "Application" / "Received:" label with its date beside the first line.
PUBLISHED_LAYOUT = """Case Number:           CM16-0123456
Date Assigned:         11/09/2016            Date of Injury:        10/13/2016
Decision Date:         12/09/2016            UR Denial Date:        11/03/2016
Priority:              Standard              Application            11/04/2016
                                             Received:
"""


def test_published_layout_wrapped_application_received_takes_the_date_beside_it():
    warnings: list[str] = []
    h = parse_header(PUBLISHED_LAYOUT, 0, len(PUBLISHED_LAYOUT), warnings)
    assert h.case_number == "CM16-0123456"
    assert h.priority == "Standard"
    assert h.dates == {
        "assigned": "2016-11-09",
        "injury": "2016-10-13",
        "decision": "2016-12-09",
        "ur_decision": "2016-11-03",
        "application_received": "2016-11-04",
    }
    assert warnings == []


def test_published_layout_as_pdfium_orders_it():
    """PDFium's plain reading puts the date after the label's second line."""
    text = "Priority: Standard Application\nReceived:\n11/04/2016\n"
    h = parse_header(text, 0, len(text), [])
    assert h.dates["application_received"] == "2016-11-04"


def test_application_without_received_below_is_not_the_label():
    text = "Priority: Standard    Application 11/04/2016 was mailed\nHOW THE IMR"
    h = parse_header(text, 0, len(text), [])
    assert h.dates["application_received"] is None


def test_impossible_date_beside_a_wrapped_label_warns():
    text = "Priority: Standard    Application    02/30/2016\n                      Received:\n"
    warnings: list[str] = []
    h = parse_header(text, 0, len(text), warnings)
    assert h.dates["application_received"] is None
    assert [w.split(":")[0] for w in warnings] == ["date-unparsed"]


@pytest.mark.skipif(
    not (REAL_LETTERS / "expected.jsonl").is_file(),
    reason=f"the published letters are not here ({REAL_LETTERS}; set IMRGRAPH_REAL_LETTERS)",
)
def test_published_letters_header_fields_match_the_independent_reading():
    expected = [
        json.loads(line)
        for line in (REAL_LETTERS / "expected.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    wrong = []
    for want in expected:
        letter = parse_file(REAL_LETTERS / f"{want['case_number']}.pdf").to_dict()
        for field in ("case_number", "priority"):
            if letter[field] != want[field]:
                wrong.append((want["case_number"], field, want[field], letter[field]))
        for name, value in want["dates"].items():
            if letter["dates"].get(name) != value:
                wrong.append((want["case_number"], name, value, letter["dates"].get(name)))
    assert len(expected) >= 97
    assert wrong == []
