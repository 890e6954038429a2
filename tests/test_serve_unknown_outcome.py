"""The web pages' uphold rates are over decided items, as the CLI's are.

An item whose outcome could not be read (imr:UnknownOutcome) is neither upheld nor overturned.
The letters and the counts are the hand-worked table of tests/published_letters.py: 7 items,
3 upheld, 2 overturned, 2 unknown; the MRI of the lumbar spine is the one item of its service,
and its outcome is unknown.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from published_letters import published_letters, store_of

from imrgraph.rdf.vocab import DEFAULT_DATA_BASE
from imrgraph.serve import pages


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    store = store_of(published_letters(), tmp_path_factory.mktemp("serve-unknown") / "store")
    yield store
    store.close()


def test_home_uphold_rate_is_over_decided_items(store: Any) -> None:
    overview = pages.home(store)["overview"]
    assert (overview["items"], overview["upheld"], overview["overturned"]) == (7, 3, 2)
    assert overview["uphold_rate"] == pytest.approx(3 / 5)


def test_search_rate_leaves_out_items_whose_outcome_is_unknown(store: Any) -> None:
    found = pages.search(store, "norco", DEFAULT_DATA_BASE)
    assert (len(found["decisions"]), found["upheld"]) == (2, 1)
    assert found["uphold_rate"] == pytest.approx(1 / 2)
    only_unknown = pages.search(store, "lumbar MRI", DEFAULT_DATA_BASE)
    assert len(only_unknown["decisions"]) == 1
    assert only_unknown["uphold_rate"] is None
