"""Items whose outcome could not be read are kept, counted apart, and in no rate.

The parser keeps an item whose decision line it cannot read with the outcome "Unknown" and an
``item-outcome-unreadable`` warning (issue 15: an item heading must never vanish). The graph
holds it as imr:UnknownOutcome. Every count stays honest: such an item counts in ``items`` and
``unknown``, never as upheld or overturned, and every uphold rate and Wilson interval is taken
over decided items (upheld + overturned). The letters and the expected numbers are the table of
tests/published_letters.py, worked out by hand.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from published_letters import published_letters, store_of

from imrgraph.analysis.counts import TallyCounts
from imrgraph.analysis.guidelines import overall_outcomes, rank_guidelines
from imrgraph.analysis.outcomes import corpus_overview, outcomes_by
from imrgraph.analysis.selection import Selection
from imrgraph.analysis.stats import wilson_interval
from imrgraph.rdf.tallies import UNMARK_TALLIES
from imrgraph.rdf.vocab import CAT, GL
from imrgraph.store.queries import load_query, run_select
from imrgraph.store.tallies import retally


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    store = store_of(published_letters(), tmp_path_factory.mktemp("unknown") / "store")
    yield store
    store.close()


COUNTINGS = ("tallies", "citations")


def _use(store: Any, counting: str) -> TallyCounts | bool:
    if counting == "citations":
        return False
    tallies = TallyCounts.of(store)
    assert tallies is not None
    return tallies


@pytest.mark.parametrize("counting", COUNTINGS)
def test_the_overall_counts_keep_unknown_items_apart(store: Any, counting: str) -> None:
    use = _use(store, counting)
    assert overall_outcomes(store, Selection(), use) == (7, 3, 2)
    overview = corpus_overview(store, tallies=use)
    assert (overview["items"], overview["upheld"], overview["overturned"]) == (7, 3, 2)
    assert overview["unknown"] == 2
    assert overview["letters_with_warnings"] == 2


@pytest.mark.parametrize("counting", COUNTINGS)
def test_guideline_rates_are_over_decided_items(store: Any, counting: str) -> None:
    rows = {
        r["concept"]: r
        for r in rank_guidelines(store, "reviewer", "document", tallies=_use(store, counting))
    }
    chronic = rows[f"{GL}MTUS-ChronicPain"]  # 2009, 2016 and no edition: one document
    assert (chronic["items"], chronic["upheld"], chronic["overturned"], chronic["unknown"]) == (
        4,
        2,
        2,
        0,
    )
    assert chronic["uphold_rate"] == 0.5
    assert chronic["lift"] == pytest.approx(0.5 / 0.6)  # over the decided items of all: 3 of 5
    low_back = rows[f"{GL}MTUS-LowBack"]  # its only item's outcome is unreadable
    assert (low_back["items"], low_back["upheld"], low_back["overturned"]) == (1, 0, 0)
    assert low_back["unknown"] == 1
    assert math.isnan(low_back["uphold_rate"]) and math.isnan(low_back["ci_low"])
    opioids = rows[f"{GL}MTUS-Opioids"]
    assert (opioids["items"], opioids["upheld"], opioids["unknown"]) == (1, 1, 0)


def test_sorting_by_rate_puts_a_guideline_with_no_decided_item_last(store: Any) -> None:
    ranking = rank_guidelines(store, "reviewer", "document", sort="rate")
    undecided = [r["concept"] for r in ranking if r["unknown"] == r["items"]]
    assert set(undecided) == {f"{GL}MTUS-LowBack", f"{GL}MTUS-Acupuncture"}
    assert [r["concept"] for r in ranking[-2:]] == sorted(undecided)


@pytest.mark.parametrize("counting", COUNTINGS)
def test_breakdowns_count_unknown_items_apart(store: Any, counting: str) -> None:
    use = _use(store, counting)
    categories = {r["label"]: r for r in outcomes_by(store, "category", tallies=use)}
    physical = categories["Physical Medicine"]  # one upheld, one unreadable
    assert (physical["items"], physical["upheld"], physical["overturned"]) == (2, 1, 0)
    assert physical["unknown"] == 1
    assert physical["uphold_rate"] == 1.0
    assert (physical["ci_low"], physical["ci_high"]) == pytest.approx(wilson_interval(1, 1))
    years = {r["key"]: r for r in outcomes_by(store, "year", tallies=use)}
    assert (years[2016]["items"], years[2016]["unknown"], years[2016]["uphold_rate"]) == (2, 1, 1.0)
    assert (years[2017]["items"], years[2017]["unknown"], years[2017]["uphold_rate"]) == (5, 1, 0.5)
    specialties = {r["key"]: r for r in outcomes_by(store, "specialty", tallies=use)}
    pain = specialties["Pain Medicine"]  # letters 101 and 103: 3 upheld-or-overturned, 1 unknown
    assert (pain["items"], pain["upheld"], pain["overturned"], pain["unknown"]) == (4, 2, 1, 1)


def test_stats_count_unknown_outcomes_with_and_without_tallies(store: Any) -> None:
    stats = store.stats()
    assert (stats["items"], stats["upheld"], stats["overturned"]) == (7, 3, 2)
    assert stats["unknown_outcome"] == 2
    assert stats["letters_with_warnings"] == 2  # the two letters with an unreadable outcome
    letters, by_outcome = store._counted_stats()  # the count `stats` makes without tallies
    assert letters == 3 and by_outcome.get("UnknownOutcome") == 2
    store._update(UNMARK_TALLIES)  # the same answers counted from the letters themselves
    try:
        counted = store.stats()
        assert counted.pop("triples") == stats.pop("triples") - 1  # the tallies' mark
        assert counted == stats
    finally:
        retally(store)


def test_the_cli_stats_show_unknown_outcomes(cli, tmp_path: Path) -> None:
    location = tmp_path / "store"
    store_of(published_letters(), location).close()  # the CLI opens the store itself
    run = cli("stats", "--json", "--store", str(location))
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["unknown_outcome"] == 2
    run = cli("stats", "--store", str(location))
    assert "outcome not readable" in run.stdout


def test_letters_with_warnings_names_the_letters_with_an_unreadable_outcome(store: Any) -> None:
    rows = run_select(
        store, load_query("letters-with-warnings"), {"code": "item-outcome-unreadable"}
    ).rows
    assert sorted(row[0] for row in rows) == ["CM16-0000101", "CM17-0000102"]


def test_saved_queries_count_unknown_items_apart(store: Any) -> None:
    rows = run_select(store, load_query("uphold-rate-by-year"), {}).rows
    # year, items, upheld, overturned, unknown, uphold_rate (over decided items)
    assert [tuple(float(v) for v in row) for row in rows] == [
        (2016, 2, 1, 0, 1, 1.0),
        (2017, 5, 2, 2, 1, 0.5),
    ]
    rows = run_select(
        store, load_query("guidelines-upheld-denials"), {"party": "reviewer", "level": "document"}
    ).rows
    chronic = next(r for r in rows if r[0] == "Chronic Pain Medical Treatment Guidelines")
    assert [float(v) for v in chronic[1:]] == [4, 2, 0.5]
    low_back = next(r for r in rows if r[0] == "Low Back Complaints")
    assert tuple(low_back[1:3]) == (1, 0) and low_back[3] is None  # no decided item: no rate


def test_tallied_and_direct_counts_agree_with_unknown_outcomes(store: Any) -> None:
    from test_tallies import assert_tallies_match_direct

    assert_tallies_match_direct(store)


def test_the_guidelines_table_shows_no_rate_for_a_guideline_with_no_decided_item(
    cli, tmp_path: Path
) -> None:
    location = tmp_path / "store"
    store_of(published_letters(), location).close()
    run = cli("guidelines", "--store", str(location))
    assert run.returncode == 0, run.stderr
    low_back = next(line for line in run.stdout.splitlines() if "Low Back" in line)
    assert "nan" not in low_back and "–" in low_back


def test_network_edges_rate_decided_items_and_files_stay_valid(store: Any, tmp_path: Path) -> None:
    from imrgraph.analysis.network import build_network, write_network

    graph = build_network(store, "guideline-service")
    chronic = graph.edges[f"{GL}MTUS-ChronicPain", f"{CAT}pharmaceuticals"]
    # Norco upheld (101), Tramadol overturned (102), Norco overturned (103)
    assert (chronic["items"], chronic["upheld"], chronic["overturned"]) == (3, 1, 2)
    assert chronic["uphold_rate"] == pytest.approx(1 / 3)
    low_back = graph.edges[f"{GL}MTUS-LowBack", f"{CAT}diagnostic-imaging"]
    assert (low_back["items"], low_back["upheld"], low_back["overturned"]) == (1, 0, 0)
    assert "uphold_rate" not in low_back  # nothing decided: no rate, not a made-up 0
    for suffix in (".graphml", ".gexf", ".json"):
        path = tmp_path / f"network{suffix}"
        write_network(graph, path)
        if suffix == ".json":
            text = path.read_text(encoding="utf-8")
            json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in the JSON"))


def test_count_rows_without_an_overturned_count_mean_every_item_was_decided() -> None:
    """Callers that build their own rows (items, upheld) keep their numbers."""
    from imrgraph.analysis.outcomes import outcome_records

    (record,) = outcome_records([{"key": 2016, "items": 4, "upheld": 3}], "year")
    assert (record["overturned"], record["unknown"], record["uphold_rate"]) == (1, 0, 0.75)


def test_the_category_chart_shows_unreadable_outcomes(store: Any) -> None:
    from imrgraph.analysis.plots import outcomes_by_category_figure

    figure = outcomes_by_category_figure(outcomes_by(store, "category"))
    labels = figure.axes[0].get_legend_handles_labels()[1]
    assert labels == ["Upheld", "Overturned", "Outcome not readable"]
