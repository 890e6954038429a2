"""The header table: two fields can share a line; a bad date is a warning, never a guess."""

from imrgraph.parse.header import parse_header

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
