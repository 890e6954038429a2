"""The guideline ranking over the real published letters (``../shared/real-letters``).

The letters are read where CI keeps them, beside the checkout (never copied into the project);
``IMRGRAPH_REAL_LETTERS`` points elsewhere (a git worktree has them one level further up). The
test is skipped, saying so, only where the folder is absent. The reference is
``expected.jsonl``, an independent reading of each letter: for every item, the MTUS documents
its expert reviewer cites (``reviewer.mtus_documents``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from imrgraph.analysis.guidelines import rank_guidelines
from imrgraph.rdf.vocab import GL
from imrgraph.store import open_store
from imrgraph.store.ingest import ingest

REAL_LETTERS = Path(
    os.environ.get(
        "IMRGRAPH_REAL_LETTERS",
        Path(__file__).resolve().parents[1].parent / "shared" / "real-letters",
    )
)
pytestmark = pytest.mark.skipif(
    not (REAL_LETTERS / "expected.jsonl").is_file(),
    reason=f"the real published letters are not here: {REAL_LETTERS} (set IMRGRAPH_REAL_LETTERS)",
)
CHRONIC_PAIN = "Chronic Pain Medical Treatment Guidelines"


def expected_items() -> list[dict[str, Any]]:
    lines = (REAL_LETTERS / "expected.jsonl").read_text(encoding="utf-8").splitlines()
    return [item for line in lines if line.strip() for item in json.loads(line)["items"]]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    location = tmp_path_factory.mktemp("real-letters") / "store"
    with open_store(location, read_only=False) as store:
        summary = ingest([str(REAL_LETTERS)], store, workers=2)
        assert summary.failed == 0, summary.failures
        yield store


@pytest.mark.parametrize("counting", ["tallies", "citations"])
def test_the_ranking_names_no_unrecognised_mtus_document(store: Any, counting: str) -> None:
    tallies = None if counting == "tallies" else False
    for party in ("reviewer", "claims-administrator"):
        rows = rank_guidelines(store, party, "document", tallies=tallies)
        unrecognised = [r for r in rows if r["family"] == "MTUS" and r["document"] is None]
        assert unrecognised == [], party


@pytest.mark.parametrize("counting", ["tallies", "citations"])
def test_the_chronic_pain_row_counts_the_items_whose_reviewer_cites_it(
    store: Any, counting: str
) -> None:
    expected = sum(CHRONIC_PAIN in item["reviewer"]["mtus_documents"] for item in expected_items())
    tallies = None if counting == "tallies" else False
    rows = rank_guidelines(store, "reviewer", "document", tallies=tallies)
    chronic = [r for r in rows if r["concept"] == f"{GL}MTUS-ChronicPain"]
    assert len(chronic) == 1
    assert chronic[0]["items"] == expected


@pytest.mark.parametrize("party", ["reviewer", "claims-administrator"])
def test_every_mtus_document_row_counts_the_items_citing_it(store: Any, party: str) -> None:
    field = "reviewer" if party == "reviewer" else "claims_administrator"
    expected: dict[str, int] = {}
    for item in expected_items():
        for document in set(item[field]["mtus_documents"]):
            expected[document] = expected.get(document, 0) + 1
    rows = rank_guidelines(store, party, "document")
    got = {r["document"]: r["items"] for r in rows if r["family"] == "MTUS"}
    assert got == expected


def test_modified_requests_count_as_the_independent_reading_does(store: Any) -> None:
    from imrgraph.store.queries import load_query, run_select

    expected: dict[tuple[str, str], int] = {}
    for item in expected_items():
        modified = item["original_request"] is not None or item["authorized"] is not None
        key = ("modified" if modified else "not modified", item["outcome"])
        expected[key] = expected.get(key, 0) + 1
    rows = run_select(store, load_query("modified-requests"), {}).rows
    got = {}
    for request, _category, _items, upheld, overturned, unknown, _rate in rows:
        got[(request, "Upheld")] = upheld
        got[(request, "Overturned")] = overturned
        assert unknown == 0
    assert {k: v for k, v in got.items() if v} == expected
