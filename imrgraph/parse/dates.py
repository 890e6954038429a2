"""Dates in every spelling the letters use, read to ISO ``YYYY-MM-DD``.

Letters write the same day as "July 27, 2015", "Jul. 27 2015", "27 July 2015", "07/27/2015",
"7/27/15", "07-27-2015" or "2015-07-27". The pattern below also matches impossible dates
("02/30/2015", "13/01/2015") on purpose: a date the letter states but that cannot exist must
become a ``date-unparsed`` warning, not silently vanish or be guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)

#: One date in any supported spelling; the named groups tell which spelling matched.
DATE_PATTERN = (
    rf"(?:(?P<mname>{_MONTH})\.?\s+(?P<mday>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<myear>\d{{4}})"
    rf"|(?P<dday>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<dname>{_MONTH})\.?,?\s+(?P<dyear>\d{{4}})"
    r"|(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})(?![\d/-])"
    r"|(?P<nm>\d{1,2})\s?(?P<sep>[/.-])\s?(?P<nd>\d{1,2})\s?(?P=sep)\s?(?P<ny>\d{4}|\d{2})(?![\d/])"
    r")"
)
DATE_RE = re.compile(rf"(?<![\w/.-]){DATE_PATTERN}\b", re.IGNORECASE)


@dataclass(frozen=True)
class DateMatch:
    """A date token found in text: where it is, how it was written, and its ISO value."""

    start: int
    end: int
    text: str
    iso: str | None  # None when the token names a day that does not exist


def _year(text: str) -> int:
    """Two-digit years pivot at 50: '15' is 2015, '98' is 1998 (injuries go back decades)."""
    value = int(text)
    if len(text) == 2:
        value += 2000 if value < 50 else 1900
    return value


def _iso_of(m: re.Match[str]) -> str | None:
    if m.group("mname"):
        year, month, day = (
            int(m.group("myear")),
            _MONTHS[m.group("mname")[:3].lower()],
            int(m.group("mday")),
        )
    elif m.group("dname"):
        year, month, day = (
            int(m.group("dyear")),
            _MONTHS[m.group("dname")[:3].lower()],
            int(m.group("dday")),
        )
    elif m.group("iy"):
        year, month, day = int(m.group("iy")), int(m.group("im")), int(m.group("id"))
    else:
        year, month, day = _year(m.group("ny")), int(m.group("nm")), int(m.group("nd"))
    if not 1900 <= year <= 2100:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _match(m: re.Match[str]) -> DateMatch:
    return DateMatch(m.start(), m.end(), m.group(0), _iso_of(m))


def find_dates(text: str, start: int = 0, end: int | None = None) -> list[DateMatch]:
    """Every date token in ``text[start:end]``, in order (positions are in ``text``)."""
    pattern_end = len(text) if end is None else end
    return [_match(m) for m in DATE_RE.finditer(text, start, pattern_end)]


def first_date(text: str, start: int = 0, end: int | None = None) -> DateMatch | None:
    """The first date token in ``text[start:end]``, or None."""
    m = DATE_RE.search(text, start, len(text) if end is None else end)
    return _match(m) if m else None


def date_at(text: str, pos: int) -> DateMatch | None:
    """The date token starting exactly at ``pos`` (after optional spaces), or None."""
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    m = DATE_RE.match(text, pos)
    return _match(m) if m else None


def parse_date(text: str) -> str | None:
    """ISO form of a text that is exactly one date; None if it is not a (possible) date.

    >>> parse_date("Sept. 17, 2015")
    '2015-09-17'
    """
    m = DATE_RE.fullmatch(text.strip())
    return _iso_of(m) if m else None
