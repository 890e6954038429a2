"""Letter-level plausibility checks: facts each part reads correctly that cannot all be true.

Run once per letter after every part is read (``imrgraph.parse.parse_pages``). They never
change a value, they only warn, so an analyst can find the letter (``letters-with-warnings``)
and a wrong value is never silently trusted:

- ``date-in-future: decision 2099-01-01``: a date (injury, UR decision, assigned, decision,
  application received) after the day the letter is read. A determination cannot have been
  made, nor an injury happened, on a day that has not come; it is a typo or a forgery. Such a
  decision date also does not make its version of a case current (``imrgraph.store.versions``).
- ``item-contradictory: "MRI of the lumbar spine" Upheld (item 1) and Overturned (item 3)``:
  one service decided both ways in one letter. Services are compared as written, ignoring case,
  spacing and final punctuation; two different services ("12 sessions" and "6 sessions") are
  not a contradiction.
"""

from __future__ import annotations

import datetime as dt
import re

from imrgraph.model import Dates, Item

#: The warning code of a date after the day the letter is read. It depends on that day, so it
#: is left out of a letter's content key (``imrgraph.model.Letter.content_digest``).
DATE_IN_FUTURE = "date-in-future"

_DATE_FIELDS = ("injury", "ur_decision", "assigned", "decision", "application_received")
_SPACE = re.compile(r"\s+")


def letter_checks(dates: Dates, items: list[Item], today: dt.date | None = None) -> list[str]:
    """The warnings for facts that cannot all be true (see the module docstring)."""
    return future_dates(dates, today) + contradictory_items(items)


def future_dates(dates: Dates, today: dt.date | None = None) -> list[str]:
    """``date-in-future`` for each date after ``today`` (default: the local date now)."""
    today = today or dt.date.today()
    warnings = []
    for name in _DATE_FIELDS:
        value = getattr(dates, name)
        if value is None:
            continue
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:  # not ISO: the parser warned already (date-unparsed)
            continue
        if day > today:
            warnings.append(f"{DATE_IN_FUTURE}: {name} {value}")
    return warnings


def _service_key(service: str) -> str:
    return _SPACE.sub(" ", service).strip().rstrip(".;:,").strip().casefold()


def contradictory_items(items: list[Item]) -> list[str]:
    """``item-contradictory`` for each service decided both Upheld and Overturned."""
    seen: dict[str, tuple[str, dict[str, int]]] = {}  # key -> (as written, outcome -> item)
    for item in items:
        if item.outcome not in ("Upheld", "Overturned"):  # no outcome read: nothing to compare
            continue
        key = _service_key(item.service)
        if key:
            written = _SPACE.sub(" ", item.service).strip()
            seen.setdefault(key, (written, {}))[1].setdefault(item.outcome, item.number)
    return [
        f'item-contradictory: "{written}" Upheld (item {outcomes["Upheld"]}) and '
        f"Overturned (item {outcomes['Overturned']})"
        for written, outcomes in seen.values()
        if len(outcomes) == 2
    ]
