"""The guideline ranking against counts computed from the examples' hand-written expected JSON.

The expected side never touches the store or imrgraph.analysis: it reads
examples/letters/*.expected.json and applies the method of docs/METHOD.md by hand (document
level from the canonical-document table of docs/DESIGN.md).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from statsmodels.stats.proportion import proportion_confint
from typer.testing import CliRunner

from imrgraph.analysis.guidelines import rank_guidelines, to_dataframe
from imrgraph.cli import app
from imrgraph.errors import QueryError
from imrgraph.store import open_store
from imrgraph.store.ingest import ingest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = Path(os.environ.get("IMRGRAPH_TEST_EXAMPLES", REPO / "examples" / "letters"))

# docs/DESIGN.md, "Canonical documents": a citation of one of these names is counted under that
# document; any other document falls back to its family concept.
CANONICAL = {
    "MTUS": {
        "Chronic Pain Medical Treatment Guidelines",
        "General Approaches",
        "Neck and Upper Back Complaints",
        "Shoulder Complaints",
        "Elbow Disorders",
        "Forearm, Wrist, and Hand Complaints",
        "Low Back Complaints",
        "Knee Complaints",
        "Ankle and Foot Complaints",
        "Stress Related Conditions",
        "Acupuncture Medical Treatment Guidelines",
        "Postsurgical Treatment Guidelines",
        "Opioids Treatment Guidelines",
    },
    "ODG": {
        "Pain Chapter",
        "Low Back Chapter",
        "Neck and Upper Back Chapter",
        "Shoulder Chapter",
        "Elbow Chapter",
        "Forearm, Wrist, and Hand Chapter",
        "Hip and Pelvis Chapter",
        "Knee and Leg Chapter",
        "Ankle and Foot Chapter",
        "Head Chapter",
        "Mental Illness and Stress Chapter",
        "Fitness for Duty Chapter",
        "Carpal Tunnel Syndrome Chapter",
        "Preface",
    },
    # "OTHER has a few documents" (DESIGN.md, guideline scheme); the rest fall back to gl:OTHER.
    "OTHER": {
        "FDA (Food and Drug Administration)",
        "peer-reviewed literature",
        "National Guideline Clearinghouse",
        "DailyMed",
    },
}
PARTY_FIELD = {
    "reviewer": "reviewer_citations",
    "claims-administrator": "claims_administrator_citations",
}


def document_key(citation: dict[str, Any]) -> tuple[str, str | None]:
    """(family, document) a citation counts under at document level, from DESIGN.md alone."""
    family, document, edition = citation["family"], citation["document"], citation["edition"]
    if family in CANONICAL:
        names = {name.casefold(): name for name in CANONICAL[family]}
        return (family, names.get((document or "").casefold()))
    if (
        family == "ACOEM"
        and document == "ACOEM Practice Guidelines"
        and edition
        in (
            "2nd Edition",
            "3rd Edition",
        )
    ):
        return (family, f"ACOEM Practice Guidelines, {edition}")
    return (family, None)


def letter_year(letter: dict[str, Any]) -> int | None:
    dates = letter.get("dates", {})
    for name in ("decision", "assigned", "application_received", "ur_decision"):
        if dates.get(name):
            return int(dates[name][:4])
    return None


def expected_letters() -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(EXAMPLES.glob("*.expected.json"))]


def expected_counts(
    by: str, category: str | None = None, year: int | None = None
) -> tuple[dict[tuple[str, str | None], tuple[int, int]], tuple[int, int]]:
    """Per (family, document): (items, upheld); and the selection's overall (items, upheld)."""
    counts: dict[tuple[str, str | None], list[int]] = defaultdict(lambda: [0, 0])
    total = [0, 0]
    for letter in expected_letters():
        if year is not None and letter_year(letter) != year:
            continue
        for item in letter["items"]:
            if category is not None and item["category"] != category:
                continue
            upheld = item["outcome"] == "Upheld"
            total[0] += 1
            total[1] += upheld
            for key in {document_key(c) for c in item[PARTY_FIELD[by]]}:  # once per guideline
                counts[key][0] += 1
                counts[key][1] += upheld
    return {k: (v[0], v[1]) for k, v in counts.items()}, (total[0], total[1])


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    letters = sorted(EXAMPLES.glob("*.txt"))
    assert letters, f"no example letters in {EXAMPLES}"
    path = tmp_path_factory.mktemp("analysis") / "store"
    with open_store(path, read_only=False) as store:
        summary = ingest([str(p) for p in letters], store, workers=1)
    assert not summary.failures, summary.failures
    yield path


@pytest.fixture
def store(store_dir: Path) -> Iterator[Any]:
    """Opened per test: the embedded store is locked while open, and CLI tests open it too."""
    with open_store(store_dir) as opened:
        yield opened


