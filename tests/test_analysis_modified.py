"""How modified requests fare at IMR (``imrgraph.analysis.modified``), on the letters of
tests/published_letters.py, whose table gives every expected number by hand."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from published_letters import published_letters, store_of

from imrgraph.analysis.modified import modified_request_outcomes
from imrgraph.analysis.stats import wilson_interval


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    store = store_of(published_letters(), tmp_path_factory.mktemp("modified") / "store")
    yield store
    store.close()


def _table(records: list[dict[str, Any]]) -> list[tuple]:
    return [
        (r["category"], r["request"], r["items"], r["upheld"], r["overturned"], r["unknown"])
        for r in records
    ]


@pytest.mark.parametrize("tallies", [None, False])
def test_modified_items_against_items_denied_whole(store: Any, tallies: Any) -> None:
    records = modified_request_outcomes(store, tallies=tallies)
    assert _table(records) == [
        (None, "modified", 3, 2, 1, 0),
        (None, "not modified", 4, 1, 1, 2),
    ]
    modified = records[0]
    assert modified["uphold_rate"] == pytest.approx(2 / 3)
    assert (modified["ci_low"], modified["ci_high"]) == pytest.approx(wilson_interval(2, 3))
    assert modified["lift"] == pytest.approx((2 / 3) / (3 / 5))  # over all decided items


@pytest.mark.parametrize("tallies", [None, False])
def test_modified_requests_per_category(store: Any, tallies: Any) -> None:
    records = modified_request_outcomes(store, by_category=True, tallies=tallies)
    assert _table(records) == [
        ("Pharmaceuticals", "modified", 3, 2, 1, 0),
        ("Pharmaceuticals", "not modified", 1, 0, 1, 0),
        ("Physical Medicine", "not modified", 2, 1, 0, 1),
        ("Diagnostic Imaging", "not modified", 1, 0, 0, 1),
    ]
    # the lift within a category is over that category's decided items (2 of 4 upheld)
    assert records[0]["lift"] == pytest.approx((2 / 3) / (2 / 4))


def test_only_items_with_an_outcome_in_force_are_counted(tmp_path) -> None:
    """A superseded version keeps its outcomes as imr:supersededOutcome: they never count."""
    from imrgraph.analysis.selection import run_select

    letters = published_letters()
    with store_of(letters, tmp_path / "store") as store:
        # the store renames a superseded version's outcomes (imr:supersededOutcome): simulate
        # one by removing the current outcome of a modified item's letter from the count
        store._update(
            "PREFIX imr: <https://w3id.org/imrgraph/ontology#>\n"
            "DELETE { GRAPH ?g { ?item imr:hasOutcome ?o } }\n"
            "INSERT { GRAPH ?g { ?item imr:supersededOutcome ?o } }\n"
            "WHERE { GRAPH ?g { ?item imr:originalRequest ?x ; imr:hasOutcome ?o } }"
        )
        assert run_select(store, "SELECT * WHERE { GRAPH ?g { ?i imr:hasOutcome ?o } }")
        records = modified_request_outcomes(store, tallies=False)
    # the two items with an original request no longer count; the authorized-only one does
    assert _table(records)[0] == (None, "modified", 1, 0, 1, 0)
