"""Facts that cannot all be true are warned about (issue 15, item 10).

A Decision Date in 2099 was accepted without a word and made its version of a case current for
ever; one service both Upheld and Overturned in one letter passed unnoticed. Both are now
warnings (``imrgraph/parse/checks.py``), and a decision date that has not come yet does not make
a version current.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from imrgraph.model import Dates, Item, Source
from imrgraph.parse import parse_text
from imrgraph.parse.checks import contradictory_items, future_dates
from imrgraph.store import open_store

LETTER = (
    Path(__file__).resolve().parent.parent / "examples" / "letters" / "cm14-wrist-nine-items.txt"
)
SOURCE = Source(path="letter.txt", sha256="0" * 64, format="text")


def _codes(warnings: list[str]) -> list[str]:
    return [w.split(":")[0] for w in warnings]


def _letter_text(**replace: str) -> str:
    text = LETTER.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return text


def test_a_decision_date_in_2099_is_a_warning() -> None:
    letter = parse_text(
        _letter_text(**{"Decision Date: 10/28/2014": "Decision Date: 01/01/2099"}), SOURCE
    )
    assert letter.dates.decision == "2099-01-01"  # kept as written: the warning flags it
    assert "date-in-future: decision 2099-01-01" in letter.warnings
    clean = parse_text(_letter_text(), SOURCE)
    assert "date-in-future" not in _codes(clean.warnings)


def test_injury_and_ur_dates_after_today_are_warnings_too() -> None:
    today = dt.date(2026, 1, 15)
    dates = Dates(
        injury="2026-01-16", ur_decision="2030-05-01", assigned="2026-01-15", decision=None
    )
    assert future_dates(dates, today) == [
        "date-in-future: injury 2026-01-16",
        "date-in-future: ur_decision 2030-05-01",
    ]


def test_the_same_letter_read_on_another_day_keeps_its_content_key() -> None:
    letter = parse_text(
        _letter_text(**{"Decision Date: 10/28/2014": "Decision Date: 01/01/2099"}), SOURCE
    )
    letter.case_number = None  # keyed by content
    later = parse_text(
        _letter_text(**{"Decision Date: 10/28/2014": "Decision Date: 01/01/2099"}), SOURCE
    )
    later.case_number = None
    later.warnings = [w for w in later.warnings if not w.startswith("date-in-future")]  # in 2100
    assert letter.key == later.key


def test_one_service_upheld_and_overturned_in_one_letter_is_a_warning() -> None:
    # the same service as item 1 in other case and spacing, with a final period
    line = "Corticosteroid injection to the right wrist: Upheld"
    text = _letter_text(**{line: "GABAPENTIN 600mg  #90.: Upheld"})
    letter = parse_text(text, SOURCE)
    outcomes = [(item.service, item.outcome) for item in letter.items]
    assert ("Gabapentin 600mg #90", "Overturned") in outcomes
    contradictions = [w for w in letter.warnings if w.startswith("item-contradictory")]
    assert len(contradictions) == 1, letter.warnings
    assert "Upheld (item 4) and Overturned (item 1)" in contradictions[0]
    assert "item-contradictory" not in _codes(parse_text(_letter_text(), SOURCE).warnings)


def test_different_services_and_repeated_outcomes_are_not_contradictions() -> None:
    def item(number: int, service: str, outcome: str) -> Item:
        return Item(number=number, service=service, outcome=outcome, category="Other")

    items = [
        item(1, "Physical therapy, 12 sessions", "Upheld"),
        item(2, "Physical therapy, 6 sessions", "Overturned"),
        item(3, "Physical therapy, 12 sessions", "Upheld"),
    ]
    assert contradictory_items(items) == []


@pytest.mark.parametrize("future_first", [True, False])
def test_a_version_dated_in_the_future_does_not_stay_current(
    cli, tmp_path: Path, future_first: bool
) -> None:
    future = tmp_path / "future.txt"
    future.write_text(
        _letter_text(**{"Decision Date: 10/28/2014": "Decision Date: 01/01/2099"}), "utf-8"
    )
    corrected = tmp_path / "corrected.txt"
    corrected.write_text(
        _letter_text(**{"Decision Date: 10/28/2014": "Decision Date: 11/15/2014"}), "utf-8"
    )
    store = tmp_path / "store"
    for path in (future, corrected) if future_first else (corrected, future):
        result = cli("ingest", str(path), "--store", str(store), "-j", "1")
        assert result.returncode == 0, result.stderr
    with open_store(store) as graph_store:
        rows = graph_store.select(
            "PREFIX imr: <https://w3id.org/imrgraph/ontology#> SELECT ?date WHERE { "
            "GRAPH ?g { ?d a imr:Determination ; imr:decisionDate ?date } }"
        ).rows
    assert [str(row[0]) for row in rows] == ["2014-11-15"]