def cli_csv(store_dir: Path, *args: str) -> list[dict[str, str]]:
    result = CliRunner().invoke(
        app, ["guidelines", "--store", str(store_dir), "--format", "csv", *args]
    )
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def check_rows(rows: list[dict[str, str]], by: str, **selection: Any) -> None:
    expected, (total, total_upheld) = expected_counts(by, **selection)
    got = {(r["family"], r["document"] or None): r for r in rows}
    assert set(got) == set(expected)
    base = total_upheld / total
    for key, (items, upheld) in expected.items():
        row = got[key]
        assert (int(row["items"]), int(row["upheld"])) == (items, upheld), key
        assert int(row["overturned"]) == items - upheld
        assert float(row["uphold_rate"]) == pytest.approx(upheld / items, abs=1e-12)
        low, high = proportion_confint(upheld, items, alpha=0.05, method="wilson")
        assert float(row["ci_low"]) == pytest.approx(low, abs=1e-9)
        assert float(row["ci_high"]) == pytest.approx(high, abs=1e-9)
        if base == 0:  # nothing upheld in the selection: lift undefined, printed empty
            assert row["lift"] == ""
        else:
            assert float(row["lift"]) == pytest.approx((upheld / items) / base, abs=1e-9)


@pytest.mark.parametrize("by", ["reviewer", "claims-administrator"])
def test_cli_csv_agrees_with_expected_json(store_dir: Path, by: str) -> None:
    rows = cli_csv(store_dir, "--by", by)
    check_rows(rows, by)
    upheld = [int(r["upheld"]) for r in rows]
    assert upheld == sorted(upheld, reverse=True)  # default order: upheld items


def test_category_filter_agrees_with_expected_json(store_dir: Path) -> None:
    categories = {i["category"] for letter in expected_letters() for i in letter["items"]}
    for category in sorted(categories):
        check_rows(cli_csv(store_dir, "--category", category), "reviewer", category=category)


def test_year_filter_agrees_with_expected_json(store_dir: Path) -> None:
    years = {letter_year(letter) for letter in expected_letters()} - {None}
    assert years, "the examples should have dated letters"
    for year in sorted(years):
        expected, _ = expected_counts("reviewer", year=year)
        if expected:
            check_rows(cli_csv(store_dir, "--year", str(year)), "reviewer", year=year)


def test_section_level_counts_a_document_once_per_section(store: Any) -> None:
    documents = rank_guidelines(store, level="document")
    sections = rank_guidelines(store, level="section")
    by_document: dict[tuple[str, str | None], int] = defaultdict(int)
    for rec in sections:
        by_document[(rec["family"], rec["document"])] += rec["items"]
    for rec in documents:
        # An item citing two sections of one document counts once for the document.
        assert rec["items"] <= by_document[(rec["family"], rec["document"])]
    assert sum(r["items"] for r in sections) >= sum(r["items"] for r in documents)


def test_sort_by_rate_orders_by_lower_bound_and_min_items_top(store: Any) -> None:
    records = rank_guidelines(store, sort="rate")
    lows = [r["ci_low"] for r in records]
    assert lows == sorted(lows, reverse=True)
    assert all(r["items"] >= 2 for r in rank_guidelines(store, min_items=2))
    assert len(rank_guidelines(store, top=1)) == 1


def test_dataframe_has_the_record_columns(store: Any) -> None:
    records = rank_guidelines(store)
    frame = to_dataframe(records)
    assert list(frame["items"]) == [r["items"] for r in records]
    assert not math.isnan(frame["ci_low"].iloc[0])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"category": "Teleportation"}, "unknown service category"),
        ({"by": "judge"}, "unknown citing party"),
        ({"level": "paragraph"}, "unknown level"),
        ({"sort": "luck"}, "unknown sort"),
        ({"min_items": 0}, "--min-items"),
    ],
)
def test_bad_options_are_one_line_errors(store: Any, options: dict, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        rank_guidelines(store, **options)


def test_cli_bad_option_exit_status_and_message(store_dir: Path) -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "imrgraph",
            "guidelines",
            "--store",
            str(store_dir),
            "--category",
            "x'); DROP",
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1
    assert out.stderr.startswith("imrgraph: error: unknown service category")
    assert "Traceback" not in out.stderr


def test_json_output_matches_csv(store_dir: Path) -> None:
    result = CliRunner().invoke(app, ["guidelines", "--store", str(store_dir), "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    csv_rows = cli_csv(store_dir)
    assert [(r["guideline"], r["items"], r["upheld"]) for r in rows] == [
        (r["guideline"], int(r["items"]), int(r["upheld"])) for r in csv_rows
    ]
