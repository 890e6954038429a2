"""Dates in every spelling the letters use; impossible dates are refused, not guessed."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imrgraph.parse.dates import find_dates, parse_date


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("July 27, 2015", "2015-07-27"),
        ("July 27 2015", "2015-07-27"),
        ("Jul. 27, 2015", "2015-07-27"),
        ("Sept. 17, 2015", "2015-09-17"),
        ("September 17th, 2015", "2015-09-17"),
        ("27 July 2015", "2015-07-27"),
        ("07/27/2015", "2015-07-27"),
        ("7/27/15", "2015-07-27"),
        ("07-27-2015", "2015-07-27"),
        ("06-02-2014", "2014-06-02"),
        ("2015-07-27", "2015-07-27"),
        ("1/5/98", "1998-01-05"),
        ("February 29, 2016", "2016-02-29"),
    ],
)
def test_spellings_read_to_iso(written, iso):
    assert parse_date(written) == iso


@pytest.mark.parametrize(
    "impossible", ["February 30, 2015", "02/30/2015", "13/01/2015", "February 29, 2015"]
)
def test_impossible_dates_are_recognised_but_not_read(impossible):
    assert parse_date(impossible) is None
    found = find_dates(f"an injury of {impossible}.")
    assert len(found) == 1 and found[0].iso is None and found[0].text == impossible


def test_find_dates_skips_pages_pain_scores_and_ratios():
    text = (
        "In a Utilization Review report dated September 28, 2015, Page(s): 63-66, pain 9/10, "
        "Norco 10/325 #90, and an office visit of 09/17/2015."
    )
    assert [d.iso for d in find_dates(text)] == ["2015-09-28", "2015-09-17"]


def test_not_a_date():
    assert parse_date("Table 8-8") is None
    assert parse_date("2x6") is None


MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2049, 12, 31)), st.integers(0, 5))
def test_every_spelling_of_any_date_round_trips(day, style):
    spellings = [
        f"{MONTHS[day.month - 1]} {day.day}, {day.year}",
        f"{MONTHS[day.month - 1][:3]}. {day.day} {day.year}",
        f"{day.day} {MONTHS[day.month - 1]} {day.year}",
        f"{day.month:02d}/{day.day:02d}/{day.year}",
        f"{day.month}-{day.day}-{day.year}",
        f"{day.month}/{day.day}/{day.year % 100:02d}",
    ]
    written = spellings[style]
    assert parse_date(written) == day.isoformat()
    found = find_dates(f"seen on {written}, then discharged")
    assert [d.iso for d in found] == [day.isoformat()]
